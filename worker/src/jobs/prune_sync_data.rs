//! Hourly: forget what offline clients no longer need: idempotency keys whose answers expired
//! (a key's row lives a day) and changes older than the feed's retention.

use domain::jobs::PruneSyncData;
use entities::{change, idempotency_key};

use super::{Failure, Perform};
use crate::JobState;

impl super::Ticked for PruneSyncData {
    /// Several workers may each queue one for the same hour; pruning twice is harmless.
    fn at(now: chrono::DateTime<chrono::Utc>) -> Self {
        Self { at: now }
    }
}

impl Perform for PruneSyncData {
    async fn perform(&self, state: &JobState) -> Result<(), Failure> {
        let keys = idempotency_key::prune(&state.db, self.at).await?;
        let retention = chrono::Duration::from_std(state.changes_retention)
            .map_err(|_| Failure::Permanent(anyhow::anyhow!("retention out of range")))?;
        let before = domain::changes::prune_before(self.at, retention);
        let changes = change::prune(&state.db, before).await?;
        if keys + changes > 0 {
            tracing::info!(
                idempotency_keys.removed = keys,
                changes.removed = changes,
                "pruned what offline clients no longer need"
            );
        }
        Ok(())
    }
}
