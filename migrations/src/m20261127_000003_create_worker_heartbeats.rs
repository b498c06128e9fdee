use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(WorkerHeartbeats::Table)
                    .if_not_exists()
                    .col(pk_uuid(WorkerHeartbeats::WorkerId))
                    .col(string_len(WorkerHeartbeats::Host, 255))
                    .col(string_len(WorkerHeartbeats::Version, 64))
                    .col(timestamp_with_time_zone(WorkerHeartbeats::StartedAt))
                    .col(timestamp_with_time_zone(WorkerHeartbeats::LastSeenAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_worker_heartbeats_last_seen_at")
                    .table(WorkerHeartbeats::Table)
                    .col(WorkerHeartbeats::LastSeenAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(WorkerHeartbeats::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum WorkerHeartbeats {
    Table,
    WorkerId,
    Host,
    Version,
    StartedAt,
    LastSeenAt,
}
