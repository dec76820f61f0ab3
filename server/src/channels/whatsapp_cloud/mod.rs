//! WhatsApp Business Cloud API (Meta Graph API v23.0).
//!
//! * [`client`]: the HTTP client (bearer token per connection, base URL from config so tests
//!   and demos talk to the fake Graph server).
//! * [`errors`]: Graph errors, in plain words, sorted into retryable and permanent by code.
//! * [`send`]: provider-neutral messages → `/messages` bodies; the connection's `Channel`.
//! * [`signature`]: `X-Hub-Signature-256` over the raw body, in constant time.
//! * [`webhook`]: a delivery's JSON → the events we act on (messages, statuses, template and
//!   account updates), each one stored or deliberately ignored with a reason.

pub mod client;
pub mod errors;
pub mod send;
pub mod signature;
pub mod webhook;

pub use client::{CloudCredentials, GraphClient, PhoneNumberInfo};
pub use errors::{GraphError, Retry};
pub use send::CloudChannel;
