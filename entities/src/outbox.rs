//! The `outbox` table: jobs a write causes, stored in that write's transaction (see
//! `runtime::write`). A row lives until its job has run: a run claims it first (so a job
//! handed to the queue twice runs once) and removes it when done. Rows never handed over, or
//! handed over long ago and never run, are the relay's to send.

use chrono::{DateTime, Duration, Utc};
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{Condition, QueryOrder, QuerySelect, Set};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outbox")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub queue: String,
    /// The job as it goes on its queue, naming this row.
    pub payload: String,
    pub created_at: DateTimeUtc,
    pub run_at: DateTimeUtc,
    pub handed_at: Option<DateTimeUtc>,
    pub claimed_until: Option<DateTimeUtc>,
    pub runs: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// A job to store with a write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEntry {
    pub id: Uuid,
    pub queue: String,
    pub payload: String,
    pub run_at: DateTime<Utc>,
}

/// Stores `entries` (in the caller's transaction).
pub async fn insert<C: ConnectionTrait>(
    db: &C,
    entries: &[NewEntry],
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    // A few hundred rows per statement keeps within SQLite's bound-parameter limit.
    for chunk in entries.chunks(500) {
        let rows = chunk.iter().map(|entry| ActiveModel {
            id: Set(entry.id),
            queue: Set(entry.queue.clone()),
            payload: Set(entry.payload.clone()),
            created_at: Set(now),
            run_at: Set(entry.run_at),
            handed_at: Set(None),
            claimed_until: Set(None),
            runs: Set(0),
        });
        Entity::insert_many(rows).exec(db).await?;
    }
    Ok(())
}

/// Notes that `ids` were handed to the queue at `now`.
pub async fn mark_handed<C: ConnectionTrait>(
    db: &C,
    ids: &[Uuid],
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    for chunk in ids.chunks(500) {
        Entity::update_many()
            .col_expr(Column::HandedAt, Expr::value(now))
            .filter(Column::Id.is_in(chunk.iter().copied()))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// Up to `limit` rows the relay should hand to the queue, oldest first: never handed over
/// and older than `grace` (the writer hands its own over at once), or handed over more than
/// `lost_after` ago and never run (the queue lost them, or a relay died before noting it).
pub async fn stranded<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    grace: Duration,
    lost_after: Duration,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(
            Condition::any()
                .add(
                    Condition::all()
                        .add(Column::HandedAt.is_null())
                        .add(Column::CreatedAt.lte(now - grace)),
                )
                .add(
                    Condition::all()
                        .add(Column::Runs.eq(0))
                        .add(Column::HandedAt.lte(now - lost_after)),
                ),
        )
        .order_by_asc(Column::CreatedAt)
        .limit(limit)
        .all(db)
        .await
}

/// What a run found when it went to take its job's row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// This run holds it: do the job.
    Taken,
    /// The row is gone: the job ran (or was dead-lettered) already.
    Done,
    /// Another run holds it until then.
    HeldUntil(DateTime<Utc>),
}

/// Takes the row for one run until `until`, unless another run holds it or it is gone.
pub async fn claim<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Claim, DbErr> {
    let taken = Entity::update_many()
        .col_expr(Column::ClaimedUntil, Expr::value(until))
        .col_expr(Column::Runs, Expr::col(Column::Runs).add(1))
        .filter(Column::Id.eq(id))
        .filter(
            Condition::any()
                .add(Column::ClaimedUntil.is_null())
                .add(Column::ClaimedUntil.lt(now)),
        )
        .exec(db)
        .await?;
    if taken.rows_affected == 1 {
        return Ok(Claim::Taken);
    }
    Ok(match Entity::find_by_id(id).one(db).await? {
        None => Claim::Done,
        // Held (or, read a moment later, already free again: look again soon).
        Some(row) => Claim::HeldUntil(row.claimed_until.unwrap_or(now)),
    })
}

/// Lets the row go after a failed run, so the job's next run can take it.
pub async fn release<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<(), DbErr> {
    Entity::update_many()
        .col_expr(
            Column::ClaimedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Removes the row: its job ran (or was dead-lettered).
pub async fn finish<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<(), DbErr> {
    Entity::delete_by_id(id).exec(db).await?;
    Ok(())
}

/// How many rows wait, and when the oldest was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Depth {
    pub entries: u64,
    pub oldest: Option<DateTime<Utc>>,
}

pub async fn depth<C: ConnectionTrait>(db: &C) -> Result<Depth, DbErr> {
    let row: Option<(i64, Option<DateTime<Utc>>)> = Entity::find()
        .select_only()
        .column_as(Column::Id.count(), "n")
        .column_as(Column::CreatedAt.min(), "oldest")
        .into_tuple()
        .one(db)
        .await?;
    let (n, oldest) = row.unwrap_or((0, None));
    Ok(Depth {
        entries: u64::try_from(n).unwrap_or(0),
        oldest,
    })
}
