//! Knowledge bases and their documents: create, upload, edit, delete, search.
//!
//! A document is stored with its text and indexed by the `knowledge.index` job (`indexer.rs`):
//! split into passages, embedded by the base's provider, stored in `vectors`. Editing a document
//! bumps its revision and indexes it again; an indexing run for an older revision never
//! overwrites a newer one. Everyone in the company reads knowledge; owners and admins change it.

use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, ConnectionTrait, FromQueryResult,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};
use shared::{
    ai::{
        AiProvider, CreateDocumentRequest, CreateKnowledgeBaseRequest, DocumentKind,
        DocumentStatus, EmbeddingSettings, FaqEntry, KnowledgeBaseDto, KnowledgeDocumentDetail,
        KnowledgeDocumentDto, KnowledgeSearchRequest, KnowledgeSource, UpdateDocumentRequest,
        UpdateKnowledgeBaseRequest,
    },
    ErrorCode, ServerEvent,
};
use std::time::Duration;

use uuid::Uuid;

use super::{
    extract, indexer,
    provider::{self, ProviderSettings},
    vectors, AiContext,
};
use crate::{
    auth::AuthUser,
    crypto::Keyring,
    db::{
        self,
        entities::{knowledge_bases, knowledge_chunks, knowledge_documents},
        Tenant,
    },
    error::{AppError, AppResult},
    state::AppState,
    types::DisplayName,
};

/// Passages given to a persona (and shown by a search) unless asked otherwise.
pub const DEFAULT_SOURCES: usize = 4;
const MAX_SOURCES: u32 = 20;
/// Text per document, after extraction.
const MAX_DOCUMENT_CHARS: usize = 2_000_000;
const MAX_FAQ_ENTRIES: usize = 2_000;
const MAX_QUERY_CHARS: usize = 2_000;

// ---------------------------------------------------------------------------------------------
// Knowledge bases

