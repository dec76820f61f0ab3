//! Talking to LLM providers (OpenAI, Gemini, Ollama, any OpenAI-compatible server) through
//! `rig-core`, behind three calls the rest of the server needs: [`chat`], [`embed`] and
//! [`check`].
//!
//! Why a module of its own: personas, the knowledge base and the settings page must not know which
//! provider a company picked, nor how each one spells its errors. Everything provider-specific
//! ends here, and every failure leaves as one [`AiError`] with a stable [`AiError::code`].
//!
//! How each provider is reached:
//!
//! | Kind | rig model | Route | Auth |
//! |---|---|---|---|
//! | `openai` | `OpenAI::chat` / `embedding` | `POST {base}/chat/completions`, `/embeddings`, `GET /models` | `Authorization: Bearer` |
//! | `openai_compatible` | same wires, generic dialect | same, under the `/v1` base the user gives | Bearer, omitted without a key |
//! | `ollama` | same wires, rig's `OLLAMA` dialect | Ollama's OpenAI-compatible `/v1` API | Bearer, omitted without a key |
//! | `gemini` | `Gemini::completion` / `embedding` | `POST {base}/v1beta/models/{m}:generateContent`, `:batchEmbedContents`, `GET /v1beta/models` | `?key=` |
//!
//! Chat Completions rather than OpenAI's Responses API everywhere: it is the one route every
//! OpenAI-shaped server serves (Ollama and most compatible servers have no `/responses`), and a
//! text-only persona reply needs nothing Responses adds. Ollama goes through its `/v1` API rather
//! than rig's native `/api/chat` client for the same reason: one wire, one error shape, and it can
//! be tested against the same fake.

use std::fmt;
use std::future::Future;
use std::time::Duration;

use rig_core::catalog::{Catalog, Sampling};
use rig_core::completion::{CompletionRequest, FinishReason, Message, OnUnsupported};
use rig_core::error::ProviderError;
use rig_core::providers::gemini::{Gemini, GeminiConfig};
use rig_core::providers::openai::wire::{Auth, Dialect, OLLAMA};
use rig_core::providers::openai::{OpenAI, OpenAIConfig};
use rig_core::providers::registry::ProviderId;
use serde_json::Value;
use tracing::instrument;

/// OpenAI's API root.
pub const OPENAI_BASE_URL: &str = "https://api.openai.com/v1";
/// Gemini's API root (the clients add `/v1beta/...`).
pub const GEMINI_BASE_URL: &str = "https://generativelanguage.googleapis.com";
/// A local Ollama daemon; its OpenAI-compatible API lives under `/v1`.
pub const OLLAMA_BASE_URL: &str = "http://localhost:11434";

/// Texts per embedding request. Below every provider's cap (Gemini's `batchEmbedContents` takes
/// 100, OpenAI 2048 inputs) and small enough that one slow batch does not hit the timeout.
const EMBED_BATCH: usize = 64;

/// Which provider: the `shared` type the API and the UI use.
pub use shared::ai::AiProvider as ProviderKind;

/// How to reach one company's provider.
#[derive(Clone)]
pub struct ProviderSettings {
    /// Which provider.
    pub kind: ProviderKind,
    /// `None` = the provider's public endpoint. Required for [`ProviderKind::OpenaiCompatible`],
    /// given as the server documents it (ending in `/v1`).
    pub base_url: Option<String>,
    /// The credential; optional for Ollama and OpenAI-compatible servers.
    pub api_key: Option<String>,
    /// Bound on each provider call, so a stuck provider cannot hold a conversation hostage.
    pub timeout: Duration,
}

/// Redacts the key: settings end up in logs and error reports.
impl fmt::Debug for ProviderSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProviderSettings")
            .field("kind", &self.kind)
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key.as_ref().map(|_| "[redacted]"))
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// Who said a message in the conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The customer.
    User,
    /// The persona (or an agent speaking for it).
    Assistant,
}

/// One turn of the conversation sent to the model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatMessage {
    /// Who said it.
    pub role: Role,
    /// What was said.
    pub text: String,
}

