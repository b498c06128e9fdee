//! The one place jobs are registered: every cron tick and every queue this worker consumes.

pub mod prune_worker_heartbeats;
pub mod record_heartbeat;

use std::str::FromStr;
use std::time::Duration;

use apalis::prelude::*;
use apalis_cron::CronScheduler;
use cron::Schedule;
use domain::jobs::PruneWorkerHeartbeats;
use runtime::metrics::Outcome;

use crate::JobState;

/// At the top of every hour.
const PRUNE_SCHEDULE: &str = "0 0 * * * *";
/// How often an idle worker looks for queued jobs (STACK.md #3: the default is 30 s).
const POLL_INTERVAL: Duration = Duration::from_millis(500);
/// Attempts after the first for a job that fails with a transient error.
const RETRIES: usize = 4;
/// Longest a single job may run before it counts as failed.
const JOB_TIMEOUT: Duration = Duration::from_secs(60);

/// Builds the monitor with every worker registered.
pub fn monitor(
    state: JobState,
    shutdown_timeout: Duration,
    heartbeat_secs: u32,
) -> anyhow::Result<Monitor> {
    // Every `heartbeat_secs` seconds (15 by default), on the second.
    let heartbeat = Schedule::from_str(&format!("*/{heartbeat_secs} * * * * *"))?;
    let prune_tick = Schedule::from_str(PRUNE_SCHEDULE)?;
    // Worker names are unique per process: backends track workers (and recover their jobs) by name.
    let suffix = state.identity.worker_id.simple().to_string();
    let mut monitor = Monitor::new().shutdown_timeout(shutdown_timeout);

    let (s, name) = (state.clone(), format!("record_heartbeat-{suffix}"));
    monitor = monitor.register(move |_| {
        WorkerBuilder::new(name.as_str())
            .backend(CronScheduler::new(heartbeat.clone()))
            .data(s.clone())
            .build(record_heartbeat::run)
    });

    let (s, name) = (state.clone(), format!("enqueue_prune-{suffix}"));
    monitor = monitor.register(move |_| {
        WorkerBuilder::new(name.as_str())
            .backend(CronScheduler::new(prune_tick.clone()))
            .data(s.clone())
            .build(prune_worker_heartbeats::enqueue)
    });

    let name = format!("{}-{suffix}", PruneWorkerHeartbeats::QUEUE);
    monitor = register_queue!(
        monitor,
        state,
        name,
        PruneWorkerHeartbeats,
        prune_worker_heartbeats::run
    );
    Ok(monitor)
}

/// Registers a worker for one queued job on whichever backend the queue uses; every queued job
/// gets the same polling, retry policy, timeout, panic catching and tracing.
macro_rules! register_queue {
    ($monitor:expr, $state:expr, $name:expr, $job:ty, $handler:path) => {{
        macro_rules! register_on {
            ($storage:expr) => {{
                let (storage, s, name) = ($storage, $state.clone(), $name.clone());
                $monitor.register(move |_| {
                    WorkerBuilder::new(name.as_str())
                        .backend(storage.clone().poll_with_interval(POLL_INTERVAL))
                        .retry(RetryPolicy::retries(RETRIES))
                        .timeout(JOB_TIMEOUT)
                        .catch_panic()
                        .enable_tracing()
                        .data(s.clone())
                        .build($handler)
                })
            }};
        }
        let queue = $state.queue.clone();
        if let Some(storage) = queue.sqlite_storage::<$job>(<$job>::QUEUE) {
            register_on!(storage)
        } else if let Some(storage) = queue.redis_storage::<$job>(<$job>::QUEUE) {
            register_on!(storage)
        } else {
            $monitor
        }
    }};
}
use register_queue;

/// Counts a finished job in the metrics and turns its error into apalis's.
fn finish(state: &JobState, queue: &str, result: anyhow::Result<()>) -> Result<(), BoxDynError> {
    match result {
        Ok(()) => {
            state.metrics.job(queue, Outcome::Ok);
            Ok(())
        }
        Err(err) => {
            state.metrics.job(queue, Outcome::Error);
            tracing::warn!(job.queue = queue, error = %format!("{err:#}"), "job failed");
            Err(err.into())
        }
    }
}
