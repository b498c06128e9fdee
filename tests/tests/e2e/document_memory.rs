//! Parsed documents cost the api memory only once they passed every check: a flood of
//! anonymous documents that parse but are refused leaves resident memory where it was. The
//! api runs as its own process here, so its resident memory is its own.

use std::process::{Command, Stdio};
use std::time::Duration;

use rekindle_tests::{Stores, api_up, error_codes, free_port};
use serde_json::{Value, json};

const API: &str = env!("CARGO_BIN_EXE_rekindle-api-under-test");

/// The process's resident memory in KiB, from /proc.
fn resident_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

#[actix_web::test]
async fn refused_anonymous_documents_do_not_stay_in_memory() {
    let stores = Stores::fresh().await;
    let port = free_port();
    let mut api = Command::new(API)
        .envs(stores.env())
        .env("REKINDLE_BIND", format!("127.0.0.1:{port}"))
        .env("REKINDLE_EMBEDDED_WORKER", "false")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the api starts");
    let client = awc::Client::builder()
        .timeout(Duration::from_secs(30))
        .finish();
    let base = format!("http://127.0.0.1:{port}");
    api_up(&client, &base).await;
    let post = |query: String| {
        let client = client.clone();
        let url = format!("{base}/graphql");
        async move {
            let mut res = client
                .post(url)
                .send_json(&json!({ "query": query }))
                .await
                .unwrap();
            res.json::<Value>().limit(1 << 20).await.unwrap()
        }
    };
    // Warm up what every request allocates once (pools, the schema's caches).
    for _ in 0..20 {
        post("{ __typename }".to_owned()).await;
    }
    let before = resident_kib(api.id());
    // Each about 16 KB, each different, each parsing into thousands of fields: refused for
    // selecting too many.
    for n in 0..300 {
        let query = format!("{{ f{n} {} }}", "a ".repeat(8_000));
        let body = post(query).await;
        assert_eq!(
            error_codes(&body),
            vec!["GRAPHQL_VALIDATION_FAILED"],
            "{body}"
        );
    }
    let after = resident_kib(api.id());
    let _ = api.kill();
    let _ = api.wait();
    let grown_mib = after.saturating_sub(before) / 1024;
    assert!(
        grown_mib < 64,
        "resident memory grew by {grown_mib} MiB ({before} KiB -> {after} KiB)"
    );
}
