//! The `plan_items` table: a ritual on a schedule, with who does it.

use chrono::Utc;
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::Expr;
use sea_orm::{QueryOrder, Set};

pub const ACTIVE: &str = "active";
pub const REMOVED: &str = "removed";

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "plan_items")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub plan_id: Uuid,
    pub ritual_id: Uuid,
    /// A `domain::plan::ScheduleSpec` as JSON.
    pub schedule: Json,
    /// both | either | one
    pub assignee: String,
    pub assignee_user_id: Option<Uuid>,
    pub status: String,
    pub created_at: DateTimeUtc,
    pub removed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// A plan item as created or updated.
#[derive(Debug, Clone)]
pub struct Fields {
    pub ritual_id: Uuid,
    pub schedule: Json,
    pub assignee: String,
    pub assignee_user_id: Option<Uuid>,
}

pub async fn create<C: ConnectionTrait>(
    db: &C,
    plan_id: Uuid,
    fields: Fields,
) -> Result<Model, DbErr> {
    ActiveModel {
        id: Set(Uuid::now_v7()),
        plan_id: Set(plan_id),
        ritual_id: Set(fields.ritual_id),
        schedule: Set(fields.schedule),
        assignee: Set(fields.assignee),
        assignee_user_id: Set(fields.assignee_user_id),
        status: Set(ACTIVE.to_owned()),
        created_at: Set(Utc::now()),
        removed_at: Set(None),
    }
    .insert(db)
    .await
}

pub async fn update<C: ConnectionTrait>(
    db: &C,
    item: Model,
    fields: Fields,
) -> Result<Model, DbErr> {
    let mut row: ActiveModel = item.into();
    row.ritual_id = Set(fields.ritual_id);
    row.schedule = Set(fields.schedule);
    row.assignee = Set(fields.assignee);
    row.assignee_user_id = Set(fields.assignee_user_id);
    row.update(db).await
}

pub async fn find<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id(id).one(db).await
}

/// The plan's items still on it, in the order they were added.
pub async fn active_for_plan<C: ConnectionTrait>(
    db: &C,
    plan_id: Uuid,
) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::PlanId.eq(plan_id))
        .filter(Column::Status.eq(ACTIVE))
        .order_by_asc(Column::Id)
        .all(db)
        .await
}

/// Every item the plan ever had, removed ones too (their history still counts).
pub async fn all_for_plan<C: ConnectionTrait>(db: &C, plan_id: Uuid) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::PlanId.eq(plan_id))
        .order_by_asc(Column::Id)
        .all(db)
        .await
}

pub async fn remove<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<(), DbErr> {
    Entity::update_many()
        .col_expr(Column::Status, Expr::value(REMOVED))
        .col_expr(Column::RemovedAt, Expr::value(Utc::now()))
        .filter(Column::Id.eq(id))
        .filter(Column::Status.eq(ACTIVE))
        .exec(db)
        .await?;
    Ok(())
}
