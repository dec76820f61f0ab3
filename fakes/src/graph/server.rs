//! The HTTP side: one fallback handler that matches requests to spec operations, plus the
//! media download URL and the `/_fake/...` controls.

use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use anyhow::{bail, Context, Result};
use axum::body::{to_bytes, Body, Bytes};
use axum::extract::{FromRequest, Multipart, Request, State as AxState};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use rand::RngCore;
use serde_json::{json, Value};

use super::spec::Operation;
use super::webhook::{self, Business, StatusUpdate};
use super::{
    insert_media, seed_template, GraphErrorSpec, RecordedBody, RecordedRequest, SentMessage,
    Shared, State, WebhookDelivery, GRAPH_VERSION,
};

/// Meta caps media uploads at 100 MB.
const BODY_LIMIT: usize = 100 * 1024 * 1024;
/// Graph's default page size.
const DEFAULT_PAGE: usize = 25;

pub(super) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/whatsapp_business/attachments/", get(download_media))
        .route("/_fake/webhook", post(control_webhook))
        .route("/_fake/inbound", post(control_inbound))
        .route("/_fake/inbound_media", post(control_inbound_media))
        .route("/_fake/template", post(control_template))
        .route("/_fake/template_status", post(control_template_status))
        .route("/_fake/status", post(control_status))
        .route("/_fake/sent", get(control_sent))
        .route("/_fake/requests", get(control_requests))
        .route("/_fake/violations", get(control_violations))
        .fallback(graph)
        .with_state(shared)
}

/// The kind of object a path parameter names, which decides between look-alike templates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Version,
    Phone,
    Waba,
    Media,
    Template,
    Unknown,
}

fn kind_of(param: &str) -> Kind {
    match param {
        "Version" => Kind::Version,
        "Phone-Number-ID" => Kind::Phone,
        "WABA-ID" | "WhatsApp-Business-Account-ID" => Kind::Waba,
        "Media-ID" => Kind::Media,
        "TEMPLATE_ID" => Kind::Template,
        _ => Kind::Unknown,
    }
}

fn object_visible(s: &State, kind: Kind, id: &str, token: &str) -> bool {
    match kind {
        Kind::Version => true,
        Kind::Phone => s.phones.iter().any(|p| p.id == id && p.access_token == token),
        Kind::Waba => s.phones.iter().any(|p| p.waba_id == id && p.access_token == token),
        Kind::Media => s.media.contains_key(id),
        Kind::Template => s.templates.iter().any(|(waba, t)| {
            t.get("id").and_then(Value::as_str) == Some(id)
                && s.phones.iter().any(|p| &p.waba_id == waba && p.access_token == token)
        }),
        Kind::Unknown => false,
    }
}

struct Ctx {
    method: String,
    path: String,
    query: Vec<(String, String)>,
    body: RecordedBody,
    operation_id: Option<String>,
}

impl Ctx {
    fn finish(self, shared: &Shared, status: u16, response: Value) -> Response {
        let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        shared.state().requests.push(RecordedRequest {
            method: self.method,
            path: self.path,
            query: self.query,
            body: self.body,
            operation_id: self.operation_id,
            status,
            response: response.clone(),
        });
        (code, Json(response)).into_response()
    }

    fn fail(self, shared: &Shared, e: GraphErrorSpec) -> Response {
        let status = e.http_status;
        self.finish(shared, status, e.body())
    }

    /// Records a violation and answers with `e`.
    fn violation(self, shared: &Shared, detail: &str, e: GraphErrorSpec) -> Response {
        let label = self.operation_id.as_deref().map(|o| format!(" ({o})")).unwrap_or_default();
        shared.state().violations.push(format!("{} {}{label}: {detail}", self.method, self.path));
        self.fail(shared, e)
    }
}

fn bearer(headers: &HeaderMap, query: &[(String, String)]) -> Option<String> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(|t| t.trim().to_string())
        .or_else(|| query.iter().find(|(k, _)| k == "access_token").map(|(_, v)| v.clone()))
        .filter(|t| !t.is_empty())
}

fn parse_query(q: Option<&str>) -> Vec<(String, String)> {
    q.map(|q| url::form_urlencoded::parse(q.as_bytes()).into_owned().collect()).unwrap_or_default()
}

/// Body as JSON for validation: JSON as is; form fields as string properties; files as a
/// placeholder string (the spec types them `string`, `format: binary`).
struct ParsedBody {
    media_type: String,
    json: Value,
    recorded: RecordedBody,
    file: Option<(Vec<u8>, String)>,
}

