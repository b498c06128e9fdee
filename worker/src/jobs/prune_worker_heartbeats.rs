//! Hourly: forget workers that stopped beating a day ago, so the list shows live processes.

use std::time::Duration;

use anyhow::Context;
use apalis::prelude::*;
use apalis_cron::Tick;
use domain::jobs::PruneWorkerHeartbeats;
use entities::worker_heartbeat;

use crate::JobState;

/// How long a silent worker stays listed.
pub const RETENTION: Duration = Duration::from_secs(24 * 60 * 60);

/// The hourly tick: queue one prune. Several workers may each queue one; pruning twice is harmless.
pub async fn enqueue(_tick: Tick, state: Data<JobState>) -> Result<(), BoxDynError> {
    let job = PruneWorkerHeartbeats {
        retention_secs: RETENTION.as_secs(),
    };
    let result = state.queue.push(PruneWorkerHeartbeats::QUEUE, job).await;
    super::finish(&state, "enqueue_prune_worker_heartbeats", result)
}

pub async fn run(job: PruneWorkerHeartbeats, state: Data<JobState>) -> Result<(), BoxDynError> {
    let result = prune(&state, &job).await;
    super::finish(&state, PruneWorkerHeartbeats::QUEUE, result)
}

async fn prune(state: &JobState, job: &PruneWorkerHeartbeats) -> anyhow::Result<()> {
    let retention = chrono::Duration::from_std(Duration::from_secs(job.retention_secs))
        .context("retention out of range")?;
    let cutoff = state.clock.now() - retention;
    let removed = worker_heartbeat::prune(&state.db, cutoff).await?;
    tracing::info!(workers.removed = removed, "pruned silent workers");
    Ok(())
}
