//! The job queue: an embedded SQLite-backed apalis storage, or Redis in production.
//!
//! Both processes open it the same way; the api only pushes, the worker also consumes.

use std::time::Duration;

use anyhow::Context;
use apalis::prelude::{TaskBuilder, TaskSink};
use apalis_redis::{ConnectionManager, RedisStorage};
use apalis_sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions, SqliteStorage};
use domain::jobs::{Job, Queued};
use sea_orm::sqlx::{self, sqlite::SqliteSynchronous};
use serde::{Serialize, de::DeserializeOwned};

use crate::config::{QueueTarget, Settings};
use crate::store::PROBE_TIMEOUT;

/// Tasks a Redis worker takes per fetch (STACK.md #8: 500 without locking ran ~36,000 no-op
/// tasks/s on this machine's kind).
pub const REDIS_BATCH: usize = 500;
/// How often a Redis worker proves it is alive.
pub const REDIS_HEARTBEAT: Duration = Duration::from_secs(5);
/// Heartbeats a Redis worker may miss before its in-flight tasks go to other workers.
pub const REDIS_MISSED_HEARTBEATS: usize = 2;
/// How often a consumer of the embedded queue proves it is alive.
const SQLITE_HEARTBEAT: Duration = Duration::from_secs(5);
/// Longest a write to the embedded queue waits for the file's lock before it fails.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// Jobs in one queue by state: due and waiting for a worker, due later, being run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueDepth {
    pub queue: String,
    pub waiting: u64,
    pub scheduled: u64,
    pub running: u64,
}

/// A connection to the job queue, cheap to clone.
#[derive(Clone)]
pub struct JobQueue {
    backend: Backend,
    prefix: String,
}

#[derive(Clone)]
enum Backend {
    Sqlite(SqlitePool),
    Redis(ConnectionManager),
}

impl std::fmt::Debug for JobQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JobQueue")
            .field("backend", &self.backend_name())
            .field("prefix", &self.prefix)
            .finish()
    }
}

