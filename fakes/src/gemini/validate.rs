//! Request-shape checks for the Generative Language API, written from
//! `conformance/gemini/REQUEST_SHAPE.md` (Google's `generative_service.proto`): there is no
//! published OpenAPI document to load, so the message fields are listed here.
//!
//! Read as proto3 JSON, like Google's servers: every field may be spelled in lowerCamelCase or
//! as the proto's snake_case (`systemInstruction` / `system_instruction`), and `null` means
//! "not set" (rig-core sends `"safetySettings": null`, `"toolConfig": null`).

use serde_json::{Map, Value};

/// One problem, in the shape of a `google.rpc.BadRequest` field violation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    /// Where, e.g. `contents[0].parts[0].text`.
    pub field: String,
    /// What is wrong, in Google's wording where known.
    pub description: String,
}

/// Fields as (lowerCamelCase, snake_case, expected kind).
type Fields = &'static [(&'static str, &'static str, Kind)];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Str,
    Int,
    Num,
    Bool,
    Obj,
    Any,
    StrList,
    List,
    Content,
    Contents,
    Parts,
    GenerationConfig,
    SafetySettings,
}

const GENERATE: Fields = &[
    ("model", "model", Kind::Str),
    ("contents", "contents", Kind::Contents),
    ("systemInstruction", "system_instruction", Kind::Content),
    ("tools", "tools", Kind::List),
    ("toolConfig", "tool_config", Kind::Obj),
    ("safetySettings", "safety_settings", Kind::SafetySettings),
    ("generationConfig", "generation_config", Kind::GenerationConfig),
    ("cachedContent", "cached_content", Kind::Str),
];

const CONTENT: Fields = &[("role", "role", Kind::Str), ("parts", "parts", Kind::Parts)];

/// Part fields that carry data; a part must have exactly one.
const PART_DATA: &[(&str, &str)] = &[
    ("text", "text"),
    ("inlineData", "inline_data"),
    ("fileData", "file_data"),
    ("functionCall", "function_call"),
    ("functionResponse", "function_response"),
    ("executableCode", "executable_code"),
    ("codeExecutionResult", "code_execution_result"),
];

const PART: Fields = &[
    ("text", "text", Kind::Str),
    ("inlineData", "inline_data", Kind::Obj),
    ("fileData", "file_data", Kind::Obj),
    ("functionCall", "function_call", Kind::Obj),
    ("functionResponse", "function_response", Kind::Obj),
    ("executableCode", "executable_code", Kind::Obj),
    ("codeExecutionResult", "code_execution_result", Kind::Obj),
    ("thought", "thought", Kind::Bool),
    ("thoughtSignature", "thought_signature", Kind::Str),
    ("videoMetadata", "video_metadata", Kind::Obj),
    ("partMetadata", "part_metadata", Kind::Obj),
    ("mediaResolution", "media_resolution", Kind::Any),
];

const GENERATION_CONFIG: Fields = &[
    ("stopSequences", "stop_sequences", Kind::StrList),
    ("responseMimeType", "response_mime_type", Kind::Str),
    ("responseSchema", "response_schema", Kind::Obj),
    ("responseJsonSchema", "response_json_schema", Kind::Any),
    ("responseModalities", "response_modalities", Kind::StrList),
    ("candidateCount", "candidate_count", Kind::Int),
    ("maxOutputTokens", "max_output_tokens", Kind::Int),
    ("temperature", "temperature", Kind::Num),
    ("topP", "top_p", Kind::Num),
    ("topK", "top_k", Kind::Int),
    ("seed", "seed", Kind::Int),
    ("presencePenalty", "presence_penalty", Kind::Num),
    ("frequencyPenalty", "frequency_penalty", Kind::Num),
    ("responseLogprobs", "response_logprobs", Kind::Bool),
    ("logprobs", "logprobs", Kind::Int),
    ("enableEnhancedCivicAnswers", "enable_enhanced_civic_answers", Kind::Bool),
    ("speechConfig", "speech_config", Kind::Obj),
    ("thinkingConfig", "thinking_config", Kind::Obj),
    ("imageConfig", "image_config", Kind::Obj),
    ("mediaResolution", "media_resolution", Kind::Any),
];

const SAFETY_SETTING: Fields =
    &[("category", "category", Kind::Str), ("threshold", "threshold", Kind::Str)];

