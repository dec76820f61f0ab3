//! The CRM: contacts with E.164 phones, tags, typed custom fields, segments, CSV import/export
//! and opt-out.
//!
//! `domain` holds contacts themselves (CRUD, lists, bulk actions, erase, export); `filter` turns
//! list filters and segments into one SQL condition; `fields`, `segments`, `tags` and `import`
//! are the rest of the area; `http` is the thin REST layer over all of them.

pub mod domain;
pub mod fields;
pub mod filter;
pub mod http;
pub mod import;
pub mod phone;
pub mod segments;
pub mod tags;
