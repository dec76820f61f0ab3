//! The `automation.run` job: a company's events, one at a time in the order they were written.
//!
//! For each event, in one transaction: claim it (mark it processed, conditionally, so two
//! workers never both act on it), read the enabled rules its kind can start (oldest rule
//! first), and for each rule whose trigger matches and whose conditions all hold, apply its
//! actions and write the run to the log. Events the actions cause (a tag added) are written in
//! the same transaction and read next, with the chain of rules that led to them.

use std::time::Duration;

use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set, TransactionTrait,
};
use serde_json::json;
use shared::{
    automation::{Condition, RunOutcome, RunStep, Trigger, MAX_CHAIN},
    ServerEvent,
};
use uuid::Uuid;

use super::{
    actions::{self, Effects, Run, Target},
    conditions::{has_keyword, holds, Facts, LocalTime},
    hours,
    outbox::{self, EventKind, RUN_JOB},
    timers,
};
use crate::{
    db::{
        self,
        entities::{
            automation_events, automation_rules, automation_runs, contact_tags, contacts,
            conversations,
        },
        Tenant,
    },
    error::AppResult,
    events::EventBus,
    inbox::domain::conversation_view,
    jobs::{Job, JobError, JobFuture, JobHandler},
};

/// Events one run of the job reads before it gives other jobs a turn.
const BATCH: usize = 100;

/// Performs `automation.run`.
pub struct AutomationRunner {
    pub db: DatabaseConnection,
    pub events: EventBus,
    /// How long an AI persona given a conversation waits before it answers.
    pub ai_reply_delay: Duration,
}

impl JobHandler for AutomationRunner {
    fn kind(&self) -> &'static str {
        RUN_JOB
    }

    fn perform(&self, job: Job) -> JobFuture {
        let db = self.db.clone();
        let bus = self.events.clone();
        let delay = self.ai_reply_delay;
        Box::pin(async move {
            let company_id = job
                .payload
                .get("company_id")
                .and_then(|v| v.as_str())
                .and_then(|v| Uuid::parse_str(v).ok())
                .ok_or_else(|| {
                    JobError::Permanent(anyhow::anyhow!("bad automation.run payload"))
                })?;
            for _ in 0..BATCH {
                let next = automation_events::Entity::find()
                    .filter(automation_events::Column::CompanyId.eq(company_id))
                    .filter(automation_events::Column::ProcessedAt.is_null())
                    .order_by_asc(automation_events::Column::Id)
                    .one(&db)
                    .await?;
                let Some(event) = next else { return Ok(()) };
                process(&db, &bus, delay, event).await?;
            }
            // More waiting: continue right away, after whatever else is due.
            Err(JobError::Later(db::now()))
        })
    }
}

