//! Automation rules: *when* something happens (a trigger), *if* it matches (conditions, all of
//! them), *do* these things in order (actions).
//!
//! Rules run in a background worker from the company's domain events, one event at a time in
//! the order they happened. An action's own consequences (a tag it adds) may trigger other rules,
//! but never the same rule again along that chain, and a chain stops after
//! [`MAX_CHAIN`] rules. Every run is kept in the rule's execution log.
//!
//! Business hours (a company's weekly hours in its time zone, and its holidays) are used by the
//! `outside_business_hours` trigger and the `business_hours` condition.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

use crate::ai::WorkingWindow;

/// How many rules may run one after another because of each other's actions.
pub const MAX_CHAIN: usize = 5;
pub const MAX_CONDITIONS: usize = 20;
pub const MAX_ACTIONS: usize = 10;
/// Longest wait a `no_reply` trigger may have: a week.
pub const MAX_NO_REPLY_MINUTES: u32 = 7 * 24 * 60;

/// What starts a rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Trigger {
    /// Every message a customer sends.
    MessageReceived,
    /// A customer writes to a number for the first time (a new conversation).
    ConversationCreated,
    /// A customer message containing one of these words or phrases (any case, accents or not).
    Keyword { keywords: Vec<String> },
    /// A customer answers a campaign: any campaign, or only this one.
    CampaignReply {
        #[serde(default)]
        campaign_id: Option<Uuid>,
    },
    /// A tag is added to a contact (by a teammate, the API or another rule).
    ContactTagged { tag: String },
    /// A customer has waited this many minutes without an answer from us (person, AI or rule).
    NoReply { minutes: u32 },
    /// A customer message outside the company's business hours (or on a holiday).
    OutsideBusinessHours,
}

impl Trigger {
    /// The stored name of the trigger's kind (also the `type` on the wire).
    pub fn kind(&self) -> TriggerKind {
        match self {
            Trigger::MessageReceived => TriggerKind::MessageReceived,
            Trigger::ConversationCreated => TriggerKind::ConversationCreated,
            Trigger::Keyword { .. } => TriggerKind::Keyword,
            Trigger::CampaignReply { .. } => TriggerKind::CampaignReply,
            Trigger::ContactTagged { .. } => TriggerKind::ContactTagged,
            Trigger::NoReply { .. } => TriggerKind::NoReply,
            Trigger::OutsideBusinessHours => TriggerKind::OutsideBusinessHours,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TriggerKind {
    MessageReceived,
    ConversationCreated,
    Keyword,
    CampaignReply,
    ContactTagged,
    NoReply,
    OutsideBusinessHours,
}

impl TriggerKind {
    pub const ALL: [TriggerKind; 7] = [
        TriggerKind::MessageReceived,
        TriggerKind::ConversationCreated,
        TriggerKind::Keyword,
        TriggerKind::CampaignReply,
        TriggerKind::ContactTagged,
        TriggerKind::NoReply,
        TriggerKind::OutsideBusinessHours,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TriggerKind::MessageReceived => "message_received",
            TriggerKind::ConversationCreated => "conversation_created",
            TriggerKind::Keyword => "keyword",
            TriggerKind::CampaignReply => "campaign_reply",
            TriggerKind::ContactTagged => "contact_tagged",
            TriggerKind::NoReply => "no_reply",
            TriggerKind::OutsideBusinessHours => "outside_business_hours",
        }
    }

    pub fn parse(raw: &str) -> Option<TriggerKind> {
        TriggerKind::ALL.into_iter().find(|kind| kind.as_str() == raw)
    }
}

/// How a `tags` condition reads its list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TagsMode {
    /// The contact has at least one of the tags.
    #[default]
    Any,
    /// The contact has every one of them.
    All,
    /// The contact has none of them.
    None,
}

/// How an `attribute` condition compares a contact field (`name`, `first_name`, `email`, `phone`,
/// or a custom field's key) with its value. Text comparisons ignore case and accents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AttributeOp {
    Equals,
    NotEquals,
    Contains,
    IsSet,
    IsNotSet,
}

impl AttributeOp {
    /// Whether the operator compares with a value (the others only look at presence).
    pub fn needs_value(self) -> bool {
        matches!(self, AttributeOp::Equals | AttributeOp::NotEquals | AttributeOp::Contains)
    }
}

/// Who has the conversation, for an `assignment` condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AssignmentState {
    /// Nobody: neither a teammate nor an AI persona.
    Unassigned,
    /// A teammate.
    Agent,
    /// An AI persona.
    Ai,
}

