//! A fake OpenAI-compatible server (what OpenAI, Ollama's `/v1` and other compatible servers
//! speak) that checks every request body against OpenAI's published OpenAPI document and answers
//! deterministically.
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! use fakes::openai::{FakeOpenAi, FakeOpenAiConfig};
//! let fake = FakeOpenAi::start(FakeOpenAiConfig::default()).await?;
//! fake.add_api_key("sk-test");
//! fake.script("horário", "Atendemos das 8h às 18h.");
//! // point the code under test at fake.base_url() ("http://127.0.0.1:PORT/v1") ...
//! assert!(fake.violations().is_empty(), "{:#?}", fake.violations());
//! # Ok(()) }
//! ```
//!
//! # Routes
//! `POST /v1/chat/completions` (JSON, or server-sent events with `stream: true`),
//! `POST /v1/embeddings`, `GET /v1/models`, `GET /v1/models/{model}`. Each needs
//! `Authorization: Bearer <key>` with a key from [`FakeOpenAi::add_api_key`] (or any key with
//! [`FakeOpenAiConfig::accept_any_key`]): none → 401 with `code: null`, unknown → 401
//! `invalid_api_key`, as OpenAI answers. Bodies are validated against
//! `CreateChatCompletionRequest` / `CreateEmbeddingRequest` (see [`spec`]); a failure is
//! recorded in [`FakeOpenAi::violations`] and answered 400 `invalid_request_error` with `param`
//! naming the field. Other paths answer 404 `Invalid URL (...)` and are recorded as violations.
//!
//! # Behaviour
//! Replies come from [`crate::ai::answer`] (script rules, else the retrieval-aware default);
//! embeddings from [`crate::ai::embed`]. Both are documented in the crate README.

mod server;
pub mod spec;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use anyhow::{Context, Result};
use tokio::sync::oneshot;

use crate::ai::{self, Core};
pub use crate::ai::{FailureSpec, RecordedRequest, ScriptRule};
pub use spec::OpenAiSpec;

/// Environment variable overriding the spec location.
pub const SPEC_ENV: &str = "MASTER_IA_OPENAI_SPEC";

/// Models served by default (chat and embedding).
pub const DEFAULT_MODELS: &[&str] = &[
    "gpt-4o-mini",
    "gpt-4o",
    "gpt-4.1-mini",
    "gpt-5-mini",
    "text-embedding-3-small",
    "text-embedding-3-large",
];

/// Where the spec lives in a checkout: `<repo>/../shared/conformance/openai/openapi.yaml`.
pub fn default_spec_path() -> PathBuf {
    if let Some(p) = std::env::var_os(SPEC_ENV) {
        return PathBuf::from(p);
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance/openai/openapi.yaml")
}

/// Loads (once per path per process) the spec; every [`FakeOpenAi`] shares it.
///
/// # Errors
/// The file cannot be read or parsed.
pub fn load_spec(path: &Path) -> Result<Arc<OpenAiSpec>> {
    static CACHE: OnceLock<Mutex<HashMap<PathBuf, Arc<OpenAiSpec>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let key = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    let lock = || cache.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(s) = lock().get(&key) {
        return Ok(s.clone());
    }
    let spec = Arc::new(OpenAiSpec::load(&key)?);
    lock().insert(key, spec.clone());
    Ok(spec)
}

/// How to start a [`FakeOpenAi`].
#[derive(Debug, Clone)]
pub struct FakeOpenAiConfig {
    /// The OpenAPI file; `None` = [`default_spec_path`] (honours `MASTER_IA_OPENAI_SPEC`).
    pub spec_path: Option<PathBuf>,
    /// Listen address; default `127.0.0.1:0` (a free port).
    pub addr: SocketAddr,
    /// Any non-empty bearer key is accepted (default: only keys added with `add_api_key`).
    pub accept_any_key: bool,
    /// Models listed and accepted; others get 404 `model_not_found` unless
    /// `accept_any_model` (default [`DEFAULT_MODELS`]).
    pub models: Vec<String>,
    /// Any model name is accepted (useful for Ollama model names); default false.
    pub accept_any_model: bool,
    /// Embedding length when the request gives no `dimensions`; default 256.
    pub dims: usize,
}

impl Default for FakeOpenAiConfig {
    fn default() -> Self {
        Self {
            spec_path: None,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            accept_any_key: false,
            models: DEFAULT_MODELS.iter().map(|m| (*m).to_string()).collect(),
            accept_any_model: false,
            dims: ai::DEFAULT_DIMS,
        }
    }
}

pub(crate) struct Shared {
    spec: Arc<OpenAiSpec>,
    core: ai::SharedCore,
}

/// A running fake OpenAI-compatible server. Dropping it stops the server.
pub struct FakeOpenAi {
    shared: Arc<Shared>,
    origin: String,
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
}

impl std::fmt::Debug for FakeOpenAi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeOpenAi").field("addr", &self.addr).finish_non_exhaustive()
    }
}

impl FakeOpenAi {
    /// Loads the spec (cached per process) and serves on `config.addr`.
    ///
    /// # Errors
    /// The spec cannot be loaded or the address cannot be bound.
    pub async fn start(config: FakeOpenAiConfig) -> Result<Self> {
        let spec_path = config.spec_path.clone().unwrap_or_else(default_spec_path);
        let spec = tokio::task::spawn_blocking(move || load_spec(&spec_path))
            .await
            .context("loading the OpenAI spec")??;
        let mut core = Core::new(config.dims, config.accept_any_key, config.accept_any_model);
        core.models = config.models.clone();
        let shared = Arc::new(Shared { spec, core: Arc::new(Mutex::new(core)) });
        let app = server::router(shared.clone());
        let (addr, tx) = ai::serve(config.addr, app, "fake OpenAI").await?;
        Ok(Self { shared, origin: format!("http://{addr}"), addr, shutdown: Some(tx) })
    }

    /// `http://127.0.0.1:PORT/v1`: what the code under test uses as OpenAI base URL.
    pub fn base_url(&self) -> String {
        format!("{}/v1", self.origin)
    }

    /// `http://127.0.0.1:PORT` (the `/_fake/...` controls live here).
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The loaded spec (tests check the fake's own answers against it).
    pub fn spec(&self) -> &OpenAiSpec {
        &self.shared.spec
    }

    fn core(&self) -> &Mutex<Core> {
        &self.shared.core
    }
}

ai::ai_controls!(FakeOpenAi);

impl Drop for FakeOpenAi {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}
