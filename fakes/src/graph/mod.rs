//! A fake of Meta's WhatsApp Cloud API (Graph API v23.0) that checks every request against
//! Meta's published OpenAPI document.
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! use fakes::graph::{FakeGraph, FakeGraphConfig, PhoneNumber};
//! let fake = FakeGraph::start(FakeGraphConfig::default()).await?;
//! fake.add_phone_number(PhoneNumber::new("1234", "token"));
//! // point the code under test at fake.base_url() ("http://127.0.0.1:PORT/v23.0") ...
//! assert!(fake.violations().is_empty(), "{:#?}", fake.violations());
//! # Ok(()) }
//! ```
//!
//! # What is checked
//! Every request under `/v23.0/` is matched to an operation of the spec (method + path
//! template; templates that look alike, e.g. `/{Version}/{Phone-Number-ID}` and
//! `/{Version}/{Media-ID}`, are told apart by which kind of id the fake knows), then:
//! the bearer token (unknown → 401 / code 190, missing → 401 / code 104), path and query
//! parameters against their schemas, and the body against the operation's `requestBody` schema
//! for the request's `Content-Type` (JSON, `multipart/form-data` or form-urlencoded; form fields
//! are checked as string properties). A failure answers 400 / code 100 with
//! `error_data.details` naming the JSON path and rule, and is recorded in [`FakeGraph::violations`].
//! Paths or methods the spec does not define, and operations the fake does not implement, are
//! answered with a Graph-shaped error and recorded as violations too.
//! See [`spec`] for how the spec is read and the corrections applied to it.
//!
//! # Implemented operations
//! `GET /{Phone-Number-ID}`, `POST /{Phone-Number-ID}/messages`, `POST /{Phone-Number-ID}/media`,
//! `GET|DELETE /{Media-ID}`, `GET|POST /{WABA-ID}/message_templates`, `GET /{TEMPLATE_ID}`, and
//! the media download URL handed out by `GET /{Media-ID}` (needs the bearer token).
//!
//! # Test controls
//! Seeding ([`FakeGraph::add_phone_number`], [`FakeGraph::add_template`],
//! [`FakeGraph::add_media`]), inspection ([`FakeGraph::requests`], [`FakeGraph::sent_messages`],
//! [`FakeGraph::violations`]), faults ([`FakeGraph::fail_next`], [`FakeGraph::set_latency`],
//! [`FakeGraph::set_rate_limit`]) and webhooks ([`FakeGraph::set_webhook`],
//! [`FakeGraph::emit_status`], [`FakeGraph::emit_inbound_text`], [`FakeGraph::set_auto_status`]).
//! The same router serves `/_fake/...` HTTP controls for browser tests (see the crate README).

mod error;
mod server;
pub mod spec;
pub mod webhook;

