//! Where knowledge-base passages and their embeddings are stored and searched: one interface
//! over two backends.
//!
//! - **PostgreSQL + pgvector**: a `vector` column, searched by cosine distance (`<=>`) through
//!   an HNSW index. An HNSW index needs a fixed width and bases may use models of different
//!   widths, so there is one partial expression index per width (`embedding::vector(N)` where
//!   `dims = N`), created the first time vectors of that width are stored — the pattern
//!   pgvector's documentation gives for mixed widths. Widths over pgvector's HNSW limit (2,000)
//!   are searched exactly.
//! - **SQLite**: the vector as a `BLOB` of little-endian `f32`s and an exact cosine search in
//!   Rust, streamed over the base's vectors with only the best few kept. Exact is what small
//!   teams need (a few thousand passages take milliseconds); it stays reasonable up to ~100k
//!   passages per base.
//!
//! Every read and write is scoped by company and knowledge base.

use futures::TryStreamExt;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, DbErr, EntityTrait, FromQueryResult,
    QueryFilter, Statement, StreamTrait, Value,
};
use uuid::Uuid;

use crate::db::{self, entities::knowledge_chunks, Tenant};

/// pgvector's largest width for an HNSW index on `vector`.
const HNSW_MAX_DIMS: usize = 2_000;
/// Rows per multi-row insert.
const INSERT_BATCH: usize = 64;

/// A passage to store.
pub struct NewChunk {
    pub text: String,
    pub embedding: Vec<f32>,
}

/// A passage found for a query.
#[derive(Debug, Clone)]
pub struct Hit {
    pub chunk_id: i64,
    pub document_id: Uuid,
    pub ordinal: i32,
    pub text: String,
    /// Cosine similarity, -1 to 1.
    pub score: f32,
}

/// Replaces a document's passages with `chunks`. Call it inside the transaction that makes
/// the document ready, so a search never sees half a document; on PostgreSQL call
/// [`ensure_index`] for the width first (outside that transaction).
///
/// # Errors
/// Database errors; vectors of different widths in one call.
pub async fn replace_document<C: ConnectionTrait>(
    txn: &C,
    tenant: Tenant,
    knowledge_base_id: Uuid,
    document_id: Uuid,
    chunks: &[NewChunk],
) -> Result<(), DbErr> {
    let dims = chunks.first().map_or(0, |c| c.embedding.len());
    if chunks.iter().any(|c| c.embedding.len() != dims) {
        return Err(DbErr::Custom("embeddings of one document differ in width".into()));
    }
    let backend = txn.get_database_backend();
    delete_document(txn, tenant, document_id).await?;
    let now = db::now();
    for (batch_no, batch) in chunks.chunks(INSERT_BATCH).enumerate() {
        let mut sql = String::from(
            "INSERT INTO knowledge_chunks (company_id, knowledge_base_id, document_id, ordinal, \
             text, dims, embedding, created_at) VALUES ",
        );
        let mut values: Vec<Value> = Vec::with_capacity(batch.len() * 8);
        for (i, chunk) in batch.iter().enumerate() {
            let n = values.len();
            if i > 0 {
                sql.push_str(", ");
            }
            let placeholders: Vec<String> = (1..=8).map(|k| placeholder(backend, n + k)).collect();
            sql.push('(');
            sql.push_str(&placeholders.join(", "));
            sql.push(')');
            let ordinal = (batch_no * INSERT_BATCH + i) as i32;
            values.extend([
                tenant.company_id().into(),
                knowledge_base_id.into(),
                document_id.into(),
                ordinal.into(),
                chunk.text.clone().into(),
                (dims as i32).into(),
                embedding_value(backend, &chunk.embedding),
                now.into(),
            ]);
        }
        txn.execute_raw(Statement::from_sql_and_values(backend, sql, values)).await?;
    }
    Ok(())
}

