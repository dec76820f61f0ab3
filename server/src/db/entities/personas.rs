use sea_orm::entity::prelude::*;

/// An AI persona: the provider and model it answers with, its prompt and when it hands off.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "personas")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub company_id: Uuid,
    /// Unique per company.
    pub name: String,
    /// `openai`, `gemini`, `ollama` or `openai_compatible` (`shared::ai::AiProvider`).
    pub provider: String,
    pub model: String,
    pub base_url: Option<String>,
    /// Sealed with the server's keyring (`crypto::Keyring::seal`).
    pub api_key: Option<String>,
    /// The key's last characters, shown to tell keys apart.
    pub api_key_hint: Option<String>,
    pub system_prompt: String,
    pub temperature: f64,
    pub max_tokens: i32,
    pub language: String,
    pub tone: Option<String>,
    /// `Vec<shared::ai::WorkingWindow>`.
    pub working_hours: Option<Json>,
    /// `shared::ai::HandoffPolicy`.
    pub handoff: Json,
    pub knowledge_base_id: Option<Uuid>,
    pub enabled: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