use std::collections::{HashMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use serde::Serialize;
use serde_json::{json, Value};
use tokio::sync::oneshot;

pub use error::GraphErrorSpec;
pub use spec::GraphSpec;
pub use webhook::{signature_header, signature_hex, StatusUpdate};

/// The Graph API version the fake serves (the spec's version).
pub const GRAPH_VERSION: &str = "v23.0";

/// Environment variable overriding the spec location.
pub const SPEC_ENV: &str = "MASTER_IA_GRAPH_SPEC";

/// Where the spec lives in a checkout: `<repo>/../shared/conformance/meta-openapi/...`.
pub fn default_spec_path() -> PathBuf {
    if let Some(p) = std::env::var_os(SPEC_ENV) {
        return PathBuf::from(p);
    }
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/conformance/meta-openapi/business-messaging-api_v23.0.yaml")
}

/// Loads (once per path per process) the spec; every [`FakeGraph`] shares it.
///
/// # Errors
/// The file cannot be read or parsed.
pub fn load_spec(path: &Path) -> Result<Arc<GraphSpec>> {
    static CACHE: OnceLock<Mutex<HashMap<PathBuf, Arc<GraphSpec>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let key = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    if let Some(s) = lock(cache).get(&key) {
        return Ok(s.clone());
    }
    let spec = Arc::new(GraphSpec::load(&key)?);
    lock(cache).insert(key, spec.clone());
    Ok(spec)
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// How to start a [`FakeGraph`].
#[derive(Debug, Clone)]
pub struct FakeGraphConfig {
    /// The OpenAPI file; `None` = [`default_spec_path`] (honours `MASTER_IA_GRAPH_SPEC`).
    pub spec_path: Option<PathBuf>,
    /// Listen address; default `127.0.0.1:0` (a free port).
    pub addr: SocketAddr,
    /// Template sends must name a seeded template (name + language) or get `132001`, and the
    /// body parameter count must match its `{{n}}` placeholders or get `132000`, like Meta.
    pub strict_templates: bool,
}

impl Default for FakeGraphConfig {
    fn default() -> Self {
        Self {
            spec_path: None,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            strict_templates: true,
        }
    }
}

/// A business phone number the fake serves, with the token allowed to use it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PhoneNumber {
    /// Phone number id (numeric string, as Meta's).
    pub id: String,
    /// E.g. `+1 555-555-5555`.
    pub display_phone_number: String,
    /// Business display name.
    pub verified_name: String,
    /// `GREEN`, `YELLOW`, `RED` or `NA`.
    pub quality_rating: String,
    /// Bearer token that may use this number (and its WABA).
    pub access_token: String,
    /// The WhatsApp Business Account id owning the number.
    pub waba_id: String,
}

impl PhoneNumber {
    /// A green, verified number with a WABA id derived from the phone id.
    pub fn new(id: impl Into<String>, access_token: impl Into<String>) -> Self {
        let id = id.into();
        Self {
            waba_id: format!("{id}0"),
            display_phone_number: "+1 555-555-0100".into(),
            verified_name: "Master IA Demo".into(),
            quality_rating: "GREEN".into(),
            access_token: access_token.into(),
            id,
        }
    }
}

/// A request body as the fake saw it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum RecordedBody {
    /// No body.
    Empty,
    /// A JSON body.
    Json(Value),
    /// Form fields (urlencoded or multipart; files appear as `<N bytes, mime>`).
    Form(Vec<(String, String)>),
    /// Anything else, lossily decoded.
    Raw(String),
}

impl RecordedBody {
    /// The JSON body, if it was one.
    pub fn json(&self) -> Option<&Value> {
        match self {
            Self::Json(v) => Some(v),
            _ => None,
        }
    }

    /// A form field by name.
    pub fn field(&self, name: &str) -> Option<&str> {
        match self {
            Self::Form(f) => f.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()),
            _ => None,
        }
    }
}

/// One request the fake answered.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordedRequest {
    /// HTTP method.
    pub method: String,
    /// Path, e.g. `/v23.0/1234/messages`.
    pub path: String,
    /// Query pairs in order.
    pub query: Vec<(String, String)>,
    /// The body.
    pub body: RecordedBody,
    /// The spec operation it matched, if any.
    pub operation_id: Option<String>,
    /// HTTP status answered.
    pub status: u16,
    /// JSON answered (media downloads record `null`).
    pub response: Value,
}

/// A message the fake accepted on `POST /{Phone-Number-ID}/messages`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SentMessage {
    /// The id answered (`wamid....`).
    pub wamid: String,
    /// The sending phone number id.
    pub phone_number_id: String,
    /// The request body as sent.
    pub body: Value,
    /// When the fake accepted it, in milliseconds since the Unix epoch (benchmarks measure
    /// send rates from these, on the receiving side as Meta would).
    pub accepted_at_ms: u64,
}

impl SentMessage {
    /// `body.to`.
    pub fn to(&self) -> Option<&str> {
        self.body.get("to").and_then(Value::as_str)
    }

    /// `body.type` (`text` when absent, Meta's default).
    pub fn kind(&self) -> &str {
        self.body.get("type").and_then(Value::as_str).unwrap_or("text")
    }
}