/// A test on the event's conversation, contact or message; a rule runs when all of its
/// conditions hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Condition {
    /// The conversation is on one of these numbers.
    Connection { connection_ids: Vec<Uuid> },
    /// The contact's tags.
    Tags {
        tags: Vec<String>,
        #[serde(default)]
        mode: TagsMode,
    },
    /// A contact field.
    Attribute {
        field: String,
        op: AttributeOp,
        #[serde(default)]
        value: Option<String>,
    },
    /// Now is inside one of these weekly windows (company time zone).
    TimeWindow { windows: Vec<WorkingWindow> },
    /// Now is inside (or, with `outside: true`, outside) the company's business hours.
    BusinessHours {
        #[serde(default)]
        outside: bool,
    },
    /// The conversation's status is one of these (`open`, `pending`, `resolved`, `snoozed`).
    Status { statuses: Vec<String> },
    /// Who has the conversation.
    Assignment { state: AssignmentState },
    /// The customer's message contains one of these texts (any case, accents or not).
    TextContains { values: Vec<String> },
    /// The customer's message matches this regular expression (Rust `regex` syntax).
    TextMatches { pattern: String },
}

/// Something a rule does; actions run in order, and one that fails does not stop the others.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Action {
    /// Give the conversation to this teammate (the AI stops answering).
    AssignAgent {
        user_id: Uuid,
    },
    /// Put the conversation in the team's queue: no teammate, no AI; auto-assignment, when the
    /// company has it on, gives it to the next teammate online.
    AssignTeam,
    /// Let an AI persona answer the conversation (the number's persona when none is named); a
    /// waiting customer message is answered.
    SendToAi {
        #[serde(default)]
        persona_id: Option<Uuid>,
    },
    AddLabel {
        label: String,
    },
    RemoveLabel {
        label: String,
    },
    AddTag {
        tag: String,
    },
    RemoveTag {
        tag: String,
    },
    /// A text message to the customer (only inside WhatsApp's 24-hour window). May use
    /// `{{contact.name}}`, `{{contact.first_name|amigo}}`, `{{contact.<field>}}`.
    ReplyText {
        text: String,
    },
    /// An approved template (any time); body values may use the same references.
    ReplyTemplate {
        name: String,
        language: String,
        #[serde(default)]
        variables: Vec<String>,
    },
    /// The contact stops receiving campaigns.
    OptOut,
    /// POST the event as JSON to this URL (signed, see the README), retried on failure.
    Webhook {
        url: String,
    },
    /// Resolve the conversation.
    Close,
}

impl Action {
    /// The stored name of the action's kind (the `type` on the wire).
    pub fn kind(&self) -> &'static str {
        match self {
            Action::AssignAgent { .. } => "assign_agent",
            Action::AssignTeam => "assign_team",
            Action::SendToAi { .. } => "send_to_ai",
            Action::AddLabel { .. } => "add_label",
            Action::RemoveLabel { .. } => "remove_label",
            Action::AddTag { .. } => "add_tag",
            Action::RemoveTag { .. } => "remove_tag",
            Action::ReplyText { .. } => "reply_text",
            Action::ReplyTemplate { .. } => "reply_template",
            Action::OptOut => "opt_out",
            Action::Webhook { .. } => "webhook",
            Action::Close => "close",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AutomationRuleDto {
    pub id: Uuid,
    pub name: String,
    pub enabled: bool,
    pub trigger: Trigger,
    pub conditions: Vec<Condition>,
    pub actions: Vec<Action>,
    /// Runs recorded in the execution log, and when the last one was.
    pub runs: u64,
    pub last_run_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `POST /api/v1/automation-rules` (owners and admins).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CreateAutomationRuleRequest {
    pub name: String,
    pub trigger: Trigger,
    #[serde(default)]
    pub conditions: Vec<Condition>,
    pub actions: Vec<Action>,
    /// Default `true`.
    #[serde(default)]
    pub enabled: Option<bool>,
}

/// `PATCH /api/v1/automation-rules/{id}`: absent fields stay as they are.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct UpdateAutomationRuleRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trigger: Option<Trigger>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Vec<Condition>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actions: Option<Vec<Action>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RunOutcome {
    /// Every action did what it says.
    Done,
    /// At least one action could not (the steps say why).
    Failed,
    /// Not run: loop protection (the rule already ran in this chain of events, or the chain
    /// is too long).
    Skipped,
}

/// What one action of a run did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RunStep {
    /// The action's `type`.
    pub action: String,
    pub ok: bool,
    /// What happened, in words (`"Assigned to Ana"`, `"Outside the 24-hour window"`).
    pub detail: String,
}

/// One entry of a rule's execution log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AutomationRunDto {
    pub id: Uuid,
    pub rule_id: Uuid,
    /// The trigger kind of the event that started it.
    pub trigger: TriggerKind,
    pub conversation_id: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    /// The contact's name (or phone) when the run was recorded.
    pub contact_name: Option<String>,
    pub outcome: RunOutcome,
    pub steps: Vec<RunStep>,
    pub created_at: DateTime<Utc>,
}