async fn parse_body(
    headers: &HeaderMap,
    bytes: Bytes,
) -> std::result::Result<Option<ParsedBody>, String> {
    if bytes.is_empty() {
        return Ok(None);
    }
    let content_type =
        headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let media_type = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    match media_type.as_str() {
        "multipart/form-data" => {
            let req = axum::http::Request::builder()
                .header(header::CONTENT_TYPE, &content_type)
                .body(Body::from(bytes))
                .map_err(|e| e.to_string())?;
            let mut mp = Multipart::from_request(req, &()).await.map_err(|e| e.body_text())?;
            let mut fields = Vec::new();
            let mut obj = serde_json::Map::new();
            let mut file = None;
            while let Some(field) = mp.next_field().await.map_err(|e| e.body_text())? {
                let name = field.name().unwrap_or("").to_string();
                let is_file = field.file_name().is_some();
                let mime = field.content_type().unwrap_or("application/octet-stream").to_string();
                let data = field.bytes().await.map_err(|e| e.body_text())?;
                if is_file {
                    let shown = format!("<{} bytes, {mime}>", data.len());
                    obj.insert(name.clone(), json!(shown));
                    fields.push((name, shown));
                    file = Some((data.to_vec(), mime));
                } else {
                    let text = String::from_utf8_lossy(&data).into_owned();
                    obj.insert(name.clone(), json!(text));
                    fields.push((name, text));
                }
            }
            Ok(Some(ParsedBody {
                media_type,
                json: Value::Object(obj),
                recorded: RecordedBody::Form(fields),
                file,
            }))
        }
        "application/x-www-form-urlencoded" => {
            let fields: Vec<(String, String)> =
                url::form_urlencoded::parse(&bytes).into_owned().collect();
            let obj = fields.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
            Ok(Some(ParsedBody {
                media_type,
                json: Value::Object(obj),
                recorded: RecordedBody::Form(fields),
                file: None,
            }))
        }
        _ => match serde_json::from_slice::<Value>(&bytes) {
            Ok(v) => Ok(Some(ParsedBody {
                media_type: if media_type.is_empty() {
                    "application/json".into()
                } else {
                    media_type
                },
                recorded: RecordedBody::Json(v.clone()),
                json: v,
                file: None,
            })),
            Err(e) => Err(format!("request body is not valid JSON: {e}")),
        },
    }
}

async fn graph(AxState(shared): AxState<Arc<Shared>>, req: Request) -> Response {
    let response = handle(&shared, req).await;
    // After the request took effect: a client that gives up now lost Meta's answer.
    let answer_delay = shared.state().answer_delay;
    if !answer_delay.is_zero() {
        tokio::time::sleep(answer_delay).await;
    }
    response
}

