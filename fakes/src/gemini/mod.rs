//! A fake of Google's Generative Language API (Gemini, `v1beta`) that checks every request
//! against the request shape of Google's proto (see [`validate`]) and answers deterministically,
//! with success and error bodies shaped like the real responses in
//! `../shared/conformance/gemini/`.
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! use fakes::gemini::{FakeGemini, FakeGeminiConfig};
//! let fake = FakeGemini::start(FakeGeminiConfig::default()).await?;
//! fake.add_api_key("AIza-test");
//! // point the code under test at fake.base_url() ("http://127.0.0.1:PORT") ...
//! assert!(fake.violations().is_empty(), "{:#?}", fake.violations());
//! # Ok(()) }
//! ```
//!
//! # Routes (also under `/v1/`)
//! `POST /v1beta/models/{model}:generateContent`, `:streamGenerateContent` (`?alt=sse` →
//! `data: {...}` events; without it a JSON array of the same chunks), `:embedContent`,
//! `:batchEmbedContents`, `GET /v1beta/models`, `GET /v1beta/models/{model}`.
//!
//! The key is read from `?key=` (what rig-core's GenerateContent and embedding wires send) or
//! the `x-goog-api-key` header (what its Interactions wire and Google's SDKs send): none → 403
//! `PERMISSION_DENIED`; unknown → 400 `API_KEY_INVALID` (the shape of
//! `unary-failure-api-key.json`). A model the fake does not serve, or one that does not support
//! the method (an embedding model asked to generate), → 404 `NOT_FOUND` (the shape of
//! `unary-failure-unknown-model.json`). An invalid body → 400 `INVALID_ARGUMENT` with a
//! `google.rpc.BadRequest` detail, recorded in [`FakeGemini::violations`].

mod server;
pub mod validate;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use anyhow::Result;
use tokio::sync::oneshot;

use crate::ai::{self, Core};
pub use crate::ai::{FailureSpec, RecordedRequest, ScriptRule};

/// Models served by default. Names containing `embedding` are embedding models
/// (`embedContent`, `batchEmbedContents`); the others generate (`generateContent`,
/// `streamGenerateContent`, `countTokens`).
pub const DEFAULT_MODELS: &[&str] = &[
    "gemini-2.0-flash",
    "gemini-2.0-flash-lite",
    "gemini-2.5-flash",
    "gemini-2.5-pro",
    "text-embedding-004",
    "gemini-embedding-001",
];

/// How to start a [`FakeGemini`].
#[derive(Debug, Clone)]
pub struct FakeGeminiConfig {
    /// Listen address; default `127.0.0.1:0` (a free port).
    pub addr: SocketAddr,
    /// Any non-empty key is accepted (default: only keys added with `add_api_key`).
    pub accept_any_key: bool,
    /// Models served (default [`DEFAULT_MODELS`]); others get 404 unless `accept_any_model`.
    pub models: Vec<String>,
    /// Any model name is accepted; default false.
    pub accept_any_model: bool,
    /// Embedding length when a request gives no `outputDimensionality`; default 256.
    pub dims: usize,
}

impl Default for FakeGeminiConfig {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            accept_any_key: false,
            models: DEFAULT_MODELS.iter().map(|m| (*m).to_string()).collect(),
            accept_any_model: false,
            dims: ai::DEFAULT_DIMS,
        }
    }
}

/// A running fake Gemini server. Dropping it stops the server.
pub struct FakeGemini {
    core: ai::SharedCore,
    origin: String,
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
}

impl std::fmt::Debug for FakeGemini {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeGemini").field("addr", &self.addr).finish_non_exhaustive()
    }
}

impl FakeGemini {
    /// Serves on `config.addr`.
    ///
    /// # Errors
    /// The address cannot be bound.
    pub async fn start(config: FakeGeminiConfig) -> Result<Self> {
        let mut core = Core::new(config.dims, config.accept_any_key, config.accept_any_model);
        core.models = config.models.clone();
        let core = Arc::new(Mutex::new(core));
        let app = server::router(core.clone());
        let (addr, tx) = ai::serve(config.addr, app, "fake Gemini").await?;
        Ok(Self { core, origin: format!("http://{addr}"), addr, shutdown: Some(tx) })
    }

    /// `http://127.0.0.1:PORT`: the API root a Gemini client appends `/v1beta/...` to (rig-core's
    /// `GeminiConfig::with_base_url`, Google's SDKs' `baseUrl`).
    pub fn base_url(&self) -> String {
        self.origin.clone()
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    fn core(&self) -> &Mutex<Core> {
        &self.core
    }
}

ai::ai_controls!(FakeGemini);

impl Drop for FakeGemini {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}
