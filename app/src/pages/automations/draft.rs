//! A rule as its form holds it: plain values, with lists typed as comma-separated text, turned
//! into the API's trigger, conditions and actions on save (and back when a rule is opened).
//! The server checks everything again and names the field it refuses.

use shared::{
    ai::WorkingWindow,
    automation::{Action, AssignmentState, AttributeOp, Condition, TagsMode, Trigger, TriggerKind},
    i18n::Key,
};
use uuid::Uuid;

use crate::components::hours::new_window;

/// A check of the form that failed before anything was sent: the API field and what to say.
pub type Invalid = (String, Key);

/// `"a, b ,, c"` → `["a", "b", "c"]`.
pub fn split_list(raw: &str) -> Vec<String> {
    raw.split(',').map(|w| w.trim().to_owned()).filter(|w| !w.is_empty()).collect()
}

/// The inverse of [`split_list`], for showing a saved list.
pub fn join_list(words: &[String]) -> String {
    words.join(", ")
}

/// The label of a trigger kind in the picker (and the execution log).
pub fn trigger_key(kind: TriggerKind) -> Key {
    match kind {
        TriggerKind::MessageReceived => Key::TrigMessageReceived,
        TriggerKind::ConversationCreated => Key::TrigConversationCreated,
        TriggerKind::Keyword => Key::TrigKeyword,
        TriggerKind::CampaignReply => Key::TrigCampaignReply,
        TriggerKind::ContactTagged => Key::TrigContactTagged,
        TriggerKind::NoReply => Key::TrigNoReply,
        TriggerKind::OutsideBusinessHours => Key::TrigOutsideHours,
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct TriggerForm {
    pub kind: TriggerKind,
    pub keywords: String,
    /// A campaign's id, or empty for any campaign.
    pub campaign_id: String,
    pub tag: String,
    pub minutes: String,
}

impl Default for TriggerForm {
    fn default() -> Self {
        TriggerForm {
            kind: TriggerKind::Keyword,
            keywords: String::new(),
            campaign_id: String::new(),
            tag: String::new(),
            minutes: "30".into(),
        }
    }
}

impl TriggerForm {
    pub fn of(trigger: &Trigger) -> Self {
        let mut form = TriggerForm { kind: trigger.kind(), ..TriggerForm::default() };
        match trigger {
            Trigger::Keyword { keywords } => form.keywords = join_list(keywords),
            Trigger::CampaignReply { campaign_id } => {
                form.campaign_id = campaign_id.map(|id| id.to_string()).unwrap_or_default()
            }
            Trigger::ContactTagged { tag } => form.tag = tag.clone(),
            Trigger::NoReply { minutes } => form.minutes = minutes.to_string(),
            Trigger::MessageReceived
            | Trigger::ConversationCreated
            | Trigger::OutsideBusinessHours => {}
        }
        form
    }

    /// # Errors
    /// When the minutes are not a whole number.
    pub fn trigger(&self) -> Result<Trigger, Invalid> {
        Ok(match self.kind {
            TriggerKind::MessageReceived => Trigger::MessageReceived,
            TriggerKind::ConversationCreated => Trigger::ConversationCreated,
            TriggerKind::Keyword => Trigger::Keyword { keywords: split_list(&self.keywords) },
            TriggerKind::CampaignReply => {
                Trigger::CampaignReply { campaign_id: self.campaign_id.trim().parse().ok() }
            }
            TriggerKind::ContactTagged => {
                Trigger::ContactTagged { tag: self.tag.trim().to_owned() }
            }
            TriggerKind::NoReply => Trigger::NoReply {
                minutes: self
                    .minutes
                    .trim()
                    .parse()
                    .map_err(|_| ("trigger.minutes".to_owned(), Key::NumberInvalid))?,
            },
            TriggerKind::OutsideBusinessHours => Trigger::OutsideBusinessHours,
        })
    }
}

/// The kinds of condition, in the picker's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConditionKind {
    TextContains,
    TextMatches,
    Tags,
    Attribute,
    Connection,
    Status,
    Assignment,
    BusinessHours,
    TimeWindow,
}

impl ConditionKind {
    pub const ALL: [ConditionKind; 9] = [
        ConditionKind::TextContains,
        ConditionKind::TextMatches,
        ConditionKind::Tags,
        ConditionKind::Attribute,
        ConditionKind::Connection,
        ConditionKind::Status,
        ConditionKind::Assignment,
        ConditionKind::BusinessHours,
        ConditionKind::TimeWindow,
    ];

    /// The `type` on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            ConditionKind::Connection => "connection",
            ConditionKind::Tags => "tags",
            ConditionKind::Attribute => "attribute",
            ConditionKind::TimeWindow => "time_window",
            ConditionKind::BusinessHours => "business_hours",
            ConditionKind::Status => "status",
            ConditionKind::Assignment => "assignment",
            ConditionKind::TextContains => "text_contains",
            ConditionKind::TextMatches => "text_matches",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == raw)
    }

    pub fn key(self) -> Key {
        match self {
            ConditionKind::Connection => Key::CondConnection,
            ConditionKind::Tags => Key::CondTags,
            ConditionKind::Attribute => Key::CondAttribute,
            ConditionKind::TimeWindow => Key::CondTimeWindow,
            ConditionKind::BusinessHours => Key::CondBusinessHours,
            ConditionKind::Status => Key::CondStatus,
            ConditionKind::Assignment => Key::CondAssignment,
            ConditionKind::TextContains => Key::CondTextContains,
            ConditionKind::TextMatches => Key::CondTextMatches,
        }
    }
}