async fn handle(shared: &Arc<Shared>, req: Request) -> Response {
    let shared = shared.clone();
    let (parts, body) = req.into_parts();
    let mut ctx = Ctx {
        method: parts.method.as_str().to_string(),
        path: parts.uri.path().to_string(),
        query: parse_query(parts.uri.query()),
        body: RecordedBody::Empty,
        operation_id: None,
    };
    let bytes = match to_bytes(body, BODY_LIMIT).await {
        Ok(b) => b,
        Err(e) => return ctx.fail(&shared, GraphErrorSpec::new(100, format!("body: {e}"))),
    };
    let latency = shared.state().latency;
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let parsed = parse_body(&parts.headers, bytes.clone()).await;
    ctx.body = match &parsed {
        Ok(Some(p)) => p.recorded.clone(),
        Ok(None) => RecordedBody::Empty,
        Err(_) => RecordedBody::Raw(String::from_utf8_lossy(&bytes).into_owned()),
    };

    // 1. Token.
    let Some(token) = bearer(&parts.headers, &ctx.query) else {
        return ctx.fail(&shared, GraphErrorSpec::missing_token());
    };
    if !shared.state().token_known(&token) {
        return ctx.fail(&shared, GraphErrorSpec::invalid_token());
    }

    // 2. Operation.
    let segments: Vec<&str> = ctx.path.trim_start_matches('/').split('/').collect();
    let spec = shared.spec.clone();
    let candidates = spec.candidates(&segments);
    if candidates.is_empty() {
        let path = ctx.path.clone();
        return ctx.violation(
            &shared,
            "no path template in the spec matches",
            GraphErrorSpec::unknown_path(&path),
        );
    }
    let method = ctx.method.clone();
    let same_method: Vec<_> = candidates.iter().filter(|(op, _)| op.method == method).collect();
    let first_id = segments.get(1).copied().unwrap_or("").to_string();
    if same_method.is_empty() {
        let templates: Vec<String> =
            candidates.iter().map(|(op, _)| format!("{} {}", op.method, op.template)).collect();
        return ctx.violation(
            &shared,
            &format!("the spec defines no {method} here (it has: {})", templates.join(", ")),
            GraphErrorSpec::unknown_object(&method, &first_id),
        );
    }
    let chosen = {
        let s = shared.state();
        same_method.iter().find(|(op, bound)| {
            op.path_param_names()
                .iter()
                .all(|p| bound.get(*p).is_some_and(|v| object_visible(&s, kind_of(p), v, &token)))
        })
    };
    let Some((op, bound)) = chosen.map(|c| (c.0, c.1.clone())) else {
        // Every look-alike template names an object this token cannot see.
        let unknown = same_method
            .first()
            .and_then(|(op, b)| {
                op.path_param_names().into_iter().find(|p| *p != "Version").and_then(|p| b.get(p))
            })
            .cloned()
            .unwrap_or(first_id);
        return ctx.fail(&shared, GraphErrorSpec::unknown_object(&method, &unknown));
    };
    ctx.operation_id = op.operation_id.clone();

    // 3. Injected failures.
    let injected = {
        let mut s = shared.state();
        let hit = s
            .failures
            .iter_mut()
            .find(|f| f.remaining > 0 && f.matcher.matches(&method, &ctx.path));
        hit.map(|f| {
            f.remaining -= 1;
            f.error.clone()
        })
    };
    if let Some(e) = injected {
        return ctx.fail(&shared, e);
    }

    // 4. Parameters and body against the spec.
    let mut problems = spec.check_params(op, &bound, &ctx.query);
    if bound.get("Version").is_some_and(|v| v != GRAPH_VERSION) {
        problems.push(format!("fake-graph serves {GRAPH_VERSION} only (its spec's version)"));
    }
    let parsed = match parsed {
        Ok(p) => p,
        Err(e) => return ctx.violation(&shared, &e, GraphErrorSpec::invalid_parameter(e.clone())),
    };
    match &parsed {
        Some(body) if op.body_media_types().next().is_some() => {
            problems.extend(spec.check_body(op, &body.media_type, &body.json));
        }
        None if op.body_required() => problems.push("request body: required by the spec".into()),
        _ => {}
    }
    if !problems.is_empty() {
        let details = problems.join("; ");
        return ctx.violation(
            &shared,
            &details,
            GraphErrorSpec::invalid_parameter(details.clone()),
        );
    }

    // 5. Behaviour.
    let id = |name: &str| bound.get(name).cloned().unwrap_or_default();
    match (op.method.as_str(), op.template.as_str()) {
        ("GET", "/{Version}/{Phone-Number-ID}") => {
            phone_info(&shared, ctx, op, &id("Phone-Number-ID"))
        }
        ("POST", "/{Version}/{Phone-Number-ID}/messages") => {
            let body = parsed.map(|p| p.json).unwrap_or(Value::Null);
            send_message(&shared, ctx, &id("Phone-Number-ID"), body)
        }
        ("POST", "/{Version}/{Phone-Number-ID}/media") => {
            upload_media(&shared, ctx, &id("Phone-Number-ID"), parsed)
        }
        ("GET", "/{Version}/{Media-ID}") => media_info(&shared, ctx, &id("Media-ID")),
        ("DELETE", "/{Version}/{Media-ID}") => {
            shared.state().media.remove(&id("Media-ID"));
            ctx.finish(&shared, 200, json!({ "success": true }))
        }
        ("GET", "/{Version}/{WABA-ID}/message_templates") => {
            list_templates(&shared, ctx, &id("WABA-ID"))
        }
        ("POST", "/{Version}/{WABA-ID}/message_templates") => {
            let body = parsed.map(|p| p.json).unwrap_or(Value::Null);
            create_template(&shared, ctx, &id("WABA-ID"), body)
        }
        ("GET", "/{Version}/{TEMPLATE_ID}") => {
            let tid = id("TEMPLATE_ID");
            let t = shared
                .state()
                .templates
                .iter()
                .find(|(_, t)| t.get("id").and_then(Value::as_str) == Some(tid.as_str()))
                .map(|(_, t)| t.clone())
                .unwrap_or(Value::Null);
            ctx.finish(&shared, 200, t)
        }
        _ => {
            let label = op.label();
            ctx.violation(
                &shared,
                "operation not implemented by the fake",
                GraphErrorSpec::unimplemented(&label),
            )
        }
    }
}

fn phone_info(shared: &Shared, ctx: Ctx, op: &Operation, phone_id: &str) -> Response {
    let Some(phone) = shared.state().phones.iter().find(|p| p.id == phone_id).cloned() else {
        return ctx.fail(shared, GraphErrorSpec::unknown_object("GET", phone_id));
    };
    let all = json!({
        "id": phone.id,
        "display_phone_number": phone.display_phone_number,
        "verified_name": phone.verified_name,
        "quality_rating": phone.quality_rating,
        "name_status": "APPROVED",
        "code_verification_status": "VERIFIED",
    });
    // The fields a client may ask for are the response schema's properties.
    let known: Vec<String> = op_response_properties(shared, op);
    let requested = ctx.query.iter().find(|(k, _)| k == "fields").map(|(_, v)| v.clone());
    let mut out = serde_json::Map::new();
    out.insert("id".into(), all["id"].clone());
    match requested {
        None => {
            for f in ["display_phone_number", "verified_name", "quality_rating"] {
                out.insert(f.into(), all[f].clone());
            }
        }
        Some(fields) => {
            for f in fields.split(',').map(str::trim).filter(|f| !f.is_empty()) {
                if !known.iter().any(|k| k == f) {
                    let msg = format!(
                        "(#100) Tried accessing nonexisting field ({f}) on node type \
                         (WhatsAppBusinessPhoneNumber)"
                    );
                    let detail = format!("fields: `{f}` is not a property of the spec's response");
                    return ctx.violation(shared, &detail, GraphErrorSpec::new(100, msg));
                }
                if let Some(v) = all.get(f) {
                    out.insert(f.into(), v.clone());
                }
            }
        }
    }
    ctx.finish(shared, 200, Value::Object(out))
}