impl ChatMessage {
    /// A customer's message.
    pub fn user(text: impl Into<String>) -> Self {
        Self { role: Role::User, text: text.into() }
    }

    /// A persona's message.
    pub fn assistant(text: impl Into<String>) -> Self {
        Self { role: Role::Assistant, text: text.into() }
    }
}

/// A persona's turn to answer.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatRequest {
    /// The provider's model id (`gpt-4o-mini`, `gemini-2.5-flash`, `llama3.2`).
    pub model: String,
    /// The persona's instructions plus retrieved knowledge; empty sends no system prompt.
    pub system: String,
    /// Oldest first, ending with the customer's latest message.
    pub history: Vec<ChatMessage>,
    /// `None` = the model's default.
    pub temperature: Option<f32>,
    /// `None` = the model's default cap.
    pub max_tokens: Option<u32>,
}

/// The model's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatReply {
    /// The reply text.
    pub text: String,
    /// The model stopped at `max_tokens`: the text is cut mid-thought.
    pub truncated: bool,
    /// Prompt tokens, when the provider reported them.
    pub input_tokens: Option<u64>,
    /// Reply tokens, when the provider reported them.
    pub output_tokens: Option<u64>,
}

/// Why a provider call failed. The variant decides what the caller does (retry, tell the admin to
/// fix the key, ...); the string is detail for logs, with any API key scrubbed out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AiError {
    /// No answer within [`ProviderSettings::timeout`] (or the provider said 408).
    #[error("the AI provider did not answer in time")]
    Timeout,
    /// 429: too many requests or tokens for the account's limits.
    #[error("the AI provider is rate limiting requests (retry after {retry_after:?})")]
    RateLimited {
        /// What the provider asked us to wait, when it said.
        retry_after: Option<Duration>,
    },
    /// The key is missing, wrong, revoked or lacks permission (401/403, Gemini's
    /// `API_KEY_INVALID`).
    #[error("the AI provider refused the API key: {0}")]
    InvalidKey(String),
    /// The provider does not serve the model (404 / `model_not_found`).
    #[error("the AI provider does not know the model: {0}")]
    UnknownModel(String),
    /// The request itself is wrong (400, or caught before sending: empty model, no messages, ...).
    #[error("the AI provider rejected the request: {0}")]
    BadRequest(String),
    /// The provider is down, overloaded (5xx) or unreachable (connection refused, DNS, TLS).
    #[error("the AI provider is unavailable: {0}")]
    Unavailable(String),
    /// Anything else: an answer we could not read, an unexpected status.
    #[error("the AI provider call failed: {0}")]
    Other(String),
}

impl AiError {
    /// Whether the same call may succeed later without anyone changing the settings.
    pub fn retryable(&self) -> bool {
        matches!(self, Self::Timeout | Self::RateLimited { .. } | Self::Unavailable(_))
    }

    /// One sentence for the agent or admin who sees the failure in the panel. No internals: the
    /// detail is in `Display`, for logs.
    pub fn reason(&self) -> String {
        match self {
            Self::Timeout => "The AI provider took too long to answer.".to_owned(),
            Self::RateLimited { retry_after: Some(wait) } => format!(
                "The AI provider is limiting requests; try again in {} seconds.",
                wait.as_secs().max(1)
            ),
            Self::RateLimited { retry_after: None } => {
                "The AI provider is limiting requests; try again shortly.".to_owned()
            }
            Self::InvalidKey(_) => "The AI provider refused the API key.".to_owned(),
            Self::UnknownModel(_) => {
                "The AI provider does not offer the configured model; check the model name."
                    .to_owned()
            }
            Self::BadRequest(_) => {
                "The AI provider rejected the request; check the AI settings.".to_owned()
            }
            Self::Unavailable(_) => "The AI provider is unavailable right now.".to_owned(),
            Self::Other(_) => "The AI provider returned an unexpected error.".to_owned(),
        }
    }

    /// Stable snake_case code the UI translates and metrics count.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Timeout => "timeout",
            Self::RateLimited { .. } => "rate_limited",
            Self::InvalidKey(_) => "invalid_key",
            Self::UnknownModel(_) => "unknown_model",
            Self::BadRequest(_) => "bad_request",
            Self::Unavailable(_) => "unavailable",
            Self::Other(_) => "other",
        }
    }
}

