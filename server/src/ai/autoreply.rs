//! Personas in the inbox: a persona answers the customers of the conversations it owns, and
//! hands them to people when its policy says so.
//!
//! * **Who owns what.** A conversation that starts — or starts again after it was resolved — on
//!   a connection with a default persona belongs to that persona (`conversations.persona_id`)
//!   until it hands off or a teammate takes it (assigning someone, replying, or switching the AI
//!   off in the thread). Persona-owned conversations are not auto-assigned and are not in the
//!   people's "unassigned" queue.
//! * **When it answers.** Storing a customer's message queues the `ai.reply` job for that
//!   conversation, keyed by it, `ai_reply_delay_ms` later; each further message pushes the job
//!   back, so a burst gets one answer that reads all of it. A message that arrives while the
//!   job is already asking the model makes that answer stale: it is dropped and the job runs
//!   again with the whole history.
//! * **What it never does.** Answer while a person has the conversation, after it was resolved
//!   or snoozed, to its own messages (only customer messages queue the job), or to a customer
//!   who just opted out. The answer is committed only after re-checking all of that under the
//!   conversation's write lock, since a teammate may have taken it while the model was thinking.
//! * **Handoff.** The customer asks for a person, the knowledge has nothing close, `max_turns`
//!   answers were given, it is outside the persona's working hours, the persona was switched off,
//!   or the provider failed (timeout, 429, refused key): the conversation goes to people with an
//!   activity line saying why and a live `conversation.handoff` event; where the customer should
//!   hear it, the policy's handoff message is sent. The customer's message is never dropped: it
//!   stays unread in the thread for whoever picks it up.

use std::time::Duration;

use chrono::{Datelike, Timelike, Utc};
use sea_orm::{
    sea_query::Expr, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use shared::{
    ai::{AiReplyInfo, ChatRole, ChatTurn, HandoffPolicy, WorkingWindow},
    api::SendMessageRequest,
    ErrorCode, ServerEvent,
};
use uuid::Uuid;

use super::{answer, AiContext};
use crate::{
    campaigns::timing,
    db::{
        self,
        entities::{companies, connections, contacts, conversations, messages, personas},
        Tenant,
    },
    error::{AppError, AppResult},
    events::EventBus,
    inbox::{
        domain::{conversation_view, message_dto},
        manage,
        send::{queue_outbound, Outbound},
    },
    jobs::{self, Job, JobError, JobFuture, JobHandler, NewJob},
};

pub const AI_REPLY_JOB: &str = "ai.reply";
/// Customer and persona messages the model may see (merged into alternating turns).
const HISTORY_MESSAGES: u64 = 40;
const MAX_TURN_CHARS: usize = 4_000;

#[derive(Debug, Serialize, Deserialize)]
pub struct AiReply {
    pub conversation_id: Uuid,
}

/// The persona that takes a conversation starting on `connection` now: its default persona,
/// if it is switched on.
///
/// # Errors
/// Database errors.
pub async fn persona_for_new_conversation<C: ConnectionTrait>(
    conn: &C,
    connection: &connections::Model,
) -> AppResult<Option<Uuid>> {
    let Some(persona_id) = connection.default_persona_id else { return Ok(None) };
    Ok(Tenant::new(connection.company_id)
        .select_by_id::<personas::Entity>(persona_id)
        .filter(personas::Column::Enabled.eq(true))
        .one(conn)
        .await?
        .map(|p| p.id))
}

/// Queues the persona's answer for each conversation a customer just wrote in, `delay` from
/// now, or pushes back the answer already waiting (one answer per burst).
///
/// # Errors
/// Database errors.
pub async fn schedule<C: ConnectionTrait>(
    conn: &C,
    company_id: Uuid,
    conversation_ids: &[Uuid],
    delay: Duration,
) -> AppResult<()> {
    let at = db::now() + chrono::TimeDelta::from_std(delay).unwrap_or_default();
    for conversation_id in conversation_ids {
        let mut job =
            NewJob::new(AI_REPLY_JOB, json!(AiReply { conversation_id: *conversation_id }))
                .for_company(company_id);
        job.unique_key = Some(format!("{AI_REPLY_JOB}:{conversation_id}"));
        job.run_at = Some(at);
        job.max_attempts = 5;
        jobs::enqueue_or_postpone(conn, job).await?;
    }
    Ok(())
}

/// Performs `ai.reply` jobs.
#[derive(Clone)]
pub struct AutoReplier {
    pub ai: AiContext,
    pub events: EventBus,
}

impl JobHandler for AutoReplier {
    fn kind(&self) -> &'static str {
        AI_REPLY_JOB
    }

    fn perform(&self, job: Job) -> JobFuture {
        let this = self.clone();
        Box::pin(async move {
            let AiReply { conversation_id } = serde_json::from_value(job.payload).map_err(|e| {
                JobError::Permanent(anyhow::anyhow!("bad {AI_REPLY_JOB} payload: {e}"))
            })?;
            this.reply(conversation_id).await
        })
    }
}

