//! A rule in one line, for the list: `Message contains “preço” → label “vendas”, reply`.

use shared::{
    automation::{Action, Trigger},
    i18n::{Key, Lang},
};

use crate::i18n::fill;

fn quoted(text: &str) -> String {
    format!("“{text}”")
}

/// What starts the rule, in words.
pub fn trigger_text(trigger: &Trigger, lang: Lang) -> String {
    match trigger {
        Trigger::MessageReceived => lang.t(Key::SumMessageReceived).to_owned(),
        Trigger::ConversationCreated => lang.t(Key::SumConversationCreated).to_owned(),
        Trigger::Keyword { keywords } => {
            let words = keywords.iter().map(|w| quoted(w)).collect::<Vec<_>>().join(", ");
            fill(lang.t(Key::SumKeyword), &[("words", &words)])
        }
        Trigger::CampaignReply { campaign_id: None } => lang.t(Key::SumCampaignAny).to_owned(),
        Trigger::CampaignReply { campaign_id: Some(_) } => lang.t(Key::SumCampaignOne).to_owned(),
        Trigger::ContactTagged { tag } => fill(lang.t(Key::SumTagged), &[("tag", &quoted(tag))]),
        Trigger::NoReply { minutes } => {
            fill(lang.t(Key::SumNoReply), &[("minutes", &minutes.to_string())])
        }
        Trigger::OutsideBusinessHours => lang.t(Key::SumOutsideHours).to_owned(),
    }
}

/// What one action does, in a few lower-case words.
pub fn action_text(action: &Action, lang: Lang) -> String {
    let with = |key: Key, name: &str, value: &str| fill(lang.t(key), &[(name, &quoted(value))]);
    match action {
        Action::AssignAgent { .. } => lang.t(Key::SumAssignAgent).to_owned(),
        Action::AssignTeam => lang.t(Key::SumAssignTeam).to_owned(),
        Action::SendToAi { .. } => lang.t(Key::SumSendToAi).to_owned(),
        Action::AddLabel { label } => with(Key::SumAddLabel, "label", label),
        Action::RemoveLabel { label } => with(Key::SumRemoveLabel, "label", label),
        Action::AddTag { tag } => with(Key::SumAddTag, "tag", tag),
        Action::RemoveTag { tag } => with(Key::SumRemoveTag, "tag", tag),
        Action::ReplyText { .. } => lang.t(Key::SumReplyText).to_owned(),
        Action::ReplyTemplate { name, .. } => with(Key::SumReplyTemplate, "name", name),
        Action::OptOut => lang.t(Key::SumOptOut).to_owned(),
        Action::Webhook { .. } => lang.t(Key::SumWebhook).to_owned(),
        Action::Close => lang.t(Key::SumClose).to_owned(),
    }
}

/// `trigger → action, action` (with the number of conditions in between when there are any).
pub fn rule_summary(
    trigger: &Trigger,
    conditions: usize,
    actions: &[Action],
    lang: Lang,
) -> String {
    let mut line = trigger_text(trigger, lang);
    match conditions {
        0 => {}
        1 => line.push_str(&format!(" · {}", lang.t(Key::SumConditionsOne))),
        n => line.push_str(&format!(
            " · {}",
            fill(lang.t(Key::SumConditionsMany), &[("count", &n.to_string())])
        )),
    }
    let actions: Vec<String> = actions.iter().map(|a| action_text(a, lang)).collect();
    if !actions.is_empty() {
        line.push_str(" → ");
        line.push_str(&actions.join(", "));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rule_reads_as_one_line_in_either_language() {
        let trigger = Trigger::Keyword { keywords: vec!["preço".into(), "valor".into()] };
        let actions = [
            Action::AddLabel { label: "vendas".into() },
            Action::ReplyText { text: "Olá!".into() },
        ];
        assert_eq!(
            rule_summary(&trigger, 0, &actions, Lang::En),
            "Message contains “preço”, “valor” → label “vendas”, reply"
        );
        assert_eq!(
            rule_summary(&trigger, 2, &actions, Lang::PtBr),
            "Mensagem contém “preço”, “valor” · 2 condições → etiqueta “vendas”, responder"
        );
    }

    #[test]
    fn every_trigger_and_action_has_words() {
        let triggers = [
            Trigger::MessageReceived,
            Trigger::ConversationCreated,
            Trigger::CampaignReply { campaign_id: None },
            Trigger::ContactTagged { tag: "vip".into() },
            Trigger::NoReply { minutes: 30 },
            Trigger::OutsideBusinessHours,
        ];
        assert_eq!(trigger_text(&triggers[4], Lang::En), "No answer for 30 min");
        assert_eq!(trigger_text(&triggers[3], Lang::PtBr), "Recebeu a tag “vip”");
        for trigger in &triggers {
            assert!(!trigger_text(trigger, Lang::PtBr).is_empty());
        }
        assert_eq!(
            rule_summary(
                &Trigger::OutsideBusinessHours,
                1,
                &[Action::SendToAi { persona_id: None }, Action::Close],
                Lang::En
            ),
            "Message outside business hours · 1 condition → to AI, resolve"
        );
        assert_eq!(
            action_text(
                &Action::ReplyTemplate {
                    name: "oi".into(),
                    language: "pt_BR".into(),
                    variables: vec![]
                },
                Lang::En
            ),
            "template “oi”"
        );
    }
}
