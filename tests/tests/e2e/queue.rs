//! The queue under the jobs: retries with backoff, dead letters and sending them back, and a
//! due backlog far past what apalis-redis's own fetch survives.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant};

use domain::clock::Clock;
use domain::jobs::{Job, Ping};
use entities::dead_job;
use rekindle_tests::{Stores, TestWorker, eventually, skip};
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use worker::JobState;
use worker::jobs::{Failure, Perform};

/// When each run of each flaky job started, by the job's ID.
static RUNS: LazyLock<Mutex<HashMap<Uuid, Vec<Instant>>>> = LazyLock::new(Default::default);

pub(crate) fn runs_of(id: Uuid) -> Vec<Instant> {
    RUNS.lock().unwrap().get(&id).cloned().unwrap_or_default()
}

/// Fails its first `failures` runs, then succeeds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Flaky {
    pub(crate) id: Uuid,
    pub(crate) failures: usize,
}

impl Job for Flaky {
    const QUEUE: &'static str = "test_flaky";
    const MAX_ATTEMPTS: u32 = 3;
}

impl Perform for Flaky {
    async fn perform(&self, _state: &JobState) -> Result<(), Failure> {
        let run = {
            let mut runs = RUNS.lock().unwrap();
            let runs = runs.entry(self.id).or_default();
            runs.push(Instant::now());
            runs.len()
        };
        if run <= self.failures {
            return Err(anyhow::anyhow!("flaky failure {run} of {}", self.failures).into());
        }
        Ok(())
    }
}

pub(crate) async fn flaky_worker(stores: &Stores) -> TestWorker {
    TestWorker::spawn_with(
        stores,
        Clock::system(),
        Box::new(|monitor, queues| queues.register::<Flaky>(monitor)),
    )
    .await
}

/// The failed runs of jobs on `queue` that were retried, in attempt order.
pub(crate) async fn retries_of(
    db: &entities::sea_orm::DatabaseConnection,
    queue: &str,
) -> Vec<entities::job_retry::Model> {
    use entities::job_retry::{Column, Entity};
    use entities::sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    Entity::find()
        .filter(Column::Queue.eq(queue))
        .order_by_asc(Column::Attempt)
        .all(db)
        .await
        .unwrap()
}

#[actix_web::test]
async fn a_failing_job_runs_again_after_growing_pauses_until_it_succeeds() {
    let stores = Stores::fresh().await;
    let worker = flaky_worker(&stores).await;
    let queue = runtime::JobQueue::connect(&rekindle_tests::settings_from(&stores.env()))
        .await
        .unwrap();
    let id = Uuid::new_v4();
    queue.push(Flaky { id, failures: 2 }).await.unwrap();
    let runs = eventually("three runs", Duration::from_secs(60), || async {
        let runs = runs_of(id);
        (runs.len() >= 3).then_some(runs)
    })
    .await;
    // Each failed run was recorded with its retry's due time: the first retry waits between
    // half of 2 s and 2 s, the second between half of 4 s and 4 s (jitter), and each run came
    // no sooner than its wait allows (queues count whole seconds: up to one second early).
    let db = runtime::store::connect_database(&rekindle_tests::settings_from(&stores.env()))
        .await
        .unwrap();
    let retries = retries_of(&db, Flaky::QUEUE).await;
    assert_eq!(
        retries.iter().map(|r| r.attempt).collect::<Vec<_>>(),
        vec![1, 2]
    );
    let waits: Vec<Duration> = retries
        .iter()
        .map(|r| (r.retry_at - r.failed_at).to_std().unwrap())
        .collect();
    assert!(
        (Duration::from_secs(1)..=Duration::from_secs(2)).contains(&waits[0]),
        "{waits:?}"
    );
    assert!(
        (Duration::from_secs(2)..=Duration::from_secs(4)).contains(&waits[1]),
        "{waits:?}"
    );
    let rounding = Duration::from_secs(1);
    assert!(
        runs[1] - runs[0] + rounding >= waits[0],
        "{runs:?} {waits:?}"
    );
    assert!(
        runs[2] - runs[1] + rounding >= waits[1],
        "{runs:?} {waits:?}"
    );
    // It succeeded on its third run: nothing dead, and no fourth run.
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(runs_of(id).len(), 3);
    let db = runtime::store::connect_database(&rekindle_tests::settings_from(&stores.env()))
        .await
        .unwrap();
    assert!(dead_job::waiting(&db).await.unwrap().is_empty());
    let metrics = worker.metrics().await;
    assert!(
        metrics.contains("rekindle_jobs_total{queue=\"test_flaky\",outcome=\"retried\"} 2"),
        "{metrics}"
    );
    worker.stop().await;
}