/// The conversation statuses a `status` condition may name, with their labels.
pub const STATUSES: [(&str, Key); 4] = [
    ("open", Key::StatusOpen),
    ("pending", Key::StatusPending),
    ("resolved", Key::StatusResolved),
    ("snoozed", Key::StatusSnoozed),
];

pub const TAGS_MODES: [(TagsMode, &str, Key); 3] = [
    (TagsMode::Any, "any", Key::SegmentTagsAny),
    (TagsMode::All, "all", Key::SegmentTagsAll),
    (TagsMode::None, "none", Key::SegmentTagsNone),
];

pub const ATTRIBUTE_OPS: [(AttributeOp, &str, Key); 5] = [
    (AttributeOp::Equals, "equals", Key::OpEq),
    (AttributeOp::NotEquals, "not_equals", Key::OpNe),
    (AttributeOp::Contains, "contains", Key::OpContains),
    (AttributeOp::IsSet, "is_set", Key::OpIsSet),
    (AttributeOp::IsNotSet, "is_not_set", Key::OpIsNotSet),
];

pub const ASSIGNMENT_STATES: [(AssignmentState, &str, Key); 3] = [
    (AssignmentState::Unassigned, "unassigned", Key::CondNobody),
    (AssignmentState::Agent, "agent", Key::CondTeammate),
    (AssignmentState::Ai, "ai", Key::CondAiPersona),
];

/// One condition as typed; only the fields of its kind matter. Its time windows live beside it
/// (the hours editor edits a signal of its own).
#[derive(Debug, Clone, PartialEq)]
pub struct ConditionForm {
    pub kind: ConditionKind,
    pub connection_ids: Vec<Uuid>,
    pub tags: String,
    pub tags_mode: TagsMode,
    pub field: String,
    pub op: AttributeOp,
    pub value: String,
    pub outside: bool,
    pub statuses: Vec<String>,
    pub assignment: AssignmentState,
    pub values: String,
    pub pattern: String,
}

impl ConditionForm {
    pub fn new(kind: ConditionKind) -> Self {
        ConditionForm {
            kind,
            connection_ids: Vec::new(),
            tags: String::new(),
            tags_mode: TagsMode::Any,
            field: String::new(),
            op: AttributeOp::Equals,
            value: String::new(),
            outside: true,
            statuses: vec!["open".into()],
            assignment: AssignmentState::Unassigned,
            values: String::new(),
            pattern: String::new(),
        }
    }

