//! Campaigns: bulk template sends to an audience of contacts, and the variables that personalise
//! them.
//!
//! A campaign's template values may reference the recipient: `{{contact.name}}`,
//! `{{contact.first_name}}`, `{{contact.phone}}`, `{{contact.email}}` or a custom field
//! `{{contact.<key>}}`, each with an optional fallback after a bar (`{{contact.name|amigo}}`).
//! [`personalise`] resolves them; the server sends what it returns and the UI previews with the
//! very same function.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::api::{TemplateButtonSend, TemplateHeaderSend, TemplateSend};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// Messages per second a campaign sends at unless told otherwise: Meta's default throughput
/// for a Cloud API number.
pub const DEFAULT_RATE_PER_SECOND: u32 = 80;
/// Meta's highest throughput tier (numbers upgraded automatically).
pub const MAX_RATE_PER_SECOND: u32 = 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CampaignStatus {
    /// Being written; nothing is sent.
    Draft,
    /// Started with a time in the future: sending begins then.
    Scheduled,
    Running,
    /// Stopped by a person (or by the server, with `last_error`, e.g. an invalid token); resume
    /// goes on where it stopped.
    Paused,
    /// Every recipient has an outcome.
    Completed,
    /// Stopped for good; recipients not sent to stay unsent.
    Cancelled,
}

impl CampaignStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CampaignStatus::Draft => "draft",
            CampaignStatus::Scheduled => "scheduled",
            CampaignStatus::Running => "running",
            CampaignStatus::Paused => "paused",
            CampaignStatus::Completed => "completed",
            CampaignStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(raw: &str) -> Option<CampaignStatus> {
        Some(match raw {
            "draft" => CampaignStatus::Draft,
            "scheduled" => CampaignStatus::Scheduled,
            "running" => CampaignStatus::Running,
            "paused" => CampaignStatus::Paused,
            "completed" => CampaignStatus::Completed,
            "cancelled" => CampaignStatus::Cancelled,
            _ => return None,
        })
    }

    /// Whether the campaign is over (no more sending, no more changes).
    pub fn is_finished(self) -> bool {
        matches!(self, CampaignStatus::Completed | CampaignStatus::Cancelled)
    }
}

/// The approved template a campaign sends and how each recipient's values are made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CampaignTemplate {
    pub name: String,
    /// e.g. `pt_BR`.
    pub language: String,
    /// Values of the body's `{{1}}`, `{{2}}`, ...: constants and/or `{{contact.name|fallback}}`.
    #[serde(default, alias = "body")]
    pub variables: Vec<String>,
    /// A text header's `{{1}}` (may reference the contact), or the media of a media header.
    #[serde(default)]
    pub header: Option<TemplateHeaderSend>,
    /// Dynamic parts of buttons (may reference the contact).
    #[serde(default)]
    pub buttons: Vec<TemplateButtonSend>,
}

/// Who receives a campaign: everyone matched by any of the parts (a contact matched twice
/// receives once). Opted-out, deleted and erased contacts are always left out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CampaignAudience {
    #[serde(default)]
    pub segment_ids: Vec<Uuid>,
    /// Contacts with any of these tags.
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub contact_ids: Vec<Uuid>,
    /// Every contact of the company.
    #[serde(default)]
    pub all_contacts: bool,
}

impl CampaignAudience {
    pub fn is_empty(&self) -> bool {
        self.segment_ids.is_empty()
            && self.tags.is_empty()
            && self.contact_ids.is_empty()
            && !self.all_contacts
    }
}

/// A daily window (company time zone) in which nothing is sent, e.g. `21:00`–`08:00`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct QuietHours {
    /// `HH:MM`, 24-hour clock.
    pub start: String,
    /// `HH:MM`; before `start` means the window runs past midnight.
    pub end: String,
}

