//! The `reminders` table: each member's planned reminder of a plan item's occurrence. Its
//! unique (item, occurrence date, member) key is the reminder's dedupe key: whatever runs how
//! often, an occurrence reminds a member at most once.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::Expr;
use sea_orm::{QueryOrder, QuerySelect, Set};

use crate::stored::{self, BadRow, stored_names};

stored_names!(
    /// Where a reminder stands.
    pub enum Status {
        /// Planned; a job is queued to send it at `fire_at`.
        Scheduled => "scheduled",
        Sent => "sent",
        /// Not sent: logged meanwhile, muted, over the daily cap, paused, removed.
        Skipped => "skipped",
    }
);

const TABLE: &str = "reminders";

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reminders")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub plan_item_id: Uuid,
    pub occurrence_date: NaiveDate,
    pub user_id: Uuid,
    pub due_at: DateTimeUtc,
    pub fire_at: DateTimeUtc,
    pub status: String,
    pub queued_at: DateTimeUtc,
    pub sent_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    pub fn status(&self) -> Result<Status, BadRow> {
        stored::parse(TABLE, self.id, "status", &self.status)
    }
}

/// A reminder the planner wants.
#[derive(Debug, Clone, Copy)]
pub struct Wanted {
    pub plan_item_id: Uuid,
    pub occurrence_date: NaiveDate,
    pub user_id: Uuid,
    pub due_at: DateTime<Utc>,
    pub fire_at: DateTime<Utc>,
}

/// Records the reminder unless its (item, occurrence, member) is already planned; answers the
/// new row, to be queued, or `None`.
pub async fn plan<C: ConnectionTrait>(
    db: &C,
    wanted: Wanted,
    now: DateTime<Utc>,
) -> Result<Option<Model>, DbErr> {
    Ok(plan_many(db, &[wanted], now).await?.pop())
}

/// Records many wanted reminders at once, each unless its (item, occurrence, member) is
/// already planned; answers the rows this call added, to be queued.
pub async fn plan_many<C: ConnectionTrait>(
    db: &C,
    wanted: &[Wanted],
    now: DateTime<Utc>,
) -> Result<Vec<Model>, DbErr> {
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    // A statement holds at most this many rows (nine parameters each, far below the limits).
    const PER_INSERT: usize = 1_000;
    let mut added = Vec::new();
    for chunk in wanted.chunks(PER_INSERT) {
        let rows = chunk.iter().map(|w| ActiveModel {
            id: Set(Uuid::now_v7()),
            plan_item_id: Set(w.plan_item_id),
            occurrence_date: Set(w.occurrence_date),
            user_id: Set(w.user_id),
            due_at: Set(w.due_at),
            fire_at: Set(w.fire_at),
            status: Set(Status::Scheduled.as_str().to_owned()),
            queued_at: Set(now),
            sent_at: Set(None),
        });
        let inserted = Entity::insert_many(rows)
            .on_conflict_do_nothing_on([Column::PlanItemId, Column::OccurrenceDate, Column::UserId])
            .exec_with_returning_many(db)
            .await?;
        if let sea_orm::TryInsertResult::Inserted(rows) = inserted {
            added.extend(rows);
        }
    }
    Ok(added)
}

pub async fn find_many<C: ConnectionTrait>(db: &C, ids: &[Uuid]) -> Result<Vec<Model>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Entity::find()
        .filter(Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await
}

/// Moves scheduled reminders planned for `fire_at` to `to`; answers the IDs this call moved
/// (the others were settled by another run or planned again for another instant).
pub async fn settle_many<C: ConnectionTrait>(
    db: &C,
    ids: &[Uuid],
    fire_at: DateTime<Utc>,
    to: Status,
    now: DateTime<Utc>,
) -> Result<Vec<Uuid>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(Entity::update_many()
        .col_expr(Column::Status, Expr::value(to))
        .col_expr(Column::SentAt, Expr::value(now))
        .filter(Column::Id.is_in(ids.iter().copied()))
        .filter(Column::Status.eq(Status::Scheduled))
        .filter(Column::FireAt.eq(fire_at))
        .exec_with_returning(db)
        .await?
        .into_iter()
        .map(|row| row.id)
        .collect())
}

/// Scheduled reminders that should have gone out before `before` and were last queued before
/// `queued_before`: their job was lost (a worker died between planning and queueing), so they
/// are queued again. Sending stays once: only one run can move a reminder out of `scheduled`.
pub async fn overdue<C: ConnectionTrait>(
    db: &C,
    before: DateTime<Utc>,
    queued_before: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::Status.eq(Status::Scheduled))
        .filter(Column::FireAt.lt(before))
        .filter(Column::QueuedAt.lt(queued_before))
        .order_by_asc(Column::FireAt)
        .limit(limit)
        .all(db)
        .await
}

/// Notes that reminders were queued again at `now`.
pub async fn requeued<C: ConnectionTrait>(
    db: &C,
    ids: &[Uuid],
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    if ids.is_empty() {
        return Ok(());
    }
    Entity::update_many()
        .col_expr(Column::QueuedAt, Expr::value(now))
        .filter(Column::Id.is_in(ids.iter().copied()))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn find<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id(id).one(db).await
}

/// Forgets a member's reminders not yet sent (their time zone or quiet hours changed): the
/// planner plans them again in the new time. A queued job finds nothing to send.
pub async fn forget_scheduled_for_user<C: ConnectionTrait>(
    db: &C,
    user_id: Uuid,
) -> Result<(), DbErr> {
    Entity::delete_many()
        .filter(Column::UserId.eq(user_id))
        .filter(Column::Status.eq(Status::Scheduled))
        .exec(db)
        .await?;
    Ok(())
}

/// Forgets an item's reminders not yet sent (its schedule changed).
pub async fn forget_scheduled_for_item<C: ConnectionTrait>(
    db: &C,
    plan_item_id: Uuid,
) -> Result<(), DbErr> {
    Entity::delete_many()
        .filter(Column::PlanItemId.eq(plan_item_id))
        .filter(Column::Status.eq(Status::Scheduled))
        .exec(db)
        .await?;
    Ok(())
}

/// Every reminder of the given members, for tests and operators: oldest first.
pub async fn for_users<C: ConnectionTrait>(db: &C, users: &[Uuid]) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::UserId.is_in(users.iter().copied()))
        .order_by_asc(Column::FireAt)
        .order_by_asc(Column::Id)
        .all(db)
        .await
}
