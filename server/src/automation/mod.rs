//! Automation rules: when something happens (a trigger), if it matches (conditions), do these
//! things (actions). Types and their JSON in `shared::automation`.
//!
//! * [`rules`]: create, change, delete rules (validated once, when saved), and their log.
//! * [`outbox`]: changes that may trigger rules (a customer message, a tag) write an event in
//!   their own transaction; a per-company `automation.run` job is queued to read them.
//! * [`engine`]: that job. It takes the company's events one at a time in the order they were
//!   written, evaluates the rules each one can start, and applies their actions in the same
//!   transaction that marks the event processed — so an event is acted on exactly once. Actions
//!   that reach outside (a reply, a webhook) are queued as jobs in that transaction.
//! * [`conditions`]: the pure tests a rule's conditions and triggers are made of.
//! * [`actions`]: what each action does to the conversation or contact.
//! * [`hours`]: the company's business hours and holidays.
//! * [`timers`]: `no_reply` waits, and outgoing webhooks.
//!
//! Loop protection: every event carries the chain of rules whose actions caused it. A rule
//! never runs on an event it is already in the chain of, and a chain ends after
//! [`shared::automation::MAX_CHAIN`] rules; both are written to the log as `skipped`.

pub mod actions;
pub mod conditions;
pub mod engine;
pub mod hours;
pub mod http;
pub mod outbox;
pub mod rules;
pub mod timers;
