use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261127_000007_create_couples::Couples;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // When an archived couple's shared data was deleted (30 days after it was archived).
        manager
            .alter_table(
                Table::alter()
                    .table(Couples::Table)
                    .add_column(timestamp_with_time_zone_null(Deleted::SharedDataDeletedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Couples::Table)
                    .drop_column(Deleted::SharedDataDeletedAt)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Deleted {
    SharedDataDeletedAt,
}
