//! The `notifications` table: what each member is told, unique per dedupe key.

use chrono::{DateTime, Utc};
use domain::notification::{Draft, Kind};
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::Expr;
use sea_orm::{PaginatorTrait, QueryOrder, QuerySelect, Set};

use crate::stored::{self, BadRow};

const TABLE: &str = "notifications";

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notifications")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Uuid,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub data: Json,
    pub dedupe_key: String,
    pub created_at: DateTimeUtc,
    pub read_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    pub fn kind(&self) -> Result<Kind, BadRow> {
        stored::parse(TABLE, self.id, "kind", &self.kind)
    }
}

/// Stores a notification unless one with its dedupe key exists; answers the new row, or
/// `None` when it was already there.
pub async fn insert_once<C: ConnectionTrait + sea_orm::TransactionTrait>(
    db: &C,
    draft: Draft,
    now: DateTime<Utc>,
) -> Result<Option<Model>, DbErr> {
    Ok(insert_many_once(db, vec![draft], now).await?.pop())
}

/// Stores many notifications, each unless one with its dedupe key exists; answers the rows
/// this call added.
pub async fn insert_many_once<C: ConnectionTrait + sea_orm::TransactionTrait>(
    db: &C,
    drafts: Vec<Draft>,
    now: DateTime<Utc>,
) -> Result<Vec<Model>, DbErr> {
    if drafts.is_empty() {
        return Ok(Vec::new());
    }
    let rows = drafts.into_iter().map(|draft| ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(draft.user_id),
        kind: Set(draft.kind.as_str().to_owned()),
        title: Set(draft.title),
        body: Set(draft.body),
        data: Set(draft.data),
        dedupe_key: Set(draft.dedupe_key),
        created_at: Set(now),
        read_at: Set(None),
    });
    let inserted = Entity::insert_many(rows)
        .on_conflict_do_nothing_on([Column::DedupeKey])
        .exec_with_returning_many(db)
        .await?;
    let added = match inserted {
        sea_orm::TryInsertResult::Inserted(rows) => rows,
        _ => Vec::new(),
    };
    // Each member's changes feed learns of their new notifications.
    let changes: Vec<_> = added
        .iter()
        .map(|row| created(row.id, row.user_id))
        .collect();
    crate::change::record(db, &changes, now).await?;
    Ok(added)
}

/// The changes feed's name for notifications (their GraphQL type).
pub const CHANGE_KIND: &str = "Notification";

fn created(id: Uuid, user_id: Uuid) -> crate::change::NewChange {
    crate::change::NewChange {
        kind: CHANGE_KIND,
        object_id: id,
        action: crate::change::Action::Created,
        audience: crate::change::Audience::Member(user_id),
    }
}

/// Which of `ids` (all, when `None`) are the member's own unread notifications.
pub async fn unread_among<C: ConnectionTrait>(
    db: &C,
    user_id: Uuid,
    ids: Option<&[Uuid]>,
) -> Result<Vec<Uuid>, DbErr> {
    let mut query = Entity::find()
        .select_only()
        .column(Column::Id)
        .filter(Column::UserId.eq(user_id))
        .filter(Column::ReadAt.is_null());
    if let Some(ids) = ids {
        query = query.filter(Column::Id.is_in(ids.iter().copied()));
    }
    query.into_tuple().all(db).await
}

/// A page of a member's notifications, newest first: `limit` of them after the `after` ID
/// (older than it), with whether more follow and how many match in all.
pub async fn page_for_user<C: ConnectionTrait>(
    db: &C,
    user_id: Uuid,
    unread_only: bool,
    after: Option<Uuid>,
    limit: u64,
) -> Result<(Vec<Model>, bool, u64), DbErr> {
    let mut query = Entity::find().filter(Column::UserId.eq(user_id));
    if unread_only {
        query = query.filter(Column::ReadAt.is_null());
    }
    let total = query.clone().count(db).await?;
    if let Some(after) = after {
        query = query.filter(Column::Id.lt(after));
    }
    let mut rows = query
        .order_by_desc(Column::Id)
        .limit(limit.saturating_add(1))
        .all(db)
        .await?;
    let more = rows.len() as u64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    Ok((rows, more, total))
}

/// Marks a member's notifications read: the given ones, or all of them; answers how many
/// changed. Other members' IDs match nothing.
pub async fn mark_read<C: ConnectionTrait>(
    db: &C,
    user_id: Uuid,
    ids: Option<&[Uuid]>,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let mut update = Entity::update_many()
        .col_expr(Column::ReadAt, Expr::value(now))
        .filter(Column::UserId.eq(user_id))
        .filter(Column::ReadAt.is_null());
    if let Some(ids) = ids {
        update = update.filter(Column::Id.is_in(ids.iter().copied()));
    }
    Ok(update.exec(db).await?.rows_affected)
}

/// How many notifications of `kind` a member received in `[from, to)`.
pub async fn count_between<C: ConnectionTrait>(
    db: &C,
    user_id: Uuid,
    kind: Kind,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<u64, DbErr> {
    Entity::find()
        .filter(Column::UserId.eq(user_id))
        .filter(Column::Kind.eq(kind.as_str()))
        .filter(Column::CreatedAt.gte(from))
        .filter(Column::CreatedAt.lt(to))
        .count(db)
        .await
}

pub async fn unread_count<C: ConnectionTrait>(db: &C, user_id: Uuid) -> Result<u64, DbErr> {
    Entity::find()
        .filter(Column::UserId.eq(user_id))
        .filter(Column::ReadAt.is_null())
        .count(db)
        .await
}

/// These notifications (those that still exist).
pub async fn find_many<C: ConnectionTrait>(db: &C, ids: &[Uuid]) -> Result<Vec<Model>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Entity::find()
        .filter(Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await
}

pub async fn find<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id(id).one(db).await
}
