//! The HTTP side: one handler for `/v1beta/...` (and `/v1/...`), plus the shared `/_fake/...`
//! controls.

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State as AxState};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use serde_json::{json, Value};

use super::validate::{self, field, Issue};
use crate::ai::{self, Finish, RecordedRequest, Role, SharedCore, Turn};

const BODY_LIMIT: usize = 32 * 1024 * 1024;

pub(super) fn router(core: SharedCore) -> Router {
    let controls = ai::control_router(core.clone());
    Router::new().fallback(api).with_state(core).merge(controls)
}

/// A Google API error: `{"error":{"code","message","status","details"?}}`.
struct ApiError {
    code: u16,
    message: String,
    status: &'static str,
    details: Option<Value>,
}

impl ApiError {
    fn new(code: u16, status: &'static str, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), status, details: None }
    }

    fn details(mut self, details: Value) -> Self {
        self.details = Some(details);
        self
    }

    /// `unary-failure-api-key.json`.
    fn key_invalid(key: &str) -> Self {
        let message = "API key not valid. Please pass a valid API key.";
        Self::new(400, "INVALID_ARGUMENT", message).details(json!([
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "API_KEY_INVALID",
                "domain": "googleapis.com",
                "metadata": { "service": "generativelanguage.googleapis.com" }
            },
            {
                "@type": "type.googleapis.com/google.rpc.LocalizedMessage",
                "locale": "en-US",
                "message": message
            },
            {
                "@type": "type.googleapis.com/google.rpc.DebugInfo",
                "detail": format!("Invalid API key: {key}")
            }
        ]))
    }

    fn key_missing() -> Self {
        Self::new(
            403,
            "PERMISSION_DENIED",
            "Method doesn't allow unregistered callers (callers without established identity). \
             Please use API Key or other form of API consumer identity to call this API.",
        )
    }

    /// `unary-failure-unknown-model.json`.
    fn unknown_model(model: &str, version: &str, method: &str) -> Self {
        let message = format!(
            "models/{model} is not found for API version {version}, or is not supported for \
             {method}. Call ListModels to see the list of available models and their supported \
             methods."
        );
        Self::new(404, "NOT_FOUND", message.clone()).details(json!([
            {
                "@type": "type.googleapis.com/google.rpc.DebugInfo",
                "detail": format!(
                    "[ORIGINAL ERROR] generic::not_found: {message} \
                     [google.rpc.error_details_ext] {{ message: {} }}",
                    Value::String(message.clone())
                )
            },
            { "@type": "type.googleapis.com/google.rpc.DebugInfo", "detail": message }
        ]))
    }

    fn invalid(issues: &[Issue]) -> Self {
        let message = issues.iter().map(|i| i.description.as_str()).collect::<Vec<_>>().join("\n");
        let violations: Vec<Value> = issues
            .iter()
            .map(|i| json!({ "field": i.field, "description": i.description }))
            .collect();
        Self::new(400, "INVALID_ARGUMENT", message).details(json!([{
            "@type": "type.googleapis.com/google.rpc.BadRequest",
            "fieldViolations": violations
        }]))
    }

    fn injected(f: &ai::FailureSpec) -> Self {
        let mut e = match f.status {
            429 => Self::new(
                429,
                "RESOURCE_EXHAUSTED",
                "Resource has been exhausted (e.g. check quota).",
            )
            .details(json!([{
                "@type": "type.googleapis.com/google.rpc.RetryInfo",
                "retryDelay": format!("{}s", f.retry_after_secs.unwrap_or(1))
            }])),
            401 => Self::key_invalid("injected-failure"),
            500 => Self::new(
                500,
                "INTERNAL",
                "An internal error has occurred. Please retry or report in \
                 https://developers.generativeai.google/guide/troubleshooting",
            ),
            503 => {
                Self::new(503, "UNAVAILABLE", "The model is overloaded. Please try again later.")
            }
            other => Self::new(other, "UNKNOWN", "The request failed."),
        };
        if let Some(m) = &f.message {
            e.message.clone_from(m);
        }
        e
    }

    fn body(&self) -> Value {
        let mut error =
            json!({ "code": self.code, "message": self.message, "status": self.status });
        if let Some(d) = &self.details {
            error["details"] = d.clone();
        }
        json!({ "error": error })
    }
}

