use sea_orm::entity::prelude::*;

/// A company's collection of documents that personas answer from.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "knowledge_bases")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub company_id: Uuid,
    /// Unique per company.
    pub name: String,
    pub description: Option<String>,
    /// Who embeds the chunks (`shared::ai::AiProvider`) and with which model: every chunk of
    /// the base must come from the same model to be comparable.
    pub embedding_provider: String,
    pub embedding_model: String,
    pub embedding_base_url: Option<String>,
    /// Sealed with the server's keyring.
    pub embedding_api_key: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
