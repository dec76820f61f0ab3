//! The team inbox: conversations with customers and their messages.
//!
//! `ingest` stores what channels deliver (inbound messages, statuses, edits, revokes) — exactly
//! once, whatever Meta re-delivers; `domain` is what agents read (lists, threads) and the DTOs;
//! `send` stores agent replies and sends them through the connection's channel (a job);
//! `manage` is assignment, status, snooze, labels and notes (each an activity line in the
//! thread); `canned` the team's saved answers; `http` the REST layer.

pub mod canned;
pub mod domain;
pub mod http;
pub mod ingest;
pub mod manage;
pub mod send;