/// What the persona decided, to commit under the conversation's lock.
enum Decision {
    Reply {
        text: String,
        info: AiReplyInfo,
    },
    /// `message`: what the customer is told (none when people simply take over).
    HandOff {
        reason: String,
        message: Option<String>,
    },
}

impl AutoReplier {
    async fn reply(&self, conversation_id: Uuid) -> Result<(), JobError> {
        let db = &self.ai.db;
        let Some(conversation) = conversations::Entity::find_by_id(conversation_id).one(db).await?
        else {
            return Ok(());
        };
        let Some(persona_id) = conversation.persona_id else { return Ok(()) };
        if !persona_may_answer(&conversation) {
            return Ok(());
        }
        let tenant = Tenant::new(conversation.company_id);
        let thread = Thread::read(db, &conversation).await?;
        let Some(last_inbound) = thread.unanswered else { return Ok(()) };

        let persona = tenant.select_by_id::<personas::Entity>(persona_id).one(db).await?;
        let persona_name = persona.as_ref().map_or_else(|| "The AI".to_owned(), |p| p.name.clone());
        let decision = match persona.filter(|p| p.enabled) {
            None => Decision::HandOff {
                reason: "The AI persona answering it was switched off or deleted.".to_owned(),
                message: None,
            },
            Some(persona) => self.decide(tenant, &conversation, &persona, &thread).await?,
        };
        self.commit(&conversation, persona_id, &persona_name, last_inbound, decision).await
    }

    async fn decide(
        &self,
        tenant: Tenant,
        conversation: &conversations::Model,
        persona: &personas::Model,
        thread: &Thread,
    ) -> Result<Decision, JobError> {
        let policy: HandoffPolicy =
            serde_json::from_value(persona.handoff.clone()).unwrap_or_default();
        if !within_working_hours(&self.ai.db, tenant, persona).await? {
            return Ok(Decision::HandOff {
                reason: format!("It is outside {}'s working hours.", persona.name),
                message: None,
            });
        }
        if let Some(max) = policy.max_turns {
            if conversation.ai_turns >= max as i32 {
                return Ok(Decision::HandOff {
                    reason: format!(
                        "{} answered {max} times without the conversation being resolved.",
                        persona.name
                    ),
                    message: Some(policy.message.clone()),
                });
            }
        }
        match answer::answer(&self.ai, tenant, persona, &thread.turns).await {
            Ok(answer) => Ok(match answer.handoff {
                Some(why) => {
                    Decision::HandOff { reason: why.reason(), message: Some(answer.reply) }
                }
                None if answer.reply.trim().is_empty() => Decision::HandOff {
                    reason: "The AI gave an empty answer.".to_owned(),
                    message: None,
                },
                None => Decision::Reply {
                    text: answer.reply,
                    info: AiReplyInfo {
                        persona_id: persona.id,
                        persona_name: persona.name.clone(),
                        sources: answer.sources,
                        handoff: None,
                    },
                },
            }),
            // A provider that fails (timeout, 429, refused key, a key that cannot be opened)
            // sends the conversation to people at once: a customer waiting on retries is worse.
            Err(err) if err.client_message().is_some() => Ok(Decision::HandOff {
                reason: err.client_message().unwrap_or_default().to_owned(),
                message: None,
            }),
            Err(err) => Err(JobError::Retry(anyhow::anyhow!("{err:?}"))),
        }
    }

