//! The CRM: contacts with E.164 phones, tags, attributes and opt-out.

pub mod domain;
pub mod http;
pub mod phone;
