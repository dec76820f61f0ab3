//! OpenAPI 3.1 documents read as plain JSON Schema 2020-12: loading, the structural rewrites
//! that make OpenAPI idioms mean what their authors intended, hand-written corrections
//! ([`Erratum`]) and a cache of compiled validators. Shared by every spec-checked fake
//! ([`crate::graph`], [`crate::openai`]).

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result};
use serde_json::{json, Map, Value};

/// A correction applied to the raw spec before use. `apply` receives the value at `pointer` and
/// returns `false` when it does not have the expected shape (the spec changed under us).
pub struct Erratum {
    /// JSON pointer into the spec document (unescaped `~1` form).
    pub pointer: &'static str,
    /// Why the published spec is wrong here, with the evidence.
    pub why: &'static str,
    pub(crate) apply: fn(&mut Value) -> bool,
}

pub(crate) fn remove_required(v: &mut Value, names: &[&str]) -> bool {
    let Some(arr) = v.get_mut("required").and_then(Value::as_array_mut) else {
        return false;
    };
    let before = arr.len();
    arr.retain(|x| !names.iter().any(|n| x.as_str() == Some(n)));
    arr.len() < before
}

/// Follows a local `$ref` (one level at a time, until a non-reference).
pub fn resolve_ref<'a>(doc: &'a Value, mut v: &'a Value) -> &'a Value {
    for _ in 0..8 {
        match v.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix('#')) {
            Some(pointer) => match doc.pointer(pointer) {
                Some(target) => v = target,
                None => return v,
            },
            None => return v,
        }
    }
    v
}