/// `GET /api/v1/automation-rules/webhook-secret` (owners and admins): the key outgoing
/// webhooks are signed with (`X-Master-IA-Signature: sha256=<hex HMAC-SHA256 of the body>`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct WebhookSecretDto {
    pub secret: String,
}

/// A day the company is closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Holiday {
    pub date: NaiveDate,
    pub name: String,
    /// Closed on this day and month every year (Christmas), not only on this date.
    #[serde(default)]
    pub every_year: bool,
}

impl Holiday {
    pub fn falls_on(&self, day: NaiveDate) -> bool {
        use chrono::Datelike;
        if self.every_year {
            self.date.month() == day.month() && self.date.day() == day.day()
        } else {
            self.date == day
        }
    }
}

/// `GET|PUT /api/v1/company/business-hours`: when the company answers, in its time zone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct BusinessHoursDto {
    /// Weekly opening hours. None at all: the company keeps no hours (never "outside").
    pub windows: Vec<WorkingWindow>,
    pub holidays: Vec<Holiday>,
    /// The company's time zone the hours are read in (read-only here; set in the company
    /// settings).
    #[serde(default)]
    pub time_zone: String,
}

impl BusinessHoursDto {
    /// Whether the company is open at local `day`, `weekday` (1 = Monday) and `minute` after
    /// midnight. A company without hours is always open.
    pub fn is_open(&self, day: NaiveDate, weekday: u8, minute: u32) -> bool {
        if self.windows.is_empty() {
            return true;
        }
        !self.holidays.iter().any(|h| h.falls_on(day))
            && self.windows.iter().any(|w| w.contains(weekday, minute))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_read_and_write_the_documented_json() {
        let rule: CreateAutomationRuleRequest = serde_json::from_value(serde_json::json!({
            "name": "VIP to Ana",
            "trigger": {"type": "keyword", "keywords": ["preço"]},
            "conditions": [{"type": "tags", "tags": ["vip"]},
                {"type": "business_hours", "outside": true}],
            "actions": [{"type": "add_label", "label": "vendas"}, {"type": "close"},
                {"type": "send_to_ai"}],
        }))
        .unwrap();
        assert_eq!(rule.trigger.kind(), TriggerKind::Keyword);
        assert_eq!(
            rule.conditions[0],
            Condition::Tags { tags: vec!["vip".into()], mode: TagsMode::Any }
        );
        assert_eq!(rule.conditions[1], Condition::BusinessHours { outside: true });
        assert_eq!(rule.actions[2], Action::SendToAi { persona_id: None });
        assert_eq!(rule.enabled, None);
        let back = serde_json::to_value(&rule.actions[1]).unwrap();
        assert_eq!(back, serde_json::json!({"type": "close"}));
        for kind in TriggerKind::ALL {
            assert_eq!(TriggerKind::parse(kind.as_str()), Some(kind));
        }
    }

    #[test]
    fn business_hours_honour_windows_and_holidays() {
        let date = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let hours = BusinessHoursDto {
            windows: vec![WorkingWindow {
                days: vec![1, 2, 3, 4, 5],
                start: "09:00".into(),
                end: "18:00".into(),
            }],
            holidays: vec![
                Holiday { date: date("2020-12-25"), name: "Natal".into(), every_year: true },
                Holiday { date: date("2026-11-30"), name: "Inventário".into(), every_year: false },
            ],
            time_zone: "America/Sao_Paulo".into(),
        };
        // Wednesday 2026-11-25, 10:00 and 20:00.
        assert!(hours.is_open(date("2026-11-25"), 3, 600));
        assert!(!hours.is_open(date("2026-11-25"), 3, 1200));
        // Saturday.
        assert!(!hours.is_open(date("2026-11-28"), 6, 600));
        // Christmas on a Friday, every year; a one-off Monday closing.
        assert!(!hours.is_open(date("2026-12-25"), 5, 600));
        assert!(!hours.is_open(date("2026-11-30"), 1, 600));
        assert!(hours.is_open(date("2027-11-29"), 1, 600));
        assert!(BusinessHoursDto::default().is_open(date("2026-12-25"), 5, 0), "no hours: open");
    }
}
