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
                    .table(Plans::Table)
                    .if_not_exists()
                    .col(pk_uuid(Plans::Id))
                    .col(uuid(Plans::CoupleId))
                    .col(string_len(Plans::Name, 120))
                    .col(string_len(Plans::Status, 16))
                    .col(timestamp_with_time_zone_null(Plans::PausedUntil))
                    .col(timestamp_with_time_zone(Plans::CreatedAt))
                    .col(timestamp_with_time_zone_null(Plans::ArchivedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Plans::Table, Plans::CoupleId)
                            .to(Couples::Table, Couples::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // One active plan per couple, enforced by the database.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX uq_plans_active_couple ON plans (couple_id) WHERE status = 'active'",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Plans::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub(crate) enum Plans {
    Table,
    Id,
    CoupleId,
    Name,
    Status,
    PausedUntil,
    CreatedAt,
    ArchivedAt,
}
