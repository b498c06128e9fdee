//! The `rekindle-worker` command: runs Rekindle's jobs as a process of its own; see
//! `rekindle-worker help`.

use anyhow::{Context, bail};

use crate::{JobState, WorkerIdentity};
use runtime::{JobQueue, Metrics, Settings, shutdown, store, telemetry};
use uuid::Uuid;

const USAGE: &str = "\
usage: rekindle-worker [COMMAND]

commands:
  run                  run the jobs (the default) until SIGTERM or SIGINT
  dead-jobs            list jobs that failed every attempt and wait in dead_jobs, one JSON per line
  dead-jobs retry ID   send a dead job back to its queue as a first run
  help                 show this text

configuration comes from REKINDLE_* environment variables: see README.md";

/// Runs the command its arguments name.
pub async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        [] | ["run"] => run().await,
        ["dead-jobs"] => list_dead_jobs().await,
        ["dead-jobs", "retry", id] => retry_dead_job(id).await,
        ["help" | "--help" | "-h"] => {
            println!("{USAGE}");
            Ok(())
        }
        _ => bail!("unknown command\n\n{USAGE}"),
    }
}

async fn run() -> anyhow::Result<()> {
    let settings = Settings::from_env()?;
    let traces = telemetry::init_with_traces(
        settings.log_format,
        settings.otlp_endpoint.as_deref(),
        "rekindle-worker",
    )?;
    let db = store::connect_database(&settings).await?;
    store::prepare(&db, &settings).await?;
    let queue = JobQueue::connect(&settings).await?;
    let metrics = Metrics::new();
    let clock = domain::clock::Clock::system();
    let server = match &settings.worker_bind {
        Some(bind) => {
            let (server, port) = crate::http::serve(
                bind,
                metrics.clone(),
                Some(crate::http::Depths {
                    queue: queue.clone(),
                    db: db.clone(),
                    clock: clock.clone(),
                }),
            )?;
            tracing::info!(port, "worker metrics at /metrics");
            let handle = server.handle();
            tokio::spawn(server);
            Some(handle)
        }
        None => None,
    };
    let notifications =
        runtime::Fanout::for_settings(&settings, domain::notification::TOPIC).await?;
    let identity = WorkerIdentity::new(clock.now());
    let state = JobState::new(
        &settings,
        db,
        queue,
        metrics,
        notifications,
        identity,
        clock,
    )?;
    let result = crate::run(&settings, state, shutdown::signal())
        .await
        .context("running the worker");
    if let Some(handle) = server {
        handle.stop(true).await;
    }
    traces.shutdown();
    result
}

async fn list_dead_jobs() -> anyhow::Result<()> {
    let settings = Settings::from_env()?;
    let db = store::connect_database(&settings).await?;
    for dead in entities::dead_job::waiting(&db).await? {
        let line = serde_json::json!({
            "id": dead.id,
            "queue": dead.queue,
            "attempts": dead.attempts,
            "lastError": dead.last_error,
            "failedAt": dead.failed_at,
            "payload": dead.payload,
        });
        println!("{line}");
    }
    Ok(())
}

async fn retry_dead_job(id: &str) -> anyhow::Result<()> {
    let id = Uuid::parse_str(id).with_context(|| format!("{id} is not a dead job's ID"))?;
    let settings = Settings::from_env()?;
    let db = store::connect_database(&settings).await?;
    let queue = JobQueue::connect(&settings).await?;
    let now = domain::clock::Clock::system().now();
    if runtime::failures::retry(&db, &queue, id, now).await?.sent() {
        runtime::cli::report(
            settings.log_format,
            &format!("sent {id} back to its queue"),
            serde_json::json!({ "retried": id }),
        );
        Ok(())
    } else {
        bail!("no dead job {id} waits to be retried")
    }
}
