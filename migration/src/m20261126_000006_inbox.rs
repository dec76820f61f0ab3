//! The team inbox: labels on conversations, snoozing, saved answers (canned replies), and the
//! company's auto-assignment setting. Notes and activity lines are rows of `messages` with
//! direction `internal`, so they need no table of their own — only a wider `direction` column
//! (SQLite does not enforce lengths, so only PostgreSQL's is changed).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == sea_orm_migration::sea_orm::DatabaseBackend::Postgres {
            manager
                .alter_table(
                    Table::alter()
                        .table(Messages::Table)
                        .modify_column(string_len(Messages::Direction, 8))
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Conversations::Table)
                    .add_column(timestamp_with_time_zone_null(Conversations::SnoozedUntil))
                    .to_owned(),
            )
            .await?;
        // Found by the sweep that reopens snoozed conversations when their time comes.
        manager
            .create_index(
                Index::create()
                    .name("ix_conversations_status_snoozed_until")
                    .table(Conversations::Table)
                    .col(Conversations::Status)
                    .col(Conversations::SnoozedUntil)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Companies::Table)
                    .add_column(boolean(Companies::AutoAssign).default(false))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ConversationLabels::Table)
                    .col(uuid(ConversationLabels::ConversationId))
                    .col(uuid(ConversationLabels::CompanyId))
                    .col(string_len(ConversationLabels::Label, 40))
                    .primary_key(
                        Index::create()
                            .col(ConversationLabels::ConversationId)
                            .col(ConversationLabels::Label),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ConversationLabels::Table, ConversationLabels::ConversationId)
                            .to(Conversations::Table, Conversations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_conversation_labels_company_label")
                    .table(ConversationLabels::Table)
                    .col(ConversationLabels::CompanyId)
                    .col(ConversationLabels::Label)
                    .col(ConversationLabels::ConversationId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CannedReplies::Table)
                    .col(uuid(CannedReplies::Id).primary_key())
                    .col(uuid(CannedReplies::CompanyId))
                    .col(string_len(CannedReplies::Shortcut, 32))
                    .col(text(CannedReplies::Body))
                    .col(uuid_null(CannedReplies::CreatedBy))
                    .col(timestamp_with_time_zone(CannedReplies::CreatedAt))
                    .col(timestamp_with_time_zone(CannedReplies::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_canned_replies_company_shortcut")
                    .table(CannedReplies::Table)
                    .col(CannedReplies::CompanyId)
                    .col(CannedReplies::Shortcut)
                    .unique()
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(CannedReplies::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(ConversationLabels::Table).to_owned()).await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Companies::Table)
                    .drop_column(Companies::AutoAssign)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("ix_conversations_status_snoozed_until")
                    .table(Conversations::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Conversations::Table)
                    .drop_column(Conversations::SnoozedUntil)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Messages {
    Table,
    Direction,
}

#[derive(DeriveIden)]
enum Companies {
    Table,
    AutoAssign,
}

#[derive(DeriveIden)]
enum Conversations {
    Table,
    Id,
    Status,
    SnoozedUntil,
}

#[derive(DeriveIden)]
enum ConversationLabels {
    Table,
    ConversationId,
    CompanyId,
    Label,
}

#[derive(DeriveIden)]
enum CannedReplies {
    Table,
    Id,
    CompanyId,
    Shortcut,
    Body,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}
