//! AI personas and knowledge bases: who answers customers automatically, with which model, and
//! from which of the company's own texts.
//!
//! A persona talks to a provider (OpenAI, Gemini, Ollama or any OpenAI-compatible server) with
//! its own API key (stored sealed; the API only ever shows its last characters). A knowledge base
//! holds documents (text, Markdown, PDF, FAQ entries) split into chunks and embedded in the
//! background; answers are grounded in the chunks closest to the customer's question, and say
//! which ones they used.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// Where a persona's model (or a knowledge base's embeddings) runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash, Default)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AiProvider {
    #[default]
    Openai,
    Gemini,
    /// A local Ollama server (its OpenAI-compatible API).
    Ollama,
    /// Any server speaking OpenAI's Chat Completions API (vLLM, LM Studio, OpenRouter, ...);
    /// needs `base_url`.
    OpenaiCompatible,
}

impl AiProvider {
    pub const ALL: [AiProvider; 4] =
        [AiProvider::Openai, AiProvider::Gemini, AiProvider::Ollama, AiProvider::OpenaiCompatible];

    pub fn as_str(self) -> &'static str {
        match self {
            AiProvider::Openai => "openai",
            AiProvider::Gemini => "gemini",
            AiProvider::Ollama => "ollama",
            AiProvider::OpenaiCompatible => "openai_compatible",
        }
    }

    pub fn parse(raw: &str) -> Option<AiProvider> {
        AiProvider::ALL.into_iter().find(|p| p.as_str() == raw)
    }

    pub fn label(self) -> &'static str {
        match self {
            AiProvider::Openai => "OpenAI",
            AiProvider::Gemini => "Google Gemini",
            AiProvider::Ollama => "Ollama",
            AiProvider::OpenaiCompatible => "OpenAI-compatible server",
        }
    }

    /// Whether calls need an API key (Ollama and self-hosted servers usually do not).
    pub fn needs_api_key(self) -> bool {
        matches!(self, AiProvider::Openai | AiProvider::Gemini)
    }

    /// A sensible chat model to start from.
    pub fn default_chat_model(self) -> &'static str {
        match self {
            AiProvider::Openai => "gpt-4o-mini",
            AiProvider::Gemini => "gemini-2.0-flash",
            AiProvider::Ollama => "llama3.1",
            AiProvider::OpenaiCompatible => "",
        }
    }

    /// A sensible embedding model to start from.
    pub fn default_embedding_model(self) -> &'static str {
        match self {
            AiProvider::Openai => "text-embedding-3-small",
            AiProvider::Gemini => "text-embedding-004",
            AiProvider::Ollama => "nomic-embed-text",
            AiProvider::OpenaiCompatible => "",
        }
    }
}

impl std::fmt::Display for AiProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// When a persona steps aside for a person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct HandoffPolicy {
    /// Words or phrases that, in a customer's message, ask for a person (case and accents
    /// ignored).
    #[serde(default = "default_handoff_keywords")]
    pub keywords: Vec<String>,
    /// Hand off after this many AI answers in a row without the conversation being resolved.
    #[serde(default)]
    pub max_turns: Option<u32>,
    /// Hand off when the knowledge base has nothing close to the question (instead of letting
    /// the model guess).
    #[serde(default = "yes")]
    pub on_low_confidence: bool,
    /// What the customer is told when a person takes over.
    #[serde(default = "default_handoff_message")]
    pub message: String,
}

fn yes() -> bool {
    true
}

pub fn default_handoff_keywords() -> Vec<String> {
    ["humano", "atendente", "pessoa", "human", "agent"].map(str::to_owned).to_vec()
}

fn default_handoff_message() -> String {
    "Vou chamar uma pessoa da nossa equipe para continuar o atendimento.".to_owned()
}

impl Default for HandoffPolicy {
    fn default() -> Self {
        HandoffPolicy {
            keywords: default_handoff_keywords(),
            max_turns: None,
            on_low_confidence: true,
            message: default_handoff_message(),
        }
    }
}

/// Hours a persona answers in, in the company's time zone; outside them conversations go to
/// people. Days are 1 (Monday) to 7 (Sunday); times are `HH:MM`, `end` after `start`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct WorkingWindow {
    pub days: Vec<u8>,
    pub start: String,
    pub end: String,
}

impl WorkingWindow {
    /// Minutes after midnight of an `HH:MM` time (`24:00` allowed as the end of a day).
    pub fn minutes(hhmm: &str) -> Option<u32> {
        let (h, m) = hhmm.trim().split_once(':')?;
        let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
        (h <= 24 && m < 60 && h * 60 + m <= 24 * 60).then_some(h * 60 + m)
    }