struct Ctx<'a> {
    core: &'a SharedCore,
    method: String,
    path: String,
    query: Vec<(String, String)>,
    body: Value,
}

impl Ctx<'_> {
    fn record(&self, status: u16, response: Value) {
        ai::lock(self.core).requests.push(RecordedRequest {
            method: self.method.clone(),
            path: self.path.clone(),
            query: self.query.clone(),
            body: self.body.clone(),
            status,
            response,
        });
    }

    fn finish(&self, status: u16, response: Value) -> Response {
        self.record(status, response.clone());
        let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (code, Json(response)).into_response()
    }

    fn fail(&self, e: &ApiError) -> Response {
        self.finish(e.code, e.body())
    }

    fn violation(&self, detail: &str, e: &ApiError) -> Response {
        ai::lock(self.core).violations.push(format!("{} {}: {detail}", self.method, self.path));
        self.fail(e)
    }

    fn query(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Method {
    Generate,
    Stream,
    Embed,
    BatchEmbed,
    CountTokens,
}

impl Method {
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "generateContent" => Self::Generate,
            "streamGenerateContent" => Self::Stream,
            "embedContent" => Self::Embed,
            "batchEmbedContents" => Self::BatchEmbed,
            "countTokens" => Self::CountTokens,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Self::Generate => "generateContent",
            Self::Stream => "streamGenerateContent",
            Self::Embed => "embedContent",
            Self::BatchEmbed => "batchEmbedContents",
            Self::CountTokens => "countTokens",
        }
    }
}

fn is_embedding_model(model: &str) -> bool {
    model.contains("embedding")
}

fn supported_methods(model: &str) -> &'static [&'static str] {
    if is_embedding_model(model) {
        &["embedContent", "batchEmbedContents"]
    } else {
        &["generateContent", "streamGenerateContent", "countTokens"]
    }
}

enum Route {
    List,
    Get(String),
    Call(String, Method),
}

fn route(method: &str, path: &str) -> Option<(&'static str, Route)> {
    let (version, rest) = if let Some(r) = path.strip_prefix("/v1beta/") {
        ("v1beta", r)
    } else {
        ("v1", path.strip_prefix("/v1/")?)
    };
    let rest = rest.trim_end_matches('/');
    if rest == "models" {
        return (method == "GET").then_some((version, Route::List));
    }
    let name = rest.strip_prefix("models/")?;
    match (method, name.split_once(':')) {
        ("GET", None) => Some((version, Route::Get(name.to_string()))),
        ("POST", Some((model, verb))) => {
            Some((version, Route::Call(model.to_string(), Method::parse(verb)?)))
        }
        _ => None,
    }
}

fn api_key(headers: &HeaderMap, query: &[(String, String)]) -> Option<String> {
    query
        .iter()
        .find(|(k, _)| k == "key")
        .map(|(_, v)| v.clone())
        .or_else(|| headers.get("x-goog-api-key").and_then(|v| v.to_str().ok()).map(str::to_string))
        .filter(|k| !k.trim().is_empty())
}

