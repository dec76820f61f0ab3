use sea_orm::entity::prelude::*;

/// A passage of a document. Its embedding is in the `embedding` column, whose type differs by
/// backend (`vector` on PostgreSQL, a `BLOB` of `f32`s on SQLite), so it is not part of this
/// entity: `ai::vectors` reads and writes it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "knowledge_chunks")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub company_id: Uuid,
    pub knowledge_base_id: Uuid,
    pub document_id: Uuid,
    /// Position in the document.
    pub ordinal: i32,
    pub text: String,
    /// Width of the embedding.
    pub dims: i32,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
