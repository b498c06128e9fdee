use sea_orm_migration::prelude::*;

use crate::m20261127_000011_create_plans::Plans;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Every plan of some couples (histories, summaries, the deletion of an archived
        // couple's data): the partial unique index covers active plans only.
        manager
            .create_index(
                Index::create()
                    .name("ix_plans_couple")
                    .table(Plans::Table)
                    .col(Plans::CoupleId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_plans_couple")
                    .table(Plans::Table)
                    .to_owned(),
            )
            .await
    }
}
