use sea_orm_migration::{prelude::*, schema::*};

/// Members' data rights: exports of everything of a member, downloaded once through an
/// expiring link, and account deletion after a grace period.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(DataExports::Table)
                    .if_not_exists()
                    .col(pk_uuid(DataExports::Id))
                    .col(uuid(DataExports::UserId))
                    // The download link's secret, as a digest: the link itself is never stored.
                    .col(string_len(DataExports::TokenHash, 64).unique_key())
                    .col(timestamp_with_time_zone(DataExports::RequestedAt))
                    .col(timestamp_with_time_zone(DataExports::ExpiresAt))
                    .col(timestamp_with_time_zone_null(DataExports::ReadyAt))
                    .col(timestamp_with_time_zone_null(DataExports::DownloadedAt))
                    // The JSON archive; dropped once downloaded or expired.
                    .col(text_null(DataExports::Archive))
                    .foreign_key(
                        ForeignKey::create()
                            .from(DataExports::Table, DataExports::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_data_exports_user")
                    .table(DataExports::Table)
                    .col(DataExports::UserId)
                    .col(DataExports::RequestedAt)
                    .to_owned(),
            )
            .await?;
        for column in [
            timestamp_with_time_zone_null(Users::DeletionRequestedAt),
            timestamp_with_time_zone_null(Users::DeleteAfter),
            timestamp_with_time_zone_null(Users::DeletedAt),
        ] {
            // One column per statement: SQLite adds one at a time.
            manager
                .alter_table(
                    Table::alter()
                        .table(Users::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("idx_users_delete_after")
                    .table(Users::Table)
                    .col(Users::DeleteAfter)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_users_delete_after")
                    .table(Users::Table)
                    .to_owned(),
            )
            .await?;
        for column in [
            Users::DeletedAt,
            Users::DeleteAfter,
            Users::DeletionRequestedAt,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Users::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .drop_table(Table::drop().table(DataExports::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum DataExports {
    Table,
    Id,
    UserId,
    TokenHash,
    RequestedAt,
    ExpiresAt,
    ReadyAt,
    DownloadedAt,
    Archive,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    DeletionRequestedAt,
    DeleteAfter,
    DeletedAt,
}
