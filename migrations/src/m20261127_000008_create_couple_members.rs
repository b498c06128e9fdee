use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261127_000004_create_users::Users;
use crate::m20261127_000007_create_couples::Couples;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CoupleMembers::Table)
                    .if_not_exists()
                    .col(uuid(CoupleMembers::CoupleId))
                    .col(uuid(CoupleMembers::UserId))
                    .col(timestamp_with_time_zone(CoupleMembers::JoinedAt))
                    .col(timestamp_with_time_zone_null(CoupleMembers::LeftAt))
                    .primary_key(
                        Index::create()
                            .col(CoupleMembers::CoupleId)
                            .col(CoupleMembers::UserId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(CoupleMembers::Table, CoupleMembers::CoupleId)
                            .to(Couples::Table, Couples::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(CoupleMembers::Table, CoupleMembers::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // A member is in at most one active couple: enforced by the database, not by luck.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX uq_couple_members_active_user ON couple_members (user_id) WHERE left_at IS NULL",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CoupleMembers::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum CoupleMembers {
    Table,
    CoupleId,
    UserId,
    JoinedAt,
    LeftAt,
}
