//! Meta's OpenAPI 3.1 document, loaded at run time and turned into request checks.
//!
//! Nothing here is a hand copy of Meta's schemas: paths, methods, parameters and request-body
//! schemas all come from the YAML file. What *is* written by hand is listed in [`ERRATA`]: a short
//! table of corrections for places where the published spec contradicts Meta's own examples and
//! documentation (each entry says why), plus two structural rewrites that make the OpenAPI
//! idioms mean what their authors intended when read as plain JSON Schema 2020-12
//! (see [`close_all_of`] and [`dispatch_discriminators`]).

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result};
use serde_json::{json, Value};

use crate::openapi::{apply_errata, remove_required, resolve_ref, SchemaCache};
pub use crate::openapi::{
    close_all_of, dispatch_base_discriminators, dispatch_discriminators, json_path, yaml_to_json,
    Erratum,
};

/// One operation of the spec (`paths.<template>.<method>`).
#[derive(Debug)]
pub struct Operation {
    /// Upper-case HTTP method.
    pub method: String,
    /// The path template as written in the spec, e.g. `/{Version}/{Phone-Number-ID}/messages`.
    pub template: String,
    /// `operationId`, when the spec gives one.
    pub operation_id: Option<String>,
    segments: Vec<Segment>,
    params: Vec<Param>,
    /// Request body schemas by media type (`application/json`, `multipart/form-data`, ...).
    bodies: Vec<(String, Value)>,
    body_required: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Param(String),
}

#[derive(Debug)]
struct Param {
    name: String,
    location: String,
    required: bool,
    schema: Value,
}

impl Operation {
    /// Names of the path parameters, in order, e.g. `["Version", "Phone-Number-ID"]`.
    pub fn path_param_names(&self) -> Vec<&str> {
        self.segments
            .iter()
            .filter_map(|s| match s {
                Segment::Param(p) => Some(p.as_str()),
                Segment::Literal(_) => None,
            })
            .collect()
    }

    /// A short label for messages: `operationId (METHOD template)`.
    pub fn label(&self) -> String {
        format!(
            "{} ({} {})",
            self.operation_id.as_deref().unwrap_or("<no operationId>"),
            self.method,
            self.template
        )
    }

    /// Media types the request body may use.
    pub fn body_media_types(&self) -> impl Iterator<Item = &str> {
        self.bodies.iter().map(|(m, _)| m.as_str())
    }

    /// Binds the request path to this operation's template; `None` when the shape differs.
    pub fn bind(&self, segments: &[&str]) -> Option<HashMap<String, String>> {
        if segments.len() != self.segments.len() {
            return None;
        }
        let mut out = HashMap::new();
        for (seg, actual) in self.segments.iter().zip(segments) {
            match seg {
                Segment::Literal(l) if l == actual => {}
                Segment::Literal(_) => return None,
                Segment::Param(p) => {
                    out.insert(p.clone(), (*actual).to_string());
                }
            }
        }
        Some(out)
    }

    fn literal_count(&self) -> usize {
        self.segments.iter().filter(|s| matches!(s, Segment::Literal(_))).count()
    }
}

fn button_index(v: &mut Value) -> bool {
    let Some(obj) = v.as_object_mut() else { return false };
    obj.insert("type".into(), json!(["string", "integer"]));
    obj.insert("pattern".into(), json!("^[0-9]$"));
    obj.insert("minimum".into(), json!(0));
    obj.insert("maximum".into(), json!(9));
    true
}

fn button_sub_type(v: &mut Value) -> bool {
    let Some(obj) = v.as_object_mut() else { return false };
    if obj.remove("enum").is_none() {
        return false;
    }
    obj.insert(
        "pattern".into(),
        json!("^(?i)(quick_reply|url|catalog|flow|copy_code|mpm|voice_call|order_details)$"),
    );
    true
}

fn extend_enum(v: &mut Value, extra: &[&str]) -> bool {
    let Some(values) = v.get_mut("enum").and_then(Value::as_array_mut) else { return false };
    for e in extra {
        if !values.iter().any(|x| x.as_str() == Some(e)) {
            values.push(json!(e));
        }
    }
    true
}

