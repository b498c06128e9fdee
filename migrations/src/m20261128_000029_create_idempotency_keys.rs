use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(IdempotencyKeys::Table)
                    .if_not_exists()
                    .col(pk_uuid(IdempotencyKeys::Id))
                    // Whose key: `user:<id>`, `key:<id>` (an API key) or `anonymous`.
                    .col(string_len(IdempotencyKeys::Owner, 64))
                    // The hex SHA-256 of the key; the key itself is never stored.
                    .col(string_len(IdempotencyKeys::KeyHash, 64))
                    // The hex SHA-256 of the request, keyed by the key.
                    .col(string_len(IdempotencyKeys::Fingerprint, 64))
                    // `running` or `done`.
                    .col(string_len(IdempotencyKeys::Status, 16))
                    // The answer, sealed with a key derived from the idempotency key.
                    .col(text_null(IdempotencyKeys::Answer))
                    .col(timestamp_with_time_zone(IdempotencyKeys::CreatedAt))
                    // A running attempt past this is taken to have died with its process.
                    .col(timestamp_with_time_zone(IdempotencyKeys::LockedUntil))
                    .col(timestamp_with_time_zone(IdempotencyKeys::ExpiresAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_idempotency_keys_owner_key")
                    .table(IdempotencyKeys::Table)
                    .col(IdempotencyKeys::Owner)
                    .col(IdempotencyKeys::KeyHash)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_idempotency_keys_expires_at")
                    .table(IdempotencyKeys::Table)
                    .col(IdempotencyKeys::ExpiresAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(IdempotencyKeys::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum IdempotencyKeys {
    Table,
    Id,
    Owner,
    KeyHash,
    Fingerprint,
    Status,
    Answer,
    CreatedAt,
    LockedUntil,
    ExpiresAt,
}
