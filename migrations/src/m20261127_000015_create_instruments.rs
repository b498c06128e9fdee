use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Instruments::Table)
                    .if_not_exists()
                    .col(pk_uuid(Instruments::Id))
                    .col(string_len(Instruments::Key, 64))
                    .col(integer(Instruments::Version))
                    .col(json(Instruments::Definition))
                    .col(timestamp_with_time_zone(Instruments::CreatedAt))
                    .to_owned(),
            )
            .await?;
        // A definition is stored once per version and never changed: results keep the version
        // they were scored with.
        manager
            .create_index(
                Index::create()
                    .name("uq_instruments_key_version")
                    .table(Instruments::Table)
                    .col(Instruments::Key)
                    .col(Instruments::Version)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Instruments::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub(crate) enum Instruments {
    Table,
    Id,
    Key,
    Version,
    Definition,
    CreatedAt,
}
