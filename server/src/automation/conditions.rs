//! The tests rules are made of, as pure functions over [`Facts`] gathered by the engine: whether
//! a trigger matches an event, and whether a condition holds.

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use chrono_tz::Tz;
use regex::{Regex, RegexBuilder};
use shared::{
    automation::{AssignmentState, AttributeOp, BusinessHoursDto, Condition, TagsMode},
    campaigns::RecipientFields,
    text::fold,
};
use uuid::Uuid;

use super::rules::REGEX_SIZE_LIMIT;
use crate::{campaigns::audience::ContactFields, db::entities::contacts};

/// A rule's regular expression: case-insensitive, with bounded size (the `regex` crate runs in
/// linear time, so a pattern cannot stall the worker).
///
/// # Errors
/// The pattern does not compile or is too big.
pub fn compile(pattern: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(pattern)
        .case_insensitive(true)
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(REGEX_SIZE_LIMIT)
        .build()
}

/// A moment in the company's time zone: the day, the weekday (1 = Monday) and the minute
/// after midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalTime {
    pub day: NaiveDate,
    pub weekday: u8,
    pub minute: u32,
}

impl LocalTime {
    pub fn at(instant: DateTime<Utc>, tz: Tz) -> LocalTime {
        let local = instant.with_timezone(&tz);
        LocalTime {
            day: local.date_naive(),
            weekday: local.weekday().number_from_monday() as u8,
            minute: local.hour() * 60 + local.minute(),
        }
    }
}

/// What a rule may look at about the event it is evaluated on.
pub struct Facts<'a> {
    pub connection_id: Option<Uuid>,
    pub contact: Option<&'a contacts::Model>,
    /// The contact's tags (stored lower-case).
    pub tags: &'a [String],
    pub status: Option<&'a str>,
    pub assignee_id: Option<Uuid>,
    pub persona_id: Option<Uuid>,
    /// The customer's message, for message events.
    pub text: Option<&'a str>,
    /// When the event happened, in the company's time zone.
    pub when: LocalTime,
    pub hours: &'a BusinessHoursDto,
}

impl Facts<'_> {
    pub fn open(&self) -> bool {
        self.hours.is_open(self.when.day, self.when.weekday, self.when.minute)
    }
}

/// Whether `text` contains one of the keywords as a whole word or phrase, ignoring case and
/// accents (`preço` matches "Qual o PRECO?" but not "apreçou").
pub fn has_keyword(text: &str, keywords: &[String]) -> bool {
    let haystack = fold(text);
    keywords.iter().any(|keyword| {
        let needle = fold(keyword.trim());
        !needle.is_empty()
            && haystack.match_indices(&needle).any(|(at, _)| {
                let before = haystack[..at].chars().next_back();
                let after = haystack[at + needle.len()..].chars().next();
                !before.is_some_and(char::is_alphanumeric)
                    && !after.is_some_and(char::is_alphanumeric)
            })
    })
}

