use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261127_000004_create_users::Users;

/// A member's locale (a BCP 47 tag): the language their notifications and emails are worded
/// in. Every account had English until now.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(string_len(UserLocale::Locale, 35).default("en"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .drop_column(UserLocale::Locale)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum UserLocale {
    Locale,
}
