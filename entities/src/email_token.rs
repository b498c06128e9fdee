//! The `email_tokens` table: single-use tokens sent by email (password reset, email
//! verification), stored only as a SHA-256 and expiring.

use chrono::{DateTime, Utc};
use sea_orm::Set;
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::Expr;

pub const PASSWORD_RESET: &str = "password_reset";
pub const EMAIL_VERIFICATION: &str = "email_verification";

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "email_tokens")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub purpose: String,
    #[sea_orm(unique)]
    pub token_hash: String,
    pub user_id: Uuid,
    pub email: String,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub used_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// Stores a token for `user_id` (its digest) that works until `expires_at`.
pub async fn create<C: ConnectionTrait>(
    db: &C,
    purpose: &str,
    token_hash: String,
    user_id: Uuid,
    email: &str,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<Model, DbErr> {
    ActiveModel {
        id: Set(Uuid::now_v7()),
        purpose: Set(purpose.to_owned()),
        token_hash: Set(token_hash),
        user_id: Set(user_id),
        email: Set(email.to_owned()),
        created_at: Set(now),
        expires_at: Set(expires_at),
        used_at: Set(None),
    }
    .insert(db)
    .await
}

/// Uses a token once: answers its row when it was for `purpose`, unused and unexpired at
/// `now`, and marks it used in the same statement (a second use finds nothing).
pub async fn redeem<C: ConnectionTrait>(
    db: &C,
    purpose: &str,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<Model>, DbErr> {
    let used = Entity::update_many()
        .col_expr(Column::UsedAt, Expr::value(now))
        .filter(Column::TokenHash.eq(token_hash))
        .filter(Column::Purpose.eq(purpose))
        .filter(Column::UsedAt.is_null())
        .filter(Column::ExpiresAt.gt(now))
        .exec(db)
        .await?;
    if used.rows_affected == 0 {
        return Ok(None);
    }
    Entity::find()
        .filter(Column::TokenHash.eq(token_hash))
        .one(db)
        .await
}

/// Spends every unused token of `purpose` the account has (a password set another way makes
/// its outstanding reset links worthless); answers how many.
pub async fn spend_all<C: ConnectionTrait>(
    db: &C,
    purpose: &str,
    user_id: Uuid,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    Entity::update_many()
        .col_expr(Column::UsedAt, Expr::value(now))
        .filter(Column::UserId.eq(user_id))
        .filter(Column::Purpose.eq(purpose))
        .filter(Column::UsedAt.is_null())
        .exec(db)
        .await
        .map(|done| done.rows_affected)
}
