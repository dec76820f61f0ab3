//! The `knowledge.index` job: splits a document into passages, embeds them with the base's
//! provider in batches (publishing progress), and stores them.
//!
//! A job carries the document revision it was queued for. It gives up as soon as it sees a
//! newer revision (the document was edited: another job is on its way), and it stores its
//! passages in the same transaction that checks the revision is still current, so an old run
//! can never overwrite a newer one's passages. Provider failures that may pass (timeouts, rate
//! limits, 5xx) are retried by the job runtime; others (a refused key, an unknown model) fail
//! the document at once with the reason people see.

use std::{sync::Arc, time::Duration};

use sea_orm::{
    sea_query::Expr, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use shared::{
    ai::{DocumentKind, DocumentStatus, FaqEntry},
    ServerEvent,
};
use uuid::Uuid;

use super::{chunking, knowledge, provider, vectors};
use crate::{
    crypto::Keyring,
    db::{
        self,
        entities::{knowledge_bases, knowledge_documents},
        Tenant,
    },
    events::EventBus,
    jobs::{Job, JobError, JobFuture, JobHandler, NewJob},
};

pub const INDEX_JOB: &str = "knowledge.index";
/// Passages per embedding call (and per progress event).
const EMBED_BATCH: usize = 32;

#[derive(Debug, Serialize, Deserialize)]
pub struct IndexDocument {
    pub document_id: Uuid,
    pub revision: i32,
}

/// The job that indexes this revision of the document.
pub fn index_job(document: &knowledge_documents::Model) -> NewJob {
    let mut job = NewJob::new(
        INDEX_JOB,
        json!(IndexDocument { document_id: document.id, revision: document.revision }),
    )
    .for_company(document.company_id);
    job.max_attempts = 6;
    job
}

/// Performs `knowledge.index` jobs.
#[derive(Clone)]
pub struct Indexer {
    pub db: DatabaseConnection,
    pub events: EventBus,
    pub keyring: Arc<Keyring>,
    /// Per embedding call.
    pub ai_timeout: Duration,
}

impl JobHandler for Indexer {
    fn kind(&self) -> &'static str {
        INDEX_JOB
    }

    fn perform(&self, job: Job) -> JobFuture {
        let indexer = self.clone();
        Box::pin(async move {
            let IndexDocument { document_id, revision } =
                serde_json::from_value(job.payload.clone()).map_err(|e| {
                    JobError::Permanent(anyhow::anyhow!("bad knowledge.index payload: {e}"))
                })?;
            let last_attempt = job.attempts >= job.max_attempts;
            let result = indexer.index(document_id, revision, last_attempt).await;
            if let (Err(JobError::Retry(err)), true) = (&result, last_attempt) {
                // Out of attempts (the database kept failing): say so on the document rather
                // than leave it "indexing" for ever.
                tracing::error!(%document_id, error = %err, "knowledge document indexing gave up");
                let document = knowledge_documents::Entity::find_by_id(document_id)
                    .one(&indexer.db)
                    .await?
                    .filter(|d| d.revision == revision);
                if let Some(document) = document {
                    fail(&indexer, &document, "Indexing stopped after repeated errors; try again.")
                        .await?;
                }
            }
            result
        })
    }
}

impl Indexer {
    /// Indexes one revision of a document (see the module docs).
    ///
    /// # Errors
    /// Database errors and passing provider failures (retried by the job runtime).
    pub async fn index(
        &self,
        document_id: Uuid,
        revision: i32,
        last_attempt: bool,
    ) -> Result<(), JobError> {
        let state = self;
        let db = &self.db;
        let Some(document) = knowledge_documents::Entity::find_by_id(document_id).one(db).await?
        else {
            return Ok(()); // deleted meanwhile
        };
        if document.revision != revision {
            return Ok(()); // edited meanwhile: the newer revision's job does the work
        }
        let Some(base) =
            knowledge_bases::Entity::find_by_id(document.knowledge_base_id).one(db).await?
        else {
            return Ok(());
        };

        let passages = passages_of(&document);
        set_progress(state, &document, DocumentStatus::Indexing, 0, passages.len(), None).await?;
        if passages.is_empty() {
            return finish(state, &document, Vec::new(), passages.len()).await;
        }
        let (settings, model) = match knowledge::embedder(&self.keyring, self.ai_timeout, &base) {
            Ok(embedder) => embedder,
            Err(err) => {
                let reason =
                    err.client_message().unwrap_or("The API key cannot be read.").to_owned();
                return fail(state, &document, &reason).await;
            }
        };

        let mut chunks = Vec::with_capacity(passages.len());
        for batch in passages.chunks(EMBED_BATCH) {
            if current_revision(db, document_id).await? != Some(revision) {
                return Ok(());
            }
            let embeddings = match provider::embed(&settings, &model, batch).await {
                Ok(embeddings) if embeddings.len() == batch.len() => embeddings,
                Ok(embeddings) => {
                    let reason = format!(
                        "The embedding provider answered {} vectors for {} passages.",
                        embeddings.len(),
                        batch.len()
                    );
                    return fail(state, &document, &reason).await;
                }
                Err(err) if err.retryable() && !last_attempt => {
                    let note = format!("Retrying: {}", err.reason());
                    set_progress(
                        state,
                        &document,
                        DocumentStatus::Indexing,
                        chunks.len(),
                        passages.len(),
                        Some(&note),
                    )
                    .await?;
                    return Err(JobError::Retry(anyhow::anyhow!("embedding: {err}")));
                }
                Err(err) => return fail(state, &document, &err.reason()).await,
            };
            chunks.extend(
                batch
                    .iter()
                    .zip(embeddings)
                    .map(|(text, embedding)| vectors::NewChunk { text: text.clone(), embedding }),
            );
            set_progress(
                state,
                &document,
                DocumentStatus::Indexing,
                chunks.len(),
                passages.len(),
                None,
            )
            .await?;
        }
        finish(state, &document, chunks, passages.len()).await
    }
}