/// `POST /api/v1/campaigns`: a draft.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CreateCampaignRequest {
    pub name: String,
    pub connection_id: Uuid,
    pub template: CampaignTemplate,
    pub audience: CampaignAudience,
    /// When to start once started: RFC 3339 (`2026-12-01T09:00:00-03:00`), or a local date and
    /// time without offset (`2026-12-01T09:00`) read in the company's time zone.
    #[serde(default)]
    pub scheduled_at: Option<String>,
    /// Messages per second on this number, 1 to 1000 (default 80).
    #[serde(default)]
    pub rate_per_second: Option<u32>,
    #[serde(default)]
    pub quiet_hours: Option<QuietHours>,
}

/// `PATCH /api/v1/campaigns/{id}` (drafts and scheduled campaigns): any of the fields;
/// `clear_schedule` / `clear_quiet_hours` remove those settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct UpdateCampaignRequest {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub connection_id: Option<Uuid>,
    #[serde(default)]
    pub template: Option<CampaignTemplate>,
    #[serde(default)]
    pub audience: Option<CampaignAudience>,
    #[serde(default)]
    pub scheduled_at: Option<String>,
    #[serde(default)]
    pub clear_schedule: bool,
    #[serde(default)]
    pub rate_per_second: Option<u32>,
    #[serde(default)]
    pub quiet_hours: Option<QuietHours>,
    #[serde(default)]
    pub clear_quiet_hours: bool,
}

/// Where the recipients stand. `sent` counts every message Meta accepted (so it includes the
/// delivered and read ones), `delivered` includes the read ones: a funnel.
/// `total = pending + sent + failed + skipped + cancelled`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CampaignCounts {
    pub total: u64,
    /// Not sent yet (waiting, being sent, waiting for a retry, or awaiting Meta's word after
    /// an interrupted send).
    pub pending: u64,
    pub sent: u64,
    pub delivered: u64,
    pub read: u64,
    pub failed: u64,
    /// Left out when their turn came (opted out or erased since the start).
    pub skipped: u64,
    /// Not sent because the campaign was cancelled.
    pub cancelled: u64,
    /// Recipients who answered.
    pub replied: u64,
}

impl CampaignCounts {
    /// Recipients with an outcome (sent, failed, skipped or cancelled).
    pub fn done(&self) -> u64 {
        self.total.saturating_sub(self.pending)
    }
}

/// Contacts the audience matched but that will not receive the campaign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AudienceExclusions {
    pub opted_out: u64,
    /// No usable phone number (erased contacts).
    pub invalid: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CampaignDto {
    pub id: Uuid,
    pub name: String,
    pub connection_id: Uuid,
    pub status: CampaignStatus,
    pub template: CampaignTemplate,
    pub audience: CampaignAudience,
    pub scheduled_at: Option<DateTime<Utc>>,
    pub rate_per_second: u32,
    pub quiet_hours: Option<QuietHours>,
    /// The company's IANA time zone, in which schedule and quiet hours are read.
    pub time_zone: String,
    pub counts: CampaignCounts,
    /// Known once started (recipients are fixed then).
    pub excluded: AudienceExclusions,
    /// Why the server paused the campaign, when it did (e.g. Meta refused the access token).
    pub last_error: Option<String>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// One recipient of a campaign.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CampaignRecipientDto {
    pub id: i64,
    pub contact_id: Uuid,
    pub name: String,
    pub phone: String,
    /// `pending`, `sent`, `delivered`, `read`, `failed`, `skipped` or `cancelled`.
    pub status: String,
    pub attempts: i32,
    pub error_code: Option<i32>,
    pub error_message: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub read_at: Option<DateTime<Utc>>,
    pub failed_at: Option<DateTime<Utc>>,
    pub replied_at: Option<DateTime<Utc>>,
}

