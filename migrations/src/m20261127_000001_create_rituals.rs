use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Rituals::Table)
                    .if_not_exists()
                    .col(pk_uuid(Rituals::Id))
                    .col(string_len_uniq(Rituals::Key, 64))
                    .col(string_len(Rituals::Title, 80))
                    .col(text(Rituals::Summary))
                    .col(text(Rituals::WhyItHelps))
                    .col(string_len(Rituals::Category, 32))
                    .col(string_len(Rituals::DefaultCadence, 32))
                    .col(integer(Rituals::DurationMinutes))
                    .col(json(Rituals::Steps))
                    .col(boolean(Rituals::BuiltIn))
                    .col(timestamp_with_time_zone(Rituals::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_rituals_category")
                    .table(Rituals::Table)
                    .col(Rituals::Category)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Rituals::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub(crate) enum Rituals {
    Table,
    Id,
    Key,
    Title,
    Summary,
    WhyItHelps,
    Category,
    DefaultCadence,
    DurationMinutes,
    Steps,
    BuiltIn,
    CreatedAt,
}
