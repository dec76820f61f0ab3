//! Webhook deliveries shaped like Meta's, signed like Meta's.

use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

/// `X-Hub-Signature-256` value for `body`: `sha256=` + lowercase hex HMAC-SHA256 keyed with the
/// app secret, over the raw bytes exactly as sent.
pub fn signature_header(app_secret: &str, body: &[u8]) -> String {
    format!("sha256={}", signature_hex(app_secret, body))
}

/// The lowercase hex HMAC-SHA256 of `body` keyed with `app_secret`.
pub fn signature_hex(app_secret: &str, body: &[u8]) -> String {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(app_secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// A delivery status for [`crate::graph::FakeGraph::emit_status`].
#[derive(Debug, Clone, PartialEq)]
pub enum StatusUpdate {
    /// `sent`
    Sent,
    /// `delivered`
    Delivered,
    /// `read`
    Read,
    /// `failed` with one error, e.g. `131047` (re-engagement) or `131026` (undeliverable).
    Failed {
        /// Error code.
        code: i64,
        /// Error title (also used as `message`).
        title: String,
        /// `error_data.details`.
        details: String,
    },
}

impl StatusUpdate {
    /// The `status` string Meta sends.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Sent => "sent",
            Self::Delivered => "delivered",
            Self::Read => "read",
            Self::Failed { .. } => "failed",
        }
    }
}

/// The phone number a webhook is about.
#[derive(Debug, Clone)]
pub(crate) struct Business<'a> {
    pub waba_id: &'a str,
    pub phone_number_id: &'a str,
    pub display_phone_number: &'a str,
}

fn envelope(b: &Business<'_>, value_extra: Value) -> Value {
    let mut value = json!({
        "messaging_product": "whatsapp",
        "metadata": {
            "display_phone_number": b.display_phone_number,
            "phone_number_id": b.phone_number_id,
        }
    });
    if let (Some(v), Some(extra)) = (value.as_object_mut(), value_extra.as_object()) {
        v.extend(extra.clone());
    }
    json!({
        "object": "whatsapp_business_account",
        "entry": [{
            "id": b.waba_id,
            "changes": [{ "value": value, "field": "messages" }]
        }]
    })
}

/// A `statuses` webhook for one outgoing message.
/// `tracker` is the `biz_opaque_callback_data` the message was sent with: Meta returns it on
/// every status of that message.
pub(crate) fn status_payload(
    b: &Business<'_>,
    wamid: &str,
    recipient_id: &str,
    tracker: Option<&str>,
    update: &StatusUpdate,
    timestamp: i64,
) -> Value {
    let mut status = json!({
        "id": wamid,
        "status": update.as_str(),
        "timestamp": timestamp.to_string(),
        "recipient_id": recipient_id,
    });
    if let Some(tracker) = tracker {
        status["biz_opaque_callback_data"] = json!(tracker);
    }
    match update {
        StatusUpdate::Failed { code, title, details } => {
            status["errors"] = json!([{
                "code": code,
                "title": title,
                "message": title,
                "error_data": { "details": details },
                "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"
            }]);
        }
        StatusUpdate::Sent | StatusUpdate::Delivered => {
            status["conversation"] = json!({
                "id": format!("conv{}", &recipient_id.chars().rev().collect::<String>()),
                "expiration_timestamp": (timestamp + 86_400).to_string(),
                "origin": { "type": "service" }
            });
            status["pricing"] =
                json!({ "billable": true, "pricing_model": "CBP", "category": "service" });
        }
        StatusUpdate::Read => {}
    }
    envelope(b, json!({ "statuses": [status] }))
}

/// A `messages` webhook carrying one inbound message (`message` is the object inside
/// `messages[]` without `from`/`id`/`timestamp`, e.g. `{"type":"text","text":{"body":"hi"}}`).
pub(crate) fn inbound_payload(
    b: &Business<'_>,
    from: &str,
    profile_name: &str,
    wamid: &str,
    timestamp: i64,
    message: Value,
) -> Value {
    let mut msg = json!({ "from": from, "id": wamid, "timestamp": timestamp.to_string() });
    if let (Some(m), Some(extra)) = (msg.as_object_mut(), message.as_object()) {
        m.extend(extra.clone());
    }
    envelope(
        b,
        json!({
            "contacts": [{ "profile": { "name": profile_name }, "wa_id": from }],
            "messages": [msg]
        }),
    )
}
