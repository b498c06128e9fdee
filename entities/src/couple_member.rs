//! The `couple_members` table: who is (or was) in which couple.

use chrono::Utc;
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::Expr;
use sea_orm::{PaginatorTrait, Set};

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
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    pub fn is_current(&self) -> bool {
        self.left_at.is_none()
    }
}

/// Adds a member. A user already in an active couple violates a unique index: the caller maps it.
pub async fn join<C: ConnectionTrait>(db: &C, couple_id: Uuid, user_id: Uuid) -> Result<(), DbErr> {
    ActiveModel {
        couple_id: Set(couple_id),
        user_id: Set(user_id),
        joined_at: Set(Utc::now()),
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
pub async fn leave_all<C: ConnectionTrait>(db: &C, couple_id: Uuid) -> Result<(), DbErr> {
    Entity::update_many()
        .col_expr(Column::LeftAt, Expr::value(Utc::now()))
        .filter(Column::CoupleId.eq(couple_id))
        .filter(Column::LeftAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}
