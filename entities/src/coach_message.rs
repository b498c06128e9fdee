//! The `coach_messages` table: what a member wrote to the coach and its replies. A reply a
//! model is writing is stored as `writing` with the scripted reply that stands if the writer
//! never finishes.

use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::Expr;
use sea_orm::{FromQueryResult, QueryOrder, QuerySelect, Set};

use crate::page::{Page, PageRequest};

pub const MEMBER: &str = "member";
pub const COACH: &str = "coach";
pub const COMPLETE: &str = "complete";
pub const WRITING: &str = "writing";

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "coach_messages")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub conversation_id: Uuid,
    pub user_id: Uuid,
    pub author: String,
    pub text: String,
    pub status: String,
    pub engine: Option<String>,
    pub fallback_reason: Option<String>,
    pub fallback_text: Option<String>,
    pub disclosure: bool,
    pub safety_concern: Option<String>,
    pub tokens_in: i32,
    pub tokens_out: i32,
    pub created_at: DateTimeUtc,
    pub completed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    pub fn from_member(&self) -> bool {
        self.author == MEMBER
    }

    pub fn is_writing(&self) -> bool {
        self.status == WRITING
    }
}

/// A message to store.
#[derive(Debug, Clone, Default)]
pub struct NewMessage {
    pub conversation_id: Uuid,
    pub user_id: Uuid,
    pub from_member: bool,
    pub text: String,
    /// A reply a model is still writing.
    pub writing: bool,
    pub engine: Option<&'static str>,
    pub fallback_reason: Option<&'static str>,
    pub fallback_text: Option<String>,
    pub disclosure: bool,
    pub safety_concern: Option<&'static str>,
}

pub async fn insert<C: ConnectionTrait>(
    db: &C,
    new: NewMessage,
    now: DateTime<Utc>,
) -> Result<Model, DbErr> {
    ActiveModel {
        id: Set(Uuid::now_v7()),
        conversation_id: Set(new.conversation_id),
        user_id: Set(new.user_id),
        author: Set(if new.from_member { MEMBER } else { COACH }.to_owned()),
        text: Set(new.text),
        status: Set(if new.writing { WRITING } else { COMPLETE }.to_owned()),
        engine: Set(new.engine.map(str::to_owned)),
        fallback_reason: Set(new.fallback_reason.map(str::to_owned)),
        fallback_text: Set(new.fallback_text),
        disclosure: Set(new.disclosure),
        safety_concern: Set(new.safety_concern.map(str::to_owned)),
        tokens_in: Set(0),
        tokens_out: Set(0),
        created_at: Set(now),
        completed_at: Set((!new.writing).then_some(now)),
    }
    .insert(db)
    .await
}

/// How a reply a model was writing ended.
#[derive(Debug, Clone)]
pub struct Written {
    pub text: String,
    pub engine: &'static str,
    pub fallback_reason: Option<&'static str>,
    pub tokens_in: u32,
    pub tokens_out: u32,
}

/// Stores the end of a reply that was being written; false when it was no longer writing
/// (deleted, or finished by someone else).
pub async fn finish<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    written: Written,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let tokens = |n: u32| i32::try_from(n).unwrap_or(i32::MAX);
    let done = Entity::update_many()
        .col_expr(Column::Text, Expr::value(written.text))
        .col_expr(Column::Status, Expr::value(COMPLETE))
        .col_expr(Column::Engine, Expr::value(written.engine))
        .col_expr(Column::FallbackReason, Expr::value(written.fallback_reason))
        .col_expr(Column::FallbackText, Expr::value(Option::<String>::None))
        .col_expr(Column::TokensIn, Expr::value(tokens(written.tokens_in)))
        .col_expr(Column::TokensOut, Expr::value(tokens(written.tokens_out)))
        .col_expr(Column::CompletedAt, Expr::value(now))
        .filter(Column::Id.eq(id))
        .filter(Column::Status.eq(WRITING))
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}

/// The member's message or reply, if it is theirs.
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

/// A conversation's messages, oldest first.
pub async fn page_of_conversation<C: ConnectionTrait>(
    db: &C,
    conversation_id: Uuid,
    request: &PageRequest,
) -> Result<Page<Model>, DbErr> {
    crate::page::by_uuid(
        db,
        Entity::find().filter(Column::ConversationId.eq(conversation_id)),
        Column::Id,
        request,
    )
    .await
}

/// The latest `limit` messages of a conversation, oldest first.
pub async fn latest<C: ConnectionTrait>(
    db: &C,
    conversation_id: Uuid,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    let mut rows = Entity::find()
        .filter(Column::ConversationId.eq(conversation_id))
        .order_by_desc(Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    rows.reverse();
    Ok(rows)
}

#[derive(Debug, FromQueryResult)]
struct UsageRow {
    messages: i64,
    tokens: Option<i64>,
}

/// The member's messages to the coach since `since`, and the tokens their replies took.
pub async fn usage_since<C: ConnectionTrait>(
    db: &C,
    user_id: Uuid,
    since: DateTime<Utc>,
) -> Result<(u64, u64), DbErr> {
    let row = Entity::find()
        .select_only()
        .column_as(
            Expr::cust(format!("COUNT(CASE WHEN author = '{MEMBER}' THEN 1 END)")),
            "messages",
        )
        .column_as(
            Expr::cust("CAST(SUM(tokens_in + tokens_out) AS BIGINT)"),
            "tokens",
        )
        .filter(Column::UserId.eq(user_id))
        .filter(Column::CreatedAt.gte(since))
        .into_model::<UsageRow>()
        .one(db)
        .await?;
    Ok(row.map_or((0, 0), |r| {
        (
            u64::try_from(r.messages).unwrap_or(0),
            u64::try_from(r.tokens.unwrap_or(0)).unwrap_or(0),
        )
    }))
}

/// Across all members since `since`: conversations' messages from members, replies by
/// engine, fallbacks and tokens (for operations; no content).
#[derive(Debug, Clone, Default, FromQueryResult, PartialEq, Eq)]
pub struct Totals {
    pub member_messages: i64,
    pub model_replies: i64,
    pub fallbacks: i64,
    pub safety_stops: i64,
    pub tokens: i64,
}

pub async fn totals_since<C: ConnectionTrait>(
    db: &C,
    since: DateTime<Utc>,
) -> Result<Totals, DbErr> {
    let row = Entity::find()
        .select_only()
        .column_as(
            Expr::cust(format!("COUNT(CASE WHEN author = '{MEMBER}' THEN 1 END)")),
            "member_messages",
        )
        .column_as(
            Expr::cust("COUNT(CASE WHEN engine = 'model' THEN 1 END)"),
            "model_replies",
        )
        .column_as(Expr::cust("COUNT(fallback_reason)"), "fallbacks")
        .column_as(Expr::cust("COUNT(safety_concern)"), "safety_stops")
        .column_as(
            Expr::cust("CAST(COALESCE(SUM(tokens_in + tokens_out), 0) AS BIGINT)"),
            "tokens",
        )
        .filter(Column::CreatedAt.gte(since))
        .into_model::<Totals>()
        .one(db)
        .await?;
    Ok(row.unwrap_or_default())
}
