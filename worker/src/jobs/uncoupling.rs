//! Every hour: the shared data of couples archived more than 30 days ago is deleted (each
//! couple in one transaction), as `leaveCouple` promised with `sharedDataDeleteAfter`. Running
//! it twice, or two workers at once, deletes nothing more.

use domain::jobs::DeleteUncoupledData;
use entities::couple;

use super::{Failure, Perform};
use crate::JobState;

/// Couples handled per run; a larger backlog is taken up by the next runs.
const COUPLES_PER_RUN: u64 = 200;

impl Perform for DeleteUncoupledData {
    async fn perform(&self, state: &JobState) -> Result<(), Failure> {
        let due = couple::due_for_deletion(&state.db, self.at, COUPLES_PER_RUN).await?;
        for archived in &due {
            let write = state.writer.begin(state.clock.now()).await?;
            couple::delete_shared_data(&*write, archived.id, state.clock.now()).await?;
            write.commit().await?;
            tracing::info!(couple.id = %archived.id, "deleted an archived couple's shared data");
        }
        Ok(())
    }
}
