//! The HTTP side: one handler matching `/v1/...` routes, plus the shared `/_fake/...` controls.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State as AxState};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use base64::Engine;
use rand::distributions::Alphanumeric;
use rand::Rng;
use serde_json::{json, Value};

use super::Shared;
use crate::ai::{self, Finish, RecordedRequest, Role, Turn};
use crate::openapi::{json_path, Problem, ProblemKind};

/// OpenAI accepts request bodies up to a few MB; images inline can be large.
const BODY_LIMIT: usize = 32 * 1024 * 1024;

pub(super) fn router(shared: Arc<Shared>) -> Router {
    let controls = ai::control_router(shared.core.clone());
    Router::new().fallback(api).with_state(shared).merge(controls)
}

/// An OpenAI error: `{"error":{"message","type","param","code"}}` with its HTTP status.
struct ApiError {
    status: u16,
    message: String,
    kind: &'static str,
    param: Option<String>,
    code: Option<&'static str>,
    retry_after: Option<u64>,
}

impl ApiError {
    fn invalid(
        message: impl Into<String>,
        param: Option<String>,
        code: Option<&'static str>,
    ) -> Self {
        Self {
            status: 400,
            message: message.into(),
            kind: "invalid_request_error",
            param,
            code,
            retry_after: None,
        }
    }

    fn status(mut self, status: u16) -> Self {
        self.status = status;
        self
    }

    fn missing_key() -> Self {
        Self::invalid(
            "You didn't provide an API key. You need to provide your API key in an \
             Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as \
             the password field (with blank username) if you're accessing the API from your \
             browser and are prompted for a username and password. You can obtain an API key \
             from https://platform.openai.com/account/api-keys.",
            None,
            None,
        )
        .status(401)
    }

    fn wrong_key(key: &str) -> Self {
        Self::invalid(
            format!(
                "Incorrect API key provided: {}. You can find your API key at \
                 https://platform.openai.com/account/api-keys.",
                mask(key)
            ),
            None,
            Some("invalid_api_key"),
        )
        .status(401)
    }

    fn model_not_found(model: &str) -> Self {
        Self::invalid(
            format!("The model `{model}` does not exist or you do not have access to it."),
            None,
            Some("model_not_found"),
        )
        .status(404)
    }

    fn injected(f: &ai::FailureSpec, model: &str) -> Self {
        let (message, kind, code) = match f.status {
            429 => (
                format!(
                    "Rate limit reached for {model} in organization org-fake on requests per min \
                     (RPM): Limit 3, Used 3, Requested 1. Please try again in {}s. Visit \
                     https://platform.openai.com/account/rate-limits to learn more.",
                    f.retry_after_secs.unwrap_or(1)
                ),
                "requests",
                Some("rate_limit_exceeded"),
            ),
            401 => return Self::wrong_key("sk-injected-failure"),
            503 => (
                "The engine is currently overloaded, please try again later.".to_string(),
                "server_error",
                None,
            ),
            s if s >= 500 => (
                "The server had an error while processing your request. Sorry about that!"
                    .to_string(),
                "server_error",
                None,
            ),
            _ => ("The request was rejected.".to_string(), "invalid_request_error", None),
        };
        Self {
            status: f.status,
            message: f.message.clone().unwrap_or(message),
            kind,
            param: None,
            code,
            retry_after: if f.status == 429 { Some(f.retry_after_secs.unwrap_or(1)) } else { None },
        }
    }

    fn body(&self) -> Value {
        json!({ "error": {
            "message": self.message,
            "type": self.kind,
            "param": self.param,
            "code": self.code,
        }})
    }
}

/// `sk-test-123456` → `sk-tes****3456`, the way OpenAI echoes a wrong key.
fn mask(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    if chars.len() <= 10 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..6].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 10))
}

struct Ctx<'a> {
    shared: &'a Shared,
    method: String,
    path: String,
    query: Vec<(String, String)>,
    body: Value,
}

