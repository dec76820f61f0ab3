//! Connections: the company's channels (a WhatsApp Cloud number today; SMS and QR sessions
//! later), their sealed secrets, webhook URLs and health checks.
//!
//! `domain` holds the rules and is what both the REST handlers (`http`) and the webhook and
//! sending paths call.

pub mod domain;
pub mod http;