    /// Sends the answer or hands off — only if the persona still owns the conversation and no
    /// newer customer message came in meanwhile (then the job runs again on the whole thread).
    async fn commit(
        &self,
        conversation: &conversations::Model,
        persona_id: Uuid,
        persona_name: &str,
        last_inbound: Uuid,
        decision: Decision,
    ) -> Result<(), JobError> {
        let tenant = Tenant::new(conversation.company_id);
        let txn = self.ai.db.begin().await?;
        let current = match manage::lock(&txn, tenant, conversation.id).await {
            Ok(current) => current,
            Err(err) if err.code() == ErrorCode::NotFound => return Ok(()),
            Err(err) => return Err(err.into()),
        };
        if current.persona_id != Some(persona_id) || !persona_may_answer(&current) {
            return Ok(());
        }
        if latest_inbound(&txn, current.id).await? != Some(last_inbound) {
            // The customer wrote again while the model was answering: answer everything.
            return Err(JobError::Later(db::now()));
        }
        let conversation_id = current.id;
        let mut events = Vec::new();
        match decision {
            Decision::Reply { text, info } => {
                let (row, updated) = send_as_persona(&txn, current, text, info).await?;
                conversations::Entity::update_many()
                    .col_expr(conversations::Column::AiTurns, {
                        use sea_orm::sea_query::ExprTrait;
                        Expr::col(conversations::Column::AiTurns).add(1)
                    })
                    .filter(conversations::Column::Id.eq(updated.id))
                    .exec(&txn)
                    .await?;
                events.push(ServerEvent::MessageCreated { message: Box::new(message_dto(&row)) });
            }
            Decision::HandOff { reason, message } => {
                if let Some(text) = message.filter(|m| !m.trim().is_empty()) {
                    let info = AiReplyInfo {
                        persona_id,
                        persona_name: persona_name.to_owned(),
                        sources: Vec::new(),
                        handoff: Some(reason.clone()),
                    };
                    let (row, _) = send_as_persona(&txn, current.clone(), text, info).await?;
                    events
                        .push(ServerEvent::MessageCreated { message: Box::new(message_dto(&row)) });
                }
                hand_to_people(&txn, &self.events, &current, persona_name, &reason, &mut events)
                    .await?;
            }
        }
        let view = conversation_view(&txn, tenant, conversation_id).await?;
        events.push(ServerEvent::ConversationUpdated { conversation: Box::new(view) });
        txn.commit().await?;
        for event in events {
            self.events.publish(tenant.company_id(), event);
        }
        Ok(())
    }
}

/// Takes the conversation from its persona: people have it now. Writes the activity line with
/// the reason, tells agents live (`conversation.handoff`, appended to `events` to publish after
/// commit) and gives it to the next online teammate when the company auto-assigns.
///
/// # Errors
/// Database errors.
pub async fn hand_to_people(
    txn: &DatabaseTransaction,
    bus: &EventBus,
    conversation: &conversations::Model,
    persona_name: &str,
    reason: &str,
    events: &mut Vec<ServerEvent>,
) -> AppResult<()> {
    let tenant = Tenant::new(conversation.company_id);
    tenant
        .update_many::<conversations::Entity>()
        .col_expr(conversations::Column::PersonaId, Expr::value(Option::<Uuid>::None))
        .col_expr(conversations::Column::AiTurns, Expr::value(0))
        .col_expr(conversations::Column::UpdatedAt, Expr::value(db::now()))
        .filter(conversations::Column::Id.eq(conversation.id))
        .exec(txn)
        .await?;
    let text = format!("{persona_name} handed the conversation to the team: {reason}");
    let payload = json!({"action": "handoff", "persona_id": conversation.persona_id,
        "persona_name": persona_name, "reason": reason});
    let line = manage::record(txn, conversation, None, "activity", text, payload).await?;
    events.push(ServerEvent::MessageCreated { message: Box::new(message_dto(&line)) });
    let contact = contacts::Entity::find_by_id(conversation.contact_id).one(txn).await?;
    events.push(ServerEvent::ConversationHandoff {
        conversation_id: conversation.id,
        contact_name: contact
            .map(|c| if c.name.trim().is_empty() { c.phone } else { c.name })
            .unwrap_or_default(),
        reason: reason.to_owned(),
    });
    manage::auto_assign(txn, bus, conversation.company_id, &[conversation.id], events).await
}