/// OpenAPI writes "this object is closed" as `additionalProperties: false` inside one `allOf`
/// branch, which in JSON Schema forbids the *other* branches' properties too (every send would
/// fail on `messaging_product`). JSON Schema 2020-12 says what was meant with
/// `unevaluatedProperties: false` on the `allOf` itself.
pub fn close_all_of(v: &mut Value) {
    match v {
        Value::Object(map) => {
            if let Some(Value::Array(branches)) = map.get_mut("allOf") {
                let mut closed = false;
                for b in branches.iter_mut() {
                    if let Some(o) = b.as_object_mut() {
                        if o.get("additionalProperties") == Some(&Value::Bool(false)) {
                            o.remove("additionalProperties");
                            closed = true;
                        }
                    }
                }
                if closed {
                    map.insert("unevaluatedProperties".into(), Value::Bool(false));
                }
            }
            for child in map.values_mut() {
                close_all_of(child);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(close_all_of),
        _ => {}
    }
}

/// An OpenAPI `discriminator` with a `mapping` beside a `oneOf` means "pick the branch named by
/// this property". Plain `oneOf` would report every branch's failure for one wrong field; the
/// rewrite into `if`/`then` per mapping entry validates only the chosen branch, so errors point
/// at the real problem, and an unknown discriminator value is reported as such.
pub fn dispatch_discriminators(v: &mut Value) {
    match v {
        Value::Object(map) => {
            let mapping = map
                .get("discriminator")
                .and_then(|d| {
                    Some((d.get("propertyName")?.as_str()?, d.get("mapping")?.as_object()?))
                })
                .map(|(p, m)| (p.to_string(), m.clone()));
            if let (Some((prop, mapping)), true) = (mapping, map.contains_key("oneOf")) {
                map.remove("oneOf");
                let mut required: Vec<Value> =
                    map.get("required").and_then(Value::as_array).cloned().unwrap_or_default();
                if !required.iter().any(|r| r.as_str() == Some(prop.as_str())) {
                    required.push(json!(prop));
                }
                map.insert("required".into(), Value::Array(required));
                let props = map.entry("properties").or_insert_with(|| json!({}));
                if let Some(props) = props.as_object_mut() {
                    props.insert(
                        prop.clone(),
                        json!({ "enum": mapping.keys().collect::<Vec<_>>() }),
                    );
                }
                let mut all =
                    map.get("allOf").and_then(Value::as_array).cloned().unwrap_or_default();
                for (key, target) in &mapping {
                    all.push(json!({
                        "if": { "properties": { &prop: { "const": key } }, "required": [&prop] },
                        "then": { "$ref": target }
                    }));
                }
                map.insert("allOf".into(), Value::Array(all));
            }
            for child in map.values_mut() {
                dispatch_discriminators(child);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(dispatch_discriminators),
        _ => {}
    }
}

/// A `discriminator` on a *base* schema (no `oneOf`) whose mapping targets extend the base with
/// `allOf: [{$ref: base}, {...}]`: OpenAPI means "validate as the mapped subtype", plain JSON
/// Schema ignores it (so template `parameters` went unchecked). Each mapping entry becomes an
/// `if`/`then` on the base whose `then` is the subtype's own branches (without the reference
/// back to the base, which would recurse forever).
pub fn dispatch_base_discriminators(components: &mut Value) {
    let Some(schemas) = components.get("schemas").and_then(Value::as_object).cloned() else {
        return;
    };
    for (name, schema) in &schemas {
        let Some(d) = schema.get("discriminator") else { continue };
        if schema.get("oneOf").is_some() || schema.get("anyOf").is_some() {
            continue;
        }
        let (Some(prop), Some(mapping)) = (
            d.get("propertyName").and_then(Value::as_str),
            d.get("mapping").and_then(Value::as_object),
        ) else {
            continue;
        };
        let self_ref = format!("#/components/schemas/{name}");
        let mut branches = Vec::new();
        for (key, target) in mapping {
            let Some(target_ref) = target.as_str() else { continue };
            let target_name = target_ref.trim_start_matches("#/components/schemas/");
            let then = match schemas
                .get(target_name)
                .and_then(|t| t.get("allOf"))
                .and_then(Value::as_array)
            {
                Some(parts) => json!({ "allOf": parts
                    .iter()
                    .filter(|p| p.get("$ref").and_then(Value::as_str) != Some(self_ref.as_str()))
                    .cloned()
                    .collect::<Vec<_>>() }),
                None => json!({ "$ref": target_ref }),
            };
            branches.push(json!({
                "if": { "properties": { prop: { "const": key } }, "required": [prop] },
                "then": then
            }));
        }
        if let Some(target) =
            components.pointer_mut(&format!("/schemas/{name}")).and_then(Value::as_object_mut)
        {
            let all = target.entry("allOf").or_insert_with(|| json!([]));
            if let Some(all) = all.as_array_mut() {
                all.extend(branches);
            }
        }
    }
}

/// `/template/components/0/index` → `$.template.components[0].index`.
pub fn json_path(pointer: &str) -> String {
    let mut out = String::from("$");
    for seg in pointer.split('/').skip(1) {
        let seg = seg.replace("~1", "/").replace("~0", "~");
        if seg.parse::<usize>().is_ok() {
            out.push_str(&format!("[{seg}]"));
        } else {
            out.push('.');
            out.push_str(&seg);
        }
    }
    out
}

/// YAML → JSON, stringifying non-string keys (the spec has `200:` style response codes).
pub fn yaml_to_json(v: serde_norway::Value) -> Value {
    use serde_norway::Value as Y;
    match v {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                json!(i)
            } else if let Some(u) = n.as_u64() {
                json!(u)
            } else {
                n.as_f64().and_then(serde_json::Number::from_f64).map_or(Value::Null, Value::Number)
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(items.into_iter().map(yaml_to_json).collect()),
        Y::Mapping(m) => Value::Object(
            m.into_iter()
                .map(|(k, v)| {
                    let key = match k {
                        Y::String(s) => s,
                        Y::Number(n) => n.to_string(),
                        Y::Bool(b) => b.to_string(),
                        other => {
                            serde_norway::to_string(&other).unwrap_or_default().trim().to_string()
                        }
                    };
                    (key, yaml_to_json(v))
                })
                .collect(),
        ),
        Y::Tagged(t) => yaml_to_json(t.value),
    }
}

/// Reads a YAML (or JSON) OpenAPI document into JSON.
///
/// # Errors
/// The file cannot be read or parsed.
pub fn load_yaml(path: &Path, what: &str) -> Result<Value> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the {what} spec at {}", path.display()))?;
    let text = widen_huge_integers(&text);
    let yaml: serde_norway::Value = serde_norway::from_str(&text)
        .with_context(|| format!("parsing the {what} spec as YAML"))?;
    Ok(yaml_to_json(yaml))
}

/// The YAML parser rejects plain integers outside `i64`/`u64` (OpenAI's spec bounds `seed` with
/// `minimum: -9223372036854776000`, a float's rounding of `i64::MIN`); such a value at the end
/// of a `key: value` line is rewritten as a float (`-9223372036854776000.0`), its meaning.
fn widen_huge_integers(text: &str) -> std::borrow::Cow<'_, str> {
    let huge = |v: &str| {
        let digits = v.strip_prefix('-').unwrap_or(v);
        !digits.is_empty()
            && digits.bytes().all(|b| b.is_ascii_digit())
            && v.parse::<i64>().is_err()
            && v.parse::<u64>().is_err()
    };
    if !text.lines().any(|l| l.rsplit_once(": ").is_some_and(|(_, v)| huge(v.trim()))) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for line in text.lines() {
        match line.rsplit_once(": ") {
            Some((key, v)) if huge(v.trim()) => {
                out.push_str(&format!("{key}: {}.0", v.trim()));
            }
            _ => out.push_str(line),
        }
        out.push('\n');
    }
    std::borrow::Cow::Owned(out)
}

/// Applies `errata` to `doc`; returns the pointers of those that did not apply (their target
/// was missing or had an unexpected shape: the spec changed under us).
pub fn apply_errata(doc: &mut Value, errata: &[Erratum], what: &str) -> Vec<&'static str> {
    let mut not_applied = Vec::new();
    for e in errata {
        let ok = doc.pointer_mut(e.pointer).is_some_and(|v| (e.apply)(v));
        if !ok {
            tracing::warn!(pointer = e.pointer, "{what} spec erratum did not apply");
            not_applied.push(e.pointer);
        }
    }
    not_applied
}

/// OpenAPI 3.0 wrote "may be null" as `nullable: true`; JSON Schema 2020-12 (which a 3.1
/// document is) ignores that keyword, so `"max_tokens": null` would fail `type: integer`. Each
/// `nullable: true` becomes `"null"` in `type` (and `null` in `enum`), or, beside a `$ref` /
/// composition without `type`, an `anyOf` with `{type: null}`.
pub fn nullable_to_null_type(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for child in map.values_mut() {
                nullable_to_null_type(child);
            }
            if map.get("nullable") != Some(&Value::Bool(true)) {
                return;
            }
            map.remove("nullable");
            let types = match map.get("type") {
                Some(Value::String(t)) => Some(vec![json!(t)]),
                Some(Value::Array(ts)) => Some(ts.clone()),
                _ => None,
            };
            match types {
                Some(mut types) => {
                    if !types.contains(&json!("null")) {
                        types.push(json!("null"));
                    }
                    map.insert("type".into(), Value::Array(types));
                    if let Some(Value::Array(values)) = map.get_mut("enum") {
                        if !values.contains(&Value::Null) {
                            values.push(Value::Null);
                        }
                    }
                }
                None => {
                    let rest = std::mem::take(map);
                    map.insert("anyOf".into(), json!([Value::Object(rest), { "type": "null" }]));
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(nullable_to_null_type),
        _ => {}
    }
}

/// A `discriminator` *without* `mapping` beside a `oneOf` of `$ref`s: OpenAPI then maps each
/// branch by the single value its discriminator property allows (`enum: [user]` or
/// `const: user`). Writing that mapping out lets [`dispatch_discriminators`] validate only the
/// chosen branch, so `messages[0]` with a bad `content` is reported at `content`, not as "valid
/// under none of 6 schemas". Branches without a single value leave the schema untouched.
pub fn derive_discriminator_mappings(doc: &mut Value) {
    let mut found: Vec<(String, Map<String, Value>)> = Vec::new();
    collect_unmapped(doc, doc, "", &mut found);
    for (pointer, mapping) in found {
        if let Some(d) = doc.pointer_mut(&format!("{pointer}/discriminator")) {
            if let Some(o) = d.as_object_mut() {
                o.insert("mapping".into(), Value::Object(mapping));
            }
        }
    }
}

fn collect_unmapped(
    doc: &Value,
    v: &Value,
    pointer: &str,
    found: &mut Vec<(String, Map<String, Value>)>,
) {
    match v {
        Value::Object(map) => {
            let unmapped = map
                .get("discriminator")
                .filter(|d| d.get("mapping").is_none())
                .and_then(|d| d.get("propertyName"))
                .and_then(Value::as_str);
            if let (Some(prop), Some(Value::Array(branches))) = (unmapped, map.get("oneOf")) {
                let mut mapping = Map::new();
                let mut complete = true;
                for b in branches {
                    let target = b.get("$ref").and_then(Value::as_str);
                    let value = target.map(|_| resolve_ref(doc, b)).and_then(|t| {
                        let p = resolve_ref(doc, t.get("properties")?.get(prop)?);
                        match (p.get("const"), p.get("enum").and_then(Value::as_array)) {
                            (Some(Value::String(c)), _) => Some(c.clone()),
                            (_, Some(e)) if e.len() == 1 => e[0].as_str().map(str::to_string),
                            _ => None,
                        }
                    });
                    match (target, value) {
                        (Some(t), Some(val)) => {
                            mapping.insert(val, json!(t));
                        }
                        _ => complete = false,
                    }
                }
                if complete && !mapping.is_empty() {
                    found.push((pointer.to_string(), mapping));
                }
            }
            for (k, child) in map {
                let k = k.replace('~', "~0").replace('/', "~1");
                collect_unmapped(doc, child, &format!("{pointer}/{k}"), found);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                collect_unmapped(doc, child, &format!("{pointer}/{i}"), found);
            }
        }
        _ => {}
    }
}

/// Compiled JSON Schema validators for schemas of one document, cached by schema text. Each
/// schema is compiled as the root of a document that also carries the spec's `components`, so
/// `#/components/...` references resolve as written.
pub struct SchemaCache {
    components: Value,
    validators: Mutex<HashMap<String, Arc<jsonschema::Validator>>>,
}

impl std::fmt::Debug for SchemaCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SchemaCache").finish_non_exhaustive()
    }
}

