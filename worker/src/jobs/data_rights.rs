//! Members' data rights: building the archive of an export they asked for, and (every hour)
//! deleting the accounts whose grace period is over and dropping archives whose link expired.

use domain::couple::SHARED_DATA_RETENTION_DAYS;
use domain::data_rights::ExportStatus;
use domain::jobs::{ApplyDataRights, BuildDataExport};
use entities::{data_export, data_rights, user};

use super::{Failure, Perform};
use crate::JobState;

/// Accounts deleted per run; a larger backlog is taken up by the next runs.
const ACCOUNTS_PER_RUN: u64 = 100;

impl Perform for BuildDataExport {
    async fn perform(&self, state: &JobState) -> Result<(), Failure> {
        let now = state.clock.now();
        let Some(export) = data_export::find(&state.db, self.export_id).await? else {
            // The account was deleted since, and its exports with it.
            return Ok(());
        };
        if export.status(now) != ExportStatus::Pending {
            return Ok(());
        }
        let Some(archive) = data_rights::export(&state.db, export.user_id, now).await? else {
            return Ok(());
        };
        let archive = serde_json::to_string_pretty(&archive)?;
        let bytes = archive.len();
        // The archive and the notice that it is ready are one write.
        let mut write = state.writer.begin(now).await?;
        if !data_export::store_archive(&*write, export.id, archive, now).await? {
            return Ok(());
        }
        // Worded in the member's language (English for an account gone since).
        let locale = entities::user::find_by_id(&*write, export.user_id)
            .await?
            .map_or_else(|| domain::messages::DEFAULT_LOCALE.to_owned(), |u| u.locale);
        let to = state.recipient(export.user_id, &locale);
        let draft = domain::notification::data_export_ready(to, export.id, export.expires_at);
        let stored = entities::notification::insert_once(&*write, draft, now).await?;
        if let Some(stored) = &stored {
            super::send_push::queue_pushes(&mut write, std::slice::from_ref(stored)).await?;
        }
        write.commit().await?;
        tracing::info!(export.id = %export.id, bytes, "built a data export");
        if let Some(stored) = stored {
            super::announce::published(state, &stored).await;
        }
        Ok(())
    }
}

impl super::Ticked for ApplyDataRights {
    fn at(now: chrono::DateTime<chrono::Utc>) -> Self {
        Self { at: now }
    }
}

impl Perform for ApplyDataRights {
    async fn perform(&self, state: &JobState) -> Result<(), Failure> {
        let retention = chrono::Duration::days(SHARED_DATA_RETENTION_DAYS);
        let due = user::due_for_deletion(&state.db, self.at, ACCOUNTS_PER_RUN).await?;
        for account in &due {
            let write = state.writer.begin(state.clock.now()).await?;
            let deleted =
                data_rights::delete_account(&*write, account.id, retention, state.clock.now())
                    .await?;
            write.commit().await?;
            if deleted {
                tracing::info!(user.id = %account.id, "deleted an account at its owner's request");
            }
        }
        let dropped = data_export::drop_expired(&state.db, self.at).await?;
        if dropped > 0 {
            tracing::info!(exports.dropped = dropped, "dropped expired export archives");
        }
        Ok(())
    }
}
