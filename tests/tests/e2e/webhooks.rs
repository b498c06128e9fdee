//! Webhooks: signed deliveries to a real local receiver that fails the first attempts, retried
//! with growing pauses on the injected clock until accepted, given up three days after the
//! event and sent again on request; every attempt logged; addresses inside the network
//! refused; a test ping through REST.

mod announcements;
mod deliveries;
mod fairness;
mod keys;
mod listing;
mod refetch;
mod standard;

use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use chrono::{DateTime, Utc};
use domain::clock::{Clock, ManualClock};
use domain::jobs::RetryWebhooks;
use hmac::{Hmac, Mac};
use rekindle_tests::builders::organization;
use rekindle_tests::receiver::{Received, Receiver};
use rekindle_tests::{
    Account, Options, Stores, TestApp, TestWorker, email, error_codes, eventually,
};
use serde_json::{Value, json};
use sha2::Sha256;

const CREATE_ENDPOINT: &str = "mutation($url: String!, $events: [WebhookEventType!]!) { createWebhookEndpoint(input: { url: $url, events: $events }) { secret endpoint { id url events } } }";
const DELIVERIES: &str = "{ organization { webhookEndpoints { deliveries(first: 50) { totalCount edges { node { id event status attempts nextAttemptAt deliveredAt log { attempt statusCode latencyMs error } } } } } } }";
pub(crate) const ALL_EVENTS: [&str; 5] = [
    "CONSENT_GRANTED",
    "CONSENT_REVOKED",
    "RITUAL_COMPLETED",
    "ASSESSMENT_COMPLETED",
    "WEEKLY_SUMMARY_READY",
];

/// An app and a worker on one manual clock.
struct Scene {
    /// The queue the worker consumes, for pushing its minute's tick.
    queue: runtime::JobQueue,
    clock: Arc<ManualClock>,
    app: TestApp,
    worker: TestWorker,
}

async fn scene(start: DateTime<Utc>) -> Scene {
    let stores = Stores::fresh().await;
    let clock = Arc::new(ManualClock::new(start));
    let app = TestApp::spawn_on(
        &stores,
        Options {
            env: vec![
                ("REKINDLE_EMBEDDED_WORKER".into(), "false".into()),
                // Days pass on the clock: tokens must outlive them (sessions last 30 days).
                ("REKINDLE_ACCESS_TOKEN_TTL_SECS".into(), "604800".into()),
            ],
            clock: Some(clock.clone()),
        },
    )
    .await;
    let worker = TestWorker::spawn_at(&stores, Clock::from_source(clock.clone())).await;
    let queue = runtime::JobQueue::connect(&rekindle_tests::settings_from(&stores.env()))
        .await
        .unwrap();
    Scene {
        queue,
        clock,
        app,
        worker,
    }
}

impl Scene {
    /// Sets the clock to Monday 15 June 2026, 01:00 UTC (the week of 8 June is over everywhere
    /// a couple could be) and plans that week's summaries, as the worker's cron would.
    async fn end_the_week_of_june_8(&self) {
        self.clock
            .set(chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 6, 15, 1, 0, 0).unwrap());
        self.queue
            .push(domain::jobs::PlanWeeklySummaries {
                at: Clock::from_source(self.clock.clone()).now(),
                after: None,
            })
            .await
            .unwrap();
    }

    /// Moves the clock on and runs the minute's tick, as the worker's cron would.
    async fn tick_after(&self, by: chrono::Duration) {
        self.clock.advance(by);
        self.queue
            .push(RetryWebhooks {
                at: Clock::from_source(self.clock.clone()).now(),
            })
            .await
            .unwrap();
    }
}

impl Scene {
    /// Waits for the receiver to have `n` requests, ticking again (at the same instant) every
    /// few seconds as the worker's cron would every minute: a tick is a nudge, and one that
    /// found nothing, or was late, is made up by the next.
    async fn attempt_made(&self, receiver: &Receiver, n: usize) -> Vec<Received> {
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            for _ in 0..30 {
                let got = receiver.received();
                if got.len() >= n {
                    return got;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "attempt {n} never came"
            );
            self.tick_after(chrono::Duration::zero()).await;
        }
    }
}