async fn api(AxState(core): AxState<SharedCore>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let bytes = to_bytes(body, BODY_LIMIT).await.unwrap_or_default();
    let parsed =
        if bytes.is_empty() { Ok(Value::Null) } else { serde_json::from_slice::<Value>(&bytes) };
    let ctx = Ctx {
        core: &core,
        method: parts.method.as_str().to_string(),
        path: parts.uri.path().to_string(),
        query: parts
            .uri
            .query()
            .map(|q| url::form_urlencoded::parse(q.as_bytes()).into_owned().collect())
            .unwrap_or_default(),
        body: match &parsed {
            Ok(v) => v.clone(),
            Err(_) => Value::String(String::from_utf8_lossy(&bytes).into_owned()),
        },
    };
    let latency = ai::lock(&core).latency;
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }

    let Some((version, route)) = route(&ctx.method, &ctx.path) else {
        let e = ApiError::new(404, "NOT_FOUND", "Method not found.");
        return ctx
            .violation("no such route in the Generative Language API (or not implemented)", &e);
    };

    // 1. Key.
    let key_check = {
        let c = ai::lock(&core);
        match api_key(&parts.headers, &ctx.query) {
            None => Some(ApiError::key_missing()),
            Some(k) if !c.key_ok(&k) => Some(ApiError::key_invalid(&k)),
            Some(_) => None,
        }
    };
    if let Some(e) = key_check {
        return ctx.fail(&e);
    }

    // 2. Injected failures.
    let injected = ai::lock(&core).take_failure(&ctx.path);
    if let Some(f) = injected {
        return ctx.fail(&ApiError::injected(&f));
    }

    let (model, method) = match route {
        Route::List => {
            let models = ai::lock(&core).models.clone();
            let list: Vec<Value> = models.iter().map(|m| model_object(m)).collect();
            return ctx.finish(200, json!({ "models": list }));
        }
        Route::Get(model) => {
            if !ai::lock(&core).model_ok(&model) {
                return ctx.fail(&ApiError::unknown_model(&model, version, "get"));
            }
            return ctx.finish(200, model_object(&model));
        }
        Route::Call(model, method) => (model, method),
    };

    // 3. Model.
    let known = ai::lock(&core).model_ok(&model);
    if !known || !supported_methods(&model).contains(&method.name()) {
        return ctx.fail(&ApiError::unknown_model(&model, version, method.name()));
    }

    // 4. Body.
    let body = match parsed {
        Ok(v @ Value::Object(_)) => v,
        Ok(_) | Err(_) => {
            let issue = Issue {
                field: String::new(),
                description: "Invalid JSON payload received. Expected a JSON object body.".into(),
            };
            return ctx.violation(
                "request body is missing or not a JSON object",
                &ApiError::invalid(&[issue]),
            );
        }
    };
    let path_model = format!("models/{model}");
    let issues = match method {
        Method::Generate | Method::Stream | Method::CountTokens => {
            validate::generate_content(&body)
        }
        Method::Embed => validate::embed_content("", &body, &path_model, false),
        Method::BatchEmbed => validate::batch_embed_contents(&body, &path_model),
    };
    if !issues.is_empty() {
        let detail = issues
            .iter()
            .map(|i| format!("{}: {}", i.field, i.description))
            .collect::<Vec<_>>()
            .join("; ");
        return ctx.violation(&detail, &ApiError::invalid(&issues));
    }

    // 5. Behaviour.
    let dims = |request: &Value| {
        field(request, "outputDimensionality", "output_dimensionality")
            .and_then(Value::as_u64)
            .and_then(|d| usize::try_from(d).ok())
            .unwrap_or_else(|| ai::lock(&core).dims)
    };
    match method {
        Method::Generate | Method::Stream => {
            let max = field(&body, "generationConfig", "generation_config")
                .and_then(|g| field(g, "maxOutputTokens", "max_output_tokens"))
                .and_then(Value::as_u64)
                .and_then(|n| usize::try_from(n).ok());
            let answer = {
                let c = ai::lock(&core);
                ai::answer(&c.script, &turns(&body), max)
            };
            if method == Method::Generate {
                ctx.finish(200, unary(&answer, &model))
            } else {
                stream(&ctx, &answer, &model)
            }
        }
        Method::CountTokens => {
            let total: usize = turns(&body).iter().map(|t| ai::count_tokens(&t.text)).sum();
            ctx.finish(200, json!({ "totalTokens": total }))
        }
        Method::Embed => {
            let text = content_text(field(&body, "content", "content"));
            ctx.finish(200, json!({ "embedding": { "values": ai::embed(&text, dims(&body)) } }))
        }
        Method::BatchEmbed => {
            let requests =
                body.get("requests").and_then(Value::as_array).cloned().unwrap_or_default();
            let embeddings: Vec<Value> = requests
                .iter()
                .map(|r| {
                    let text = content_text(field(r, "content", "content"));
                    json!({ "values": ai::embed(&text, dims(r)) })
                })
                .collect();
            ctx.finish(200, json!({ "embeddings": embeddings }))
        }
    }
}

fn model_object(model: &str) -> Value {
    let embedding = is_embedding_model(model);
    json!({
        "name": format!("models/{model}"),
        "version": "001",
        "displayName": model,
        "description": format!("{model} (fake)"),
        "inputTokenLimit": if embedding { 2048 } else { 1_048_576 },
        "outputTokenLimit": if embedding { 1 } else { 8192 },
        "supportedGenerationMethods": supported_methods(model),
    })
}

