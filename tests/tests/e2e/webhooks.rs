//! Webhooks: signed deliveries to a real local receiver that fails the first attempts, retried
//! with growing pauses on the injected clock until accepted, given up three days after the
//! event and sent again on request; every attempt logged; addresses inside the network
//! refused; a test ping through REST.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use domain::clock::{Clock, ManualClock};
use domain::jobs::RetryWebhooks;
use hmac::{Hmac, Mac};
use rekindle_tests::assessments::take_yes_no;
use rekindle_tests::builders::{grant, organization, pair, plan_with_item};
use rekindle_tests::receiver::{Received, Receiver};
use rekindle_tests::{
    Account, Options, Stores, TestApp, TestWorker, email, error_codes, eventually,
};
use serde_json::{Value, json};
use sha2::Sha256;

const CREATE_ENDPOINT: &str = "mutation($url: String!, $events: [WebhookEventType!]!) { createWebhookEndpoint(input: { url: $url, events: $events }) { secret endpoint { id url events } } }";
const DELIVERIES: &str = "{ organization { webhookEndpoints { deliveries(first: 50) { totalCount edges { node { id event status attempts nextAttemptAt deliveredAt log { attempt statusCode latencyMs error } } } } } } }";
const ALL_EVENTS: [&str; 5] = [
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
async fn with_endpoint(app: &TestApp, url: &str) -> (String, Account, String) {
    let admin = app.create_with_role(&email("admin"), "admin").await;
    let (org, org_admin) = organization(app, &admin, "Harbor Coaching").await;
    let made = app
        .graphql_as(
            org_admin.token(),
            CREATE_ENDPOINT,
            json!({ "url": url, "events": ALL_EVENTS }),
        )
        .await;
    assert!(error_codes(&made).is_empty(), "{made}");
    let secret = made["data"]["createWebhookEndpoint"]["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    (org, org_admin, secret)
}

/// Checks a delivery's signature the way a receiver would, without Rekindle's code: HMAC-SHA256
/// keyed with the secret over `"<t>.<body>"`, hex in `v1`. Answers `t`.
fn verified(secret: &str, request: &Received) -> i64 {
    let header = request
        .headers
        .get("rekindle-signature")
        .unwrap_or_else(|| panic!("no signature: {:?}", request.headers));
    let (t, v1) = header
        .split_once(',')
        .and_then(|(t, v)| Some((t.strip_prefix("t=")?, v.strip_prefix("v1=")?)))
        .unwrap_or_else(|| panic!("malformed signature {header}"));
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.").as_bytes());
    mac.update(&request.body);
    let expected = hex::encode(mac.finalize().into_bytes());
    assert_eq!(v1, expected, "the signature does not verify");
    t.parse().unwrap()
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

#[actix_web::test]
async fn deliveries_are_signed_and_retried_with_growing_pauses_until_accepted() {
    let start = Utc.with_ymd_and_hms(2026, 6, 10, 12, 0, 0).unwrap();
    let s = scene(start).await;
    let receiver = Receiver::start(2).await;
    let (org, org_admin, secret) = with_endpoint(&s.app, &receiver.url).await;
    let ana = s.app.register(&email("ana"), "Ana").await;
    let ben = s.app.register(&email("ben"), "Ben").await;
    let couple = pair(&s.app, &ana, &ben).await;

    // One member's grant tells the organization nothing; both: consent.granted.
    grant(&s.app, &ana, &org, &["PLANS", "PROGRESS"]).await;
    grant(&s.app, &ben, &org, &["PLANS"]).await;
    let first = requests(&receiver, 1).await;
    assert_eq!(first.len(), 1, "one event so far");
    assert_eq!(first[0].status, 500);
    let t = verified(&secret, &first[0]);
    assert_eq!(t, start.timestamp(), "signed at the clock's time");
    let sent = body(&first[0]);
    assert_eq!(sent["type"], "consent.granted");
    assert_eq!(sent["data"]["coupleId"], couple.as_str());
    assert_eq!(sent["data"]["scopes"], json!(["plans"]));
    assert_eq!(
        first[0].headers["rekindle-delivery"],
        sent["id"].as_str().unwrap()
    );

    // Pending, to be tried again later (15 to 30 s after a first failure).
    let pending = settled(&s.app, &org_admin, 1).await;
    assert_eq!(pending[0]["status"], "PENDING");
    assert_eq!(pending[0]["attempts"], 1);
    let next: DateTime<Utc> = pending[0]["nextAttemptAt"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(next >= start + chrono::Duration::seconds(15), "{next}");
    assert!(next <= start + chrono::Duration::seconds(30), "{next}");
    // Not due yet: a tick now sends nothing.
    s.tick_after(chrono::Duration::seconds(5)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(receiver.received().len(), 1);

    // Due: tried again (fails), then again after a longer pause (accepted), byte for byte.
    s.tick_after(chrono::Duration::seconds(30)).await;
    s.attempt_made(&receiver, 2).await;
    settled(&s.app, &org_admin, 2).await;
    s.tick_after(chrono::Duration::minutes(2)).await;
    let all = s.attempt_made(&receiver, 3).await;
    assert_eq!(
        all.iter().map(|r| r.status).collect::<Vec<_>>(),
        vec![500, 500, 200]
    );
    assert!(all.iter().all(|r| r.body == all[0].body));
    for request in &all {
        verified(&secret, request);
    }
    let done = eventually("the delivery settled", Duration::from_secs(10), || async {
        let rows = deliveries(&s.app, &org_admin).await;
        (rows[0]["status"] == "DELIVERED").then_some(rows)
    })
    .await;
    let log = done[0]["log"].as_array().unwrap();
    assert_eq!(
        log.iter()
            .map(|a| a["statusCode"].clone())
            .collect::<Vec<_>>(),
        vec![json!(500), json!(500), json!(200)]
    );
    assert!(log.iter().all(|a| a["latencyMs"].as_i64().unwrap() >= 0));
    assert_eq!(log[0]["error"], "answered 500 Internal Server Error");

    // A ritual logged with a shared note: the organization hears which ritual, never the note.
    let (_, item) = plan_with_item(&s.app, &ana, "EITHER").await;
    let logged = s
        .app
        .graphql_as(
            ana.token(),
            "mutation($id: ID!) { completeRitual(input: { planItemId: $id, occurrence: \"2026-06-10\", closeness: 5, note: \"words only we know\", noteShared: true }) { completion { id } } }",
            json!({ "id": item }),
        )
        .await;
    assert!(error_codes(&logged).is_empty(), "{logged}");
    let all = requests(&receiver, 4).await;
    let completed = body(&all[3]);
    assert_eq!(completed["type"], "ritual.completed");
    assert_eq!(completed["data"]["ritualKey"], "six_second_kiss");
    assert_eq!(completed["data"]["coupleId"], couple.as_str());
    assert!(!String::from_utf8_lossy(&all[3].body).contains("words only"));

    // Revoked by one: consent.revoked, and nothing more is told of the couple.
    s.app
        .graphql_as(
            ben.token(),
            "mutation($o: ID!) { revokeOrganizationAccess(input: { organizationId: $o }) { access { scopes } } }",
            json!({ "o": org }),
        )
        .await;
    let all = requests(&receiver, 5).await;
    assert_eq!(body(&all[4])["type"], "consent.revoked");
    assert_eq!(body(&all[4])["data"]["scopes"], json!([]));
    s.app
        .graphql_as(
            ana.token(),
            "mutation($id: ID!) { completeRitual(input: { planItemId: $id, occurrence: \"2026-06-10\", closeness: 5 }) { completion { id } } }",
            json!({ "id": item }),
        )
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        receiver.received().len(),
        5,
        "a revoked organization hears nothing"
    );
    s.worker.stop().await;
    s.app.stop().await;
}

#[actix_web::test]
async fn a_delivery_never_accepted_is_given_up_after_three_days_and_can_be_sent_again() {
    let start = Utc.with_ymd_and_hms(2026, 6, 10, 12, 0, 0).unwrap();
    let s = scene(start).await;
    let receiver = Receiver::start(usize::MAX).await;
    let (_, org_admin, secret) = with_endpoint(&s.app, &receiver.url).await;
    let listed = deliveries(&s.app, &org_admin).await;
    assert!(listed.is_empty());
    let endpoint = s
        .app
        .graphql_as(
            org_admin.token(),
            "{ organization { webhookEndpoints { id } } }",
            json!({}),
        )
        .await["data"]["organization"]["webhookEndpoints"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // The test ping, over REST.
    let auth = format!("Bearer {}", org_admin.access_token);
    let (status, _, answer) = s
        .app
        .post_with(
            &format!("/webhooks/{endpoint}/ping"),
            &[("authorization", auth.as_str())],
            "",
        )
        .await;
    assert_eq!(status, 202, "{answer}");
    let delivery_id = serde_json::from_str::<Value>(&answer).unwrap()["deliveryId"]
        .as_str()
        .unwrap()
        .to_owned();
    let first = requests(&receiver, 1).await;
    assert_eq!(body(&first[0])["type"], "ping");
    assert_eq!(body(&first[0])["id"], delivery_id.as_str());
    verified(&secret, &first[0]);
    settled(&s.app, &org_admin, 1).await;

    // Every six hours the due attempt is made, until three days after the ping it is dead.
    let mut made: usize = 1;
    for _ in 0..40 {
        let rows = deliveries(&s.app, &org_admin).await;
        if rows[0]["status"] == "DEAD" {
            break;
        }
        s.tick_after(chrono::Duration::hours(6)).await;
        made += 1;
        s.attempt_made(&receiver, made).await;
        settled(&s.app, &org_admin, made as i64).await;
    }
    let rows = deliveries(&s.app, &org_admin).await;
    assert_eq!(rows[0]["status"], "DEAD", "{rows:?}");
    assert_eq!(rows[0]["nextAttemptAt"], Value::Null);
    let attempts = rows[0]["attempts"].as_i64().unwrap();
    assert!((12..=40).contains(&attempts), "{attempts} attempts");
    assert_eq!(rows[0]["log"].as_array().unwrap().len() as i64, attempts);
    // Nothing more happens by itself.
    s.tick_after(chrono::Duration::days(1)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(receiver.received().len() as i64, attempts);

    // Sent again on request: now the receiver accepts it.
    receiver.fail_next(0);
    let again = s
        .app
        .graphql_as(
            org_admin.token(),
            "mutation($id: ID!) { redeliverWebhook(input: { deliveryId: $id }) { delivery { status } } }",
            json!({ "id": delivery_id }),
        )
        .await;
    assert_eq!(
        again["data"]["redeliverWebhook"]["delivery"]["status"], "PENDING",
        "{again}"
    );
    eventually("redelivered", Duration::from_secs(10), || async {
        let rows = deliveries(&s.app, &org_admin).await;
        (rows[0]["status"] == "DELIVERED").then_some(())
    })
    .await;
    s.worker.stop().await;
    s.app.stop().await;
}

#[actix_web::test]
async fn the_ping_is_for_the_organizations_admins_only() {
    let s = scene(Utc::now()).await;
    let app = &s.app;
    let receiver = Receiver::start(0).await;
    let (_, org_admin, _) = with_endpoint(app, &receiver.url).await;
    let endpoint = app
        .graphql_as(
            org_admin.token(),
            "{ organization { webhookEndpoints { id } } }",
            json!({}),
        )
        .await["data"]["organization"]["webhookEndpoints"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let admin = app.create_with_role(&email("admin2"), "admin").await;
    let (_, other_admin) = organization(app, &admin, "Elsewhere").await;
    let member = app.register(&email("ana"), "Ana").await;
    let path = format!("/webhooks/{endpoint}/ping");
    for (token, expected) in [
        (None, 401),
        (Some(member.access_token.as_str()), 403),
        (Some(other_admin.access_token.as_str()), 404),
        (Some(org_admin.access_token.as_str()), 202),
    ] {
        let auth = token.map(|t| format!("Bearer {t}"));
        let headers: Vec<(&str, &str)> = auth
            .as_deref()
            .map(|a| vec![("authorization", a)])
            .unwrap_or_default();
        let (status, _, answer) = app.post_with(&path, &headers, "").await;
        assert_eq!(status, expected, "{answer}");
    }
    requests(&receiver, 1).await;
    s.worker.stop().await;
    s.app.stop().await;
}

#[actix_web::test]
async fn endpoints_inside_the_network_or_without_https_are_refused() {
    let app = TestApp::spawn_with(&[
        ("REKINDLE_WEBHOOK_ALLOW_INTERNAL", "false"),
        ("REKINDLE_WEBHOOK_REQUIRE_HTTPS", "true"),
    ])
    .await;
    let admin = app.create_with_role(&email("admin"), "admin").await;
    let (_, org_admin) = organization(&app, &admin, "Harbor Coaching").await;
    for url in [
        "https://127.0.0.1:9/hooks",
        "https://localhost/hooks",
        "https://169.254.169.254/latest/meta-data",
        "https://10.0.0.8/hooks",
        "https://[::1]/hooks",
        "http://hooks.example.com/x",
        "not a url",
    ] {
        let body = app
            .graphql_as(
                org_admin.token(),
                CREATE_ENDPOINT,
                json!({ "url": url, "events": ["RITUAL_COMPLETED"] }),
            )
            .await;
        assert_eq!(error_codes(&body), vec!["BAD_USER_INPUT"], "{url}: {body}");
    }
    let fine = app
        .graphql_as(
            org_admin.token(),
            CREATE_ENDPOINT,
            json!({ "url": "https://hooks.example.com/rekindle", "events": ["RITUAL_COMPLETED"] }),
        )
        .await;
    assert!(error_codes(&fine).is_empty(), "{fine}");
    assert!(
        fine["data"]["createWebhookEndpoint"]["secret"]
            .as_str()
            .unwrap()
            .starts_with("whsec_")
    );
    // Subscribing to nothing (or to pings, which every endpoint gets) is refused.
    for events in [json!([]), json!(["PING"])] {
        let body = app
            .graphql_as(
                org_admin.token(),
                CREATE_ENDPOINT,
                json!({ "url": "https://hooks.example.com/x", "events": events }),
            )
            .await;
        assert_eq!(error_codes(&body), vec!["BAD_USER_INPUT"], "{body}");
    }
    app.stop().await;
}

#[actix_web::test]
async fn a_shared_result_is_announced_with_its_band_only_and_only_within_scope() {
    let start = Utc.with_ymd_and_hms(2026, 6, 10, 12, 0, 0).unwrap();
    let s = scene(start).await;
    let receiver = Receiver::start(0).await;
    let (org, org_admin, secret) = with_endpoint(&s.app, &receiver.url).await;
    let ana = s.app.register(&email("ana"), "Ana").await;
    let ben = s.app.register(&email("ben"), "Ben").await;
    let couple = pair(&s.app, &ana, &ben).await;
    grant(&s.app, &ana, &org, &["PROGRESS", "ASSESSMENT_RESULTS"]).await;
    grant(&s.app, &ben, &org, &["PROGRESS"]).await;
    assert_eq!(deliveries(&s.app, &org_admin).await.len(), 1, "consent");
    let share = "mutation($id: ID!) { shareAssessmentResult(input: { assessmentId: $id }) { assessment { shared } } }";

    // Not shared: nothing. Shared, but the couple did not grant assessment_results: nothing.
    let (first, _) = take_yes_no(&s.app, &ana, "signs_of_progress", &["look_forward"]).await;
    assert_eq!(deliveries(&s.app, &org_admin).await.len(), 1);
    let shared = s
        .app
        .graphql_as(ana.token(), share, json!({ "id": first }))
        .await;
    assert!(error_codes(&shared).is_empty(), "{shared}");
    assert_eq!(deliveries(&s.app, &org_admin).await.len(), 1);

    // Within scope: announced with the instrument and band, and nothing of the answers.
    grant(&s.app, &ben, &org, &["PROGRESS", "ASSESSMENT_RESULTS"]).await;
    let (second, result) = take_yes_no(
        &s.app,
        &ana,
        "signs_of_progress",
        &[
            "look_forward",
            "shorter_arguments",
            "touch_welcome",
            "new_memories",
        ],
    )
    .await;
    let shared = s
        .app
        .graphql_as(ana.token(), share, json!({ "id": second }))
        .await;
    assert!(error_codes(&shared).is_empty(), "{shared}");
    let got = eventually("the result announced", Duration::from_secs(20), || async {
        receiver
            .received()
            .into_iter()
            .find(|r| body(r)["type"] == "assessment.completed")
    })
    .await;
    verified(&secret, &got);
    let sent = body(&got);
    assert_eq!(
        sent["data"],
        json!({
            "coupleId": couple,
            "instrumentKey": "signs_of_progress",
            "band": result["band"]["key"],
        }),
        "{sent}"
    );
    let events: Vec<Value> = deliveries(&s.app, &org_admin)
        .await
        .iter()
        .map(|d| d["event"].clone())
        .collect();
    assert_eq!(
        events
            .iter()
            .filter(|e| *e == "ASSESSMENT_COMPLETED")
            .count(),
        1,
        "{events:?}"
    );
}

#[actix_web::test]
async fn a_finished_week_is_announced_to_organizations_granted_progress() {
    let start = Utc.with_ymd_and_hms(2026, 6, 10, 12, 0, 0).unwrap();
    let s = scene(start).await;
    let receiver = Receiver::start(0).await;
    let (org, _, secret) = with_endpoint(&s.app, &receiver.url).await;
    let ana = s.app.register(&email("ana"), "Ana").await;
    let ben = s.app.register(&email("ben"), "Ben").await;
    let couple = pair(&s.app, &ana, &ben).await;
    plan_with_item(&s.app, &ana, "EITHER").await;
    grant(&s.app, &ana, &org, &["PROGRESS"]).await;
    grant(&s.app, &ben, &org, &["PROGRESS"]).await;

    // Monday 15 June, 01:00 UTC: the week of 8 June is over everywhere the couple could be.
    s.clock
        .set(Utc.with_ymd_and_hms(2026, 6, 15, 1, 0, 0).unwrap());
    s.queue
        .push(domain::jobs::PlanWeeklySummaries {
            at: Clock::from_source(s.clock.clone()).now(),
            after: None,
        })
        .await
        .unwrap();
    let got = eventually("the week announced", Duration::from_secs(60), || async {
        receiver
            .received()
            .into_iter()
            .find(|r| body(r)["type"] == "weekly_summary.ready")
    })
    .await;
    verified(&secret, &got);
    assert_eq!(
        body(&got)["data"],
        json!({ "coupleId": couple, "weekStart": "2026-06-08" })
    );
}
