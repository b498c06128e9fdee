//! The `completions` table: a member logging a plan item's occurrence as done.

use chrono::{NaiveDate, Utc};
use sea_orm::entity::prelude::*;
use sea_orm::{QueryOrder, Set, SqlErr};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "completions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub plan_item_id: Uuid,
    pub occurrence_date: NaiveDate,
    pub user_id: Uuid,
    pub closeness: i16,
    /// Private to its author unless `note_shared`.
    pub note: Option<String>,
    pub note_shared: bool,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

#[derive(Debug, Clone)]
pub struct NewCompletion {
    pub plan_item_id: Uuid,
    pub occurrence_date: NaiveDate,
    pub user_id: Uuid,
    pub closeness: i16,
    pub note: Option<String>,
    pub note_shared: bool,
}

/// Inserts the completion, or answers the one already stored for the same (item, occurrence,
/// member), with `false` meaning "already there", whichever request got there first.
pub async fn insert_once<C: ConnectionTrait>(
    db: &C,
    new: NewCompletion,
) -> Result<(Model, bool), DbErr> {
    let row = ActiveModel {
        id: Set(Uuid::now_v7()),
        plan_item_id: Set(new.plan_item_id),
        occurrence_date: Set(new.occurrence_date),
        user_id: Set(new.user_id),
        closeness: Set(new.closeness),
        note: Set(new.note.clone()),
        note_shared: Set(new.note_shared),
        created_at: Set(Utc::now()),
    };
    match row.insert(db).await {
        Ok(model) => Ok((model, true)),
        Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            let existing = find_one(db, new.plan_item_id, new.occurrence_date, new.user_id)
                .await?
                .ok_or(err)?;
            Ok((existing, false))
        }
        Err(err) => Err(err),
    }
}

pub async fn find_one<C: ConnectionTrait>(
    db: &C,
    plan_item_id: Uuid,
    occurrence_date: NaiveDate,
    user_id: Uuid,
) -> Result<Option<Model>, DbErr> {
    Entity::find()
        .filter(Column::PlanItemId.eq(plan_item_id))
        .filter(Column::OccurrenceDate.eq(occurrence_date))
        .filter(Column::UserId.eq(user_id))
        .one(db)
        .await
}

pub async fn find<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id(id).one(db).await
}

/// An item's completions, newest occurrence first, then by logging order.
pub async fn for_item<C: ConnectionTrait>(db: &C, plan_item_id: Uuid) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::PlanItemId.eq(plan_item_id))
        .order_by_desc(Column::OccurrenceDate)
        .order_by_asc(Column::Id)
        .all(db)
        .await
}

pub async fn delete<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<(), DbErr> {
    Entity::delete_by_id(id).exec(db).await?;
    Ok(())
}