impl Ctx<'_> {
    fn record(&self, status: u16, response: Value) {
        ai::lock(&self.shared.core).requests.push(RecordedRequest {
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
        let mut response = self.finish(e.status, e.body());
        if let Some(secs) = e.retry_after {
            response.headers_mut().insert("retry-after", HeaderValue::from(secs));
        }
        response
    }

    fn violation(&self, detail: &str, e: &ApiError) -> Response {
        ai::lock(&self.shared.core)
            .violations
            .push(format!("{} {}: {detail}", self.method, self.path));
        self.fail(e)
    }
}

enum Route {
    Chat,
    Embeddings,
    Models,
    Model(String),
}

async fn api(AxState(shared): AxState<Arc<Shared>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let bytes = to_bytes(body, BODY_LIMIT).await.unwrap_or_default();
    let parsed =
        if bytes.is_empty() { Ok(Value::Null) } else { serde_json::from_slice::<Value>(&bytes) };
    let ctx = Ctx {
        shared: &shared,
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
    let latency = ai::lock(&shared.core).latency;
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }

    let route = match (ctx.method.as_str(), ctx.path.trim_end_matches('/')) {
        ("POST", "/v1/chat/completions") => Route::Chat,
        ("POST", "/v1/embeddings") => Route::Embeddings,
        ("GET", "/v1/models") => Route::Models,
        ("GET", p) if p.starts_with("/v1/models/") => {
            Route::Model(p.trim_start_matches("/v1/models/").to_string())
        }
        (m, p) => {
            let e = ApiError::invalid(format!("Invalid URL ({m} {p})"), None, None).status(404);
            return ctx.violation("no such route in the OpenAI API (or not implemented)", &e);
        }
    };

    // 1. Key.
    let key = bearer(&parts.headers);
    {
        let core = ai::lock(&shared.core);
        match key.as_deref() {
            None => {
                drop(core);
                return ctx.fail(&ApiError::missing_key());
            }
            Some(k) if !core.key_ok(k) => {
                drop(core);
                return ctx.fail(&ApiError::wrong_key(k));
            }
            Some(_) => {}
        }
    }

    // 2. Injected failures.
    let injected = ai::lock(&shared.core).take_failure(&ctx.path);
    if let Some(f) = injected {
        let model = ctx.body.get("model").and_then(Value::as_str).unwrap_or("gpt-4o-mini");
        return ctx.fail(&ApiError::injected(&f, model));
    }

    // 3. Body against the spec.
    let schema = match route {
        Route::Chat => Some("CreateChatCompletionRequest"),
        Route::Embeddings => Some("CreateEmbeddingRequest"),
        Route::Models | Route::Model(_) => None,
    };
    if let Some(schema) = schema {
        let body = match parsed {
            Ok(Value::Null) | Err(_) => {
                let e = ApiError::invalid(
                    "We could not parse the JSON body of your request. (HINT: This likely means \
                     you aren't using your HTTP library correctly. The OpenAI API expects a JSON \
                     payload, but what was sent was not valid JSON. If you have trouble figuring \
                     out how to fix this, please contact us through our help center at \
                     help.openai.com.)",
                    None,
                    None,
                );
                return ctx.violation("request body is missing or not JSON", &e);
            }
            Ok(v) => v,
        };
        let mut problems = shared.spec.problems(schema, &body);
        if body.get("stream_options").is_some_and(|v| !v.is_null())
            && body.get("stream") != Some(&json!(true))
        {
            problems.push(Problem {
                pointer: "/stream_options".into(),
                kind: ProblemKind::Other,
                text: "$.stream_options: only allowed when `stream` is true (spec description; \
                       OpenAI answers 400)"
                    .into(),
            });
        }
        if let Some(first) = problems.first() {
            let detail = problems.iter().map(|p| p.text.as_str()).collect::<Vec<_>>().join("; ");
            return ctx.violation(&detail, &problem_error(first));
        }
        let model = body.get("model").and_then(Value::as_str).unwrap_or_default().to_string();
        if !ai::lock(&shared.core).model_ok(&model) {
            return ctx.fail(&ApiError::model_not_found(&model));
        }
        return match route {
            Route::Chat => chat(&ctx, &body, &model),
            _ => embeddings(&ctx, &body, &model),
        };
    }
    match route {
        Route::Model(id) => {
            if !ai::lock(&shared.core).model_ok(&id) {
                return ctx.fail(&ApiError::model_not_found(&id));
            }
            ctx.finish(200, model_object(&id))
        }
        _ => {
            let models = ai::lock(&shared.core).models.clone();
            let data: Vec<Value> = models.iter().map(|m| model_object(m)).collect();
            ctx.finish(200, json!({ "object": "list", "data": data }))
        }
    }
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
}

/// OpenAI's wording for the first problem: `param` in its `messages[0].content` style.
fn problem_error(p: &Problem) -> ApiError {
    let at = param_path(&p.pointer);
    let why = p.text.split_once(": ").map_or(p.text.as_str(), |(_, w)| w);
    let why = why.split(" [rule:").next().unwrap_or(why);
    match &p.kind {
        ProblemKind::Missing(name) => {
            let param = if at.is_empty() { name.clone() } else { format!("{at}.{name}") };
            ApiError::invalid(
                format!("Missing required parameter: '{param}'."),
                Some(param),
                Some("missing_required_parameter"),
            )
        }
        ProblemKind::Unknown(names) if at.is_empty() => ApiError::invalid(
            format!("Unrecognized request argument supplied: {}", names.join(", ")),
            None,
            None,
        ),
        ProblemKind::Unknown(names) => ApiError::invalid(
            format!("Unrecognized parameter(s) in '{at}': {}", names.join(", ")),
            Some(at),
            Some("unknown_parameter"),
        ),
        ProblemKind::Type => ApiError::invalid(
            format!("Invalid type for '{at}': {why}"),
            Some(at),
            Some("invalid_type"),
        ),
        ProblemKind::Other => ApiError::invalid(
            format!("Invalid value for '{at}': {why}"),
            Some(at),
            Some("invalid_value"),
        ),
    }
}

/// `/messages/0/content` → `messages[0].content`.
fn param_path(pointer: &str) -> String {
    json_path(pointer).trim_start_matches('$').trim_start_matches('.').to_string()
}

fn model_object(id: &str) -> Value {
    json!({ "id": id, "object": "model", "created": 1_686_935_002, "owned_by": "openai" })
}

fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

fn completion_id() -> String {
    let mut s = String::from("chatcmpl-");
    s.extend(rand::thread_rng().sample_iter(&Alphanumeric).take(29).map(char::from));
    s
}

/// The text of a message's `content`: a string, or the `text` of its text parts.
fn content_text(content: Option<&Value>) -> String {
    match content {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(parts)) => parts
            .iter()
            .filter_map(|p| p.get("text").and_then(Value::as_str))
            .collect::<Vec<_>>()
            .join("\n"),
        _ => String::new(),
    }
}

