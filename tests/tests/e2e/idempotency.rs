//! Retrying a mutation with its `Idempotency-Key`: the first request runs, a retry gets the
//! same answer without running again (on one api instance or another), the same key with a
//! different request is refused, keys are per account, answers are stored sealed, and expired
//! keys are pruned by the worker. (The authorization matrix retries every mutation.)

use std::time::Duration;

use futures_util::SinkExt;
use rekindle_tests::builders::{ADD_ITEM, couple, create_couple, create_plan};
use rekindle_tests::stores::Stores;
use rekindle_tests::{Account, TestApp, TestWorker, error_codes, eventually};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{Value, json};

use crate::subscriptions::{connect_as, next_json, send};

const ITEMS: &str = "{ me { couple { activePlan { items { id } } } } }";

fn add_item_input(plan: &str) -> Value {
    json!({ "input": {
        "planId": plan, "ritualKey": "six_second_kiss", "assignee": "EITHER",
        "schedule": { "cadence": "DAILY", "localTime": "21:00", "timezone": "Europe/London" }
    }})
}

async fn item_count(app: &TestApp, who: &Account) -> usize {
    let body = app.graphql_as(who.token(), ITEMS, json!({})).await;
    body["data"]["me"]["couple"]["activePlan"]["items"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .len()
}

/// Ana, paired with Ben, and the ID of their plan.
async fn member_with_plan(app: &TestApp) -> (Account, String) {
    let (ana, _) = couple(app).await;
    let plan = create_plan(app, &ana).await;
    (ana, plan)
}

pub(crate) fn replayed(body: &Value) -> bool {
    body["extensions"]["idempotency"]["replayed"] == true
}

pub(crate) fn new_key() -> String {
    uuid::Uuid::new_v4().to_string()
}

pub(crate) async fn stored_keys(app: &TestApp) -> u64 {
    entities::idempotency_key::Entity::find()
        .count(&app.db)
        .await
        .unwrap()
}

#[actix_web::test]
async fn a_retried_mutation_runs_once_and_answers_the_same() {
    let app = TestApp::spawn().await;
    let (ana, plan) = member_with_plan(&app).await;
    let key = new_key();
    let first = app
        .graphql_keyed(ana.token(), &key, ADD_ITEM, add_item_input(&plan))
        .await;
    assert!(error_codes(&first).is_empty(), "{first}");
    assert!(!replayed(&first), "{first}");
    for _ in 0..3 {
        let again = app
            .graphql_keyed(ana.token(), &key, ADD_ITEM, add_item_input(&plan))
            .await;
        assert!(replayed(&again), "{again}");
        assert_eq!(again["data"], first["data"]);
    }
    assert_eq!(
        item_count(&app, &ana).await,
        1,
        "one item, however many retries"
    );

    // A new key is a new request; no key at all runs every time.
    let other = app
        .graphql_keyed(ana.token(), &new_key(), ADD_ITEM, add_item_input(&plan))
        .await;
    assert!(!replayed(&other));
    assert_ne!(other["data"], first["data"]);
    app.graphql_as(ana.token(), ADD_ITEM, add_item_input(&plan))
        .await;
    assert_eq!(item_count(&app, &ana).await, 3);
    app.stop().await;
}

#[actix_web::test]
async fn a_key_reused_with_a_different_request_is_refused() {
    let app = TestApp::spawn().await;
    let (ana, plan) = member_with_plan(&app).await;
    let key = new_key();
    app.graphql_keyed(ana.token(), &key, ADD_ITEM, add_item_input(&plan))
        .await;
    let mut changed = add_item_input(&plan);
    changed["input"]["ritualKey"] = json!("morning_gratitude");
    let refused = app
        .graphql_keyed(ana.token(), &key, ADD_ITEM, changed)
        .await;
    assert_eq!(error_codes(&refused), ["BAD_USER_INPUT"], "{refused}");
    assert!(
        refused["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("different request"),
        "{refused}"
    );
    assert_eq!(
        item_count(&app, &ana).await,
        1,
        "the refused request ran nothing"
    );
    app.stop().await;
}

#[actix_web::test]
async fn keys_are_per_account_and_answers_never_cross() {
    let app = TestApp::spawn().await;
    let (ana, ben) = couple(&app).await;
    let key = new_key();
    let rename = "mutation { updateProfile(input: { displayName: \"Sam\" }) { user { id } } }";
    let anas = app
        .graphql_keyed(ana.token(), &key, rename, json!({}))
        .await;
    assert_eq!(anas["data"]["updateProfile"]["user"]["id"], ana.id.as_str());
    // Ben (same couple, same key, same request) gets a run of his own, not Ana's answer.
    let bens = app
        .graphql_keyed(ben.token(), &key, rename, json!({}))
        .await;
    assert!(!replayed(&bens), "{bens}");
    assert_eq!(
        bens["data"]["updateProfile"]["user"]["id"],
        ben.id.as_str(),
        "{bens}"
    );
    let anonymous = app.graphql_keyed(None, &key, rename, json!({})).await;
    assert_eq!(error_codes(&anonymous), ["UNAUTHENTICATED"], "{anonymous}");
    assert!(!replayed(&anonymous));
    app.stop().await;
}

#[actix_web::test]
async fn concurrent_duplicates_run_once() {
    let app = TestApp::spawn().await;
    let (ana, plan) = member_with_plan(&app).await;
    let key = new_key();
    let attempts =
        (0..8).map(|_| app.graphql_keyed(ana.token(), &key, ADD_ITEM, add_item_input(&plan)));
    let answers = futures_util::future::join_all(attempts).await;
    let ran: Vec<&Value> = answers.iter().filter(|a| !replayed(a)).collect();
    assert_eq!(ran.len(), 1, "exactly one attempt ran: {answers:?}");
    for answer in &answers {
        assert!(error_codes(answer).is_empty(), "{answer}");
        assert_eq!(answer["data"], ran[0]["data"]);
    }
    assert_eq!(item_count(&app, &ana).await, 1);
    app.stop().await;
}

#[actix_web::test]
async fn two_api_instances_share_the_keys() {
    let stores = Stores::fresh().await;
    let one = TestApp::spawn_on(&stores, Default::default()).await;
    let two = TestApp::spawn_on(&stores, Default::default()).await;
    let (ana, _) = couple(&one).await;
    let plan = create_plan(&one, &ana).await;

    let key = new_key();
    let first = one
        .graphql_keyed(ana.token(), &key, ADD_ITEM, add_item_input(&plan))
        .await;
    let again = two
        .graphql_keyed(ana.token(), &key, ADD_ITEM, add_item_input(&plan))
        .await;
    assert!(!replayed(&first) && replayed(&again), "{first} {again}");
    assert_eq!(again["data"], first["data"]);

    // Both instances at once, several times each.
    let key = new_key();
    let attempts = (0..6).map(|i| {
        let app = if i % 2 == 0 { &one } else { &two };
        app.graphql_keyed(ana.token(), &key, ADD_ITEM, add_item_input(&plan))
    });
    let answers = futures_util::future::join_all(attempts).await;
    assert_eq!(
        answers.iter().filter(|a| !replayed(a)).count(),
        1,
        "{answers:?}"
    );
    assert!(answers.iter().all(|a| a["data"] == answers[0]["data"]));
    assert_eq!(item_count(&one, &ana).await, 2);
    two.stop().await;
    one.stop().await;
}

#[actix_web::test]
async fn over_a_websocket_the_key_rides_in_the_extensions() {
    let app = TestApp::spawn().await;
    let (ana, plan) = member_with_plan(&app).await;
    let key = new_key();
    let mut socket = connect_as(&app, ana.token()).await;
    let mut answers = Vec::new();
    for id in ["1", "2"] {
        let payload = json!({
            "query": ADD_ITEM,
            "variables": add_item_input(&plan),
            "extensions": { "idempotencyKey": key },
        });
        socket
            .send(send(
                json!({ "id": id, "type": "subscribe", "payload": payload }),
            ))
            .await
            .unwrap();
        let message = next_json(&mut socket).await;
        assert_eq!(message["type"], "next", "{message}");
        answers.push(message["payload"].clone());
        let done = next_json(&mut socket).await;
        assert_eq!(done["type"], "complete", "{done}");
    }
    assert!(
        !replayed(&answers[0]) && replayed(&answers[1]),
        "{answers:?}"
    );
    assert_eq!(answers[0]["data"], answers[1]["data"]);
    // The same key over HTTP is the same attempt.
    let http = app
        .graphql_keyed(ana.token(), &key, ADD_ITEM, add_item_input(&plan))
        .await;
    assert!(replayed(&http), "{http}");
    assert_eq!(item_count(&app, &ana).await, 1);
    app.stop().await;
}

#[actix_web::test]
async fn queries_ignore_keys_and_bad_keys_are_refused() {
    let app = TestApp::spawn().await;
    let (ana, _) = couple(&app).await;
    let query = app
        .graphql_keyed(ana.token(), &new_key(), "{ me { id } }", json!({}))
        .await;
    assert!(error_codes(&query).is_empty(), "{query}");
    assert!(query["extensions"]["idempotency"].is_null(), "{query}");
    assert_eq!(stored_keys(&app).await, 0, "a query claims no key");

    let mutation = "mutation { updateProfile(input: { displayName: \"Sam\" }) { user { id } } }";
    let long = "k".repeat(256);
    for bad in ["two words", long.as_str()] {
        let refused = app
            .graphql_keyed(ana.token(), bad, mutation, json!({}))
            .await;
        assert_eq!(error_codes(&refused), ["BAD_USER_INPUT"], "{refused}");
    }
    // A batch holds several operations: one key cannot name them.
    let batch = json!([{ "query": mutation }, { "query": mutation }]).to_string();
    let bearer = format!("Bearer {}", ana.access_token);
    let (status, _, body) = app
        .post_with(
            "/graphql",
            &[
                ("content-type", "application/json"),
                ("idempotency-key", &new_key()),
                ("authorization", &bearer),
            ],
            &batch,
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("BAD_USER_INPUT"), "{body}");
    app.stop().await;
}

#[actix_web::test]
async fn stored_answers_are_sealed_and_the_key_is_not_kept() {
    let app = TestApp::spawn().await;
    let ana = app.register(&rekindle_tests::email("ana"), "Ana").await;
    let (couple_id, _) = create_couple(&app, &ana).await;
    let key = new_key();
    let made = app
        .graphql_keyed(
            ana.token(),
            &key,
            "mutation($id: ID!) { createInvite(input: { coupleId: $id }) { invite { code } } }",
            json!({ "id": couple_id }),
        )
        .await;
    let code = made["data"]["createInvite"]["invite"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("{made}"));
    let rows = entities::idempotency_key::Entity::find()
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    let row = format!("{:?}", rows[0]);
    assert!(
        !row.contains(code),
        "the invite code is not readable in {row}"
    );
    assert!(!row.contains(&key), "the key is not stored: {row}");
    assert!(rows[0].answer.is_some(), "an answer is kept");
    app.stop().await;
}

#[actix_web::test]
async fn an_expired_key_is_forgotten_and_pruned_by_the_worker() {
    let stores = Stores::fresh().await;
    let app = TestApp::spawn_driven(&stores, rekindle_tests::wednesday_noon(), &[]).await;
    let (ana, plan) = member_with_plan(&app).await;
    let key = new_key();
    app.graphql_keyed(ana.token(), &key, ADD_ITEM, add_item_input(&plan))
        .await;
    app.advance(chrono::Duration::hours(23));
    // Access tokens do not last a day: the same account signs in again.
    let ana = app.login(&ana.email, &ana.password).await;
    let within = app
        .graphql_keyed(ana.token(), &key, ADD_ITEM, add_item_input(&plan))
        .await;
    assert!(replayed(&within), "a day has not passed: {within}");

    // Past a day the key is forgotten: the same key runs the request again.
    app.advance(chrono::Duration::hours(2));
    let ana = app.login(&ana.email, &ana.password).await;
    let after = app
        .graphql_keyed(ana.token(), &key, ADD_ITEM, add_item_input(&plan))
        .await;
    assert!(!replayed(&after), "{after}");
    assert_eq!(item_count(&app, &ana).await, 2);

    // Another key, left to expire, is pruned by the worker's job.
    app.graphql_keyed(ana.token(), &new_key(), ADD_ITEM, add_item_input(&plan))
        .await;
    assert_eq!(stored_keys(&app).await, 2);
    let worker = TestWorker::spawn_on(&stores).await;
    app.queue
        .push(domain::jobs::PruneSyncData {
            at: app.now() + chrono::Duration::hours(25),
        })
        .await
        .unwrap();
    eventually("expired keys pruned", Duration::from_secs(60), || async {
        (stored_keys(&app).await == 0).then_some(())
    })
    .await;
    worker.stop().await;
    app.stop().await;
}

/// Puts every stored key back in the state of an attempt still running until `locked_until`.
async fn mark_running(app: &TestApp, locked_until: chrono::DateTime<chrono::Utc>) {
    use entities::idempotency_key::{Column, Entity};
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, QueryFilter};
    Entity::update_many()
        .col_expr(Column::Status, Expr::value("running"))
        .col_expr(Column::Answer, Expr::value(Option::<String>::None))
        .col_expr(Column::LockedUntil, Expr::value(locked_until))
        .filter(Column::Owner.ne(""))
        .exec(&app.db)
        .await
        .unwrap();
}

#[actix_web::test]
async fn a_retry_while_the_first_still_runs_waits_then_answers_conflict_with_a_hint() {
    let app = TestApp::spawn_with(&[("REKINDLE_GRAPHQL_TIMEOUT_MS", "1000")]).await;
    let (ana, plan) = member_with_plan(&app).await;
    let key = new_key();
    app.graphql_keyed(ana.token(), &key, ADD_ITEM, add_item_input(&plan))
        .await;
    // As if the first attempt were still running on another instance.
    mark_running(&app, chrono::Utc::now() + chrono::Duration::minutes(5)).await;
    let started = std::time::Instant::now();
    let busy = app
        .graphql_keyed(ana.token(), &key, ADD_ITEM, add_item_input(&plan))
        .await;
    assert_eq!(error_codes(&busy), ["CONFLICT"], "{busy}");
    assert_eq!(busy["errors"][0]["extensions"]["retryAfter"], 1, "{busy}");
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "it waited for the first attempt up to the time limit"
    );
    assert_eq!(item_count(&app, &ana).await, 1, "the retry ran nothing");

    // An attempt whose process died holds its key only until its lock lapses: then the
    // retry runs.
    mark_running(&app, chrono::Utc::now() - chrono::Duration::seconds(1)).await;
    let taken_over = app
        .graphql_keyed(ana.token(), &key, ADD_ITEM, add_item_input(&plan))
        .await;
    assert!(error_codes(&taken_over).is_empty(), "{taken_over}");
    assert!(!replayed(&taken_over), "{taken_over}");
    assert_eq!(item_count(&app, &ana).await, 2);
    let again = app
        .graphql_keyed(ana.token(), &key, ADD_ITEM, add_item_input(&plan))
        .await;
    assert!(
        replayed(&again) && again["data"] == taken_over["data"],
        "{again}"
    );
    app.stop().await;
}
