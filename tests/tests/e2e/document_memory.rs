//! Parsed documents cost the api memory only once they passed every check: a flood of
//! anonymous documents that parse but are refused leaves resident memory where it was. The
//! api runs as its own process here, so its resident memory is its own.

use rekindle_tests::{ApiProcess, Stores, error_codes};
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
    let api = ApiProcess::start(API, &stores, &[]).await;
    let (client, base) = (api.client.clone(), api.base.clone());
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
    let before = resident_kib(api.child.id());
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
    let after = resident_kib(api.child.id());
    drop(api);
    let grown_mib = after.saturating_sub(before) / 1024;
    assert!(
        grown_mib < 64,
        "resident memory grew by {grown_mib} MiB ({before} KiB -> {after} KiB)"
    );
}
