//! Identity: accounts, sessions, API keys, CSRF, rate limits, and the extractor that turns a
//! request into an authenticated, tenant-scoped [`extract::AuthUser`].

pub mod api_keys;
pub mod domain;
pub mod extract;
pub mod http;
pub mod jwt;
pub mod password;
pub mod rate_limit;
pub mod tokens;

pub use extract::{AuthUser, ClientInfo};
