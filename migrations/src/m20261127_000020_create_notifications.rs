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
                    .table(Notifications::Table)
                    .if_not_exists()
                    .col(pk_uuid(Notifications::Id))
                    .col(uuid(Notifications::UserId))
                    .col(string_len(Notifications::Kind, 32))
                    .col(text(Notifications::Title))
                    .col(text(Notifications::Body))
                    .col(json(Notifications::Data))
                    // What makes a retried job's notification the same one (unique).
                    .col(string_len(Notifications::DedupeKey, 200))
                    .col(timestamp_with_time_zone(Notifications::CreatedAt))
                    .col(timestamp_with_time_zone_null(Notifications::ReadAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Notifications::Table, Notifications::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, cols, unique) in [
            (
                "uq_notifications_dedupe_key",
                vec![Notifications::DedupeKey],
                true,
            ),
            (
                "ix_notifications_user",
                vec![Notifications::UserId, Notifications::Id],
                false,
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(Notifications::Table);
            for col in cols {
                index.col(col);
            }
            if unique {
                index.unique();
            }
            manager.create_index(index.to_owned()).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(Reminders::Table)
                    .if_not_exists()
                    .col(pk_uuid(Reminders::Id))
                    .col(uuid(Reminders::PlanItemId))
                    .col(date(Reminders::OccurrenceDate))
                    .col(uuid(Reminders::UserId))
                    // The occurrence's local time in the member's zone, and when the reminder
                    // goes out (later, if that falls in their quiet hours).
                    .col(timestamp_with_time_zone(Reminders::DueAt))
                    .col(timestamp_with_time_zone(Reminders::FireAt))
                    .col(string_len(Reminders::Status, 16))
                    .col(timestamp_with_time_zone(Reminders::QueuedAt))
                    .col(timestamp_with_time_zone_null(Reminders::SentAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Reminders::Table, Reminders::PlanItemId)
                            .to(PlanItems::Table, PlanItems::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Reminders::Table, Reminders::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // The dedupe key: each (item, occurrence, member) reminds at most once.
        manager
            .create_index(
                Index::create()
                    .name("uq_reminders_item_occurrence_user")
                    .table(Reminders::Table)
                    .col(Reminders::PlanItemId)
                    .col(Reminders::OccurrenceDate)
                    .col(Reminders::UserId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_reminders_status_fire_at")
                    .table(Reminders::Table)
                    .col(Reminders::Status)
                    .col(Reminders::FireAt)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(NotificationSettings::Table)
                    .if_not_exists()
                    .col(pk_uuid(NotificationSettings::UserId))
                    // Most ritual reminders per local day; none means no cap.
                    .col(integer_null(NotificationSettings::DailyCap))
                    .col(timestamp_with_time_zone(NotificationSettings::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(NotificationSettings::Table, NotificationSettings::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(MutedPlanItems::Table)
                    .if_not_exists()
                    .col(uuid(MutedPlanItems::UserId))
                    .col(uuid(MutedPlanItems::PlanItemId))
                    .col(timestamp_with_time_zone(MutedPlanItems::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(MutedPlanItems::UserId)
                            .col(MutedPlanItems::PlanItemId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(MutedPlanItems::Table, MutedPlanItems::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(MutedPlanItems::Table, MutedPlanItems::PlanItemId)
                            .to(PlanItems::Table, PlanItems::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            MutedPlanItems::Table.into_iden(),
            NotificationSettings::Table.into_iden(),
            Reminders::Table.into_iden(),
            Notifications::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Notifications {
    Table,
    Id,
    UserId,
    Kind,
    Title,
    Body,
    Data,
    DedupeKey,
    CreatedAt,
    ReadAt,
}

#[derive(DeriveIden)]
enum Reminders {
    Table,
    Id,
    PlanItemId,
    OccurrenceDate,
    UserId,
    DueAt,
    FireAt,
    Status,
    QueuedAt,
    SentAt,
}

#[derive(DeriveIden)]
enum NotificationSettings {
    Table,
    UserId,
    DailyCap,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum MutedPlanItems {
    Table,
    UserId,
    PlanItemId,
    CreatedAt,
}
