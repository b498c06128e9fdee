//! A member's notifications (reminders, what their partner did, summaries) and how they want
//! them: a daily cap on ritual reminders, muted plan items, and the quiet hours on their
//! profile. Each member reads and changes only their own.

mod mutation;

pub use mutation::NotificationMutation;

use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, Enum, ID, Json, Object, SimpleObject, Subscription};
use chrono::{DateTime, Utc};
use entities::notification_settings::{self, muted};
use entities::{notification, user};
use futures_util::Stream;
use serde_json::Value;
use tokio::sync::broadcast::error::RecvError;

use crate::auth::Caller;
use crate::auth::policy::{self, NotificationAccess};
use crate::error::ApiError;
use crate::graphql::account::types::QuietHours;
use crate::graphql::connection::{PageArgs, encode_cursor};
use crate::graphql::ids::{NodeKind, global_id};
use crate::graphql::plan::items::PlanItem;
use crate::state::AppState;

/// The highest daily cap a member may set (a higher one would cap nothing).
pub const MAX_DAILY_CAP: i32 = 100;
/// IDs one `markNotificationsRead` or preference change takes at most.
pub const MAX_IDS: usize = 100;

/// What a notification is about.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "domain::notification::Kind")]
pub enum NotificationKind {
    /// A ritual of yours is due.
    RitualReminder,
    /// Your partner logged a ritual (never its note or how close it felt).
    PartnerCompleted,
    /// Your partner answered today's check-in (never the answer).
    PartnerCheckedIn,
    /// Your couple's weekly summary is ready.
    WeeklySummaryReady,
    /// The export of your data you asked for is ready to download (with the link in the
    /// answer to `exportMyData`).
    DataExportReady,
}

/// Something Rekindle told you.
pub struct Notification(pub NotificationAccess);

/// Something Rekindle told you.
#[Object]
impl Notification {
    /// The notification's global ID.
    pub async fn id(&self) -> ID {
        global_id(NodeKind::Notification, self.0.row().id)
    }

    /// What it is about.
    async fn kind(&self) -> Result<NotificationKind, ApiError> {
        Ok(self.0.row().kind()?.into())
    }

    /// One line to show, with no private content in it.
    async fn title(&self) -> &str {
        &self.0.row().title
    }

    /// A sentence more.
    async fn body(&self) -> &str {
        &self.0.row().body
    }

    /// What the notification points at, by kind: `planItemId` (a global ID) and
    /// `occurrenceDate` for rituals, `date` for check-ins.
    async fn data(&self) -> Json<Value> {
        Json(client_data(&self.0.row().data))
    }

    /// When it was sent.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.row().created_at
    }

    /// When you marked it read; null while unread.
    async fn read_at(&self) -> Option<DateTime<Utc>> {
        self.0.row().read_at
    }

    /// Whether you marked it read.
    async fn read(&self) -> bool {
        self.0.row().read_at.is_some()
    }
}

/// Stored data names rows by UUID; clients get global IDs.
fn client_data(stored: &Value) -> Value {
    let mut data = stored.clone();
    if let Some(object) = data.as_object_mut()
        && let Some(raw) = object.get("planItemId").and_then(Value::as_str)
        && let Ok(uuid) = uuid::Uuid::parse_str(raw)
    {
        let id = global_id(NodeKind::PlanItem, uuid);
        object.insert("planItemId".into(), Value::String(id.to_string()));
    }
    data
}

/// Totals of a page of notifications.
#[derive(SimpleObject)]
pub struct NotificationTotals {
    /// How many notifications match, across all pages.
    pub total_count: u64,
    /// How many of yours are unread, whatever the filter.
    pub unread_count: u64,
}

pub type NotificationConnection =
    Connection<String, Notification, NotificationTotals, async_graphql::connection::EmptyFields>;

/// How you want to be notified.
pub struct NotificationPreferences {
    account: user::Model,
    daily_cap: Option<u32>,
    muted: Vec<PlanItem>,
}

/// How you want to be notified.
#[Object]
impl NotificationPreferences {
    /// The most ritual reminders you get in a day (your local day); null for no cap.
    async fn daily_cap(&self) -> Option<u32> {
        self.daily_cap
    }

    /// Plan items you get no reminders for.
    async fn muted_plan_items(&self) -> &[PlanItem] {
        &self.muted
    }

