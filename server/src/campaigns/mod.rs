//! Campaigns: one approved template sent to an audience of contacts, fast, at the number's
//! rate, resumable, and never twice to the same person.
//!
//! * `domain` — drafts, preview, start / pause / resume / cancel, counts and live progress.
//! * `audience` — the audience as one SQL condition; recipients written by `INSERT ... SELECT`.
//! * `sender` — the `campaign.send` job: claim, rate-limit, send, record, recover.
//! * `rate` — one limiter per WhatsApp number that keeps every second at or under the rate.
//! * `tracking` — status webhooks and customer replies applied to recipients.
//! * `reports` — recipients, CSV export, the report.
//! * `timing` — the company's time zone, schedules and quiet hours.

pub mod audience;
pub mod domain;
pub mod http;
pub mod rate;
pub mod reports;
pub mod sender;
pub mod timing;
pub mod tracking;
