//! The `push_devices` table: where a member's notifications are pushed. A token names one
//! device on its platform: registered again (by anyone), the row is updated, not doubled.

use chrono::{DateTime, Utc};
use domain::push::Platform;
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{QueryOrder, Set};
use sha2::{Digest, Sha256};

use crate::page::{Page, PageRequest};
use crate::stored::BadRow;

const TABLE: &str = "push_devices";

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "push_devices")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Uuid,
    pub platform: String,
    /// The APNs or FCM token, or the Web Push subscription's endpoint.
    pub token: String,
    pub token_hash: String,
    pub p256dh: Option<String>,
    pub auth: Option<String>,
    pub app_id: Option<String>,
    pub locale: Option<String>,
    pub created_at: DateTimeUtc,
    pub last_pushed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    pub fn platform(&self) -> Result<Platform, BadRow> {
        Platform::parse(&self.platform)
            .ok_or_else(|| BadRow::new(TABLE, self.id, "platform", &self.platform))
    }

    /// The token's last characters, for a member telling their devices apart.
    pub fn hint(&self) -> String {
        let tail: String = self.token.chars().rev().take(6).collect();
        tail.chars().rev().collect()
    }
}

/// A device to register.
#[derive(Debug, Clone)]
pub struct NewDevice {
    pub user_id: Uuid,
    pub platform: Platform,
    pub token: String,
    pub p256dh: Option<String>,
    pub auth: Option<String>,
    pub app_id: Option<String>,
    pub locale: Option<String>,
}

fn token_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Registers a device, or updates the one with the same token (its account, keys, app and
/// locale: a phone that changed hands, or a subscription whose keys were renewed).
pub async fn register<C: ConnectionTrait>(
    db: &C,
    new: NewDevice,
    now: DateTime<Utc>,
) -> Result<Model, DbErr> {
    let hash = token_hash(&new.token);
    let row = ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(new.user_id),
        platform: Set(new.platform.as_str().to_owned()),
        token: Set(new.token),
        token_hash: Set(hash.clone()),
        p256dh: Set(new.p256dh),
        auth: Set(new.auth),
        app_id: Set(new.app_id),
        locale: Set(new.locale),
        created_at: Set(now),
        last_pushed_at: Set(None),
    };
    Entity::insert(row)
        .on_conflict(
            OnConflict::columns([Column::Platform, Column::TokenHash])
                .update_columns([
                    Column::UserId,
                    Column::P256dh,
                    Column::Auth,
                    Column::AppId,
                    Column::Locale,
                ])
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Entity::find()
        .filter(Column::Platform.eq(new.platform.as_str()))
        .filter(Column::TokenHash.eq(hash))
        .one(db)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("the device just registered".into()))
}

/// Removes one of `user_id`'s devices; false when they have no such device.
pub async fn unregister<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    user_id: Uuid,
) -> Result<bool, DbErr> {
    let gone = Entity::delete_many()
        .filter(Column::Id.eq(id))
        .filter(Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    Ok(gone.rows_affected == 1)
}

/// Removes devices their service no longer knows (uninstalled, expired, unsubscribed).
pub async fn forget<C: ConnectionTrait>(db: &C, ids: &[Uuid]) -> Result<(), DbErr> {
    if ids.is_empty() {
        return Ok(());
    }
    Entity::delete_many()
        .filter(Column::Id.is_in(ids.iter().copied()))
        .exec(db)
        .await?;
    Ok(())
}

/// The device `id`, if it is `user_id`'s.
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

/// Every device of `user_id`, oldest first.
pub async fn of_user<C: ConnectionTrait>(db: &C, user_id: Uuid) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::UserId.eq(user_id))
        .order_by_asc(Column::Id)
        .all(db)
        .await
}

/// Every device of these members.
pub async fn of_users<C: ConnectionTrait>(db: &C, users: &[Uuid]) -> Result<Vec<Model>, DbErr> {
    if users.is_empty() {
        return Ok(Vec::new());
    }
    Entity::find()
        .filter(Column::UserId.is_in(users.iter().copied()))
        .order_by_asc(Column::Id)
        .all(db)
        .await
}

/// A page of `user_id`'s devices, oldest first.
pub async fn page_of_user<C: ConnectionTrait>(
    db: &C,
    user_id: Uuid,
    request: &PageRequest,
) -> Result<Page<Model>, DbErr> {
    crate::page::by_uuid(
        db,
        Entity::find().filter(Column::UserId.eq(user_id)),
        Column::Id,
        request,
    )
    .await
}

/// Notes that these devices were pushed to at `now`.
pub async fn pushed<C: ConnectionTrait>(
    db: &C,
    ids: &[Uuid],
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    if ids.is_empty() {
        return Ok(());
    }
    Entity::update_many()
        .col_expr(Column::LastPushedAt, Expr::value(now))
        .filter(Column::Id.is_in(ids.iter().copied()))
        .exec(db)
        .await?;
    Ok(())
}

/// Which of `users` have a device registered.
pub async fn users_with_devices<C: ConnectionTrait>(
    db: &C,
    users: &[Uuid],
) -> Result<std::collections::HashSet<Uuid>, DbErr> {
    use sea_orm::QuerySelect;
    if users.is_empty() {
        return Ok(Default::default());
    }
    let found: Vec<Uuid> = Entity::find()
        .select_only()
        .column(Column::UserId)
        .filter(Column::UserId.is_in(users.iter().copied()))
        .distinct()
        .into_tuple()
        .all(db)
        .await?;
    Ok(found.into_iter().collect())
}