    /// When no reminder reaches you (set on your profile with `updateProfile`); a reminder
    /// that falls inside them comes at their end.
    async fn quiet_hours(&self) -> Option<QuietHours> {
        match (
            &self.account.quiet_hours_start,
            &self.account.quiet_hours_end,
        ) {
            (Some(start), Some(end)) => Some(QuietHours {
                start: start.clone(),
                end: end.clone(),
            }),
            _ => None,
        }
    }
}

async fn preferences(
    state: &AppState,
    caller: &Caller,
) -> Result<NotificationPreferences, ApiError> {
    let owner = policy::own_inbox(caller)?;
    let account = policy::own_account(caller)?;
    let daily_cap = notification_settings::daily_cap(&state.db, owner).await?;
    let mut muted_items = Vec::new();
    for item_id in muted::for_user(&state.db, owner).await? {
        // An item of a couple the member left is no longer theirs to see.
        if let Ok(access) = policy::mutable_item(state, caller, item_id).await {
            muted_items.push(PlanItem::new(access));
        }
    }
    Ok(NotificationPreferences {
        account: account.account().clone(),
        daily_cap,
        muted: muted_items,
    })
}

#[derive(Default)]
pub struct NotificationQuery;

#[Object]
impl NotificationQuery {
    /// Your notifications, newest first.
    #[graphql(complexity = "first.map_or(20, |n| n.clamp(0, 100) as usize) * child_complexity")]
    async fn notifications(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many (0 to 100; default 20).")] first: Option<i32>,
        #[graphql(desc = "Only notifications older than this cursor.")] after: Option<String>,
        #[graphql(desc = "Only unread ones (default false).")] unread_only: Option<bool>,
    ) -> Result<NotificationConnection, ApiError> {
        let state = ctx.data::<AppState>()?;
        let caller = ctx.data::<Caller>()?;
        let owner = policy::own_inbox(caller)?;
        let request = PageArgs {
            first,
            after,
            ..PageArgs::default()
        }
        .into_uuid_request()?;
        let after = request
            .after
            .as_deref()
            .and_then(|key| uuid::Uuid::parse_str(key).ok());
        let (rows, more, total_count) = notification::page_for_user(
            &state.db,
            owner,
            unread_only.unwrap_or(false),
            after,
            request.limit,
        )
        .await?;
        let unread_count = notification::unread_count(&state.db, owner).await?;
        let mut connection = Connection::with_additional_fields(
            after.is_some(),
            more,
            NotificationTotals {
                total_count,
                unread_count,
            },
        );
        connection.edges = rows
            .into_iter()
            .filter_map(|row| {
                let key = row.id.to_string();
                policy::own_notification(caller, row)
                    .map(|access| Edge::new(encode_cursor(&key), Notification(access)))
            })
            .collect();
        Ok(connection)
    }

    /// How you want to be notified.
    async fn notification_preferences(
        &self,
        ctx: &Context<'_>,
    ) -> Result<NotificationPreferences, ApiError> {
        preferences(ctx.data::<AppState>()?, ctx.data::<Caller>()?).await
    }
}

#[derive(Default)]
pub struct NotificationSubscription;

#[Subscription]
impl NotificationSubscription {
    /// Each notification of yours as it is stored, on whichever api instance you are connected
    /// to. Sign in with the socket's `connection_init`; missed ones are in `notifications`.
    async fn notification_added(
        &self,
        ctx: &Context<'_>,
    ) -> Result<impl Stream<Item = Notification> + use<>, ApiError> {
        let state = ctx.data::<AppState>()?.clone();
        let caller = ctx.data::<Caller>()?.clone();
        let owner = policy::own_inbox(&caller)?;
        let events = state.notifications.subscribe();
        Ok(futures_util::stream::unfold(
            (events, state, caller),
            move |(mut events, state, caller)| async move {
                loop {
                    let event = match events.recv().await {
                        Ok(event) if event.user_id == owner => event,
                        // Someone else's, or missed while this subscriber fell behind (the
                        // list still has those).
                        Ok(_) | Err(RecvError::Lagged(_)) => continue,
                        Err(RecvError::Closed) => return None,
                    };
                    let Ok(Some(row)) = notification::find(&state.db, event.notification_id).await
                    else {
                        continue;
                    };
                    if let Some(access) = policy::own_notification(&caller, row) {
                        return Some((Notification(access), (events, state, caller)));
                    }
                }
            },
        ))
    }
}