fn op_response_properties(shared: &Shared, op: &Operation) -> Vec<String> {
    let doc = shared.spec.document();
    let schema = doc
        .pointer("/paths")
        .and_then(|p| p.get(&op.template))
        .and_then(|p| p.get(op.method.to_ascii_lowercase()))
        .and_then(|o| o.pointer("/responses/200/content/application~1json/schema"));
    let schema = match schema.and_then(|s| s.get("$ref")).and_then(Value::as_str) {
        Some(r) => r.strip_prefix('#').and_then(|p| doc.pointer(p)),
        None => schema,
    };
    schema
        .and_then(|s| s.get("properties"))
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

fn now_secs() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

fn new_wamid(s: &mut State) -> String {
    let mut raw = [0u8; 18];
    rand::thread_rng().fill_bytes(&mut raw);
    let n = s.next_id();
    let mut bytes = n.to_be_bytes().to_vec();
    bytes.extend_from_slice(&raw);
    format!("wamid.{}", base64::engine::general_purpose::STANDARD.encode(bytes))
}

/// Counts distinct `{{n}}` / `{{name}}` placeholders.
fn placeholder_count(text: &str) -> usize {
    let mut seen = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else { break };
        let name = after[..end].trim().to_string();
        if !seen.contains(&name) {
            seen.push(name);
        }
        rest = &after[end + 2..];
    }
    seen.len()
}

fn check_template(s: &State, waba_id: &str, body: &Value) -> Option<GraphErrorSpec> {
    let name = body.pointer("/template/name").and_then(Value::as_str).unwrap_or("");
    let lang = body.pointer("/template/language/code").and_then(Value::as_str).unwrap_or("");
    let found = s.templates.iter().find(|(waba, t)| {
        waba == waba_id
            && t.get("name").and_then(Value::as_str) == Some(name)
            && t.get("language").and_then(Value::as_str) == Some(lang)
    });
    let Some((_, template)) = found else {
        return Some(
            GraphErrorSpec::new(
                132001,
                "(#132001) Template name does not exist in the translation",
            )
            .details(format!("template name ({name}) does not exist in {lang}")),
        );
    };
    if template.get("status").and_then(Value::as_str) != Some("APPROVED") {
        return Some(
            GraphErrorSpec::new(
                132001,
                "(#132001) Template name does not exist in the translation",
            )
            .details(format!("template name ({name}) is not approved in {lang}")),
        );
    }
    let expected = template
        .get("components")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find(|c| {
            c.get("type").and_then(Value::as_str).is_some_and(|t| t.eq_ignore_ascii_case("body"))
        })
        .and_then(|c| c.get("text").and_then(Value::as_str))
        .map(placeholder_count)
        .unwrap_or(0);
    let given = body
        .pointer("/template/components")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find(|c| c.get("type").and_then(Value::as_str) == Some("body"))
        .and_then(|c| c.get("parameters").and_then(Value::as_array))
        .map_or(0, Vec::len);
    (expected != given).then(|| {
        GraphErrorSpec::new(132000, "(#132000) Number of parameters does not match the expected number of params")
            .details(format!(
                "body: number of localizable_params ({given}) does not match the expected number of params ({expected})"
            ))
    })
}

fn send_message(shared: &Arc<Shared>, ctx: Ctx, phone_id: &str, body: Value) -> Response {
    let mut s = shared.state();
    // Throughput.
    if s.rate_limit > 0 {
        let limit = s.rate_limit as usize;
        let now = Instant::now();
        let window = s.send_times.entry(phone_id.to_string()).or_default();
        while window.front().is_some_and(|t| now.duration_since(*t).as_secs_f64() >= 1.0) {
            window.pop_front();
        }
        if window.len() >= limit {
            drop(s);
            return ctx.fail(shared, GraphErrorSpec::rate_limited());
        }
        window.push_back(now);
    }
    if body.get("status").and_then(Value::as_str) == Some("read") {
        drop(s);
        return ctx.finish(shared, 200, json!({ "success": true }));
    }
    let is_template = body.get("type").and_then(Value::as_str) == Some("template");
    if is_template && shared.config.strict_templates {
        let waba = s
            .phones
            .iter()
            .find(|p| p.id == phone_id)
            .map(|p| p.waba_id.clone())
            .unwrap_or_default();
        if let Some(e) = check_template(&s, &waba, &body) {
            drop(s);
            return ctx.fail(shared, e);
        }
    }
    let wamid = new_wamid(&mut s);
    let to = body.get("to").and_then(Value::as_str).unwrap_or("").to_string();
    let wa_id: String = to.chars().filter(char::is_ascii_digit).collect();
    let accepted_at_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| u64::try_from(since.as_millis()).unwrap_or(u64::MAX));
    s.sent.push(SentMessage {
        wamid: wamid.clone(),
        phone_number_id: phone_id.to_string(),
        body,
        accepted_at_ms,
    });
    let auto = s.auto_status && s.webhook.is_some();
    drop(s);
    let mut message = json!({ "id": wamid });
    if is_template {
        message["message_status"] = json!("accepted");
    }
    if auto {
        let shared = shared.clone();
        let wamid = wamid.clone();
        tokio::spawn(async move {
            for update in [StatusUpdate::Sent, StatusUpdate::Delivered] {
                if let Err(e) = emit_status(&shared, &wamid, &update).await {
                    tracing::warn!(error = %e, "auto status webhook failed");
                }
            }
        });
    }
    ctx.finish(
        shared,
        200,
        json!({
            "messaging_product": "whatsapp",
            "contacts": [{ "input": to, "wa_id": wa_id }],
            "messages": [message]
        }),
    )
}

