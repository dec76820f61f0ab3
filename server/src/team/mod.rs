//! Members, roles and invitations of a company, and its own settings.

pub mod company;
pub mod domain;
pub mod http;
