use sea_orm_migration::{prelude::*, schema::*};

/// The outbox: the jobs a write causes (webhook deliveries among them), stored in the write's
/// own transaction and handed to the queue after it commits. A row stays until its job has
/// run, so a job handed over twice runs once, and one never handed over (the process died
/// after the commit) is sent by the worker's relay.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Outbox::Table)
                    .if_not_exists()
                    .col(pk_uuid(Outbox::Id))
                    // The job's queue, without the deployment's prefix.
                    .col(string_len(Outbox::Queue, 64))
                    // The job as it goes on its queue (`Queued`, naming this row).
                    .col(text(Outbox::Payload))
                    .col(timestamp_with_time_zone(Outbox::CreatedAt))
                    // When the job is due (a delayed job's later instant).
                    .col(timestamp_with_time_zone(Outbox::RunAt))
                    // When it was last handed to the queue; NULL until it is.
                    .col(timestamp_with_time_zone_null(Outbox::HandedAt))
                    // A run holds the row until then; NULL when no run holds it.
                    .col(timestamp_with_time_zone_null(Outbox::ClaimedUntil))
                    // Runs that took the row (a job's retries included).
                    .col(integer(Outbox::Runs).default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_outbox_created_at")
                    .table(Outbox::Table)
                    .col(Outbox::CreatedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Outbox::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Outbox {
    Table,
    Id,
    Queue,
    Payload,
    CreatedAt,
    RunAt,
    HandedAt,
    ClaimedUntil,
    Runs,
}
