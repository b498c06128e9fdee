//! The `notification_settings` and `muted_plan_items` tables: a member's daily cap on ritual
//! reminders and the plan items they muted. Quiet hours live on the profile (`users`).

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::OnConflict;
use sea_orm::{QueryOrder, Set};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notification_settings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: Uuid,
    pub daily_cap: Option<i32>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// A member's daily cap on ritual reminders, if they set one.
pub async fn daily_cap<C: ConnectionTrait>(db: &C, user_id: Uuid) -> Result<Option<u32>, DbErr> {
    let row = Entity::find_by_id(user_id).one(db).await?;
    Ok(row
        .and_then(|r| r.daily_cap)
        .map(|cap| u32::try_from(cap).unwrap_or(0)))
}

/// The daily caps of those of `users` who set one.
pub async fn daily_caps<C: ConnectionTrait>(
    db: &C,
    users: &[Uuid],
) -> Result<std::collections::HashMap<Uuid, u32>, DbErr> {
    if users.is_empty() {
        return Ok(Default::default());
    }
    Ok(Entity::find()
        .filter(Column::UserId.is_in(users.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|row| {
            row.daily_cap
                .map(|cap| (row.user_id, u32::try_from(cap).unwrap_or(0)))
        })
        .collect())
}

pub async fn set_daily_cap<C: ConnectionTrait>(
    db: &C,
    user_id: Uuid,
    cap: Option<u32>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let cap = cap.map(|c| i32::try_from(c).unwrap_or(i32::MAX));
    Entity::insert(ActiveModel {
        user_id: Set(user_id),
        daily_cap: Set(cap),
        updated_at: Set(now),
    })
    .on_conflict(
        OnConflict::column(Column::UserId)
            .update_columns([Column::DailyCap, Column::UpdatedAt])
            .to_owned(),
    )
    .exec(db)
    .await?;
    Ok(())
}

pub mod muted {
    use super::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "muted_plan_items")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub user_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub plan_item_id: Uuid,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}

    /// The plan items a member muted, in muting order.
    pub async fn for_user<C: ConnectionTrait>(db: &C, user_id: Uuid) -> Result<Vec<Uuid>, DbErr> {
        Ok(Entity::find()
            .filter(Column::UserId.eq(user_id))
            .order_by_asc(Column::CreatedAt)
            .order_by_asc(Column::PlanItemId)
            .all(db)
            .await?
            .into_iter()
            .map(|m| m.plan_item_id)
            .collect())
    }

    /// Which of `users` muted which of `items`, as (user, item) pairs.
    pub async fn among<C: ConnectionTrait>(
        db: &C,
        users: &[Uuid],
        items: &[Uuid],
    ) -> Result<HashSet<(Uuid, Uuid)>, DbErr> {
        if users.is_empty() || items.is_empty() {
            return Ok(HashSet::new());
        }
        Ok(Entity::find()
            .filter(Column::UserId.is_in(users.iter().copied()))
            .filter(Column::PlanItemId.is_in(items.iter().copied()))
            .all(db)
            .await?
            .into_iter()
            .map(|m| (m.user_id, m.plan_item_id))
            .collect())
    }

    pub async fn mute<C: ConnectionTrait>(
        db: &C,
        user_id: Uuid,
        plan_item_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<(), DbErr> {
        Entity::insert(ActiveModel {
            user_id: Set(user_id),
            plan_item_id: Set(plan_item_id),
            created_at: Set(now),
        })
        .on_conflict_do_nothing_on([Column::UserId, Column::PlanItemId])
        .exec(db)
        .await?;
        Ok(())
    }

    pub async fn unmute<C: ConnectionTrait>(
        db: &C,
        user_id: Uuid,
        plan_item_id: Uuid,
    ) -> Result<(), DbErr> {
        Entity::delete_many()
            .filter(Column::UserId.eq(user_id))
            .filter(Column::PlanItemId.eq(plan_item_id))
            .exec(db)
            .await?;
        Ok(())
    }
}