/// Whether the condition holds for these facts. A condition about the message (text) does not
/// hold for an event without one; one about the contact does not hold without a contact.
pub fn holds(condition: &Condition, facts: &Facts<'_>) -> bool {
    match condition {
        Condition::Connection { connection_ids } => {
            facts.connection_id.is_some_and(|id| connection_ids.contains(&id))
        }
        Condition::Tags { tags, mode } => {
            let has = |tag: &String| facts.tags.iter().any(|t| t == tag);
            match mode {
                TagsMode::Any => tags.iter().any(has),
                TagsMode::All => tags.iter().all(has),
                TagsMode::None => !tags.iter().any(has),
            }
        }
        Condition::Attribute { field, op, value } => {
            let Some(contact) = facts.contact else { return false };
            let actual = ContactFields(contact)
                .field(field)
                .map(|v| fold(v.trim()))
                .filter(|v| !v.is_empty());
            let expected = value.as_deref().map(|v| fold(v.trim())).unwrap_or_default();
            match op {
                AttributeOp::IsSet => actual.is_some(),
                AttributeOp::IsNotSet => actual.is_none(),
                AttributeOp::Equals => actual.is_some_and(|a| a == expected),
                AttributeOp::NotEquals => actual.is_none_or(|a| a != expected),
                AttributeOp::Contains => actual.is_some_and(|a| a.contains(&expected)),
            }
        }
        Condition::TimeWindow { windows } => {
            windows.iter().any(|w| w.contains(facts.when.weekday, facts.when.minute))
        }
        Condition::BusinessHours { outside } => facts.open() != *outside,
        Condition::Status { statuses } => {
            facts.status.is_some_and(|status| statuses.iter().any(|s| s == status))
        }
        Condition::Assignment { state } => match state {
            AssignmentState::Unassigned => {
                facts.status.is_some() && facts.assignee_id.is_none() && facts.persona_id.is_none()
            }
            AssignmentState::Agent => facts.assignee_id.is_some(),
            AssignmentState::Ai => facts.persona_id.is_some(),
        },
        Condition::TextContains { values } => facts.text.is_some_and(|text| {
            let text = fold(text);
            values.iter().any(|v| text.contains(&fold(v.trim())))
        }),
        Condition::TextMatches { pattern } => facts.text.is_some_and(|text| {
            // Validated when the rule was saved; a pattern that no longer compiles never holds.
            compile(pattern).is_ok_and(|re| re.is_match(text))
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::ai::WorkingWindow;

    fn contact() -> contacts::Model {
        let now = Utc::now();
        contacts::Model {
            id: Uuid::nil(),
            company_id: Uuid::nil(),
            phone: "+5511999990000".into(),
            name: "Ana Souza".into(),
            email: None,
            attributes: serde_json::json!({"plano": "Ouro", "vip": true}),
            notes: None,
            opted_out: false,
            opted_out_at: None,
            opted_out_via: None,
            search_text: String::new(),
            last_contacted_at: None,
            created_at: now,
            updated_at: now,
            deleted_at: None,
            erased_at: None,
        }
    }

    fn facts<'a>(
        contact: &'a contacts::Model,
        tags: &'a [String],
        hours: &'a BusinessHoursDto,
        text: Option<&'a str>,
    ) -> Facts<'a> {
        Facts {
            connection_id: Some(Uuid::from_u128(7)),
            contact: Some(contact),
            tags,
            status: Some("open"),
            assignee_id: None,
            persona_id: None,
            text,
            // Wednesday 2026-11-25 at 20:30.
            when: LocalTime {
                day: NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(),
                weekday: 3,
                minute: 20 * 60 + 30,
            },
            hours,
        }
    }

    #[test]
    fn keywords_match_whole_words_in_any_case_or_accent() {
        let words = vec!["preço".to_owned(), "falar com atendente".to_owned()];
        assert!(has_keyword("Qual o PRECO?", &words));
        assert!(has_keyword("quero falar com atendente!", &words));
        assert!(!has_keyword("ele apreçou", &words));
        assert!(!has_keyword("precos", &words));
        assert!(!has_keyword("", &words));
    }

    #[test]
    fn conditions_read_the_contact_the_message_and_the_clock() {
        let ana = contact();
        let tags = vec!["vip".to_owned(), "sp".to_owned()];
        let hours = BusinessHoursDto {
            windows: vec![WorkingWindow {
                days: vec![1, 2, 3, 4, 5],
                start: "09:00".into(),
                end: "18:00".into(),
            }],
            ..Default::default()
        };
        let f = facts(&ana, &tags, &hours, Some("Meu pedido 12345 atrasou"));
        let tag_rule = |list: &[&str], mode| Condition::Tags {
            tags: list.iter().map(|t| (*t).to_owned()).collect(),
            mode,
        };
        assert!(holds(&tag_rule(&["vip", "x"], TagsMode::Any), &f));
        assert!(!holds(&tag_rule(&["vip", "x"], TagsMode::All), &f));
        assert!(holds(&tag_rule(&["x"], TagsMode::None), &f));
        let attr = |field: &str, op, value: Option<&str>| Condition::Attribute {
            field: field.into(),
            op,
            value: value.map(str::to_owned),
        };
        assert!(holds(&attr("plano", AttributeOp::Equals, Some("ouro")), &f));
        assert!(holds(&attr("name", AttributeOp::Contains, Some("souza")), &f));
        assert!(holds(&attr("vip", AttributeOp::Equals, Some("yes")), &f));
        assert!(holds(&attr("email", AttributeOp::IsNotSet, None), &f));
        assert!(holds(&attr("cidade", AttributeOp::NotEquals, Some("Rio")), &f));
        assert!(!holds(&attr("plano", AttributeOp::IsNotSet, None), &f));
        assert!(holds(&Condition::TextContains { values: vec!["ATRASOU".into()] }, &f));
        assert!(holds(&Condition::TextMatches { pattern: r"pedido \d{5}".into() }, &f));
        assert!(!holds(&Condition::TextMatches { pattern: r"^\d+$".into() }, &f));
        // 20:30 on a Wednesday: outside 09–18.
        assert!(holds(&Condition::BusinessHours { outside: true }, &f));
        assert!(!holds(&Condition::BusinessHours { outside: false }, &f));
        let evening = WorkingWindow { days: vec![3], start: "20:00".into(), end: "21:00".into() };
        assert!(holds(&Condition::TimeWindow { windows: vec![evening] }, &f));
        assert!(holds(&Condition::Status { statuses: vec!["open".into(), "pending".into()] }, &f));
        assert!(!holds(&Condition::Status { statuses: vec!["resolved".into()] }, &f));
        assert!(holds(&Condition::Assignment { state: AssignmentState::Unassigned }, &f));
        assert!(!holds(&Condition::Assignment { state: AssignmentState::Ai }, &f));
        assert!(holds(&Condition::Connection { connection_ids: vec![Uuid::from_u128(7)] }, &f));
        assert!(!holds(&Condition::Connection { connection_ids: vec![Uuid::from_u128(8)] }, &f));

        // Without a message, text conditions never hold.
        let no_text = facts(&ana, &tags, &hours, None);
        assert!(!holds(&Condition::TextContains { values: vec!["a".into()] }, &no_text));
        assert!(!holds(&Condition::TextMatches { pattern: ".*".into() }, &no_text));
    }

    #[test]
    fn local_time_is_read_in_the_company_zone() {
        let instant =
            DateTime::parse_from_rfc3339("2026-11-26T01:30:00Z").unwrap().with_timezone(&Utc);
        let local = LocalTime::at(instant, chrono_tz::America::Sao_Paulo);
        assert_eq!(local.day, NaiveDate::from_ymd_opt(2026, 11, 25).unwrap());
        assert_eq!((local.weekday, local.minute), (3, 22 * 60 + 30));
    }

    #[test]
    fn oversized_or_broken_patterns_are_refused() {
        assert!(compile("(unclosed").is_err());
        assert!(compile(r"\w{1000}{1000}").is_err());
        assert!(compile(r"^pedido \d+$").is_ok());
    }
}
