use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Couples::Table)
                    .if_not_exists()
                    .col(pk_uuid(Couples::Id))
                    .col(string_len(Couples::Status, 16))
                    .col(date_null(Couples::RelationshipStart))
                    .col(json(Couples::Goals))
                    .col(json(Couples::Distractions))
                    .col(string_len(Couples::Timezone, 64))
                    .col(timestamp_with_time_zone(Couples::CreatedAt))
                    .col(timestamp_with_time_zone(Couples::UpdatedAt))
                    .col(timestamp_with_time_zone_null(Couples::ArchivedAt))
                    .col(timestamp_with_time_zone_null(
                        Couples::SharedDataDeleteAfter,
                    ))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Couples::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub(crate) enum Couples {
    Table,
    Id,
    Status,
    RelationshipStart,
    Goals,
    Distractions,
    Timezone,
    CreatedAt,
    UpdatedAt,
    ArchivedAt,
    SharedDataDeleteAfter,
}
