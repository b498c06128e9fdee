use sea_orm_migration::{prelude::*, schema::*};

/// Jobs each queue finished per minute, as workers add them up (every heartbeat), so operators
/// see throughput over the last hour whichever process ran the jobs.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(QueueThroughput::Table)
                    .if_not_exists()
                    .col(string_len(QueueThroughput::Queue, 64))
                    // The minute the runs were counted in (seconds zero).
                    .col(timestamp_with_time_zone(QueueThroughput::Minute))
                    // Runs that finished, and runs that failed (to be tried again or not).
                    .col(big_integer(QueueThroughput::Done).default(0))
                    .col(big_integer(QueueThroughput::Failed).default(0))
                    .primary_key(
                        Index::create()
                            .col(QueueThroughput::Queue)
                            .col(QueueThroughput::Minute),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_queue_throughput_minute")
                    .table(QueueThroughput::Table)
                    .col(QueueThroughput::Minute)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(QueueThroughput::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum QueueThroughput {
    Table,
    Queue,
    Minute,
    Done,
    Failed,
}