const EMBED: Fields = &[
    ("model", "model", Kind::Str),
    ("content", "content", Kind::Content),
    ("taskType", "task_type", Kind::Str),
    ("title", "title", Kind::Str),
    ("outputDimensionality", "output_dimensionality", Kind::Int),
];

/// A field by either spelling; `null` reads as absent.
pub fn field<'a>(obj: &'a Value, camel: &str, snake: &str) -> Option<&'a Value> {
    obj.get(camel).or_else(|| obj.get(snake)).filter(|v| !v.is_null())
}

struct Checker {
    issues: Vec<Issue>,
}

impl Checker {
    fn push(&mut self, field: &str, description: impl Into<String>) {
        self.issues.push(Issue { field: field.to_string(), description: description.into() });
    }

    fn object<'a>(&mut self, at: &str, v: &'a Value) -> Option<&'a Map<String, Value>> {
        let o = v.as_object();
        if o.is_none() {
            self.push(at, format!("Invalid value at '{at}' (object), {v}"));
        }
        o
    }

    /// Checks the members of `obj` against `fields`: unknown names and wrong kinds.
    fn fields(&mut self, at: &str, obj: &Map<String, Value>, fields: Fields) {
        for (name, value) in obj {
            let Some((_, _, kind)) = fields.iter().find(|(c, s, _)| c == name || s == name) else {
                self.push(
                    at,
                    format!(
                        "Invalid JSON payload received. Unknown name \"{name}\" at '{}': Cannot \
                         find field.",
                        if at.is_empty() { "" } else { at }
                    ),
                );
                continue;
            };
            if value.is_null() {
                continue;
            }
            let path = if at.is_empty() { name.clone() } else { format!("{at}.{name}") };
            self.kind(&path, value, *kind);
        }
    }

    fn kind(&mut self, at: &str, v: &Value, kind: Kind) {
        let wrong = |t: &str| format!("Invalid value at '{at}' ({t}), {v}");
        match kind {
            Kind::Str if !v.is_string() => self.push(at, wrong("TYPE_STRING")),
            Kind::Int if !(v.is_i64() || v.is_u64()) => self.push(at, wrong("TYPE_INT32")),
            Kind::Num if !v.is_number() => self.push(at, wrong("TYPE_FLOAT")),
            Kind::Bool if !v.is_boolean() => self.push(at, wrong("TYPE_BOOL")),
            Kind::Obj if !v.is_object() => self.push(at, wrong("object")),
            Kind::List if !v.is_array() => self.push(at, wrong("list")),
            Kind::StrList => match v.as_array() {
                Some(items) if items.iter().all(Value::is_string) => {}
                _ => self.push(at, wrong("TYPE_STRING list")),
            },
            Kind::Content => self.content(at, v),
            Kind::Contents => match v.as_array() {
                Some(items) if items.is_empty() => {
                    self.push(at, "* GenerateContentRequest.contents: contents is not specified");
                }
                Some(items) => {
                    for (i, c) in items.iter().enumerate() {
                        self.content(&format!("{at}[{i}]"), c);
                    }
                }
                None => self.push(at, wrong("list")),
            },
            Kind::Parts => self.parts(at, v),
            Kind::GenerationConfig => {
                if let Some(o) = self.object(at, v) {
                    self.fields(at, o, GENERATION_CONFIG);
                    if let Some(stops) = field(v, "stopSequences", "stop_sequences")
                        .and_then(Value::as_array)
                        .filter(|s| s.len() > 5)
                    {
                        self.push(
                            &format!("{at}.stopSequences"),
                            format!("at most 5 stop sequences are allowed, got {}", stops.len()),
                        );
                    }
                }
            }
            Kind::SafetySettings => match v.as_array() {
                Some(items) => {
                    for (i, s) in items.iter().enumerate() {
                        let at = format!("{at}[{i}]");
                        if let Some(o) = self.object(&at, s) {
                            self.fields(&at, o, SAFETY_SETTING);
                        }
                    }
                }
                None => self.push(at, wrong("list")),
            },
            _ => {}
        }
    }

    fn content(&mut self, at: &str, v: &Value) {
        let Some(o) = self.object(at, v) else { return };
        self.fields(at, o, CONTENT);
        if let Some(role) = field(v, "role", "role").and_then(Value::as_str) {
            if !["user", "model"].contains(&role) {
                self.push(&format!("{at}.role"), "Please use a valid role: user, model.");
            }
        }
        if field(v, "parts", "parts").is_none() {
            self.push(&format!("{at}.parts"), "contents.parts must not be empty.");
        }
    }

    fn parts(&mut self, at: &str, v: &Value) {
        let Some(parts) = v.as_array() else {
            self.push(at, format!("Invalid value at '{at}' (list), {v}"));
            return;
        };
        if parts.is_empty() {
            self.push(at, "contents.parts must not be empty.");
        }
        for (i, p) in parts.iter().enumerate() {
            let at = format!("{at}[{i}]");
            let Some(o) = self.object(&at, p) else { continue };
            self.fields(&at, o, PART);
            let data = PART_DATA.iter().filter(|(c, s)| field(p, c, s).is_some()).count();
            if data != 1 {
                self.push(
                    &at,
                    format!(
                        "a part must have exactly one data field (text, inlineData, fileData, \
                         functionCall, functionResponse, executableCode, codeExecutionResult); \
                         it has {data}"
                    ),
                );
            }
        }
    }
}

