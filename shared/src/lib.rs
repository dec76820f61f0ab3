//! Types that both the server (`server/`) and the browser (`app/` compiled to WASM) use.
//!
//! Nothing here touches a database, a runtime or HTTP: only data shapes, so the two sides
//! cannot drift apart. The server derives its OpenAPI schemas from these same types (feature
//! `openapi`).

pub mod ai;
pub mod api;
pub mod automation;
pub mod campaigns;
pub mod error;
pub mod events;
pub mod i18n;
pub mod import;
pub mod role;
pub mod templates;
pub mod text;

pub use error::{ApiError, ApiErrorBody, ErrorCode};
pub use events::{ClientMessage, ServerEvent};
pub use role::Role;
