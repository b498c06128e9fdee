//! Decisions about notifications and their preferences: a member's notifications and settings
//! are theirs alone; nobody else, not their partner and not an administrator, reads them.

use entities::notification;
use uuid::Uuid;

use super::{ItemAccess, readable_item, require_user};
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
