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
                    .table(CoupleBreaks::Table)
                    .if_not_exists()
                    .col(pk_uuid(CoupleBreaks::Id))
                    .col(uuid(CoupleBreaks::CoupleId))
                    .col(uuid(CoupleBreaks::ProposedBy))
                    .col(string_len(CoupleBreaks::Status, 16))
                    .col(date(CoupleBreaks::Until))
                    .col(date(CoupleBreaks::CheckInOn))
                    .col(text(CoupleBreaks::Terms))
                    .col(text(CoupleBreaks::ContactRules))
                    // Each partner's private choice on the check-in date.
                    .col(string_len_null(CoupleBreaks::ProposerChoice, 32))
                    .col(string_len_null(CoupleBreaks::PartnerChoice, 32))
                    .col(timestamp_with_time_zone(CoupleBreaks::CreatedAt))
                    .col(timestamp_with_time_zone_null(CoupleBreaks::DecidedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(CoupleBreaks::Table, CoupleBreaks::CoupleId)
                            .to(Couples::Table, Couples::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(CoupleBreaks::Table, CoupleBreaks::ProposedBy)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_couple_breaks_couple")
                    .table(CoupleBreaks::Table)
                    .col(CoupleBreaks::CoupleId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CoupleBreaks::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum CoupleBreaks {
    Table,
    Id,
    CoupleId,
    ProposedBy,
    Status,
    Until,
    CheckInOn,
    Terms,
    ContactRules,
    ProposerChoice,
    PartnerChoice,
    CreatedAt,
    DecidedAt,
}
