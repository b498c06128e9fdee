//! Real worker processes on Redis: one killed with SIGKILL in the middle of 1,000 reminders and
//! another started, then Redis taken away mid-run; every reminder goes out, none twice.

use std::time::Duration;

use chrono::{NaiveDate, Utc};
use domain::jobs::SendReminders;
use entities::{notification, reminder};
use rekindle_tests::builders::{add_item, create_plan, pair};
use rekindle_tests::proxy::Proxy;
use rekindle_tests::{
    Options, Stores, TestApp, WorkerProcess, email, eventually, skip, url_target, url_via_port,
    uuid_of,
};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;

const WORKER: &str = env!("CARGO_BIN_EXE_rekindle-worker-under-test");
const REMINDERS: u64 = 1_000;

/// A couple with a daily ritual and `REMINDERS` reminders planned for now (500 days of it,
/// each partner), each with its sending job queued.
async fn queued_reminders(app: &TestApp) {
    let ana = app.register(&email("ana"), "Ana").await;
    let ben = app.register(&email("ben"), "Ben").await;
    pair(app, &ana, &ben).await;
    let plan = create_plan(app, &ana).await;
    let item = add_item(
        app,
        &ana,
        &plan,
        json!({
            "ritualKey": "six_second_kiss", "assignee": "BOTH",
            "schedule": { "cadence": "DAILY", "localTime": "21:00", "timezone": "Europe/London", "startsOn": "2026-01-01" }
        }),
    )
    .await;
    let item = uuid_of(item["id"].as_str().unwrap());
    let now = Utc::now();
    let first = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let mut ids = Vec::new();
    for day in 0..(REMINDERS / 2) {
        for who in [&ana, &ben] {
            let wanted = reminder::Wanted {
                plan_item_id: item,
                occurrence_date: first + chrono::Days::new(day),
                user_id: uuid_of(&who.id),
                due_at: now,
                fire_at: now,
            };
            let row = reminder::plan(&app.db, wanted, now).await.unwrap().unwrap();
            // As stored: PostgreSQL keeps microseconds, and the job names the stored instant.
            ids.push((row.id, row.fire_at));
        }
    }
    // In jobs of 20, as many as there are workers' fetches to interrupt.
    let jobs = ids
        .chunks(20)
        .map(|chunk| SendReminders {
            fire_at: chunk[0].1,
            reminder_ids: chunk.iter().map(|(id, _)| *id).collect(),
        })
        .collect();
    app.queue.push_many(jobs).await.unwrap();
}

/// Reminder notifications stored (the worker's hourly ticks may add others, such as a weekly
/// summary's when a run crosses the top of the hour).
async fn sent(app: &TestApp) -> u64 {
    notification::Entity::find()
        .filter(notification::Column::Kind.eq("ritual_reminder"))
        .count(&app.db)
        .await
        .unwrap()
}

async fn still_scheduled(app: &TestApp) -> u64 {
    reminder::Entity::find()
        .filter(reminder::Column::Status.eq("scheduled"))
        .count(&app.db)
        .await
        .unwrap()
}

async fn app_without_worker(stores: &Stores) -> TestApp {
    TestApp::spawn_on(
        stores,
        Options {
            env: vec![("REKINDLE_EMBEDDED_WORKER".into(), "false".into())],
            ..Options::default()
        },
    )
    .await
}

#[actix_web::test]
#[cfg_attr(
    rekindle_no_redis,
    ignore = "needs TEST_REDIS_URL: the recovery under test is the Redis queue's"
)]
async fn a_worker_killed_mid_run_loses_no_reminder_and_sends_none_twice() {
    let stores = Stores::fresh().await;
    if stores.redis_url.is_none() {
        return skip(
            "a_worker_killed_mid_run_loses_no_reminder_and_sends_none_twice",
            "set TEST_REDIS_URL: the recovery under test is the Redis queue's",
        );
    }
    let app = app_without_worker(&stores).await;
    queued_reminders(&app).await;

    let first = WorkerProcess::spawn(WORKER, &stores, &[]);
    eventually(
        "the first worker under way",
        Duration::from_secs(60),
        || async { (sent(&app).await >= 100).then_some(()) },
    )
    .await;
    first.kill();
    let at_kill = sent(&app).await;
    assert!(at_kill < REMINDERS, "killed in the middle, at {at_kill}");

    // The killed worker's fetched jobs come back once it misses two 5 s heartbeats.
    let second = WorkerProcess::spawn(WORKER, &stores, &[]);
    eventually("every reminder sent", Duration::from_secs(120), || async {
        (sent(&app).await >= REMINDERS).then_some(())
    })
    .await;
    assert_eq!(still_scheduled(&app).await, 0);
    // Jobs that ran but were not acknowledged run again; the reminder's state sends once.
    assert_eq!(sent(&app).await, REMINDERS);
    drop(second);
    app.stop().await;
}

#[actix_web::test]
#[cfg_attr(
    rekindle_no_redis,
    ignore = "needs TEST_REDIS_URL: the outage under test is Redis's"
)]
async fn workers_reconnect_after_redis_goes_away_and_finish() {
    let stores = Stores::fresh().await;
    let Some(redis_url) = stores.redis_url.clone() else {
        return skip(
            "workers_reconnect_after_redis_goes_away_and_finish",
            "set TEST_REDIS_URL: the outage under test is Redis's",
        );
    };
    let app = app_without_worker(&stores).await;
    queued_reminders(&app).await;
    let mut proxy = Proxy::start(url_target(&redis_url, 6379)).await;
    let through_proxy = [("REKINDLE_REDIS_URL", url_via_port(&redis_url, proxy.port))];
    let worker = WorkerProcess::spawn(WORKER, &stores, &through_proxy);
    eventually("the worker under way", Duration::from_secs(60), || async {
        (sent(&app).await >= 100).then_some(())
    })
    .await;
    proxy.cut();
    let during = sent(&app).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    proxy.restore().await;
    eventually(
        "every reminder sent after the outage",
        Duration::from_secs(120),
        || async { (sent(&app).await >= REMINDERS).then_some(()) },
    )
    .await;
    assert!(during < REMINDERS, "the outage came mid-run, at {during}");
    assert_eq!(still_scheduled(&app).await, 0);
    assert_eq!(sent(&app).await, REMINDERS);
    drop(worker);
    app.stop().await;
}