/// Asks the model for the persona's next message.
///
/// Consecutive messages of the same role are joined into one turn (customers often send three
/// WhatsApp messages in a row; Gemini wants turns to alternate) and blank ones are dropped (a
/// media-only message has no text, and every provider rejects an empty turn).
///
/// # Errors
/// Every [`AiError`]; `BadRequest` before any call when the model is empty or no message has text,
/// `InvalidKey` when OpenAI or Gemini has no key. An empty reply is `Other`: there is nothing to
/// send the customer.
#[instrument(skip_all, fields(provider = %settings.kind, model = %request.model))]
pub async fn chat(
    settings: &ProviderSettings,
    request: &ChatRequest,
) -> Result<ChatReply, AiError> {
    let backend = Backend::new(settings)?;
    let model = backend.model_id(&request.model)?;
    let prompt = completion_request(request, backend.takes_temperature(&model))?;
    let response = match &backend.target {
        Target::OpenAi(client) => {
            let call = client.chat(model).call(prompt);
            backend.bounded(call).await
        }
        Target::Gemini(client) => {
            let call = client.completion(model).call(prompt);
            backend.bounded(call).await
        }
    }
    .inspect_err(|error| tracing::warn!(code = error.code(), %error, "AI chat failed"))?;

    let truncated = matches!(response.finish_reason(), Some(FinishReason::Length));
    let text = response.text();
    if text.trim().is_empty() {
        let why = match response.finish_reason() {
            Some(reason) => format!("the model returned no text (finish reason {reason:?})"),
            None => "the model returned no text".to_owned(),
        };
        return Err(AiError::Other(why));
    }
    Ok(ChatReply {
        text,
        truncated,
        input_tokens: response.usage.input_tokens,
        output_tokens: response.usage.output_tokens,
    })
}

/// Embeds `texts` with `model`: one vector per text, in order.
///
/// Sent in batches of 64; each batch is bounded by the timeout on its own, so importing a large
/// knowledge base is not failed by its total duration. Vectors have the model's native width, so
/// vectors stored earlier stay comparable: we ask for none, and rig names the native width itself
/// where it knows it (`dimensions: 1536` for `text-embedding-3-small`, Gemini's
/// `output_dimensionality`, 768 for unknown Gemini models).
///
/// # Errors
/// Every [`AiError`]; the first failing batch ends the call (earlier batches are discarded).
#[instrument(skip_all, fields(provider = %settings.kind, model = %model, texts = texts.len()))]
pub async fn embed(
    settings: &ProviderSettings,
    model: &str,
    texts: &[String],
) -> Result<Vec<Vec<f32>>, AiError> {
    if texts.is_empty() {
        return Ok(Vec::new());
    }
    let backend = Backend::new(settings)?;
    let model = backend.model_id(model)?;
    let mut vectors = Vec::with_capacity(texts.len());
    for batch in texts.chunks(EMBED_BATCH) {
        let response = match &backend.target {
            Target::OpenAi(client) => {
                let call = client.embedding(model.clone(), None).call(batch.to_vec());
                backend.bounded(call).await
            }
            Target::Gemini(client) => {
                let call = client.embedding(model.clone(), None).call(batch.to_vec());
                backend.bounded(call).await
            }
        }
        .inspect_err(|error| tracing::warn!(code = error.code(), %error, "AI embedding failed"))?;
        // rig pairs vectors with inputs and rejects a count mismatch; checked again because a
        // silently shifted vector would poison the knowledge base.
        if response.embeddings.len() != batch.len() {
            return Err(AiError::Other(format!(
                "the provider returned {} vectors for {} texts",
                response.embeddings.len(),
                batch.len()
            )));
        }
        vectors.extend(
            response
                .embeddings
                .into_iter()
                .map(|embedding| embedding.vec.into_iter().map(|x| x as f32).collect::<Vec<_>>()),
        );
    }
    Ok(vectors)
}

