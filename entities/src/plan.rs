//! The `plans` table (a couple's plan of rituals) and `plan_pauses` (when it was paused).

use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::Expr;
use sea_orm::{QueryOrder, Set};

use crate::stored::{self, BadRow, stored_names};

stored_names!(
    /// Whether a plan is the couple's current one.
    pub enum Status {
        Active => "active",
        /// Retired; its history still counts in progress.
        Archived => "archived",
    }
);

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "plans")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub couple_id: Uuid,
    pub name: String,
    pub status: String,
    pub paused_until: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub archived_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "crate::couple::Entity",
        from = "Column::CoupleId",
        to = "crate::couple::Column::Id"
    )]
    Couple,
}

impl Related<crate::couple::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Couple.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

/// A row with its couple and one user's membership of that couple.
pub type WithMembership<T> = (T, crate::couple::Model, crate::couple_member::Model);

/// A plan with its couple and `user_id`'s membership of it, in one statement; none when the
/// plan is missing or the user was never in its couple.
pub async fn find_for_member<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    user_id: Uuid,
) -> Result<Option<WithMembership<Model>>, DbErr> {
    Ok(Entity::find_by_id(id)
        .find_also_related(crate::couple::Entity)
        .find_also(crate::couple::Entity, crate::couple_member::Entity)
        .filter(crate::couple_member::Column::UserId.eq(user_id))
        .one(db)
        .await?
        .and_then(|(plan, couple, member)| Some((plan, couple?, member?))))
}

impl Model {
    pub fn status(&self) -> Result<Status, BadRow> {
        stored::parse("plans", self.id, "status", &self.status)
    }

    pub fn is_active(&self) -> Result<bool, BadRow> {
        Ok(self.status()? == Status::Active)
    }

    pub fn is_paused(&self, now: DateTime<Utc>) -> bool {
        self.paused_until.is_some_and(|until| until > now)
    }
}

pub async fn create<C: ConnectionTrait>(
    db: &C,
    couple_id: Uuid,
    name: String,
    now: DateTime<Utc>,
) -> Result<Model, DbErr> {
    ActiveModel {
        id: Set(Uuid::now_v7()),
        couple_id: Set(couple_id),
        name: Set(name),
        status: Set(Status::Active.as_str().to_owned()),
        paused_until: Set(None),
        created_at: Set(now),
        archived_at: Set(None),
    }
    .insert(db)
    .await
}

pub async fn find<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id(id).one(db).await
}

pub async fn active_for_couple<C: ConnectionTrait>(
    db: &C,
    couple_id: Uuid,
) -> Result<Option<Model>, DbErr> {
    Entity::find()
        .filter(Column::CoupleId.eq(couple_id))
        .filter(Column::Status.eq(Status::Active))
        .one(db)
        .await
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

/// Active plans in ID order, `limit` at a time after `after` (to walk them all in pages).
pub async fn active_page<C: ConnectionTrait>(
    db: &C,
    after: Option<Uuid>,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    use sea_orm::QuerySelect;
    let mut query = Entity::find().filter(Column::Status.eq(Status::Active));
    if let Some(after) = after {
        query = query.filter(Column::Id.gt(after));
    }
    query.order_by_asc(Column::Id).limit(limit).all(db).await
}

/// Every plan of several couples, oldest first.
pub async fn for_couples<C: ConnectionTrait>(
    db: &C,
    couple_ids: &[Uuid],
) -> Result<Vec<Model>, DbErr> {
    if couple_ids.is_empty() {
        return Ok(Vec::new());
    }
    Entity::find()
        .filter(Column::CoupleId.is_in(couple_ids.iter().copied()))
        .order_by_asc(Column::Id)
        .all(db)
        .await
}

/// The IDs of a couple's plans, as a subquery.
pub fn ids_of_couple(couple_id: Uuid) -> sea_orm::sea_query::SelectStatement {
    sea_orm::sea_query::Query::select()
        .column(Column::Id)
        .from(Entity)
        .and_where(Column::CoupleId.eq(couple_id))
        .to_owned()
}

pub async fn set_paused_until<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    until: Option<DateTime<Utc>>,
) -> Result<(), DbErr> {
    Entity::update_many()
        .col_expr(Column::PausedUntil, Expr::value(until))
        .filter(Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn archive<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    Entity::update_many()
        .col_expr(Column::Status, Expr::value(Status::Archived))
        .col_expr(Column::ArchivedAt, Expr::value(now))
        .col_expr(
            Column::PausedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

pub mod pause {
    //! The `plan_pauses` table.

    use super::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "plan_pauses")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub plan_id: Uuid,
        pub starts_at: DateTimeUtc,
        pub ends_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}

    pub async fn record<C: ConnectionTrait>(
        db: &C,
        plan_id: Uuid,
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
    ) -> Result<(), DbErr> {
        ActiveModel {
            id: Set(Uuid::now_v7()),
            plan_id: Set(plan_id),
            starts_at: Set(starts_at),
            ends_at: Set(ends_at),
        }
        .insert(db)
        .await?;
        Ok(())
    }

    /// Ends every pause of the plan still running at `now` (a resume).
    pub async fn end_running<C: ConnectionTrait>(
        db: &C,
        plan_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<(), DbErr> {
        Entity::update_many()
            .col_expr(Column::EndsAt, Expr::value(now))
            .filter(Column::PlanId.eq(plan_id))
            .filter(Column::EndsAt.gt(now))
            .filter(Column::StartsAt.lte(now))
            .exec(db)
            .await?;
        Ok(())
    }

    /// The pauses of several plans, oldest first.
    pub async fn for_plans<C: ConnectionTrait>(
        db: &C,
        plan_ids: &[Uuid],
    ) -> Result<Vec<Model>, DbErr> {
        if plan_ids.is_empty() {
            return Ok(Vec::new());
        }
        Entity::find()
            .filter(Column::PlanId.is_in(plan_ids.iter().copied()))
            .order_by_asc(Column::StartsAt)
            .all(db)
            .await
    }

    /// The pauses of every plan of a couple, oldest first, in one statement.
    pub async fn for_couple<C: ConnectionTrait>(
        db: &C,
        couple_id: Uuid,
    ) -> Result<Vec<Model>, DbErr> {
        Entity::find()
            .filter(Column::PlanId.in_subquery(super::ids_of_couple(couple_id)))
            .order_by_asc(Column::StartsAt)
            .all(db)
            .await
    }
}
