//! Operators' API: aggregates, queues, failed jobs retried for real, and workers (accounts and
//! the audit log are in `admin_accounts.rs`).

use std::time::Duration;

use domain::jobs::{Job, Ping};
use rekindle_tests::builders::{pair, plan_with_item};
use rekindle_tests::{Account, Stores, TestApp, email, error_codes, eventually, global_id};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::queue::{Flaky, flaky_worker, retries_of, runs_of};

pub(crate) async fn admin_of(app: &TestApp) -> Account {
    app.create_with_role(&email("op"), "admin").await
}

pub(crate) async fn as_admin(
    app: &TestApp,
    admin: &Account,
    query: &str,
    variables: Value,
) -> Value {
    let body = app.graphql_as(admin.token(), query, variables).await;
    assert!(error_codes(&body).is_empty(), "{body}");
    body
}

#[actix_web::test]
async fn stats_count_accounts_couples_plans_and_completions_per_day() {
    let app = TestApp::spawn().await;
    let admin = admin_of(&app).await;
    let (ana, ben) = (
        app.register(&email("ana"), "Ana").await,
        app.register(&email("ben"), "Ben").await,
    );
    app.register(&email("cat"), "Cat").await;
    pair(&app, &ana, &ben).await;
    let (_, item) = plan_with_item(&app, &ana, "EITHER").await;
    let done = app
        .graphql_as(
            ana.token(),
            "mutation($id: ID!) { completeRitual(input: { planItemId: $id, closeness: 5 }) { completion { occurrence } } }",
            json!({ "id": item }),
        )
        .await;
    let occurrence = done["data"]["completeRitual"]["completion"]["occurrence"]
        .as_str()
        .unwrap_or_else(|| panic!("{done}"))
        .to_owned();

    let talk = app
        .graphql_as(
            ana.token(),
            "mutation { startCoachConversation(input: { text: \"He hit me again\" }) { reply { id } } }",
            json!({}),
        )
        .await;
    assert!(talk["errors"].is_null(), "{talk}");

    let body = as_admin(
        &app,
        &admin,
        "{ admin { stats(days: 7) { users disabledUsers activeCouples activePlans completionsPerDay { date count } coach { memberMessages modelReplies fallbacks safetyStops tokens } } } }",
        json!({}),
    )
    .await;
    let stats = &body["data"]["admin"]["stats"];
    assert_eq!(stats["users"], 4, "three members and the operator");
    assert_eq!(stats["disabledUsers"], 0);
    assert_eq!(
        stats["coach"],
        json!({ "memberMessages": 1, "modelReplies": 0, "fallbacks": 0, "safetyStops": 1, "tokens": 0 }),
        "counts only"
    );
    assert_eq!(stats["activeCouples"], 1);
    assert_eq!(stats["activePlans"], 1);
    let days = stats["completionsPerDay"].as_array().unwrap();
    assert_eq!(days.len(), 7, "one entry per day, empty days included");
    let today = chrono::Utc::now().date_naive();
    assert_eq!(days[6]["date"], today.to_string());
    assert_eq!(days[0]["date"], (today - chrono::Days::new(6)).to_string());
    let total: u64 = days.iter().map(|d| d["count"].as_u64().unwrap()).sum();
    assert_eq!(total, 1);
    let logged = days.iter().find(|d| d["count"] == 1).unwrap();
    assert_eq!(logged["date"], occurrence.as_str());

    let bad = app
        .graphql_as(
            admin.token(),
            "{ admin { stats(days: 0) { users } } }",
            json!({}),
        )
        .await;
    assert_eq!(error_codes(&bad), vec!["BAD_USER_INPUT"], "{bad}");
    app.stop().await;
}