/// Checks the settings page's key and model without spending tokens: lists the provider's models
/// (which needs a valid key) and looks for `model` among them. Works for chat and embedding models
/// alike, which a 1-token chat would not.
///
/// # Errors
/// `InvalidKey` for a refused key, `UnknownModel` when the model is not listed, or any other
/// [`AiError`] the listing fails with.
#[instrument(skip_all, fields(provider = %settings.kind, model = %model))]
pub async fn check(settings: &ProviderSettings, model: &str) -> Result<(), AiError> {
    let backend = Backend::new(settings)?;
    let model = backend.model_id(model)?;
    let listed = match &backend.target {
        Target::OpenAi(client) => backend.bounded(client.list_models()).await,
        Target::Gemini(client) => backend.bounded(client.list_models()).await,
    }?;
    // Ollama lists `llama3.2:latest` for a model pulled (and addressed) as `llama3.2`.
    let latest = format!("{model}:latest");
    if listed.iter().any(|info| info.id == model || info.id == latest) {
        Ok(())
    } else {
        Err(AiError::UnknownModel(format!(
            "`{model}` is not among the {} models the provider lists",
            listed.len()
        )))
    }
}

/// The provider a call goes to, resolved and validated once per call.
struct Backend {
    target: Target,
    kind: ProviderKind,
    /// The key, kept to scrub it from error text (Gemini's key travels in the URL, which
    /// transport errors quote).
    secret: Option<String>,
    timeout: Duration,
}

enum Target {
    /// OpenAI, Ollama and compatible servers: rig's OpenAI-shaped client, on Chat Completions.
    /// Boxed: its configuration is ten times the size of Gemini's.
    OpenAi(Box<OpenAI>),
    /// Gemini's GenerateContent API.
    Gemini(Gemini),
}

impl Target {
    /// An OpenAI-shaped client on rig's process-wide reqwest client (pooled connections).
    fn openai(config: OpenAIConfig) -> Self {
        Self::OpenAi(Box::new(config.client()))
    }
}

impl Backend {
    fn new(settings: &ProviderSettings) -> Result<Self, AiError> {
        let key = settings.api_key.as_deref().map(str::trim).filter(|key| !key.is_empty());
        let base = settings
            .base_url
            .as_deref()
            .map(|url| url.trim().trim_end_matches('/'))
            .filter(|url| !url.is_empty());
        let required_key = || {
            key.ok_or_else(|| {
                AiError::InvalidKey(format!("no API key is configured for {}", settings.kind))
            })
        };
        let target = match settings.kind {
            ProviderKind::Openai => Target::openai(
                OpenAIConfig::new(required_key()?).with_base_url(base.unwrap_or(OPENAI_BASE_URL)),
            ),
            ProviderKind::OpenaiCompatible => {
                let base = base.ok_or_else(|| {
                    AiError::BadRequest(
                        "an OpenAI-compatible provider needs its base URL (ending in /v1)".into(),
                    )
                })?;
                Target::openai(
                    OpenAIConfig::with_key(&compatible_dialect(), key.unwrap_or_default())
                        .with_base_url(base)
                        // Local servers (vLLM, LM Studio) often run without a key.
                        .with_auth(Auth::OptionalBearer),
                )
            }
            ProviderKind::Ollama => {
                // Users paste either the daemon's address or its `/v1` API; both mean the latter.
                let base = base.unwrap_or(OLLAMA_BASE_URL);
                let base =
                    if base.ends_with("/v1") { base.to_owned() } else { format!("{base}/v1") };
                Target::openai(
                    OpenAIConfig::with_key(&ollama_dialect(), key.unwrap_or_default())
                        .with_base_url(base),
                )
            }
            ProviderKind::Gemini => {
                // Forgive a copied `.../v1beta`: rig appends the version itself.
                let base = base.unwrap_or(GEMINI_BASE_URL);
                let base = base
                    .strip_suffix("/v1beta")
                    .or_else(|| base.strip_suffix("/v1"))
                    .unwrap_or(base);
                Target::Gemini(GeminiConfig::new(required_key()?).with_base_url(base).client())
            }
        };
        Ok(Self {
            target,
            kind: settings.kind,
            secret: key.map(str::to_owned),
            timeout: settings.timeout,
        })
    }

