//! What the worker's benchmarks share: a worker in the process, progress checks, and the
//! seeding of couples with a daily ritual.
#![allow(dead_code)]

use std::time::{Duration, Instant};

use domain::clock::Clock;
use rekindle_worker::{JobState, WorkerIdentity};
use runtime::{Fanout, JobQueue, Metrics, Settings};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use tokio::sync::oneshot;

/// A worker running in this process until the answer is dropped.
pub struct Running {
    pub metrics: Metrics,
    _stop: oneshot::Sender<()>,
}

pub async fn start_worker(settings: &Settings, db: DatabaseConnection, queue: JobQueue) -> Running {
    let metrics = Metrics::new();
    let clock = Clock::system();
    let identity = WorkerIdentity::new(clock.now());
    let notifications = Fanout::in_process();
    let state = JobState::new(
        settings,
        db,
        queue,
        metrics.clone(),
        notifications,
        identity,
        clock,
    )
    .unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let settings = settings.clone();
    tokio::spawn(async move {
        let _ = rekindle_worker::run(&settings, state, async move {
            let _ = stopped.await;
        })
        .await;
    });
    Running {
        metrics,
        _stop: stop,
    }
}

/// The number the query counts; 0 while the pool has no connection to spare (the benchmark's
/// own progress check must not stop the run it watches).
pub async fn count(db: &DatabaseConnection, sql: &str) -> u64 {
    let statement = sea_orm::Statement::from_string(db.get_database_backend(), sql.to_owned());
    match db.query_one_raw(statement).await {
        Ok(Some(row)) => row
            .try_get_by_index::<i64>(0)
            .map_or(0, |n| u64::try_from(n).unwrap_or(0)),
        Ok(None) => 0,
        Err(e) => {
            eprintln!("progress check failed, trying again: {e}");
            0
        }
    }
}

pub async fn wait_for(what: &str, deadline: Duration, mut done: impl AsyncFnMut() -> bool) {
    let start = Instant::now();
    while !done().await {
        assert!(
            start.elapsed() < deadline,
            "{what} took longer than {deadline:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub fn rekindle_worker_jobs_done(metrics: &Metrics, queue: &str) -> u64 {
    let counted = format!("rekindle_jobs_total{{queue=\"{queue}\",outcome=\"ok\"}} ");
    metrics
        .render()
        .lines()
        .find_map(|l| l.strip_prefix(counted.as_str()))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0)
}

/// `couples` couples of two members in UTC, each with a plan and one daily BOTH ritual at
/// `local_time`, started 30 days ago; with `logged`, a completion by the first member on each
/// of the last 7 days.
pub async fn seed(db: &DatabaseConnection, couples: u64, local_time: &str, logged: bool) {
    let starts = (Clock::system().now() - chrono::Duration::days(30)).date_naive();
    let schedule = format!(
        r#"{{"cadence":"daily","days_of_week":[],"local_time":"{local_time}","timezone":"UTC","starts_on":"{starts}"}}"#
    );
    let statements = [
        format!(
            "INSERT INTO users (id, email, password_hash, display_name, timezone, role, disabled, created_at, updated_at) \
             SELECT md5('u' || i)::uuid, 'bench' || i || '@example.com', 'x', 'Member ' || i, 'UTC', 'member', false, now(), now() \
             FROM generate_series(1, {}) AS i",
            couples * 2
        ),
        format!(
            "INSERT INTO couples (id, status, goals, distractions, timezone, created_at, updated_at) \
             SELECT md5('c' || c)::uuid, 'active', '[]', '[]', 'UTC', now() - interval '30 days', now() \
             FROM generate_series(1, {couples}) AS c"
        ),
        format!(
            "INSERT INTO couple_members (couple_id, user_id, joined_at) \
             SELECT md5('c' || c)::uuid, md5('u' || (2 * c - k))::uuid, now() - interval '30 days' \
             FROM generate_series(1, {couples}) AS c, generate_series(0, 1) AS k"
        ),
        format!(
            "INSERT INTO plans (id, couple_id, name, status, created_at) \
             SELECT md5('p' || c)::uuid, md5('c' || c)::uuid, 'Plan', 'active', now() - interval '30 days' \
             FROM generate_series(1, {couples}) AS c"
        ),
        format!(
            "INSERT INTO plan_items (id, plan_id, ritual_id, schedule, assignee, status, created_at) \
             SELECT md5('i' || c)::uuid, md5('p' || c)::uuid, (SELECT id FROM rituals WHERE key = 'six_second_kiss'), \
                    '{schedule}'::json, 'both', 'active', now() - interval '30 days' \
             FROM generate_series(1, {couples}) AS c"
        ),
    ];
    for sql in statements {
        db.execute_unprepared(&sql).await.unwrap();
    }
    if logged {
        let sql = format!(
            "INSERT INTO completions (id, plan_item_id, occurrence_date, user_id, closeness, note_shared, created_at) \
             SELECT md5('d' || c || '-' || d)::uuid, md5('i' || c)::uuid, current_date - d, md5('u' || (2 * c - 1))::uuid, 4, false, now() \
             FROM generate_series(1, {couples}) AS c, generate_series(1, 7) AS d"
        );
        db.execute_unprepared(&sql).await.unwrap();
    }
    // A database in use has statistics (autovacuum keeps them); freshly seeded tables have
    // none, and PostgreSQL would scan them whole instead of using their indexes.
    db.execute_unprepared("ANALYZE").await.unwrap();
}