fn number_or_string(v: &mut Value) -> bool {
    let Some(obj) = v.as_object_mut() else { return false };
    obj.insert("type".into(), json!(["number", "string"]));
    true
}

/// The hand-written corrections. Each one is checked by a test (`all_errata_apply`), so a new
/// spec revision that fixes or moves a schema makes the test suite say so.
pub const ERRATA: &[Erratum] = &[
    Erratum {
        pointer: "/components/schemas/BaseMessageProperties",
        why: "`recipient_type` and `type` are listed as required, but Meta documents both as \
              optional (defaults `individual` and `text`) and the spec's own examples \
              `Send Contact Message` and `Send Text Message with Preview URL` omit them.",
        apply: |v| remove_required(v, &["recipient_type", "type"]),
    },
    Erratum {
        pointer: "/components/schemas/Message",
        why: "The `sendMessage` body schema has no branch for mark-as-read / typing indicator \
              (`{messaging_product, status: read, message_id, typing_indicator?}`), although the \
              operation's example `Send typing indicator and read receipt` posts exactly that; \
              and a body without `type` is a text message (Meta's default). The original \
              schema is kept as the `else` branch.",
        apply: |v| {
            let original = v.take();
            *v = json!({
                "if": { "required": ["status"] },
                "then": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["messaging_product", "status", "message_id"],
                    "properties": {
                        "messaging_product": { "type": "string", "enum": ["whatsapp"] },
                        "status": { "type": "string", "enum": ["read"] },
                        "message_id": { "type": "string" },
                        "typing_indicator": {
                            "type": "object",
                            "additionalProperties": false,
                            "required": ["type"],
                            "properties": { "type": { "type": "string", "enum": ["text"] } }
                        }
                    }
                },
                "else": {
                    "if": { "required": ["type"] },
                    "then": original,
                    "else": { "$ref": "#/components/schemas/TextMessage" }
                }
            });
            true
        },
    },
    Erratum {
        pointer: "/components/schemas/BaseMessageProperties/properties",
        why: "The message schemas omit `biz_opaque_callback_data`, the tracking string (≤ 512 \
              characters) a sender may attach to any message and that Meta returns on that \
              message's status webhooks: Meta's status webhook reference lists the field \
              (\"included in sent messages\"), and `conformance/pywa/split/\
              message_status__with_tracker.json` is a real status carrying it. The spec itself \
              declares it, with the same limit, only on calls.",
        apply: |v| match v.as_object_mut() {
            Some(o) if !o.contains_key("biz_opaque_callback_data") => {
                o.insert(
                    "biz_opaque_callback_data".into(),
                    json!({ "type": "string", "maxLength": 512 }),
                );
                true
            }
            _ => false,
        },
    },
    Erratum {
        pointer: "/components/schemas/TextMessage/allOf/1/properties/text",
        why: "`text.body` is not marked required, but the Cloud API rejects a text message \
              without it (#100); every text example has it.",
        apply: |v| match v.as_object_mut() {
            Some(o) if !o.contains_key("required") => {
                o.insert("required".into(), json!(["body"]));
                true
            }
            _ => false,
        },
    },
    Erratum {
        pointer: "/components/schemas/ReactionMessage/allOf/1/properties/reaction",
        why: "`reaction.message_id` is not marked required, but a reaction must name the \
              message it reacts to; `emoji` may be empty (un-react) so it stays optional.",
        apply: |v| match v.as_object_mut() {
            Some(o) if !o.contains_key("required") => {
                o.insert("required".into(), json!(["message_id"]));
                true
            }
            _ => false,
        },
    },
    Erratum {
        pointer: "/components/schemas/LanguageObject",
        why: "`language.policy` is listed as required, but Meta documents it as optional \
              (only value `deterministic`) and 7 of the spec's template examples omit it.",
        apply: |v| remove_required(v, &["policy"]),
    },
    Erratum {
        pointer: "/components/schemas/TemplateComponent/properties/index",
        why: "Button `index` is typed string with pattern `^[2-6, 11-14]$` (a garbled character \
              class that rejects \"0\" and \"1\"); Meta documents 0-9 and the spec's examples \
              send both `\"0\"` and `0`.",
        apply: button_index,
    },
    Erratum {
        pointer: "/components/schemas/ButtonComponent/allOf/1/properties/index",
        why: "Same as TemplateComponent.index (duplicated in ButtonComponent).",
        apply: button_index,
    },
    Erratum {
        pointer: "/components/schemas/TemplateComponent/properties/sub_type",
        why: "Button `sub_type` enum lists only quick_reply/url/catalog, but the spec's own \
              examples send `flow` and `CATALOG` (Meta matches case-insensitively, and also \
              documents copy_code, mpm, voice_call, order_details).",
        apply: button_sub_type,
    },
    Erratum {
        pointer: "/components/schemas/ButtonComponent/allOf/1/properties/sub_type",
        why: "Same as TemplateComponent.sub_type (duplicated in ButtonComponent).",
        apply: button_sub_type,
    },
    Erratum {
        pointer: "/components/schemas/ButtonParameterObject/properties/type",
        why: "Button parameter `type` enum lists only payload/text, but the spec's own catalog \
              and flow template examples send `action` (and Meta documents `coupon_code` for \
              copy-code buttons).",
        apply: |v| extend_enum(v, &["action", "coupon_code"]),
    },
    Erratum {
        pointer: "/components/schemas/PhoneObject/properties/type",
        why: "Contact phone `type` enum lists only HOME/WORK; Meta documents the standard \
              values CELL, MAIN, IPHONE, HOME and WORK.",
        apply: |v| extend_enum(v, &["CELL", "MAIN", "IPHONE"]),
    },
    Erratum {
        pointer:
            "/components/schemas/LocationMessage/allOf/1/properties/location/properties/latitude",
        why: "Typed string, but its own `example` is a number, as are the location examples \
              and Meta's docs.",
        apply: number_or_string,
    },
    Erratum {
        pointer:
            "/components/schemas/LocationMessage/allOf/1/properties/location/properties/longitude",
        why: "Typed string, but its own `example` is a number, as are the location examples \
              and Meta's docs.",
        apply: number_or_string,
    },
];

