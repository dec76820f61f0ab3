//! AI: personas that answer customers, the knowledge bases they answer from, and the providers
//! behind both.
//!
//! - `provider` talks to OpenAI, Gemini, Ollama and OpenAI-compatible servers (through
//!   `rig-core`) and classifies their failures;
//! - `personas` and `knowledge` are the domain (what the REST API in `http` and the UI call);
//! - `chunking`, `extract`, `indexer` and `vectors` turn documents into searchable passages
//!   (pgvector on PostgreSQL, exact cosine on SQLite);
//! - `answer` is how a persona answers: handoff check, retrieval, prompt, model.

pub mod answer;
pub mod chunking;
pub mod extract;
pub mod http;
pub mod indexer;
pub mod knowledge;
pub mod personas;
pub mod provider;
pub mod vectors;
