//! The changes feed: what changed, for the caller, since a cursor (objects created, updated
//! and deleted, by global ID and type, in commit order), so an offline-first app syncs
//! incrementally and knows what to drop. Changes are recorded where the writes happen
//! ([`recorded`]); who sees one is decided when it is recorded (a couple, or one member) and
//! again when it is read (the policy's [`ChangeAudience`]): a partner's private objects never
//! appear, not even as an ID.

use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use domain::input::Reason;
use entities::change::{self, Action, Audience, NewChange};
use uuid::Uuid;

use super::ids::{NodeKind, global_id};
use crate::auth::Caller;
use crate::auth::policy::{self, ChangeAudience};
use crate::error::ApiError;
use crate::state::AppState;

/// Page size when the client names none.
const DEFAULT_FIRST: u64 = 100;
/// The largest page.
const MAX_FIRST: u64 = 500;

/// A change to record: `kind` object `id` had `action` done to it, for `audience`.
pub fn recorded(kind: NodeKind, id: Uuid, action: Action, audience: Audience) -> NewChange {
    NewChange {
        kind: kind.name(),
        object_id: id,
        action,
        audience,
    }
}

/// The current members of `couple_id` other than `except`, each an audience of their own: for
/// what only the partner gains or loses (a result shared, then unshared).
pub async fn partners_of<C: sea_orm::ConnectionTrait>(
    db: &C,
    couple_id: Uuid,
    except: Uuid,
) -> Result<Vec<Audience>, sea_orm::DbErr> {
    Ok(entities::couple_member::with_users(db, &[couple_id])
        .await?
        .into_iter()
        .filter(|(member, _)| member.is_current() && member.user_id != except)
        .map(|(member, _)| Audience::Member(member.user_id))
        .collect())
}

/// What happened to an object.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum ChangeAction {
    /// The object is new: fetch it (`node(id:)` or the list it belongs to).
    Created,
    /// The object changed: fetch it again.
    Updated,
    /// The object is gone, or no longer yours to see: drop it.
    Deleted,
}

impl From<Action> for ChangeAction {
    fn from(action: Action) -> Self {
        match action {
            Action::Created => ChangeAction::Created,
            Action::Updated => ChangeAction::Updated,
            Action::Deleted => ChangeAction::Deleted,
        }
    }
}

/// One change to one object.
#[derive(SimpleObject)]
pub struct Change {
    /// The object's global ID.
    pub id: ID,
    /// The object's GraphQL type (`Plan`, `PlanItem`, `Completion`, …).
    #[graphql(name = "type")]
    pub kind: String,
    /// What happened to it.
    pub action: ChangeAction,
    /// When it was recorded.
    pub at: DateTime<Utc>,
}

/// A page of the feed. Unlike the lists, it is not a Relay connection: a sync needs a cursor
/// to continue from even when nothing changed, and `endCursor` is always one.
#[derive(SimpleObject)]
pub struct ChangeFeed {
    /// The changes after the cursor, oldest first; an object may appear more than once.
    pub changes: Vec<Change>,
    /// Where the next sync starts: pass it as `after`. Keep it; it expires after the
    /// retention (`REKINDLE_CHANGES_RETENTION_DAYS`), and a newer one is given out every time.
    pub end_cursor: String,
    /// More changes are waiting: ask again at once with `endCursor`.
    pub has_more: bool,
}

/// A position in the feed, and when it was handed out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Cursor {
    seq: i64,
    issued_at: i64,
}

const CURSOR_PREFIX: &str = "changes:";

impl Cursor {
    fn encode(self) -> String {
        URL_SAFE_NO_PAD.encode(format!("{CURSOR_PREFIX}{}:{}", self.seq, self.issued_at))
    }

    fn decode(text: &str) -> Result<Self, ApiError> {
        let invalid = || {
            ApiError::invalid(
                "after",
                Reason::BadFormat,
                "that is not a changes cursor this server gave out",
            )
        };
        let bytes = URL_SAFE_NO_PAD.decode(text).map_err(|_| invalid())?;
        let text = String::from_utf8(bytes).map_err(|_| invalid())?;
        let rest = text.strip_prefix(CURSOR_PREFIX).ok_or_else(invalid)?;
        let (seq, issued_at) = rest.split_once(':').ok_or_else(invalid)?;
        Ok(Self {
            seq: seq.parse().map_err(|_| invalid())?,
            issued_at: issued_at.parse().map_err(|_| invalid())?,
        })
    }
}

/// The answer to a cursor older than the retention: the app must reload everything.
fn expired() -> async_graphql::Error {
    async_graphql::Error::from(ApiError::invalid(
        "after",
        Reason::ChangesCursorExpired,
        "this changes cursor is older than the changes kept: reload everything, then sync from a new cursor (changesCursor)",
    ))
}