    /// Whether the window is well formed: days 1–7, times `HH:MM`, the end after the start.
    pub fn is_valid(&self) -> bool {
        !self.days.is_empty()
            && self.days.iter().all(|d| (1..=7).contains(d))
            && matches!(
                (Self::minutes(&self.start), Self::minutes(&self.end)),
                (Some(start), Some(end)) if end > start
            )
    }

    /// Whether local time `minute` (after midnight) of `weekday` (1 = Monday) falls inside.
    pub fn contains(&self, weekday: u8, minute: u32) -> bool {
        self.days.contains(&weekday)
            && matches!(
                (Self::minutes(&self.start), Self::minutes(&self.end)),
                (Some(start), Some(end)) if (start..end).contains(&minute)
            )
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PersonaDto {
    pub id: Uuid,
    pub name: String,
    pub provider: AiProvider,
    pub model: String,
    pub base_url: Option<String>,
    /// Whether an API key is stored; the key itself is never shown again.
    pub has_api_key: bool,
    /// The key's last characters (`…a1b2`), to tell keys apart.
    pub api_key_hint: Option<String>,
    pub system_prompt: String,
    pub temperature: f32,
    pub max_tokens: u32,
    /// BCP 47 tag the persona answers in, e.g. `pt-BR`.
    pub language: String,
    /// E.g. `friendly`, `formal`.
    pub tone: Option<String>,
    /// `None`: any time.
    pub working_hours: Option<Vec<WorkingWindow>>,
    pub handoff: HandoffPolicy,
    pub knowledge_base_id: Option<Uuid>,
    pub enabled: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CreatePersonaRequest {
    pub name: String,
    pub provider: AiProvider,
    /// Empty: the provider's usual model.
    #[serde(default)]
    pub model: String,
    #[serde(default)]
    pub api_key: Option<String>,
    /// Needed for `openai_compatible`; optional otherwise (e.g. an Ollama on another host).
    #[serde(default)]
    pub base_url: Option<String>,
    #[serde(default)]
    pub system_prompt: String,
    #[serde(default)]
    pub temperature: Option<f32>,
    #[serde(default)]
    pub max_tokens: Option<u32>,
    #[serde(default)]
    pub language: Option<String>,
    #[serde(default)]
    pub tone: Option<String>,
    #[serde(default)]
    pub working_hours: Option<Vec<WorkingWindow>>,
    #[serde(default)]
    pub handoff: Option<HandoffPolicy>,
    #[serde(default)]
    pub knowledge_base_id: Option<Uuid>,
    #[serde(default)]
    pub enabled: Option<bool>,
}

/// Changes to a persona; absent fields stay. `api_key: ""` removes the key; `clear_*` flags
/// remove optional settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct UpdatePersonaRequest {
    pub name: Option<String>,
    pub provider: Option<AiProvider>,
    pub model: Option<String>,
    pub api_key: Option<String>,
    pub base_url: Option<String>,
    pub system_prompt: Option<String>,
    pub temperature: Option<f32>,
    pub max_tokens: Option<u32>,
    pub language: Option<String>,
    pub tone: Option<String>,
    pub working_hours: Option<Vec<WorkingWindow>>,
    #[serde(default)]
    pub clear_working_hours: bool,
    pub handoff: Option<HandoffPolicy>,
    pub knowledge_base_id: Option<Uuid>,
    #[serde(default)]
    pub clear_knowledge_base: bool,
    pub enabled: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ChatRole {
    /// The customer.
    User,
    /// The persona.
    Assistant,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ChatTurn {
    pub role: ChatRole,
    pub text: String,
}

/// A conversation with a persona from the "test chat" panel: nothing is sent to anyone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PersonaChatRequest {
    /// Oldest first; the last one is the customer's question.
    pub messages: Vec<ChatTurn>,
}

/// A passage of the knowledge base an answer used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct KnowledgeSource {
    pub chunk_id: i64,
    pub document_id: Uuid,
    pub document_title: String,
    pub text: String,
    /// Cosine similarity to the question, -1 to 1.
    pub score: f32,
}

/// `POST /api/v1/conversations/{id}/assist/reply` and `.../assist/summary`: which persona
/// helps (default: the one answering the conversation, else its number's, else the company's
/// first active persona).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AssistRequest {
    #[serde(default)]
    pub persona_id: Option<Uuid>,
}

/// A drafted reply (to edit before sending) or a summary of the conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AssistReply {
    pub text: String,
    /// The knowledge a drafted reply was grounded in (empty for a summary).
    pub sources: Vec<KnowledgeSource>,
    pub persona_id: Uuid,
    pub persona_name: String,
    /// Cut at the persona's `max_tokens`.
    pub truncated: bool,
}