/// Which requests [`FakeGraph::fail_next`] applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestMatcher {
    /// Upper-case method, or any.
    pub method: Option<String>,
    /// The request path must end with this (`""` = every request).
    pub path_suffix: String,
}

impl RequestMatcher {
    /// Any method, path ending with `suffix`.
    pub fn path_suffix(suffix: impl Into<String>) -> Self {
        Self { method: None, path_suffix: suffix.into() }
    }

    /// Restricts to one method.
    #[must_use]
    pub fn method(mut self, method: &str) -> Self {
        self.method = Some(method.to_ascii_uppercase());
        self
    }

    fn matches(&self, method: &str, path: &str) -> bool {
        self.method.as_deref().is_none_or(|m| m == method) && path.ends_with(&self.path_suffix)
    }
}

impl From<&str> for RequestMatcher {
    fn from(suffix: &str) -> Self {
        Self::path_suffix(suffix)
    }
}

/// One webhook POST the fake made.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WebhookDelivery {
    /// The JSON posted (exact bytes are `serde_json::to_vec(&payload)`).
    pub payload: Value,
    /// The `X-Hub-Signature-256` header sent.
    pub signature: String,
    /// HTTP status the receiver answered, if it answered.
    pub status: Option<u16>,
    /// Response body (or transport error).
    pub response: String,
    /// For inbound messages, the `wamid` of the message.
    pub wamid: Option<String>,
}

#[derive(Debug, Clone)]
struct Media {
    bytes: Vec<u8>,
    mime: String,
    sha256: String,
    owner_phone: Option<String>,
}

#[derive(Debug, Clone)]
struct Webhook {
    url: String,
    app_secret: String,
}

#[derive(Debug)]
struct Injected {
    matcher: RequestMatcher,
    error: GraphErrorSpec,
    remaining: usize,
}

#[derive(Debug, Default)]
struct State {
    phones: Vec<PhoneNumber>,
    extra_tokens: HashSet<String>,
    /// (WABA id, template).
    templates: Vec<(String, Value)>,
    media: HashMap<String, Media>,
    requests: Vec<RecordedRequest>,
    sent: Vec<SentMessage>,
    violations: Vec<String>,
    failures: Vec<Injected>,
    latency: Duration,
    answer_delay: Duration,
    rate_limit: u32,
    send_times: HashMap<String, VecDeque<Instant>>,
    webhook: Option<Webhook>,
    auto_status: bool,
    deliveries: Vec<WebhookDelivery>,
    next_id: u64,
}

impl State {
    fn next_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    fn token_known(&self, token: &str) -> bool {
        self.extra_tokens.contains(token) || self.phones.iter().any(|p| p.access_token == token)
    }
}

struct Shared {
    spec: Arc<GraphSpec>,
    state: Mutex<State>,
    origin: String,
    config: FakeGraphConfig,
    http: reqwest::Client,
}

impl Shared {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        lock(&self.state)
    }
}

/// A running fake Graph API server. Dropping it stops the server.
pub struct FakeGraph {
    shared: Arc<Shared>,
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
}

impl std::fmt::Debug for FakeGraph {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeGraph").field("addr", &self.addr).finish_non_exhaustive()
    }
}

