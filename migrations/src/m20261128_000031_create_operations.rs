use sea_orm_migration::{prelude::*, schema::*};

/// What operators need: an audit log of their actions, dead jobs they discarded, and the jobs
/// that failed a run and wait for the next one.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AuditLog::Table)
                    .if_not_exists()
                    // Time-ordered (v7): the log reads newest first by ID.
                    .col(pk_uuid(AuditLog::Id))
                    .col(uuid(AuditLog::ActorId))
                    // What was done, as `object.verb` (`user.disable`).
                    .col(string_len(AuditLog::Action, 64))
                    // What it was done to: a kind and its ID (`user`, `dead_job`, ...).
                    .col(string_len(AuditLog::TargetKind, 32))
                    .col(string_len(AuditLog::TargetId, 64))
                    // Settings of the action (a new role, a week), never content.
                    .col(json(AuditLog::Detail))
                    .col(timestamp_with_time_zone(AuditLog::CreatedAt))
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("idx_audit_log_actor", AuditLog::ActorId),
            ("idx_audit_log_target", AuditLog::TargetId),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(AuditLog::Table)
                        .col(column)
                        .col(AuditLog::Id)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(DeadJobs::Table)
                    .add_column(timestamp_with_time_zone_null(DeadJobs::DiscardedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(JobRetries::Table)
                    .if_not_exists()
                    .col(pk_uuid(JobRetries::Id))
                    .col(string_len(JobRetries::Queue, 64))
                    // The run that failed (1 for the first).
                    .col(integer(JobRetries::Attempt))
                    .col(text(JobRetries::Error))
                    .col(timestamp_with_time_zone(JobRetries::FailedAt))
                    // When the next run is due: until then the job counts as failed.
                    .col(timestamp_with_time_zone(JobRetries::RetryAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_job_retries_retry_at")
                    .table(JobRetries::Table)
                    .col(JobRetries::RetryAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(JobRetries::Table).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(DeadJobs::Table)
                    .drop_column(DeadJobs::DiscardedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(AuditLog::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum AuditLog {
    Table,
    Id,
    ActorId,
    Action,
    TargetKind,
    TargetId,
    Detail,
    CreatedAt,
}

#[derive(DeriveIden)]
enum DeadJobs {
    Table,
    DiscardedAt,
}

#[derive(DeriveIden)]
enum JobRetries {
    Table,
    Id,
    Queue,
    Attempt,
    Error,
    FailedAt,
    RetryAt,
}
