//! What the AI provider fakes ([`crate::openai`], [`crate::gemini`]) share: deterministic
//! embeddings ([`embed`]), scripted and retrieval-aware replies ([`chat`]), API keys, request
//! recording, violations, failure injection, latency, and the `/_fake/...` HTTP controls.
//! Each provider renders these in its own wire format and error shapes.

pub mod chat;
pub mod embed;

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use std::time::Duration;

use axum::extract::State as AxState;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Serialize;
use serde_json::{json, Value};

pub use chat::{answer, default_reply, stream_pieces, Answer, Finish, Role, ScriptRule, Turn};
pub use embed::{content_words, cosine, count_tokens, embed, fnv1a64, tokens, DEFAULT_DIMS};

/// A failure a fake answers instead of serving a request (see `fail_next` on each fake). Each
/// provider renders it in its own error shape; see the crate README for the exact bodies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailureSpec {
    /// HTTP status: 429, 500, 503 and 401 have provider-specific bodies; others get a generic
    /// server-error body with this status.
    pub status: u16,
    /// For 429: the `retry-after` header (OpenAI) / `RetryInfo.retryDelay` (Gemini), seconds.
    pub retry_after_secs: Option<u64>,
    /// Overrides the provider's default message.
    pub message: Option<String>,
}

impl FailureSpec {
    /// 429: rate limited, retry after `retry_after_secs`.
    pub fn rate_limited(retry_after_secs: u64) -> Self {
        Self { status: 429, retry_after_secs: Some(retry_after_secs), message: None }
    }

    /// 500: the provider failed.
    pub fn server_error() -> Self {
        Self { status: 500, retry_after_secs: None, message: None }
    }

    /// 503: the provider is overloaded.
    pub fn unavailable() -> Self {
        Self { status: 503, retry_after_secs: None, message: None }
    }

    /// The key is rejected (OpenAI 401 `invalid_api_key`; Gemini 400 `API_KEY_INVALID`).
    pub fn unauthorized() -> Self {
        Self { status: 401, retry_after_secs: None, message: None }
    }

    /// Any status.
    pub fn status(status: u16) -> Self {
        Self { status, retry_after_secs: None, message: None }
    }

    /// Sets the message.
    #[must_use]
    pub fn message(mut self, message: impl Into<String>) -> Self {
        self.message = Some(message.into());
        self
    }
}

/// One request a fake answered.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordedRequest {
    /// HTTP method.
    pub method: String,
    /// Path, e.g. `/v1/chat/completions`.
    pub path: String,
    /// Query pairs in order (Gemini's `key` is recorded too).
    pub query: Vec<(String, String)>,
    /// The JSON body (`null` when empty; a string when it was not JSON).
    pub body: Value,
    /// HTTP status answered.
    pub status: u16,
    /// The JSON answered; for a stream, the array of its events' JSON.
    pub response: Value,
}

#[derive(Debug)]
struct Injected {
    path_suffix: String,
    failure: FailureSpec,
    remaining: usize,
}

/// The mutable state both AI fakes keep.
#[derive(Debug, Default)]
pub(crate) struct Core {
    pub(crate) keys: HashSet<String>,
    pub(crate) accept_any_key: bool,
    pub(crate) models: Vec<String>,
    pub(crate) accept_any_model: bool,
    pub(crate) dims: usize,
    pub(crate) script: Vec<ScriptRule>,
    pub(crate) requests: Vec<RecordedRequest>,
    pub(crate) violations: Vec<String>,
    failures: Vec<Injected>,
    pub(crate) latency: Duration,
}

impl Core {
    pub(crate) fn new(dims: usize, accept_any_key: bool, accept_any_model: bool) -> Self {
        Self { dims, accept_any_key, accept_any_model, ..Self::default() }
    }

    pub(crate) fn key_ok(&self, key: &str) -> bool {
        self.accept_any_key || self.keys.contains(key)
    }

    pub(crate) fn model_ok(&self, model: &str) -> bool {
        self.accept_any_model || self.models.iter().any(|m| m == model)
    }

    /// The next injected failure for `path`, consuming one use of it.
    pub(crate) fn take_failure(&mut self, path: &str) -> Option<FailureSpec> {
        let hit =
            self.failures.iter_mut().find(|f| f.remaining > 0 && path.ends_with(&f.path_suffix))?;
        hit.remaining -= 1;
        Some(hit.failure.clone())
    }

    pub(crate) fn fail_next(&mut self, path_suffix: String, failure: FailureSpec, times: usize) {
        self.failures.push(Injected { path_suffix, failure, remaining: times });
    }

    /// Forgets requests, violations, script rules and pending failures; latency back to 0.
    pub(crate) fn reset(&mut self) {
        self.requests.clear();
        self.violations.clear();
        self.script.clear();
        self.failures.clear();
        self.latency = Duration::ZERO;
    }
}

pub(crate) type SharedCore = Arc<Mutex<Core>>;

pub(crate) fn lock(core: &Mutex<Core>) -> std::sync::MutexGuard<'_, Core> {
    core.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The `/_fake/...` controls, identical on both AI fakes (no key needed).
pub(crate) fn control_router(core: SharedCore) -> Router {
    Router::new()
        .route("/_fake/script", post(control_script))
        .route("/_fake/fail_next", post(control_fail_next))
        .route("/_fake/latency", post(control_latency))
        .route("/_fake/reset", post(control_reset))
        .route("/_fake/requests", get(control_requests))
        .route("/_fake/violations", get(control_violations))
        .with_state(core)
}