/// An organization with an endpoint for every event at `url`: the organization's ID, its
/// admin, and the endpoint's secret.
pub(crate) async fn with_endpoint(app: &TestApp, url: &str) -> (String, Account, String) {
    let admin = app.create_with_role(&email("admin"), "admin").await;
    let (org, org_admin) = organization(app, &admin, "Harbor Coaching").await;
    let made = endpoint(app, &org_admin, url).await;
    let secret = made["secret"].as_str().unwrap().to_owned();
    (org, org_admin, secret)
}

/// An endpoint for every event at `url`, made by the organization's admin: its secret and the
/// endpoint (`id`, `url`, `events`).
async fn endpoint(app: &TestApp, org_admin: &Account, url: &str) -> Value {
    let made = app
        .graphql_as(
            org_admin.token(),
            CREATE_ENDPOINT,
            json!({ "url": url, "events": ALL_EVENTS }),
        )
        .await;
    assert!(error_codes(&made).is_empty(), "{made}");
    made["data"]["createWebhookEndpoint"].clone()
}

/// Checks a delivery's signature the way a Standard Webhooks receiver would, without
/// Rekindle's code: HMAC-SHA256 keyed with the base64 after `whsec_`, over
/// `"<webhook-id>.<webhook-timestamp>.<body>"`, base64 after `v1,` in one of the space-separated
/// signatures. Answers the timestamp.
fn verified(secret: &str, request: &Received) -> i64 {
    let header = |name: &str| {
        request
            .headers
            .get(name)
            .unwrap_or_else(|| panic!("no {name}: {:?}", request.headers))
            .clone()
    };
    let (id, t, signatures) = (
        header("webhook-id"),
        header("webhook-timestamp"),
        header("webhook-signature"),
    );
    let key = base64::engine::general_purpose::STANDARD
        .decode(secret.strip_prefix("whsec_").expect("a whsec_ secret"))
        .expect("the secret is base64");
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{id}.{t}.").as_bytes());
    mac.update(&request.body);
    let expected = format!(
        "v1,{}",
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    );
    assert!(
        signatures.split(' ').any(|s| s == expected),
        "the signature does not verify: {signatures}"
    );
    t.parse().unwrap()
}

/// `POST /webhooks/{endpoint}/ping` as the organization's admin: answers `{ deliveryId }`.
async fn ping(app: &TestApp, org_admin: &Account, endpoint: &str) -> Value {
    let auth = format!("Bearer {}", org_admin.access_token);
    let (status, _, answer) = app
        .post_with(
            &format!("/webhooks/{endpoint}/ping"),
            &[("authorization", auth.as_str())],
            "",
        )
        .await;
    assert_eq!(status, 202, "{answer}");
    serde_json::from_str(&answer).unwrap()
}

/// The ID of the organization's first webhook endpoint, as its admin reads it.
async fn endpoint_id(app: &TestApp, org_admin: &Account) -> String {
    app.graphql_as(
        org_admin.token(),
        "{ organization { webhookEndpoints { id } } }",
        json!({}),
    )
    .await["data"]["organization"]["webhookEndpoints"][0]["id"]
        .as_str()
        .expect("the organization has an endpoint")
        .to_owned()
}

fn body(request: &Received) -> Value {
    serde_json::from_slice(&request.body).unwrap()
}

async fn requests(receiver: &Receiver, at_least: usize) -> Vec<Received> {
    eventually("webhook requests", Duration::from_secs(20), || async {
        let got = receiver.received();
        (got.len() >= at_least).then_some(got)
    })
    .await
}

/// Waits until the first delivery's `n`-th attempt is settled (the count is written then).
async fn settled(app: &TestApp, org_admin: &Account, n: i64) -> Vec<Value> {
    eventually("the attempt settled", Duration::from_secs(20), || async {
        let rows = deliveries(app, org_admin).await;
        (rows[0]["attempts"] == n).then_some(rows)
    })
    .await
}

async fn deliveries(app: &TestApp, org_admin: &Account) -> Vec<Value> {
    let body = app
        .graphql_as(org_admin.token(), DELIVERIES, json!({}))
        .await;
    assert!(error_codes(&body).is_empty(), "{body}");
    body["data"]["organization"]["webhookEndpoints"][0]["deliveries"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}
