//! The `coach_conversations` table: a member's conversations with the coach, theirs alone.

use chrono::{DateTime, Utc};
use sea_orm::Set;
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::{Expr, ExprTrait};

use crate::page::{Page, PageRequest};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "coach_conversations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Uuid,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub disclosed_at: Option<DateTimeUtc>,
    pub safety_concern: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// Starts a conversation.
pub async fn start<C: ConnectionTrait>(
    db: &C,
    user_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Model, DbErr> {
    ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user_id),
        created_at: Set(now),
        updated_at: Set(now),
        disclosed_at: Set(None),
        safety_concern: Set(None),
    }
    .insert(db)
    .await
}

/// The member's conversation, if it is theirs.
pub async fn find_of_user<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    user_id: Uuid,
) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id(id)
        .filter(Column::UserId.eq(user_id))
        .one(db)
        .await
}

/// The member's conversations, newest first.
pub async fn page_of_user<C: ConnectionTrait>(
    db: &C,
    user_id: Uuid,
    request: &PageRequest,
) -> Result<Page<Model>, DbErr> {
    crate::page::by_uuid_newest_first(
        db,
        Entity::find().filter(Column::UserId.eq(user_id)),
        Column::Id,
        request,
    )
    .await
}

/// Notes a new message at `now`; a reply that said the coach is automated, and a concern
/// the safety gate raised (the first one stays).
pub async fn record_message<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    now: DateTime<Utc>,
    disclosed: bool,
    concern: Option<&str>,
) -> Result<(), DbErr> {
    let mut update = Entity::update_many()
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::Id.eq(id));
    if disclosed {
        update = update.col_expr(Column::DisclosedAt, Expr::value(now));
    }
    if let Some(concern) = concern {
        update = update.col_expr(
            Column::SafetyConcern,
            Expr::col(Column::SafetyConcern).if_null(concern),
        );
    }
    update.exec(db).await?;
    Ok(())
}

/// Deletes the member's conversation and its messages; false when there was none of theirs.
pub async fn delete<C: ConnectionTrait>(db: &C, id: Uuid, user_id: Uuid) -> Result<bool, DbErr> {
    crate::coach_message::Entity::delete_many()
        .filter(crate::coach_message::Column::ConversationId.eq(id))
        .filter(crate::coach_message::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    let deleted = Entity::delete_many()
        .filter(Column::Id.eq(id))
        .filter(Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    Ok(deleted.rows_affected > 0)
}
