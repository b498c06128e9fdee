//! Decisions about notifications, their preferences and weekly summaries: a member's
//! notifications and settings are theirs alone (not their partner's, not an administrator's);
//! a couple's weekly summaries are the couple's, and an administrator may rebuild one without
//! reading it.

use entities::{couple, notification, weekly_summary};
use uuid::Uuid;

use super::{CoupleAccess, ItemAccess, readable_item, require_admin, require_user};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;

/// A decision that the caller may see a notification: it is theirs.
#[derive(Debug, Clone)]
pub struct NotificationAccess {
    row: notification::Model,
}

impl NotificationAccess {
    pub fn row(&self) -> &notification::Model {
        &self.row
    }
}

/// Whose notifications and preferences the caller reads and changes: always their own.
pub fn own_inbox(caller: &Caller) -> Result<Uuid, ApiError> {
    Ok(require_user(caller)?.id)
}

/// A notification row, if it is the caller's; `None` answers exactly like a missing one.
pub fn own_notification(caller: &Caller, row: notification::Model) -> Option<NotificationAccess> {
    let user = caller.user.as_ref()?;
    (row.user_id == user.id).then_some(NotificationAccess { row })
}

/// A plan item the caller may mute or unmute reminders of: one they may read.
pub async fn mutable_item(
    state: &AppState,
    caller: &Caller,
    item_id: Uuid,
) -> Result<ItemAccess, ApiError> {
    readable_item(state, caller, item_id).await
}

/// A decision that the caller may read a weekly summary: one of their couple's.
#[derive(Debug, Clone)]
pub struct SummaryAccess {
    row: weekly_summary::Model,
}

impl SummaryAccess {
    pub fn row(&self) -> &weekly_summary::Model {
        &self.row
    }
}

impl CoupleAccess {
    /// A weekly summary, if it is this couple's.
    pub fn summary(&self, row: weekly_summary::Model) -> Option<SummaryAccess> {
        (row.couple_id == self.couple.id).then_some(SummaryAccess { row })
    }
}

/// A couple whose summary an administrator rebuilds; they get no content back.
pub async fn rebuildable_couple(
    state: &AppState,
    caller: &Caller,
    couple_id: Uuid,
) -> Result<couple::Model, ApiError> {
    require_admin(caller)?;
    couple::find(&state.db, couple_id)
        .await?
        .ok_or_else(|| ApiError::not_found("couple"))
}
