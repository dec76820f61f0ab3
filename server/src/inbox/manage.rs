//! What agents do to a conversation besides replying: take it, hand it on, change its status,
//! snooze it, label it, and leave private notes. Every change is written as an activity line in
//! the thread (a `messages` row with direction `internal`) and broadcast, so everyone looking at
//! the conversation sees who did what.
//!
//! Assignment is a conditional update on the assignee the change was decided from: when two
//! agents take the same conversation at once, one wins and the other gets 409
//! `conversation_taken` naming who has it — never a silent overwrite.

use std::collections::BTreeSet;

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, EntityTrait, QueryFilter, Set, TransactionTrait,
};
use serde_json::{json, Value};
use shared::{
    api::{ConversationDto, MessageDto, UpdateConversationRequest},
    ErrorCode, ServerEvent,
};
use uuid::Uuid;

use super::domain::{conversation_view, labels_of, message_dto};
use crate::{
    auth::AuthUser,
    db::{
        self,
        entities::{companies, conversation_labels, conversations, memberships, messages, users},
        Tenant,
    },
    error::{AppError, AppResult},
    events::EventBus,
    state::AppState,
};

pub const STATUSES: &[&str] = &["open", "pending", "resolved", "snoozed"];
const MAX_LABELS: usize = 20;
const MAX_LABEL_CHARS: usize = 40;
const MAX_NOTE_CHARS: usize = 4096;
/// Snoozing is for "later", not for archiving: at most this far ahead.
const MAX_SNOOZE: TimeDelta = TimeDelta::days(365);

/// Who did it, as written on the activity line.
struct Actor {
    id: Uuid,
    name: String,
}

async fn actor<C: ConnectionTrait>(conn: &C, auth: &AuthUser) -> AppResult<Actor> {
    let name = users::Entity::find_by_id(auth.user_id)
        .one(conn)
        .await?
        .map(|u| u.name)
        .unwrap_or_else(|| "Someone".to_owned());
    Ok(Actor { id: auth.user_id, name })
}

/// The name of a member of the company, or `None` when the user is not one.
pub(crate) async fn member_name<C: ConnectionTrait>(
    conn: &C,
    tenant: Tenant,
    user_id: Uuid,
) -> AppResult<Option<String>> {
    let member = tenant
        .select::<memberships::Entity>()
        .filter(memberships::Column::UserId.eq(user_id))
        .one(conn)
        .await?;
    if member.is_none() {
        return Ok(None);
    }
    Ok(users::Entity::find_by_id(user_id).one(conn).await?.map(|u| u.name))
}

