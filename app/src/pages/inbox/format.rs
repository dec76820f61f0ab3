//! Pure helpers of the inbox: times as people read them, and what a message's `payload` holds.
//! Kept free of views so they are unit-tested natively.

use chrono::{DateTime, Local, NaiveDate, Utc};
use serde_json::Value;
use shared::i18n::{Key, Lang};

use crate::i18n::fill;

/// How long ago, short enough for a list row: "now", "5 min", "3 h", "Yesterday", a date.
pub fn relative(lang: Lang, at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let minutes = (now - at).num_minutes();
    if minutes < 1 {
        return lang.t(Key::JustNow).to_owned();
    }
    if minutes < 60 {
        return fill(lang.t(Key::MinutesShort), &[("n", &minutes.to_string())]);
    }
    if minutes < 24 * 60 {
        return fill(lang.t(Key::HoursShort), &[("n", &(minutes / 60).to_string())]);
    }
    let (day, today) = (local_day(at), local_day(now));
    if today.pred_opt() == Some(day) {
        return lang.t(Key::Yesterday).to_owned();
    }
    day.format("%Y-%m-%d").to_string()
}

/// The calendar day of `at` in the browser's time zone.
pub fn local_day(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&Local).date_naive()
}

/// "14:03" in the browser's time zone.
pub fn local_time(at: DateTime<Utc>) -> String {
    at.with_timezone(&Local).format("%H:%M").to_string()
}

/// A day separator's label: "Today", "Yesterday" or the date.
pub fn day_label(lang: Lang, day: NaiveDate, today: NaiveDate) -> String {
    if day == today {
        lang.t(Key::Today).to_owned()
    } else if today.pred_opt() == Some(day) {
        lang.t(Key::Yesterday).to_owned()
    } else {
        day.format("%Y-%m-%d").to_string()
    }
}

/// A number from a payload field that Meta sends as a number (or, in some samples, a string).
fn number(payload: &Value, key: &str) -> Option<f64> {
    match payload.get(key)? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .filter(|n| n.is_finite())
}

/// A Google Maps link to a location message's coordinates.
pub fn maps_link(payload: &Value) -> Option<String> {
    let lat = number(payload, "latitude").filter(|v| (-90.0..=90.0).contains(v))?;
    let lng = number(payload, "longitude").filter(|v| (-180.0..=180.0).contains(v))?;
    Some(format!("https://www.google.com/maps/search/?api=1&query={lat},{lng}"))
}

