//! The application database: connecting, migrating, and checking that it answers.

use std::time::Duration;

use anyhow::Context;
use migrations::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection};

use crate::config::{DatabaseTarget, Settings};

/// How long a readiness probe waits for a store before calling it unreachable.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// Opens a pool to the configured database; the embedded default creates its file.
pub async fn connect_database(settings: &Settings) -> anyhow::Result<DatabaseConnection> {
    let url = match &settings.database {
        DatabaseTarget::SqliteFile(path) => {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("creating the data directory {}", dir.display()))?;
            }
            format!("sqlite://{}?mode=rwc", path.display())
        }
        DatabaseTarget::Url(url) => url.expose().to_owned(),
    };
    let mut options = ConnectOptions::new(url);
    options
        .max_connections(settings.db_max_connections)
        .min_connections(0)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(5))
        .idle_timeout(Duration::from_secs(300))
        // Ping only connections that sat idle long enough to have been dropped (STACK.md #9).
        .test_before_acquire_if_idle_for(Duration::from_secs(30))
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|opts| {
            opts.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(5))
                .foreign_keys(true)
        });
    Database::connect(options)
        .await
        .context("connecting to the database (check REKINDLE_DATABASE_URL)")
}

/// Applies every pending migration.
pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<()> {
    Migrator::up(db, None)
        .await
        .context("running database migrations")
}

/// Makes the database ready for this version: migrates it where `REKINDLE_MIGRATE_ON_START`
/// says so, else refuses to go on while any migration is pending, naming the command to run
/// (instead of failing later on a table that does not exist yet).
pub async fn prepare(db: &DatabaseConnection, settings: &Settings) -> anyhow::Result<()> {
    if settings.migrate_on_start {
        return migrate(db).await;
    }
    let pending = Migrator::get_pending_migrations_read_only(db)
        .await
        .context("reading which database migrations are applied (is this Rekindle's database, and not newer than this version?)")?;
    match pending.len() {
        0 => Ok(()),
        1 => anyhow::bail!(
            "1 database migration is pending ({}): run `rekindle-api migrate` first",
            pending[0].name()
        ),
        n => anyhow::bail!(
            "{n} database migrations are pending ({} … {}): run `rekindle-api migrate` first",
            pending[0].name(),
            pending[n - 1].name()
        ),
    }
}

/// Answers whether the database answers a trivial query within [`PROBE_TIMEOUT`].
pub async fn database_ready(db: &DatabaseConnection) -> bool {
    matches!(
        tokio::time::timeout(PROBE_TIMEOUT, db.ping()).await,
        Ok(Ok(()))
    )
}