#[actix_web::test]
async fn queues_show_waiting_scheduled_failed_and_dead_lettered_jobs() {
    let stores = Stores::fresh().await;
    let start = chrono::Utc::now();
    let app = TestApp::spawn_driven(&stores, start, &[]).await;
    let admin = admin_of(&app).await;
    app.queue.push(Ping {}).await.unwrap();
    app.queue
        .push_after(
            domain::jobs::Queued::first(Ping {}),
            Duration::from_secs(3600),
        )
        .await
        .unwrap();
    // A failed run whose retry is due in a minute, one whose retry was due long ago.
    for (minutes, attempt) in [(1, 2), (-90, 1)] {
        entities::job_retry::record(
            &app.db,
            "deliver_webhook",
            attempt,
            "connection refused",
            start,
            start + chrono::Duration::minutes(minutes),
        )
        .await
        .unwrap();
    }
    entities::dead_job::record(
        &app.db,
        entities::dead_job::NewDeadJob {
            queue: "deliver_webhook",
            payload: json!({ "job": { "delivery_id": Uuid::new_v4() }, "attempt": 8 }),
            attempts: 8,
            last_error: "HTTP 500",
        },
        start,
    )
    .await
    .unwrap();

    let body = as_admin(
        &app,
        &admin,
        "{ admin { queues { name waiting scheduled running failed deadLettered } } }",
        json!({}),
    )
    .await;
    let queues = body["data"]["admin"]["queues"].as_array().unwrap();
    assert_eq!(
        queues.len(),
        domain::jobs::QUEUES.len(),
        "every queue listed"
    );
    let queue = |name: &str| {
        queues
            .iter()
            .find(|q| q["name"] == name)
            .unwrap_or_else(|| panic!("{name} in {body}"))
            .clone()
    };
    let ping = queue(Ping::QUEUE);
    assert_eq!(
        (&ping["waiting"], &ping["scheduled"], &ping["running"]),
        (&json!(1), &json!(1), &json!(0))
    );
    let webhooks = queue(domain::jobs::DeliverWebhook::QUEUE);
    assert_eq!(webhooks["failed"], 1, "only the retry not yet due");
    assert_eq!(webhooks["deadLettered"], 1);
    assert_eq!(ping["failed"], 0);

    // Once its retry is due, the job is no longer counted as failed.
    app.advance(chrono::Duration::minutes(2));
    let body = as_admin(
        &app,
        &admin,
        "{ admin { queues { name failed } } }",
        json!({}),
    )
    .await;
    let webhooks = body["data"]["admin"]["queues"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["name"] == "deliver_webhook")
        .unwrap()
        .clone();
    assert_eq!(webhooks["failed"], 0);
    app.stop().await;
}

async fn failed_jobs(app: &TestApp, admin: &Account) -> Value {
    app.graphql_as(
        admin.token(),
        "{ admin { failedJobs { totalCount edges { node { id queue attempts lastError payload } } } } }",
        json!({}),
    )
    .await
}

#[actix_web::test]
async fn an_operator_retries_a_dead_job_and_it_really_runs_again() {
    let stores = Stores::fresh().await;
    let worker = flaky_worker(&stores).await;
    let app = TestApp::spawn_driven(&stores, chrono::Utc::now(), &[]).await;
    let admin = admin_of(&app).await;
    let id = Uuid::new_v4();
    app.queue.push(Flaky { id, failures: 3 }).await.unwrap();
    let job = eventually("the job dead-lettered", Duration::from_secs(60), || async {
        let body = failed_jobs(&app, &admin).await;
        body["data"]["admin"]["failedJobs"]["edges"][0]["node"]
            .as_object()
            .cloned()
    })
    .await;
    assert_eq!(job["queue"], Flaky::QUEUE);
    assert_eq!(job["attempts"], 3);
    assert!(
        job["lastError"]
            .as_str()
            .unwrap()
            .contains("flaky failure 3 of 3")
    );
    assert_eq!(job["payload"]["job"]["id"], json!(id));
    assert_eq!(runs_of(id).len(), 3);
    // The two runs that failed and were retried by themselves were kept for operators.
    let retries: Vec<i32> = retries_of(&app.db, Flaky::QUEUE)
        .await
        .into_iter()
        .map(|row| row.attempt)
        .collect();
    assert_eq!(retries, vec![1, 2]);

    let retry = "mutation($id: ID!) { retryFailedJob(input: { failedJobId: $id }) { failedJob { id retriedAt } } }";
    let body = as_admin(&app, &admin, retry, json!({ "id": job["id"] })).await;
    assert!(body["data"]["retryFailedJob"]["failedJob"]["retriedAt"].is_string());
    eventually("the fourth run", Duration::from_secs(60), || async {
        (runs_of(id).len() == 4).then_some(())
    })
    .await;
    let body = failed_jobs(&app, &admin).await;
    assert_eq!(body["data"]["admin"]["failedJobs"]["totalCount"], 0);
    let again = app
        .graphql_as(admin.token(), retry, json!({ "id": job["id"] }))
        .await;
    assert_eq!(error_codes(&again), vec!["CONFLICT"], "{again}");
    let discard =
        "mutation($id: ID!) { discardFailedJob(input: { failedJobId: $id }) { failedJob { id } } }";
    let late = app
        .graphql_as(admin.token(), discard, json!({ "id": job["id"] }))
        .await;
    assert_eq!(error_codes(&late), vec!["CONFLICT"], "{late}");
    let missing = app
        .graphql_as(
            admin.token(),
            retry,
            json!({ "id": global_id("FailedJob", Uuid::new_v4()) }),
        )
        .await;
    assert_eq!(error_codes(&missing), vec!["NOT_FOUND"], "{missing}");

    let log = as_admin(
        &app,
        &admin,
        "query($t: ID!) { admin { auditLog(targetId: $t) { edges { node { action actorId targetKind } } } } }",
        json!({ "t": job["id"] }),
    )
    .await;
    let entries = &log["data"]["admin"]["auditLog"]["edges"];
    assert_eq!(entries.as_array().unwrap().len(), 1, "{log}");
    assert_eq!(entries[0]["node"]["action"], "failed_job.retry");
    assert_eq!(entries[0]["node"]["actorId"], admin.id.as_str());
    assert_eq!(entries[0]["node"]["targetKind"], "failed_job");
    worker.stop().await;
    app.stop().await;
}

