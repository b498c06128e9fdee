use sea_orm_migration::{prelude::*, schema::*};

/// Members' conversations with the coach and their messages: private to the member, never
/// shown to a partner, coach, organization or admin.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CoachConversations::Table)
                    .if_not_exists()
                    .col(pk_uuid(CoachConversations::Id))
                    .col(uuid(CoachConversations::UserId))
                    .col(timestamp_with_time_zone(CoachConversations::CreatedAt))
                    .col(timestamp_with_time_zone(CoachConversations::UpdatedAt))
                    // When a reply last said that the coach is automated.
                    .col(timestamp_with_time_zone_null(
                        CoachConversations::DisclosedAt,
                    ))
                    // The safety gate stopped a message: the concern (kept for the member only),
                    // and the conversation stays on the scripted engine.
                    .col(string_len_null(CoachConversations::SafetyConcern, 32))
                    .foreign_key(
                        ForeignKey::create()
                            .from(CoachConversations::Table, CoachConversations::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_coach_conversations_user")
                    .table(CoachConversations::Table)
                    .col(CoachConversations::UserId)
                    .col(CoachConversations::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CoachMessages::Table)
                    .if_not_exists()
                    .col(pk_uuid(CoachMessages::Id))
                    .col(uuid(CoachMessages::ConversationId))
                    .col(uuid(CoachMessages::UserId))
                    // `member` or `coach`.
                    .col(string_len(CoachMessages::Author, 8))
                    .col(text(CoachMessages::Text))
                    // `complete`, or `writing` while a model writes the reply.
                    .col(string_len(CoachMessages::Status, 16))
                    // A reply's engine: `scripted` or `model`.
                    .col(string_len_null(CoachMessages::Engine, 16))
                    .col(string_len_null(CoachMessages::FallbackReason, 32))
                    // While a model writes: the scripted reply that stands if it never finishes.
                    .col(text_null(CoachMessages::FallbackText))
                    .col(boolean(CoachMessages::Disclosure).default(false))
                    // A member message the safety gate stopped: its concern.
                    .col(string_len_null(CoachMessages::SafetyConcern, 32))
                    .col(integer(CoachMessages::TokensIn).default(0))
                    .col(integer(CoachMessages::TokensOut).default(0))
                    .col(timestamp_with_time_zone(CoachMessages::CreatedAt))
                    .col(timestamp_with_time_zone_null(CoachMessages::CompletedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(CoachMessages::Table, CoachMessages::ConversationId)
                            .to(CoachConversations::Table, CoachConversations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(CoachMessages::Table, CoachMessages::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_coach_messages_conversation")
                    .table(CoachMessages::Table)
                    .col(CoachMessages::ConversationId)
                    .col(CoachMessages::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_coach_messages_user_created")
                    .table(CoachMessages::Table)
                    .col(CoachMessages::UserId)
                    .col(CoachMessages::CreatedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CoachMessages::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(CoachConversations::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum CoachConversations {
    Table,
    Id,
    UserId,
    CreatedAt,
    UpdatedAt,
    DisclosedAt,
    SafetyConcern,
}

#[derive(DeriveIden)]
enum CoachMessages {
    Table,
    Id,
    ConversationId,
    UserId,
    Author,
    Text,
    Status,
    Engine,
    FallbackReason,
    FallbackText,
    Disclosure,
    SafetyConcern,
    TokensIn,
    TokensOut,
    CreatedAt,
    CompletedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}
