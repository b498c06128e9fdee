use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261127_000011_create_plans::Plans;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Every pause a plan had: paused stretches never count against a streak.
        manager
            .create_table(
                Table::create()
                    .table(PlanPauses::Table)
                    .if_not_exists()
                    .col(pk_uuid(PlanPauses::Id))
                    .col(uuid(PlanPauses::PlanId))
                    .col(timestamp_with_time_zone(PlanPauses::StartsAt))
                    .col(timestamp_with_time_zone(PlanPauses::EndsAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(PlanPauses::Table, PlanPauses::PlanId)
                            .to(Plans::Table, Plans::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_plan_pauses_plan_id")
                    .table(PlanPauses::Table)
                    .col(PlanPauses::PlanId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PlanPauses::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum PlanPauses {
    Table,
    Id,
    PlanId,
    StartsAt,
    EndsAt,
}
