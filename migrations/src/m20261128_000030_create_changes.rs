use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Changes::Table)
                    .if_not_exists()
                    // In commit order: writers take a lock to record (see entities::change).
                    .col(big_pk_auto(Changes::Seq))
                    // The object's GraphQL type, as its global ID names it.
                    .col(string_len(Changes::Kind, 32))
                    .col(uuid(Changes::ObjectId))
                    // `CREATED`, `UPDATED` or `DELETED`.
                    .col(string_len(Changes::Action, 16))
                    // Who may see it: the members of a couple, or one member only.
                    .col(uuid_null(Changes::CoupleId))
                    .col(uuid_null(Changes::UserId))
                    .col(timestamp_with_time_zone(Changes::CreatedAt))
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("idx_changes_couple_seq", Changes::CoupleId),
            ("idx_changes_user_seq", Changes::UserId),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Changes::Table)
                        .col(column)
                        .col(Changes::Seq)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("idx_changes_created_at")
                    .table(Changes::Table)
                    .col(Changes::CreatedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Changes::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Changes {
    Table,
    Seq,
    Kind,
    ObjectId,
    Action,
    CoupleId,
    UserId,
    CreatedAt,
}