/// Applies a `PATCH`: assignee, status (and snooze time), labels — each one an activity line.
///
/// # Errors
/// 404; `validation_failed` naming the field; 409 `conversation_taken` when an agent changes the
/// assignee of a conversation someone else has (or someone took it meanwhile).
#[tracing::instrument(skip_all, fields(company_id = %auth.company_id(), %conversation_id))]
pub async fn update(
    state: &AppState,
    auth: &AuthUser,
    conversation_id: Uuid,
    req: UpdateConversationRequest,
) -> AppResult<ConversationDto> {
    let tenant = auth.tenant();
    let status = match req.status.as_deref().map(str::trim) {
        None => None,
        Some(status) if STATUSES.contains(&status) => Some(status.to_owned()),
        Some(_) => {
            return Err(AppError::field("status", "Status is open, pending, resolved or snoozed."))
        }
    };
    let now = db::now();
    let snoozed_until = match (status.as_deref(), req.snoozed_until) {
        (Some("snoozed"), Some(until)) if until > now && until <= now + MAX_SNOOZE => Some(until),
        (Some("snoozed"), Some(_)) => {
            return Err(AppError::field(
                "snoozed_until",
                "Snooze until a time in the future, within a year.",
            ))
        }
        (Some("snoozed"), None) => {
            return Err(AppError::field("snoozed_until", "Say until when to snooze."))
        }
        (_, Some(_)) => {
            return Err(AppError::field("snoozed_until", "Only a snoozed conversation has a time."))
        }
        (_, None) => None,
    };
    let labels = req.labels.as_deref().map(normalise_labels).transpose()?;
    if matches!((req.assignee_id, req.persona_id), (Some(Some(_)), Some(Some(_)))) {
        return Err(AppError::field(
            "persona_id",
            "A conversation is answered by a persona or by a teammate, not both.",
        ));
    }

    let txn = state.db.begin().await?;
    let conversation = lock(&txn, tenant, conversation_id).await?;
    let who = actor(&txn, auth).await?;
    let mut activity = Vec::new();

    if let Some(assignee) = req.assignee_id {
        if assignee != conversation.assignee_id {
            activity.push(assign(&txn, auth, &who, &conversation, assignee).await?);
        }
    }
    let mut persona_answers = false;
    if let Some(persona_id) = req.persona_id {
        let conversation = find(&txn, tenant, conversation.id).await?;
        if persona_id != conversation.persona_id {
            activity.push(set_persona(&txn, auth, &who, &conversation, persona_id).await?);
            persona_answers = persona_id.is_some();
        }
    }
    if let Some(status) = status {
        if status != conversation.status || snoozed_until != conversation.snoozed_until {
            tenant
                .update_many::<conversations::Entity>()
                .col_expr(conversations::Column::Status, Expr::value(status.clone()))
                .col_expr(conversations::Column::SnoozedUntil, Expr::value(snoozed_until))
                .col_expr(conversations::Column::UpdatedAt, Expr::value(now))
                .filter(conversations::Column::Id.eq(conversation.id))
                .exec(&txn)
                .await?;
            let text = match snoozed_until {
                Some(until) => format!("{} snoozed the conversation until {until}", who.name),
                None => format!("{} marked the conversation {status}", who.name),
            };
            let payload = json!({"action": "status", "status": status,
                "snoozed_until": snoozed_until, "by": who.id, "by_name": who.name});
            activity
                .push(record(&txn, &conversation, Some(who.id), "activity", text, payload).await?);
        }
    }
    if let Some(labels) = labels {
        if let Some(line) = set_labels(&txn, tenant, &who, &conversation, labels).await? {
            activity.push(line);
        }
    }
    if persona_answers {
        // A customer message may be waiting for an answer: the persona reads the thread now.
        crate::ai::autoreply::schedule(
            &txn,
            tenant.company_id(),
            &[conversation.id],
            Default::default(),
        )
        .await?;
    }
    let dto = conversation_view(&txn, tenant, conversation.id).await?;
    txn.commit().await?;
    if persona_answers {
        state.jobs.notify();
    }
    publish(&state.events, tenant, &dto, &activity);
    Ok(dto)
}

/// `POST /conversations/{id}/claim`: the caller takes the conversation, unless someone else has
/// it (409 `conversation_taken`). Taking one's own again changes nothing.
///
/// # Errors
/// 404, 409.
#[tracing::instrument(skip_all, fields(company_id = %auth.company_id(), %conversation_id))]
pub async fn claim(
    state: &AppState,
    auth: &AuthUser,
    conversation_id: Uuid,
) -> AppResult<ConversationDto> {
    let tenant = auth.tenant();
    let txn = state.db.begin().await?;
    let conversation = lock(&txn, tenant, conversation_id).await?;
    let mut activity = Vec::new();
    if conversation.assignee_id != Some(auth.user_id) {
        if let Some(holder) = conversation.assignee_id {
            return Err(taken(&txn, tenant, holder).await);
        }
        let who = actor(&txn, auth).await?;
        activity.push(assign(&txn, auth, &who, &conversation, Some(auth.user_id)).await?);
    }
    let dto = conversation_view(&txn, tenant, conversation.id).await?;
    txn.commit().await?;
    publish(&state.events, tenant, &dto, &activity);
    Ok(dto)
}

/// A private note in the thread: the team sees it, the customer never does.
///
/// # Errors
/// 404; `validation_failed` on `text` when empty or longer than 4,096 characters.
#[tracing::instrument(skip_all, fields(company_id = %auth.company_id(), %conversation_id))]
pub async fn add_note(
    state: &AppState,
    auth: &AuthUser,
    conversation_id: Uuid,
    text: &str,
) -> AppResult<MessageDto> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > MAX_NOTE_CHARS {
        return Err(AppError::field("text", "Write a note of up to 4,096 characters."));
    }
    let tenant = auth.tenant();
    let txn = state.db.begin().await?;
    let conversation = lock(&txn, tenant, conversation_id).await?;
    let who = actor(&txn, auth).await?;
    let payload = json!({"by": who.id, "by_name": who.name});
    let note = record(&txn, &conversation, Some(who.id), "note", text.to_owned(), payload).await?;
    txn.commit().await?;
    let dto = message_dto(&note);
    state.events.publish(
        tenant.company_id(),
        ServerEvent::MessageCreated { message: Box::new(dto.clone()) },
    );
    Ok(dto)
}

