//! One transaction for a write and everything it must tell: its rows, its changes-feed rows,
//! its webhook deliveries and its jobs (in the outbox) are all kept or none is, whichever
//! statement fails; a process that dies after its commit leaves its jobs to the worker's relay;
//! and a job handed to the queue more than once runs once.

use std::time::Duration;

use entities::outbox;
use rekindle_tests::builders::{grant, pair, plan_with_item};
use rekindle_tests::faults::{allow_inserts, differences, fingerprint, refuse_inserts};
use rekindle_tests::receiver::Receiver;
use rekindle_tests::{
    Account, ApiProcess, Options, Stores, TestApp, TestWorker, email, error_codes, eventually,
    uuid_of,
};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

use crate::webhooks::with_endpoint;

const API: &str = env!("CARGO_BIN_EXE_rekindle-api-under-test");
const COMPLETE: &str = "mutation($id: ID!) { completeRitual(input: { planItemId: $id, closeness: 4 }) { completion { id } } }";
const INBOX: &str = "{ notifications(first: 10) { totalCount } }";

/// The app on fresh stores, no worker running: what a write leaves stays to be looked at.
async fn app_without_worker(extra: &[(&str, &str)]) -> (Stores, TestApp) {
    let stores = Stores::fresh().await;
    let mut env = vec![("REKINDLE_EMBEDDED_WORKER".to_owned(), "false".to_owned())];
    env.extend(
        extra
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    let app = TestApp::spawn_on(
        &stores,
        Options {
            env,
            ..Options::default()
        },
    )
    .await;
    (stores, app)
}

async fn ok(app: &TestApp, who: &Account, query: &str, variables: Value) -> Value {
    let body = app.graphql_as(who.token(), query, variables).await;
    assert!(error_codes(&body).is_empty(), "{body}");
    body
}

async fn inbox_count(app: &TestApp, who: &Account) -> i64 {
    ok(app, who, INBOX, json!({})).await["data"]["notifications"]["totalCount"]
        .as_i64()
        .unwrap()
}

#[actix_web::test]
async fn a_completion_its_change_its_webhook_and_its_jobs_are_kept_together_or_not_at_all() {
    let (_stores, app) = app_without_worker(&[]).await;
    let receiver = Receiver::start(0).await;
    let (org, _, _) = with_endpoint(&app, &receiver.url).await;
    let ana = app.register(&email("ana"), "Ana").await;
    let ben = app.register(&email("ben"), "Ben").await;
    pair(&app, &ana, &ben).await;
    grant(&app, &ana, &org, &["PLANS"]).await;
    grant(&app, &ben, &org, &["PLANS"]).await;
    let (_, item) = plan_with_item(&app, &ana, "BOTH").await;

    // A statement failing at any step of the write: the request fails and nothing of it is
    // left, in any table.
    for table in ["completions", "webhook_deliveries", "outbox", "changes"] {
        refuse_inserts(&app, table).await;
        let before = fingerprint(&app.db).await;
        let body = app
            .graphql_as(ana.token(), COMPLETE, json!({ "id": item }))
            .await;
        assert_eq!(
            error_codes(&body),
            vec!["INTERNAL_SERVER_ERROR"],
            "{table}: {body}"
        );
        let after = fingerprint(&app.db).await;
        assert_eq!(
            differences(&before, &after),
            Vec::<String>::new(),
            "a write failing at {table} left something behind"
        );
        allow_inserts(&app, table).await;
    }

    // Nothing failing: all of it, in one commit.
    let body = ok(&app, &ana, COMPLETE, json!({ "id": item })).await;
    let completion = uuid_of(
        body["data"]["completeRitual"]["completion"]["id"]
            .as_str()
            .unwrap(),
    );
    let change = entities::change::Entity::find()
        .filter(entities::change::Column::ObjectId.eq(completion))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(change, 1, "the completion's change");
    let delivery = entities::webhook::delivery::Entity::find()
        .filter(entities::webhook::delivery::Column::Event.eq("ritual.completed"))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(delivery.len(), 1, "the webhook delivery");
    // Waiting for a worker: the partner's announcement and the delivery (beside the consent's
    // delivery, written when the second grant was).
    let waiting = outbox::Entity::find().all(&app.db).await.unwrap();
    let jobs: Vec<(String, Value)> = waiting
        .iter()
        .map(|row| {
            (
                row.queue.clone(),
                serde_json::from_str(&row.payload).unwrap(),
            )
        })
        .collect();
    assert!(
        jobs.iter()
            .any(|(queue, payload)| queue == "announce_completion"
                && payload["job"]["completion_id"] == json!(completion)),
        "{jobs:?}"
    );
    assert!(
        jobs.iter()
            .any(|(queue, payload)| queue == "deliver_webhook"
                && payload["job"]["delivery_id"] == json!(delivery[0].id)),
        "{jobs:?}"
    );

    // Operators see the outbox waiting, on the admin page's query and on a worker's /metrics.
    let admin = app.create_with_role(&email("operator"), "admin").await;
    let state = ok(
        &app,
        &admin,
        "{ admin { outbox { entries oldestAt } } }",
        json!({}),
    )
    .await;
    assert_eq!(state["data"]["admin"]["outbox"]["entries"], 3, "{state}");
    assert!(state["data"]["admin"]["outbox"]["oldestAt"].is_string());
    let settings = rekindle_tests::settings_from(&_stores.env());
    let (server, port) = worker::http::serve(
        "127.0.0.1:0",
        runtime::Metrics::new(),
        Some(worker::http::Depths {
            queue: runtime::JobQueue::connect(&settings).await.unwrap(),
            db: app.db.clone(),
            clock: domain::clock::Clock::system(),
        }),
    )
    .unwrap();
    let handle = server.handle();
    tokio::spawn(server);
    let mut res = awc::Client::new()
        .get(format!("http://127.0.0.1:{port}/metrics"))
        .send()
        .await
        .unwrap();
    let text = String::from_utf8(res.body().await.unwrap().to_vec()).unwrap();
    assert!(text.contains("\nrekindle_outbox_entries 3\n"), "{text}");
    assert!(
        text.contains("rekindle_outbox_oldest_age_seconds "),
        "{text}"
    );
    handle.stop(true).await;
    app.stop().await;
}

#[actix_web::test]
async fn a_write_whose_process_dies_after_the_commit_is_told_by_the_relay() {
    let (stores, app) = app_without_worker(&[]).await;
    let ana = app.register(&email("ana"), "Ana").await;
    let ben = app.register(&email("ben"), "Ben").await;
    pair(&app, &ana, &ben).await;
    let (_, item) = plan_with_item(&app, &ana, "BOTH").await;

    // An api that exits right after its next commit, before handing anything to the queue.
    let mut doomed =
        ApiProcess::start(API, &stores, &[("REKINDLE_FAULT", "exit-after-commit")]).await;
    let answered = doomed
        .client
        .post(format!("{}/graphql", doomed.base))
        .bearer_auth(&ana.access_token)
        .send_json(&json!({ "query": COMPLETE, "variables": { "id": item } }))
        .await;
    assert!(answered.is_err(), "the process died before answering");
    let status = eventually("the api exits", Duration::from_secs(30), || {
        let exited = doomed.child.try_wait().unwrap();
        async move { exited }
    })
    .await;
    assert_eq!(status.code(), Some(86));

    // The write stands, its job waits in the outbox never handed over, and nobody was told.
    let waiting = outbox::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(waiting.len(), 1, "{waiting:?}");
    assert_eq!(waiting[0].queue, "announce_completion");
    assert!(waiting[0].handed_at.is_none());
    assert_eq!(inbox_count(&app, &ben).await, 0);

    // A worker's relay hands it over within seconds, and the partner is told.
    let worker = TestWorker::spawn_on(&stores).await;
    eventually("Ben told", Duration::from_secs(30), || async {
        (inbox_count(&app, &ben).await == 1).then_some(())
    })
    .await;
    eventually("the outbox emptied", Duration::from_secs(30), || async {
        (outbox::depth(&app.db).await.unwrap().entries == 0).then_some(())
    })
    .await;
    worker.stop().await;
    app.stop().await;
}

#[actix_web::test]
async fn a_job_handed_over_three_times_runs_once() {
    // Writes hand nothing over: the test hands the job over itself, three times (and the relay
    // may add a copy of its own).
    let (stores, app) = app_without_worker(&[("REKINDLE_FAULT", "skip-hand-off")]).await;
    let ana = app.register(&email("ana"), "Ana").await;
    let ben = app.register(&email("ben"), "Ben").await;
    pair(&app, &ana, &ben).await;
    let (_, item) = plan_with_item(&app, &ana, "BOTH").await;
    ok(&app, &ana, COMPLETE, json!({ "id": item })).await;
    let waiting = outbox::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(waiting.len(), 1, "{waiting:?}");
    let row = &waiting[0];
    let payload: Value = serde_json::from_str(&row.payload).unwrap();
    let queue = runtime::JobQueue::connect(&rekindle_tests::settings_from(&stores.env()))
        .await
        .unwrap();
    for _ in 0..3 {
        queue
            .push_stored(&row.queue, vec![(payload.clone(), Duration::ZERO)])
            .await
            .unwrap();
    }
    let worker = TestWorker::spawn_on(&stores).await;
    eventually("Ben told", Duration::from_secs(30), || async {
        (inbox_count(&app, &ben).await == 1).then_some(())
    })
    .await;
    eventually("the outbox emptied", Duration::from_secs(30), || async {
        (outbox::depth(&app.db).await.unwrap().entries == 0).then_some(())
    })
    .await;
    // Every copy taken from the queue (the relay's too, once it had handed it over).
    eventually("every copy taken", Duration::from_secs(30), || async {
        let depths = queue.depths(&[&row.queue]).await.unwrap();
        let d = &depths[0];
        (d.waiting + d.scheduled + d.running == 0).then_some(())
    })
    .await;
    assert_eq!(
        worker.jobs_done("announce_completion").await,
        1,
        "three copies, one run"
    );
    worker.stop().await;
    app.stop().await;
}
