//! The `invites` table: single-use codes that join a second member to a couple.

use chrono::{DateTime, Utc};
use sea_orm::Set;
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::Expr;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "invites")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub couple_id: Uuid,
    pub created_by: Uuid,
    #[sea_orm(unique)]
    pub code_hash: String,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub used_at: Option<DateTimeUtc>,
    pub used_by: Option<Uuid>,
    pub revoked_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// Revokes the couple's open invites and stores a new one: only the newest code works.
pub async fn replace<C: ConnectionTrait>(
    db: &C,
    couple_id: Uuid,
    created_by: Uuid,
    code_hash: String,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Model, DbErr> {
    revoke_open(db, couple_id, now).await?;
    ActiveModel {
        id: Set(Uuid::now_v7()),
        couple_id: Set(couple_id),
        created_by: Set(created_by),
        code_hash: Set(code_hash),
        created_at: Set(now),
        expires_at: Set(expires_at),
        used_at: Set(None),
        used_by: Set(None),
        revoked_at: Set(None),
    }
    .insert(db)
    .await
}

pub async fn revoke_open<C: ConnectionTrait>(
    db: &C,
    couple_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    Entity::update_many()
        .col_expr(Column::RevokedAt, Expr::value(now))
        .filter(Column::CoupleId.eq(couple_id))
        .filter(Column::UsedAt.is_null())
        .filter(Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Claims a redeemable invite for `user_id`, atomically: of two racing claims exactly one wins.
/// Answers the invite when this call claimed it.
pub async fn claim<C: ConnectionTrait>(
    db: &C,
    code_hash: &str,
    user_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Option<Model>, DbErr> {
    let claimed = Entity::update_many()
        .col_expr(Column::UsedAt, Expr::value(now))
        .col_expr(Column::UsedBy, Expr::value(user_id))
        .filter(Column::CodeHash.eq(code_hash))
        .filter(Column::UsedAt.is_null())
        .filter(Column::RevokedAt.is_null())
        .filter(Column::ExpiresAt.gt(now))
        .exec(db)
        .await?;
    if claimed.rows_affected == 1 {
        Entity::find()
            .filter(Column::CodeHash.eq(code_hash))
            .one(db)
            .await
    } else {
        Ok(None)
    }
}