/// Reopens snoozed conversations whose time has come (run every minute by the server).
///
/// # Errors
/// Database errors.
pub async fn wake_snoozed(db: &DatabaseConnection, events: &EventBus) -> AppResult<usize> {
    let now = db::now();
    let due = conversations::Entity::find()
        .filter(conversations::Column::Status.eq("snoozed"))
        .filter(conversations::Column::SnoozedUntil.lte(now))
        .all(db)
        .await?;
    for conversation in &due {
        let tenant = Tenant::new(conversation.company_id);
        let txn = db.begin().await?;
        // Conditional: a person (or a customer's message) may have reopened it meanwhile.
        let woke = tenant
            .update_many::<conversations::Entity>()
            .col_expr(conversations::Column::Status, Expr::value("open"))
            .col_expr(conversations::Column::SnoozedUntil, Expr::value(None::<DateTime<Utc>>))
            .col_expr(conversations::Column::UpdatedAt, Expr::value(now))
            .filter(conversations::Column::Id.eq(conversation.id))
            .filter(conversations::Column::Status.eq("snoozed"))
            .exec(&txn)
            .await?
            .rows_affected;
        if woke == 0 {
            continue;
        }
        let payload = json!({"action": "status", "status": "open", "reason": "snooze_ended"});
        let line = record(
            &txn,
            conversation,
            None,
            "activity",
            "The snooze ended; the conversation is open again".to_owned(),
            payload,
        )
        .await?;
        let dto = conversation_view(&txn, tenant, conversation.id).await?;
        txn.commit().await?;
        publish(events, tenant, &dto, &[line]);
    }
    Ok(due.len())
}

/// Gives each conversation in `unassigned` (a customer just wrote, nobody has it) to the next
/// online member in turn, when the company has auto-assignment on. Inside the transaction that
/// stored the message; the live events are appended to `events` (published after commit).
///
/// # Errors
/// Database errors.
pub async fn auto_assign(
    txn: &DatabaseTransaction,
    bus: &EventBus,
    company_id: Uuid,
    unassigned: &[Uuid],
    events: &mut Vec<ServerEvent>,
) -> AppResult<()> {
    if unassigned.is_empty() {
        return Ok(());
    }
    let enabled = companies::Entity::find_by_id(company_id)
        .one(txn)
        .await?
        .is_some_and(|company| company.auto_assign);
    if !enabled {
        return Ok(());
    }
    let tenant = Tenant::new(company_id);
    let members: Vec<Uuid> = tenant
        .select::<memberships::Entity>()
        .all(txn)
        .await?
        .into_iter()
        .map(|m| m.user_id)
        .collect();
    for conversation_id in unassigned {
        let Some(user_id) = bus.presence().next_in_turn(company_id, &members) else {
            return Ok(()); // nobody online: the conversations wait in "Unassigned"
        };
        let name = member_name(txn, tenant, user_id).await?.unwrap_or_default();
        // Only if still free: a person may have taken it in the meantime.
        let moved = tenant
            .update_many::<conversations::Entity>()
            .col_expr(conversations::Column::AssigneeId, Expr::value(Some(user_id)))
            .col_expr(conversations::Column::UpdatedAt, Expr::value(db::now()))
            .filter(conversations::Column::Id.eq(*conversation_id))
            .filter(conversations::Column::AssigneeId.is_null())
            .exec(txn)
            .await?
            .rows_affected;
        if moved == 0 {
            continue;
        }
        let conversation = find(txn, tenant, *conversation_id).await?;
        let payload = json!({"action": "assigned", "to": user_id, "to_name": name, "auto": true});
        let text = format!("Assigned automatically to {name}");
        let line = record(txn, &conversation, None, "activity", text, payload).await?;
        events.push(ServerEvent::MessageCreated { message: Box::new(message_dto(&line)) });
        let view = conversation_view(txn, tenant, conversation.id).await?;
        events.push(ServerEvent::ConversationUpdated { conversation: Box::new(view) });
    }
    Ok(())
}