fn upload_media(shared: &Shared, ctx: Ctx, phone_id: &str, parsed: Option<ParsedBody>) -> Response {
    let Some(body) = parsed else {
        return ctx.violation(
            shared,
            "media upload without a body",
            GraphErrorSpec::invalid_parameter("file is required"),
        );
    };
    if body.json.get("messaging_product").and_then(Value::as_str) != Some("whatsapp") {
        let d = "messaging_product: must be `whatsapp` (Meta requires it on uploads)";
        return ctx.violation(shared, d, GraphErrorSpec::invalid_parameter(d));
    }
    let Some((bytes, part_mime)) = body.file else {
        let d = "file: a multipart file part is required";
        return ctx.violation(shared, d, GraphErrorSpec::invalid_parameter(d));
    };
    let mime =
        body.json.get("type").and_then(Value::as_str).map(str::to_string).unwrap_or(part_mime);
    let id = insert_media(&mut shared.state(), bytes, mime, Some(phone_id.to_string()));
    ctx.finish(shared, 200, json!({ "id": id }))
}

fn media_info(shared: &Shared, ctx: Ctx, media_id: &str) -> Response {
    let media = shared.state().media.get(media_id).cloned();
    let Some(m) = media else {
        return ctx.fail(shared, GraphErrorSpec::unknown_object("GET", media_id));
    };
    if let Some((_, want)) = ctx.query.iter().find(|(k, _)| k == "phone_number_id") {
        if m.owner_phone.as_deref().is_some_and(|o| o != want) {
            return ctx.fail(shared, GraphErrorSpec::unknown_object("GET", media_id));
        }
    }
    let url = format!("{}/whatsapp_business/attachments/?mid={media_id}", shared.origin);
    ctx.finish(
        shared,
        200,
        json!({
            "messaging_product": "whatsapp",
            "url": url,
            "mime_type": m.mime,
            "sha256": m.sha256,
            "file_size": m.bytes.len().to_string(),
            "id": media_id,
        }),
    )
}

fn list_templates(shared: &Shared, ctx: Ctx, waba_id: &str) -> Response {
    let q = |k: &str| ctx.query.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone());
    let name = q("name");
    let status = q("status");
    let limit =
        q("limit").and_then(|l| l.parse::<usize>().ok()).filter(|l| *l > 0).unwrap_or(DEFAULT_PAGE);
    let start = match q("after") {
        None => 0,
        Some(c) => match decode_cursor(&c) {
            Some(i) => i,
            None => {
                let d = format!("after: `{c}` is not a cursor this API returned");
                return ctx.violation(shared, &d, GraphErrorSpec::invalid_parameter(d.clone()));
            }
        },
    };
    let all: Vec<Value> = shared
        .state()
        .templates
        .iter()
        .filter(|(w, _)| w == waba_id)
        .map(|(_, t)| t.clone())
        .filter(|t| name.as_ref().is_none_or(|n| t.get("name").and_then(Value::as_str) == Some(n)))
        .filter(|t| {
            status.as_ref().is_none_or(|st| t.get("status").and_then(Value::as_str) == Some(st))
        })
        .collect();
    let page: Vec<Value> = all.iter().skip(start).take(limit).cloned().collect();
    let mut paging = json!({});
    if !page.is_empty() {
        paging["cursors"] = json!({
            "before": encode_cursor(start),
            "after": encode_cursor(start + page.len() - 1 + 1),
        });
        if start + page.len() < all.len() {
            let mut next = url::Url::parse(&format!("{}{}", shared.origin, ctx.path))
                .unwrap_or_else(|_| unreachable!("origin and path form a URL"));
            {
                let mut pairs = next.query_pairs_mut();
                for (k, v) in ctx.query.iter().filter(|(k, _)| k != "after") {
                    pairs.append_pair(k, v);
                }
                pairs.append_pair("after", &encode_cursor(start + page.len()));
            }
            paging["next"] = json!(next.to_string());
        }
        if start > 0 {
            paging["previous"] =
                json!(format!("{}{}?before={}", shared.origin, ctx.path, encode_cursor(start)));
        }
    }
    ctx.finish(shared, 200, json!({ "data": page, "paging": paging }))
}

fn encode_cursor(i: usize) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("idx:{i}"))
}

