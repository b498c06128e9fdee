//! The job queue: an embedded SQLite-backed apalis storage, or Redis in production.
//!
//! Both processes open it the same way; the api only pushes, the worker also consumes.

use std::time::Duration;

use anyhow::Context;
use apalis::prelude::TaskSink;
use apalis_redis::{ConnectionManager, RedisStorage};
use apalis_sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions, SqliteStorage};
use sea_orm::sqlx::{self, sqlite::SqliteSynchronous};
use serde::{Serialize, de::DeserializeOwned};

use crate::config::{QueueTarget, Settings};
use crate::store::PROBE_TIMEOUT;

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
                    .busy_timeout(Duration::from_secs(5));
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
    pub fn sqlite_storage<T>(&self, queue: &str) -> Option<SqliteStorage<T>> {
        match &self.backend {
            Backend::Sqlite(pool) => Some(
                SqliteStorage::new(pool)
                    .with_config(apalis_sqlite::Config::default().queue(self.queue_name(queue))),
            ),
            Backend::Redis(_) => None,
        }
    }

    /// An apalis Redis storage for `queue`, if this queue is on Redis.
    pub fn redis_storage<T>(&self, queue: &str) -> Option<RedisStorage<T>> {
        match &self.backend {
            Backend::Redis(conn) => Some(
                RedisStorage::new(conn.clone())
                    .with_config(apalis_redis::Config::default().queue(self.queue_name(queue))),
            ),
            Backend::Sqlite(_) => None,
        }
    }

    /// Enqueues one job on its named queue.
    pub async fn push<T>(&self, queue: &str, job: T) -> anyhow::Result<()>
    where
        T: Serialize + DeserializeOwned + Send + Sync + Unpin + 'static,
    {
        match &self.backend {
            Backend::Sqlite(pool) => {
                let mut storage = SqliteStorage::<T>::new(pool)
                    .with_config(apalis_sqlite::Config::default().queue(self.queue_name(queue)));
                storage
                    .push(job)
                    .await
                    .map_err(|e| anyhow::anyhow!("pushing to {queue}: {e}"))
            }
            Backend::Redis(conn) => {
                let mut storage = RedisStorage::<T>::new(conn.clone())
                    .with_config(apalis_redis::Config::default().queue(self.queue_name(queue)));
                storage
                    .push(job)
                    .await
                    .map_err(|e| anyhow::anyhow!("pushing to {queue}: {e}"))
            }
        }
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