/// The passages of a document, by its kind.
fn passages_of(document: &knowledge_documents::Model) -> Vec<String> {
    match DocumentKind::parse(&document.kind) {
        Some(DocumentKind::Faq) => {
            let entries: Vec<FaqEntry> =
                serde_json::from_str(&document.content).unwrap_or_default();
            chunking::chunk_faq(&entries)
        }
        Some(DocumentKind::Markdown) => chunking::chunk_text(&document.content, true),
        _ => chunking::chunk_text(&document.content, false),
    }
}

async fn current_revision(db: &DatabaseConnection, id: Uuid) -> Result<Option<i32>, JobError> {
    Ok(knowledge_documents::Entity::find_by_id(id).one(db).await?.map(|d| d.revision))
}

/// Stores the passages and marks the document ready — only if its revision is still the one
/// this run indexed.
async fn finish(
    state: &Indexer,
    document: &knowledge_documents::Model,
    chunks: Vec<vectors::NewChunk>,
    total: usize,
) -> Result<(), JobError> {
    let tenant = Tenant::new(document.company_id);
    if let Some(dims) = chunks.first().map(|c| c.embedding.len()) {
        vectors::ensure_index(&state.db, dims).await?;
    }
    let txn = state.db.begin().await?;
    let updated = status_update(DocumentStatus::Ready, total, total, None)
        .filter(knowledge_documents::Column::Id.eq(document.id))
        .filter(knowledge_documents::Column::Revision.eq(document.revision))
        .exec(&txn)
        .await?;
    if updated.rows_affected == 0 {
        return Ok(()); // edited meanwhile; dropping the transaction rolls back
    }
    vectors::replace_document(&txn, tenant, document.knowledge_base_id, document.id, &chunks)
        .await?;
    txn.commit().await?;
    publish(state, document.id).await
}

async fn fail(
    state: &Indexer,
    document: &knowledge_documents::Model,
    reason: &str,
) -> Result<(), JobError> {
    tracing::warn!(document_id = %document.id, %reason, "knowledge document not indexed");
    status_update(DocumentStatus::Failed, 0, 0, Some(reason))
        .filter(knowledge_documents::Column::Id.eq(document.id))
        .filter(knowledge_documents::Column::Revision.eq(document.revision))
        .exec(&state.db)
        .await?;
    publish(state, document.id).await
}

async fn set_progress(
    state: &Indexer,
    document: &knowledge_documents::Model,
    status: DocumentStatus,
    done: usize,
    total: usize,
    note: Option<&str>,
) -> Result<(), JobError> {
    status_update(status, done, total, note)
        .filter(knowledge_documents::Column::Id.eq(document.id))
        .filter(knowledge_documents::Column::Revision.eq(document.revision))
        .exec(&state.db)
        .await?;
    publish(state, document.id).await
}

fn status_update(
    status: DocumentStatus,
    done: usize,
    total: usize,
    error: Option<&str>,
) -> sea_orm::UpdateMany<knowledge_documents::Entity> {
    knowledge_documents::Entity::update_many()
        .col_expr(knowledge_documents::Column::Status, Expr::value(status.as_str()))
        .col_expr(knowledge_documents::Column::ChunksDone, Expr::value(done as i32))
        .col_expr(knowledge_documents::Column::ChunksTotal, Expr::value(total as i32))
        .col_expr(knowledge_documents::Column::Error, Expr::value(error.map(str::to_owned)))
        .col_expr(knowledge_documents::Column::UpdatedAt, Expr::value(db::now()))
}

async fn publish(state: &Indexer, document_id: Uuid) -> Result<(), JobError> {
    if let Some(row) = knowledge_documents::Entity::find_by_id(document_id).one(&state.db).await? {
        state.events.publish(
            row.company_id,
            ServerEvent::KnowledgeChanged {
                knowledge_base_id: row.knowledge_base_id,
                document: Some(Box::new(knowledge::document_dto(&row))),
            },
        );
    }
    Ok(())
}
