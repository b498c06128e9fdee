use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261127_000004_create_users::Users;
use crate::m20261127_000013_create_plan_items::PlanItems;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Completions::Table)
                    .if_not_exists()
                    .col(pk_uuid(Completions::Id))
                    .col(uuid(Completions::PlanItemId))
                    .col(date(Completions::OccurrenceDate))
                    .col(uuid(Completions::UserId))
                    .col(small_integer(Completions::Closeness))
                    .col(text_null(Completions::Note))
                    .col(boolean(Completions::NoteShared))
                    .col(timestamp_with_time_zone(Completions::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Completions::Table, Completions::PlanItemId)
                            .to(PlanItems::Table, PlanItems::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Completions::Table, Completions::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // Idempotency: one completion per (item, occurrence, member), whatever the retries.
        manager
            .create_index(
                Index::create()
                    .name("uq_completions_item_occurrence_user")
                    .table(Completions::Table)
                    .col(Completions::PlanItemId)
                    .col(Completions::OccurrenceDate)
                    .col(Completions::UserId)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Completions::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Completions {
    Table,
    Id,
    PlanItemId,
    OccurrenceDate,
    UserId,
    Closeness,
    Note,
    NoteShared,
    CreatedAt,
}