#[actix_web::test]
async fn a_job_failing_every_attempt_is_kept_dead_and_can_be_sent_back() {
    let stores = Stores::fresh().await;
    let worker = flaky_worker(&stores).await;
    let settings = rekindle_tests::settings_from(&stores.env());
    let queue = runtime::JobQueue::connect(&settings).await.unwrap();
    let db = runtime::store::connect_database(&settings).await.unwrap();
    let id = Uuid::new_v4();
    queue.push(Flaky { id, failures: 3 }).await.unwrap();
    let dead = eventually("the job dead-lettered", Duration::from_secs(60), || async {
        dead_job::waiting(&db).await.unwrap().into_iter().next()
    })
    .await;
    assert_eq!(runs_of(id).len(), 3, "MAX_ATTEMPTS runs, then no more");
    assert_eq!(dead.queue, "test_flaky");
    assert_eq!(dead.attempts, 3);
    assert!(
        dead.last_error.contains("flaky failure 3 of 3"),
        "{}",
        dead.last_error
    );
    assert_eq!(dead.payload["job"]["id"], serde_json::json!(id));

    // Sent back, it runs once more (and now succeeds); sending it back twice does nothing.
    let now = chrono::Utc::now();
    assert!(
        runtime::failures::retry(&db, &queue, dead.id, now)
            .await
            .unwrap()
            .sent()
    );
    assert_eq!(
        runtime::failures::retry(&db, &queue, dead.id, now)
            .await
            .unwrap(),
        runtime::failures::Retry::Settled
    );
    eventually("the fourth run", Duration::from_secs(60), || async {
        (runs_of(id).len() == 4).then_some(())
    })
    .await;
    assert!(dead_job::waiting(&db).await.unwrap().is_empty());
    assert_eq!(
        runtime::failures::retry(&db, &queue, Uuid::new_v4(), now)
            .await
            .unwrap(),
        runtime::failures::Retry::Missing
    );
    worker.stop().await;
}

#[actix_web::test]
#[cfg_attr(
    rekindle_no_redis,
    ignore = "needs TEST_REDIS_URL: the backlog is a Redis queue's"
)]
async fn a_redis_worker_drains_a_due_backlog_of_100000_jobs() {
    const BACKLOG: u64 = 100_000;
    let stores = Stores::fresh().await;
    let Some(redis_url) = stores.redis_url.clone() else {
        skip(
            "a_redis_worker_drains_a_due_backlog_of_100000_jobs",
            "set TEST_REDIS_URL: the backlog is a Redis queue's",
        );
        return;
    };
    let settings = rekindle_tests::settings_from(&stores.env());
    let queue = runtime::JobQueue::connect(&settings).await.unwrap();
    // All due before any worker starts: the first fetch meets the whole backlog, as a worker
    // restarted after an outage would.
    queue
        .push_many((0..BACKLOG).map(|_| Ping {}).collect())
        .await
        .unwrap();
    let scheduled = format!("{}:{}:scheduled", stores.queue_prefix, Ping::QUEUE);
    let mut redis = redis::Client::open(redis_url)
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let due: u64 = redis::cmd("ZCARD")
        .arg(&scheduled)
        .query_async(&mut redis)
        .await
        .unwrap();
    assert_eq!(due, BACKLOG, "the backlog waits in {scheduled}");

    let worker = TestWorker::spawn_on(&stores).await;
    eventually("the backlog drained", Duration::from_secs(300), || async {
        (worker.jobs_done("ping").await >= BACKLOG).then_some(())
    })
    .await;
    let left: u64 = redis::cmd("ZCARD")
        .arg(&scheduled)
        .query_async(&mut redis)
        .await
        .unwrap();
    assert_eq!(left, 0);
    worker.stop().await;
}

