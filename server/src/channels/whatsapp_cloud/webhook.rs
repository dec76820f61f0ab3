//! A webhook delivery's JSON → the events we act on.
//!
//! Meta's payloads vary by `field` and message `type`, gain fields without notice, and sample
//! payloads carry placeholders where numbers should be. So parsing is tolerant: it reads what
//! it understands from a `serde_json::Value`, keeps the rest of each message in `payload`, and
//! turns what it cannot use into [`Event::Ignored`] with a reason — never an error that would
//! make Meta retry a delivery we can never process.

use chrono::{DateTime, TimeZone, Utc};
use serde_json::{json, Map, Value};

/// One thing a delivery told us.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A customer wrote (any message type).
    Message(InboundMessage),
    /// A message we sent moved on: sent, delivered, read, played or failed.
    Status(StatusUpdate),
    /// The customer edited a message they sent earlier.
    Edited { route: Route, original_id: String, message: InboundMessage },
    /// The customer deleted a message for everyone.
    Revoked { route: Route, original_id: String, at: DateTime<Utc> },
    /// The customer stopped or resumed marketing messages (Meta's opt-out button).
    MarketingPreference { route: Route, wa_id: String, stop: bool, at: DateTime<Utc> },
    /// A template was approved, rejected, paused, re-categorised or re-rated.
    Template(TemplateUpdate),
    /// Understood and deliberately not acted on; `reason` goes to the log and the inbox row.
    Ignored { field: String, reason: String },
}

