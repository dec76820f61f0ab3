//! Channels and the messages they carry: connections (a WhatsApp Cloud number, later SMS and QR
//! sessions), the durable inbox of webhook deliveries, conversations, messages, the status
//! history of sent messages, and the WhatsApp message templates of a connection.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Connections::Table)
                    .col(uuid(Connections::Id).primary_key())
                    .col(uuid(Connections::CompanyId))
                    .col(string_len(Connections::Kind, 24))
                    .col(string_len(Connections::Name, 120))
                    // `pending` (never checked), `connected`, `error`.
                    .col(string_len(Connections::Status, 16))
                    // The unguessable part of the webhook URL; routes deliveries to this row.
                    .col(string_len(Connections::WebhookSlug, 64).unique_key())
                    // Non-secret, kind-specific settings (phone number id, WABA id, ...).
                    .col(json(Connections::Settings))
                    // What the provider last told us (display number, verified name, quality).
                    .col(json(Connections::ProviderInfo))
                    // AES-256-GCM sealed JSON of the kind's secrets; never leaves the server.
                    .col(text(Connections::Secrets))
                    .col(text_null(Connections::LastError))
                    .col(timestamp_with_time_zone_null(Connections::LastCheckedAt))
                    .col(timestamp_with_time_zone(Connections::CreatedAt))
                    .col(timestamp_with_time_zone(Connections::UpdatedAt))
                    // Soft delete: conversations and messages keep their connection.
                    .col(timestamp_with_time_zone_null(Connections::DeletedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Connections::Table, Connections::CompanyId)
                            .to(Companies::Table, Companies::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_connections_company")
                    .table(Connections::Table)
                    .col(Connections::CompanyId)
                    .col(Connections::Id)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(WebhookInbox::Table)
                    .col(uuid(WebhookInbox::Id).primary_key())
                    .col(uuid(WebhookInbox::CompanyId))
                    .col(uuid(WebhookInbox::ConnectionId))
                    .col(string_len(WebhookInbox::Provider, 16))
                    // SHA-256 of the raw body: a re-delivered event is the same bytes.
                    .col(string_len(WebhookInbox::DedupKey, 64).unique_key())
                    .col(text(WebhookInbox::Body))
                    // `pending`, `processed`, `failed`.
                    .col(string_len(WebhookInbox::Status, 16))
                    // What processing did: counts, or why parts were ignored.
                    .col(text_null(WebhookInbox::Outcome))
                    .col(timestamp_with_time_zone(WebhookInbox::ReceivedAt))
                    .col(timestamp_with_time_zone_null(WebhookInbox::ProcessedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(WebhookInbox::Table, WebhookInbox::ConnectionId)
                            .to(Connections::Table, Connections::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Conversations::Table)
                    .col(uuid(Conversations::Id).primary_key())
                    .col(uuid(Conversations::CompanyId))
                    .col(uuid(Conversations::ContactId))
                    .col(uuid(Conversations::ConnectionId))
                    // `open`, `pending`, `resolved`, `snoozed`.
                    .col(string_len(Conversations::Status, 16))
                    .col(uuid_null(Conversations::AssigneeId))
                    .col(timestamp_with_time_zone(Conversations::LastMessageAt))
                    // The customer-service window: free-form replies until 24 h after this.
                    .col(timestamp_with_time_zone_null(Conversations::LastInboundAt))
                    .col(integer(Conversations::UnreadCount).default(0))
                    // The last message, shortened, so the list needs no second query.
                    .col(string_len_null(Conversations::LastMessagePreview, 200))
                    .col(timestamp_with_time_zone(Conversations::CreatedAt))
                    .col(timestamp_with_time_zone(Conversations::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Conversations::Table, Conversations::CompanyId)
                            .to(Companies::Table, Companies::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Conversations::Table, Conversations::ContactId)
                            .to(Contacts::Table, Contacts::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Conversations::Table, Conversations::ConnectionId)
                            .to(Connections::Table, Connections::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // One thread per customer per number: an inbound message reopens it (and concurrent
        // deliveries cannot open two).
        manager
            .create_index(
                Index::create()
                    .name("ux_conversations_connection_contact")
                    .table(Conversations::Table)
                    .col(Conversations::ConnectionId)
                    .col(Conversations::ContactId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_conversations_company_activity")
                    .table(Conversations::Table)
                    .col(Conversations::CompanyId)
                    .col(Conversations::LastMessageAt)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Messages::Table)
                    .col(uuid(Messages::Id).primary_key())
                    .col(uuid(Messages::CompanyId))
                    .col(uuid(Messages::ConversationId))
                    .col(uuid(Messages::ConnectionId))
                    .col(uuid(Messages::ContactId))
                    // `in` or `out`.
                    .col(string_len(Messages::Direction, 3))
                    .col(string_len(Messages::Kind, 24))
                    .col(text_null(Messages::Text))
                    // Kind-specific details (media id and type, location, reply ids, ...).
                    .col(json(Messages::Payload))
                    .col(string_len_null(Messages::ProviderMessageId, 191))
                    // The message this one replies to (provider id), if any.
                    .col(string_len_null(Messages::ReplyToProviderId, 191))
                    // in: `received`; out: `queued`, `sent`, `delivered`, `read`, `played`, `failed`.
                    .col(string_len(Messages::Status, 16))
                    .col(integer_null(Messages::ErrorCode))
                    .col(text_null(Messages::ErrorMessage))
                    .col(uuid_null(Messages::SentByUserId))
                    // Outbound: attempts made, and when the current one began (cleared once its
                    // outcome is recorded) — a set value after a crash means "outcome unknown".
                    .col(integer(Messages::SendAttempts).default(0))
                    .col(timestamp_with_time_zone_null(Messages::AttemptStartedAt))
                    .col(timestamp_with_time_zone(Messages::CreatedAt))
                    .col(timestamp_with_time_zone(Messages::UpdatedAt))
                    .col(timestamp_with_time_zone_null(Messages::EditedAt))
                    // The sender revoked it ("deleted for everyone"); the row stays.
                    .col(timestamp_with_time_zone_null(Messages::RevokedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Messages::Table, Messages::ConversationId)
                            .to(Conversations::Table, Conversations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // Meta re-delivers for days: a provider id is stored once per number.
        manager
            .create_index(
                Index::create()
                    .name("ux_messages_connection_provider_id")
                    .table(Messages::Table)
                    .col(Messages::ConnectionId)
                    .col(Messages::ProviderMessageId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_messages_conversation_created")
                    .table(Messages::Table)
                    .col(Messages::ConversationId)
                    .col(Messages::CreatedAt)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(MessageStatusEvents::Table)
                    .col(uuid(MessageStatusEvents::Id).primary_key())
                    .col(uuid(MessageStatusEvents::CompanyId))
                    .col(uuid(MessageStatusEvents::ConnectionId))
                    .col(string_len(MessageStatusEvents::ProviderMessageId, 191))
                    .col(string_len(MessageStatusEvents::Status, 16))
                    .col(string_len_null(MessageStatusEvents::RecipientId, 32))
                    .col(integer_null(MessageStatusEvents::ErrorCode))
                    .col(text_null(MessageStatusEvents::ErrorMessage))
                    // Pricing, conversation origin and error details as Meta sent them.
                    .col(json(MessageStatusEvents::Details))
                    .col(timestamp_with_time_zone(MessageStatusEvents::OccurredAt))
                    .col(timestamp_with_time_zone(MessageStatusEvents::ReceivedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(MessageStatusEvents::Table, MessageStatusEvents::ConnectionId)
                            .to(Connections::Table, Connections::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // A status is kept even when it arrives before we stored the message's provider id, and
        // re-delivery of the same status is a no-op.
        manager
            .create_index(
                Index::create()
                    .name("ux_message_status_events")
                    .table(MessageStatusEvents::Table)
                    .col(MessageStatusEvents::ConnectionId)
                    .col(MessageStatusEvents::ProviderMessageId)
                    .col(MessageStatusEvents::Status)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(MessageTemplates::Table)
                    .col(uuid(MessageTemplates::Id).primary_key())
                    .col(uuid(MessageTemplates::CompanyId))
                    .col(uuid(MessageTemplates::ConnectionId))
                    .col(string_len_null(MessageTemplates::ProviderId, 64))
                    .col(string_len(MessageTemplates::Name, 512))
                    .col(string_len(MessageTemplates::Language, 16))
                    .col(string_len(MessageTemplates::Category, 32))
                    .col(string_len(MessageTemplates::Status, 32))
                    .col(string_len_null(MessageTemplates::Quality, 16))
                    .col(json(MessageTemplates::Components))
                    .col(text_null(MessageTemplates::RejectedReason))
                    .col(timestamp_with_time_zone(MessageTemplates::CreatedAt))
                    .col(timestamp_with_time_zone(MessageTemplates::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(MessageTemplates::Table, MessageTemplates::ConnectionId)
                            .to(Connections::Table, Connections::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_message_templates_name_language")
                    .table(MessageTemplates::Table)
                    .col(MessageTemplates::ConnectionId)
                    .col(MessageTemplates::Name)
                    .col(MessageTemplates::Language)
                    .unique()
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(MessageTemplates::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(MessageStatusEvents::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Messages::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Conversations::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(WebhookInbox::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Connections::Table).to_owned()).await?;
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Companies {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Contacts {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Connections {
    Table,
    Id,
    CompanyId,
    Kind,
    Name,
    Status,
    WebhookSlug,
    Settings,
    ProviderInfo,
    Secrets,
    LastError,
    LastCheckedAt,
    CreatedAt,
    UpdatedAt,
    DeletedAt,
}

#[derive(DeriveIden)]
enum WebhookInbox {
    Table,
    Id,
    CompanyId,
    ConnectionId,
    Provider,
    DedupKey,
    Body,
    Status,
    Outcome,
    ReceivedAt,
    ProcessedAt,
}

#[derive(DeriveIden)]
enum Conversations {
    Table,
    Id,
    CompanyId,
    ContactId,
    ConnectionId,
    Status,
    AssigneeId,
    LastMessageAt,
    LastInboundAt,
    UnreadCount,
    LastMessagePreview,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Messages {
    Table,
    Id,
    CompanyId,
    ConversationId,
    ConnectionId,
    ContactId,
    Direction,
    Kind,
    Text,
    Payload,
    ProviderMessageId,
    ReplyToProviderId,
    Status,
    ErrorCode,
    ErrorMessage,
    SentByUserId,
    SendAttempts,
    AttemptStartedAt,
    CreatedAt,
    UpdatedAt,
    EditedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum MessageStatusEvents {
    Table,
    Id,
    CompanyId,
    ConnectionId,
    ProviderMessageId,
    Status,
    RecipientId,
    ErrorCode,
    ErrorMessage,
    Details,
    OccurredAt,
    ReceivedAt,
}

#[derive(DeriveIden)]
enum MessageTemplates {
    Table,
    Id,
    CompanyId,
    ConnectionId,
    ProviderId,
    Name,
    Language,
    Category,
    Status,
    Quality,
    Components,
    RejectedReason,
    CreatedAt,
    UpdatedAt,
}