#[actix_web::test]
async fn worker_metrics_show_each_queues_depth_by_state() {
    let stores = Stores::fresh().await;
    let settings = rekindle_tests::settings_from(&stores.env());
    let queue = runtime::JobQueue::connect(&settings).await.unwrap();
    let db = runtime::store::connect_database(&settings).await.unwrap();
    runtime::store::migrate(&db).await.unwrap();
    let worker = TestWorker::spawn_on(&stores).await;
    for _ in 0..3 {
        queue
            .push_after(
                domain::jobs::Queued::first(Ping {}),
                Duration::from_secs(3600),
            )
            .await
            .unwrap();
    }
    dead_job::record(
        &db,
        dead_job::NewDeadJob {
            queue: "send_reminders",
            payload: serde_json::json!({ "job": {}, "attempt": 8 }),
            attempts: 8,
            last_error: "the database was away",
        },
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    let text = worker.metrics().await;
    for line in [
        "rekindle_queue_jobs{queue=\"ping\",state=\"scheduled\"} 3",
        "rekindle_queue_jobs{queue=\"ping\",state=\"running\"} 0",
        "rekindle_queue_jobs{queue=\"send_reminders\",state=\"dead_lettered\"} 1",
        "rekindle_queue_jobs{queue=\"send_reminders\",state=\"failed\"} 0",
        "rekindle_queue_jobs{queue=\"plan_reminders\",state=\"waiting\"} 0",
        "# TYPE rekindle_queue_jobs gauge",
    ] {
        assert!(text.contains(line), "{line} missing from\n{text}");
    }
    worker.stop().await;
}

#[actix_web::test]
async fn the_dead_jobs_command_lists_and_sends_back() {
    let stores = Stores::fresh().await;
    let settings = rekindle_tests::settings_from(&stores.env());
    let db = runtime::store::connect_database(&settings).await.unwrap();
    runtime::store::migrate(&db).await.unwrap();
    let dead = dead_job::record(
        &db,
        dead_job::NewDeadJob {
            queue: Ping::QUEUE,
            payload: serde_json::json!({ "job": {}, "attempt": 8 }),
            attempts: 8,
            last_error: "the queue was away",
        },
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_rekindle-worker-under-test"))
            .args(args)
            .envs(stores.env())
            .output()
            .expect("the command runs")
    };
    let listed = run(&["dead-jobs"]);
    assert!(listed.status.success(), "{listed:?}");
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&listed.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["id"], serde_json::json!(dead.id));
    assert_eq!(lines[0]["queue"], "ping");
    assert_eq!(lines[0]["lastError"], "the queue was away");

    let id = dead.id.to_string();
    let retried = run(&["dead-jobs", "retry", &id]);
    assert!(retried.status.success(), "{retried:?}");
    assert!(dead_job::waiting(&db).await.unwrap().is_empty());
    // Back on its queue as a first run: a worker runs it.
    let worker = TestWorker::spawn_on(&stores).await;
    eventually(
        "the job sent back runs",
        Duration::from_secs(30),
        || async { (worker.jobs_done("ping").await >= 1).then_some(()) },
    )
    .await;
    let again = run(&["dead-jobs", "retry", &id]);
    assert!(!again.status.success(), "a second retry is refused");
    let bad = run(&["dead-jobs", "retry", "not-an-id"]);
    assert!(!bad.status.success());
    worker.stop().await;
}
