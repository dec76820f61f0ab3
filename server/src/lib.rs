#![recursion_limit = "512"]
//! The Master IA server as a library: `main.rs` runs it, `tests/` drive it over real HTTP.
//!
//! Layout: cross-cutting pieces at the top (config, startup, error, db, crypto, events, jobs,
//! email), then one folder per product area (`auth`, `team`, ...) holding its domain functions
//! and its HTTP handlers.

pub mod ai;
pub mod api;
pub mod audit;
pub mod auth;
pub mod automation;
pub mod campaigns;
pub mod channels;
pub mod config;
pub mod connections;
pub mod contacts;
pub mod crypto;
pub mod db;
pub mod email;
pub mod error;
pub mod events;
pub mod inbox;
pub mod jobs;
pub mod media;
pub mod observability;
pub mod pagination;
pub mod startup;
pub mod state;
pub mod team;
pub mod templates;
pub mod types;
pub mod web;
pub mod webhooks;
pub mod ws;
