//! `rekindle-worker`: runs Rekindle's jobs as a process of its own.

use anyhow::Context;
use rekindle_worker::{JobState, WorkerIdentity};
use runtime::{JobQueue, Metrics, Settings, shutdown, store, telemetry};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let settings = Settings::from_env()?;
    telemetry::init(settings.log_format);
    let db = store::connect_database(&settings).await?;
    if settings.migrate_on_start {
        store::migrate(&db).await?;
    }
    let queue = JobQueue::connect(&settings).await?;
    let state = JobState {
        db,
        queue,
        metrics: Metrics::new(),
        identity: WorkerIdentity::new(),
    };
    rekindle_worker::run(&settings, state, shutdown::signal())
        .await
        .context("running the worker")
}
