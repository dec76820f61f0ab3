//! Events rules may act on, written in the transaction of the change they describe.

use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect, Set,
};
use serde_json::{json, Value};
use shared::automation::TriggerKind;
use uuid::Uuid;

use crate::{
    db::{
        self,
        entities::{automation_events, automation_rules},
        Tenant,
    },
    error::AppResult,
    jobs::{self, NewJob},
};

pub const RUN_JOB: &str = "automation.run";

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// A customer message (`data.text`, `data.campaign_id` when it answers a campaign).
    MessageReceived,
    /// A customer's first message to a number.
    ConversationCreated,
    /// A tag was added to a contact (`data.tag`).
    ContactTagged,
    /// A customer has waited as long as a `no_reply` rule says (`data.rule_id`).
    NoReply,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::MessageReceived => "message_received",
            EventKind::ConversationCreated => "conversation_created",
            EventKind::ContactTagged => "contact_tagged",
            EventKind::NoReply => "no_reply",
        }
    }

    pub fn parse(raw: &str) -> Option<EventKind> {
        [
            EventKind::MessageReceived,
            EventKind::ConversationCreated,
            EventKind::ContactTagged,
            EventKind::NoReply,
        ]
        .into_iter()
        .find(|kind| kind.as_str() == raw)
    }

    /// The triggers an event of this kind may start (a message also starts `no_reply` waits).
    pub fn triggers(self) -> &'static [TriggerKind] {
        match self {
            EventKind::MessageReceived => &[
                TriggerKind::MessageReceived,
                TriggerKind::Keyword,
                TriggerKind::CampaignReply,
                TriggerKind::OutsideBusinessHours,
                TriggerKind::NoReply,
            ],
            EventKind::ConversationCreated => &[TriggerKind::ConversationCreated],
            EventKind::ContactTagged => &[TriggerKind::ContactTagged],
            EventKind::NoReply => &[TriggerKind::NoReply],
        }
    }
}

/// An event to record.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub kind: EventKind,
    pub conversation_id: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    pub message_id: Option<Uuid>,
    pub data: Value,
    /// The rules whose actions led here (empty for what customers and people do).
    pub chain: Vec<Uuid>,
}

impl NewEvent {
    pub fn message_received(
        conversation_id: Uuid,
        contact_id: Uuid,
        message_id: Uuid,
        text: Option<&str>,
        campaign_id: Option<Uuid>,
    ) -> Self {
        NewEvent {
            kind: EventKind::MessageReceived,
            conversation_id: Some(conversation_id),
            contact_id: Some(contact_id),
            message_id: Some(message_id),
            data: json!({"text": text, "campaign_id": campaign_id}),
            chain: Vec::new(),
        }
    }

    pub fn conversation_created(conversation_id: Uuid, contact_id: Uuid, message_id: Uuid) -> Self {
        NewEvent {
            kind: EventKind::ConversationCreated,
            conversation_id: Some(conversation_id),
            contact_id: Some(contact_id),
            message_id: Some(message_id),
            data: json!({}),
            chain: Vec::new(),
        }
    }

    /// `tag` as stored (normalised); `chain` is empty unless a rule added it.
    pub fn contact_tagged(contact_id: Uuid, tag: &str, chain: Vec<Uuid>) -> Self {
        NewEvent {
            kind: EventKind::ContactTagged,
            conversation_id: None,
            contact_id: Some(contact_id),
            message_id: None,
            data: json!({"tag": tag}),
            chain,
        }
    }
}

/// Records the events in the caller's transaction and queues the company's rule worker —
/// unless no enabled rule could act on them, in which case nothing is written. Returns whether
/// anything was (the caller wakes the job workers after commit).
///
/// # Errors
/// Database errors.
pub async fn record<C: ConnectionTrait>(
    conn: &C,
    company_id: Uuid,
    events: Vec<NewEvent>,
) -> AppResult<bool> {
    if events.is_empty() {
        return Ok(false);
    }
    let mut kinds: Vec<&str> = Vec::new();
    for event in &events {
        kinds.extend(event.kind.triggers().iter().map(|k| k.as_str()));
    }
    let listening = Tenant::new(company_id)
        .select::<automation_rules::Entity>()
        .filter(automation_rules::Column::Enabled.eq(true))
        .filter(automation_rules::Column::TriggerKind.is_in(kinds))
        .limit(1)
        .count(conn)
        .await?;
    if listening == 0 {
        return Ok(false);
    }
    let now = db::now();
    let rows = events.into_iter().map(|event| automation_events::ActiveModel {
        id: Set(Uuid::now_v7()),
        company_id: Set(company_id),
        kind: Set(event.kind.as_str().to_owned()),
        conversation_id: Set(event.conversation_id),
        contact_id: Set(event.contact_id),
        message_id: Set(event.message_id),
        data: Set(event.data),
        chain: Set(json!(event.chain)),
        created_at: Set(now),
        processed_at: Set(None),
    });
    automation_events::Entity::insert_many(rows).exec_without_returning(conn).await?;
    queue_run(conn, company_id).await?;
    Ok(true)
}

/// Makes sure the company's `automation.run` job is due now.
///
/// # Errors
/// Database errors.
pub async fn queue_run<C: ConnectionTrait>(conn: &C, company_id: Uuid) -> AppResult<()> {
    let mut job = NewJob::new(RUN_JOB, json!({"company_id": company_id})).for_company(company_id);
    job.unique_key = Some(format!("{RUN_JOB}:{company_id}"));
    job.max_attempts = 20;
    jobs::enqueue_or_hasten(conn, job).await?;
    Ok(())
}

/// Queues the worker of every company with events left waiting for over `age` (an event
/// written while that company's worker was finishing is otherwise only read with the next
/// one), and forgets processed events older than a day. Run every minute by the server.
///
/// # Errors
/// Database errors.
pub async fn sweep<C: ConnectionTrait>(conn: &C, age: chrono::TimeDelta) -> AppResult<usize> {
    let now = db::now();
    let waiting: Vec<Uuid> = automation_events::Entity::find()
        .select_only()
        .column(automation_events::Column::CompanyId)
        .distinct()
        .filter(automation_events::Column::ProcessedAt.is_null())
        .filter(automation_events::Column::CreatedAt.lt(now - age))
        .into_tuple()
        .all(conn)
        .await?;
    for company_id in &waiting {
        queue_run(conn, *company_id).await?;
    }
    automation_events::Entity::delete_many()
        .filter(automation_events::Column::ProcessedAt.lt(now - chrono::TimeDelta::days(1)))
        .exec(conn)
        .await?;
    // The execution log keeps 30 days.
    crate::db::entities::automation_runs::Entity::delete_many()
        .filter(
            crate::db::entities::automation_runs::Column::CreatedAt
                .lt(now - chrono::TimeDelta::days(30)),
        )
        .exec(conn)
        .await?;
    Ok(waiting.len())
}