/// Labels as stored: trimmed, 1–40 characters, at most 20, each once (case-insensitively).
fn normalise_labels(labels: &[String]) -> AppResult<BTreeSet<String>> {
    let mut out = BTreeSet::new();
    let mut seen = BTreeSet::new();
    for label in labels {
        let label = label.trim();
        if label.is_empty() || label.chars().count() > MAX_LABEL_CHARS {
            return Err(AppError::field("labels", "A label has 1 to 40 characters."));
        }
        if seen.insert(label.to_lowercase()) {
            out.insert(label.to_owned());
        }
    }
    if out.len() > MAX_LABELS {
        return Err(AppError::field("labels", "A conversation has at most 20 labels."));
    }
    Ok(out)
}

/// Reads the conversation for a change, taking its write lock first: on PostgreSQL the row lock
/// serialises agents changing the same conversation; on SQLite a transaction that reads before
/// it writes fails when another writer commits in between, while one that writes first waits
/// its turn.
pub(crate) async fn lock(
    txn: &DatabaseTransaction,
    tenant: Tenant,
    id: Uuid,
) -> AppResult<conversations::Model> {
    let touched = tenant
        .update_many::<conversations::Entity>()
        .col_expr(conversations::Column::UpdatedAt, Expr::value(db::now()))
        .filter(conversations::Column::Id.eq(id))
        .exec(txn)
        .await?
        .rows_affected;
    if touched == 0 {
        return Err(AppError::not_found());
    }
    find(txn, tenant, id).await
}

async fn find<C: ConnectionTrait>(
    conn: &C,
    tenant: Tenant,
    id: Uuid,
) -> AppResult<conversations::Model> {
    tenant
        .select_by_id::<conversations::Entity>(id)
        .one(conn)
        .await?
        .ok_or_else(AppError::not_found)
}

/// 409 naming who has the conversation.
async fn taken(txn: &DatabaseTransaction, tenant: Tenant, holder: Uuid) -> AppError {
    let name = member_name(txn, tenant, holder).await.ok().flatten();
    let message = match name {
        Some(name) => format!("{name} is handling this conversation."),
        None => "A teammate is handling this conversation.".to_owned(),
    };
    AppError::new(ErrorCode::ConversationTaken, message)
}

/// Moves the conversation from the assignee it had when read to `to`, or fails if it changed.
async fn assign(
    txn: &DatabaseTransaction,
    auth: &AuthUser,
    who: &Actor,
    conversation: &conversations::Model,
    to: Option<Uuid>,
) -> AppResult<messages::Model> {
    let tenant = auth.tenant();
    // Agents take what is free and hand on what is theirs; owners and admins reassign anything.
    if !auth.role.can_manage_team() {
        if let Some(holder) = conversation.assignee_id.filter(|holder| *holder != auth.user_id) {
            return Err(taken(txn, tenant, holder).await);
        }
    }
    let to_name = match to {
        Some(user_id) => Some(
            member_name(txn, tenant, user_id)
                .await?
                .ok_or_else(|| AppError::field("assignee_id", "Choose a member of your team."))?,
        ),
        None => None,
    };
    let from = match conversation.assignee_id {
        Some(holder) => conversations::Column::AssigneeId.eq(holder),
        None => conversations::Column::AssigneeId.is_null(),
    };
    let mut update = tenant
        .update_many::<conversations::Entity>()
        .col_expr(conversations::Column::AssigneeId, Expr::value(to))
        .col_expr(conversations::Column::UpdatedAt, Expr::value(db::now()));
    // A teammate has it now: the AI stops answering.
    let persona_stops = to.is_some() && conversation.persona_id.is_some();
    if persona_stops {
        update = update
            .col_expr(conversations::Column::PersonaId, Expr::value(Option::<Uuid>::None))
            .col_expr(conversations::Column::AiTurns, Expr::value(0));
    }
    let moved = update
        .filter(conversations::Column::Id.eq(conversation.id))
        .filter(from)
        .exec(txn)
        .await?
        .rows_affected;
    if moved == 0 {
        let now_held = find(txn, tenant, conversation.id).await?.assignee_id;
        return Err(match now_held {
            Some(holder) => taken(txn, tenant, holder).await,
            None => AppError::new(ErrorCode::Conflict, "The conversation changed; try again."),
        });
    }
    let (text, payload) = match (to, to_name) {
        (Some(user_id), Some(name)) if user_id == who.id => (
            format!("{} took the conversation", who.name),
            json!({"action": "assigned", "to": user_id, "to_name": name}),
        ),
        (Some(user_id), Some(name)) => (
            format!("{} assigned the conversation to {name}", who.name),
            json!({"action": "assigned", "to": user_id, "to_name": name}),
        ),
        _ => (format!("{} unassigned the conversation", who.name), json!({"action": "unassigned"})),
    };
    let mut payload = payload;
    payload["by"] = json!(who.id);
    payload["by_name"] = json!(who.name);
    let text = if persona_stops { format!("{text} (the AI stops answering)") } else { text };
    record(txn, conversation, Some(who.id), "activity", text, payload).await
}