fn decode_cursor(c: &str) -> Option<usize> {
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(c).ok()?;
    String::from_utf8(raw).ok()?.strip_prefix("idx:")?.parse().ok()
}

fn create_template(shared: &Shared, ctx: Ctx, waba_id: &str, body: Value) -> Response {
    // The spec marks nothing required; Meta rejects a create without these.
    let missing: Vec<&str> = ["name", "language", "category", "components"]
        .into_iter()
        .filter(|k| body.get(*k).is_none_or(Value::is_null))
        .collect();
    if !missing.is_empty() {
        let d = format!("{}: required by Meta to create a template", missing.join(", "));
        return ctx.violation(shared, &d, GraphErrorSpec::invalid_parameter(d.clone()));
    }
    let name = body["name"].clone();
    let language = body["language"].clone();
    let exists = shared.state().templates.iter().any(|(w, t)| {
        w == waba_id && t.get("name") == Some(&name) && t.get("language") == Some(&language)
    });
    if exists {
        return ctx.fail(
            shared,
            GraphErrorSpec::new(100, "Invalid parameter")
                .subcode(2388024)
                .details(format!("Content in this language already exists: {name} {language}")),
        );
    }
    let category = body["category"].clone();
    let mut t = body;
    t["status"] = json!("PENDING");
    t.as_object_mut().map(|o| o.remove("id"));
    let id = {
        let mut s = shared.state();
        let id = (5_000_000_000_000u64 + s.next_id()).to_string();
        t["id"] = json!(id);
        s.templates.push((waba_id.to_string(), t));
        id
    };
    ctx.finish(shared, 200, json!({ "id": id, "status": "PENDING", "category": category }))
}

async fn download_media(
    AxState(shared): AxState<Arc<Shared>>,
    method: Method,
    uri: axum::http::Uri,
    headers: HeaderMap,
) -> Response {
    let query = parse_query(uri.query());
    let ctx = Ctx {
        method: method.to_string(),
        path: uri.path().to_string(),
        query: query.clone(),
        body: RecordedBody::Empty,
        operation_id: None,
    };
    let Some(token) = bearer(&headers, &[]) else {
        return ctx.fail(&shared, GraphErrorSpec::missing_token());
    };
    if !shared.state().token_known(&token) {
        return ctx.fail(&shared, GraphErrorSpec::invalid_token());
    }
    let mid = query.iter().find(|(k, _)| k == "mid").map(|(_, v)| v.clone()).unwrap_or_default();
    let media = shared.state().media.get(&mid).cloned();
    let Some(m) = media else {
        return ctx.fail(&shared, GraphErrorSpec::unknown_object("GET", &mid).status(404));
    };
    shared.state().requests.push(RecordedRequest {
        method: ctx.method,
        path: ctx.path,
        query,
        body: RecordedBody::Empty,
        operation_id: None,
        status: 200,
        response: Value::Null,
    });
    ([(header::CONTENT_TYPE, m.mime)], m.bytes).into_response()
}

// ---- webhooks ----------------------------------------------------------------------------

pub(super) async fn deliver(
    shared: &Shared,
    payload: Value,
    wamid: Option<String>,
) -> Result<WebhookDelivery> {
    let Some(hook) = shared.state().webhook.clone() else {
        bail!("no webhook set: call set_webhook first");
    };
    let raw = serde_json::to_vec(&payload).context("serialising the webhook")?;
    let signature = webhook::signature_header(&hook.app_secret, &raw);
    let sent = shared
        .http
        .post(&hook.url)
        .header(header::CONTENT_TYPE, "application/json")
        .header("X-Hub-Signature-256", &signature)
        .body(raw)
        .send()
        .await;
    let delivery = match sent {
        Ok(r) => {
            let status = r.status().as_u16();
            let response = r.text().await.unwrap_or_default();
            WebhookDelivery { payload, signature, status: Some(status), response, wamid }
        }
        Err(e) => {
            let d = WebhookDelivery {
                payload,
                signature,
                status: None,
                response: e.to_string(),
                wamid,
            };
            shared.state().deliveries.push(d);
            return Err(e).with_context(|| format!("posting the webhook to {}", hook.url));
        }
    };
    shared.state().deliveries.push(delivery.clone());
    Ok(delivery)
}

pub(super) async fn emit_status(
    shared: &Shared,
    wamid: &str,
    update: &StatusUpdate,
) -> Result<WebhookDelivery> {
    let payload = {
        let s = shared.state();
        let sent = s
            .sent
            .iter()
            .find(|m| m.wamid == wamid)
            .context("unknown wamid: not a message the fake accepted")?;
        let phone = s
            .phones
            .iter()
            .find(|p| p.id == sent.phone_number_id)
            .context("the sending phone number is gone")?;
        let recipient: String =
            sent.to().unwrap_or("").chars().filter(char::is_ascii_digit).collect();
        let b = Business {
            waba_id: &phone.waba_id,
            phone_number_id: &phone.id,
            display_phone_number: &phone.display_phone_number,
        };
        let tracker = sent.body.get("biz_opaque_callback_data").and_then(Value::as_str);
        webhook::status_payload(&b, wamid, &recipient, tracker, update, now_secs())
    };
    deliver(shared, payload, Some(wamid.to_string())).await
}

