use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(DeadJobs::Table)
                    .if_not_exists()
                    .col(pk_uuid(DeadJobs::Id))
                    .col(string_len(DeadJobs::Queue, 64))
                    // The job's payload as it was queued, to run it again.
                    .col(json(DeadJobs::Payload))
                    .col(integer(DeadJobs::Attempts))
                    .col(text(DeadJobs::LastError))
                    .col(timestamp_with_time_zone(DeadJobs::FailedAt))
                    .col(timestamp_with_time_zone_null(DeadJobs::RetriedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_dead_jobs_queue")
                    .table(DeadJobs::Table)
                    .col(DeadJobs::Queue)
                    .col(DeadJobs::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(DeadJobs::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum DeadJobs {
    Table,
    Id,
    Queue,
    Payload,
    Attempts,
    LastError,
    FailedAt,
    RetriedAt,
}
