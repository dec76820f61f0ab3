//! Faithful local fakes of the external services Master IA talks to, for integration tests and
//! local demos. Each fake checks what it receives against the provider's published spec in
//! `../shared/conformance/` and records every deviation, so a test can end with
//! `assert!(fake.violations().is_empty())`.
//!
//! - [`graph`]: Meta's WhatsApp Cloud API (Graph API v23.0), validated against Meta's OpenAPI
//!   document; also signs and posts webhooks like Meta. Binary: `fake-graph`.
//! - [`openai`]: an OpenAI-compatible server (chat completions, embeddings, models), validated
//!   against OpenAI's OpenAPI document. Binary: `fake-ai --provider openai`.
//! - [`gemini`]: Google's Generative Language API v1beta (generateContent, streaming,
//!   embeddings, models), checked against the request shape of Google's proto. Binary:
//!   `fake-ai --provider gemini`.
//!
//! [`ai`] holds what the two AI fakes share: deterministic embeddings, scripted and
//! retrieval-aware replies, failure injection. [`openapi`] holds the spec reading the
//! spec-checked fakes share.

pub mod ai;
pub mod gemini;
pub mod graph;
pub mod openai;
pub mod openapi;