impl JobQueue {
    /// Connects to the configured queue, creating the embedded queue's file and tables.
    pub async fn connect(settings: &Settings) -> anyhow::Result<Self> {
        let backend = match &settings.queue {
            QueueTarget::SqliteFile(path) => {
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir).with_context(|| {
                        format!("creating the data directory {}", dir.display())
                    })?;
                }
                let options = SqliteConnectOptions::new()
                    .filename(path)
                    .create_if_missing(true)
                    // A dozen consumers write to this one file; under load a writer may wait
                    // its turn for seconds, and a wait that gives up fails a worker's fetch.
                    .busy_timeout(SQLITE_BUSY_TIMEOUT);
                // apalis's setup switches its connection to synchronous=OFF: run it on a
                // connection of its own, then serve from a pool that keeps synchronous=NORMAL
                // (WAL stays on: it is a property of the file).
                let setup_pool = SqlitePoolOptions::new()
                    .max_connections(1)
                    .connect_with(options.clone())
                    .await
                    .context("opening the embedded job queue")?;
                SqliteStorage::setup(&setup_pool)
                    .await
                    .context("creating the embedded job queue's tables")?;
                setup_pool.close().await;
                let pool = SqlitePoolOptions::new()
                    .max_connections(4)
                    .connect_with(options.synchronous(SqliteSynchronous::Normal))
                    .await
                    .context("opening the embedded job queue")?;
                Backend::Sqlite(pool)
            }
            QueueTarget::Redis(url) => {
                let conn = apalis_redis::connect(url.expose())
                    .await
                    .context("connecting to Redis (check REKINDLE_REDIS_URL)")?;
                Backend::Redis(conn)
            }
        };
        Ok(Self {
            backend,
            prefix: settings.queue_prefix.clone(),
        })
    }

    pub fn backend_name(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite(_) => "sqlite",
            Backend::Redis(_) => "redis",
        }
    }

    /// The full name of a queue: the deployment's prefix and the job's constant name.
    pub fn queue_name(&self, queue: &str) -> String {
        format!("{}:{queue}", self.prefix)
    }

    /// An apalis SQLite storage for `queue`, if this is the embedded queue.
    ///
    /// Consumers beat every 5 s and count as dead after 3 missed beats, so the jobs a worker
    /// had fetched when it failed and restarted (under a new name) are queued again within
    /// about 15 s instead of the default minute.
    pub fn sqlite_storage<T>(&self, queue: &str) -> Option<SqliteStorage<T>> {
        match &self.backend {
            Backend::Sqlite(pool) => Some(
                SqliteStorage::new(pool).with_config(
                    apalis_sqlite::Config::default()
                        .queue(self.queue_name(queue))
                        .heartbeat_interval(SQLITE_HEARTBEAT)
                        .missed_heartbeats(3),
                ),
            ),
            Backend::Redis(_) => None,
        }
    }

    /// An apalis Redis storage for `queue` and its connection, if this queue is on Redis.
    ///
    /// Settings from STACK.md #8 and #10: no task locking (its lease script scans the whole
    /// ready list per task, ~350 tasks/s at a 100,000 backlog; recovery does not depend on it),
    /// and a heartbeat every 5 s with a worker counted dead after 2 missed, so a killed worker's
    /// tasks are back within about 10 s instead of 5 minutes.
    pub fn redis_storage<T>(&self, queue: &str) -> Option<(RedisStorage<T>, ConnectionManager)> {
        match &self.backend {
            Backend::Redis(conn) => Some((
                RedisStorage::new(conn.clone()).with_config(
                    apalis_redis::Config::default()
                        .queue(self.queue_name(queue))
                        .lock_tasks(false)
                        .batch_size(REDIS_BATCH)
                        .heartbeat_interval(REDIS_HEARTBEAT)
                        .missed_heartbeats(REDIS_MISSED_HEARTBEATS),
                ),
                conn.clone(),
            )),
            Backend::Sqlite(_) => None,
        }
    }

    /// Enqueues a job's first run, due now.
    pub async fn push<J: Job>(&self, job: J) -> anyhow::Result<()> {
        self.push_after(Queued::first(job), Duration::ZERO).await
    }

    /// Enqueues a run of a job, due after `delay` (whole seconds: both queues store seconds).
    pub async fn push_after<J: Job>(
        &self,
        queued: Queued<J>,
        delay: Duration,
    ) -> anyhow::Result<()> {
        self.push_to(J::QUEUE, queued, delay).await
    }

    /// Enqueues many jobs' first runs, due now, a few thousand per round trip.
    pub async fn push_many<J: Job>(&self, jobs: Vec<J>) -> anyhow::Result<()> {
        const PER_PUSH: usize = 5_000;
        let mut jobs = jobs.into_iter().map(Queued::first).peekable();
        while jobs.peek().is_some() {
            let chunk: Vec<Queued<J>> = jobs.by_ref().take(PER_PUSH).collect();
            let pushed = match &self.backend {
                Backend::Sqlite(pool) => {
                    let mut storage = SqliteStorage::<Queued<J>>::new(pool).with_config(
                        apalis_sqlite::Config::default().queue(self.queue_name(J::QUEUE)),
                    );
                    storage.push_bulk(chunk).await.map_err(|e| e.to_string())
                }
                Backend::Redis(conn) => {
                    let mut storage = RedisStorage::<Queued<J>>::new(conn.clone()).with_config(
                        apalis_redis::Config::default().queue(self.queue_name(J::QUEUE)),
                    );
                    storage.push_bulk(chunk).await.map_err(|e| e.to_string())
                }
            };
            pushed.map_err(|e| anyhow::anyhow!("pushing to {}: {e}", J::QUEUE))?;
        }
        Ok(())
    }

    /// Enqueues a stored payload (a dead-lettered job run again) on the queue it names.
    pub async fn push_json(&self, queue: &str, payload: serde_json::Value) -> anyhow::Result<()> {
        self.push_to(queue, payload, Duration::ZERO).await
    }

    /// Enqueues stored payloads on `queue`, each due after its delay, in one round trip.
    pub async fn push_stored(
        &self,
        queue: &str,
        entries: Vec<(serde_json::Value, Duration)>,
    ) -> anyhow::Result<()> {
        let tasks = entries
            .into_iter()
            .map(|(payload, delay)| TaskBuilder::new(payload).run_after(delay).build());
        let tasks = futures_util::stream::iter(tasks);
        let pushed = match &self.backend {
            Backend::Sqlite(pool) => {
                let mut storage = SqliteStorage::<serde_json::Value>::new(pool)
                    .with_config(apalis_sqlite::Config::default().queue(self.queue_name(queue)));
                storage.push_all(tasks).await.map_err(|e| e.to_string())
            }
            Backend::Redis(conn) => {
                let mut storage = RedisStorage::<serde_json::Value>::new(conn.clone())
                    .with_config(apalis_redis::Config::default().queue(self.queue_name(queue)));
                storage.push_all(tasks).await.map_err(|e| e.to_string())
            }
        };
        pushed.map_err(|e| anyhow::anyhow!("pushing to {queue}: {e}"))
    }

    async fn push_to<T>(&self, queue: &str, payload: T, delay: Duration) -> anyhow::Result<()>
    where
        T: Serialize + DeserializeOwned + Send + Sync + Unpin + 'static,
    {
        let task = TaskBuilder::new(payload).run_after(delay).build();
        let pushed = match &self.backend {
            Backend::Sqlite(pool) => {
                let mut storage = SqliteStorage::<T>::new(pool)
                    .with_config(apalis_sqlite::Config::default().queue(self.queue_name(queue)));
                storage.push_task(task).await.map_err(|e| e.to_string())
            }
            Backend::Redis(conn) => {
                let mut storage = RedisStorage::<T>::new(conn.clone())
                    .with_config(apalis_redis::Config::default().queue(self.queue_name(queue)));
                storage.push_task(task).await.map_err(|e| e.to_string())
            }
        };
        pushed.map_err(|e| anyhow::anyhow!("pushing to {queue}: {e}"))
    }

    /// How many jobs each named queue holds, by state, as read now.
    pub async fn depths(&self, queues: &[&str]) -> anyhow::Result<Vec<QueueDepth>> {
        let mut out = Vec::with_capacity(queues.len());
        for queue in queues {
            let name = self.queue_name(queue);
            let now = i64::try_from(
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap_or_default()
                    .as_secs(),
            )
            .unwrap_or(i64::MAX);
            let (waiting, scheduled, running) = match &self.backend {
                Backend::Sqlite(pool) => {
                    let row: (i64, i64, i64) = sqlx::query_as(
                        "SELECT \
                           COALESCE(SUM(status IN ('Pending', 'Queued') AND run_at <= ?2), 0), \
                           COALESCE(SUM(status IN ('Pending', 'Queued') AND run_at > ?2), 0), \
                           COALESCE(SUM(status = 'Running'), 0) \
                         FROM Jobs WHERE job_type = ?1",
                    )
                    .bind(&name)
                    .bind(now)
                    .fetch_one(pool)
                    .await
                    .with_context(|| format!("reading the depth of {queue}"))?;
                    (row.0, row.1, row.2)
                }
                Backend::Redis(conn) => {
                    let config = apalis_redis::Config::default().queue(&name);
                    let mut conn = conn.clone();
                    let ready: i64 = redis::cmd("LLEN")
                        .arg(config.active_jobs_list())
                        .query_async(&mut conn)
                        .await?;
                    // Every push goes to the scheduled set (scored by its run-at second); a
                    // worker's fetch moves due ones to the ready list. Due ones are waiting.
                    let due: i64 = redis::cmd("ZCOUNT")
                        .arg(config.scheduled_jobs_set())
                        .arg("-inf")
                        .arg(now)
                        .query_async(&mut conn)
                        .await?;
                    let scheduled: i64 = redis::cmd("ZCOUNT")
                        .arg(config.scheduled_jobs_set())
                        .arg(format!("({now}"))
                        .arg("+inf")
                        .query_async(&mut conn)
                        .await?;
                    let waiting = ready + due;
                    // Fetched and not yet acknowledged, in each registered worker's set.
                    let workers: Vec<String> = redis::cmd("ZRANGE")
                        .arg(config.workers_set())
                        .arg(0)
                        .arg(-1)
                        .query_async(&mut conn)
                        .await?;
                    let mut running = 0i64;
                    for worker in workers {
                        let n: i64 = redis::cmd("SCARD")
                            .arg(format!("{}:{worker}", config.inflight_jobs_set()))
                            .query_async(&mut conn)
                            .await?;
                        running += n;
                    }
                    (waiting, scheduled, running)
                }
            };
            let count = |n: i64| u64::try_from(n).unwrap_or(0);
            out.push(QueueDepth {
                queue: (*queue).to_owned(),
                waiting: count(waiting),
                scheduled: count(scheduled),
                running: count(running),
            });
        }
        Ok(out)
    }

    /// Answers whether the queue answers within the probe timeout.
    pub async fn ready(&self) -> bool {
        let probe = async {
            match &self.backend {
                Backend::Sqlite(pool) => sqlx::query("SELECT 1").execute(pool).await.is_ok(),
                Backend::Redis(conn) => {
                    let mut conn = conn.clone();
                    redis::cmd("PING")
                        .query_async::<String>(&mut conn)
                        .await
                        .is_ok()
                }
            }
        };
        matches!(tokio::time::timeout(PROBE_TIMEOUT, probe).await, Ok(true))
    }
}