#[derive(Default)]
pub struct ChangesQuery;

#[Object]
impl ChangesQuery {
    /// What changed for the caller after `after` (a cursor from `changesCursor` or an earlier
    /// page's `endCursor`; without one, from the oldest change kept), in commit order: objects
    /// created, updated and deleted in what the caller may see (their own objects and their
    /// couple's). A cursor older than the retention answers BAD_USER_INPUT with
    /// `extensions.reason: "CHANGES_CURSOR_EXPIRED"`: reload everything, then sync from a new
    /// cursor.
    #[graphql(complexity = "first.map_or(100, |f| f.max(0) as usize) * child_complexity")]
    async fn changes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The cursor to continue from.")] after: Option<String>,
        #[graphql(desc = "At most this many changes (default 100, at most 500).")] first: Option<
            i32,
        >,
    ) -> async_graphql::Result<ChangeFeed> {
        let state = ctx.data::<AppState>()?;
        let caller = ctx.data::<Caller>()?;
        let audience = policy::change_audience(state, caller).await?;
        let now = state.clock.now();
        let limit = match first {
            None => DEFAULT_FIRST,
            Some(first) => u64::try_from(first)
                .ok()
                .filter(|f| (1..=MAX_FIRST).contains(f))
                .ok_or_else(|| {
                    ApiError::invalid(
                        "first",
                        Reason::OutOfRange,
                        format!("`first` must be between 1 and {MAX_FIRST}"),
                    )
                })?,
        };
        let from = match after.as_deref().map(Cursor::decode).transpose()? {
            None => 0,
            Some(cursor) => {
                let issued = DateTime::from_timestamp(cursor.issued_at, 0).ok_or_else(|| {
                    ApiError::invalid("after", Reason::BadFormat, "that changes cursor is damaged")
                })?;
                let retention =
                    chrono::Duration::from_std(state.settings.clients.changes_retention)
                        .map_err(|err| ApiError::internal(&err))?;
                if domain::changes::cursor_expired(issued, now, retention) {
                    return Err(expired());
                }
                cursor.seq
            }
        };
        page(state, audience, from, limit, now)
            .await
            .map_err(Into::into)
    }

    /// A cursor at the newest change the caller may see now. Take one before loading
    /// everything, then sync from it with `changes(after:)`: nothing that changes during the
    /// load is missed. It moves only with changes the caller may see.
    async fn changes_cursor(&self, ctx: &Context<'_>) -> Result<String, ApiError> {
        let state = ctx.data::<AppState>()?;
        let audience = policy::change_audience(state, ctx.data::<Caller>()?).await?;
        let seq = change::newest_for(&state.db, audience.user(), audience.couple()).await?;
        Ok(Cursor {
            seq,
            issued_at: state.clock.now().timestamp(),
        }
        .encode())
    }
}

async fn page(
    state: &AppState,
    audience: ChangeAudience,
    from: i64,
    limit: u64,
    now: DateTime<Utc>,
) -> Result<ChangeFeed, ApiError> {
    let mut rows = change::page_for(
        &state.db,
        audience.user(),
        audience.couple(),
        from,
        limit.saturating_add(1),
    )
    .await?;
    let has_more = rows.len() as u64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    let end = rows.last().map_or(from, |row| row.seq);
    let mut changes = Vec::with_capacity(rows.len());
    for row in rows {
        let (Some(kind), Some(action)) =
            (NodeKind::from_prefix(&row.kind), Action::parse(&row.action))
        else {
            return Err(ApiError::from(entities::BadRow::new(
                "changes",
                row.seq,
                "kind, action",
                format!("unknown kind `{}` or action `{}`", row.kind, row.action),
            )));
        };
        changes.push(Change {
            id: global_id(kind, row.object_id),
            kind: row.kind,
            action: action.into(),
            at: row.created_at,
        });
    }
    Ok(ChangeFeed {
        changes,
        end_cursor: Cursor {
            seq: end,
            issued_at: now.timestamp(),
        }
        .encode(),
        has_more,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notifications_recorded_by_the_worker_carry_their_graphql_type() {
        assert_eq!(
            entities::notification::CHANGE_KIND,
            NodeKind::Notification.name()
        );
        assert_eq!(
            NodeKind::from_prefix(NodeKind::Notification.name()),
            Some(NodeKind::Notification)
        );
    }

    #[test]
    fn cursors_round_trip_and_refuse_others() {
        let cursor = Cursor {
            seq: 42,
            issued_at: 1_800_000_000,
        };
        assert_eq!(Cursor::decode(&cursor.encode()).unwrap(), cursor);
        assert!(Cursor::decode("junk").is_err());
        assert!(Cursor::decode(&crate::graphql::connection::encode_cursor("42")).is_err());
    }
}