    /// The model id as the provider's URL or body wants it.
    fn model_id(&self, model: &str) -> Result<String, AiError> {
        let model = model.trim();
        // Gemini's own listings say `models/gemini-2.5-flash`; rig adds the prefix itself.
        let model = match self.kind {
            ProviderKind::Gemini => model.strip_prefix("models/").unwrap_or(model),
            _ => model,
        };
        if model.is_empty() {
            return Err(AiError::BadRequest("no model is configured".into()));
        }
        Ok(model.to_owned())
    }

    /// Whether to send a temperature. OpenAI answers 400 to any temperature on models that
    /// never sample (the gpt-5 family, o-series); rig's model catalog knows which, but only
    /// drops it by itself for models that sample with reasoning off. A persona's temperature is
    /// a preference, not worth a failed reply.
    fn takes_temperature(&self, model: &str) -> bool {
        if self.kind != ProviderKind::Openai {
            return true;
        }
        let spec = ProviderId::catalog("openai").and_then(|id| Catalog::builtin().find(id, model));
        let never = spec.is_some_and(|spec| spec.sampling == Some(Sampling::Never));
        if never {
            tracing::debug!(model, "temperature not sent: the model does not take one");
        }
        !never
    }

    /// Runs one rig call under the timeout and classifies its failure.
    async fn bounded<T>(
        &self,
        call: impl Future<Output = Result<T, ProviderError>>,
    ) -> Result<T, AiError> {
        match tokio::time::timeout(self.timeout, call).await {
            Err(_elapsed) => Err(AiError::Timeout),
            Ok(Err(error)) => Err(classify(&error, self.secret.as_deref())),
            Ok(Ok(value)) => Ok(value),
        }
    }
}

/// A generic OpenAI-compatible server: rig's baseline quirks (Chat Completions, `max_tokens`),
/// not OpenAI's own (which renames the cap to `max_completion_tokens` for model names that look
/// like OpenAI reasoning models, a field older compatible servers reject).
fn compatible_dialect() -> Dialect {
    let mut dialect =
        Dialect::gateway("openai_compatible", "http://localhost/v1", "OPENAI_COMPATIBLE_API_KEY");
    dialect.quirks.embedding.requires_usage = false;
    dialect
}

/// rig's Ollama dialect (optional bearer, Ollama's body rules). Usage on embeddings is not
/// required: a server that omits it still returns usable vectors.
fn ollama_dialect() -> Dialect {
    let mut dialect = OLLAMA;
    dialect.quirks.embedding.requires_usage = false;
    dialect
}

/// The rig request for a persona turn; `temperature` false drops the persona's temperature.
fn completion_request(
    request: &ChatRequest,
    temperature: bool,
) -> Result<CompletionRequest, AiError> {
    let mut turns: Vec<(Role, String)> = Vec::new();
    for message in request.history.iter().filter(|message| !message.text.trim().is_empty()) {
        match turns.last_mut() {
            Some((role, text)) if *role == message.role => {
                text.push('\n');
                text.push_str(&message.text);
            }
            _ => turns.push((message.role, message.text.clone())),
        }
    }
    let mut messages = turns.into_iter().map(|(role, text)| match role {
        Role::User => Message::user(text),
        Role::Assistant => Message::assistant(text),
    });
    let Some(first) = messages.next() else {
        return Err(AiError::BadRequest("the conversation has no message with text".into()));
    };
    let mut prompt = CompletionRequest::new(first);
    prompt.chat_history.extend(messages);
    if !request.system.trim().is_empty() {
        prompt = prompt.preamble(request.system.clone());
    }
    // Through the shortest decimal: widening 0.7f32 to f64 would send 0.699999988079071.
    let temperature =
        request.temperature.filter(|_| temperature).and_then(|t| t.to_string().parse::<f64>().ok());
    // Ignore: an option rig's catalog says the model refuses while reasoning (temperature on
    // OpenAI's `ReasoningOff` models) is dropped with a warning instead of failing the reply.
    Ok(prompt
        .temperature(temperature)
        .max_tokens(request.max_tokens.map(u64::from))
        .on_unsupported(OnUnsupported::Ignore))
}

