//! Hourly: forget workers that stopped beating a day ago, so the list shows live processes.

use std::time::Duration;

use apalis::prelude::*;
use apalis_cron::Tick;
use domain::jobs::PruneWorkerHeartbeats;
use entities::worker_heartbeat;

use super::{Failure, Perform};
use crate::JobState;

/// How long a silent worker stays listed.
pub const RETENTION: Duration = Duration::from_secs(24 * 60 * 60);

/// The hourly tick: queue one prune. Several workers may each queue one; pruning twice is harmless.
pub async fn enqueue(_tick: Tick, state: Data<JobState>) -> Result<(), BoxDynError> {
    let job = PruneWorkerHeartbeats {
        retention_secs: RETENTION.as_secs(),
    };
    let result = state.queue.push(job).await;
    super::finish(&state, "enqueue_prune_worker_heartbeats", result)
}

impl Perform for PruneWorkerHeartbeats {
    async fn perform(&self, state: &JobState) -> Result<(), Failure> {
        let retention = chrono::Duration::from_std(Duration::from_secs(self.retention_secs))
            .map_err(|_| Failure::Permanent(anyhow::anyhow!("retention out of range")))?;
        let cutoff = state.clock.now() - retention;
        let removed = worker_heartbeat::prune(&state.db, cutoff).await?;
        tracing::info!(workers.removed = removed, "pruned silent workers");
        Ok(())
    }
}
