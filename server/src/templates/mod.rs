//! WhatsApp message templates of a connection: synced from Meta (on request and hourly),
//! created (submitted for review), kept current by template webhooks, and checked before a
//! template message is sent.

pub mod domain;
pub mod http;
