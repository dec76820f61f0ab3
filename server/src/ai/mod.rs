//! AI: personas that answer customers, the knowledge bases they answer from, and the providers
//! behind both.
//!
//! - `provider` talks to OpenAI, Gemini, Ollama and OpenAI-compatible servers (through
//!   `rig-core`) and classifies their failures;
//! - `personas` and `knowledge` are the domain (what the REST API in `http` and the UI call);
//! - `chunking`, `extract`, `indexer` and `vectors` turn documents into searchable passages
//!   (pgvector on PostgreSQL, exact cosine on SQLite);
//! - `answer` is how a persona answers: handoff check, retrieval, prompt, model;
//! - `autoreply` puts personas in the inbox: it answers customers in the conversations a
//!   persona owns (the `ai.reply` job) and hands them to people per the persona's policy.

pub mod answer;
pub mod assist;
pub mod autoreply;
pub mod chunking;
pub mod extract;
pub mod http;
pub mod indexer;
pub mod knowledge;
pub mod personas;
pub mod provider;
pub mod vectors;

use std::{sync::Arc, time::Duration};

use sea_orm::DatabaseConnection;

use crate::{crypto::Keyring, state::AppState};

/// What answering needs — the database, the keyring that opens provider keys, and how long a
/// provider may take — so the HTTP side (from [`AppState`]) and the background `ai.reply` job
/// (built before the state exists) go through the same code.
#[derive(Clone)]
pub struct AiContext {
    pub db: DatabaseConnection,
    pub keyring: Arc<Keyring>,
    pub timeout: Duration,
}

impl AiContext {
    pub fn of(state: &AppState) -> Self {
        AiContext {
            db: state.db.clone(),
            keyring: Arc::new(state.keyring.clone()),
            timeout: Duration::from_secs(state.config.ai_timeout_seconds),
        }
    }
}
