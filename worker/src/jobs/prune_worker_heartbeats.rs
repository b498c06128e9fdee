//! Hourly: forget workers that stopped beating a day ago, so the list shows live processes, and
//! failed runs whose retry was due as long ago.

use std::time::Duration;

use domain::jobs::PruneWorkerHeartbeats;
use entities::{job_retry, worker_heartbeat};

use super::{Failure, Perform};
use crate::JobState;

/// How long a silent worker stays listed.
pub const RETENTION: Duration = Duration::from_secs(24 * 60 * 60);

impl super::Ticked for PruneWorkerHeartbeats {
    /// The hourly tick queues one prune; several workers may each queue one, and pruning
    /// twice is harmless.
    fn at(_now: chrono::DateTime<chrono::Utc>) -> Self {
        Self {
            retention_secs: RETENTION.as_secs(),
        }
    }
}

impl Perform for PruneWorkerHeartbeats {
    async fn perform(&self, state: &JobState) -> Result<(), Failure> {
        let retention = chrono::Duration::from_std(Duration::from_secs(self.retention_secs))
            .map_err(|_| Failure::Permanent(anyhow::anyhow!("retention out of range")))?;
        let cutoff = state.clock.now() - retention;
        let removed = worker_heartbeat::prune(&state.db, cutoff).await?;
        let retries = job_retry::prune(&state.db, cutoff).await?;
        // Operators read the last hour; a day is kept.
        let day_ago = state.clock.now() - chrono::Duration::days(1);
        let minutes = entities::queue_throughput::prune(&state.db, day_ago).await?;
        if removed + retries + minutes > 0 {
            tracing::info!(
                workers.removed = removed,
                job_retries.removed = retries,
                queue_minutes.removed = minutes,
                "pruned silent workers and past retries"
            );
        }
        Ok(())
    }
}
