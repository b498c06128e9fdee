//! The `queue_throughput` table: how many runs of each queue finished or failed per minute,
//! added up by the workers that ran them.

use std::collections::HashMap;

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{QuerySelect, Set};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "queue_throughput")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub queue: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub minute: DateTimeUtc,
    pub done: i64,
    pub failed: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// Runs of one queue to add: finished, and failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Runs {
    pub queue: String,
    pub done: u64,
    pub failed: u64,
}

/// Adds runs to the minute `at` falls in (one statement for every queue).
pub async fn add<C: ConnectionTrait>(
    db: &C,
    at: DateTime<Utc>,
    runs: &[Runs],
) -> Result<(), DbErr> {
    if runs.is_empty() {
        return Ok(());
    }
    let minute = at.duration_trunc(TimeDelta::minutes(1)).unwrap_or(at);
    let rows = runs.iter().map(|r| ActiveModel {
        queue: Set(r.queue.clone()),
        minute: Set(minute),
        done: Set(i64::try_from(r.done).unwrap_or(i64::MAX)),
        failed: Set(i64::try_from(r.failed).unwrap_or(i64::MAX)),
    });
    let sum = |column: Column, name: &str| {
        Expr::col((Entity, column)).add(Expr::cust(format!("excluded.{name}")))
    };
    Entity::insert_many(rows)
        .on_conflict(
            OnConflict::columns([Column::Queue, Column::Minute])
                .value(Column::Done, sum(Column::Done, "done"))
                .value(Column::Failed, sum(Column::Failed, "failed"))
                .to_owned(),
        )
        .exec(db)
        .await?;
    Ok(())
}

/// Each queue's finished and failed runs since `since`.
pub async fn since<C: ConnectionTrait>(
    db: &C,
    since: DateTime<Utc>,
) -> Result<HashMap<String, (u64, u64)>, DbErr> {
    let rows: Vec<(String, Option<i64>, Option<i64>)> = Entity::find()
        .select_only()
        .column(Column::Queue)
        .column_as(Expr::col(Column::Done).sum().cast_as("BIGINT"), "done")
        .column_as(Expr::col(Column::Failed).sum().cast_as("BIGINT"), "failed")
        .filter(Column::Minute.gte(since))
        .group_by(Column::Queue)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(queue, done, failed)| {
            let count = |n: Option<i64>| u64::try_from(n.unwrap_or(0)).unwrap_or(0);
            (queue, (count(done), count(failed)))
        })
        .collect())
}

/// Removes minutes before `cutoff`; answers how many rows went.
pub async fn prune<C: ConnectionTrait>(db: &C, cutoff: DateTime<Utc>) -> Result<u64, DbErr> {
    let result = Entity::delete_many()
        .filter(Column::Minute.lt(cutoff))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}
