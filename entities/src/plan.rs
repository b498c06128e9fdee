//! The `plans` table (a couple's plan of rituals) and `plan_pauses` (when it was paused).

use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::Expr;
use sea_orm::{QueryOrder, Set};

pub const ACTIVE: &str = "active";
pub const ARCHIVED: &str = "archived";

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
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    pub fn is_active(&self) -> bool {
        self.status == ACTIVE
    }

    pub fn is_paused(&self, now: DateTime<Utc>) -> bool {
        self.paused_until.is_some_and(|until| until > now)
    }
}

pub async fn create<C: ConnectionTrait>(
    db: &C,
    couple_id: Uuid,
    name: String,
) -> Result<Model, DbErr> {
    ActiveModel {
        id: Set(Uuid::now_v7()),
        couple_id: Set(couple_id),
        name: Set(name),
        status: Set(ACTIVE.to_owned()),
        paused_until: Set(None),
        created_at: Set(Utc::now()),
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
        .filter(Column::Status.eq(ACTIVE))
        .one(db)
        .await
}

/// Every plan the couple had, oldest first.
pub async fn all_for_couple<C: ConnectionTrait>(
    db: &C,
    couple_id: Uuid,
) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::CoupleId.eq(couple_id))
        .order_by_asc(Column::Id)
        .all(db)
        .await
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

pub async fn archive<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<(), DbErr> {
    Entity::update_many()
        .col_expr(Column::Status, Expr::value(ARCHIVED))
        .col_expr(Column::ArchivedAt, Expr::value(Utc::now()))
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

    pub async fn for_plan<C: ConnectionTrait>(db: &C, plan_id: Uuid) -> Result<Vec<Model>, DbErr> {
        Entity::find()
            .filter(Column::PlanId.eq(plan_id))
            .order_by_asc(Column::StartsAt)
            .all(db)
            .await
    }
}