/// The loaded, corrected spec plus a cache of compiled validators.
pub struct GraphSpec {
    doc: Value,
    ops: Vec<Operation>,
    errata_not_applied: Vec<&'static str>,
    schemas: SchemaCache,
}

impl std::fmt::Debug for GraphSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GraphSpec").field("operations", &self.ops.len()).finish_non_exhaustive()
    }
}

const METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch", "trace"];

impl GraphSpec {
    /// Reads and prepares the spec at `path`.
    ///
    /// # Errors
    /// The file cannot be read or is not an OpenAPI document with `paths` and `components`.
    pub fn load(path: &Path) -> Result<Self> {
        Self::from_value(crate::openapi::load_yaml(path, "Graph API")?)
    }

    /// Prepares an already-parsed spec document.
    ///
    /// # Errors
    /// The document has no `paths` or `components`.
    pub fn from_value(mut doc: Value) -> Result<Self> {
        let errata_not_applied = apply_errata(&mut doc, ERRATA, "Graph");
        let components = doc.get_mut("components").context("spec has no components")?;
        close_all_of(components);
        dispatch_discriminators(components);
        dispatch_base_discriminators(components);

        let paths = doc.get("paths").and_then(Value::as_object).context("spec has no paths")?;
        let mut ops = Vec::new();
        for (template, item) in paths {
            let shared = item.get("parameters").and_then(Value::as_array);
            for method in METHODS {
                let Some(op) = item.get(*method) else { continue };
                ops.push(build_operation(&doc, template, method, shared, op));
            }
        }
        // Most literal segments first: `/{V}/{id}/messages` beats `/{V}/{id}/{other}`.
        ops.sort_by_key(|o| std::cmp::Reverse(o.literal_count()));
        let schemas = SchemaCache::new(doc.get("components").cloned().unwrap_or(Value::Null));
        Ok(Self { doc, ops, errata_not_applied, schemas })
    }

    /// All operations.
    pub fn operations(&self) -> &[Operation] {
        &self.ops
    }