fn base_dto(row: &knowledge_bases::Model, counts: &BaseCounts) -> KnowledgeBaseDto {
    KnowledgeBaseDto {
        id: row.id,
        name: row.name.clone(),
        description: row.description.clone(),
        embedding_provider: AiProvider::parse(&row.embedding_provider).unwrap_or_default(),
        embedding_model: row.embedding_model.clone(),
        embedding_base_url: row.embedding_base_url.clone(),
        has_api_key: row.embedding_api_key.is_some(),
        documents: counts.documents,
        chunks: counts.chunks,
        indexing: counts.indexing,
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

#[derive(Default)]
struct BaseCounts {
    documents: u64,
    chunks: u64,
    indexing: u64,
}

#[derive(FromQueryResult)]
struct DocumentTally {
    knowledge_base_id: Uuid,
    status: String,
    documents: i64,
    chunks: Option<i64>,
}

async fn counts_of<C: ConnectionTrait>(
    db: &C,
    tenant: Tenant,
    base_ids: &[Uuid],
) -> AppResult<std::collections::HashMap<Uuid, BaseCounts>> {
    let tallies = tenant
        .select::<knowledge_documents::Entity>()
        .select_only()
        .column(knowledge_documents::Column::KnowledgeBaseId)
        .column(knowledge_documents::Column::Status)
        .column_as(knowledge_documents::Column::Id.count(), "documents")
        .column_as(knowledge_documents::Column::ChunksDone.sum(), "chunks")
        .filter(knowledge_documents::Column::KnowledgeBaseId.is_in(base_ids.iter().copied()))
        .group_by(knowledge_documents::Column::KnowledgeBaseId)
        .group_by(knowledge_documents::Column::Status)
        .into_model::<DocumentTally>()
        .all(db)
        .await?;
    let mut counts: std::collections::HashMap<Uuid, BaseCounts> = Default::default();
    for tally in tallies {
        let entry = counts.entry(tally.knowledge_base_id).or_default();
        entry.documents += tally.documents.max(0) as u64;
        match DocumentStatus::parse(&tally.status) {
            Some(DocumentStatus::Ready) => entry.chunks += tally.chunks.unwrap_or(0).max(0) as u64,
            Some(DocumentStatus::Queued | DocumentStatus::Indexing) => {
                entry.indexing += tally.documents.max(0) as u64;
            }
            _ => {}
        }
    }
    Ok(counts)
}

/// The company's knowledge bases, by name.
///
/// # Errors
/// Database errors.
pub async fn list_bases(state: &AppState, auth: &AuthUser) -> AppResult<Vec<KnowledgeBaseDto>> {
    let tenant = auth.tenant();
    let rows = tenant
        .select::<knowledge_bases::Entity>()
        .order_by_asc(knowledge_bases::Column::Name)
        .all(&state.db)
        .await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let counts = counts_of(&state.db, tenant, &ids).await?;
    Ok(rows
        .iter()
        .map(|row| base_dto(row, counts.get(&row.id).unwrap_or(&BaseCounts::default())))
        .collect())
}

async fn find_base<C: ConnectionTrait>(
    db: &C,
    tenant: Tenant,
    id: Uuid,
) -> AppResult<knowledge_bases::Model> {
    tenant
        .select_by_id::<knowledge_bases::Entity>(id)
        .one(db)
        .await?
        .ok_or_else(AppError::not_found)
}

async fn base_view(state: &AppState, tenant: Tenant, id: Uuid) -> AppResult<KnowledgeBaseDto> {
    let row = find_base(&state.db, tenant, id).await?;
    let counts = counts_of(&state.db, tenant, &[id]).await?;
    Ok(base_dto(&row, counts.get(&id).unwrap_or(&BaseCounts::default())))
}

/// # Errors
/// 404 for another company's base.
pub async fn get_base(state: &AppState, auth: &AuthUser, id: Uuid) -> AppResult<KnowledgeBaseDto> {
    base_view(state, auth.tenant(), id).await
}

/// The embedder as stored: provider, model, base URL and sealed key.
struct StoredEmbedding {
    provider: AiProvider,
    model: String,
    base_url: Option<String>,
    sealed_key: Option<String>,
}

/// Checks an embedding choice (or takes the server's default one) and seals its key.
fn embedding_to_store(
    state: &AppState,
    requested: Option<EmbeddingSettings>,
) -> AppResult<StoredEmbedding> {
    let config = &state.config;
    let settings = match requested {
        Some(settings) => settings,
        None => {
            let Some(provider) = config.embedding_provider.as_deref().and_then(AiProvider::parse)
            else {
                return Err(AppError::field(
                    "embedding",
                    "Choose how this knowledge base is embedded (provider, model and key): this \
                     server has no default embedder.",
                ));
            };
            EmbeddingSettings {
                provider,
                model: config.embedding_model.clone().unwrap_or_default(),
                base_url: config.embedding_base_url.clone(),
                api_key: config.embedding_api_key.as_ref().map(|k| k.expose().clone()),
            }
        }
    };
    let model = match settings.model.trim() {
        "" => settings.provider.default_embedding_model().to_owned(),
        model => model.to_owned(),
    };
    if model.is_empty() || model.len() > 120 {
        return Err(AppError::field("embedding.model", "Name the embedding model."));
    }
    let base_url = super::personas::base_url(settings.provider, settings.base_url.as_deref())
        .map_err(|e| e.with_field("embedding.base_url"))?;
    let key = settings.api_key.map(|k| k.trim().to_owned()).filter(|k| !k.is_empty());
    if key.is_none() && settings.provider.needs_api_key() {
        return Err(AppError::field(
            "embedding.api_key",
            format!("{} needs an API key.", settings.provider.label()),
        ));
    }
    let sealed_key = key.map(|k| state.keyring.seal(&k)).transpose().map_err(AppError::internal)?;
    Ok(StoredEmbedding { provider: settings.provider, model, base_url, sealed_key })
}

fn base_name_taken() -> AppError {
    AppError::new(ErrorCode::Conflict, "Another knowledge base has this name.").with_field("name")
}

fn description(raw: Option<String>) -> AppResult<Option<String>> {
    let description = raw.map(|d| d.trim().to_owned()).filter(|d| !d.is_empty());
    if description.as_ref().is_some_and(|d| d.chars().count() > 1_000) {
        return Err(AppError::field("description", "Use at most 1,000 characters."));
    }
    Ok(description)
}

/// # Errors
/// 403 for agents; `validation_failed` (name, embedding); 409 for a name in use.
pub async fn create_base(
    state: &AppState,
    auth: &AuthUser,
    req: CreateKnowledgeBaseRequest,
) -> AppResult<KnowledgeBaseDto> {
    auth.require_admin()?;
    let name = DisplayName::parse(&req.name, "name")?;
    let description = description(req.description)?;
    let embedding = embedding_to_store(state, req.embedding)?;
    let now = db::now();
    let row = knowledge_bases::ActiveModel {
        id: Set(Uuid::now_v7()),
        company_id: Set(auth.company_id()),
        name: Set(name.into_inner()),
        description: Set(description),
        embedding_provider: Set(embedding.provider.as_str().to_owned()),
        embedding_model: Set(embedding.model),
        embedding_base_url: Set(embedding.base_url),
        embedding_api_key: Set(embedding.sealed_key),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let row = match row.insert(&state.db).await {
        Ok(row) => row,
        Err(err) if db::is_unique_violation(&err) => return Err(base_name_taken()),
        Err(err) => return Err(err.into()),
    };
    changed(state, auth.company_id(), row.id, None);
    Ok(base_dto(&row, &BaseCounts::default()))
}

/// Renames or re-describes a base; a new embedding re-indexes every document (vectors of two
/// models cannot be compared).
///
/// # Errors
/// 403 for agents; 404; `validation_failed`; 409 for a name in use.
pub async fn update_base(
    state: &AppState,
    auth: &AuthUser,
    id: Uuid,
    req: UpdateKnowledgeBaseRequest,
) -> AppResult<KnowledgeBaseDto> {
    auth.require_admin()?;
    let tenant = auth.tenant();
    let txn = state.db.begin().await?;
    let row = find_base(&txn, tenant, id).await?;
    let (row_provider, row_key) = (row.embedding_provider.clone(), row.embedding_api_key.clone());
    let mut active: knowledge_bases::ActiveModel = row.into();
    if let Some(name) = req.name {
        active.name = Set(DisplayName::parse(&name, "name")?.into_inner());
    }
    if req.description.is_some() {
        active.description = Set(description(req.description)?);
    }
    let reindex = req.embedding.is_some();
    if let Some(mut embedding) = req.embedding {
        // A form that changes the model need not retype the key: the stored one is kept while
        // the provider stays the same.
        let no_new_key = embedding.api_key.as_deref().is_none_or(|k| k.trim().is_empty());
        if no_new_key && embedding.provider.as_str() == row_provider {
            if let Some(sealed) = &row_key {
                let key = state.keyring.open(sealed).map_err(|_| {
                    AppError::field(
                        "embedding.api_key",
                        "The stored key cannot be read; type it again.",
                    )
                })?;
                embedding.api_key = Some(key.expose().clone());
            }
        }
        let embedding = embedding_to_store(state, Some(embedding))?;
        active.embedding_provider = Set(embedding.provider.as_str().to_owned());
        active.embedding_model = Set(embedding.model);
        active.embedding_base_url = Set(embedding.base_url);
        active.embedding_api_key = Set(embedding.sealed_key);
    }
    active.updated_at = Set(db::now());
    match active.update(&txn).await {
        Ok(_) => {}
        Err(err) if db::is_unique_violation(&err) => return Err(base_name_taken()),
        Err(err) => return Err(err.into()),
    }
    if reindex {
        let documents = tenant
            .select::<knowledge_documents::Entity>()
            .filter(knowledge_documents::Column::KnowledgeBaseId.eq(id))
            .all(&txn)
            .await?;
        for document in documents {
            queue_indexing(&txn, &document).await?;
        }
    }
    txn.commit().await?;
    changed(state, auth.company_id(), id, None);
    base_view(state, tenant, id).await
}

/// Deletes a base with its documents and passages; personas using it go on without knowledge.
///
/// # Errors
/// 403 for agents; 404.
pub async fn delete_base(state: &AppState, auth: &AuthUser, id: Uuid) -> AppResult<()> {
    auth.require_admin()?;
    let tenant = auth.tenant();
    let txn = state.db.begin().await?;
    find_base(&txn, tenant, id).await?;
    // Explicitly, child first: SQLite connections enforce foreign keys, but a cascade is not
    // something to rely on silently for data this size.
    tenant
        .delete_many::<knowledge_chunks::Entity>()
        .filter(knowledge_chunks::Column::KnowledgeBaseId.eq(id))
        .exec(&txn)
        .await?;
    tenant
        .delete_many::<knowledge_documents::Entity>()
        .filter(knowledge_documents::Column::KnowledgeBaseId.eq(id))
        .exec(&txn)
        .await?;
    tenant
        .update_many::<crate::db::entities::personas::Entity>()
        .col_expr(
            crate::db::entities::personas::Column::KnowledgeBaseId,
            Expr::value(Option::<Uuid>::None),
        )
        .filter(crate::db::entities::personas::Column::KnowledgeBaseId.eq(id))
        .exec(&txn)
        .await?;
    tenant
        .delete_many::<knowledge_bases::Entity>()
        .filter(knowledge_bases::Column::Id.eq(id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    changed(state, auth.company_id(), id, None);
    state.events.publish(
        auth.company_id(),
        ServerEvent::PersonasChanged { by_user_id: Some(auth.user_id) },
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Documents

pub fn document_dto(row: &knowledge_documents::Model) -> KnowledgeDocumentDto {
    KnowledgeDocumentDto {
        id: row.id,
        knowledge_base_id: row.knowledge_base_id,
        title: row.title.clone(),
        kind: DocumentKind::parse(&row.kind).unwrap_or(DocumentKind::Text),
        filename: row.filename.clone(),
        bytes: row.bytes.max(0) as u64,
        status: DocumentStatus::parse(&row.status).unwrap_or(DocumentStatus::Failed),
        chunks_total: row.chunks_total.max(0) as u32,
        chunks_done: row.chunks_done.max(0) as u32,
        error: row.error.clone(),
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

/// The base's documents, newest first.
///
/// # Errors
/// 404 for another company's base.
pub async fn list_documents(
    state: &AppState,
    auth: &AuthUser,
    base_id: Uuid,
) -> AppResult<Vec<KnowledgeDocumentDto>> {
    let tenant = auth.tenant();
    find_base(&state.db, tenant, base_id).await?;
    let rows = tenant
        .select::<knowledge_documents::Entity>()
        .filter(knowledge_documents::Column::KnowledgeBaseId.eq(base_id))
        .order_by_desc(knowledge_documents::Column::CreatedAt)
        .all(&state.db)
        .await?;
    Ok(rows.iter().map(document_dto).collect())
}

async fn find_document<C: ConnectionTrait>(
    db: &C,
    tenant: Tenant,
    base_id: Uuid,
    id: Uuid,
) -> AppResult<knowledge_documents::Model> {
    tenant
        .select_by_id::<knowledge_documents::Entity>(id)
        .filter(knowledge_documents::Column::KnowledgeBaseId.eq(base_id))
        .one(db)
        .await?
        .ok_or_else(AppError::not_found)
}

/// A document with its text.
///
/// # Errors
/// 404.
pub async fn get_document(
    state: &AppState,
    auth: &AuthUser,
    base_id: Uuid,
    id: Uuid,
) -> AppResult<KnowledgeDocumentDetail> {
    let row = find_document(&state.db, auth.tenant(), base_id, id).await?;
    let faq = faq_of(&row);
    let text = match &faq {
        Some(entries) => super::chunking::chunk_faq(entries).join("\n\n"),
        None => row.content.clone(),
    };
    Ok(KnowledgeDocumentDetail { document: document_dto(&row), text, faq })
}

fn faq_of(row: &knowledge_documents::Model) -> Option<Vec<FaqEntry>> {
    (row.kind == DocumentKind::Faq.as_str())
        .then(|| serde_json::from_str(&row.content).unwrap_or_default())
}

/// What a new or edited document holds.
enum Content {
    Text(String),
    Faq(Vec<FaqEntry>),
}

fn checked_content(text: Option<String>, faq: Option<Vec<FaqEntry>>) -> AppResult<Content> {
    match (text, faq) {
        (Some(_), Some(_)) => {
            Err(AppError::field("text", "Send either text or FAQ entries, not both."))
        }
        (Some(text), None) => checked_text(text).map(Content::Text),
        (None, Some(entries)) => {
            let entries: Vec<FaqEntry> = entries
                .into_iter()
                .map(|e| FaqEntry {
                    question: e.question.trim().to_owned(),
                    answer: e.answer.trim().to_owned(),
                })
                .filter(|e| !e.question.is_empty() || !e.answer.is_empty())
                .collect();
            if entries.is_empty() {
                return Err(AppError::field("faq", "Write at least one question and answer."));
            }
            if entries.len() > MAX_FAQ_ENTRIES {
                return Err(AppError::field("faq", "Use at most 2,000 entries per document."));
            }
            if let Some(at) =
                entries.iter().position(|e| e.question.is_empty() || e.answer.is_empty())
            {
                return Err(AppError::field(
                    "faq",
                    format!("Entry {} needs both a question and an answer.", at + 1),
                ));
            }
            Ok(Content::Faq(entries))
        }
        (None, None) => Err(AppError::field("text", "Write or paste the document's text.")),
    }
}

fn checked_text(text: String) -> AppResult<String> {
    if text.trim().is_empty() {
        return Err(AppError::field("text", "Write or paste the document's text."));
    }
    if text.chars().count() > MAX_DOCUMENT_CHARS {
        return Err(AppError::field(
            "text",
            "Documents hold up to 2 million characters; split it.",
        ));
    }
    Ok(text)
}

fn title(raw: &str) -> AppResult<String> {
    let title = raw.trim();
    if title.is_empty() || title.chars().count() > 200 || title.chars().any(char::is_control) {
        return Err(AppError::field("title", "Give the document a title (up to 200 characters)."));
    }
    Ok(title.to_owned())
}

struct NewDocument {
    title: String,
    kind: DocumentKind,
    filename: Option<String>,
    content: String,
    bytes: usize,
}

async fn insert_document(
    state: &AppState,
    auth: &AuthUser,
    base_id: Uuid,
    new: NewDocument,
) -> AppResult<KnowledgeDocumentDto> {
    auth.require_admin()?;
    let tenant = auth.tenant();
    let txn = state.db.begin().await?;
    find_base(&txn, tenant, base_id).await?;
    let now = db::now();
    let row = knowledge_documents::ActiveModel {
        id: Set(Uuid::now_v7()),
        company_id: Set(tenant.company_id()),
        knowledge_base_id: Set(base_id),
        title: Set(new.title),
        kind: Set(new.kind.as_str().to_owned()),
        filename: Set(new.filename),
        content: Set(new.content),
        bytes: Set(new.bytes as i64),
        status: Set(DocumentStatus::Queued.as_str().to_owned()),
        chunks_total: Set(0),
        chunks_done: Set(0),
        error: Set(None),
        revision: Set(1),
        created_by: Set(Some(auth.user_id)),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    crate::jobs::enqueue(&txn, indexer::index_job(&row)).await?;
    txn.commit().await?;
    let dto = document_dto(&row);
    changed(state, auth.company_id(), base_id, Some(&dto));
    Ok(dto)
}

/// A written or pasted document (text/Markdown, or FAQ entries), indexed in the background.
///
/// # Errors
/// 403 for agents; 404; `validation_failed`.
pub async fn create_document(
    state: &AppState,
    auth: &AuthUser,
    base_id: Uuid,
    req: CreateDocumentRequest,
) -> AppResult<KnowledgeDocumentDto> {
    auth.require_admin()?;
    let title = title(&req.title)?;
    let (kind, content) = match checked_content(req.text, req.faq)? {
        Content::Text(text) => (DocumentKind::Markdown, text),
        Content::Faq(entries) => {
            (DocumentKind::Faq, serde_json::to_string(&entries).map_err(AppError::internal)?)
        }
    };
    let bytes = content.len();
    insert_document(
        state,
        auth,
        base_id,
        NewDocument { title, kind, filename: None, content, bytes },
    )
    .await
}

/// An uploaded file (text, Markdown, PDF): its text is extracted now (a file without text is
/// refused at once) and indexed in the background.
///
/// # Errors
/// 403 for agents; 404; 413 over 20 MB; 415 for other file types; `validation_failed` for a
/// file with no text.
pub async fn upload_document(
    state: &AppState,
    auth: &AuthUser,
    base_id: Uuid,
    filename: &str,
    content_type: Option<&str>,
    bytes: Vec<u8>,
) -> AppResult<KnowledgeDocumentDto> {
    auth.require_admin()?;
    find_base(&state.db, auth.tenant(), base_id).await?;
    if bytes.len() > extract::MAX_UPLOAD_BYTES {
        return Err(AppError::new(
            ErrorCode::PayloadTooLarge,
            "Files up to 20 MB can be uploaded.",
        ));
    }
    let filename = filename.trim();
    if filename.is_empty() {
        return Err(AppError::field("filename", "Say the file's name (?filename=manual.pdf)."));
    }
    let kind = extract::kind_of(filename, content_type)?;
    let size = bytes.len();
    let text = checked_text(extract::extract_text(kind, bytes).await?)
        .map_err(|e| e.with_field("file"))?;
    let stem = filename.rsplit_once('.').map_or(filename, |(stem, _)| stem);
    let title =
        title(&stem.chars().take(200).collect::<String>()).unwrap_or_else(|_| "Document".into());
    insert_document(
        state,
        auth,
        base_id,
        NewDocument {
            title,
            kind,
            filename: Some(filename.chars().take(255).collect()),
            content: text,
            bytes: size,
        },
    )
    .await
}

/// New title and/or text; new text is indexed again.
///
/// # Errors
/// 403 for agents; 404; `validation_failed`.
pub async fn update_document(
    state: &AppState,
    auth: &AuthUser,
    base_id: Uuid,
    id: Uuid,
    req: UpdateDocumentRequest,
) -> AppResult<KnowledgeDocumentDto> {
    auth.require_admin()?;
    let tenant = auth.tenant();
    let txn = state.db.begin().await?;
    let row = find_document(&txn, tenant, base_id, id).await?;
    let is_faq = row.kind == DocumentKind::Faq.as_str();
    let mut active: knowledge_documents::ActiveModel = row.clone().into();
    if let Some(new_title) = &req.title {
        active.title = Set(title(new_title)?);
    }
    let new_content = match (req.text, req.faq) {
        (None, None) => None,
        (text, faq) => Some(checked_content(text, faq)?),
    };
    let reindex = new_content.is_some();
    match new_content {
        Some(Content::Faq(entries)) if is_faq => {
            let json = serde_json::to_string(&entries).map_err(AppError::internal)?;
            active.bytes = Set(json.len() as i64);
            active.content = Set(json);
        }
        Some(Content::Text(text)) if !is_faq => {
            active.bytes = Set(text.len() as i64);
            active.content = Set(text);
        }
        Some(_) => {
            return Err(AppError::field(
                if is_faq { "faq" } else { "text" },
                if is_faq {
                    "This is an FAQ document: send its entries."
                } else {
                    "This is a text document: send its text."
                },
            ))
        }
        None => {}
    }
    active.updated_at = Set(db::now());
    let row = active.update(&txn).await?;
    let row = if reindex { queue_indexing(&txn, &row).await? } else { row };
    txn.commit().await?;
    let dto = document_dto(&row);
    changed(state, auth.company_id(), base_id, Some(&dto));
    Ok(dto)
}

/// Indexes a document again (after a provider failure, say).
///
/// # Errors
/// 403 for agents; 404.
pub async fn reindex_document(
    state: &AppState,
    auth: &AuthUser,
    base_id: Uuid,
    id: Uuid,
) -> AppResult<KnowledgeDocumentDto> {
    auth.require_admin()?;
    let txn = state.db.begin().await?;
    let row = find_document(&txn, auth.tenant(), base_id, id).await?;
    let row = queue_indexing(&txn, &row).await?;
    txn.commit().await?;
    let dto = document_dto(&row);
    changed(state, auth.company_id(), base_id, Some(&dto));
    Ok(dto)
}

/// A new revision, queued for indexing; an indexing run of an older one gives up.
async fn queue_indexing<C: ConnectionTrait>(
    txn: &C,
    row: &knowledge_documents::Model,
) -> AppResult<knowledge_documents::Model> {
    let mut active: knowledge_documents::ActiveModel = row.clone().into();
    active.revision = Set(row.revision + 1);
    active.status = Set(DocumentStatus::Queued.as_str().to_owned());
    active.chunks_done = Set(0);
    active.chunks_total = Set(0);
    active.error = Set(None);
    active.updated_at = Set(db::now());
    let row = active.update(txn).await?;
    crate::jobs::enqueue(txn, indexer::index_job(&row)).await?;
    Ok(row)
}

/// Deletes a document and its passages.
///
/// # Errors
/// 403 for agents; 404.
pub async fn delete_document(
    state: &AppState,
    auth: &AuthUser,
    base_id: Uuid,
    id: Uuid,
) -> AppResult<()> {
    auth.require_admin()?;
    let tenant = auth.tenant();
    let txn = state.db.begin().await?;
    find_document(&txn, tenant, base_id, id).await?;
    vectors::delete_document(&txn, tenant, id).await?;
    tenant
        .delete_many::<knowledge_documents::Entity>()
        .filter(knowledge_documents::Column::Id.eq(id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    changed(state, auth.company_id(), base_id, None);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Retrieval

/// The base's embedder, with its key opened.
///
/// # Errors
/// A key that cannot be opened (the server's keys changed).
pub fn embedder(
    keyring: &Keyring,
    timeout: Duration,
    base: &knowledge_bases::Model,
) -> AppResult<(ProviderSettings, String)> {
    let provider = AiProvider::parse(&base.embedding_provider).unwrap_or_default();
    let api_key =
        super::personas::open_key(keyring, base.embedding_api_key.as_deref(), "knowledge base")?;
    Ok((
        ProviderSettings {
            kind: provider,
            base_url: base.embedding_base_url.clone(),
            api_key,
            timeout,
        },
        base.embedding_model.clone(),
    ))
}

/// The passages of the base closest to `question`.
///
/// # Errors
/// 404 for an unknown base; `provider_error` (502) when the embedder fails.
pub async fn retrieve(
    ai: &AiContext,
    tenant: Tenant,
    base_id: Uuid,
    question: &str,
    limit: usize,
) -> AppResult<Vec<KnowledgeSource>> {
    let base = find_base(&ai.db, tenant, base_id).await?;
    let (settings, model) = embedder(&ai.keyring, ai.timeout, &base)?;
    let vectors =
        provider::embed(&settings, &model, &[question.to_owned()]).await.map_err(|err| {
            AppError::new(
                ErrorCode::ProviderError,
                format!("The knowledge base could not be searched: {}", err.reason()),
            )
        })?;
    let Some(query) = vectors.into_iter().next() else { return Ok(Vec::new()) };
    let hits = vectors::search(&ai.db, tenant, base_id, &query, limit).await?;
    let document_ids: Vec<Uuid> = hits.iter().map(|h| h.document_id).collect();
    let titles: std::collections::HashMap<Uuid, String> = tenant
        .select::<knowledge_documents::Entity>()
        .filter(knowledge_documents::Column::Id.is_in(document_ids))
        .all(&ai.db)
        .await?
        .into_iter()
        .map(|d| (d.id, d.title))
        .collect();
    Ok(hits
        .into_iter()
        .map(|hit| KnowledgeSource {
            chunk_id: hit.chunk_id,
            document_title: titles.get(&hit.document_id).cloned().unwrap_or_default(),
            document_id: hit.document_id,
            text: hit.text,
            score: hit.score,
        })
        .collect())
}

/// What the base finds for a question, as a persona would get it.
///
/// # Errors
/// 404; `validation_failed` for an empty query; `provider_error` when the embedder fails.
pub async fn search(
    state: &AppState,
    auth: &AuthUser,
    base_id: Uuid,
    req: KnowledgeSearchRequest,
) -> AppResult<Vec<KnowledgeSource>> {
    let query = req.query.trim();
    if query.is_empty() || query.chars().count() > MAX_QUERY_CHARS {
        return Err(AppError::field("query", "Write a question (up to 2,000 characters)."));
    }
    let limit = req.limit.unwrap_or(DEFAULT_SOURCES as u32).clamp(1, MAX_SOURCES) as usize;
    retrieve(&AiContext::of(state), auth.tenant(), base_id, query, limit).await
}

/// How many passages a base holds (tests and the bases page).
///
/// # Errors
/// Database errors.
pub async fn chunk_count<C: ConnectionTrait>(
    db: &C,
    tenant: Tenant,
    base_id: Uuid,
) -> AppResult<u64> {
    Ok(tenant
        .select::<knowledge_chunks::Entity>()
        .filter(knowledge_chunks::Column::KnowledgeBaseId.eq(base_id))
        .count(db)
        .await?)
}

/// Tells the company's screens that a base (and maybe one of its documents) changed.
pub(super) fn changed(
    state: &AppState,
    company_id: Uuid,
    base_id: Uuid,
    document: Option<&KnowledgeDocumentDto>,
) {
    state.events.publish(
        company_id,
        ServerEvent::KnowledgeChanged {
            knowledge_base_id: base_id,
            document: document.cloned().map(Box::new),
        },
    );
}