/// The text parts of a `Content`, joined with newlines.
fn content_text(content: Option<&Value>) -> String {
    content
        .and_then(|c| field(c, "parts", "parts"))
        .and_then(Value::as_array)
        .map(|parts| {
            parts
                .iter()
                .filter_map(|p| p.get("text").and_then(Value::as_str))
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}

fn turns(body: &Value) -> Vec<Turn> {
    let mut out = Vec::new();
    if let Some(system) = field(body, "systemInstruction", "system_instruction") {
        out.push(Turn::new(Role::System, content_text(Some(system))));
    }
    for c in field(body, "contents", "contents").and_then(Value::as_array).into_iter().flatten() {
        let parts = field(c, "parts", "parts").and_then(Value::as_array);
        let is_tool = parts.is_some_and(|ps| {
            ps.iter().any(|p| field(p, "functionResponse", "function_response").is_some())
        });
        let role = match field(c, "role", "role").and_then(Value::as_str) {
            Some("model") => Role::Assistant,
            _ if is_tool => Role::Tool,
            _ => Role::User,
        };
        out.push(Turn::new(role, content_text(Some(c))));
    }
    out
}

fn finish_reason(f: Finish) -> &'static str {
    match f {
        Finish::Stop => "STOP",
        Finish::Length => "MAX_TOKENS",
    }
}

fn safety_ratings() -> Value {
    let categories = [
        "HARM_CATEGORY_HATE_SPEECH",
        "HARM_CATEGORY_DANGEROUS_CONTENT",
        "HARM_CATEGORY_HARASSMENT",
        "HARM_CATEGORY_SEXUALLY_EXPLICIT",
    ];
    Value::Array(
        categories.iter().map(|c| json!({ "category": c, "probability": "NEGLIGIBLE" })).collect(),
    )
}

fn usage(prompt: usize, candidates: Option<usize>) -> Value {
    let mut u = json!({
        "promptTokenCount": prompt,
        "totalTokenCount": prompt + candidates.unwrap_or(0),
        "promptTokensDetails": [{ "modality": "TEXT", "tokenCount": prompt }]
    });
    if let Some(c) = candidates {
        u["candidatesTokenCount"] = json!(c);
        u["candidatesTokensDetails"] = json!([{ "modality": "TEXT", "tokenCount": c }]);
    }
    u
}

/// Shaped like `unary-success-basic-reply-short.json`.
fn unary(a: &ai::Answer, model: &str) -> Value {
    json!({
        "candidates": [{
            "content": { "parts": [{ "text": a.text }], "role": "model" },
            "finishReason": finish_reason(a.finish),
            "safetyRatings": safety_ratings(),
            "avgLogprobs": -0.05
        }],
        "usageMetadata": usage(a.prompt_tokens, Some(a.completion_tokens)),
        "modelVersion": model
    })
}

/// Shaped like `streaming-success-basic-reply-short.txt`: one chunk per word, prompt-only usage
/// on all but the last, which adds `finishReason` and the full usage. `?alt=sse` sends
/// `data: {...}` events separated by `\r\n\r\n` (as the fixture, i.e. Google, does); without
/// it, Google's JSON array of the same chunks.
fn stream(ctx: &Ctx<'_>, a: &ai::Answer, model: &str) -> Response {
    let mut pieces = ai::stream_pieces(&a.text);
    if pieces.is_empty() {
        pieces.push("");
    }
    let last = pieces.len() - 1;
    let chunks: Vec<Value> = pieces
        .iter()
        .enumerate()
        .map(|(i, piece)| {
            let mut candidate =
                json!({ "content": { "parts": [{ "text": piece }], "role": "model" } });
            let done = i == last;
            if done {
                candidate["finishReason"] = json!(finish_reason(a.finish));
            }
            json!({
                "candidates": [candidate],
                "usageMetadata": usage(a.prompt_tokens, done.then_some(a.completion_tokens)),
                "modelVersion": model
            })
        })
        .collect();
    let sse = ctx.query("alt") == Some("sse");
    let (text, content_type) = if sse {
        let text: String = chunks.iter().map(|c| format!("data: {c}\r\n\r\n")).collect();
        (text, "text/event-stream")
    } else {
        (Value::Array(chunks.clone()).to_string(), "application/json; charset=UTF-8")
    };
    ctx.record(200, Value::Array(chunks));
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(text))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}