/// `POST /api/v1/campaigns/preview`: who would receive it, and what some of them would read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CampaignPreviewRequest {
    pub audience: CampaignAudience,
    #[serde(default)]
    pub template: Option<CampaignTemplate>,
    #[serde(default)]
    pub connection_id: Option<Uuid>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CampaignPreview {
    /// Contacts the audience matches (before exclusions).
    pub matched: u64,
    pub excluded: AudienceExclusions,
    /// Who will receive it.
    pub recipients: u64,
    /// The first few recipients with their values filled in.
    pub samples: Vec<RecipientSample>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RecipientSample {
    pub contact_id: Uuid,
    pub name: String,
    pub phone: String,
    /// The template's values for this contact (body variables in order).
    pub variables: Vec<String>,
    /// The body as this contact would read it, when the template is known.
    pub body: Option<String>,
    /// References without a value and without a fallback: this contact would fail.
    pub missing: Vec<String>,
}

/// Failures grouped by reason, for the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct FailureReason {
    pub error_code: Option<i32>,
    pub reason: String,
    pub count: u64,
}

/// `GET /api/v1/campaigns/{id}/report`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CampaignReport {
    pub counts: CampaignCounts,
    pub failures: Vec<FailureReason>,
    /// Sends per minute since the start (minute start, accepted by Meta in that minute).
    pub timeline: Vec<TimelinePoint>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TimelinePoint {
    pub minute: DateTime<Utc>,
    pub sent: u64,
}

/// The live `campaign.progress` event, sent about once a second while a campaign runs and
/// once when its status changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CampaignProgress {
    pub campaign_id: Uuid,
    pub status: CampaignStatus,
    pub counts: CampaignCounts,
    /// Messages per second over the last few seconds.
    pub rate: f64,
    /// Seconds until every pending recipient had its turn at the configured rate.
    pub eta_seconds: Option<u64>,
    pub last_error: Option<String>,
}

/// The recipient fields a template value may reference.
pub trait RecipientFields {
    /// `name`, `first_name`, `phone`, `email`, or a custom field key; `None` or blank = no value.
    fn field(&self, key: &str) -> Option<String>;
}

/// A value could not be made: the reference has no value for this contact and no fallback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingValue {
    /// The reference as written, e.g. `contact.email`.
    pub reference: String,
}