pub(super) async fn emit_inbound(
    shared: &Shared,
    phone_number_id: Option<&str>,
    from: &str,
    name: &str,
    message: Value,
) -> Result<WebhookDelivery> {
    emit_inbound_at(shared, phone_number_id, from, name, message, now_secs()).await
}

/// [`emit_inbound`] with Meta's `timestamp` (Unix seconds) of when the customer sent it.
async fn emit_inbound_at(
    shared: &Shared,
    phone_number_id: Option<&str>,
    from: &str,
    name: &str,
    message: Value,
    timestamp: i64,
) -> Result<WebhookDelivery> {
    let (payload, wamid) = {
        let mut s = shared.state();
        let phone = match phone_number_id {
            Some(id) => s.phones.iter().find(|p| p.id == id),
            None => s.phones.first(),
        }
        .cloned()
        .context("no such phone number registered")?;
        let wamid = new_wamid(&mut s);
        let b = Business {
            waba_id: &phone.waba_id,
            phone_number_id: &phone.id,
            display_phone_number: &phone.display_phone_number,
        };
        (webhook::inbound_payload(&b, from, name, &wamid, timestamp, message), wamid)
    };
    deliver(shared, payload, Some(wamid)).await
}

// ---- /_fake controls ---------------------------------------------------------------------

fn control_error(e: &anyhow::Error) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({ "error": format!("{e:#}") }))).into_response()
}

/// Points webhooks somewhere else: a browser test only learns the callback URL after it created
/// the connection in the UI, long after the fake started.
async fn control_webhook(
    AxState(shared): AxState<Arc<Shared>>,
    Json(body): Json<Value>,
) -> Response {
    let s = |k: &str| body.get(k).and_then(Value::as_str).map(str::to_string);
    let (Some(url), Some(app_secret)) = (s("url"), s("app_secret")) else {
        return control_error(&anyhow::anyhow!("expected {{url, app_secret}}"));
    };
    if let Err(e) = url::Url::parse(&url) {
        return control_error(&anyhow::anyhow!("url {url:?} is not a URL: {e}"));
    }
    shared.state().webhook = Some(super::Webhook { url: url.clone(), app_secret });
    Json(json!({ "url": url })).into_response()
}

async fn control_inbound(
    AxState(shared): AxState<Arc<Shared>>,
    Json(body): Json<Value>,
) -> Response {
    let s = |k: &str| body.get(k).and_then(Value::as_str).map(str::to_string);
    let (Some(from), Some(text)) = (s("from"), s("text")) else {
        return control_error(&anyhow::anyhow!(
            "expected {{from, name?, text, phone_number_id?, sent_seconds_ago?}}"
        ));
    };
    let name = s("name").unwrap_or_else(|| "Demo User".into());
    let message = json!({ "type": "text", "text": { "body": text } });
    // An old message (e.g. two days ago) leaves the 24-hour service window closed.
    let ago = body.get("sent_seconds_ago").and_then(Value::as_i64).unwrap_or(0).max(0);
    let phone = s("phone_number_id");
    match emit_inbound_at(&shared, phone.as_deref(), &from, &name, message, now_secs() - ago).await
    {
        Ok(d) => Json(d).into_response(),
        Err(e) => control_error(&e),
    }
}

/// A customer sends media: the bytes are stored as Meta media (downloadable with the phone's
/// token, like real inbound media) and a signed `image`/`audio`/... webhook is posted.
async fn control_inbound_media(
    AxState(shared): AxState<Arc<Shared>>,
    Json(body): Json<Value>,
) -> Response {
    let s = |k: &str| body.get(k).and_then(Value::as_str).map(str::to_string);
    let usage = "expected {from, name?, kind: image|audio|video|document|sticker, mime_type, \
                 data_base64, caption?, filename?, phone_number_id?}";
    let (Some(from), Some(kind), Some(mime), Some(data)) =
        (s("from"), s("kind"), s("mime_type"), s("data_base64"))
    else {
        return control_error(&anyhow::anyhow!(usage));
    };
    if !["image", "audio", "video", "document", "sticker"].contains(&kind.as_str()) {
        return control_error(&anyhow::anyhow!("unknown kind {kind:?}; {usage}"));
    }
    let bytes = match base64::engine::general_purpose::STANDARD.decode(data.trim()) {
        Ok(bytes) => bytes,
        Err(e) => return control_error(&anyhow::anyhow!("data_base64: {e}")),
    };
    let (media_id, sha256) = {
        let mut state = shared.state();
        let id = insert_media(&mut state, bytes, mime.clone(), None);
        let sha256 = state.media.get(&id).map(|m| m.sha256.clone()).unwrap_or_default();
        (id, sha256)
    };
    let mut media = json!({ "id": media_id, "mime_type": mime, "sha256": sha256 });
    for field in ["caption", "filename"] {
        if let Some(value) = s(field) {
            media[field] = json!(value);
        }
    }
    let name = s("name").unwrap_or_else(|| "Demo User".into());
    let mut message = json!({ "type": kind });
    message[kind.as_str()] = media;
    match emit_inbound(&shared, s("phone_number_id").as_deref(), &from, &name, message).await {
        Ok(d) => Json(json!({ "media_id": media_id, "delivery": d })).into_response(),
        Err(e) => control_error(&e),
    }
}

