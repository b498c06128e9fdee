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
                    .table(CheckInAnswers::Table)
                    .if_not_exists()
                    .col(pk_uuid(CheckInAnswers::Id))
                    .col(uuid(CheckInAnswers::CoupleId))
                    // The couple's local day the check-in belongs to.
                    .col(date(CheckInAnswers::LocalDate))
                    .col(uuid(CheckInAnswers::UserId))
                    .col(string_len(CheckInAnswers::PromptKey, 64))
                    .col(text(CheckInAnswers::Answer))
                    .col(timestamp_with_time_zone(CheckInAnswers::AnsweredAt))
                    .col(timestamp_with_time_zone(CheckInAnswers::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(CheckInAnswers::Table, CheckInAnswers::CoupleId)
                            .to(Couples::Table, Couples::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(CheckInAnswers::Table, CheckInAnswers::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // One answer per member per check-in, whatever the retries.
        manager
            .create_index(
                Index::create()
                    .name("uq_check_in_answers_couple_date_user")
                    .table(CheckInAnswers::Table)
                    .col(CheckInAnswers::CoupleId)
                    .col(CheckInAnswers::LocalDate)
                    .col(CheckInAnswers::UserId)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CheckInAnswers::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum CheckInAnswers {
    Table,
    Id,
    CoupleId,
    LocalDate,
    UserId,
    PromptKey,
    Answer,
    AnsweredAt,
    UpdatedAt,
}
