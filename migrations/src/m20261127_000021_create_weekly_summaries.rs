use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261127_000007_create_couples::Couples;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(WeeklySummaries::Table)
                    .if_not_exists()
                    .col(pk_uuid(WeeklySummaries::Id))
                    .col(uuid(WeeklySummaries::CoupleId))
                    // The Monday of the couple's local ISO week.
                    .col(date(WeeklySummaries::WeekStart))
                    // A `domain::summary::WeeklySummary`: counts and shares, nothing private.
                    .col(json(WeeklySummaries::Content))
                    .col(timestamp_with_time_zone(WeeklySummaries::BuiltAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(WeeklySummaries::Table, WeeklySummaries::CoupleId)
                            .to(Couples::Table, Couples::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // One summary per couple-week.
        manager
            .create_index(
                Index::create()
                    .name("uq_weekly_summaries_couple_week")
                    .table(WeeklySummaries::Table)
                    .col(WeeklySummaries::CoupleId)
                    .col(WeeklySummaries::WeekStart)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(WeeklySummaries::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum WeeklySummaries {
    Table,
    Id,
    CoupleId,
    WeekStart,
    Content,
    BuiltAt,
}
