//! Hourly: forget idempotency keys whose answers expired, so a key's row lives a day.

use domain::jobs::PruneIdempotencyKeys;
use entities::idempotency_key;

use super::{Failure, Perform};
use crate::JobState;

impl super::Ticked for PruneIdempotencyKeys {
    /// Several workers may each queue one for the same hour; pruning twice is harmless.
    fn at(now: chrono::DateTime<chrono::Utc>) -> Self {
        Self { at: now }
    }
}

impl Perform for PruneIdempotencyKeys {
    async fn perform(&self, state: &JobState) -> Result<(), Failure> {
        let removed = idempotency_key::prune(&state.db, self.at).await?;
        tracing::info!(
            idempotency_keys.removed = removed,
            "pruned expired idempotency keys"
        );
        Ok(())
    }
}
