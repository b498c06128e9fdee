//! The worker's benchmarks (run by `bench/jobs.sh`, never in CI). Each prints its figures.
//!
//! `jobs noop N`       N no-op jobs due at once through Redis, one worker process: jobs/s
//! `jobs reminders N`  N members due a reminder now: planner, queue and notification rows, per s
//! `jobs lateness N`   N reminders falling due in the same second: sent minus due, p50/p99/max
//! `jobs summaries N`  N couples whose week just ended: seconds until every summary is stored
//!
//! Settings come from the environment as for `rekindle-worker` (`REKINDLE_DATABASE_URL` of an
//! empty PostgreSQL database, `REKINDLE_REDIS_URL`, `REKINDLE_QUEUE_PREFIX`,
//! `REKINDLE_WORKER_CONCURRENCY`); the seeding uses PostgreSQL's `generate_series`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use common::{count, rekindle_worker_jobs_done, seed, start_worker, wait_for};
use domain::clock::Clock;
use domain::jobs::{Ping, PlanReminders, PlanWeeklySummaries, Queued, SendReminders};
use runtime::{JobQueue, Settings, store};
use sea_orm::{ConnectionTrait, DatabaseConnection};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let n: u64 = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(100_000);
    let settings = Settings::from_env()?;
    let db = store::connect_database(&settings).await?;
    store::migrate(&db).await?;
    let queue = JobQueue::connect(&settings).await?;
    match args.first().map(String::as_str) {
        Some("noop") => noop(&settings, db, queue, n).await,
        Some("reminders") => reminders(&settings, db, queue, n).await,
        Some("lateness") => lateness(&settings, db, queue, n).await,
        Some("summaries") => summaries(&settings, db, queue, n).await,
        _ => anyhow::bail!("usage: jobs noop|reminders|lateness|summaries [N]"),
    }
}

async fn noop(
    settings: &Settings,
    db: DatabaseConnection,
    queue: JobQueue,
    n: u64,
) -> anyhow::Result<()> {
    let pushed = Instant::now();
    queue.push_many((0..n).map(|_| Ping {}).collect()).await?;
    let push_secs = pushed.elapsed().as_secs_f64();
    let worker = start_worker(settings, db, queue).await;
    let started = Instant::now();
    wait_for("the no-op backlog", Duration::from_secs(600), async || {
        rekindle_worker_jobs_done(&worker.metrics, "ping") >= n
    })
    .await;
    let secs = started.elapsed().as_secs_f64();
    println!(
        "noop: {n} jobs due at once, concurrency {}: pushed in {push_secs:.2} s ({:.0}/s), drained in {secs:.2} s: {:.0} jobs/s",
        settings.worker_concurrency,
        n as f64 / push_secs,
        n as f64 / secs
    );
    Ok(())
}

async fn reminders(
    settings: &Settings,
    db: DatabaseConnection,
    queue: JobQueue,
    n: u64,
) -> anyhow::Result<()> {
    // Due this minute: each member of n/2 couples, caught up by one planning run.
    let now = Clock::system().now();
    seed(&db, n / 2, &now.format("%H:%M").to_string(), false).await;
    let started = Instant::now();
    queue
        .push(PlanReminders {
            at: now,
            after: None,
        })
        .await?;
    let worker = start_worker(settings, db.clone(), queue).await;
    wait_for("every reminder", Duration::from_secs(1800), async || {
        count(&db, "SELECT count(*) FROM notifications").await >= n
    })
    .await;
    let secs = started.elapsed().as_secs_f64();
    println!(
        "reminders: {n} due, planned, queued and stored as notifications in {secs:.1} s: {:.0}/s (planner runs {})",
        n as f64 / secs,
        rekindle_worker_jobs_done(&worker.metrics, "plan_reminders")
    );
    Ok(())
}

async fn lateness(
    settings: &Settings,
    db: DatabaseConnection,
    queue: JobQueue,
    n: u64,
) -> anyhow::Result<()> {
    // Planned for one second, 20 s from now, as the planner leaves them.
    seed(&db, n / 2, "00:00", false).await;
    let fire_at = Clock::system().now() + chrono::Duration::seconds(20);
    let fire_at =
        fire_at - chrono::Duration::nanoseconds(i64::from(fire_at.timestamp_subsec_nanos()));
    let sql = format!(
        "INSERT INTO reminders (id, plan_item_id, occurrence_date, user_id, due_at, fire_at, status, queued_at) \
         SELECT md5('r' || c || '-' || k)::uuid, md5('i' || c)::uuid, current_date, md5('u' || (2 * c - k))::uuid, \
                '{fire_at}'::timestamptz, '{fire_at}'::timestamptz, 'scheduled', now() \
         FROM generate_series(1, {}) AS c, generate_series(0, 1) AS k",
        n / 2
    );
    db.execute_unprepared(&sql).await?;
    let ids: Vec<uuid::Uuid> = db
        .query_all_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT id FROM reminders".to_owned(),
        ))
        .await?
        .into_iter()
        .map(|row| row.try_get_by_index(0).unwrap())
        .collect();
    let delay = (fire_at - Clock::system().now())
        .to_std()
        .unwrap_or_default();
    // As the planner queues them: one job per instant and batch.
    for chunk in ids.chunks(SendReminders::BATCH) {
        let job = SendReminders {
            fire_at,
            reminder_ids: chunk.to_vec(),
        };
        queue.push_after(Queued::first(job), delay).await?;
    }
    let worker = start_worker(settings, db.clone(), queue).await;
    wait_for("every reminder", Duration::from_secs(600), async || {
        count(&db, "SELECT count(*) FROM reminders WHERE status = 'sent'").await >= n
    })
    .await;
    let rows = db
        .query_all_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT EXTRACT(EPOCH FROM (sent_at - fire_at))::float8 FROM reminders ORDER BY 1"
                .to_owned(),
        ))
        .await?;
    let late: Vec<f64> = rows
        .into_iter()
        .map(|row| row.try_get_by_index(0).unwrap())
        .collect();
    let at = |q: f64| late[((late.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "lateness: {n} reminders due in the same second: p50 {:.2} s, p99 {:.2} s, max {:.2} s (sent {})",
        at(0.5),
        at(0.99),
        at(1.0),
        rekindle_worker_jobs_done(&worker.metrics, "send_reminders")
    );
    Ok(())
}

async fn summaries(
    settings: &Settings,
    db: DatabaseConnection,
    queue: JobQueue,
    n: u64,
) -> anyhow::Result<()> {
    seed(&db, n, "20:00", true).await;
    let started = Instant::now();
    queue
        .push(PlanWeeklySummaries {
            at: Clock::system().now(),
            after: None,
        })
        .await?;
    let _worker = start_worker(settings, db.clone(), queue).await;
    wait_for("every summary", Duration::from_secs(1800), async || {
        count(&db, "SELECT count(*) FROM weekly_summaries").await >= n
    })
    .await;
    println!(
        "summaries: {n} couples' weeks summed up and stored in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
