//! Sharing the worker fairly: pings are limited per organization, one organization's stalling
//! endpoint holds only its share of the delivery slots, and an endpoint that keeps giving no
//! answer has its circuit opened (its deliveries wait, no attempt counted) for a while.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use rekindle_tests::builders::organization;
use rekindle_tests::receiver::Receiver;
use rekindle_tests::{Account, TestApp, email, eventually};
use serde_json::{Value, json};

use super::scene;

/// Makes an endpoint at `url` for the organization; answers its ID.
async fn endpoint(app: &TestApp, org_admin: &Account, url: &str) -> String {
    super::endpoint(app, org_admin, url).await["endpoint"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Asks for a test delivery; answers the HTTP status.
async fn ping(app: &TestApp, org_admin: &Account, endpoint: &str) -> u16 {
    let auth = format!("Bearer {}", org_admin.access_token);
    let path = format!("/webhooks/{endpoint}/ping");
    app.post_with(&path, &[("authorization", auth.as_str())], "")
        .await
        .0
}

/// An organization (named `name`) and its admin.
async fn org(app: &TestApp, name: &str) -> Account {
    let admin = app.create_with_role(&email("admin"), "admin").await;
    organization(app, &admin, name).await.1
}

/// A server that accepts connections and never answers; `close` lets them all go.
async fn stalling() -> (String, Arc<Mutex<Vec<tokio::net::TcpStream>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks", listener.local_addr().unwrap());
    let held = Arc::new(Mutex::new(Vec::new()));
    let keep = held.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            keep.lock().unwrap().push(socket);
        }
    });
    (url, held)
}

#[actix_web::test]
async fn pings_are_limited_per_organization() {
    // The limit per account applies per organization (the tests' default is generous).
    let app = TestApp::spawn_with(&[("REKINDLE_RATE_LIMIT_PER_ACCOUNT", "10")]).await;
    let receiver = Receiver::start(0).await;
    let harbor = org(&app, "Harbor Coaching").await;
    let harbors = endpoint(&app, &harbor, &receiver.url).await;
    for _ in 0..10 {
        assert_eq!(ping(&app, &harbor, &harbors).await, 202);
    }
    assert_eq!(ping(&app, &harbor, &harbors).await, 429);
    // Another organization has pings of its own.
    let bay = org(&app, "Bay Counselling").await;
    let bays = endpoint(&app, &bay, &receiver.url).await;
    assert_eq!(ping(&app, &bay, &bays).await, 202);
    app.stop().await;
}

#[actix_web::test]
async fn a_stalling_endpoint_does_not_hold_back_another_organizations_delivery() {
    let s = scene(Utc::now()).await;
    let (stall_url, held) = stalling().await;
    let harbor = org(&s.app, "Harbor Coaching").await;
    let stalls = endpoint(&s.app, &harbor, &stall_url).await;
    // Ten attempts that each wait for their 10-second time limit: more than the worker's
    // eight delivery slots.
    for _ in 0..10 {
        assert_eq!(ping(&s.app, &harbor, &stalls).await, 202);
    }
    eventually(
        "the stalling endpoint reached",
        Duration::from_secs(10),
        || async { (!held.lock().unwrap().is_empty()).then_some(()) },
    )
    .await;
    let receiver = Receiver::start(0).await;
    let bay = org(&s.app, "Bay Counselling").await;
    let bays = endpoint(&s.app, &bay, &receiver.url).await;
    assert_eq!(ping(&s.app, &bay, &bays).await, 202);
    // Well before any stalled attempt gives up.
    eventually("Bay's delivery", Duration::from_secs(5), || async {
        (!receiver.received().is_empty()).then_some(())
    })
    .await;
    assert!(
        held.lock().unwrap().len() <= 2,
        "Harbor held more than its share of the worker"
    );
    held.lock().unwrap().clear();
    s.worker.stop().await;
    s.app.stop().await;
}

#[actix_web::test]
async fn an_endpoint_that_keeps_giving_no_answer_is_left_alone_for_a_while() {
    // Whole seconds: PostgreSQL keeps microseconds, the clock has nanoseconds.
    let start = chrono::SubsecRound::trunc_subsecs(Utc::now(), 0);
    let s = scene(start).await;
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let harbor = org(&s.app, "Harbor Coaching").await;
    let dead = endpoint(&s.app, &harbor, &format!("http://127.0.0.1:{closed}/")).await;
    const LOG: &str = "{ organization { webhookEndpoints { deliveries(first: 10) { edges { node { status attempts nextAttemptAt } } } } } }";
    let rows = || async {
        let body = s.app.graphql_as(harbor.token(), LOG, json!({})).await;
        body["data"]["organization"]["webhookEndpoints"][0]["deliveries"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"].clone())
            .collect::<Vec<Value>>()
    };
    // Five attempts, none answered.
    for n in 1..=5 {
        assert_eq!(ping(&s.app, &harbor, &dead).await, 202);
        eventually("the attempt made", Duration::from_secs(10), || async {
            let attempted = rows().await.iter().filter(|r| r["attempts"] == 1).count();
            (attempted == n).then_some(())
        })
        .await;
    }
    // The sixth is held back five minutes, and no attempt is counted.
    assert_eq!(ping(&s.app, &harbor, &dead).await, 202);
    let next_attempt = |row: &Value| -> Option<chrono::DateTime<Utc>> {
        row["nextAttemptAt"].as_str()?.parse().ok()
    };
    let held = eventually("the sixth held back", Duration::from_secs(10), || async {
        let sixth = rows().await.first()?.clone();
        (next_attempt(&sixth)? > start + chrono::Duration::minutes(1)).then_some(sixth)
    })
    .await;
    assert_eq!(held["attempts"], 0, "{held}");
    assert_eq!(
        next_attempt(&held),
        Some(start + chrono::Duration::minutes(5)),
        "{held}"
    );
    // After the cool-down the circuit lets an attempt through (at most the organization's
    // share of the worker at once); that one fails too, so the rest are held back again.
    s.tick_after(chrono::Duration::minutes(6)).await;
    let reopened = start + chrono::Duration::minutes(11);
    let tried = eventually("the circuit half open", Duration::from_secs(10), || async {
        let all = rows().await;
        let attempts: i64 = all.iter().map(|r| r["attempts"].as_i64().unwrap()).sum();
        let held = all
            .iter()
            .filter(|r| next_attempt(r) == Some(reopened))
            .count() as i64;
        (attempts > 5 && held + (attempts - 5) == 6).then_some(attempts - 5)
    })
    .await;
    assert!((1..=2).contains(&tried), "{tried} attempts went through");
    s.worker.stop().await;
    s.app.stop().await;
}