/// Maps a rig failure to what the caller can act on, by HTTP status and the provider's own error
/// code, never by wording.
fn classify(error: &ProviderError, secret: Option<&str>) -> AiError {
    let scrub = |text: String| match secret {
        Some(key) => text.replace(key, "[redacted]"),
        None => text,
    };
    let body = error.provider_response_json().ok().flatten();
    let detail =
        scrub(match (error.provider_response_status(), body.as_ref().and_then(message_of)) {
            (Some(status), Some(message)) => format!("HTTP {}: {message}", status.as_u16()),
            _ => error.to_string(),
        });
    if let ProviderError::InvalidAuthentication(_) = error {
        return AiError::InvalidKey(detail);
    }
    let codes = body.as_ref().map(error_codes).unwrap_or_default();
    let has = |code: &str| codes.iter().any(|c| c == code);
    if let Some(status) = error.provider_response_status().filter(|s| !s.is_success()) {
        if has("invalid_api_key") || has("API_KEY_INVALID") {
            return AiError::InvalidKey(detail);
        }
        if has("model_not_found") {
            return AiError::UnknownModel(detail);
        }
        return match status.as_u16() {
            401 | 403 => AiError::InvalidKey(detail),
            404 => AiError::UnknownModel(detail),
            408 => AiError::Timeout,
            429 => AiError::RateLimited { retry_after: retry_after(error, body.as_ref()) },
            400 | 413 | 422 => AiError::BadRequest(detail),
            500..=599 => AiError::Unavailable(detail),
            _ => AiError::Other(detail),
        };
    }
    match error {
        // No reply at all: refused connection, DNS, TLS, reset.
        ProviderError::Http(_) => AiError::Unavailable(detail),
        // Caught while building the request: a bad base URL, an option the model refuses.
        ProviderError::Url(_) | ProviderError::Request(_) | ProviderError::UnsupportedOption(_) => {
            AiError::BadRequest(detail)
        }
        _ => AiError::Other(detail),
    }
}

/// The human message of an OpenAI (`error.message`) or Google (`error.message`) error body.
fn message_of(body: &Value) -> Option<String> {
    let error = body.get("error")?;
    match error {
        Value::String(message) => Some(message.clone()),
        _ => error.get("message").and_then(Value::as_str).map(str::to_owned),
    }
}

/// The machine codes an error body carries: OpenAI's `error.code`, Google's `error.status` and
/// each `ErrorInfo.reason` in `error.details`.
fn error_codes(body: &Value) -> Vec<String> {
    let Some(error) = body.get("error") else {
        return Vec::new();
    };
    let mut codes: Vec<String> = ["code", "status", "type"]
        .iter()
        .filter_map(|key| error.get(*key).and_then(Value::as_str))
        .map(str::to_owned)
        .collect();
    let details = error.get("details").and_then(Value::as_array);
    codes.extend(
        details
            .into_iter()
            .flatten()
            .filter_map(|detail| detail.get("reason").and_then(Value::as_str))
            .map(str::to_owned),
    );
    codes
}

/// How long a 429 asks us to wait: the `retry-after` / `retry-after-ms` headers (OpenAI and most
/// compatible servers), else Google's `RetryInfo.retryDelay` (`"13s"`) in the body.
fn retry_after(error: &ProviderError, body: Option<&Value>) -> Option<Duration> {
    let header = |name: &str| {
        error.provider_response_headers()?.get(name)?.to_str().ok()?.trim().parse::<f64>().ok()
    };
    let seconds = header("retry-after")
        .or_else(|| header("retry-after-ms").map(|ms| ms / 1000.0))
        .or_else(|| {
            let details = body?.pointer("/error/details")?.as_array()?;
            details.iter().find_map(|detail| {
                let delay = detail.get("retryDelay")?.as_str()?;
                delay.trim().strip_suffix('s')?.parse::<f64>().ok()
            })
        })?;
    Duration::try_from_secs_f64(seconds).ok()
}