async fn process(
    db: &DatabaseConnection,
    bus: &EventBus,
    ai_reply_delay: Duration,
    event: automation_events::Model,
) -> Result<(), JobError> {
    let tenant = Tenant::new(event.company_id);
    let txn = db.begin().await?;
    let claimed = tenant
        .update_many::<automation_events::Entity>()
        .col_expr(automation_events::Column::ProcessedAt, Expr::value(Some(db::now())))
        .filter(automation_events::Column::Id.eq(event.id))
        .filter(automation_events::Column::ProcessedAt.is_null())
        .exec(&txn)
        .await?
        .rows_affected;
    if claimed == 0 {
        return Ok(()); // another worker has it
    }
    let Some(kind) = EventKind::parse(&event.kind) else {
        tracing::warn!(event_id = %event.id, kind = %event.kind, "unknown automation event");
        txn.commit().await?;
        return Ok(());
    };
    let rules = tenant
        .select::<automation_rules::Entity>()
        .filter(automation_rules::Column::Enabled.eq(true))
        .filter(
            automation_rules::Column::TriggerKind.is_in(kind.triggers().iter().map(|k| k.as_str())),
        )
        .order_by_asc(automation_rules::Column::CreatedAt)
        .order_by_asc(automation_rules::Column::Id)
        .all(&txn)
        .await?;

    let (tz, business_hours) = hours::load(&txn, event.company_id).await?;
    let when = LocalTime::at(event.created_at, tz);
    let text = event.data.get("text").and_then(|t| t.as_str()).map(str::to_owned);
    let chain: Vec<Uuid> = serde_json::from_value(event.chain.clone()).unwrap_or_default();
    let conversation_id = match event.conversation_id {
        Some(id) => Some(id),
        None => latest_conversation(&txn, tenant, event.contact_id).await?,
    };
    let mut effects = Effects::default();
    let mut ran = Vec::new();

    for rule in &rules {
        let Ok(trigger) = serde_json::from_value::<Trigger>(rule.trigger.clone()) else {
            tracing::warn!(rule_id = %rule.id, "automation rule with an unreadable trigger");
            continue;
        };
        // A customer message starts the clock of `no_reply` rules; their runs come later.
        if let (EventKind::MessageReceived, Trigger::NoReply { minutes }) = (kind, &trigger) {
            if let (Some(conversation_id), Some(message_id)) = (conversation_id, event.message_id) {
                let due = event.created_at + chrono::TimeDelta::minutes(i64::from(*minutes));
                timers::start_wait(&txn, rule, conversation_id, message_id, due).await?;
            }
            continue;
        }
        if !fires(&trigger, kind, &event, rule.id, text.as_deref(), &business_hours, when) {
            continue;
        }

        // Fresh facts for every rule: an earlier rule may have changed the conversation.
        let conversation = match conversation_id {
            Some(id) => tenant.select_by_id::<conversations::Entity>(id).one(&txn).await?,
            None => None,
        };
        let contact_id = event.contact_id.or(conversation.as_ref().map(|c| c.contact_id));
        let contact = match contact_id {
            Some(id) => {
                tenant
                    .select_by_id::<contacts::Entity>(id)
                    .filter(contacts::Column::DeletedAt.is_null())
                    .one(&txn)
                    .await?
            }
            None => None,
        };
        let tags: Vec<String> = match &contact {
            Some(contact) => tenant
                .select::<contact_tags::Entity>()
                .filter(contact_tags::Column::ContactId.eq(contact.id))
                .all(&txn)
                .await?
                .into_iter()
                .map(|t| t.tag)
                .collect(),
            None => Vec::new(),
        };
        let conditions: Vec<Condition> =
            serde_json::from_value(rule.conditions.clone()).unwrap_or_default();
        let facts = Facts {
            connection_id: conversation.as_ref().map(|c| c.connection_id),
            contact: contact.as_ref(),
            tags: &tags,
            status: conversation.as_ref().map(|c| c.status.as_str()),
            assignee_id: conversation.as_ref().and_then(|c| c.assignee_id),
            persona_id: conversation.as_ref().and_then(|c| c.persona_id),
            text: text.as_deref(),
            when,
            hours: &business_hours,
        };
        if !conditions.iter().all(|condition| holds(condition, &facts)) {
            continue;
        }

        let target = Target { conversation_id, contact };
        let (outcome, steps) = if chain.contains(&rule.id) || chain.len() >= MAX_CHAIN {
            let detail = if chain.contains(&rule.id) {
                "Loop protection: this rule's own actions led to this event."
            } else {
                "Loop protection: too many rules in a row triggered each other."
            };
            let step = RunStep {
                action: "loop_protection".to_owned(),
                ok: false,
                detail: detail.to_owned(),
            };
            (RunOutcome::Skipped, vec![step])
        } else {
            let actions: Vec<shared::automation::Action> =
                serde_json::from_value(rule.actions.clone()).unwrap_or_default();
            let mut rule_chain = chain.clone();
            rule_chain.push(rule.id);
            let run = Run {
                txn: &txn,
                bus,
                rule,
                chain: rule_chain,
                event: json!({
                    "id": event.id,
                    "type": kind.as_str(),
                    "conversation_id": conversation_id,
                    "contact_id": contact_id,
                    "message_id": event.message_id,
                    "text": text,
                    "at": event.created_at,
                }),
                ai_reply_delay,
            };
            let steps = actions::apply(&run, &target, &actions, &mut effects).await?;
            let outcome =
                if steps.iter().all(|s| s.ok) { RunOutcome::Done } else { RunOutcome::Failed };
            (outcome, steps)
        };
        record_run(&txn, rule, trigger.kind().as_str(), &target, outcome, &steps).await?;
        ran.push(rule.id);
    }

    let follow_ups = std::mem::take(&mut effects.follow_ups);
    outbox::record(&txn, event.company_id, follow_ups).await?;
    if effects.conversation_changed {
        if let Some(id) = conversation_id {
            if let Ok(view) = conversation_view(&txn, tenant, id).await {
                effects
                    .events
                    .push(ServerEvent::ConversationUpdated { conversation: Box::new(view) });
            }
        }
    }
    txn.commit().await?;
    for live in effects.events {
        bus.publish(event.company_id, live);
    }
    for rule_id in ran {
        bus.publish(event.company_id, ServerEvent::AutomationRan { rule_id });
    }
    Ok(())
}

/// Whether the rule's trigger matches this event.
fn fires(
    trigger: &Trigger,
    kind: EventKind,
    event: &automation_events::Model,
    rule_id: Uuid,
    text: Option<&str>,
    business_hours: &shared::automation::BusinessHoursDto,
    when: LocalTime,
) -> bool {
    let data_uuid = |key: &str| {
        event.data.get(key).and_then(|v| v.as_str()).and_then(|v| Uuid::parse_str(v).ok())
    };
    match (kind, trigger) {
        (EventKind::MessageReceived, Trigger::MessageReceived) => true,
        (EventKind::MessageReceived, Trigger::Keyword { keywords }) => {
            text.is_some_and(|text| has_keyword(text, keywords))
        }
        (EventKind::MessageReceived, Trigger::CampaignReply { campaign_id }) => {
            match (data_uuid("campaign_id"), campaign_id) {
                (Some(answered), Some(wanted)) => answered == *wanted,
                (Some(_), None) => true,
                (None, _) => false,
            }
        }
        (EventKind::MessageReceived, Trigger::OutsideBusinessHours) => {
            !business_hours.is_open(when.day, when.weekday, when.minute)
        }
        (EventKind::ConversationCreated, Trigger::ConversationCreated) => true,
        (EventKind::ContactTagged, Trigger::ContactTagged { tag }) => {
            event.data.get("tag").and_then(|t| t.as_str()) == Some(tag.as_str())
        }
        (EventKind::NoReply, Trigger::NoReply { .. }) => data_uuid("rule_id") == Some(rule_id),
        _ => false,
    }
}

