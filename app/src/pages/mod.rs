//! One module per screen.

pub mod ai;
pub mod auth;
pub mod automations;
pub mod campaigns;
pub mod connections;
pub mod contacts;
pub mod dashboard;
pub mod inbox;
pub mod not_found;
pub mod settings;

/// Formats an API timestamp as a date people of both languages read the same way.
pub fn format_date(at: &chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%d").to_string()
}

/// Formats an API timestamp as a date and time in the browser's time zone.
pub fn format_local_datetime(at: &chrono::DateTime<chrono::Utc>) -> String {
    at.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M").to_string()
}
