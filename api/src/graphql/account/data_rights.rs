//! A member's data rights: taking a copy of everything of theirs (`exportMyData`, built by the
//! worker, downloaded once from `GET /exports/{token}`), and leaving for good
//! (`deleteMyAccount`, after a grace period in which `cancelAccountDeletion` calls it off).

use async_graphql::{Context, Enum, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use domain::data_rights::{ExportStatus, deletion_due, export_expires};
use domain::jobs::BuildDataExport;
use entities::data_export;
use entities::user;

use super::types::User;
use crate::auth::{Caller, ClientInfo, confirm_password, policy, secret_token};
use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;

/// Where an export of your data stands.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "domain::data_rights::ExportStatus")]
pub enum DataExportStatus {
    /// The archive is being put together.
    Pending,
    /// The archive waits at its link, for one download.
    Ready,
    /// Downloaded: the archive is gone from Rekindle.
    Downloaded,
    /// The link expired before the archive was downloaded; ask again for a new one.
    Expired,
}

/// An export of your data: a JSON archive of everything of yours and of what your couples
/// shared with you, downloaded once.
pub struct DataExport {
    row: data_export::Model,
    now: DateTime<Utc>,
}

impl DataExport {
    pub fn new(row: data_export::Model, now: DateTime<Utc>) -> Self {
        Self { row, now }
    }
}

/// An export of your data: a JSON archive of everything of yours and of what your couples
/// shared with you, downloaded once.
#[Object]
impl DataExport {
    /// Where it stands now.
    async fn status(&self) -> DataExportStatus {
        self.row.status(self.now).into()
    }

    /// When you asked for it.
    async fn requested_at(&self) -> DateTime<Utc> {
        self.row.requested_at
    }

    /// When the archive was ready, once it is.
    async fn ready_at(&self) -> Option<DateTime<Utc>> {
        self.row.ready_at
    }

    /// When it was downloaded, if it was.
    async fn downloaded_at(&self) -> Option<DateTime<Utc>> {
        self.row.downloaded_at
    }

    /// When the link stops working.
    async fn expires_at(&self) -> DateTime<Utc> {
        self.row.expires_at
    }
}

/// Confirms a request that only the account's owner may make.
#[derive(InputObject)]
pub struct ExportMyDataInput {
    /// The account's current password.
    pub password: String,
}

/// The export asked for, and the one link that downloads it.
#[derive(SimpleObject)]
pub struct ExportMyDataPayload {
    /// The export: PENDING until the worker built it.
    pub export: DataExport,
    /// The download link's path, relative to this API's address: `GET` it once the export is
    /// READY (202 while pending; 410 once downloaded or expired). It works once, and is shown
    /// only here: asking again before the download gives the same export a new link, and the
    /// old one stops working.
    pub download_path: String,
}

/// Confirms a request that only the account's owner may make.
#[derive(InputObject)]
pub struct DeleteMyAccountInput {
    /// The account's current password.
    pub password: String,
}

/// The account, with its deletion scheduled.
#[derive(SimpleObject)]
pub struct DeleteMyAccountPayload {
    /// The account; it works as before until the deletion.
    pub user: User,
    /// When the account will be deleted unless `cancelAccountDeletion` calls it off.
    pub deletion_scheduled_for: DateTime<Utc>,
}

/// The account, no longer to be deleted.
#[derive(SimpleObject)]
pub struct CancelAccountDeletionPayload {
    /// The account.
    pub user: User,
}

#[derive(Default)]
pub struct DataRightsMutation;

#[Object]
impl DataRightsMutation {
    /// Asks for a copy of everything of yours: your account, sessions, notifications,
    /// assessments with their answers, and each couple you were in with what it shared (a
    /// partner's private notes, unrevealed answers and unshared results are never in it).
    /// The worker builds it; the link in the answer downloads it once within a week. While an
    /// export is open, asking again gives it a new link rather than building another.
    async fn export_my_data(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The arguments, each described on `ExportMyDataInput`.")]
        input: ExportMyDataInput,
    ) -> Result<ExportMyDataPayload, ApiError> {
        let state = ctx.data::<AppState>()?;
        let client = ctx.data::<ClientInfo>()?;
        let caller = policy::require_user(ctx.data::<Caller>()?)?;
        confirm_password(state, client, caller, &input.password, "export_my_data").await?;
        let token = secret_token::new_secret();
        let now = state.clock.now();
        let mut write = state.writer.begin(now).await?;
        let export = data_export::request(
            &*write,
            caller.id,
            secret_token::digest(&token),
            now,
            export_expires(now),
        )
        .await?;
        // Asked again while pending (a build that finds it done does nothing).
        if export.status(now) == ExportStatus::Pending {
            write.job(BuildDataExport {
                export_id: export.id,
            })?;
        }
        write.commit().await?;
        Ok(ExportMyDataPayload {
            export: DataExport::new(export, now),
            download_path: format!("/exports/{token}"),
        })
    }

    /// Schedules the deletion of your account after a grace period of 14 days, during which
    /// everything works as before and `cancelAccountDeletion` calls it off. Then your account
    /// leaves its couple (your partner keeps what you shared for 30 days, as when a couple
    /// uncouples), and everything else of yours is deleted; what stays no longer names you.
    /// Asking again keeps the first date.
    async fn delete_my_account(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The arguments, each described on `DeleteMyAccountInput`.")]
        input: DeleteMyAccountInput,
    ) -> Result<DeleteMyAccountPayload, ApiError> {
        let state = ctx.data::<AppState>()?;
        let client = ctx.data::<ClientInfo>()?;
        let caller = policy::require_user(ctx.data::<Caller>()?)?;
        confirm_password(state, client, caller, &input.password, "delete_my_account").await?;
        let now = state.clock.now();
        let account = user::schedule_deletion(&state.db, caller.id, deletion_due(now), now)
            .await?
            .ok_or_else(|| ApiError::internal(&"a signed-in account is missing"))?;
        let scheduled = account
            .delete_after
            .ok_or_else(|| ApiError::new(ErrorCode::Conflict, "this account is already deleted"))?;
        tracing::info!(user.id = %caller.id, delete_after = %scheduled, "account deletion scheduled");
        Ok(DeleteMyAccountPayload {
            user: User::new(policy::signed_in_account(account)),
            deletion_scheduled_for: scheduled,
        })
    }

    /// Calls off your account's scheduled deletion (nothing happens if none is scheduled).
    async fn cancel_account_deletion(
        &self,
        ctx: &Context<'_>,
    ) -> Result<CancelAccountDeletionPayload, ApiError> {
        let state = ctx.data::<AppState>()?;
        let caller = policy::require_user(ctx.data::<Caller>()?)?;
        let account = user::cancel_deletion(&state.db, caller.id, state.clock.now())
            .await?
            .ok_or_else(|| ApiError::internal(&"a signed-in account is missing"))?;
        Ok(CancelAccountDeletionPayload {
            user: User::new(policy::signed_in_account(account)),
        })
    }
}
