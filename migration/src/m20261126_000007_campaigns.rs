//! Campaigns: the campaign (template, audience, schedule, rate) and one row per recipient,
//! which is both the send queue and the outcome record. Recipients have a numeric id (it goes
//! to Meta as `biz_opaque_callback_data` and comes back on status webhooks, which is how a send
//! interrupted by a crash is resolved). Companies get a time zone, in which schedules and
//! quiet hours are read; conversations remember the campaign a customer answered.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Companies::Table)
                    .add_column(string_len(Companies::TimeZone, 64).default("America/Sao_Paulo"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Campaigns::Table)
                    .col(uuid(Campaigns::Id).primary_key())
                    .col(uuid(Campaigns::CompanyId))
                    .col(string_len(Campaigns::Name, 120))
                    .col(uuid(Campaigns::ConnectionId))
                    .col(string_len(Campaigns::Status, 16))
                    .col(json_binary(Campaigns::Template))
                    .col(json_binary(Campaigns::Audience))
                    .col(timestamp_with_time_zone_null(Campaigns::ScheduledAt))
                    .col(integer(Campaigns::RatePerSecond))
                    .col(json_binary_null(Campaigns::QuietHours))
                    .col(big_integer(Campaigns::Total).default(0))
                    .col(big_integer(Campaigns::ExcludedOptedOut).default(0))
                    .col(big_integer(Campaigns::ExcludedInvalid).default(0))
                    .col(text_null(Campaigns::LastError))
                    .col(uuid_null(Campaigns::CreatedBy))
                    .col(timestamp_with_time_zone(Campaigns::CreatedAt))
                    .col(timestamp_with_time_zone(Campaigns::UpdatedAt))
                    .col(timestamp_with_time_zone_null(Campaigns::StartedAt))
                    .col(timestamp_with_time_zone_null(Campaigns::FinishedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Campaigns::Table, Campaigns::CompanyId)
                            .to(Companies::Table, Companies::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Campaigns::Table, Campaigns::ConnectionId)
                            .to(Connections::Table, Connections::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_campaigns_company_created")
                    .table(Campaigns::Table)
                    .col(Campaigns::CompanyId)
                    .col(Campaigns::CreatedAt)
                    .to_owned(),
            )
            .await?;
        // The sender looks for running campaigns per connection.
        manager
            .create_index(
                Index::create()
                    .name("ix_campaigns_connection_status")
                    .table(Campaigns::Table)
                    .col(Campaigns::ConnectionId)
                    .col(Campaigns::Status)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CampaignRecipients::Table)
                    .col(big_pk_auto(CampaignRecipients::Id))
                    .col(uuid(CampaignRecipients::CampaignId))
                    .col(uuid(CampaignRecipients::CompanyId))
                    .col(uuid(CampaignRecipients::ContactId))
                    .col(string_len(CampaignRecipients::Status, 12))
                    .col(integer(CampaignRecipients::Attempts).default(0))
                    .col(timestamp_with_time_zone(CampaignRecipients::NextAttemptAt))
                    .col(string_len_null(CampaignRecipients::ClaimedBy, 80))
                    .col(timestamp_with_time_zone_null(CampaignRecipients::ClaimedAt))
                    .col(timestamp_with_time_zone_null(CampaignRecipients::AttemptStartedAt))
                    .col(string_len_null(CampaignRecipients::ProviderMessageId, 128))
                    .col(integer_null(CampaignRecipients::ErrorCode))
                    .col(text_null(CampaignRecipients::ErrorMessage))
                    .col(timestamp_with_time_zone_null(CampaignRecipients::SentAt))
                    .col(timestamp_with_time_zone_null(CampaignRecipients::DeliveredAt))
                    .col(timestamp_with_time_zone_null(CampaignRecipients::ReadAt))
                    .col(timestamp_with_time_zone_null(CampaignRecipients::FailedAt))
                    .col(timestamp_with_time_zone_null(CampaignRecipients::RepliedAt))
                    .col(timestamp_with_time_zone(CampaignRecipients::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(CampaignRecipients::Table, CampaignRecipients::CampaignId)
                            .to(Campaigns::Table, Campaigns::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // One row per contact per campaign: a contact matched twice is sent to once.
        manager
            .create_index(
                Index::create()
                    .name("ux_campaign_recipients_campaign_contact")
                    .table(CampaignRecipients::Table)
                    .col(CampaignRecipients::CampaignId)
                    .col(CampaignRecipients::ContactId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // The sender's claim: pending rows of a campaign that are due, oldest first; counts.
        manager
            .create_index(
                Index::create()
                    .name("ix_campaign_recipients_queue")
                    .table(CampaignRecipients::Table)
                    .col(CampaignRecipients::CampaignId)
                    .col(CampaignRecipients::Status)
                    .col(CampaignRecipients::NextAttemptAt)
                    .to_owned(),
            )
            .await?;
        // Status webhooks find the recipient by Meta's message id.
        manager
            .create_index(
                Index::create()
                    .name("ix_campaign_recipients_provider_message")
                    .table(CampaignRecipients::Table)
                    .col(CampaignRecipients::ProviderMessageId)
                    .to_owned(),
            )
            .await?;
        // A customer's answer is linked to the latest campaign sent to them.
        manager
            .create_index(
                Index::create()
                    .name("ix_campaign_recipients_contact_sent")
                    .table(CampaignRecipients::Table)
                    .col(CampaignRecipients::ContactId)
                    .col(CampaignRecipients::SentAt)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Conversations::Table)
                    .add_column(uuid_null(Conversations::CampaignId))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Conversations::Table)
                    .drop_column(Conversations::CampaignId)
                    .to_owned(),
            )
            .await?;
        manager.drop_table(Table::drop().table(CampaignRecipients::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Campaigns::Table).to_owned()).await?;
        manager
            .alter_table(
                Table::alter().table(Companies::Table).drop_column(Companies::TimeZone).to_owned(),
            )
            .await?;
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Companies {
    Table,
    Id,
    TimeZone,
}

#[derive(DeriveIden)]
enum Connections {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Conversations {
    Table,
    CampaignId,
}

#[derive(DeriveIden)]
enum Campaigns {
    Table,
    Id,
    CompanyId,
    Name,
    ConnectionId,
    Status,
    Template,
    Audience,
    ScheduledAt,
    RatePerSecond,
    QuietHours,
    Total,
    ExcludedOptedOut,
    ExcludedInvalid,
    LastError,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
    StartedAt,
    FinishedAt,
}

#[derive(DeriveIden)]
enum CampaignRecipients {
    Table,
    Id,
    CampaignId,
    CompanyId,
    ContactId,
    Status,
    Attempts,
    NextAttemptAt,
    ClaimedBy,
    ClaimedAt,
    AttemptStartedAt,
    ProviderMessageId,
    ErrorCode,
    ErrorMessage,
    SentAt,
    DeliveredAt,
    ReadAt,
    FailedAt,
    RepliedAt,
    UpdatedAt,
}
