//! Faithful local fakes of the external services Master IA talks to, for integration tests and
//! local demos. Each fake checks what it receives against the provider's published spec in
//! `../shared/conformance/` and records every deviation, so a test can end with
//! `assert!(fake.violations().is_empty())`.
//!
//! - [`graph`]: Meta's WhatsApp Cloud API (Graph API v23.0), validated against Meta's OpenAPI
//!   document; also signs and posts webhooks like Meta. Binary: `fake-graph`.

pub mod graph;