/// Removes a document's passages.
///
/// # Errors
/// Database errors.
pub async fn delete_document<C: ConnectionTrait>(
    db: &C,
    tenant: Tenant,
    document_id: Uuid,
) -> Result<u64, DbErr> {
    let backend = db.get_database_backend();
    let sql = format!(
        "DELETE FROM knowledge_chunks WHERE company_id = {} AND document_id = {}",
        placeholder(backend, 1),
        placeholder(backend, 2)
    );
    let result = db
        .execute_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [tenant.company_id().into(), document_id.into()],
        ))
        .await?;
    Ok(result.rows_affected())
}

/// The `limit` passages of the knowledge base closest to `query` (same embedding model),
/// closest first.
///
/// # Errors
/// Database errors.
pub async fn search<C: ConnectionTrait + StreamTrait>(
    db: &C,
    tenant: Tenant,
    knowledge_base_id: Uuid,
    query: &[f32],
    limit: usize,
) -> Result<Vec<Hit>, DbErr> {
    if query.is_empty() || limit == 0 {
        return Ok(Vec::new());
    }
    match ConnectionTrait::get_database_backend(db) {
        DatabaseBackend::Postgres => {
            search_pgvector(db, tenant, knowledge_base_id, query, limit).await
        }
        _ => search_exact(db, tenant, knowledge_base_id, query, limit).await,
    }
}

#[derive(FromQueryResult)]
struct ScoredRow {
    id: i64,
    document_id: Uuid,
    ordinal: i32,
    text: String,
    distance: f64,
}

async fn search_pgvector<C: ConnectionTrait>(
    db: &C,
    tenant: Tenant,
    knowledge_base_id: Uuid,
    query: &[f32],
    limit: usize,
) -> Result<Vec<Hit>, DbErr> {
    let dims = query.len();
    // The same expression as the partial index, so the planner can use it.
    let distance = if dims <= HNSW_MAX_DIMS {
        format!("embedding::vector({dims}) <=> $1::vector({dims})")
    } else {
        "embedding <=> $1".to_owned()
    };
    let sql = format!(
        "SELECT id, document_id, ordinal, text, ({distance})::float8 AS distance \
         FROM knowledge_chunks \
         WHERE dims = {dims} AND company_id = $2 AND knowledge_base_id = $3 \
         ORDER BY {distance} LIMIT $4"
    );
    let rows = ScoredRow::find_by_statement(Statement::from_sql_and_values(
        DatabaseBackend::Postgres,
        sql,
        [
            embedding_value(DatabaseBackend::Postgres, query),
            tenant.company_id().into(),
            knowledge_base_id.into(),
            (limit as i64).into(),
        ],
    ))
    .all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Hit {
            chunk_id: r.id,
            document_id: r.document_id,
            ordinal: r.ordinal,
            text: r.text,
            score: (1.0 - r.distance) as f32,
        })
        .collect())
}

#[derive(FromQueryResult)]
struct StoredVector {
    id: i64,
    embedding: Vec<u8>,
}

/// Streams the base's vectors of the query's width, keeps the best `limit` by cosine (memory
/// stays at `limit` whatever the size of the base), then reads those passages' texts.
async fn search_exact<C: ConnectionTrait + StreamTrait>(
    db: &C,
    tenant: Tenant,
    knowledge_base_id: Uuid,
    query: &[f32],
    limit: usize,
) -> Result<Vec<Hit>, DbErr> {
    let backend = ConnectionTrait::get_database_backend(db);
    let statement = Statement::from_sql_and_values(
        backend,
        "SELECT id, embedding FROM knowledge_chunks \
         WHERE company_id = ? AND knowledge_base_id = ? AND dims = ?",
        [tenant.company_id().into(), knowledge_base_id.into(), (query.len() as i32).into()],
    );
    let query_norm = norm(query);
    // Best first; ties by id so equal scores come back in a stable order.
    let mut best: Vec<(f32, i64)> = Vec::with_capacity(limit + 1);
    let mut rows = StoredVector::find_by_statement(statement).stream(db).await?;
    while let Some(row) = rows.try_next().await? {
        let score = cosine(query, query_norm, &decode_blob(&row.embedding));
        let beats_last = best.len() < limit || best.last().is_some_and(|(worst, _)| score > *worst);
        if beats_last {
            let at = best.partition_point(|(s, id)| *s > score || (*s == score && *id < row.id));
            best.insert(at, (score, row.id));
            best.truncate(limit);
        }
    }
    drop(rows);
    let ids: Vec<i64> = best.iter().map(|(_, id)| *id).collect();
    let mut passages: std::collections::HashMap<i64, knowledge_chunks::Model> =
        knowledge_chunks::Entity::find()
            .filter(knowledge_chunks::Column::Id.is_in(ids))
            .all(db)
            .await?
            .into_iter()
            .map(|chunk| (chunk.id, chunk))
            .collect();
    Ok(best
        .into_iter()
        .filter_map(|(score, id)| {
            let chunk = passages.remove(&id)?;
            Some(Hit {
                chunk_id: id,
                document_id: chunk.document_id,
                ordinal: chunk.ordinal,
                text: chunk.text,
                score,
            })
        })
        .collect())
}