/// Lets a persona answer the conversation (it becomes unassigned) or, with `None`, stops the
/// AI so the team answers. Agents may do it to free conversations and their own.
async fn set_persona(
    txn: &DatabaseTransaction,
    auth: &AuthUser,
    who: &Actor,
    conversation: &conversations::Model,
    persona_id: Option<Uuid>,
) -> AppResult<messages::Model> {
    let tenant = auth.tenant();
    if !auth.role.can_manage_team() {
        if let Some(holder) = conversation.assignee_id.filter(|holder| *holder != auth.user_id) {
            return Err(taken(txn, tenant, holder).await);
        }
    }
    let (text, payload) = match persona_id {
        Some(persona_id) => {
            let persona = tenant
                .select_by_id::<crate::db::entities::personas::Entity>(persona_id)
                .one(txn)
                .await?
                .filter(|p| p.enabled)
                .ok_or_else(|| {
                    AppError::field("persona_id", "Choose one of your company's active personas.")
                })?;
            (
                format!("{} handed the conversation to {}", who.name, persona.name),
                json!({"action": "persona", "persona_id": persona.id,
                    "persona_name": persona.name}),
            )
        }
        None => (
            format!("{} stopped the AI; the team answers", who.name),
            json!({"action": "persona", "persona_id": null}),
        ),
    };
    let mut update = tenant
        .update_many::<conversations::Entity>()
        .col_expr(conversations::Column::PersonaId, Expr::value(persona_id))
        .col_expr(conversations::Column::AiTurns, Expr::value(0))
        .col_expr(conversations::Column::UpdatedAt, Expr::value(db::now()));
    if persona_id.is_some() {
        // A persona answers only conversations no teammate has.
        update =
            update.col_expr(conversations::Column::AssigneeId, Expr::value(Option::<Uuid>::None));
    }
    update.filter(conversations::Column::Id.eq(conversation.id)).exec(txn).await?;
    let mut payload = payload;
    payload["by"] = json!(who.id);
    payload["by_name"] = json!(who.name);
    record(txn, conversation, Some(who.id), "activity", text, payload).await
}

/// A teammate replied in a conversation a persona was answering: the AI stops (the activity
/// line says so). Returns the line, or `None` when no persona had it.
///
/// # Errors
/// Database errors.
pub(crate) async fn stop_persona_for_reply(
    txn: &DatabaseTransaction,
    auth: &AuthUser,
    conversation: &conversations::Model,
) -> AppResult<Option<messages::Model>> {
    if conversation.persona_id.is_none() {
        return Ok(None);
    }
    let who = actor(txn, auth).await?;
    auth.tenant()
        .update_many::<conversations::Entity>()
        .col_expr(conversations::Column::PersonaId, Expr::value(Option::<Uuid>::None))
        .col_expr(conversations::Column::AiTurns, Expr::value(0))
        .filter(conversations::Column::Id.eq(conversation.id))
        .exec(txn)
        .await?;
    let text = format!("{} replied; the AI stops answering", who.name);
    let payload = json!({"action": "persona", "persona_id": null, "by": who.id,
        "by_name": who.name, "reason": "reply"});
    Ok(Some(record(txn, conversation, Some(who.id), "activity", text, payload).await?))
}

