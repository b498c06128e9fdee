//! The `audit_log` table: every action an administrator took, kept for review, through the API
//! or on the server's command line.

use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::*;
use sea_orm::{QueryFilter, Set};

use crate::page::{Page, PageRequest};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub actor_id: Uuid,
    pub action: String,
    pub target_kind: String,
    pub target_id: String,
    /// The action's settings (a new role, a week): never content.
    pub detail: Json,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// The actor of actions taken with `rekindle-api` on the server's own command line, where no
/// account acts.
pub const COMMAND_LINE: Uuid = Uuid::nil();

/// One administrator action, as it is recorded.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    /// The administrator's account, or [`COMMAND_LINE`].
    pub actor: Uuid,
    /// `object.verb`, such as `user.disable`.
    pub action: &'a str,
    /// What kind of thing it was done to: `user`, `dead_job`, `organization`, `couple`.
    pub target_kind: &'a str,
    pub target_id: String,
    pub detail: serde_json::Value,
}

/// Records an action; call it in the action's own transaction, so neither lands alone.
pub async fn find<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id(id).one(db).await
}

pub async fn record<C: ConnectionTrait>(
    db: &C,
    entry: Entry<'_>,
    now: DateTime<Utc>,
) -> Result<Model, DbErr> {
    ActiveModel {
        id: Set(Uuid::now_v7()),
        actor_id: Set(entry.actor),
        action: Set(entry.action.to_owned()),
        target_kind: Set(entry.target_kind.to_owned()),
        target_id: Set(entry.target_id),
        detail: Set(entry.detail),
        created_at: Set(now),
    }
    .insert(db)
    .await
}

/// Which entries to list: all, or those of one actor and/or about one target.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub actor: Option<Uuid>,
    pub target_id: Option<String>,
}

/// One page of the log, newest first, paged in SQL.
pub async fn page<C: ConnectionTrait>(
    db: &C,
    filter: &Filter,
    request: &PageRequest,
) -> Result<Page<Model>, DbErr> {
    let mut query = Entity::find();
    if let Some(actor) = filter.actor {
        query = query.filter(Column::ActorId.eq(actor));
    }
    if let Some(target) = &filter.target_id {
        query = query.filter(Column::TargetId.eq(target.as_str()));
    }
    crate::page::by_uuid_newest_first(db, query, Column::Id, request).await
}
