//! The end-to-end test harness: the real server and worker, on a random port, against a fresh
//! database (a temporary SQLite file, or a fresh PostgreSQL database when TEST_DATABASE_URL is
//! set) and a fresh queue (the embedded SQLite queue, or a fresh Redis namespace when
//! TEST_REDIS_URL is set).
#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod app;
pub mod assessments;
pub mod browser;
pub mod builders;
pub mod coaching;
pub mod data_rights;
pub mod faults;
pub mod logs;
pub mod model_server;
pub mod proxy;
pub mod push_services;
pub mod receiver;
pub mod scan;
pub mod smtp;
pub mod stores;
pub mod worker;

use std::future::Future;
use std::time::{Duration, Instant};

use serde_json::Value;

pub use app::{Account, Options, TestApp};
pub use stores::{
    PRODUCTION_ENV, Stores, TEST_JWT_SECRET, settings_from, skip, test_database_url,
    test_redis_url, url_target, url_via_port,
};
pub use worker::{ApiProcess, TestWorker, WorkerProcess};

/// The instant time-driven tests run at (with [`TestApp::spawn_at`]): a Wednesday noon UTC,
/// in a week with no clock change, far from any hour's or day's edge, so nothing a test checks
/// can straddle a midnight or the top of an hour.
pub fn wednesday_noon() -> chrono::DateTime<chrono::Utc> {
    use chrono::TimeZone;
    chrono::Utc.with_ymd_and_hms(2026, 3, 25, 12, 0, 0).unwrap()
}

/// The UUID inside one of the API's global IDs.
pub fn uuid_of(global_id: &str) -> uuid::Uuid {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(global_id)
        .unwrap();
    let text = String::from_utf8(bytes).unwrap();
    uuid::Uuid::parse_str(text.split_once(':').unwrap().1).unwrap()
}

/// The API's global ID of a row of `kind` (its GraphQL type name).
pub fn global_id(kind: &str, id: uuid::Uuid) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{kind}:{id}"))
}

/// A unique email for a test's account.
pub fn email(name: &str) -> String {
    format!("{name}-{}@example.com", uuid::Uuid::new_v4().simple())
}

/// A port nothing listens on now, for a process the test starts.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("a free local port")
}

/// Waits until the api process at `base` answers its health check (up to a minute).
pub async fn api_up(client: &awc::Client, base: &str) {
    eventually("the api up", Duration::from_secs(60), || async {
        let res = client.get(format!("{base}/healthz")).send().await.ok()?;
        res.status().is_success().then_some(())
    })
    .await;
}

/// Polls `check` until it answers `Some`, or fails the test after `deadline`.
pub async fn eventually<T, F, Fut>(what: &str, deadline: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let start = Instant::now();
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(
            start.elapsed() < deadline,
            "timed out after {deadline:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The `extensions.field` and `extensions.reason` of every error in a response body.
pub fn input_errors(body: &Value) -> Vec<(String, String)> {
    each_error(body, |e| {
        (
            e["extensions"]["field"]
                .as_str()
                .unwrap_or("(none)")
                .to_owned(),
            e["extensions"]["reason"]
                .as_str()
                .unwrap_or("(none)")
                .to_owned(),
        )
    })
}

/// `read` of every error in a response body.
fn each_error<T>(body: &Value, read: impl Fn(&Value) -> T) -> Vec<T> {
    body["errors"]
        .as_array()
        .map(|errors| errors.iter().map(read).collect())
        .unwrap_or_default()
}

/// The `extensions.code` of every error in a GraphQL response body.
pub fn error_codes(body: &Value) -> Vec<String> {
    each_error(body, |e| {
        e["extensions"]["code"]
            .as_str()
            .unwrap_or("(none)")
            .to_owned()
    })
}
