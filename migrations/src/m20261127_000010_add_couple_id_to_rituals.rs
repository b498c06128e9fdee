use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261127_000001_create_rituals::Rituals;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // A couple's private custom rituals carry its ID; catalog rituals have none.
        manager
            .alter_table(
                Table::alter()
                    .table(Rituals::Table)
                    .add_column(uuid_null(CustomRituals::CoupleId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_rituals_couple_id")
                    .table(Rituals::Table)
                    .col(CustomRituals::CoupleId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_rituals_couple_id")
                    .table(Rituals::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Rituals::Table)
                    .drop_column(CustomRituals::CoupleId)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum CustomRituals {
    CoupleId,
}