/// The contact's most recent conversation: where a contact event's actions take place.
async fn latest_conversation(
    txn: &sea_orm::DatabaseTransaction,
    tenant: Tenant,
    contact_id: Option<Uuid>,
) -> AppResult<Option<Uuid>> {
    let Some(contact_id) = contact_id else { return Ok(None) };
    Ok(tenant
        .select::<conversations::Entity>()
        .filter(conversations::Column::ContactId.eq(contact_id))
        .order_by_desc(conversations::Column::LastMessageAt)
        .one(txn)
        .await?
        .map(|c| c.id))
}

/// Writes the run to the rule's log, with the contact's name as it is now.
async fn record_run(
    txn: &sea_orm::DatabaseTransaction,
    rule: &automation_rules::Model,
    trigger_kind: &str,
    target: &Target,
    outcome: RunOutcome,
    steps: &[RunStep],
) -> AppResult<()> {
    let outcome = match outcome {
        RunOutcome::Done => "done",
        RunOutcome::Failed => "failed",
        RunOutcome::Skipped => "skipped",
    };
    let contact_name = target.contact.as_ref().map(|c| {
        let name = if c.name.trim().is_empty() { &c.phone } else { &c.name };
        name.chars().take(200).collect::<String>()
    });
    automation_runs::ActiveModel {
        id: Set(Uuid::now_v7()),
        company_id: Set(rule.company_id),
        rule_id: Set(rule.id),
        trigger_kind: Set(trigger_kind.to_owned()),
        conversation_id: Set(target.conversation_id),
        contact_id: Set(target.contact.as_ref().map(|c| c.id)),
        contact_name: Set(contact_name),
        outcome: Set(outcome.to_owned()),
        steps: Set(serde_json::to_value(steps).unwrap_or_default()),
        created_at: Set(db::now()),
    }
    .insert(txn)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use shared::{ai::WorkingWindow, automation::BusinessHoursDto};

    use super::*;

    fn event(kind: EventKind, data: serde_json::Value) -> automation_events::Model {
        automation_events::Model {
            id: Uuid::now_v7(),
            company_id: Uuid::nil(),
            kind: kind.as_str().to_owned(),
            conversation_id: None,
            contact_id: None,
            message_id: None,
            data,
            chain: json!([]),
            created_at: db::now(),
            processed_at: None,
        }
    }

    #[test]
    fn triggers_match_only_their_own_events() {
        let (campaign, other) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let rule = Uuid::from_u128(9);
        let hours = BusinessHoursDto {
            windows: vec![WorkingWindow {
                days: vec![1, 2, 3, 4, 5],
                start: "09:00".into(),
                end: "18:00".into(),
            }],
            ..Default::default()
        };
        // Wednesday 20:30: closed.
        let when = LocalTime {
            day: NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(),
            weekday: 3,
            minute: 1230,
        };
        let reply =
            event(EventKind::MessageReceived, json!({"text": "sim", "campaign_id": campaign}));
        let plain = event(EventKind::MessageReceived, json!({"text": "oi", "campaign_id": null}));
        let fire = |trigger: &Trigger, e: &automation_events::Model| {
            let kind = EventKind::parse(&e.kind).unwrap();
            let text = e.data.get("text").and_then(|t| t.as_str());
            fires(trigger, kind, e, rule, text, &hours, when)
        };
        assert!(fire(&Trigger::CampaignReply { campaign_id: None }, &reply));
        assert!(fire(&Trigger::CampaignReply { campaign_id: Some(campaign) }, &reply));
        assert!(!fire(&Trigger::CampaignReply { campaign_id: Some(other) }, &reply));
        assert!(!fire(&Trigger::CampaignReply { campaign_id: None }, &plain));
        assert!(fire(&Trigger::MessageReceived, &plain));
        assert!(fire(&Trigger::OutsideBusinessHours, &plain));
        assert!(!fire(&Trigger::ConversationCreated, &plain));

        let tagged = event(EventKind::ContactTagged, json!({"tag": "vip"}));
        assert!(fire(&Trigger::ContactTagged { tag: "vip".into() }, &tagged));
        assert!(!fire(&Trigger::ContactTagged { tag: "lead".into() }, &tagged));
        assert!(!fire(&Trigger::MessageReceived, &tagged));

        let waited = event(EventKind::NoReply, json!({"rule_id": rule}));
        assert!(fire(&Trigger::NoReply { minutes: 5 }, &waited));
        let someone_elses = event(EventKind::NoReply, json!({"rule_id": other}));
        assert!(!fire(&Trigger::NoReply { minutes: 5 }, &someone_elses), "another rule's wait");
    }
}