impl SchemaCache {
    /// A cache over `components` (the document's `components` object).
    pub fn new(components: Value) -> Self {
        Self { components, validators: Mutex::new(HashMap::new()) }
    }

    /// The compiled validator of `schema`.
    ///
    /// # Errors
    /// The schema does not compile (e.g. a dangling `$ref`).
    pub fn validator(&self, schema: &Value) -> Result<Arc<jsonschema::Validator>> {
        let key = schema.to_string();
        if let Some(v) = self.lock().get(&key) {
            return Ok(v.clone());
        }
        let mut root = match schema {
            Value::Object(m) => m.clone(),
            other => {
                let mut m = Map::new();
                m.insert("allOf".into(), json!([other]));
                m
            }
        };
        root.insert("$schema".into(), json!("https://json-schema.org/draft/2020-12/schema"));
        root.insert("components".into(), self.components.clone());
        let validator = jsonschema::draft202012::new(&Value::Object(root))
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let validator = Arc::new(validator);
        self.lock().insert(key, validator.clone());
        Ok(validator)
    }

    /// Problems of `instance` against `schema`, each naming the JSON path of the offending value,
    /// the rule that failed and where that rule lives: `$.a[0].b: <why> [rule: /x/y]`. Echoes
    /// of a property's own failure as "unevaluated" to its parent are dropped.
    pub fn check(&self, schema: &Value, instance: &Value) -> Vec<String> {
        self.problems(schema, instance).into_iter().map(|p| p.text).collect()
    }

