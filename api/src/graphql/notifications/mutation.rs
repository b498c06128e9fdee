//! Marking notifications read and changing notification preferences.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use domain::input::Reason;
use entities::notification;
use entities::notification_settings::{self, muted};

use crate::auth::Caller;
use crate::auth::policy;
use crate::error::ApiError;
use crate::graphql::changes::recorded;
use crate::graphql::ids::{NodeKind, decode_id_of};
use crate::state::AppState;
use entities::change::{Action, Audience};

use super::{MAX_DAILY_CAP, MAX_IDS, NotificationPreferences, preferences};

/// Which notifications to mark read.
#[derive(InputObject)]
pub struct MarkNotificationsReadInput {
    /// These notifications (at most 100); IDs that are not yours change nothing.
    pub ids: Option<Vec<ID>>,
    /// Every unread notification of yours. Give `ids` or `all: true`, not both.
    #[graphql(default = false)]
    pub all: bool,
}

/// What `markNotificationsRead` changed.
#[derive(SimpleObject)]
pub struct MarkNotificationsReadPayload {
    /// How many were unread and are now read.
    pub marked: u64,
    /// How many of yours are still unread.
    pub unread_count: u64,
}

/// Changes to how you want to be notified; what you leave out stays as it is.
#[derive(InputObject)]
pub struct UpdateNotificationPreferencesInput {
    /// The most ritual reminders a day (0 to 100); null removes the cap.
    pub daily_cap: MaybeUndefined<i32>,
    /// Plan items to stop reminding you of.
    #[graphql(default)]
    pub mute_plan_item_ids: Vec<ID>,
    /// Plan items to remind you of again.
    #[graphql(default)]
    pub unmute_plan_item_ids: Vec<ID>,
}

/// Your preferences after the change.
#[derive(SimpleObject)]
pub struct UpdateNotificationPreferencesPayload {
    /// How you want to be notified now.
    pub preferences: NotificationPreferences,
}

#[derive(Default)]
pub struct NotificationMutation;

#[Object]
impl NotificationMutation {
    /// Marks notifications read: the given ones, or all of yours.
    async fn mark_notifications_read(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The arguments, each described on `MarkNotificationsReadInput`.")]
        input: MarkNotificationsReadInput,
    ) -> Result<MarkNotificationsReadPayload, ApiError> {
        let state = ctx.data::<AppState>()?;
        let owner = policy::own_inbox(ctx.data::<Caller>()?)?;
        let ids = match (input.ids, input.all) {
            (Some(_), true) => {
                return Err(ApiError::invalid(
                    "input.all",
                    Reason::Incompatible,
                    "give `ids` or `all: true`, not both",
                ));
            }
            (None, false) => {
                return Err(ApiError::invalid(
                    "input.ids",
                    Reason::Required,
                    "give `ids` or `all: true`",
                ));
            }
            (None, true) => None,
            (Some(ids), false) => Some(decode_ids(&ids, NodeKind::Notification, "input.ids")?),
        };
        let now = state.clock.now();
        let mut write = state.writer.begin(now).await?;
        // Only what changes gets a change row: the member's own notifications still unread.
        let touched = notification::unread_among(&*write, owner, ids.as_deref()).await?;
        let marked = notification::mark_read(&*write, owner, Some(&touched), now).await?;
        let changes: Vec<_> = touched
            .iter()
            .map(|id| {
                recorded(
                    NodeKind::Notification,
                    *id,
                    Action::Updated,
                    Audience::Member(owner),
                )
            })
            .collect();
        write.changes(changes);
        write.commit().await?;
        let unread_count = notification::unread_count(&state.db, owner).await?;
        Ok(MarkNotificationsReadPayload {
            marked,
            unread_count,
        })
    }

    /// Sets a daily cap on ritual reminders and mutes or unmutes plan items' reminders.
    async fn update_notification_preferences(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The arguments, each described on `UpdateNotificationPreferencesInput`.")]
        input: UpdateNotificationPreferencesInput,
    ) -> Result<UpdateNotificationPreferencesPayload, ApiError> {
        let state = ctx.data::<AppState>()?;
        let caller = ctx.data::<Caller>()?;
        let owner = policy::own_inbox(caller)?;
        let cap = match input.daily_cap {
            MaybeUndefined::Undefined => None,
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Value(cap @ 0..=MAX_DAILY_CAP) => Some(u32::try_from(cap).ok()),
            MaybeUndefined::Value(_) => {
                return Err(ApiError::invalid(
                    "input.dailyCap",
                    Reason::OutOfRange,
                    format!("dailyCap must be between 0 and {MAX_DAILY_CAP}, or null for no cap"),
                ));
            }
        };
        let mute = decode_ids(
            &input.mute_plan_item_ids,
            NodeKind::PlanItem,
            "input.mutePlanItemIds",
        )?;
        let unmute = decode_ids(
            &input.unmute_plan_item_ids,
            NodeKind::PlanItem,
            "input.unmutePlanItemIds",
        )?;
        if mute.iter().any(|id| unmute.contains(id)) {
            return Err(ApiError::invalid(
                "input.unmutePlanItemIds",
                Reason::Incompatible,
                "a plan item cannot be muted and unmuted at once",
            ));
        }
        // Every item is checked before anything changes: a foreign one changes nothing.
        for id in mute.iter().chain(&unmute) {
            policy::mutable_item(state, caller, *id).await?;
        }
        let now = state.clock.now();
        let write = state.writer.begin(now).await?;
        if let Some(cap) = cap {
            notification_settings::set_daily_cap(&*write, owner, cap, now).await?;
        }
        for id in &mute {
            muted::mute(&*write, owner, *id, now).await?;
        }
        for id in &unmute {
            muted::unmute(&*write, owner, *id).await?;
        }
        write.commit().await?;
        Ok(UpdateNotificationPreferencesPayload {
            preferences: preferences(state, caller).await?,
        })
    }
}

/// Global IDs of one kind as UUIDs, at most [`MAX_IDS`] of them.
/// `field` is the list's path (`input.ids`); a bad ID is named by its place in it.
fn decode_ids(ids: &[ID], kind: NodeKind, field: &str) -> Result<Vec<uuid::Uuid>, ApiError> {
    if ids.len() > MAX_IDS {
        return Err(ApiError::invalid(
            field,
            Reason::TooMany,
            format!("at most {MAX_IDS} IDs at a time"),
        ));
    }
    ids.iter()
        .enumerate()
        .map(|(i, id)| decode_id_of(id, kind, &format!("{field}.{i}")))
        .collect()
}