fn control_error(message: &str) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({ "error": message }))).into_response()
}

async fn control_script(AxState(core): AxState<SharedCore>, Json(body): Json<Value>) -> Response {
    let s = |k: &str| body.get(k).and_then(Value::as_str).map(str::to_string);
    let (Some(when_contains), Some(reply)) = (s("when_contains"), s("reply")) else {
        return control_error("expected {when_contains, reply}");
    };
    let mut core = lock(&core);
    core.script.push(ScriptRule { when_contains, reply });
    Json(json!({ "rules": core.script.len() })).into_response()
}

async fn control_fail_next(
    AxState(core): AxState<SharedCore>,
    Json(body): Json<Value>,
) -> Response {
    let usage = "expected {path_suffix, status, retry_after_secs?, message?, times?}";
    let (Some(path_suffix), Some(status)) = (
        body.get("path_suffix").and_then(Value::as_str),
        body.get("status").and_then(Value::as_u64).and_then(|s| u16::try_from(s).ok()),
    ) else {
        return control_error(usage);
    };
    let failure = FailureSpec {
        status,
        retry_after_secs: body.get("retry_after_secs").and_then(Value::as_u64),
        message: body.get("message").and_then(Value::as_str).map(str::to_string),
    };
    let times = body.get("times").and_then(Value::as_u64).unwrap_or(1);
    let times = usize::try_from(times).unwrap_or(usize::MAX);
    lock(&core).fail_next(path_suffix.to_string(), failure, times);
    Json(json!({ "ok": true })).into_response()
}

async fn control_latency(AxState(core): AxState<SharedCore>, Json(body): Json<Value>) -> Response {
    let Some(ms) = body.get("ms").and_then(Value::as_u64) else {
        return control_error("expected {ms}");
    };
    lock(&core).latency = Duration::from_millis(ms);
    Json(json!({ "ms": ms })).into_response()
}

async fn control_reset(AxState(core): AxState<SharedCore>) -> Response {
    lock(&core).reset();
    Json(json!({ "ok": true })).into_response()
}

async fn control_requests(AxState(core): AxState<SharedCore>) -> Response {
    Json(lock(&core).requests.clone()).into_response()
}

async fn control_violations(AxState(core): AxState<SharedCore>) -> Response {
    Json(lock(&core).violations.clone()).into_response()
}

/// A listener bound to `addr` and a server task serving `app` until the returned sender fires
/// (or is dropped).
///
/// # Errors
/// The address cannot be bound.
pub(crate) async fn serve(
    addr: std::net::SocketAddr,
    app: Router,
    what: &'static str,
) -> anyhow::Result<(std::net::SocketAddr, tokio::sync::oneshot::Sender<()>)> {
    use anyhow::Context;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("binding {what} on {addr}"))?;
    let bound = listener.local_addr().context("reading the bound address")?;
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await;
        if let Err(e) = served {
            tracing::error!(error = %e, "{what} server stopped");
        }
    });
    Ok((bound, tx))
}

/// Implements the shared test-control methods on a fake type that has a `core()` accessor.
macro_rules! ai_controls {
    ($fake:ty) => {
        impl $fake {
            /// Accepts `key` as a valid API key.
            pub fn add_api_key(&self, key: impl Into<String>) {
                $crate::ai::lock(self.core()).keys.insert(key.into());
            }

            /// Serves `model` (listed, and accepted when unknown models are refused).
            pub fn add_model(&self, model: impl Into<String>) {
                let model = model.into();
                let mut core = $crate::ai::lock(self.core());
                if !core.models.contains(&model) {
                    core.models.push(model);
                }
            }

            /// Adds a scripted reply; the most recently added matching rule wins.
            pub fn script(&self, when_contains: impl Into<String>, reply: impl Into<String>) {
                $crate::ai::lock(self.core())
                    .script
                    .push($crate::ai::ScriptRule::new(when_contains, reply));
            }

            /// Every request answered so far (including rejected ones), in order.
            pub fn requests(&self) -> Vec<$crate::ai::RecordedRequest> {
                $crate::ai::lock(self.core()).requests.clone()
            }

            /// Everything the code under test sent that the provider's spec does not allow.
            /// Tests should end with this empty.
            pub fn violations(&self) -> Vec<String> {
                $crate::ai::lock(self.core()).violations.clone()
            }

            /// The next `times` requests whose path ends with `path_suffix` get `failure`
            /// instead of being served (after the key check, before validation).
            pub fn fail_next(
                &self,
                path_suffix: impl Into<String>,
                failure: $crate::ai::FailureSpec,
                times: usize,
            ) {
                $crate::ai::lock(self.core()).fail_next(path_suffix.into(), failure, times);
            }

            /// Delay before answering each API request (a slow provider, for timeout tests).
            pub fn set_latency(&self, latency: std::time::Duration) {
                $crate::ai::lock(self.core()).latency = latency;
            }

            /// Forgets requests, violations, script rules and pending failures; latency back
            /// to zero (keys and models stay).
            pub fn reset(&self) {
                $crate::ai::lock(self.core()).reset();
            }
        }
    };
}
pub(crate) use ai_controls;