    /// The form of a saved condition, and its windows (the default window for other kinds, so
    /// switching to "time of day" starts from office hours).
    pub fn of(condition: &Condition) -> (Self, Vec<WorkingWindow>) {
        let mut windows = vec![new_window()];
        let form = match condition {
            Condition::Connection { connection_ids } => ConditionForm {
                connection_ids: connection_ids.clone(),
                ..Self::new(ConditionKind::Connection)
            },
            Condition::Tags { tags, mode } => ConditionForm {
                tags: join_list(tags),
                tags_mode: *mode,
                ..Self::new(ConditionKind::Tags)
            },
            Condition::Attribute { field, op, value } => ConditionForm {
                field: field.clone(),
                op: *op,
                value: value.clone().unwrap_or_default(),
                ..Self::new(ConditionKind::Attribute)
            },
            Condition::TimeWindow { windows: saved } => {
                windows = saved.clone();
                Self::new(ConditionKind::TimeWindow)
            }
            Condition::BusinessHours { outside } => {
                ConditionForm { outside: *outside, ..Self::new(ConditionKind::BusinessHours) }
            }
            Condition::Status { statuses } => {
                ConditionForm { statuses: statuses.clone(), ..Self::new(ConditionKind::Status) }
            }
            Condition::Assignment { state } => {
                ConditionForm { assignment: *state, ..Self::new(ConditionKind::Assignment) }
            }
            Condition::TextContains { values } => ConditionForm {
                values: join_list(values),
                ..Self::new(ConditionKind::TextContains)
            },
            Condition::TextMatches { pattern } => {
                ConditionForm { pattern: pattern.clone(), ..Self::new(ConditionKind::TextMatches) }
            }
        };
        (form, windows)
    }

    pub fn condition(&self, windows: Vec<WorkingWindow>) -> Condition {
        match self.kind {
            ConditionKind::Connection => {
                Condition::Connection { connection_ids: self.connection_ids.clone() }
            }
            ConditionKind::Tags => {
                Condition::Tags { tags: split_list(&self.tags), mode: self.tags_mode }
            }
            ConditionKind::Attribute => Condition::Attribute {
                field: self.field.trim().to_owned(),
                op: self.op,
                value: Some(self.value.trim().to_owned())
                    .filter(|v| self.op.needs_value() && !v.is_empty()),
            },
            ConditionKind::TimeWindow => Condition::TimeWindow { windows },
            ConditionKind::BusinessHours => Condition::BusinessHours { outside: self.outside },
            ConditionKind::Status => {
                // In the picker's order, whatever order they were ticked in.
                let statuses = STATUSES
                    .iter()
                    .filter(|(s, _)| self.statuses.iter().any(|c| c == s))
                    .map(|(s, _)| (*s).to_owned())
                    .collect();
                Condition::Status { statuses }
            }
            ConditionKind::Assignment => Condition::Assignment { state: self.assignment },
            ConditionKind::TextContains => {
                Condition::TextContains { values: split_list(&self.values) }
            }
            ConditionKind::TextMatches => Condition::TextMatches { pattern: self.pattern.clone() },
        }
    }
}

/// The kinds of action, in the picker's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionKind {
    AddLabel,
    RemoveLabel,
    AddTag,
    RemoveTag,
    ReplyText,
    ReplyTemplate,
    AssignAgent,
    AssignTeam,
    SendToAi,
    Close,
    OptOut,
    Webhook,
}

impl ActionKind {
    pub const ALL: [ActionKind; 12] = [
        ActionKind::AddLabel,
        ActionKind::RemoveLabel,
        ActionKind::AddTag,
        ActionKind::RemoveTag,
        ActionKind::ReplyText,
        ActionKind::ReplyTemplate,
        ActionKind::AssignAgent,
        ActionKind::AssignTeam,
        ActionKind::SendToAi,
        ActionKind::Close,
        ActionKind::OptOut,
        ActionKind::Webhook,
    ];

    /// The `type` on the wire (as [`Action::kind`] names it).
    pub fn as_str(self) -> &'static str {
        match self {
            ActionKind::AssignAgent => "assign_agent",
            ActionKind::AssignTeam => "assign_team",
            ActionKind::SendToAi => "send_to_ai",
            ActionKind::AddLabel => "add_label",
            ActionKind::RemoveLabel => "remove_label",
            ActionKind::AddTag => "add_tag",
            ActionKind::RemoveTag => "remove_tag",
            ActionKind::ReplyText => "reply_text",
            ActionKind::ReplyTemplate => "reply_template",
            ActionKind::OptOut => "opt_out",
            ActionKind::Webhook => "webhook",
            ActionKind::Close => "close",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == raw)
    }

    pub fn key(self) -> Key {
        match self {
            ActionKind::AssignAgent => Key::ActAssignAgent,
            ActionKind::AssignTeam => Key::ActAssignTeam,
            ActionKind::SendToAi => Key::ActSendToAi,
            ActionKind::AddLabel => Key::ActAddLabel,
            ActionKind::RemoveLabel => Key::ActRemoveLabel,
            ActionKind::AddTag => Key::ActAddTag,
            ActionKind::RemoveTag => Key::ActRemoveTag,
            ActionKind::ReplyText => Key::ActReplyText,
            ActionKind::ReplyTemplate => Key::ActReplyTemplate,
            ActionKind::OptOut => Key::ActOptOut,
            ActionKind::Webhook => Key::ActWebhook,
            ActionKind::Close => Key::ActClose,
        }
    }
}