impl FakeGraph {
    /// Loads the spec (cached per process) and serves on `config.addr`.
    ///
    /// # Errors
    /// The spec cannot be loaded or the address cannot be bound.
    pub async fn start(config: FakeGraphConfig) -> Result<Self> {
        let spec_path = config.spec_path.clone().unwrap_or_else(default_spec_path);
        let spec = tokio::task::spawn_blocking(move || load_spec(&spec_path))
            .await
            .context("loading the Graph spec")??;
        let listener = tokio::net::TcpListener::bind(config.addr)
            .await
            .with_context(|| format!("binding fake Graph on {}", config.addr))?;
        let addr = listener.local_addr().context("reading the bound address")?;
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .context("building the webhook HTTP client")?;
        let shared = Arc::new(Shared {
            spec,
            state: Mutex::new(State::default()),
            origin: format!("http://{addr}"),
            config,
            http,
        });
        let app = server::router(shared.clone());
        let (tx, rx) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let served = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
            if let Err(e) = served {
                tracing::error!(error = %e, "fake Graph server stopped");
            }
        });
        Ok(Self { shared, addr, shutdown: Some(tx) })
    }

    /// `http://127.0.0.1:PORT/v23.0` — what the code under test uses as Graph base URL.
    pub fn base_url(&self) -> String {
        format!("{}/{GRAPH_VERSION}", self.shared.origin)
    }

    /// `http://127.0.0.1:PORT`.
    pub fn origin(&self) -> &str {
        &self.shared.origin
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The loaded spec.
    pub fn spec(&self) -> &GraphSpec {
        &self.shared.spec
    }

    /// Serves a phone number (and its WABA) to its token.
    pub fn add_phone_number(&self, phone: PhoneNumber) {
        let mut s = self.shared.state();
        s.phones.retain(|p| p.id != phone.id);
        s.phones.push(phone);
    }

    /// Accepts `token` as a valid token that owns nothing (useful for permission tests).
    pub fn add_token(&self, token: impl Into<String>) {
        self.shared.state().extra_tokens.insert(token.into());
    }

    /// Seeds a message template for `waba_id`, spec-shaped (`name`, `language`, `status`,
    /// `category`, `components`). Missing `id` is assigned, missing `status` = `APPROVED`.
    /// Returns the template id.
    pub fn add_template(&self, waba_id: &str, template: Value) -> String {
        seed_template(&mut self.shared.state(), waba_id, template)
    }

    /// Changes a template's status (e.g. `PENDING` → `APPROVED`).
    pub fn set_template_status(&self, template_id: &str, status: &str) {
        let mut s = self.shared.state();
        if let Some((_, t)) = s
            .templates
            .iter_mut()
            .find(|(_, t)| t.get("id").and_then(Value::as_str) == Some(template_id))
        {
            t["status"] = json!(status);
        }
    }

    /// Registers media (e.g. an inbound image) and returns its id.
    pub fn add_media(&self, bytes: impl Into<Vec<u8>>, mime: &str) -> String {
        let mut s = self.shared.state();
        insert_media(&mut s, bytes.into(), mime.to_string(), None)
    }

    /// Bytes and mime of stored media.
    pub fn media(&self, media_id: &str) -> Option<(Vec<u8>, String)> {
        self.shared.state().media.get(media_id).map(|m| (m.bytes.clone(), m.mime.clone()))
    }

    /// Every request answered so far (including rejected ones).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.state().requests.clone()
    }

    /// Messages accepted so far, in order.
    pub fn sent_messages(&self) -> Vec<SentMessage> {
        self.shared.state().sent.clone()
    }

    /// Everything the code under test did that Meta's spec does not allow (plus calls to
    /// operations the fake does not implement). Tests should end with this empty.
    pub fn violations(&self) -> Vec<String> {
        self.shared.state().violations.clone()
    }

    /// Forgets recorded requests, sent messages, violations and webhook deliveries.
    pub fn clear_records(&self) {
        let mut s = self.shared.state();
        s.requests.clear();
        s.sent.clear();
        s.violations.clear();
        s.deliveries.clear();
    }

    /// The next `times` requests matching `matcher` get `error` instead of being served
    /// (after the token check, before validation).
    pub fn fail_next(
        &self,
        matcher: impl Into<RequestMatcher>,
        error: GraphErrorSpec,
        times: usize,
    ) {
        self.shared.state().failures.push(Injected {
            matcher: matcher.into(),
            error,
            remaining: times,
        });
    }

    /// Delay before handling each Graph request (a client that gives up meanwhile changed
    /// nothing).
    pub fn set_latency(&self, latency: Duration) {
        self.shared.state().latency = latency;
    }

    /// Delay between handling a Graph request and answering it: a client that gives up (or
    /// crashes) meanwhile never learns that Meta acted, e.g. that a message was accepted.
    pub fn set_answer_delay(&self, delay: Duration) {
        self.shared.state().answer_delay = delay;
    }

    /// Sends per phone number per rolling second before `130429` (0 = unlimited, the default).
    pub fn set_rate_limit(&self, per_second: u32) {
        let mut s = self.shared.state();
        s.rate_limit = per_second;
        s.send_times.clear();
    }

    /// Where webhooks go, and the app secret that signs them.
    pub fn set_webhook(&self, url: impl Into<String>, app_secret: impl Into<String>) {
        self.shared.state().webhook =
            Some(Webhook { url: url.into(), app_secret: app_secret.into() });
    }

    /// When on (and a webhook is set), each accepted send is followed by `sent` and
    /// `delivered` status webhooks (posted in the background; see [`Self::webhook_deliveries`]).
    pub fn set_auto_status(&self, on: bool) {
        self.shared.state().auto_status = on;
    }

    /// Webhook POSTs made so far.
    pub fn webhook_deliveries(&self) -> Vec<WebhookDelivery> {
        self.shared.state().deliveries.clone()
    }

    /// Posts a signed status webhook for a message the fake accepted.
    ///
    /// # Errors
    /// No webhook is set, the wamid is unknown, or the POST failed at transport level.
    pub async fn emit_status(&self, wamid: &str, update: StatusUpdate) -> Result<WebhookDelivery> {
        server::emit_status(&self.shared, wamid, &update).await
    }

    /// Posts a signed inbound text message webhook to the first registered phone number.
    ///
    /// # Errors
    /// No webhook or phone number is set, or the POST failed at transport level.
    pub async fn emit_inbound_text(
        &self,
        from_wa_id: &str,
        profile_name: &str,
        text: &str,
    ) -> Result<WebhookDelivery> {
        let message = json!({ "type": "text", "text": { "body": text } });
        server::emit_inbound(&self.shared, None, from_wa_id, profile_name, message).await
    }

    /// Posts a signed inbound message of any kind; `message` is the `messages[]` entry without
    /// `from`, `id` and `timestamp` (e.g. `{"type":"image","image":{"id":..,"mime_type":..}}`).
    ///
    /// # Errors
    /// No webhook or phone number is set, or the POST failed at transport level.
    pub async fn emit_inbound(
        &self,
        phone_number_id: Option<&str>,
        from_wa_id: &str,
        profile_name: &str,
        message: Value,
    ) -> Result<WebhookDelivery> {
        server::emit_inbound(&self.shared, phone_number_id, from_wa_id, profile_name, message).await
    }

    /// Signs and posts any payload (e.g. a pywa fixture) to the webhook.
    ///
    /// # Errors
    /// No webhook is set, or the POST failed at transport level.
    pub async fn emit_raw(&self, payload: Value) -> Result<WebhookDelivery> {
        server::deliver(&self.shared, payload, None).await
    }
}

impl Drop for FakeGraph {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// See [`FakeGraph::add_template`]; also behind `POST /_fake/template`.
fn seed_template(s: &mut State, waba_id: &str, mut template: Value) -> String {
    let id = match template.get("id").and_then(Value::as_str) {
        Some(id) => id.to_string(),
        None => (5_000_000_000_000u64 + s.next_id()).to_string(),
    };
    if let Some(o) = template.as_object_mut() {
        o.insert("id".into(), json!(id));
        o.entry("status").or_insert(json!("APPROVED"));
    }
    s.templates.push((waba_id.to_string(), template));
    id
}

fn insert_media(s: &mut State, bytes: Vec<u8>, mime: String, owner: Option<String>) -> String {
    use sha2::Digest;
    let id = (1_000_000_000_000_000u64 + s.next_id()).to_string();
    let sha256 = hex::encode(sha2::Sha256::digest(&bytes));
    s.media.insert(id.clone(), Media { bytes, mime, sha256, owner_phone: owner });
    id
}