fn turns(body: &Value) -> Vec<Turn> {
    let messages = body.get("messages").and_then(Value::as_array).map_or(&[][..], Vec::as_slice);
    messages
        .iter()
        .map(|m| {
            let role = match m.get("role").and_then(Value::as_str) {
                Some("system" | "developer") => Role::System,
                Some("assistant") => Role::Assistant,
                Some("tool" | "function") => Role::Tool,
                _ => Role::User,
            };
            Turn::new(role, content_text(m.get("content")))
        })
        .collect()
}

fn usage(a: &ai::Answer) -> Value {
    json!({
        "prompt_tokens": a.prompt_tokens,
        "completion_tokens": a.completion_tokens,
        "total_tokens": a.prompt_tokens + a.completion_tokens,
        "prompt_tokens_details": { "cached_tokens": 0, "audio_tokens": 0 },
        "completion_tokens_details": {
            "reasoning_tokens": 0,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0
        }
    })
}

fn finish_reason(f: Finish) -> &'static str {
    match f {
        Finish::Stop => "stop",
        Finish::Length => "length",
    }
}

fn chat(ctx: &Ctx<'_>, body: &Value, model: &str) -> Response {
    let max = ["max_completion_tokens", "max_tokens"]
        .iter()
        .find_map(|k| body.get(*k).and_then(Value::as_u64))
        .and_then(|n| usize::try_from(n).ok());
    let n = body.get("n").and_then(Value::as_u64).unwrap_or(1).max(1);
    let answer = {
        let core = ai::lock(&ctx.shared.core);
        ai::answer(&core.script, &turns(body), max)
    };
    let id = completion_id();
    let created = now_secs();
    if body.get("stream") == Some(&json!(true)) {
        let include_usage = body.pointer("/stream_options/include_usage") == Some(&json!(true));
        return stream(ctx, &answer, StreamMeta { id, created, model, n, include_usage });
    }
    let choices: Vec<Value> = (0..n)
        .map(|i| {
            json!({
                "index": i,
                "message": {
                    "role": "assistant",
                    "content": answer.text,
                    "refusal": null,
                    "annotations": []
                },
                "logprobs": null,
                "finish_reason": finish_reason(answer.finish)
            })
        })
        .collect();
    ctx.finish(
        200,
        json!({
            "id": id,
            "object": "chat.completion",
            "created": created,
            "model": model,
            "choices": choices,
            "usage": usage(&answer),
            "service_tier": "default"
        }),
    )
}

