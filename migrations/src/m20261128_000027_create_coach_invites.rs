use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261127_000004_create_users::Users;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CoachInvites::Table)
                    .if_not_exists()
                    .col(pk_uuid(CoachInvites::Id))
                    .col(uuid(CoachInvites::OrganizationId))
                    // Lower-cased; only an account with this email may accept.
                    .col(string_len(CoachInvites::Email, 254))
                    // The hex SHA-256 of the token in the emailed link.
                    .col(string_len_uniq(CoachInvites::TokenHash, 64))
                    .col(uuid_null(CoachInvites::InvitedBy))
                    .col(timestamp_with_time_zone(CoachInvites::CreatedAt))
                    .col(timestamp_with_time_zone(CoachInvites::ExpiresAt))
                    .col(timestamp_with_time_zone_null(CoachInvites::AcceptedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(CoachInvites::Table, CoachInvites::OrganizationId)
                            .to(Organizations::Table, Organizations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(CoachInvites::Table, CoachInvites::InvitedBy)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CoachInvites::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Organizations {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum CoachInvites {
    Table,
    Id,
    OrganizationId,
    Email,
    TokenHash,
    InvitedBy,
    CreatedAt,
    ExpiresAt,
    AcceptedAt,
}
