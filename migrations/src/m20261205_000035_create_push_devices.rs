use sea_orm_migration::{prelude::*, schema::*};

/// Members' devices that notifications are pushed to: an APNs or FCM token, or a Web Push
/// subscription. A token names one device: registered again by another account, it moves.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PushDevices::Table)
                    .if_not_exists()
                    .col(pk_uuid(PushDevices::Id))
                    .col(uuid(PushDevices::UserId))
                    // `APNS`, `FCM` or `WEB_PUSH`.
                    .col(string_len(PushDevices::Platform, 16))
                    // The APNs or FCM token, or the Web Push subscription's endpoint URL.
                    .col(text(PushDevices::Token))
                    // A digest of the token, unique per platform (a text column too long to index).
                    .col(string_len(PushDevices::TokenHash, 64))
                    // Web Push only: the subscription's p256dh and auth keys (base64url).
                    .col(string_len_null(PushDevices::P256dh, 128))
                    .col(string_len_null(PushDevices::Auth, 64))
                    // The app it belongs to (an APNs topic or an FCM app), if the client said.
                    .col(string_len_null(PushDevices::AppId, 255))
                    .col(string_len_null(PushDevices::Locale, 35))
                    .col(timestamp_with_time_zone(PushDevices::CreatedAt))
                    .col(timestamp_with_time_zone_null(PushDevices::LastPushedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(PushDevices::Table, PushDevices::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_push_devices_token")
                    .table(PushDevices::Table)
                    .col(PushDevices::Platform)
                    .col(PushDevices::TokenHash)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_push_devices_user")
                    .table(PushDevices::Table)
                    .col(PushDevices::UserId)
                    .col(PushDevices::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PushDevices::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum PushDevices {
    Table,
    Id,
    UserId,
    Platform,
    Token,
    TokenHash,
    P256dh,
    Auth,
    AppId,
    Locale,
    CreatedAt,
    LastPushedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Users {
    Table,
    Id,
}
