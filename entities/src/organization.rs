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
