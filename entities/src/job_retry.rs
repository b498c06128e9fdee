//! The `job_retries` table: each failed run of a job that will run again, so operators can see
//! what is failing before it is dead-lettered. A row counts as "failed" until its retry is due.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::Set;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "job_retries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub queue: String,
    pub attempt: i32,
    pub error: String,
    pub failed_at: DateTimeUtc,
    pub retry_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// Records that a run of a job on `queue` failed and the job runs again at `retry_at`.
pub async fn record<C: ConnectionTrait>(
    db: &C,
    queue: &str,
    attempt: u32,
    error: &str,
    failed_at: DateTime<Utc>,
    retry_at: DateTime<Utc>,
) -> Result<(), DbErr> {
    ActiveModel {
        id: Set(Uuid::now_v7()),
        queue: Set(queue.to_owned()),
        attempt: Set(i32::try_from(attempt).unwrap_or(i32::MAX)),
        error: Set(error.to_owned()),
        failed_at: Set(failed_at),
        retry_at: Set(retry_at),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Jobs that failed a run and whose next run is not yet due at `now`, counted by queue.
pub async fn waiting_by_queue<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
) -> Result<HashMap<String, u64>, DbErr> {
    let waiting = Entity::find().filter(Column::RetryAt.gt(now));
    crate::count_by(db, waiting, Column::Queue, Column::Id).await
}

/// Forgets retries due before `cutoff`; answers how many went.
pub async fn prune<C: ConnectionTrait>(db: &C, cutoff: DateTime<Utc>) -> Result<u64, DbErr> {
    let done = Entity::delete_many()
        .filter(Column::RetryAt.lt(cutoff))
        .exec(db)
        .await?;
    Ok(done.rows_affected)
}