/// The names on a shared contact card (`payload.contacts[].name.formatted_name`).
pub fn contact_card_names(payload: &Value) -> Vec<String> {
    payload
        .get("contacts")
        .and_then(Value::as_array)
        .map(|cards| {
            cards
                .iter()
                .filter_map(|card| {
                    let name = card.get("name")?;
                    name.get("formatted_name")
                        .or_else(|| name.get("first_name"))
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Whether WhatsApp marked the message as forwarded.
pub fn forwarded(payload: &Value) -> bool {
    ["forwarded", "frequently_forwarded"]
        .iter()
        .any(|key| payload.get(key).and_then(Value::as_bool).unwrap_or(false))
}

/// The label of a media kind, `None` for kinds that are not media.
pub fn media_label(kind: &str) -> Option<Key> {
    Some(match kind {
        "image" => Key::MsgImage,
        "audio" => Key::MsgAudio,
        "video" => Key::MsgVideo,
        "document" => Key::MsgDocument,
        "sticker" => Key::MsgSticker,
        _ => return None,
    })
}

/// An activity line (`payload.action` of an internal `activity` message) in the reader's
/// language; `None` for an action this version does not know (the server's English text shows).
pub fn activity_line(lang: Lang, payload: &Value, author: &str) -> Option<String> {
    let text = |key: &str| payload.get(key).and_then(Value::as_str).unwrap_or_default().to_owned();
    let list = |key: &str| {
        payload
            .get(key)
            .and_then(Value::as_array)
            .map(|items| items.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", "))
            .unwrap_or_default()
    };
    let line = match payload.get("action").and_then(Value::as_str)? {
        "assigned" if payload.get("auto").and_then(Value::as_bool) == Some(true) => {
            fill(lang.t(Key::ActivityAutoAssigned), &[("to", &text("to_name"))])
        }
        "assigned" if payload.get("to") == payload.get("by") => {
            fill(lang.t(Key::ActivityTook), &[("name", author)])
        }
        "assigned" => {
            fill(lang.t(Key::ActivityAssigned), &[("name", author), ("to", &text("to_name"))])
        }
        "unassigned" => fill(lang.t(Key::ActivityUnassigned), &[("name", author)]),
        "status" if text("reason") == "snooze_ended" => lang.t(Key::ActivitySnoozeEnded).to_owned(),
        "status" if text("status") == "snoozed" => {
            let until = payload
                .get("snoozed_until")
                .and_then(Value::as_str)
                .and_then(|at| DateTime::parse_from_rfc3339(at).ok())
                .map(|at| crate::pages::format_local_datetime(&at.with_timezone(&Utc)))
                .unwrap_or_default();
            fill(lang.t(Key::ActivitySnoozed), &[("name", author), ("until", &until)])
        }
        "status" => {
            let status = status_word(&text("status"))
                .map_or_else(|| text("status"), |k| lang.t(k).to_owned());
            fill(lang.t(Key::ActivityStatus), &[("name", author), ("status", &status)])
        }
        "labels" => {
            let mut parts = Vec::new();
            let (added, removed) = (list("added"), list("removed"));
            if !added.is_empty() {
                parts.push(fill(
                    lang.t(Key::ActivityLabelsAdded),
                    &[("name", author), ("labels", &added)],
                ));
            }
            if !removed.is_empty() {
                parts.push(fill(
                    lang.t(Key::ActivityLabelsRemoved),
                    &[("name", author), ("labels", &removed)],
                ));
            }
            parts.join("; ")
        }
        _ => return None,
    };
    Some(line)
}

/// The word for a conversation status.
pub fn status_word(status: &str) -> Option<Key> {
    Some(match status {
        "open" => Key::StatusOpen,
        "pending" => Key::StatusPending,
        "resolved" => Key::StatusResolved,
        "snoozed" => Key::StatusSnoozed,
        _ => return None,
    })
}

/// The file name a customer gave a document (`payload.filename`), if any.
pub fn media_filename(payload: &Value) -> Option<String> {
    payload
        .get("filename")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(str::to_owned)
}

/// The translated word for an outbound delivery status.
pub fn status_key(status: &str) -> Option<Key> {
    Some(match status {
        "queued" => Key::MsgStatusQueued,
        "sent" => Key::MsgStatusSent,
        "delivered" => Key::MsgStatusDelivered,
        "read" => Key::MsgStatusRead,
        "played" => Key::MsgStatusPlayed,
        "failed" => Key::MsgStatusFailed,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;
    use serde_json::json;

    use super::*;

    #[test]
    fn recent_times_are_relative() {
        let now = Utc::now();
        assert_eq!(relative(Lang::En, now, now), "now");
        assert_eq!(relative(Lang::En, now - TimeDelta::minutes(5), now), "5 min");
        assert_eq!(relative(Lang::PtBr, now - TimeDelta::minutes(190), now), "3 h");
        let old = now - TimeDelta::days(40);
        assert_eq!(relative(Lang::En, old, now), local_day(old).format("%Y-%m-%d").to_string());
    }

    #[test]
    fn day_labels_name_today_and_yesterday() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        assert_eq!(day_label(Lang::En, today, today), "Today");
        assert_eq!(day_label(Lang::PtBr, today.pred_opt().unwrap(), today), "Ontem");
        assert_eq!(
            day_label(Lang::En, NaiveDate::from_ymd_opt(2026, 1, 2).unwrap(), today),
            "2026-01-02"
        );
    }

    #[test]
    fn locations_link_to_maps_only_with_valid_coordinates() {
        let link = maps_link(&json!({"latitude": -23.5505, "longitude": -46.6333})).unwrap();
        assert_eq!(link, "https://www.google.com/maps/search/?api=1&query=-23.5505,-46.6333");
        assert!(maps_link(&json!({"latitude": "-23.5", "longitude": "-46.6"})).is_some());
        assert_eq!(maps_link(&json!({"latitude": 123.0, "longitude": 1.0})), None);
        assert_eq!(maps_link(&json!({"name": "somewhere"})), None);
    }

    #[test]
    fn contact_cards_give_their_names() {
        let payload = json!({"contacts": [
            {"name": {"formatted_name": "Ana Souza", "first_name": "Ana"}},
            {"name": {"first_name": "Bruno"}},
            {"phones": []}
        ]});
        assert_eq!(contact_card_names(&payload), ["Ana Souza", "Bruno"]);
        assert!(contact_card_names(&json!({})).is_empty());
    }

    #[test]
    fn forwarded_flags_are_read() {
        assert!(forwarded(&json!({"forwarded": true})));
        assert!(forwarded(&json!({"frequently_forwarded": true})));
        assert!(!forwarded(&json!({"body": "x"})));
    }
}
