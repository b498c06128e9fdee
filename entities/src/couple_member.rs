//! The `couple_members` table: who is (or was) in which couple.

use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::Expr;
use sea_orm::{PaginatorTrait, QueryOrder, Set};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "couple_members")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub couple_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: Uuid,
    pub joined_at: DateTimeUtc,
    pub left_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "crate::user::Entity",
        from = "Column::UserId",
        to = "crate::user::Column::Id"
    )]
    User,
    #[sea_orm(
        belongs_to = "crate::couple::Entity",
        from = "Column::CoupleId",
        to = "crate::couple::Column::Id"
    )]
    Couple,
}

impl Related<crate::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

impl Related<crate::couple::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Couple.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    pub fn is_current(&self) -> bool {
        self.left_at.is_none()
    }
}

/// Adds a member. A user already in an active couple violates a unique index: the caller maps it.
pub async fn join<C: ConnectionTrait>(
    db: &C,
    couple_id: Uuid,
    user_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    ActiveModel {
        couple_id: Set(couple_id),
        user_id: Set(user_id),
        joined_at: Set(now),
        left_at: Set(None),
    }
    .insert(db)
    .await?;
    Ok(())
}

pub async fn active_for_user<C: ConnectionTrait>(
    db: &C,
    user_id: Uuid,
) -> Result<Option<Model>, DbErr> {
    Entity::find()
        .filter(Column::UserId.eq(user_id))
        .filter(Column::LeftAt.is_null())
        .one(db)
        .await
}

/// The user's membership of that couple, current or former.
pub async fn find<C: ConnectionTrait>(
    db: &C,
    couple_id: Uuid,
    user_id: Uuid,
) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id((couple_id, user_id)).one(db).await
}

pub async fn count_current<C: ConnectionTrait>(db: &C, couple_id: Uuid) -> Result<u64, DbErr> {
    Entity::find()
        .filter(Column::CoupleId.eq(couple_id))
        .filter(Column::LeftAt.is_null())
        .count(db)
        .await
}

/// Marks every current member of the couple as having left.
pub async fn leave_all<C: ConnectionTrait>(
    db: &C,
    couple_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    Entity::update_many()
        .col_expr(Column::LeftAt, Expr::value(now))
        .filter(Column::CoupleId.eq(couple_id))
        .filter(Column::LeftAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// The members of several couples (current and former) with their accounts, in one statement,
/// in joining order.
pub async fn with_users<C: ConnectionTrait>(
    db: &C,
    couple_ids: &[Uuid],
) -> Result<Vec<(Model, crate::user::Model)>, DbErr> {
    if couple_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(Entity::find()
        .filter(Column::CoupleId.is_in(couple_ids.iter().copied()))
        .find_also_related(crate::user::Entity)
        .order_by_asc(Column::JoinedAt)
        .all(db)
        .await?
        .into_iter()
        .filter_map(|(member, user)| user.map(|user| (member, user)))
        .collect())
}

/// The user's membership of a couple with the couple, in one statement.
pub async fn find_with_couple<C: ConnectionTrait>(
    db: &C,
    couple_id: Uuid,
    user_id: Uuid,
) -> Result<Option<(Model, crate::couple::Model)>, DbErr> {
    Ok(Entity::find_by_id((couple_id, user_id))
        .find_also_related(crate::couple::Entity)
        .one(db)
        .await?
        .and_then(|(member, couple)| couple.map(|couple| (member, couple))))
}

/// The user's current membership with its couple, in one statement.
pub async fn current_with_couple<C: ConnectionTrait>(
    db: &C,
    user_id: Uuid,
) -> Result<Option<(Model, crate::couple::Model)>, DbErr> {
    Ok(Entity::find()
        .filter(Column::UserId.eq(user_id))
        .filter(Column::LeftAt.is_null())
        .find_also_related(crate::couple::Entity)
        .one(db)
        .await?
        .and_then(|(member, couple)| couple.map(|couple| (member, couple))))
}
