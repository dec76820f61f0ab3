use sea_orm::entity::prelude::*;

/// A document of a knowledge base, with its extracted text (kept to re-index).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "knowledge_documents")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub company_id: Uuid,
    pub knowledge_base_id: Uuid,
    pub title: String,
    /// `text`, `markdown`, `pdf` or `faq` (`shared::ai::DocumentKind`).
    pub kind: String,
    pub filename: Option<String>,
    /// The text (FAQ documents: their entries as JSON).
    pub content: String,
    /// Size of what was uploaded.
    pub bytes: i64,
    /// `queued`, `indexing`, `ready` or `failed` (`shared::ai::DocumentStatus`).
    pub status: String,
    pub chunks_total: i32,
    pub chunks_done: i32,
    pub error: Option<String>,
    /// Bumped by every edit: an indexing run for an older revision stops and leaves the newer
    /// one's chunks alone.
    pub revision: i32,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
