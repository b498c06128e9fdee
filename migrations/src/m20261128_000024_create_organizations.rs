use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261127_000004_create_users::Users;
use crate::m20261127_000007_create_couples::Couples;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn cascade(
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Organizations::Table)
                    .if_not_exists()
                    .col(pk_uuid(Organizations::Id))
                    .col(string_len(Organizations::Name, 100))
                    .col(timestamp_with_time_zone(Organizations::CreatedAt))
                    .to_owned(),
            )
            .await?;
        // A coach belongs to one organization (the unique user_id).
        manager
            .create_table(
                Table::create()
                    .table(OrganizationMembers::Table)
                    .if_not_exists()
                    .col(uuid(OrganizationMembers::UserId).primary_key())
                    .col(uuid(OrganizationMembers::OrganizationId))
                    // `admin` or `coach`.
                    .col(string_len(OrganizationMembers::Role, 16))
                    .col(timestamp_with_time_zone(OrganizationMembers::JoinedAt))
                    .foreign_key(&mut cascade(
                        (OrganizationMembers::Table, OrganizationMembers::UserId),
                        (Users::Table, Users::Id),
                    ))
                    .foreign_key(&mut cascade(
                        (
                            OrganizationMembers::Table,
                            OrganizationMembers::OrganizationId,
                        ),
                        (Organizations::Table, Organizations::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ApiKeys::Table)
                    .if_not_exists()
                    .col(pk_uuid(ApiKeys::Id))
                    .col(uuid(ApiKeys::OrganizationId))
                    .col(string_len(ApiKeys::Name, 60))
                    // The hex SHA-256 of the secret; the secret itself is shown once.
                    .col(string_len(ApiKeys::SecretHash, 64))
                    // A JSON array of scope names.
                    .col(json(ApiKeys::Scopes))
                    .col(uuid_null(ApiKeys::CreatedBy))
                    .col(timestamp_with_time_zone(ApiKeys::CreatedAt))
                    .col(timestamp_with_time_zone_null(ApiKeys::ExpiresAt))
                    .col(timestamp_with_time_zone_null(ApiKeys::RevokedAt))
                    .col(timestamp_with_time_zone_null(ApiKeys::LastUsedAt))
                    .foreign_key(&mut cascade(
                        (ApiKeys::Table, ApiKeys::OrganizationId),
                        (Organizations::Table, Organizations::Id),
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ApiKeys::Table, ApiKeys::CreatedBy)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        // What each member of a couple grants an organization now (one row per member and
        // organization, gone when revoked) ...
        manager
            .create_table(
                Table::create()
                    .table(AccessGrants::Table)
                    .if_not_exists()
                    .col(uuid(AccessGrants::CoupleId))
                    .col(uuid(AccessGrants::OrganizationId))
                    .col(uuid(AccessGrants::UserId))
                    .col(json(AccessGrants::Scopes))
                    .col(timestamp_with_time_zone(AccessGrants::GrantedAt))
                    .primary_key(
                        Index::create()
                            .col(AccessGrants::CoupleId)
                            .col(AccessGrants::OrganizationId)
                            .col(AccessGrants::UserId),
                    )
                    .foreign_key(&mut cascade(
                        (AccessGrants::Table, AccessGrants::CoupleId),
                        (Couples::Table, Couples::Id),
                    ))
                    .foreign_key(&mut cascade(
                        (AccessGrants::Table, AccessGrants::OrganizationId),
                        (Organizations::Table, Organizations::Id),
                    ))
                    .foreign_key(&mut cascade(
                        (AccessGrants::Table, AccessGrants::UserId),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_access_grants_organization")
                    .table(AccessGrants::Table)
                    .col(AccessGrants::OrganizationId)
                    .col(AccessGrants::CoupleId)
                    .to_owned(),
            )
            .await?;
        // ... and every grant and revocation ever made, for both members to see.
        manager
            .create_table(
                Table::create()
                    .table(AccessEvents::Table)
                    .if_not_exists()
                    .col(pk_uuid(AccessEvents::Id))
                    .col(uuid(AccessEvents::CoupleId))
                    .col(uuid(AccessEvents::OrganizationId))
                    .col(uuid_null(AccessEvents::UserId))
                    // `granted` or `revoked`.
                    .col(string_len(AccessEvents::Action, 16))
                    .col(json(AccessEvents::Scopes))
                    .col(timestamp_with_time_zone(AccessEvents::At))
                    .foreign_key(&mut cascade(
                        (AccessEvents::Table, AccessEvents::CoupleId),
                        (Couples::Table, Couples::Id),
                    ))
                    .foreign_key(&mut cascade(
                        (AccessEvents::Table, AccessEvents::OrganizationId),
                        (Organizations::Table, Organizations::Id),
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .from(AccessEvents::Table, AccessEvents::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_access_events_couple")
                    .table(AccessEvents::Table)
                    .col(AccessEvents::CoupleId)
                    .col(AccessEvents::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            AccessEvents::Table.into_iden(),
            AccessGrants::Table.into_iden(),
            ApiKeys::Table.into_iden(),
            OrganizationMembers::Table.into_iden(),
            Organizations::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Organizations {
    Table,
    Id,
    Name,
    CreatedAt,
}

#[derive(DeriveIden)]
enum OrganizationMembers {
    Table,
    UserId,
    OrganizationId,
    Role,
    JoinedAt,
}

#[derive(DeriveIden)]
enum ApiKeys {
    Table,
    Id,
    OrganizationId,
    Name,
    SecretHash,
    Scopes,
    CreatedBy,
    CreatedAt,
    ExpiresAt,
    RevokedAt,
    LastUsedAt,
}

#[derive(DeriveIden)]
enum AccessGrants {
    Table,
    CoupleId,
    OrganizationId,
    UserId,
    Scopes,
    GrantedAt,
}

#[derive(DeriveIden)]
enum AccessEvents {
    Table,
    Id,
    CoupleId,
    OrganizationId,
    UserId,
    Action,
    Scopes,
    At,
}
