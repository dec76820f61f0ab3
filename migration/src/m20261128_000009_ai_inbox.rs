//! Personas answering in the inbox: a connection names the persona that answers its new
//! conversations, a conversation names the persona answering it (until a person takes over),
//! and counts the persona's answers since a person last had it (for the `max_turns` handoff).
//!
//! No foreign keys: deleting a persona hands its conversations to people in the same
//! transaction (`ai::personas::delete`), which also writes the activity lines SQLite's and
//! PostgreSQL's `ON DELETE SET NULL` could not.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite alters one column per statement.
        manager
            .alter_table(
                Table::alter()
                    .table(Connections::Table)
                    .add_column(uuid_null(Connections::DefaultPersonaId))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Conversations::Table)
                    .add_column(uuid_null(Conversations::PersonaId))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Conversations::Table)
                    .add_column(integer(Conversations::AiTurns).default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_conversations_persona")
                    .table(Conversations::Table)
                    .col(Conversations::PersonaId)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_conversations_persona")
                    .table(Conversations::Table)
                    .to_owned(),
            )
            .await?;
        for column in [Conversations::AiTurns, Conversations::PersonaId] {
            manager
                .alter_table(
                    Table::alter().table(Conversations::Table).drop_column(column).to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Connections::Table)
                    .drop_column(Connections::DefaultPersonaId)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Connections {
    Table,
    DefaultPersonaId,
}

#[derive(DeriveIden)]
enum Conversations {
    Table,
    PersonaId,
    AiTurns,
}
