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
    let metrics = Metrics::new();
    let server = match &settings.worker_bind {
        Some(bind) => {
            let (server, port) = rekindle_worker::http::serve(bind, metrics.clone())?;
            tracing::info!(port, "worker metrics at /metrics");
            let handle = server.handle();
            tokio::spawn(server);
            Some(handle)
        }
        None => None,
    };
    let clock = domain::clock::Clock::system();
    let state = JobState {
        db,
        queue,
        metrics,
        identity: WorkerIdentity::new(clock.now()),
        clock,
    };
    let result = rekindle_worker::run(&settings, state, shutdown::signal())
        .await
        .context("running the worker");
    if let Some(handle) = server {
        handle.stop(true).await;
    }
    result
}