    /// Like [`Self::check`], keeping what kind of problem each one is (for providers whose error
    /// bodies say so, e.g. OpenAI's `param` and `code`).
    pub fn problems(&self, schema: &Value, instance: &Value) -> Vec<Problem> {
        let validator = match self.validator(schema) {
            Ok(v) => v,
            Err(e) => {
                return vec![Problem {
                    pointer: String::new(),
                    kind: ProblemKind::Other,
                    text: format!("spec schema does not compile: {e}"),
                }]
            }
        };
        let mut problems: Vec<Problem> = validator
            .iter_errors(instance)
            .map(|e| {
                use jsonschema::error::ValidationErrorKind as K;
                let kind = match e.kind() {
                    K::Required { property } => {
                        ProblemKind::Missing(property.as_str().unwrap_or_default().to_string())
                    }
                    K::AdditionalProperties { unexpected }
                    | K::UnevaluatedProperties { unexpected } => {
                        ProblemKind::Unknown(unexpected.clone())
                    }
                    K::Type { .. } => ProblemKind::Type,
                    K::OneOfNotValid { context } | K::AnyOf { context }
                        if context.iter().flatten().all(|c| {
                            matches!(c.kind(), K::Type { .. })
                                && c.instance_path() == e.instance_path()
                        }) =>
                    {
                        ProblemKind::Type
                    }
                    _ => ProblemKind::Other,
                };
                Problem {
                    pointer: e.instance_path().as_str().to_string(),
                    text: format!(
                        "{}: {} [rule: {}]",
                        json_path(e.instance_path().as_str()),
                        e,
                        e.schema_path().as_str()
                    ),
                    kind,
                }
            })
            .collect();
        let echo = |p: &Problem| p.text.contains("Unevaluated properties");
        if problems.iter().any(|p| !echo(p)) {
            problems.retain(|p| !echo(p));
        }
        problems
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<jsonschema::Validator>>> {
        self.validators.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// One way an instance fails its schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// JSON pointer of the offending value (`""` = the root).
    pub pointer: String,
    /// What is wrong.
    pub kind: ProblemKind,
    /// `$.path: why [rule: /schema/path]`.
    pub text: String,
}

/// The kinds of [`Problem`] a provider's error body tells apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProblemKind {
    /// A required property is missing (its name).
    Missing(String),
    /// Properties the schema does not allow.
    Unknown(Vec<String>),
    /// The value has the wrong JSON type.
    Type,
    /// Anything else (enum, range, length, ...).
    Other,
}