/// Checks a `generateContent` / `streamGenerateContent` body.
pub fn generate_content(body: &Value) -> Vec<Issue> {
    let mut c = Checker { issues: Vec::new() };
    let Some(o) = c.object("", body) else { return c.issues };
    c.fields("", o, GENERATE);
    if field(body, "contents", "contents").is_none() {
        c.push("contents", "* GenerateContentRequest.contents: contents is not specified");
    }
    c.issues
}

/// Checks an `embedContent` body, or one of `batchEmbedContents`' `requests` (`at` says which).
/// `path_model` is the `models/...` name of the URL, which a request's `model` must repeat.
pub fn embed_content(at: &str, body: &Value, path_model: &str, model_required: bool) -> Vec<Issue> {
    let mut c = Checker { issues: Vec::new() };
    let Some(o) = c.object(at, body) else { return c.issues };
    c.fields(at, o, EMBED);
    let join = |f: &str| if at.is_empty() { f.to_string() } else { format!("{at}.{f}") };
    if field(body, "content", "content").is_none() {
        c.push(&join("content"), "* EmbedContentRequest.content: content is not specified");
    }
    match field(body, "model", "model").and_then(Value::as_str) {
        Some(m) if m != path_model => c.push(
            &join("model"),
            format!("Model {m} differs from the model in the URL, {path_model}"),
        ),
        None if model_required => {
            c.push(&join("model"), "* EmbedContentRequest.model: model is not specified");
        }
        _ => {}
    }
    c.issues
}

/// Checks a `batchEmbedContents` body.
pub fn batch_embed_contents(body: &Value, path_model: &str) -> Vec<Issue> {
    let mut c = Checker { issues: Vec::new() };
    let Some(o) = c.object("", body) else { return c.issues };
    for name in o.keys().filter(|k| *k != "requests") {
        c.push(
            "",
            format!(
                "Invalid JSON payload received. Unknown name \"{name}\" at '': Cannot find field."
            ),
        );
    }
    match body.get("requests").and_then(Value::as_array) {
        Some(items) if !items.is_empty() => {
            for (i, r) in items.iter().enumerate() {
                c.issues.extend(embed_content(&format!("requests[{i}]"), r, path_model, true));
            }
        }
        _ => c.push("requests", "* BatchEmbedContentsRequest.requests: requests is not specified"),
    }
    c.issues
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rig_cores_body_is_accepted() {
        let body = json!({
            "contents": [{ "role": "user", "parts": [{ "text": "Oi", "thought": false }] }],
            "generationConfig": { "temperature": 0.2, "maxOutputTokens": 64 },
            "safetySettings": null,
            "toolConfig": null,
            "systemInstruction": { "parts": [{ "text": "Seja breve", "thought": false }], "role": "model" }
        });
        assert_eq!(generate_content(&body), vec![]);
    }

    #[test]
    fn snake_case_and_wrong_shapes() {
        let ok = json!({ "contents": [{ "parts": [{ "text": "x" }] }],
                         "generation_config": { "max_output_tokens": 5 } });
        assert_eq!(generate_content(&ok), vec![]);
        let bad = json!({ "contents": [{ "role": "assistant", "parts": [{ "text": 5 }] }],
                          "generationConfig": { "maxTokens": 5 } });
        let fields: Vec<String> = generate_content(&bad).into_iter().map(|i| i.field).collect();
        assert_eq!(fields, ["contents[0].parts[0].text", "contents[0].role", "generationConfig"]);
    }
}