    /// Errata whose target was missing or had an unexpected shape (should be empty).
    pub fn errata_not_applied(&self) -> &[&'static str] {
        &self.errata_not_applied
    }

    /// The (corrected) document.
    pub fn document(&self) -> &Value {
        &self.doc
    }

    /// Operations whose template fits `segments` (any method), keeping only the most specific
    /// ones (most literal segments). Ambiguous templates such as `/{Version}/{Media-ID}` and
    /// `/{Version}/{Phone-Number-ID}` all come back; the caller decides by which ids it knows.
    pub fn candidates(&self, segments: &[&str]) -> Vec<(&Operation, HashMap<String, String>)> {
        let mut out: Vec<(&Operation, HashMap<String, String>)> = Vec::new();
        for op in &self.ops {
            if let Some(first) = out.first() {
                if op.literal_count() < first.0.literal_count() {
                    break;
                }
            }
            if let Some(bound) = op.bind(segments) {
                out.push((op, bound));
            }
        }
        out
    }

    /// Finds an operation by `operationId`.
    pub fn operation(&self, operation_id: &str) -> Option<&Operation> {
        self.ops.iter().find(|o| o.operation_id.as_deref() == Some(operation_id))
    }

    /// Checks path and query parameters against their declared schemas. Query values are
    /// strings on the wire; they are coerced to the declared type first. Parameters the spec does
    /// not declare are allowed (Graph accepts generic ones like `fields`, `limit`, `after`).
    pub fn check_params(
        &self,
        op: &Operation,
        path: &HashMap<String, String>,
        query: &[(String, String)],
    ) -> Vec<String> {
        let mut problems = Vec::new();
        for p in &op.params {
            let value = match p.location.as_str() {
                "path" => path.get(&p.name).cloned(),
                "query" => query.iter().find(|(k, _)| *k == p.name).map(|(_, v)| v.clone()),
                _ => continue,
            };
            let Some(value) = value else {
                if p.required {
                    problems.push(format!(
                        "{} parameter `{}`: required by the spec but missing",
                        p.location, p.name
                    ));
                }
                continue;
            };
            let instance = coerce(&p.schema, &value);
            match self.validator_for_schema(&p.schema) {
                Ok(v) => {
                    for e in v.iter_errors(&instance) {
                        problems.push(format!("{} parameter `{}`: {e}", p.location, p.name));
                    }
                }
                Err(e) => {
                    problems.push(format!("spec schema for `{}` does not compile: {e}", p.name))
                }
            }
        }
        problems
    }

    /// Validates a request body (already turned into JSON: form fields become string
    /// properties) against the operation's schema for `media_type`. Each problem names the JSON
    /// path of the offending value, the rule that failed and where that rule lives in the spec.
    pub fn check_body(&self, op: &Operation, media_type: &str, body: &Value) -> Vec<String> {
        let Some((_, schema)) = op.bodies.iter().find(|(m, _)| m == media_type) else {
            let declared: Vec<&str> = op.body_media_types().collect();
            return vec![format!(
                "Content-Type `{media_type}` is not accepted; the spec declares {declared:?}"
            )];
        };
        self.schemas.check(schema, body)
    }

    /// Validates a response body against the operation's declared response schema for `status`.
    /// Used by the fake's own tests to keep its answers spec-shaped.
    pub fn check_response(&self, op: &Operation, status: u16, body: &Value) -> Vec<String> {
        let Some(schema) = self.response_schema(op, status) else {
            return vec![format!("no JSON response schema for {status} in {}", op.label())];
        };
        match self.validator_for_schema(&schema) {
            Ok(v) => v
                .iter_errors(body)
                .map(|e| format!("{}: {e}", json_path(e.instance_path().as_str())))
                .collect(),
            Err(e) => vec![format!("spec schema does not compile: {e}")],
        }
    }

    fn response_schema(&self, op: &Operation, status: u16) -> Option<Value> {
        let paths = self.doc.get("paths")?;
        let resp = paths
            .get(&op.template)?
            .get(op.method.to_ascii_lowercase())?
            .get("responses")?
            .get(status.to_string())?;
        let resp = self.resolve(resp);
        resp.get("content")?.get("application/json")?.get("schema").cloned()
    }

