//! The `organizations` table (coaching platforms) and `organization_members` (the coaches in
//! each, one organization per coach).

use chrono::{DateTime, Utc};
use domain::organization::{OrgRole, OrganizationName};
use sea_orm::entity::prelude::*;
use sea_orm::{QueryOrder, Set};

use crate::stored::BadRow;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "organizations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

pub async fn find<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id(id).one(db).await
}

/// Creates an organization with `owner` as its first admin. Fails with the unique violation of
/// `organization_members` when the owner already belongs to one.
/// One page of every organization, oldest first, paged in SQL.
pub async fn page<C: ConnectionTrait>(
    db: &C,
    request: &crate::page::PageRequest,
) -> Result<crate::page::Page<Model>, DbErr> {
    crate::page::by_uuid(db, Entity::find(), Column::Id, request).await
}

pub async fn create<C: ConnectionTrait>(
    db: &C,
    name: &OrganizationName,
    owner: Uuid,
    now: DateTime<Utc>,
) -> Result<Model, DbErr> {
    let org = ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(name.as_str().to_owned()),
        created_at: Set(now),
    }
    .insert(db)
    .await?;
    member::add(db, org.id, owner, OrgRole::Admin, now).await?;
    Ok(org)
}

pub mod member {
    use super::*;

    const TABLE: &str = "organization_members";

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "organization_members")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub user_id: Uuid,
        pub organization_id: Uuid,
        pub role: String,
        pub joined_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}

    impl Model {
        pub fn role(&self) -> Result<OrgRole, BadRow> {
            OrgRole::parse(&self.role)
                .ok_or_else(|| BadRow::new(TABLE, self.user_id, "role", &self.role))
        }
    }

    pub async fn add<C: ConnectionTrait>(
        db: &C,
        organization_id: Uuid,
        user_id: Uuid,
        role: OrgRole,
        now: DateTime<Utc>,
    ) -> Result<Model, DbErr> {
        ActiveModel {
            user_id: Set(user_id),
            organization_id: Set(organization_id),
            role: Set(role.as_str().to_owned()),
            joined_at: Set(now),
        }
        .insert(db)
        .await
    }

    /// The organization a coach belongs to, with their part in it.
    pub async fn of_user<C: ConnectionTrait>(
        db: &C,
        user_id: Uuid,
    ) -> Result<Option<Model>, DbErr> {
        Entity::find_by_id(user_id).one(db).await
    }

    /// An organization's coaches, in joining order.
    pub async fn of_organization<C: ConnectionTrait>(
        db: &C,
        organization_id: Uuid,
    ) -> Result<Vec<Model>, DbErr> {
        Entity::find()
            .filter(Column::OrganizationId.eq(organization_id))
            .order_by_asc(Column::JoinedAt)
            .order_by_asc(Column::UserId)
            .all(db)
            .await
    }
}

pub mod invite {
    use super::*;
    use sea_orm::sea_query::Expr;

    /// How long an invitation works.
    pub const TTL: chrono::Duration = chrono::Duration::days(7);

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "coach_invites")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub organization_id: Uuid,
        pub email: String,
        #[sea_orm(unique)]
        pub token_hash: String,
        pub invited_by: Option<Uuid>,
        pub created_at: DateTimeUtc,
        pub expires_at: DateTimeUtc,
        pub accepted_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}

    pub async fn create<C: ConnectionTrait>(
        db: &C,
        organization_id: Uuid,
        email: &str,
        token_hash: String,
        invited_by: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Model, DbErr> {
        ActiveModel {
            id: Set(Uuid::now_v7()),
            organization_id: Set(organization_id),
            email: Set(email.to_owned()),
            token_hash: Set(token_hash),
            invited_by: Set(Some(invited_by)),
            created_at: Set(now),
            expires_at: Set(now + TTL),
            accepted_at: Set(None),
        }
        .insert(db)
        .await
    }

    /// Gives the invitation the secret its email carries (made when the email is sent, so the
    /// secret never waits on a queue); an earlier one stops working.
    pub async fn set_token<C: ConnectionTrait>(
        db: &C,
        id: Uuid,
        token_hash: String,
    ) -> Result<(), DbErr> {
        Entity::update_many()
            .col_expr(Column::TokenHash, Expr::value(token_hash))
            .filter(Column::Id.eq(id))
            .exec(db)
            .await
            .map(|_| ())
    }

    /// An invitation by its ID.
    pub async fn find<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<Option<Model>, DbErr> {
        Entity::find_by_id(id).one(db).await
    }

    /// Takes an invitation up once: answers it when unaccepted and unexpired at `now`, and
    /// marks it accepted in the same statement.
    pub async fn accept<C: ConnectionTrait>(
        db: &C,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Model>, DbErr> {
        let taken = Entity::update_many()
            .col_expr(Column::AcceptedAt, Expr::value(now))
            .filter(Column::TokenHash.eq(token_hash))
            .filter(Column::AcceptedAt.is_null())
            .filter(Column::ExpiresAt.gt(now))
            .exec(db)
            .await?;
        if taken.rows_affected == 0 {
            return Ok(None);
        }
        Entity::find()
            .filter(Column::TokenHash.eq(token_hash))
            .one(db)
            .await
    }
}

impl invite::Model {
    /// Whether it may still be accepted at `now`.
    pub fn is_open(&self, now: DateTime<Utc>) -> bool {
        self.accepted_at.is_none() && now < self.expires_at
    }
}

/// An invitation by its token's digest, whatever its state.
pub async fn invite_by_token<C: ConnectionTrait>(
    db: &C,
    token_hash: &str,
) -> Result<Option<invite::Model>, DbErr> {
    invite::Entity::find()
        .filter(invite::Column::TokenHash.eq(token_hash))
        .one(db)
        .await
}
