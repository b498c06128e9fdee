//! The `worker_heartbeats` table: one row per worker process, refreshed while it runs.

use sea_orm::entity::prelude::*;
use sea_orm::sea_query::OnConflict;
use sea_orm::{QueryOrder, Set};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "worker_heartbeats")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub worker_id: Uuid,
    pub host: String,
    pub version: String,
    pub started_at: DateTimeUtc,
    pub last_seen_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// Inserts the worker's row, or moves its `last_seen_at` forward.
pub async fn beat<C: ConnectionTrait>(db: &C, worker: &Model) -> Result<(), DbErr> {
    let row = ActiveModel {
        worker_id: Set(worker.worker_id),
        host: Set(worker.host.clone()),
        version: Set(worker.version.clone()),
        started_at: Set(worker.started_at),
        last_seen_at: Set(worker.last_seen_at),
    };
    Entity::insert(row)
        .on_conflict(
            OnConflict::column(Column::WorkerId)
                .update_column(Column::LastSeenAt)
                .to_owned(),
        )
        .exec(db)
        .await?;
    Ok(())
}

/// Removes the rows of workers not seen since `cutoff`; answers how many went.
pub async fn prune<C: ConnectionTrait>(db: &C, cutoff: DateTimeUtc) -> Result<u64, DbErr> {
    let result = Entity::delete_many()
        .filter(Column::LastSeenAt.lt(cutoff))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

/// Every known worker, most recently seen first.
pub async fn list<C: ConnectionTrait>(db: &C) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .order_by_desc(Column::LastSeenAt)
        .all(db)
        .await
}
