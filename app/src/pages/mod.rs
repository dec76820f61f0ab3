//! One module per screen.

pub mod areas;
pub mod auth;
pub mod contacts;
pub mod dashboard;
pub mod not_found;
pub mod settings;

/// Formats an API timestamp as a date people of both languages read the same way.
pub fn format_date(at: &chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%d").to_string()
}
