//! The team inbox: conversations with customers and their messages.
//!
//! `ingest` stores what channels deliver (inbound messages, statuses, edits, revokes) — exactly
//! once, whatever Meta re-delivers; `domain` is what agents read (lists, threads) and the DTOs;
//! `http` the REST layer.

pub mod domain;
pub mod http;
pub mod ingest;
