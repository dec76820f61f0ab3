//! AI personas and their knowledge: personas (provider, model, sealed API key, prompt, handoff
//! policy), knowledge bases (how their text is embedded), documents (the extracted text, kept so
//! a base can be re-indexed) and chunks with their embedding vectors.
//!
//! Vectors are stored per backend: PostgreSQL gets the `pgvector` extension and a `vector`
//! column (searched by an HNSW index per dimension count, created by the server the first time
//! it stores vectors of that width, since an HNSW index needs a fixed width and bases may use
//! different models); SQLite gets a `BLOB` of little-endian `f32`s searched by exact cosine in
//! Rust. Without pgvector installed on the PostgreSQL server this migration fails and says so.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let postgres = manager.get_database_backend() == sea_orm::DatabaseBackend::Postgres;
        if postgres {
            manager
                .get_connection()
                .execute_unprepared("CREATE EXTENSION IF NOT EXISTS vector")
                .await
                .map_err(|err| {
                    DbErr::Migration(format!(
                        "the pgvector extension is needed for knowledge bases on PostgreSQL \
                         (install it on the database server: scripts/ensure-pgvector.sh): {err}"
                    ))
                })?;
        }
        manager
            .create_table(
                Table::create()
                    .table(KnowledgeBases::Table)
                    .col(uuid(KnowledgeBases::Id).primary_key())
                    .col(uuid(KnowledgeBases::CompanyId))
                    .col(string_len(KnowledgeBases::Name, 120))
                    .col(text_null(KnowledgeBases::Description))
                    .col(string_len(KnowledgeBases::EmbeddingProvider, 24))
                    .col(string_len(KnowledgeBases::EmbeddingModel, 120))
                    .col(text_null(KnowledgeBases::EmbeddingBaseUrl))
                    .col(text_null(KnowledgeBases::EmbeddingApiKey))
                    .col(timestamp_with_time_zone(KnowledgeBases::CreatedAt))
                    .col(timestamp_with_time_zone(KnowledgeBases::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(KnowledgeBases::Table, KnowledgeBases::CompanyId)
                            .to(Companies::Table, Companies::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_knowledge_bases_company_name")
                    .table(KnowledgeBases::Table)
                    .col(KnowledgeBases::CompanyId)
                    .col(KnowledgeBases::Name)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(KnowledgeDocuments::Table)
                    .col(uuid(KnowledgeDocuments::Id).primary_key())
                    .col(uuid(KnowledgeDocuments::CompanyId))
                    .col(uuid(KnowledgeDocuments::KnowledgeBaseId))
                    .col(string_len(KnowledgeDocuments::Title, 200))
                    .col(string_len(KnowledgeDocuments::Kind, 16))
                    .col(text_null(KnowledgeDocuments::Filename))
                    .col(text(KnowledgeDocuments::Content))
                    .col(big_integer(KnowledgeDocuments::Bytes))
                    .col(string_len(KnowledgeDocuments::Status, 16))
                    .col(integer(KnowledgeDocuments::ChunksTotal).default(0))
                    .col(integer(KnowledgeDocuments::ChunksDone).default(0))
                    .col(text_null(KnowledgeDocuments::Error))
                    .col(integer(KnowledgeDocuments::Revision).default(1))
                    .col(uuid_null(KnowledgeDocuments::CreatedBy))
                    .col(timestamp_with_time_zone(KnowledgeDocuments::CreatedAt))
                    .col(timestamp_with_time_zone(KnowledgeDocuments::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(KnowledgeDocuments::Table, KnowledgeDocuments::KnowledgeBaseId)
                            .to(KnowledgeBases::Table, KnowledgeBases::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_knowledge_documents_base")
                    .table(KnowledgeDocuments::Table)
                    .col(KnowledgeDocuments::KnowledgeBaseId)
                    .col(KnowledgeDocuments::CreatedAt)
                    .to_owned(),
            )
            .await?;

        let mut chunks = Table::create();
        chunks
            .table(KnowledgeChunks::Table)
            .col(big_pk_auto(KnowledgeChunks::Id))
            .col(uuid(KnowledgeChunks::CompanyId))
            .col(uuid(KnowledgeChunks::KnowledgeBaseId))
            .col(uuid(KnowledgeChunks::DocumentId))
            .col(integer(KnowledgeChunks::Ordinal))
            .col(text(KnowledgeChunks::Text))
            .col(integer(KnowledgeChunks::Dims))
            .col(timestamp_with_time_zone(KnowledgeChunks::CreatedAt))
            .foreign_key(
                ForeignKey::create()
                    .from(KnowledgeChunks::Table, KnowledgeChunks::DocumentId)
                    .to(KnowledgeDocuments::Table, KnowledgeDocuments::Id)
                    .on_delete(ForeignKeyAction::Cascade),
            );
        if postgres {
            chunks.col(ColumnDef::new(KnowledgeChunks::Embedding).custom(Alias::new("vector")));
        } else {
            chunks.col(blob(KnowledgeChunks::Embedding));
        }
        manager.create_table(chunks.to_owned()).await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_knowledge_chunks_document")
                    .table(KnowledgeChunks::Table)
                    .col(KnowledgeChunks::DocumentId)
                    .col(KnowledgeChunks::Ordinal)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_knowledge_chunks_base")
                    .table(KnowledgeChunks::Table)
                    .col(KnowledgeChunks::KnowledgeBaseId)
                    .col(KnowledgeChunks::Dims)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Personas::Table)
                    .col(uuid(Personas::Id).primary_key())
                    .col(uuid(Personas::CompanyId))
                    .col(string_len(Personas::Name, 120))
                    .col(string_len(Personas::Provider, 24))
                    .col(string_len(Personas::Model, 120))
                    .col(text_null(Personas::BaseUrl))
                    .col(text_null(Personas::ApiKey))
                    .col(string_len_null(Personas::ApiKeyHint, 16))
                    .col(text(Personas::SystemPrompt))
                    .col(double(Personas::Temperature))
                    .col(integer(Personas::MaxTokens))
                    .col(string_len(Personas::Language, 16))
                    .col(string_len_null(Personas::Tone, 32))
                    .col(json_binary_null(Personas::WorkingHours))
                    .col(json_binary(Personas::Handoff))
                    .col(uuid_null(Personas::KnowledgeBaseId))
                    .col(boolean(Personas::Enabled).default(true))
                    .col(timestamp_with_time_zone(Personas::CreatedAt))
                    .col(timestamp_with_time_zone(Personas::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Personas::Table, Personas::CompanyId)
                            .to(Companies::Table, Companies::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Personas::Table, Personas::KnowledgeBaseId)
                            .to(KnowledgeBases::Table, KnowledgeBases::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_personas_company_name")
                    .table(Personas::Table)
                    .col(Personas::CompanyId)
                    .col(Personas::Name)
                    .unique()
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Personas::Table.into_iden(),
            KnowledgeChunks::Table.into_iden(),
            KnowledgeDocuments::Table.into_iden(),
            KnowledgeBases::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Companies {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum KnowledgeBases {
    Table,
    Id,
    CompanyId,
    Name,
    Description,
    EmbeddingProvider,
    EmbeddingModel,
    EmbeddingBaseUrl,
    EmbeddingApiKey,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum KnowledgeDocuments {
    Table,
    Id,
    CompanyId,
    KnowledgeBaseId,
    Title,
    Kind,
    Filename,
    Content,
    Bytes,
    Status,
    ChunksTotal,
    ChunksDone,
    Error,
    Revision,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum KnowledgeChunks {
    Table,
    Id,
    CompanyId,
    KnowledgeBaseId,
    DocumentId,
    Ordinal,
    Text,
    Dims,
    Embedding,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Personas {
    Table,
    Id,
    CompanyId,
    Name,
    Provider,
    Model,
    BaseUrl,
    ApiKey,
    ApiKeyHint,
    SystemPrompt,
    Temperature,
    MaxTokens,
    Language,
    Tone,
    WorkingHours,
    Handoff,
    KnowledgeBaseId,
    Enabled,
    CreatedAt,
    UpdatedAt,
}
