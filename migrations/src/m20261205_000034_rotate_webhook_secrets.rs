use sea_orm_migration::{prelude::*, schema::*};

/// Rotating an endpoint's secret: the secret it replaced keeps signing deliveries beside the
/// new one until the overlap ends, so receivers can switch without losing any.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            text_null(WebhookEndpoints::PreviousSecret),
            timestamp_with_time_zone_null(WebhookEndpoints::PreviousSecretUntil),
        ] {
            // One column per statement: SQLite adds one at a time.
            manager
                .alter_table(
                    Table::alter()
                        .table(WebhookEndpoints::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            WebhookEndpoints::PreviousSecret,
            WebhookEndpoints::PreviousSecretUntil,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(WebhookEndpoints::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum WebhookEndpoints {
    Table,
    PreviousSecret,
    PreviousSecretUntil,
}