    fn resolve<'a>(&'a self, v: &'a Value) -> &'a Value {
        resolve_ref(&self.doc, v)
    }

    fn validator_for_schema(&self, schema: &Value) -> Result<Arc<jsonschema::Validator>> {
        self.schemas.validator(schema)
    }
}

fn build_operation(
    doc: &Value,
    template: &str,
    method: &str,
    shared: Option<&Vec<Value>>,
    op: &Value,
) -> Operation {
    let segments = template
        .trim_start_matches('/')
        .split('/')
        .map(|s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(name) => Segment::Param(name.to_string()),
            None => Segment::Literal(s.to_string()),
        })
        .collect();
    // Operation-level parameters override path-level ones with the same (name, in).
    let mut params: Vec<Param> = Vec::new();
    let own = op.get("parameters").and_then(Value::as_array);
    for list in [shared, own].into_iter().flatten() {
        for raw in list {
            let p = resolve_ref(doc, raw);
            let (Some(name), Some(location)) =
                (p.get("name").and_then(Value::as_str), p.get("in").and_then(Value::as_str))
            else {
                continue;
            };
            params.retain(|q| !(q.name == name && q.location == location));
            params.push(Param {
                name: name.to_string(),
                location: location.to_string(),
                required: p.get("required").and_then(Value::as_bool).unwrap_or(location == "path"),
                schema: p.get("schema").cloned().unwrap_or(json!({})),
            });
        }
    }
    let body = op.get("requestBody").map(|b| resolve_ref(doc, b));
    let bodies = body
        .and_then(|b| b.get("content"))
        .and_then(Value::as_object)
        .map(|c| {
            c.iter()
                .map(|(media, v)| (media.clone(), v.get("schema").cloned().unwrap_or(json!({}))))
                .collect()
        })
        .unwrap_or_default();
    Operation {
        method: method.to_ascii_uppercase(),
        template: template.to_string(),
        operation_id: op.get("operationId").and_then(Value::as_str).map(str::to_string),
        segments,
        params,
        bodies,
        body_required: body
            .and_then(|b| b.get("required"))
            .and_then(Value::as_bool)
            .unwrap_or(false),
    }
}

impl Operation {
    /// Whether the spec marks the request body as required.
    pub fn body_required(&self) -> bool {
        self.body_required
    }

    /// The examples given for a request body media type, by name.
    pub fn body_examples<'a>(
        &self,
        spec: &'a GraphSpec,
        media_type: &str,
    ) -> Vec<(&'a str, &'a Value)> {
        let Some(body) = spec
            .doc
            .get("paths")
            .and_then(|p| p.get(&self.template))
            .and_then(|p| p.get(self.method.to_ascii_lowercase()))
            .and_then(|o| o.get("requestBody"))
        else {
            return Vec::new();
        };
        resolve_ref(&spec.doc, body)
            .get("content")
            .and_then(|c| c.get(media_type))
            .and_then(|c| c.get("examples"))
            .and_then(Value::as_object)
            .map(|m| {
                m.iter().filter_map(|(k, v)| v.get("value").map(|val| (k.as_str(), val))).collect()
            })
            .unwrap_or_default()
    }
}

/// Turns a query/path string into the JSON type its schema declares, so `limit=10` checks
/// against `type: integer`.
fn coerce(schema: &Value, raw: &str) -> Value {
    let types: Vec<&str> = match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    if types.contains(&"string") || types.is_empty() {
        return Value::String(raw.to_string());
    }
    if types.contains(&"integer") {
        if let Ok(n) = raw.parse::<i64>() {
            return json!(n);
        }
    }
    if types.contains(&"number") {
        if let Ok(n) = raw.parse::<f64>() {
            return json!(n);
        }
    }
    if types.contains(&"boolean") {
        if let Ok(b) = raw.parse::<bool>() {
            return json!(b);
        }
    }
    if types.contains(&"array") || types.contains(&"object") {
        if let Ok(v) = serde_json::from_str::<Value>(raw) {
            return v;
        }
    }
    Value::String(raw.to_string())
}
