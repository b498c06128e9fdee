//! The `api_keys` table: an organization's keys for server-to-server calls. Only a SHA-256 of
//! each secret is stored; the secret is shown once, when the key is made.

use chrono::{DateTime, Duration, Utc};
use domain::organization::Scopes;
use sea_orm::Set;
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::Expr;

use crate::page::{Page, PageRequest};
use crate::stored::BadRow;

const TABLE: &str = "api_keys";

/// How stale `last_used_at` may grow before a call writes it again: one write per key per
/// minute, not one per call.
pub const LAST_USED_PRECISION: Duration = Duration::minutes(1);

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "api_keys")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    pub name: String,
    pub secret_hash: String,
    pub scopes: Json,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub expires_at: Option<DateTimeUtc>,
    pub revoked_at: Option<DateTimeUtc>,
    pub last_used_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    pub fn scopes(&self) -> Result<Scopes, BadRow> {
        crate::stored::scopes(TABLE, self.id, &self.scopes)
    }

    /// Whether calls may be made with it at `now`.
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|at| now < at)
    }
}

pub fn scopes_json(scopes: &Scopes) -> Json {
    Json::from(scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>())
}

/// A key to store.
pub struct NewKey<'a> {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub name: &'a str,
    pub secret_hash: String,
    pub scopes: &'a Scopes,
    pub created_by: Uuid,
    pub expires_at: Option<DateTime<Utc>>,
}

pub async fn create<C: ConnectionTrait>(
    db: &C,
    new: NewKey<'_>,
    now: DateTime<Utc>,
) -> Result<Model, DbErr> {
    ActiveModel {
        id: Set(new.id),
        organization_id: Set(new.organization_id),
        name: Set(new.name.to_owned()),
        secret_hash: Set(new.secret_hash),
        scopes: Set(scopes_json(new.scopes)),
        created_by: Set(Some(new.created_by)),
        created_at: Set(now),
        expires_at: Set(new.expires_at),
        revoked_at: Set(None),
        last_used_at: Set(None),
    }
    .insert(db)
    .await
}

pub async fn find<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id(id).one(db).await
}

/// Notes a call made with the key, at most once per [`LAST_USED_PRECISION`].
pub async fn touch<C: ConnectionTrait>(
    db: &C,
    key: &Model,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    if key
        .last_used_at
        .is_some_and(|at| now - at < LAST_USED_PRECISION)
    {
        return Ok(());
    }
    Entity::update_many()
        .col_expr(Column::LastUsedAt, Expr::value(now))
        .filter(Column::Id.eq(key.id))
        .exec(db)
        .await?;
    Ok(())
}

/// Revokes a key (a revoked key stays revoked at its first revocation time); answers the row.
pub async fn revoke<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<Option<Model>, DbErr> {
    Entity::update_many()
        .col_expr(Column::RevokedAt, Expr::value(now))
        .filter(Column::Id.eq(id))
        .filter(Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    find(db, id).await
}

/// A page of an organization's keys, oldest first.
pub async fn page_for_organization<C: ConnectionTrait>(
    db: &C,
    organization_id: Uuid,
    page: &PageRequest,
) -> Result<Page<Model>, DbErr> {
    let query = Entity::find().filter(Column::OrganizationId.eq(organization_id));
    crate::page::by_uuid(db, query, Column::Id, page).await
}
