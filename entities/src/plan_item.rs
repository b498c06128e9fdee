//! The `plan_items` table: a ritual on a schedule, with who does it.

use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::Expr;
use sea_orm::{QueryOrder, Set};

use domain::plan::{Assignee, ScheduleSpec};
use domain::schedule::Schedule;

use crate::stored::{self, BadRow, stored_names};

stored_names!(
    /// Whether an item is still on its plan.
    pub enum Status {
        Active => "active",
        /// Taken off the plan; its history still counts.
        Removed => "removed",
    }
);

stored_names!(
    /// Who does an item, as stored beside `assignee_user_id`.
    pub enum AssigneeKind {
        Both => "both",
        Either => "either",
        One => "one",
    }
);

const TABLE: &str = "plan_items";

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
pub enum Relation {
    #[sea_orm(
        belongs_to = "crate::plan::Entity",
        from = "Column::PlanId",
        to = "crate::plan::Column::Id"
    )]
    Plan,
}

impl Related<crate::plan::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Plan.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    pub fn status(&self) -> Result<Status, BadRow> {
        stored::parse(TABLE, self.id, "status", &self.status)
    }

    pub fn is_active(&self) -> Result<bool, BadRow> {
        Ok(self.status()? == Status::Active)
    }

    /// The schedule as stored.
    pub fn spec(&self) -> Result<ScheduleSpec, BadRow> {
        serde_json::from_value(self.schedule.clone())
            .map_err(|e| BadRow::new(TABLE, self.id, "schedule", e))
    }

    /// When the item happens.
    pub fn schedule(&self) -> Result<Schedule, BadRow> {
        self.spec()?
            .to_schedule()
            .map_err(|e| BadRow::new(TABLE, self.id, "schedule", e))
    }

    /// Who does it.
    pub fn assignee(&self) -> Result<Assignee, BadRow> {
        let kind: AssigneeKind = stored::parse(TABLE, self.id, "assignee", &self.assignee)?;
        match (kind, self.assignee_user_id) {
            (AssigneeKind::Both, None) => Ok(Assignee::Both),
            (AssigneeKind::Either, None) => Ok(Assignee::Either),
            (AssigneeKind::One, Some(member)) => Ok(Assignee::One(member)),
            (kind, member) => Err(BadRow::new(
                TABLE,
                self.id,
                "assignee_user_id",
                format!("{member:?} does not go with `{}`", kind.as_str()),
            )),
        }
    }
}

fn kind_of(assignee: Assignee) -> AssigneeKind {
    match assignee {
        Assignee::Both => AssigneeKind::Both,
        Assignee::Either => AssigneeKind::Either,
        Assignee::One(_) => AssigneeKind::One,
    }
}

/// A plan item as created or updated.
#[derive(Debug, Clone)]
pub struct Fields {
    pub ritual_id: Uuid,
    pub schedule: ScheduleSpec,
    pub assignee: Assignee,
}

impl Fields {
    fn schedule_json(&self) -> Result<Json, DbErr> {
        serde_json::to_value(&self.schedule).map_err(|e| DbErr::Json(e.to_string()))
    }
}

pub async fn create<C: ConnectionTrait>(
    db: &C,
    plan_id: Uuid,
    fields: Fields,
    now: DateTime<Utc>,
) -> Result<Model, DbErr> {
    ActiveModel {
        id: Set(Uuid::now_v7()),
        plan_id: Set(plan_id),
        ritual_id: Set(fields.ritual_id),
        schedule: Set(fields.schedule_json()?),
        assignee: Set(kind_of(fields.assignee).as_str().to_owned()),
        assignee_user_id: Set(fields.assignee.member()),
        status: Set(Status::Active.as_str().to_owned()),
        created_at: Set(now),
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
    row.schedule = Set(fields.schedule_json()?);
    row.assignee = Set(kind_of(fields.assignee).as_str().to_owned());
    row.assignee_user_id = Set(fields.assignee.member());
    row.update(db).await
}

pub async fn find<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id(id).one(db).await
}

pub async fn remove<C: ConnectionTrait>(db: &C, id: Uuid, now: DateTime<Utc>) -> Result<(), DbErr> {
    Entity::update_many()
        .col_expr(Column::Status, Expr::value(Status::Removed))
        .col_expr(Column::RemovedAt, Expr::value(now))
        .filter(Column::Id.eq(id))
        .filter(Column::Status.eq(Status::Active))
        .exec(db)
        .await?;
    Ok(())
}

/// Every item of several plans, removed ones too, in the order they were added.
pub async fn for_plans<C: ConnectionTrait>(db: &C, plan_ids: &[Uuid]) -> Result<Vec<Model>, DbErr> {
    if plan_ids.is_empty() {
        return Ok(Vec::new());
    }
    Entity::find()
        .filter(Column::PlanId.is_in(plan_ids.iter().copied()))
        .order_by_asc(Column::Id)
        .all(db)
        .await
}

/// Every item of every plan of a couple, removed ones too, in the order they were added, in
/// one statement.
pub async fn for_couple<C: ConnectionTrait>(db: &C, couple_id: Uuid) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::PlanId.in_subquery(crate::plan::ids_of_couple(couple_id)))
        .order_by_asc(Column::Id)
        .all(db)
        .await
}

/// An item with its plan, the plan's couple and `user_id`'s membership of that couple, in one
/// statement; none when the item is missing or the user was never in the couple.
pub async fn find_for_member<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    user_id: Uuid,
) -> Result<Option<(Model, crate::plan::WithMembership<crate::plan::Model>)>, DbErr> {
    Ok(Entity::find_by_id(id)
        .find_also_related(crate::plan::Entity)
        .and_also_related(crate::couple::Entity)
        .find_also(crate::couple::Entity, crate::couple_member::Entity)
        .filter(crate::couple_member::Column::UserId.eq(user_id))
        .one(db)
        .await?
        .and_then(|(item, plan, couple, member)| Some((item, (plan?, couple?, member?)))))
}

pub async fn by_ids<C: ConnectionTrait>(db: &C, ids: &[Uuid]) -> Result<Vec<Model>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Entity::find()
        .filter(Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await
}
