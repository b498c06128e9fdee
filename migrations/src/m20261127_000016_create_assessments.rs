use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261127_000004_create_users::Users;
use crate::m20261127_000015_create_instruments::Instruments;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Assessments::Table)
                    .if_not_exists()
                    .col(pk_uuid(Assessments::Id))
                    .col(uuid(Assessments::UserId))
                    .col(uuid(Assessments::InstrumentId))
                    .col(string_len(Assessments::InstrumentKey, 64))
                    .col(string_len(Assessments::Status, 16))
                    // The member's answers by item key: theirs alone, always.
                    .col(json(Assessments::Answers))
                    .col(json_null(Assessments::Result))
                    .col(double_null(Assessments::Total))
                    .col(boolean(Assessments::Safety))
                    // The couple a shared result is shared with; none while private.
                    .col(uuid_null(Assessments::SharedWithCouple))
                    .col(timestamp_with_time_zone_null(Assessments::SharedAt))
                    .col(timestamp_with_time_zone(Assessments::StartedAt))
                    .col(timestamp_with_time_zone(Assessments::UpdatedAt))
                    .col(timestamp_with_time_zone_null(Assessments::SubmittedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Assessments::Table, Assessments::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Assessments::Table, Assessments::InstrumentId)
                            .to(Instruments::Table, Instruments::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_assessments_user_instrument")
                    .table(Assessments::Table)
                    .col(Assessments::UserId)
                    .col(Assessments::InstrumentKey)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_assessments_shared_with_couple")
                    .table(Assessments::Table)
                    .col(Assessments::SharedWithCouple)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Assessments::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Assessments {
    Table,
    Id,
    UserId,
    InstrumentId,
    InstrumentKey,
    Status,
    Answers,
    Result,
    Total,
    Safety,
    SharedWithCouple,
    SharedAt,
    StartedAt,
    UpdatedAt,
    SubmittedAt,
}