/// One action as typed; only the fields of its kind matter.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionForm {
    pub kind: ActionKind,
    /// A member's user id, or empty before one is chosen.
    pub user_id: String,
    /// A persona's id, or empty for the number's persona.
    pub persona_id: String,
    pub label: String,
    pub tag: String,
    pub text: String,
    pub template_name: String,
    pub template_language: String,
    pub variables: Vec<String>,
    pub url: String,
}

impl ActionForm {
    pub fn new(kind: ActionKind) -> Self {
        ActionForm {
            kind,
            user_id: String::new(),
            persona_id: String::new(),
            label: String::new(),
            tag: String::new(),
            text: String::new(),
            template_name: String::new(),
            template_language: String::new(),
            variables: Vec::new(),
            url: String::new(),
        }
    }

    pub fn of(action: &Action) -> Self {
        let kind = ActionKind::parse(action.kind()).unwrap_or(ActionKind::AddLabel);
        let blank = Self::new(kind);
        match action {
            Action::AssignAgent { user_id } => ActionForm { user_id: user_id.to_string(), ..blank },
            Action::SendToAi { persona_id } => ActionForm {
                persona_id: persona_id.map(|id| id.to_string()).unwrap_or_default(),
                ..blank
            },
            Action::AddLabel { label } | Action::RemoveLabel { label } => {
                ActionForm { label: label.clone(), ..blank }
            }
            Action::AddTag { tag } | Action::RemoveTag { tag } => {
                ActionForm { tag: tag.clone(), ..blank }
            }
            Action::ReplyText { text } => ActionForm { text: text.clone(), ..blank },
            Action::ReplyTemplate { name, language, variables } => ActionForm {
                template_name: name.clone(),
                template_language: language.clone(),
                variables: variables.clone(),
                ..blank
            },
            Action::Webhook { url } => ActionForm { url: url.clone(), ..blank },
            Action::AssignTeam | Action::OptOut | Action::Close => blank,
        }
    }