/// Fills `{{contact.x}}` / `{{contact.x|fallback}}` references of one template value.
/// Text outside references (and `{{...}}` that is not a contact reference) is kept as written.
///
/// # Errors
/// The first reference with neither a value nor a fallback.
pub fn personalise(value: &str, fields: &dyn RecipientFields) -> Result<String, MissingValue> {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            out.push_str(&rest[start..]);
            rest = "";
            break;
        };
        let inner = after[..end].trim();
        let (reference, fallback) = match inner.split_once('|') {
            Some((reference, fallback)) => (reference.trim(), Some(fallback.trim())),
            None => (inner, None),
        };
        match reference.strip_prefix("contact.") {
            Some(key) => {
                let found = fields.field(key.trim()).filter(|v| !v.trim().is_empty());
                match (found, fallback) {
                    (Some(found), _) => out.push_str(found.trim()),
                    (None, Some(fallback)) if !fallback.is_empty() => out.push_str(fallback),
                    _ => return Err(MissingValue { reference: reference.to_owned() }),
                }
            }
            None => {
                out.push_str("{{");
                out.push_str(&after[..end]);
                out.push_str("}}");
            }
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Every contact reference a campaign template uses (`contact.name`, ...), for checks.
pub fn references(template: &CampaignTemplate) -> Vec<String> {
    let mut found = Vec::new();
    for value in values_of(template) {
        let mut rest = value;
        while let Some(start) = rest.find("{{") {
            let after = &rest[start + 2..];
            let Some(end) = after.find("}}") else { break };
            let inner = after[..end].trim();
            let reference = inner.split_once('|').map_or(inner, |(r, _)| r).trim();
            if reference.starts_with("contact.") && !found.iter().any(|f| f == reference) {
                found.push(reference.to_owned());
            }
            rest = &after[end + 2..];
        }
    }
    found
}

fn values_of(template: &CampaignTemplate) -> Vec<&str> {
    let mut values: Vec<&str> = template.variables.iter().map(String::as_str).collect();
    if let Some(TemplateHeaderSend::Text { text }) = &template.header {
        values.push(text);
    }
    values.extend(template.buttons.iter().map(|b| b.value.as_str()));
    values
}

/// The template send for one recipient: every reference filled.
///
/// # Errors
/// The first reference without a value (see [`personalise`]).
pub fn template_for(
    template: &CampaignTemplate,
    fields: &dyn RecipientFields,
) -> Result<TemplateSend, MissingValue> {
    let body =
        template.variables.iter().map(|v| personalise(v, fields)).collect::<Result<Vec<_>, _>>()?;
    let header = match &template.header {
        Some(TemplateHeaderSend::Text { text }) => {
            Some(TemplateHeaderSend::Text { text: personalise(text, fields)? })
        }
        other => other.clone(),
    };
    let buttons = template
        .buttons
        .iter()
        .map(|b| {
            Ok(TemplateButtonSend {
                index: b.index,
                sub_type: b.sub_type.clone(),
                value: personalise(&b.value, fields)?,
            })
        })
        .collect::<Result<Vec<_>, MissingValue>>()?;
    Ok(TemplateSend {
        name: template.name.clone(),
        language: template.language.clone(),
        body,
        header,
        buttons,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct Fields(HashMap<&'static str, &'static str>);

    impl RecipientFields for Fields {
        fn field(&self, key: &str) -> Option<String> {
            self.0.get(key).map(|v| (*v).to_owned())
        }
    }

    fn ana() -> Fields {
        Fields(HashMap::from([("name", "Ana Souza"), ("first_name", "Ana"), ("plan", "gold")]))
    }

    #[test]
    fn references_are_filled_from_the_contact() {
        let fields = ana();
        assert_eq!(personalise("Olá {{contact.first_name}}!", &fields).unwrap(), "Olá Ana!");
        assert_eq!(personalise("{{ contact.plan }}", &fields).unwrap(), "gold");
        assert_eq!(personalise("BLACK20", &fields).unwrap(), "BLACK20");
        // Not a contact reference: kept as written.
        assert_eq!(personalise("{{1}} stays", &fields).unwrap(), "{{1}} stays");
    }

    #[test]
    fn a_fallback_covers_a_missing_value_and_without_one_the_value_is_missing() {
        let fields = ana();
        assert_eq!(personalise("{{contact.email|sem e-mail}}", &fields).unwrap(), "sem e-mail");
        assert_eq!(
            personalise("Oi {{contact.email}}", &fields),
            Err(MissingValue { reference: "contact.email".into() })
        );
        let blank = Fields(HashMap::from([("name", "  ")]));
        assert_eq!(personalise("{{contact.name|cliente}}", &blank).unwrap(), "cliente");
    }

    #[test]
    fn a_whole_template_is_personalised_and_its_references_listed() {
        let template = CampaignTemplate {
            name: "promo".into(),
            language: "pt_BR".into(),
            variables: vec!["{{contact.first_name|amigo}}".into(), "BLACK20".into()],
            header: Some(TemplateHeaderSend::Text { text: "{{contact.plan}}".into() }),
            buttons: vec![TemplateButtonSend {
                index: 0,
                sub_type: "url".into(),
                value: "c/{{contact.plan}}".into(),
            }],
        };
        let send = template_for(&template, &ana()).unwrap();
        assert_eq!(send.body, ["Ana", "BLACK20"]);
        assert_eq!(send.header, Some(TemplateHeaderSend::Text { text: "gold".into() }));
        assert_eq!(send.buttons[0].value, "c/gold");
        assert_eq!(references(&template), ["contact.first_name", "contact.plan"]);
    }

    #[test]
    fn status_words_round_trip() {
        for status in [
            CampaignStatus::Draft,
            CampaignStatus::Scheduled,
            CampaignStatus::Running,
            CampaignStatus::Paused,
            CampaignStatus::Completed,
            CampaignStatus::Cancelled,
        ] {
            assert_eq!(CampaignStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(CampaignStatus::parse("sending"), None);
    }
}