/// Replaces the labels; an activity line says what was added and removed (none if nothing).
async fn set_labels(
    txn: &DatabaseTransaction,
    tenant: Tenant,
    who: &Actor,
    conversation: &conversations::Model,
    labels: BTreeSet<String>,
) -> AppResult<Option<messages::Model>> {
    let current: BTreeSet<String> =
        labels_of(txn, tenant, conversation.id).await?.into_iter().collect();
    let added: Vec<&String> = labels.difference(&current).collect();
    let removed: Vec<&String> = current.difference(&labels).collect();
    if added.is_empty() && removed.is_empty() {
        return Ok(None);
    }
    if !removed.is_empty() {
        tenant
            .delete_many::<conversation_labels::Entity>()
            .filter(conversation_labels::Column::ConversationId.eq(conversation.id))
            .filter(conversation_labels::Column::Label.is_in(removed.iter().map(|l| l.as_str())))
            .exec(txn)
            .await?;
    }
    if !added.is_empty() {
        conversation_labels::Entity::insert_many(added.iter().map(|label| {
            conversation_labels::ActiveModel {
                conversation_id: Set(conversation.id),
                label: Set((*label).clone()),
                company_id: Set(tenant.company_id()),
            }
        }))
        .exec_without_returning(txn)
        .await?;
    }
    let mut parts = Vec::new();
    if !added.is_empty() {
        parts.push(format!("added {}", join(&added)));
    }
    if !removed.is_empty() {
        parts.push(format!("removed {}", join(&removed)));
    }
    let text = format!("{} {} (labels)", who.name, parts.join(" and "));
    let payload = json!({"action": "labels", "added": added, "removed": removed,
        "by": who.id, "by_name": who.name});
    Ok(Some(record(txn, conversation, Some(who.id), "activity", text, payload).await?))
}

fn join(labels: &[&String]) -> String {
    labels.iter().map(|l| format!("\"{l}\"")).collect::<Vec<_>>().join(", ")
}

/// Writes an internal line (note or activity) into the thread. It does not move the
/// conversation in the list, count as unread, or reach the customer.
pub(crate) async fn record(
    txn: &DatabaseTransaction,
    conversation: &conversations::Model,
    by: Option<Uuid>,
    kind: &str,
    text: String,
    payload: Value,
) -> AppResult<messages::Model> {
    let now = db::now();
    let row = messages::ActiveModel {
        id: Set(Uuid::now_v7()),
        company_id: Set(conversation.company_id),
        conversation_id: Set(conversation.id),
        connection_id: Set(conversation.connection_id),
        contact_id: Set(conversation.contact_id),
        direction: Set("internal".to_owned()),
        kind: Set(kind.to_owned()),
        text: Set(Some(text)),
        payload: Set(payload),
        provider_message_id: Set(None),
        reply_to_provider_id: Set(None),
        status: Set("internal".to_owned()),
        error_code: Set(None),
        error_message: Set(None),
        sent_by_user_id: Set(by),
        send_attempts: Set(0),
        attempt_started_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        edited_at: Set(None),
        revoked_at: Set(None),
    };
    Ok(row.insert(txn).await?)
}

fn publish(events: &EventBus, tenant: Tenant, dto: &ConversationDto, lines: &[messages::Model]) {
    for line in lines {
        events.publish(
            tenant.company_id(),
            ServerEvent::MessageCreated { message: Box::new(message_dto(line)) },
        );
    }
    if !lines.is_empty() {
        events.publish(
            tenant.company_id(),
            ServerEvent::ConversationUpdated { conversation: Box::new(dto.clone()) },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_trimmed_and_kept_once() {
        let labels = normalise_labels(&[" VIP ".into(), "vip".into(), "Entrega".into()]).unwrap();
        assert_eq!(labels.into_iter().collect::<Vec<_>>(), ["Entrega", "VIP"]);
    }

    #[test]
    fn empty_long_or_too_many_labels_are_refused() {
        assert!(normalise_labels(&["  ".into()]).is_err());
        assert!(normalise_labels(&["x".repeat(41)]).is_err());
        let many: Vec<String> = (0..21).map(|n| format!("l{n}")).collect();
        assert!(normalise_labels(&many).is_err());
        assert!(normalise_labels(&many[..20]).is_ok());
    }
}