#[actix_web::test]
async fn a_discarded_job_leaves_the_list_and_never_runs() {
    let app = TestApp::spawn().await;
    let admin = admin_of(&app).await;
    let dead = entities::dead_job::record(
        &app.db,
        entities::dead_job::NewDeadJob {
            queue: Ping::QUEUE,
            payload: json!({ "job": {}, "attempt": 8 }),
            attempts: 8,
            last_error: "gave up",
        },
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    let id = global_id("FailedJob", dead.id);
    let body = as_admin(
        &app,
        &admin,
        "mutation($id: ID!) { discardFailedJob(input: { failedJobId: $id }) { failedJob { discardedAt retriedAt } } }",
        json!({ "id": id }),
    )
    .await;
    let job = &body["data"]["discardFailedJob"]["failedJob"];
    assert!(
        job["discardedAt"].is_string() && job["retriedAt"].is_null(),
        "{body}"
    );
    let list = as_admin(
        &app,
        &admin,
        "{ admin { failedJobs { totalCount } queues { name deadLettered } } }",
        json!({}),
    )
    .await;
    assert_eq!(list["data"]["admin"]["failedJobs"]["totalCount"], 0);
    let retry = app
        .graphql_as(
            admin.token(),
            "mutation($id: ID!) { retryFailedJob(input: { failedJobId: $id }) { failedJob { id } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(error_codes(&retry), vec!["CONFLICT"], "{retry}");
    let depth = app.queue.depths(&[Ping::QUEUE]).await.unwrap();
    assert_eq!(
        depth[0].waiting + depth[0].scheduled,
        0,
        "nothing was queued"
    );
    app.stop().await;
}

#[actix_web::test]
async fn workers_alive_are_told_from_those_gone_silent() {
    let app = TestApp::spawn_driven(&Stores::fresh().await, chrono::Utc::now(), &[]).await;
    let admin = admin_of(&app).await;
    let now = app.now();
    for (host, seen) in [
        ("fresh", now),
        ("silent", now - chrono::Duration::minutes(10)),
    ] {
        entities::worker_heartbeat::beat(
            &app.db,
            &entities::worker_heartbeat::Model {
                worker_id: Uuid::now_v7(),
                host: host.to_owned(),
                version: "test".to_owned(),
                started_at: now - chrono::Duration::hours(1),
                last_seen_at: seen,
            },
        )
        .await
        .unwrap();
    }
    let body = as_admin(
        &app,
        &admin,
        "{ admin { workers { host alive lastSeenAt } } }",
        json!({}),
    )
    .await;
    let workers = body["data"]["admin"]["workers"].as_array().unwrap();
    assert_eq!(workers.len(), 2);
    assert_eq!(
        (&workers[0]["host"], &workers[0]["alive"]),
        (&json!("fresh"), &json!(true))
    );
    assert_eq!(
        (&workers[1]["host"], &workers[1]["alive"]),
        (&json!("silent"), &json!(false))
    );
    app.stop().await;
}

#[actix_web::test]
async fn queues_show_the_runs_of_the_last_hour_from_every_worker() {
    let stores = Stores::fresh().await;
    let app = TestApp::spawn_driven(&stores, chrono::Utc::now(), &[]).await;
    let clock = domain::clock::Clock::system();
    let beat = [("REKINDLE_WORKER_HEARTBEAT_SECS".to_owned(), "1".to_owned())];
    let workers = [
        rekindle_tests::TestWorker::spawn_configured(&stores, clock.clone(), &beat).await,
        rekindle_tests::TestWorker::spawn_configured(&stores, clock, &beat).await,
    ];
    for _ in 0..5 {
        app.queue
            .push(domain::jobs::PruneSyncData { at: app.now() })
            .await
            .unwrap();
    }
    let admin = admin_of(&app).await;
    let queue = domain::jobs::PruneSyncData::QUEUE;
    let found = eventually("five runs counted", Duration::from_secs(60), || async {
        let body = as_admin(
            &app,
            &admin,
            "{ admin { queues { name doneLastHour failedLastHour } } }",
            json!({}),
        )
        .await;
        let row = body["data"]["admin"]["queues"]
            .as_array()?
            .iter()
            .find(|q| q["name"] == queue)?
            .clone();
        (row["doneLastHour"] == 5).then_some(row)
    })
    .await;
    assert_eq!(found["failedLastHour"], 0);
    for worker in workers {
        worker.stop().await;
    }
    app.stop().await;
}
