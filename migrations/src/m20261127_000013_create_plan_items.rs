use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261127_000001_create_rituals::Rituals;
use crate::m20261127_000011_create_plans::Plans;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PlanItems::Table)
                    .if_not_exists()
                    .col(pk_uuid(PlanItems::Id))
                    .col(uuid(PlanItems::PlanId))
                    .col(uuid(PlanItems::RitualId))
                    // The schedule as a JSON spec (cadence, days, local time, time zone, start).
                    .col(json(PlanItems::Schedule))
                    .col(string_len(PlanItems::Assignee, 16))
                    .col(uuid_null(PlanItems::AssigneeUserId))
                    .col(string_len(PlanItems::Status, 16))
                    .col(timestamp_with_time_zone(PlanItems::CreatedAt))
                    .col(timestamp_with_time_zone_null(PlanItems::RemovedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(PlanItems::Table, PlanItems::PlanId)
                            .to(Plans::Table, Plans::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(PlanItems::Table, PlanItems::RitualId)
                            .to(Rituals::Table, Rituals::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_plan_items_plan_id")
                    .table(PlanItems::Table)
                    .col(PlanItems::PlanId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PlanItems::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub(crate) enum PlanItems {
    Table,
    Id,
    PlanId,
    RitualId,
    Schedule,
    Assignee,
    AssigneeUserId,
    Status,
    CreatedAt,
    RemovedAt,
}
