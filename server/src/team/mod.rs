//! Members, roles and invitations of a company.

pub mod domain;
pub mod http;
