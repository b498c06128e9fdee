use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261127_000001_create_rituals::Rituals;
use crate::m20261127_000004_create_users::Users;
use crate::m20261127_000007_create_couples::Couples;
use crate::m20261127_000015_create_instruments::Instruments;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Rituals and instrument versions an organization wrote; none for the built-ins and a
        // couple's own. (SQLite cannot add a foreign key to a table: organizations are never
        // deleted, and the index serves the lists.)
        manager
            .alter_table(
                Table::alter()
                    .table(Rituals::Table)
                    .add_column(uuid_null(Owner::OrganizationId))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Instruments::Table)
                    .add_column(uuid_null(Owner::OrganizationId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_rituals_organization")
                    .table(Rituals::Table)
                    .col(Owner::OrganizationId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_instruments_organization")
                    .table(Instruments::Table)
                    .col(Owner::OrganizationId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Suggestions::Table)
                    .if_not_exists()
                    .col(pk_uuid(Suggestions::Id))
                    .col(uuid(Suggestions::OrganizationId))
                    .col(uuid(Suggestions::CoupleId))
                    .col(uuid_null(Suggestions::SuggestedBy))
                    // Exactly one of the two.
                    .col(uuid_null(Suggestions::RitualId))
                    .col(uuid_null(Suggestions::InstrumentId))
                    .col(string_len_null(Suggestions::Message, 500))
                    // `open`, `accepted` or `ignored`.
                    .col(string_len(Suggestions::Status, 16))
                    .col(timestamp_with_time_zone(Suggestions::CreatedAt))
                    .col(timestamp_with_time_zone_null(Suggestions::DecidedAt))
                    .col(uuid_null(Suggestions::DecidedBy))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Suggestions::Table, Suggestions::OrganizationId)
                            .to(Organizations::Table, Organizations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Suggestions::Table, Suggestions::CoupleId)
                            .to(Couples::Table, Couples::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Suggestions::Table, Suggestions::SuggestedBy)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Suggestions::Table, Suggestions::DecidedBy)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Suggestions::Table, Suggestions::RitualId)
                            .to(Rituals::Table, Rituals::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Suggestions::Table, Suggestions::InstrumentId)
                            .to(Instruments::Table, Instruments::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_suggestions_couple")
                    .table(Suggestions::Table)
                    .col(Suggestions::CoupleId)
                    .col(Suggestions::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_suggestions_organization_couple")
                    .table(Suggestions::Table)
                    .col(Suggestions::OrganizationId)
                    .col(Suggestions::CoupleId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Suggestions::Table).to_owned())
            .await?;
        for (table, index) in [
            (
                Instruments::Table.into_iden(),
                "idx_instruments_organization",
            ),
            (Rituals::Table.into_iden(), "idx_rituals_organization"),
        ] {
            manager
                .drop_index(Index::drop().name(index).table(table.clone()).to_owned())
                .await?;
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .drop_column(Owner::OrganizationId)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Owner {
    OrganizationId,
}

#[derive(DeriveIden)]
enum Organizations {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Suggestions {
    Table,
    Id,
    OrganizationId,
    CoupleId,
    SuggestedBy,
    RitualId,
    InstrumentId,
    Message,
    Status,
    CreatedAt,
    DecidedAt,
    DecidedBy,
}