/// Which business number an event belongs to (`metadata` of a `messages` change, or the
/// WABA id of the entry for account-level events).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Route {
    pub phone_number_id: Option<String>,
    pub waba_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct InboundMessage {
    pub route: Route,
    /// The customer's WhatsApp id (their number's digits).
    pub from: String,
    /// The name on the customer's WhatsApp profile, when Meta sent it.
    pub profile_name: Option<String>,
    /// `wamid...`.
    pub provider_id: String,
    pub at: DateTime<Utc>,
    pub kind: String,
    /// What a person reads: the text, a caption, a button title, a location name...
    pub text: Option<String>,
    /// The type's own object (media id and mime type, coordinates, shared contacts, ...), plus
    /// `referral`, `forwarded` and `errors` when present.
    pub payload: Value,
    /// The message this one replies to.
    pub reply_to: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StatusUpdate {
    pub route: Route,
    pub provider_id: String,
    /// `sent`, `delivered`, `read`, `played` or `failed`.
    pub status: String,
    pub recipient_id: Option<String>,
    pub at: DateTime<Utc>,
    pub error_code: Option<i32>,
    pub error_message: Option<String>,
    /// `conversation`, `pricing`, `errors`, `biz_opaque_callback_data` as sent.
    pub details: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TemplateUpdate {
    pub route: Route,
    pub template_id: Option<String>,
    pub name: String,
    pub language: String,
    /// New status (`APPROVED`, `REJECTED`, `PAUSED`, ...), when this is a status update.
    pub status: Option<String>,
    pub category: Option<String>,
    pub quality: Option<String>,
    pub reason: Option<String>,
}

/// Every event of a delivery, in order.
pub fn parse(body: &Value) -> Vec<Event> {
    let mut events = Vec::new();
    if body.get("object").and_then(Value::as_str) != Some("whatsapp_business_account") {
        events.push(ignored("object", "not a whatsapp_business_account delivery"));
        return events;
    }
    for entry in array(body, "entry") {
        let waba_id = string(entry, "id");
        for change in array(entry, "changes") {
            let field = change.get("field").and_then(Value::as_str).unwrap_or("").to_owned();
            let Some(value) = change.get("value") else {
                events.push(ignored(&field, "a change without a value"));
                continue;
            };
            let route = Route {
                phone_number_id: value.get("metadata").and_then(|m| string(m, "phone_number_id")),
                waba_id: waba_id.clone(),
            };
            match field.as_str() {
                "messages" => messages_change(value, &route, &mut events),
                "user_preferences" => preferences_change(value, &route, &mut events),
                "message_template_status_update"
                | "message_template_quality_update"
                | "template_category_update"
                | "message_template_components_update" => {
                    events.push(template_change(&field, value, &route))
                }
                "account_update" => events.push(ignored(
                    &field,
                    &format!(
                        "account update {} (shown in Meta's WhatsApp Manager)",
                        string(value, "event").unwrap_or_else(|| "without an event name".into())
                    ),
                )),
                "calls" => events.push(ignored(&field, "voice calls are not handled")),
                "smb_message_echoes" => events.push(ignored(
                    &field,
                    "messages sent from the WhatsApp Business app are not mirrored",
                )),
                other => events.push(ignored(other, "a webhook field we do not subscribe to")),
            }
        }
    }
    events
}

fn messages_change(value: &Value, route: &Route, events: &mut Vec<Event>) {
    let profiles: Vec<(String, Option<String>)> = array(value, "contacts")
        .iter()
        .filter_map(|c| {
            let wa_id = string(c, "wa_id")?;
            let name = c.get("profile").and_then(|p| string(p, "name"));
            Some((wa_id, name))
        })
        .collect();
    let errors = value.get("errors").cloned();
    for message in array(value, "messages") {
        events.push(inbound(message, route, &profiles, errors.as_ref()));
    }
    for status in array(value, "statuses") {
        events.push(status_update(status, route));
    }
    if array(value, "messages").is_empty() && array(value, "statuses").is_empty() {
        let reason = match &errors {
            Some(errors) => format!("errors without a message: {errors}"),
            None => "a messages change with neither messages nor statuses".to_owned(),
        };
        events.push(ignored("messages", &reason));
    }
}

fn inbound(
    message: &Value,
    route: &Route,
    profiles: &[(String, Option<String>)],
    change_errors: Option<&Value>,
) -> Event {
    let (Some(from), Some(provider_id)) = (string(message, "from"), string(message, "id")) else {
        return ignored("messages", "a message without a sender or an id");
    };
    let at = timestamp(message);
    let kind = string(message, "type").unwrap_or_else(|| "unsupported".to_owned());
    let profile_name = profiles
        .iter()
        .find(|(wa_id, _)| *wa_id == from)
        .or(profiles.first())
        .and_then(|(_, name)| name.clone());
    match kind.as_str() {
        "edit" => {
            let edit = message.get("edit").cloned().unwrap_or(Value::Null);
            let Some(original_id) = string(&edit, "original_message_id") else {
                return ignored("messages", "an edit without original_message_id");
            };
            let mut inner = edit.get("message").cloned().unwrap_or_else(|| json!({}));
            // The edited content has no sender or id of its own: borrow the edit's.
            if let Value::Object(map) = &mut inner {
                map.insert("from".into(), Value::String(from.clone()));
                map.insert("id".into(), Value::String(provider_id.clone()));
                map.entry("timestamp").or_insert_with(|| message["timestamp"].clone());
            }
            let Event::Message(content) = inbound(&inner, route, profiles, None) else {
                return ignored("messages", "an edit whose new content is unreadable");
            };
            Event::Edited { route: route.clone(), original_id, message: content }
        }
        "revoke" => match message.get("revoke").and_then(|r| string(r, "original_message_id")) {
            Some(original_id) => Event::Revoked { route: route.clone(), original_id, at },
            None => ignored("messages", "a revoke without original_message_id"),
        },
        _ => {
            let (text, mut payload) = content(&kind, message);
            if let Value::Object(map) = &mut payload {
                if let Some(referral) = message.get("referral") {
                    map.insert("referral".into(), referral.clone());
                }
                if let Some(context) = message.get("context") {
                    for flag in ["forwarded", "frequently_forwarded", "referred_product"] {
                        if let Some(value) = context.get(flag) {
                            map.insert(flag.into(), value.clone());
                        }
                    }
                }
                if let Some(errors) = message.get("errors").or(change_errors) {
                    map.insert("errors".into(), errors.clone());
                }
            }
            Event::Message(InboundMessage {
                route: route.clone(),
                from,
                profile_name,
                provider_id,
                at,
                kind: stored_kind(&kind).to_owned(),
                text,
                payload,
                reply_to: message.get("context").and_then(|c| string(c, "id")),
            })
        }
    }
}

/// The kinds we store; anything new from Meta is kept as `unsupported` with its payload.
fn stored_kind(kind: &str) -> &str {
    match kind {
        "text" | "image" | "audio" | "video" | "document" | "sticker" | "location" | "contacts"
        | "reaction" | "interactive" | "button" | "order" | "system" | "unsupported" => kind,
        _ => "unsupported",
    }
}

/// What a person reads, and the type's own object.
fn content(kind: &str, message: &Value) -> (Option<String>, Value) {
    let own = message.get(kind).cloned().unwrap_or_else(|| json!({}));
    let own = if own.is_object() { own } else { json!({ "value": own }) };
    let text = match kind {
        "text" => string(&own, "body"),
        "image" | "video" | "document" => {
            string(&own, "caption").or_else(|| string(&own, "filename"))
        }
        "location" => {
            let parts: Vec<String> =
                ["name", "address"].iter().filter_map(|k| string(&own, k)).collect();
            (!parts.is_empty()).then(|| parts.join(", "))
        }
        "contacts" => {
            let names: Vec<String> = message
                .get("contacts")
                .and_then(Value::as_array)
                .map(|cards| {
                    cards
                        .iter()
                        .filter_map(|c| c.get("name").and_then(|n| string(n, "formatted_name")))
                        .collect()
                })
                .unwrap_or_default();
            (!names.is_empty()).then(|| names.join(", "))
        }
        "reaction" => string(&own, "emoji"),
        "interactive" => {
            let reply_kind = string(&own, "type").unwrap_or_default();
            own.get(&reply_kind).and_then(|reply| {
                string(reply, "title")
                    .or_else(|| string(reply, "body"))
                    .or_else(|| string(reply, "response").map(|r| format!("Call permission: {r}")))
            })
        }
        "button" => string(&own, "text"),
        "order" => {
            let items = own.get("product_items").and_then(Value::as_array).map_or(0, Vec::len);
            string(&own, "text").or_else(|| Some(format!("Order with {items} item(s)")))
        }
        "system" => string(&own, "body"),
        _ => None,
    };
    // `contacts` messages carry their cards at the message level.
    let payload = if kind == "contacts" {
        json!({ "contacts": message.get("contacts").cloned().unwrap_or(Value::Array(Vec::new())) })
    } else {
        own
    };
    (text, payload)
}

fn status_update(status: &Value, route: &Route) -> Event {
    let (Some(provider_id), Some(state)) = (string(status, "id"), string(status, "status")) else {
        return ignored("messages", "a status without an id or a status");
    };
    let state = state.to_ascii_lowercase();
    if !matches!(state.as_str(), "sent" | "delivered" | "read" | "played" | "failed") {
        return ignored("messages", &format!("status {state:?} is not a message status"));
    }
    let first_error = status.get("errors").and_then(|e| e.get(0));
    let error_code = first_error
        .and_then(|e| e.get("code"))
        .and_then(Value::as_i64)
        .and_then(|c| i32::try_from(c).ok());
    let error_message = first_error.map(|e| {
        let message = string(e, "message").or_else(|| string(e, "title")).unwrap_or_default();
        match e.get("error_data").and_then(|d| string(d, "details")) {
            Some(details) if details != message => format!("{message}: {details}"),
            _ => message,
        }
    });
    let mut details = Map::new();
    for key in ["conversation", "pricing", "errors", "biz_opaque_callback_data", "recipient_type"] {
        if let Some(value) = status.get(key) {
            details.insert(key.into(), value.clone());
        }
    }
    Event::Status(StatusUpdate {
        route: route.clone(),
        provider_id,
        status: state,
        recipient_id: string(status, "recipient_id"),
        at: timestamp(status),
        error_code,
        error_message,
        details: Value::Object(details),
    })
}

fn preferences_change(value: &Value, route: &Route, events: &mut Vec<Event>) {
    for preference in array(value, "user_preferences") {
        let (Some(wa_id), Some(choice)) =
            (string(preference, "wa_id"), string(preference, "value"))
        else {
            events.push(ignored("user_preferences", "a preference without wa_id or value"));
            continue;
        };
        let stop = match choice.as_str() {
            "stop" => true,
            "resume" => false,
            other => {
                events.push(ignored(
                    "user_preferences",
                    &format!("marketing preference {other:?} changes nothing here"),
                ));
                continue;
            }
        };
        events.push(Event::MarketingPreference {
            route: route.clone(),
            wa_id,
            stop,
            at: timestamp(preference),
        });
    }
}

fn template_change(field: &str, value: &Value, route: &Route) -> Event {
    let (Some(name), Some(language)) =
        (string(value, "message_template_name"), string(value, "message_template_language"))
    else {
        return ignored(field, "a template update without a name or language");
    };
    let mut update = TemplateUpdate {
        route: route.clone(),
        template_id: string(value, "message_template_id"),
        name,
        language,
        status: None,
        category: None,
        quality: None,
        reason: None,
    };
    match field {
        "message_template_status_update" => {
            update.status = string(value, "event");
            update.category = string(value, "message_template_category");
            update.reason = value
                .get("rejection_info")
                .and_then(|r| string(r, "reason"))
                .or_else(|| string(value, "reason").filter(|r| r != "NONE"));
        }
        "message_template_quality_update" => update.quality = string(value, "new_quality_score"),
        "template_category_update" => update.category = string(value, "new_category"),
        // Component edits: the next sync reads the new components.
        _ => {}
    }
    Event::Template(update)
}

fn ignored(field: &str, reason: &str) -> Event {
    Event::Ignored { field: field.to_owned(), reason: reason.to_owned() }
}

fn array<'a>(value: &'a Value, key: &str) -> &'a [Value] {
    value.get(key).and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

/// A string field, accepting numbers too (Meta sends some ids as JSON numbers).
pub(crate) fn string(value: &Value, key: &str) -> Option<String> {
    match value.get(key)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Unix seconds as a string or number; a missing or odd value means "now".
fn timestamp(value: &Value) -> DateTime<Utc> {
    let seconds = match value.get("timestamp") {
        Some(Value::String(s)) => s.trim().parse::<i64>().ok(),
        Some(Value::Number(n)) => n.as_i64(),
        _ => None,
    };
    seconds.and_then(|s| Utc.timestamp_opt(s, 0).single()).unwrap_or_else(crate::db::now)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delivery(field: &str, value: Value) -> Value {
        json!({"object": "whatsapp_business_account", "entry": [{"id": "WABA", "changes": [{"field": field, "value": value}]}]})
    }

    #[test]
    fn a_text_message_carries_its_sender_profile_and_reply() {
        let events = parse(&delivery(
            "messages",
            json!({
                "metadata": {"phone_number_id": "PNID"},
                "contacts": [{"profile": {"name": "Ana"}, "wa_id": "5511987654321"}],
                "messages": [{"from": "5511987654321", "id": "wamid.1", "timestamp": "1700000000",
                               "type": "text", "text": {"body": "Oi"}, "context": {"id": "wamid.0"}}]
            }),
        ));
        let [Event::Message(m)] = events.as_slice() else { panic!("{events:?}") };
        assert_eq!(m.text.as_deref(), Some("Oi"));
        assert_eq!(m.profile_name.as_deref(), Some("Ana"));
        assert_eq!(m.reply_to.as_deref(), Some("wamid.0"));
        assert_eq!(m.route.phone_number_id.as_deref(), Some("PNID"));
        assert_eq!(m.at.timestamp(), 1_700_000_000);
    }

    #[test]
    fn a_failed_status_keeps_its_error() {
        let events = parse(&delivery(
            "messages",
            json!({"statuses": [{"id": "wamid.9", "status": "failed", "timestamp": 1700000001,
                   "recipient_id": "5511", "errors": [{"code": 131026, "title": "Undeliverable",
                   "error_data": {"details": "Not on WhatsApp"}}]}]}),
        ));
        let [Event::Status(s)] = events.as_slice() else { panic!("{events:?}") };
        assert_eq!(s.status, "failed");
        assert_eq!(s.error_code, Some(131026));
        assert_eq!(s.error_message.as_deref(), Some("Undeliverable: Not on WhatsApp"));
    }

    #[test]
    fn what_we_cannot_use_is_ignored_with_a_reason() {
        for body in [
            json!({"object": "page"}),
            delivery("account_update", json!({"event": "ACCOUNT_DELETED"})),
            delivery("messages", json!({"messages": [{"type": "text"}]})),
            delivery("statuses_of_the_future", json!({})),
        ] {
            let events = parse(&body);
            assert!(
                matches!(events.as_slice(), [Event::Ignored { reason, .. }] if !reason.is_empty()),
                "{body}: {events:?}"
            );
        }
    }
}
