//! The `changes` table: what was created, updated or deleted, by object kind and ID, each for
//! an audience (a couple's members, or one member), numbered in commit order. Clients sync
//! from it (the `changes` feed).
//!
//! Commit order: a change is recorded inside the transaction of the write it describes, as
//! its last statement. On PostgreSQL, recording takes a transaction-scoped advisory lock first,
//! so transactions that record changes commit one at a time from that point and their
//! sequence numbers are handed out in commit order: a reader that has seen number N will never
//! later find a smaller one committed. SQLite has one writer at a time already.

use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::*;
use sea_orm::{
    Condition, DbBackend, QueryOrder, QuerySelect, Set, TransactionSession, TransactionTrait,
};

/// The advisory lock every change-recording transaction takes on PostgreSQL.
const RECORDING_LOCK: i64 = 0x7265_6b69_6e64_6c65; // "rekindle"

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "changes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub seq: i64,
    pub kind: String,
    pub object_id: Uuid,
    pub action: String,
    pub couple_id: Option<Uuid>,
    pub user_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// What happened to the object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Created,
    Updated,
    Deleted,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Created => "CREATED",
            Action::Updated => "UPDATED",
            Action::Deleted => "DELETED",
        }
    }

    pub fn parse(stored: &str) -> Option<Self> {
        match stored {
            "CREATED" => Some(Action::Created),
            "UPDATED" => Some(Action::Updated),
            "DELETED" => Some(Action::Deleted),
            _ => None,
        }
    }
}

/// Who may learn of a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Whoever is a member of the couple when they read the feed.
    Couple(Uuid),
    /// This member only (their own private objects, or what only they gain or lose).
    Member(Uuid),
}

/// A change to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewChange {
    pub kind: &'static str,
    pub object_id: Uuid,
    pub action: Action,
    pub audience: Audience,
}

/// Records `changes` at `now`, as the last statement of the caller's transaction (or in one
/// of their own when `db` is a connection): see the module's note on commit order.
pub async fn record<C>(db: &C, changes: &[NewChange], now: DateTime<Utc>) -> Result<(), DbErr>
where
    C: ConnectionTrait + TransactionTrait,
{
    if changes.is_empty() {
        return Ok(());
    }
    let txn = db.begin().await?;
    if txn.get_database_backend() == DbBackend::Postgres {
        txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({RECORDING_LOCK})"))
            .await?;
    }
    let rows = changes.iter().map(|change| {
        let (couple_id, user_id) = match change.audience {
            Audience::Couple(couple) => (Some(couple), None),
            Audience::Member(user) => (None, Some(user)),
        };
        ActiveModel {
            kind: Set(change.kind.to_owned()),
            object_id: Set(change.object_id),
            action: Set(change.action.as_str().to_owned()),
            couple_id: Set(couple_id),
            user_id: Set(user_id),
            created_at: Set(now),
            ..Default::default()
        }
    });
    Entity::insert_many(rows).exec(&txn).await?;
    txn.commit().await
}

/// Up to `limit` changes after `after` that `user` may see as a member of `couple` (when in
/// one), oldest first.
pub async fn page_for<C: ConnectionTrait>(
    db: &C,
    user: Uuid,
    couple: Option<Uuid>,
    after: i64,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::Seq.gt(after))
        .filter(audience(user, couple))
        .order_by_asc(Column::Seq)
        .limit(limit)
        .all(db)
        .await
}

/// The changes `user` may see as a member of `couple` (when in one).
fn audience(user: Uuid, couple: Option<Uuid>) -> Condition {
    let mut audience = Condition::any().add(Column::UserId.eq(user));
    if let Some(couple) = couple {
        audience = audience.add(Column::CoupleId.eq(couple));
    }
    audience
}

/// The number of the newest change `user` may see as a member of `couple` (0 before any):
/// it moves only with what they may see, never with anyone else's activity.
pub async fn newest_for<C: ConnectionTrait>(
    db: &C,
    user: Uuid,
    couple: Option<Uuid>,
) -> Result<i64, DbErr> {
    let newest: Option<i64> = Entity::find()
        .filter(audience(user, couple))
        .select_only()
        .column_as(Column::Seq.max(), "newest")
        .into_tuple()
        .one(db)
        .await?
        .flatten();
    Ok(newest.unwrap_or(0))
}

/// Forgets changes recorded before `before`; answers how many.
pub async fn prune<C: ConnectionTrait>(db: &C, before: DateTime<Utc>) -> Result<u64, DbErr> {
    Entity::delete_many()
        .filter(Column::CreatedAt.lt(before))
        .exec(db)
        .await
        .map(|done| done.rows_affected)
}