struct StreamMeta<'a> {
    id: String,
    created: i64,
    model: &'a str,
    n: u64,
    include_usage: bool,
}

/// Server-sent events shaped like the spec's streaming example: a role chunk, one chunk per
/// word, a chunk with `finish_reason`, the usage chunk (`choices: []`) when
/// `stream_options.include_usage`, then `data: [DONE]`.
fn stream(ctx: &Ctx<'_>, answer: &ai::Answer, m: StreamMeta<'_>) -> Response {
    let chunk = |choices: Value, usage: Option<Value>| {
        let mut c = json!({
            "id": m.id,
            "object": "chat.completion.chunk",
            "created": m.created,
            "model": m.model,
            "system_fingerprint": "fp_fake",
            "choices": choices
        });
        if m.include_usage {
            c["usage"] = usage.unwrap_or(Value::Null);
        }
        c
    };
    let choice = |i: u64, delta: Value, finish: Option<&str>| json!([{ "index": i, "delta": delta, "logprobs": null, "finish_reason": finish }]);
    let mut events = Vec::new();
    for i in 0..m.n {
        events.push(chunk(
            choice(i, json!({ "role": "assistant", "content": "", "refusal": null }), None),
            None,
        ));
        for piece in ai::stream_pieces(&answer.text) {
            events.push(chunk(choice(i, json!({ "content": piece }), None), None));
        }
        events.push(chunk(choice(i, json!({}), Some(finish_reason(answer.finish))), None));
    }
    if m.include_usage {
        events.push(chunk(json!([]), Some(usage(answer))));
    }
    let mut text = String::new();
    for e in &events {
        text.push_str(&format!("data: {e}\n\n"));
    }
    text.push_str("data: [DONE]\n\n");
    events.push(json!("[DONE]"));
    ctx.record(200, Value::Array(events));
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "text/event-stream; charset=utf-8")
        .header(header::CACHE_CONTROL, "no-cache")
        .body(Body::from(text))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

fn embeddings(ctx: &Ctx<'_>, body: &Value, model: &str) -> Response {
    // A string, strings, one token array, or token arrays (token ids embed as their digits).
    let tokens_text =
        |ids: &[Value]| ids.iter().map(Value::to_string).collect::<Vec<_>>().join(" ");
    let inputs: Vec<(String, usize)> = match body.get("input") {
        Some(Value::String(s)) => vec![(s.clone(), ai::count_tokens(s))],
        Some(Value::Array(items)) if items.iter().all(Value::is_number) => {
            vec![(tokens_text(items), items.len())]
        }
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| match i {
                Value::String(s) => (s.clone(), ai::count_tokens(s)),
                Value::Array(ids) => (tokens_text(ids), ids.len()),
                other => (other.to_string(), 1),
            })
            .collect(),
        _ => Vec::new(),
    };
    let dims = body
        .get("dimensions")
        .and_then(Value::as_u64)
        .and_then(|d| usize::try_from(d).ok())
        .unwrap_or_else(|| ai::lock(&ctx.shared.core).dims);
    let base64 = body.get("encoding_format").and_then(Value::as_str) == Some("base64");
    let data: Vec<Value> = inputs
        .iter()
        .enumerate()
        .map(|(i, (text, _))| {
            let v = ai::embed(text, dims);
            let embedding = if base64 {
                let bytes: Vec<u8> = v.iter().flat_map(|x| x.to_le_bytes()).collect();
                json!(base64::engine::general_purpose::STANDARD.encode(bytes))
            } else {
                json!(v)
            };
            json!({ "object": "embedding", "index": i, "embedding": embedding })
        })
        .collect();
    let prompt_tokens: usize = inputs.iter().map(|(_, n)| n).sum();
    ctx.finish(
        200,
        json!({
            "object": "list",
            "data": data,
            "model": model,
            "usage": { "prompt_tokens": prompt_tokens, "total_tokens": prompt_tokens }
        }),
    )
}
