//! The `dead_jobs` table: jobs that failed every attempt, kept for inspection and to run again.

use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::Expr;
use sea_orm::{QueryOrder, Set};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "dead_jobs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub queue: String,
    /// The job as it sat on its queue, attempt count included.
    pub payload: Json,
    pub attempts: i32,
    pub last_error: String,
    pub failed_at: DateTimeUtc,
    pub retried_at: Option<DateTimeUtc>,
    /// An operator decided it will not run again.
    pub discarded_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// A job that will not run again by itself.
pub struct NewDeadJob<'a> {
    pub queue: &'a str,
    pub payload: Json,
    pub attempts: u32,
    pub last_error: &'a str,
}

pub async fn record<C: ConnectionTrait>(
    db: &C,
    new: NewDeadJob<'_>,
    now: DateTime<Utc>,
) -> Result<Model, DbErr> {
    ActiveModel {
        id: Set(Uuid::now_v7()),
        queue: Set(new.queue.to_owned()),
        payload: Set(new.payload),
        attempts: Set(i32::try_from(new.attempts).unwrap_or(i32::MAX)),
        last_error: Set(new.last_error.to_owned()),
        failed_at: Set(now),
        retried_at: Set(None),
        discarded_at: Set(None),
    }
    .insert(db)
    .await
}

/// Dead jobs an operator has not yet sent back or discarded.
fn awaiting() -> Select<Entity> {
    Entity::find()
        .filter(Column::RetriedAt.is_null())
        .filter(Column::DiscardedAt.is_null())
}

/// Dead jobs not yet run again, oldest first.
pub async fn waiting<C: ConnectionTrait>(db: &C) -> Result<Vec<Model>, DbErr> {
    awaiting().order_by_asc(Column::Id).all(db).await
}

/// Dead jobs not yet run again, counted by queue.
pub async fn waiting_by_queue<C: ConnectionTrait>(
    db: &C,
) -> Result<std::collections::HashMap<String, u64>, DbErr> {
    crate::count_by(db, awaiting(), Column::Queue, Column::Id).await
}

pub async fn find<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id(id).one(db).await
}

/// One page of the dead jobs awaiting an operator, newest first, of one queue or all.
pub async fn page_waiting<C: ConnectionTrait>(
    db: &C,
    queue: Option<&str>,
    request: &crate::page::PageRequest,
) -> Result<crate::page::Page<Model>, DbErr> {
    let mut query = awaiting();
    if let Some(queue) = queue {
        query = query.filter(Column::Queue.eq(queue));
    }
    crate::page::by_uuid_newest_first(db, query, Column::Id, request).await
}

/// Marks a dead job as sent back to its queue; answers false when it already was, or was
/// discarded.
pub async fn mark_retried<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    settle(db, id, Column::RetriedAt, now).await
}

/// Marks a dead job as discarded: it will not run again. Answers false when it was already
/// sent back or discarded.
pub async fn discard<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    settle(db, id, Column::DiscardedAt, now).await
}

/// Sets `column` to `now` on a dead job still awaiting an operator; answers whether it did.
async fn settle<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    column: Column,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let done = Entity::update_many()
        .col_expr(column, Expr::value(now))
        .filter(Column::Id.eq(id))
        .filter(Column::RetriedAt.is_null())
        .filter(Column::DiscardedAt.is_null())
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}