    /// The action; `index` is its place in the list, for the field a problem is shown under.
    ///
    /// # Errors
    /// When no teammate is chosen for an assignment.
    pub fn action(&self, index: usize) -> Result<Action, Invalid> {
        Ok(match self.kind {
            ActionKind::AssignAgent => Action::AssignAgent {
                user_id: self
                    .user_id
                    .parse()
                    .map_err(|_| (format!("actions[{index}].user_id"), Key::FieldRequired))?,
            },
            ActionKind::AssignTeam => Action::AssignTeam,
            ActionKind::SendToAi => Action::SendToAi { persona_id: self.persona_id.parse().ok() },
            ActionKind::AddLabel => Action::AddLabel { label: self.label.trim().to_owned() },
            ActionKind::RemoveLabel => Action::RemoveLabel { label: self.label.trim().to_owned() },
            ActionKind::AddTag => Action::AddTag { tag: self.tag.trim().to_owned() },
            ActionKind::RemoveTag => Action::RemoveTag { tag: self.tag.trim().to_owned() },
            ActionKind::ReplyText => Action::ReplyText { text: self.text.clone() },
            ActionKind::ReplyTemplate => Action::ReplyTemplate {
                name: self.template_name.trim().to_owned(),
                language: self.template_language.trim().to_owned(),
                variables: self.variables.clone(),
            },
            ActionKind::OptOut => Action::OptOut,
            ActionKind::Webhook => Action::Webhook { url: self.url.trim().to_owned() },
            ActionKind::Close => Action::Close,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_typed_with_commas() {
        assert_eq!(
            split_list(" preço, valor ,, quanto custa "),
            vec!["preço", "valor", "quanto custa"]
        );
        assert!(split_list(" , ").is_empty());
        assert_eq!(join_list(&split_list("a,b")), "a, b");
    }

    #[test]
    fn triggers_go_back_and_forth() {
        let id = Uuid::from_u128(7);
        for trigger in [
            Trigger::MessageReceived,
            Trigger::ConversationCreated,
            Trigger::Keyword { keywords: vec!["preço".into(), "valor".into()] },
            Trigger::CampaignReply { campaign_id: None },
            Trigger::CampaignReply { campaign_id: Some(id) },
            Trigger::ContactTagged { tag: "vip".into() },
            Trigger::NoReply { minutes: 45 },
            Trigger::OutsideBusinessHours,
        ] {
            assert_eq!(TriggerForm::of(&trigger).trigger(), Ok(trigger));
        }
        let form = TriggerForm {
            kind: TriggerKind::NoReply,
            minutes: "meia hora".into(),
            ..TriggerForm::default()
        };
        assert_eq!(form.trigger(), Err(("trigger.minutes".to_owned(), Key::NumberInvalid)));
    }

    #[test]
    fn conditions_go_back_and_forth() {
        let window = WorkingWindow { days: vec![6, 7], start: "10:00".into(), end: "14:00".into() };
        for condition in [
            Condition::Connection { connection_ids: vec![Uuid::from_u128(1)] },
            Condition::Tags { tags: vec!["vip".into(), "lead".into()], mode: TagsMode::None },
            Condition::Attribute {
                field: "plan".into(),
                op: AttributeOp::Equals,
                value: Some("gold".into()),
            },
            Condition::Attribute { field: "email".into(), op: AttributeOp::IsSet, value: None },
            Condition::TimeWindow { windows: vec![window.clone()] },
            Condition::BusinessHours { outside: false },
            Condition::Status { statuses: vec!["open".into(), "snoozed".into()] },
            Condition::Assignment { state: AssignmentState::Ai },
            Condition::TextContains { values: vec!["boleto".into()] },
            Condition::TextMatches { pattern: r"(?i)pedido\s*\d+".into() },
        ] {
            let (form, windows) = ConditionForm::of(&condition);
            assert_eq!(form.condition(windows), condition);
        }
    }

    #[test]
    fn a_value_is_sent_only_where_the_comparison_needs_one() {
        let mut form = ConditionForm::new(ConditionKind::Attribute);
        form.field = " plan ".into();
        form.value = "gold".into();
        form.op = AttributeOp::IsNotSet;
        assert_eq!(
            form.condition(Vec::new()),
            Condition::Attribute { field: "plan".into(), op: AttributeOp::IsNotSet, value: None }
        );
    }

    #[test]
    fn statuses_keep_the_pickers_order() {
        let mut form = ConditionForm::new(ConditionKind::Status);
        form.statuses = vec!["snoozed".into(), "open".into()];
        assert_eq!(
            form.condition(Vec::new()),
            Condition::Status { statuses: vec!["open".into(), "snoozed".into()] }
        );
    }

    #[test]
    fn actions_go_back_and_forth() {
        let id = Uuid::from_u128(9);
        for action in [
            Action::AssignAgent { user_id: id },
            Action::AssignTeam,
            Action::SendToAi { persona_id: None },
            Action::SendToAi { persona_id: Some(id) },
            Action::AddLabel { label: "vendas".into() },
            Action::RemoveLabel { label: "vendas".into() },
            Action::AddTag { tag: "lead".into() },
            Action::RemoveTag { tag: "lead".into() },
            Action::ReplyText { text: "Olá {{contact.first_name|cliente}}!".into() },
            Action::ReplyTemplate {
                name: "boas_vindas".into(),
                language: "pt_BR".into(),
                variables: vec!["{{contact.name}}".into()],
            },
            Action::OptOut,
            Action::Webhook { url: "https://example.com/hook".into() },
            Action::Close,
        ] {
            assert_eq!(ActionForm::of(&action).action(0), Ok(action));
        }
        for kind in ActionKind::ALL {
            assert_eq!(ActionKind::parse(kind.as_str()), Some(kind));
        }
        for kind in ConditionKind::ALL {
            assert_eq!(ConditionKind::parse(kind.as_str()), Some(kind));
        }
    }

    #[test]
    fn an_assignment_needs_a_teammate() {
        assert_eq!(
            ActionForm::new(ActionKind::AssignAgent).action(2),
            Err(("actions[2].user_id".to_owned(), Key::FieldRequired))
        );
    }
}
