//! OpenAI's OpenAPI 3.1 document, loaded at run time; request and response bodies are checked
//! against its component schemas (`CreateChatCompletionRequest`, `CreateEmbeddingRequest`,
//! `CreateChatCompletionResponse`, ...).
//!
//! Nothing here copies OpenAI's schemas. Written by hand are the [`ERRATA`] (places where the
//! spec contradicts its own examples, each with its evidence) and these structural rewrites,
//! applied in order:
//! 1. [`nullable_to_null_type`]: the document is 3.1 (JSON Schema 2020-12) but still writes
//!    111 OpenAPI 3.0 `nullable: true`s, which 2020-12 ignores, so `"max_tokens": null` and the
//!    stream example's `"finish_reason": null` would fail;
//! 2. [`derive_discriminator_mappings`] + [`dispatch_discriminators`]: `messages[]` items are a
//!    `oneOf` with a `discriminator` on `role` but no `mapping`, so a bad user message would be
//!    reported as "valid under none of 6 schemas"; validating only the branch its `role` names
//!    reports the real field;
//! 3. [`close_all_of`], and `unevaluatedProperties: false` on the two request schemas: OpenAI
//!    answers 400 `Unrecognized request argument supplied: <name>` to an unknown top-level
//!    field, which the open schemas do not say.

use std::path::Path;

use anyhow::{Context, Result};
use serde_json::{json, Value};

use crate::openapi::{
    apply_errata, close_all_of, derive_discriminator_mappings, dispatch_discriminators,
    nullable_to_null_type, remove_required, Erratum, Problem, SchemaCache,
};

/// The request schemas closed against unknown top-level fields.
pub const CLOSED_REQUESTS: &[&str] = &["CreateChatCompletionRequest", "CreateEmbeddingRequest"];

/// The hand-written corrections, each checked by a test (`every_erratum_applies`).
pub const ERRATA: &[Erratum] = &[
    Erratum {
        pointer: "/components/schemas/ChatCompletionResponseMessage",
        why: "`refusal` is required, but the spec's own `Functions` and `Logprobs` chat \
              completion examples (conformance/openai/examples/chat_completions_functions and \
              _logprobs .response.json) answer messages without it. The fake always sends \
              `refusal: null`.",
        apply: |v| remove_required(v, &["refusal"]),
    },
    Erratum {
        pointer: "/components/schemas/CreateChatCompletionResponse/properties/choices/items/\
                  properties/logprobs/anyOf/0",
        why: "`logprobs` requires both `content` and `refusal`, but the spec's `Logprobs` example \
              answers `{\"content\": [...]}` only.",
        apply: |v| remove_required(v, &["refusal"]),
    },
    Erratum {
        pointer: "/components/schemas/CreateChatCompletionResponse/properties/system_fingerprint",
        why: "Typed `string`, but the spec's `Logprobs` example answers \
              `\"system_fingerprint\": null` (and the field is deprecated).",
        apply: |v| match v.as_object_mut() {
            Some(o) if o.get("type") == Some(&json!("string")) => {
                o.insert("type".into(), json!(["string", "null"]));
                true
            }
            _ => false,
        },
    },
];

/// The loaded, corrected spec plus a cache of compiled validators.
pub struct OpenAiSpec {
    doc: Value,
    errata_not_applied: Vec<&'static str>,
    schemas: SchemaCache,
}

impl std::fmt::Debug for OpenAiSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenAiSpec").finish_non_exhaustive()
    }
}

impl OpenAiSpec {
    /// Reads and prepares the spec at `path`.
    ///
    /// # Errors
    /// The file cannot be read or is not an OpenAPI document with `components.schemas`.
    pub fn load(path: &Path) -> Result<Self> {
        Self::from_value(crate::openapi::load_yaml(path, "OpenAI")?)
    }

    /// Prepares an already-parsed spec document.
    ///
    /// # Errors
    /// The document has no `components.schemas`.
    pub fn from_value(mut doc: Value) -> Result<Self> {
        let errata_not_applied = apply_errata(&mut doc, ERRATA, "OpenAI");
        nullable_to_null_type(&mut doc);
        derive_discriminator_mappings(&mut doc);
        let components = doc.get_mut("components").context("spec has no components")?;
        close_all_of(components);
        dispatch_discriminators(components);
        for name in CLOSED_REQUESTS {
            let schema = components
                .pointer_mut(&format!("/schemas/{name}"))
                .and_then(Value::as_object_mut)
                .with_context(|| format!("spec has no schema {name}"))?;
            schema.remove("additionalProperties");
            schema.insert("unevaluatedProperties".into(), json!(false));
        }
        let schemas = SchemaCache::new(components.clone());
        Ok(Self { doc, errata_not_applied, schemas })
    }

    /// Errata whose target was missing or had an unexpected shape (should be empty).
    pub fn errata_not_applied(&self) -> &[&'static str] {
        &self.errata_not_applied
    }

    /// The (corrected) document.
    pub fn document(&self) -> &Value {
        &self.doc
    }

    /// Problems of `instance` against `#/components/schemas/<schema>`, as
    /// `$.path: why [rule: ...]` lines (empty = valid).
    pub fn check(&self, schema: &str, instance: &Value) -> Vec<String> {
        self.problems(schema, instance).into_iter().map(|p| p.text).collect()
    }

    /// Like [`Self::check`], with the kind of each problem.
    pub fn problems(&self, schema: &str, instance: &Value) -> Vec<Problem> {
        let reference = json!({ "$ref": format!("#/components/schemas/{schema}") });
        self.schemas.problems(&reference, instance)
    }
}