/// Queues the persona's message through the same path as a teammate's (the `message.send`
/// job), marked with who answered and from which passages.
async fn send_as_persona(
    txn: &DatabaseTransaction,
    conversation: conversations::Model,
    text: String,
    info: AiReplyInfo,
) -> AppResult<(messages::Model, conversations::Model)> {
    let request = SendMessageRequest { text: Some(text.clone()), ..Default::default() };
    let mut payload = serde_json::to_value(&request).map_err(AppError::internal)?;
    payload["ai"] = serde_json::to_value(&info).map_err(AppError::internal)?;
    queue_outbound(
        txn,
        conversation,
        Outbound { kind: "text", text: Some(text), payload, reply_to: None, sent_by_user_id: None },
    )
    .await
}

/// Open (or pending) and nobody on the team has it.
fn persona_may_answer(conversation: &conversations::Model) -> bool {
    conversation.assignee_id.is_none() && matches!(conversation.status.as_str(), "open" | "pending")
}

/// The conversation as the model sees it: customer and persona/teammate messages, oldest
/// first, merged into alternating turns; `unanswered` is the customer's last message when
/// nothing was sent after it.
pub(super) struct Thread {
    pub turns: Vec<ChatTurn>,
    pub unanswered: Option<Uuid>,
}

impl Thread {
    pub(super) async fn read(
        db: &DatabaseConnection,
        conversation: &conversations::Model,
    ) -> AppResult<Self> {
        let mut rows = messages::Entity::find()
            .filter(messages::Column::ConversationId.eq(conversation.id))
            .filter(messages::Column::Direction.is_in(["in", "out"]))
            .filter(messages::Column::RevokedAt.is_null())
            // In the order we stored them (ids are UUIDv7): a customer message carries Meta's
            // whole-second timestamp, which can sort it before our answer of the same second.
            .order_by_desc(messages::Column::Id)
            .limit(HISTORY_MESSAGES)
            .all(db)
            .await?;
        rows.reverse();
        let unanswered = rows.last().filter(|m| m.direction == "in").map(|m| m.id);
        let mut turns: Vec<ChatTurn> = Vec::new();
        for row in &rows {
            let role = if row.direction == "in" { ChatRole::User } else { ChatRole::Assistant };
            let text = match (&row.text, row.kind.as_str()) {
                (Some(text), _) if !text.trim().is_empty() => text.trim().to_owned(),
                (_, kind) => format!("[{kind}]"),
            };
            match turns.last_mut() {
                Some(last) if last.role == role => {
                    last.text.push('\n');
                    last.text.push_str(&text);
                }
                _ => turns.push(ChatTurn { role, text }),
            }
        }
        for turn in &mut turns {
            // Keep the end of a long turn: the latest words matter most.
            let count = turn.text.chars().count();
            if count > MAX_TURN_CHARS {
                turn.text = turn.text.chars().skip(count - MAX_TURN_CHARS).collect();
            }
        }
        Ok(Thread { turns, unanswered })
    }
}

async fn latest_inbound<C: ConnectionTrait>(
    conn: &C,
    conversation_id: Uuid,
) -> AppResult<Option<Uuid>> {
    Ok(messages::Entity::find()
        .filter(messages::Column::ConversationId.eq(conversation_id))
        .filter(messages::Column::Direction.eq("in"))
        .order_by_desc(messages::Column::Id)
        .one(conn)
        .await?
        .map(|m| m.id))
}

/// Whether now, in the company's time zone, falls in one of the persona's windows (no windows:
/// always).
async fn within_working_hours(
    db: &DatabaseConnection,
    tenant: Tenant,
    persona: &personas::Model,
) -> AppResult<bool> {
    let Some(windows) = persona
        .working_hours
        .clone()
        .and_then(|raw| serde_json::from_value::<Vec<WorkingWindow>>(raw).ok())
        .filter(|w| !w.is_empty())
    else {
        return Ok(true);
    };
    let zone = companies::Entity::find_by_id(tenant.company_id())
        .one(db)
        .await?
        .map(|c| c.time_zone)
        .unwrap_or_default();
    let local = Utc::now().with_timezone(&timing::zone(&zone));
    let weekday = local.weekday().number_from_monday() as u8;
    let minute = local.hour() * 60 + local.minute();
    Ok(windows.iter().any(|w| w.contains(weekday, minute)))
}