/// On a message a persona sent in a conversation (`MessageDto.ai`): who answered and from
/// which passages, so agents can check what the customer was told.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AiReplyInfo {
    pub persona_id: Uuid,
    pub persona_name: String,
    /// The passages the answer was grounded in, closest first (empty for a handoff message).
    #[serde(default)]
    pub sources: Vec<KnowledgeSource>,
    /// Set on the message that told the customer a person takes over: why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handoff: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PersonaChatReply {
    pub reply: String,
    /// The knowledge the answer was grounded in, closest first.
    pub sources: Vec<KnowledgeSource>,
    /// The answer was cut at `max_tokens`.
    pub truncated: bool,
    /// Set when the persona would hand this conversation to a person, with why; `reply` is
    /// then the handoff message.
    pub handoff: Option<String>,
}

/// How a knowledge base's text is turned into vectors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct EmbeddingSettings {
    pub provider: AiProvider,
    /// Empty: the provider's usual embedding model.
    #[serde(default)]
    pub model: String,
    #[serde(default)]
    pub base_url: Option<String>,
    /// Write-only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct KnowledgeBaseDto {
    pub id: Uuid,
    pub name: String,
    pub description: Option<String>,
    pub embedding_provider: AiProvider,
    pub embedding_model: String,
    pub embedding_base_url: Option<String>,
    pub has_api_key: bool,
    pub documents: u64,
    pub chunks: u64,
    /// Documents still being indexed.
    pub indexing: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A new knowledge base. Without `embedding`, the server's default embedder is used
/// (`MASTER_IA_EMBEDDING_*` settings); a server without one asks for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CreateKnowledgeBaseRequest {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub embedding: Option<EmbeddingSettings>,
}

/// Changes to a knowledge base. Changing the embedding re-indexes every document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct UpdateKnowledgeBaseRequest {
    pub name: Option<String>,
    pub description: Option<String>,
    pub embedding: Option<EmbeddingSettings>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    Text,
    Markdown,
    Pdf,
    /// Question-and-answer pairs, one chunk each.
    Faq,
}

impl DocumentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentKind::Text => "text",
            DocumentKind::Markdown => "markdown",
            DocumentKind::Pdf => "pdf",
            DocumentKind::Faq => "faq",
        }
    }

    pub fn parse(raw: &str) -> Option<DocumentKind> {
        Some(match raw {
            "text" => DocumentKind::Text,
            "markdown" => DocumentKind::Markdown,
            "pdf" => DocumentKind::Pdf,
            "faq" => DocumentKind::Faq,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DocumentStatus {
    /// Waiting for the indexer.
    Queued,
    /// Being split and embedded (`chunks_done` of `chunks_total`).
    Indexing,
    /// Searchable.
    Ready,
    /// Could not be indexed: `error` says why (the provider refused the key, ...). Editing or
    /// re-indexing tries again.
    Failed,
}

impl DocumentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentStatus::Queued => "queued",
            DocumentStatus::Indexing => "indexing",
            DocumentStatus::Ready => "ready",
            DocumentStatus::Failed => "failed",
        }
    }

    pub fn parse(raw: &str) -> Option<DocumentStatus> {
        Some(match raw {
            "queued" => DocumentStatus::Queued,
            "indexing" => DocumentStatus::Indexing,
            "ready" => DocumentStatus::Ready,
            "failed" => DocumentStatus::Failed,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct KnowledgeDocumentDto {
    pub id: Uuid,
    pub knowledge_base_id: Uuid,
    pub title: String,
    pub kind: DocumentKind,
    pub filename: Option<String>,
    pub bytes: u64,
    pub status: DocumentStatus,
    pub chunks_total: u32,
    pub chunks_done: u32,
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One question and its answer, for FAQ documents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct FaqEntry {
    pub question: String,
    pub answer: String,
}

/// A document written or pasted in (JSON). Files (text, Markdown, PDF) are uploaded as the raw
/// request body instead, with `?filename=`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CreateDocumentRequest {
    pub title: String,
    /// Text or Markdown.
    #[serde(default)]
    pub text: Option<String>,
    /// Question-and-answer pairs (instead of `text`).
    #[serde(default)]
    pub faq: Option<Vec<FaqEntry>>,
}

/// A document's new title or text (re-indexed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct UpdateDocumentRequest {
    pub title: Option<String>,
    pub text: Option<String>,
    pub faq: Option<Vec<FaqEntry>>,
}

/// A document with its text, for reading and editing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct KnowledgeDocumentDetail {
    pub document: KnowledgeDocumentDto,
    pub text: String,
    /// For FAQ documents, the entries.
    pub faq: Option<Vec<FaqEntry>>,
}

/// What the knowledge base finds for a question (what a persona would be given).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct KnowledgeSearchRequest {
    pub query: String,
    #[serde(default)]
    pub limit: Option<u32>,
}
