//! Aggregates over the whole service, for operators: counts only, never a row's content.

use chrono::NaiveDate;
use sea_orm::entity::prelude::*;
use sea_orm::{PaginatorTrait, QueryOrder, QuerySelect};

use crate::{completion, couple, plan, user};

/// How many accounts, couples and plans there are now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Totals {
    pub users: u64,
    pub disabled_users: u64,
    pub active_couples: u64,
    pub active_plans: u64,
}

pub async fn totals<C: ConnectionTrait>(db: &C) -> Result<Totals, DbErr> {
    Ok(Totals {
        users: user::Entity::find().count(db).await?,
        disabled_users: user::Entity::find()
            .filter(user::Column::Disabled.eq(true))
            .count(db)
            .await?,
        active_couples: couple::Entity::find()
            .filter(couple::Column::Status.eq(couple::Status::Active.as_str()))
            .count(db)
            .await?,
        active_plans: plan::Entity::find()
            .filter(plan::Column::Status.eq(plan::Status::Active.as_str()))
            .count(db)
            .await?,
    })
}

/// Completions logged per occurrence date from `first` to `last` (both included), one entry
/// per day that has any, in date order.
pub async fn completions_per_day<C: ConnectionTrait>(
    db: &C,
    first: NaiveDate,
    last: NaiveDate,
) -> Result<Vec<(NaiveDate, u64)>, DbErr> {
    let rows: Vec<(NaiveDate, i64)> = completion::Entity::find()
        .select_only()
        .column(completion::Column::OccurrenceDate)
        .column_as(completion::Column::Id.count(), "n")
        .filter(completion::Column::OccurrenceDate.between(first, last))
        .group_by(completion::Column::OccurrenceDate)
        .order_by_asc(completion::Column::OccurrenceDate)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(day, n)| (day, u64::try_from(n).unwrap_or(0)))
        .collect())
}