/// On PostgreSQL, the HNSW index for vectors `dims` wide, made once (`IF NOT EXISTS`;
/// concurrent creators wait on the lock). Nothing to do on SQLite.
///
/// # Errors
/// Database errors.
pub async fn ensure_index<C: ConnectionTrait>(db: &C, dims: usize) -> Result<(), DbErr> {
    if db.get_database_backend() != DatabaseBackend::Postgres || dims == 0 || dims > HNSW_MAX_DIMS {
        return Ok(());
    }
    db.execute_unprepared(&format!(
        "CREATE INDEX IF NOT EXISTS ix_knowledge_chunks_hnsw_{dims} ON knowledge_chunks \
         USING hnsw ((embedding::vector({dims})) vector_cosine_ops) WHERE dims = {dims}"
    ))
    .await?;
    Ok(())
}

fn placeholder(backend: DatabaseBackend, n: usize) -> String {
    match backend {
        DatabaseBackend::Postgres => format!("${n}"),
        _ => "?".to_owned(),
    }
}

fn embedding_value(backend: DatabaseBackend, embedding: &[f32]) -> Value {
    match backend {
        DatabaseBackend::Postgres => {
            Value::Vector(Some(sea_orm::prelude::PgVector::from(embedding.to_vec())))
        }
        _ => Value::Bytes(Some(encode_blob(embedding))),
    }
}

fn encode_blob(embedding: &[f32]) -> Vec<u8> {
    embedding.iter().flat_map(|x| x.to_le_bytes()).collect()
}

fn decode_blob(bytes: &[u8]) -> Vec<f32> {
    bytes.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect()
}

fn norm(v: &[f32]) -> f32 {
    v.iter().map(|x| x * x).sum::<f32>().sqrt()
}

fn cosine(query: &[f32], query_norm: f32, other: &[f32]) -> f32 {
    let other_norm = norm(other);
    if query_norm == 0.0 || other_norm == 0.0 || query.len() != other.len() {
        return 0.0;
    }
    let dot: f32 = query.iter().zip(other).map(|(a, b)| a * b).sum();
    dot / (query_norm * other_norm)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blobs_round_trip_and_cosine_ranks_by_angle() {
        let v = vec![0.5_f32, -1.25, 3.0, f32::MIN_POSITIVE];
        assert_eq!(decode_blob(&encode_blob(&v)), v);
        let q = [1.0_f32, 0.0];
        assert!((cosine(&q, norm(&q), &[2.0, 0.0]) - 1.0).abs() < 1e-6);
        assert!(cosine(&q, norm(&q), &[0.0, 3.0]).abs() < 1e-6);
        assert!((cosine(&q, norm(&q), &[-1.0, 0.0]) + 1.0).abs() < 1e-6);
        assert_eq!(cosine(&q, norm(&q), &[0.0, 0.0]), 0.0, "a zero vector matches nothing");
        assert_eq!(cosine(&q, norm(&q), &[1.0]), 0.0, "widths must agree");
    }
}
