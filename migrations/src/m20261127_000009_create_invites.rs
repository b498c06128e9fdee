use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261127_000004_create_users::Users;
use crate::m20261127_000007_create_couples::Couples;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Invites::Table)
                    .if_not_exists()
                    .col(pk_uuid(Invites::Id))
                    .col(uuid(Invites::CoupleId))
                    .col(uuid(Invites::CreatedBy))
                    // SHA-256 of the code: a leaked table does not leak redeemable codes.
                    .col(string_len_uniq(Invites::CodeHash, 64))
                    .col(timestamp_with_time_zone(Invites::CreatedAt))
                    .col(timestamp_with_time_zone(Invites::ExpiresAt))
                    .col(timestamp_with_time_zone_null(Invites::UsedAt))
                    .col(uuid_null(Invites::UsedBy))
                    .col(timestamp_with_time_zone_null(Invites::RevokedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Invites::Table, Invites::CoupleId)
                            .to(Couples::Table, Couples::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Invites::Table, Invites::CreatedBy)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_invites_couple_id")
                    .table(Invites::Table)
                    .col(Invites::CoupleId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Invites::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Invites {
    Table,
    Id,
    CoupleId,
    CreatedBy,
    CodeHash,
    CreatedAt,
    ExpiresAt,
    UsedAt,
    UsedBy,
    RevokedAt,
}