/// Seeds a template as if it had been created and reviewed at Meta (`status` defaults to
/// `APPROVED`); the WABA defaults to the first phone number's.
async fn control_template(
    AxState(shared): AxState<Arc<Shared>>,
    Json(mut body): Json<Value>,
) -> Response {
    let usage = "expected {name, language, category, components, status?, waba_id?}";
    for field in ["name", "language", "category"] {
        if body.get(field).and_then(Value::as_str).is_none() {
            return control_error(&anyhow::anyhow!("{field} is missing; {usage}"));
        }
    }
    if !body.get("components").is_some_and(Value::is_array) {
        return control_error(&anyhow::anyhow!("components must be an array; {usage}"));
    }
    let mut state = shared.state();
    let waba = match body.as_object_mut().and_then(|o| o.remove("waba_id")) {
        Some(Value::String(waba)) => waba,
        _ => match state.phones.first() {
            Some(phone) => phone.waba_id.clone(),
            None => return control_error(&anyhow::anyhow!("no phone number configured")),
        },
    };
    let id = seed_template(&mut state, &waba, body);
    Json(json!({ "id": id, "waba_id": waba })).into_response()
}

/// Meta finished reviewing a template: its status changes here and a signed
/// `message_template_status_update` webhook (shaped like Meta's) is posted.
async fn control_template_status(
    AxState(shared): AxState<Arc<Shared>>,
    Json(body): Json<Value>,
) -> Response {
    let s = |k: &str| body.get(k).and_then(Value::as_str).map(str::to_string);
    let (Some(name), Some(language), Some(status)) = (s("name"), s("language"), s("status")) else {
        return control_error(&anyhow::anyhow!(
            "expected {{name, language, status: APPROVED|REJECTED|PAUSED|DISABLED, reason?}}"
        ));
    };
    let payload = {
        let mut state = shared.state();
        let Some((waba, template)) = state.templates.iter_mut().find(|(_, t)| {
            t.get("name").and_then(Value::as_str) == Some(name.as_str())
                && t.get("language").and_then(Value::as_str) == Some(language.as_str())
        }) else {
            return control_error(&anyhow::anyhow!("no template {name}/{language} at the fake"));
        };
        template["status"] = json!(status);
        let id = template.get("id").and_then(Value::as_str).unwrap_or_default();
        let mut value = json!({
            "event": status,
            "message_template_id": id.parse::<u64>().map_or_else(|_| json!(id), |n| json!(n)),
            "message_template_name": name,
            "message_template_language": language,
            "reason": s("reason").unwrap_or_else(|| "NONE".into()),
        });
        if let Some(category) = template.get("category") {
            value["message_template_category"] = category.clone();
        }
        if let Some(reason) = s("reason") {
            value["rejection_info"] = json!({ "reason": reason, "recommendation": "" });
        }
        json!({
            "object": "whatsapp_business_account",
            "entry": [{
                "id": waba.clone(),
                "time": now_secs(),
                "changes": [{ "value": value, "field": "message_template_status_update" }]
            }]
        })
    };
    match deliver(&shared, payload, None).await {
        Ok(d) => Json(d).into_response(),
        Err(e) => control_error(&e),
    }
}

async fn control_status(
    AxState(shared): AxState<Arc<Shared>>,
    Json(body): Json<Value>,
) -> Response {
    let s = |k: &str| body.get(k).and_then(Value::as_str).map(str::to_string);
    let Some(wamid) = s("wamid") else {
        return control_error(&anyhow::anyhow!("expected {{wamid, status}}"));
    };
    let update = match s("status").as_deref() {
        Some("sent") => StatusUpdate::Sent,
        Some("delivered") => StatusUpdate::Delivered,
        Some("read") => StatusUpdate::Read,
        Some("failed") => StatusUpdate::Failed {
            code: body.get("code").and_then(Value::as_i64).unwrap_or(131026),
            title: s("title").unwrap_or_else(|| "Message undeliverable".into()),
            details: s("details").unwrap_or_else(|| "Message undeliverable".into()),
        },
        other => return control_error(&anyhow::anyhow!("unknown status {other:?}")),
    };
    match emit_status(&shared, &wamid, &update).await {
        Ok(d) => Json(d).into_response(),
        Err(e) => control_error(&e),
    }
}

async fn control_sent(AxState(shared): AxState<Arc<Shared>>) -> Response {
    Json(shared.state().sent.clone()).into_response()
}

async fn control_requests(AxState(shared): AxState<Arc<Shared>>) -> Response {
    Json(shared.state().requests.clone()).into_response()
}

async fn control_violations(AxState(shared): AxState<Arc<Shared>>) -> Response {
    Json(shared.state().violations.clone()).into_response()
}
