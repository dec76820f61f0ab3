//! Storing what a channel delivered, exactly once.
//!
//! Every function here runs inside the webhook processor's transaction and is idempotent on the
//! provider's ids: a message is unique per (connection, provider message id), a status per
//! (connection, provider message id, status). Re-delivery — Meta retries for days — changes
//! nothing and publishes nothing. Live events are collected in [`Outcome`] and published by
//! the caller after the commit, so a client never sees a message that was rolled back.

use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction,
    EntityTrait, QueryFilter, Set, TryInsertResult,
};
use serde_json::Value;
use shared::ServerEvent;
use uuid::Uuid;

use super::domain::{conversation_dto, labels_of, message_dto};
use crate::{
    automation::outbox::NewEvent,
    channels::whatsapp_cloud::webhook::{InboundMessage, StatusUpdate, TemplateUpdate},
    contacts::{domain as contacts_domain, phone::PhoneE164},
    db::{
        self,
        entities::{
            connections, contacts, conversations, message_status_events, message_templates,
            messages,
        },
        Tenant,
    },
    error::{AppError, AppResult},
};

/// Words that opt a customer out when they are the whole message (any case, any accents
/// typed or not). Portuguese and English, the product's two languages.
const OPT_OUT_KEYWORDS: &[&str] =
    &["STOP", "SAIR", "PARAR", "CANCELAR", "DESCADASTRAR", "UNSUBSCRIBE"];

/// What a delivery changed, to publish after commit and to note on the inbox row.
#[derive(Debug, Default)]
pub struct Outcome {
    pub events: Vec<ServerEvent>,
    pub stored: u32,
    pub duplicates: u32,
    pub ignored: Vec<String>,
    /// Conversations a customer wrote to that nobody has: candidates for auto-assignment.
    pub unassigned: Vec<Uuid>,
    /// Campaigns whose counts changed (statuses, replies): their progress is published.
    pub campaigns: Vec<Uuid>,
    /// Conversations a customer wrote to that an AI persona answers (`ai::autoreply`).
    pub persona_answers: Vec<Uuid>,
    /// What automation rules may act on (`automation::outbox`), in the order it happened.
    pub automation: Vec<crate::automation::outbox::NewEvent>,
}

impl Outcome {
    pub fn ignore(&mut self, reason: impl Into<String>) {
        let reason = reason.into();
        tracing::info!(%reason, "webhook event ignored");
        self.ignored.push(reason);
    }

    /// One line for the inbox row: counts, then the reasons for what was ignored.
    pub fn summary(&self) -> String {
        let mut line = format!("stored {}, duplicates {}", self.stored, self.duplicates);
        if !self.ignored.is_empty() {
            line.push_str(&format!(
                ", ignored {}: {}",
                self.ignored.len(),
                self.ignored.join("; ")
            ));
        }
        line
    }
}

/// A customer's message: contact and conversation found or created (a resolved conversation
/// reopens), the message stored once, the service window moved on.
///
/// # Errors
/// Database errors only; an unusable sender is ignored with a reason.
pub async fn record_inbound(
    txn: &DatabaseTransaction,
    connection: &connections::Model,
    message: &InboundMessage,
    outcome: &mut Outcome,
) -> AppResult<()> {
    let tenant = Tenant::new(connection.company_id);
    let Some(phone) = PhoneE164::from_wa_id(&message.from) else {
        outcome.ignore(format!(
            "message {} from {:?}: not a phone number",
            message.provider_id, message.from
        ));
        return Ok(());
    };
    let contact = contacts_domain::find_or_create_by_phone(
        txn,
        tenant,
        &phone,
        message.profile_name.as_deref(),
    )
    .await?;
    let (conversation, started) = conversation_for(txn, connection, &contact, message.at).await?;

    let message_id = Uuid::now_v7();
    let row = messages::ActiveModel {
        id: Set(message_id),
        company_id: Set(connection.company_id),
        conversation_id: Set(conversation.id),
        connection_id: Set(connection.id),
        contact_id: Set(contact.id),
        direction: Set("in".to_owned()),
        kind: Set(message.kind.clone()),
        text: Set(message.text.clone()),
        payload: Set(message.payload.clone()),
        provider_message_id: Set(Some(message.provider_id.clone())),
        reply_to_provider_id: Set(message.reply_to.clone()),
        status: Set("received".to_owned()),
        error_code: Set(None),
        error_message: Set(None),
        sent_by_user_id: Set(None),
        send_attempts: Set(0),
        attempt_started_at: Set(None),
        created_at: Set(message.at),
        updated_at: Set(db::now()),
        edited_at: Set(None),
        revoked_at: Set(None),
    };
    let inserted = messages::Entity::insert(row)
        .on_conflict_do_nothing_on([
            messages::Column::ConnectionId,
            messages::Column::ProviderMessageId,
        ])
        .exec_without_returning(txn)
        .await?;
    if !matches!(inserted, TryInsertResult::Inserted(n) if n > 0) {
        outcome.duplicates += 1;
        return Ok(());
    }
    outcome.stored += 1;
    if crate::media::fetch::MEDIA_KINDS.contains(&message.kind.as_str())
        && message.payload.get("id").is_some()
    {
        crate::jobs::enqueue(txn, crate::media::fetch::job(connection.company_id, message_id))
            .await?;
    }

    // The thread moves on: newest activity, the window, unread count, reopened if resolved.
    // Activity is ordered by when we received it (Meta's timestamps are whole seconds, and
    // re-deliveries arrive late); the preview only moves to a message newer than the last one.
    let mut active: conversations::ActiveModel = conversation.clone().into();
    active.last_message_at = Set(db::now());
    if conversation.last_inbound_at.is_none_or(|at| message.at >= at) {
        active.last_message_preview = Set(preview_of(message));
    }
    if conversation.last_inbound_at.is_none_or(|at| message.at > at) {
        active.last_inbound_at = Set(Some(message.at));
    }
    active.unread_count = Set(conversation.unread_count.saturating_add(1));
    if matches!(conversation.status.as_str(), "resolved" | "snoozed") {
        active.status = Set("open".to_owned());
        active.snoozed_until = Set(None);
    }
    // A conversation that starts — or starts again after it was resolved — belongs to the
    // number's AI persona, if it has one and no teammate holds the conversation.
    if (started || conversation.status == "resolved") && conversation.assignee_id.is_none() {
        active.persona_id =
            Set(crate::ai::autoreply::persona_for_new_conversation(txn, connection).await?);
        active.ai_turns = Set(0);
    }
    active.updated_at = Set(db::now());
    let conversation = active.update(txn).await?;

    let contact = match opt_out_keyword(message) {
        true if !contact.opted_out => {
            contacts_domain::set_opt_out_from_customer(txn, &contact, true, "keyword").await?;
            outcome.events.push(ServerEvent::ContactsChanged { by_user_id: None });
            contacts::Entity::find_by_id(contact.id).one(txn).await?.unwrap_or(contact)
        }
        _ => contact,
    };

    // An answer to a campaign: linked, with the campaign message shown above it.
    let campaign_id =
        crate::campaigns::tracking::link_reply(txn, connection, &contact, &conversation, message)
            .await?;
    if let Some(campaign_id) = campaign_id {
        outcome.campaigns.push(campaign_id);
    }
    if started {
        outcome.automation.push(NewEvent::conversation_created(
            conversation.id,
            contact.id,
            message_id,
        ));
    }
    outcome.automation.push(NewEvent::message_received(
        conversation.id,
        contact.id,
        message_id,
        message.text.as_deref(),
        campaign_id,
    ));
    let conversation = conversations::Entity::find_by_id(conversation.id)
        .one(txn)
        .await?
        .ok_or_else(|| AppError::internal("conversation not found"))?;
    let stored = messages::Entity::find_by_id(message_id)
        .one(txn)
        .await?
        .ok_or_else(|| AppError::internal("stored message not found"))?;
    outcome.events.push(ServerEvent::MessageCreated { message: Box::new(message_dto(&stored)) });
    match (conversation.assignee_id, conversation.persona_id) {
        (Some(_), _) => {}
        // Someone who just opted out ("STOP") gets no answer from the AI.
        (None, Some(_)) if contact.opted_out => {}
        (None, Some(_)) => {
            if !outcome.persona_answers.contains(&conversation.id) {
                outcome.persona_answers.push(conversation.id);
            }
        }
        (None, None) => {
            if !outcome.unassigned.contains(&conversation.id) {
                outcome.unassigned.push(conversation.id);
            }
        }
    }
    let labels = labels_of(txn, Tenant::new(conversation.company_id), conversation.id).await?;
    outcome.events.push(ServerEvent::ConversationUpdated {
        conversation: Box::new(conversation_dto(&conversation, &contact, labels)),
    });
    Ok(())
}

/// The thread for this customer on this number, created on first contact (then `true`).
async fn conversation_for(
    txn: &DatabaseTransaction,
    connection: &connections::Model,
    contact: &contacts::Model,
    at: chrono::DateTime<chrono::Utc>,
) -> AppResult<(conversations::Model, bool)> {
    let now = db::now();
    let inserted = conversations::Entity::insert(conversations::ActiveModel {
        id: Set(Uuid::now_v7()),
        company_id: Set(connection.company_id),
        contact_id: Set(contact.id),
        connection_id: Set(connection.id),
        status: Set("open".to_owned()),
        assignee_id: Set(None),
        last_message_at: Set(at),
        last_inbound_at: Set(None),
        unread_count: Set(0),
        last_message_preview: Set(None),
        snoozed_until: Set(None),
        campaign_id: Set(None),
        persona_id: Set(None),
        ai_turns: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .on_conflict_do_nothing_on([
        conversations::Column::ConnectionId,
        conversations::Column::ContactId,
    ])
    .exec_without_returning(txn)
    .await?;
    let started = matches!(inserted, TryInsertResult::Inserted(n) if n > 0);
    let conversation = conversations::Entity::find()
        .filter(conversations::Column::ConnectionId.eq(connection.id))
        .filter(conversations::Column::ContactId.eq(contact.id))
        .one(txn)
        .await?
        .ok_or_else(|| AppError::internal("conversation vanished after upsert"))?;
    Ok((conversation, started))
}

fn preview_of(message: &InboundMessage) -> Option<String> {
    let text = match (&message.text, message.kind.as_str()) {
        (Some(text), "text") => text.clone(),
        (Some(text), kind) => format!("[{kind}] {text}"),
        (None, kind) => format!("[{kind}]"),
    };
    Some(text.chars().take(200).collect())
}

fn opt_out_keyword(message: &InboundMessage) -> bool {
    message.kind == "text"
        && message.text.as_deref().is_some_and(|text| {
            let word = text.trim().trim_end_matches(['.', '!']).to_uppercase();
            OPT_OUT_KEYWORDS.contains(&word.as_str())
        })
}

/// Where a status stands: it only ever moves forward (a late `sent` never undoes `read`).
fn rank(status: &str) -> u8 {
    match status {
        "queued" => 0,
        "sent" => 1,
        "delivered" => 2,
        "read" => 3,
        "played" => 4,
        _ => 0,
    }
}

/// Whether a message at `current` takes `next`.
pub fn status_moves_forward(current: &str, next: &str) -> bool {
    match (current, next) {
        (_, "failed") => matches!(current, "queued" | "sent"),
        ("failed", _) => false,
        _ => rank(next) > rank(current),
    }
}

/// A status for a message we sent: kept in the history (even before the message's provider id
/// is known, e.g. a status racing the send's answer) and applied to the message when it only
/// moves it forward.
///
/// # Errors
/// Database errors only.
pub async fn record_status(
    txn: &DatabaseTransaction,
    connection: &connections::Model,
    status: &StatusUpdate,
    outcome: &mut Outcome,
) -> AppResult<()> {
    let inserted = message_status_events::Entity::insert(message_status_events::ActiveModel {
        id: Set(Uuid::now_v7()),
        company_id: Set(connection.company_id),
        connection_id: Set(connection.id),
        provider_message_id: Set(status.provider_id.clone()),
        status: Set(status.status.clone()),
        recipient_id: Set(status.recipient_id.clone().map(|r| r.chars().take(32).collect())),
        error_code: Set(status.error_code),
        error_message: Set(status.error_message.clone()),
        details: Set(status.details.clone()),
        occurred_at: Set(status.at),
        received_at: Set(db::now()),
    })
    .on_conflict_do_nothing_on([
        message_status_events::Column::ConnectionId,
        message_status_events::Column::ProviderMessageId,
        message_status_events::Column::Status,
    ])
    .exec_without_returning(txn)
    .await?;
    if !matches!(inserted, TryInsertResult::Inserted(n) if n > 0) {
        outcome.duplicates += 1;
        return Ok(());
    }
    outcome.stored += 1;
    if let Some(campaign_id) =
        crate::campaigns::tracking::record_status(txn, connection, status).await?
    {
        if !outcome.campaigns.contains(&campaign_id) {
            outcome.campaigns.push(campaign_id);
        }
    }
    let Some(message) = messages::Entity::find()
        .filter(messages::Column::ConnectionId.eq(connection.id))
        .filter(messages::Column::ProviderMessageId.eq(status.provider_id.as_str()))
        .one(txn)
        .await?
    else {
        // Not ours (sent from another tool on the same number) or not stored yet: the history
        // row above is applied when the send records its provider id.
        return Ok(());
    };
    if !status_moves_forward(&message.status, &status.status) {
        return Ok(());
    }
    let mut active: messages::ActiveModel = message.into();
    active.status = Set(status.status.clone());
    if status.status == "failed" {
        active.error_code = Set(status.error_code);
        active.error_message = Set(status.error_message.clone());
    }
    active.updated_at = Set(db::now());
    let updated = active.update(txn).await?;
    outcome.events.push(ServerEvent::MessageUpdated { message: Box::new(message_dto(&updated)) });
    Ok(())
}

/// The customer edited a message: the text and payload change, the original is kept in
/// `payload.previous`.
///
/// # Errors
/// Database errors only.
pub async fn record_edit(
    txn: &DatabaseTransaction,
    connection: &connections::Model,
    original_id: &str,
    edit: &InboundMessage,
    outcome: &mut Outcome,
) -> AppResult<()> {
    let Some(message) = find_by_provider_id(txn, connection, original_id).await? else {
        outcome.ignore(format!("edit of unknown message {original_id}"));
        return Ok(());
    };
    if message.edited_at.is_some_and(|at| at >= edit.at) {
        outcome.duplicates += 1;
        return Ok(());
    }
    let mut payload = edit.payload.clone();
    if let Value::Object(map) = &mut payload {
        map.insert(
            "previous".into(),
            serde_json::json!({"text": message.text, "payload": message.payload}),
        );
    }
    let mut active: messages::ActiveModel = message.into();
    active.text = Set(edit.text.clone());
    active.payload = Set(payload);
    active.edited_at = Set(Some(edit.at));
    active.updated_at = Set(db::now());
    let updated = active.update(txn).await?;
    outcome.stored += 1;
    outcome.events.push(ServerEvent::MessageUpdated { message: Box::new(message_dto(&updated)) });
    Ok(())
}

/// The customer deleted a message for everyone: the row stays (history, reports), marked.
///
/// # Errors
/// Database errors only.
pub async fn record_revoke(
    txn: &DatabaseTransaction,
    connection: &connections::Model,
    original_id: &str,
    at: chrono::DateTime<chrono::Utc>,
    outcome: &mut Outcome,
) -> AppResult<()> {
    let Some(message) = find_by_provider_id(txn, connection, original_id).await? else {
        outcome.ignore(format!("revoke of unknown message {original_id}"));
        return Ok(());
    };
    if message.revoked_at.is_some() {
        outcome.duplicates += 1;
        return Ok(());
    }
    let mut active: messages::ActiveModel = message.into();
    active.revoked_at = Set(Some(at));
    active.updated_at = Set(db::now());
    let updated = active.update(txn).await?;
    outcome.stored += 1;
    outcome.events.push(ServerEvent::MessageUpdated { message: Box::new(message_dto(&updated)) });
    Ok(())
}

/// Meta's "stop/resume marketing messages" button: the customer's own choice.
///
/// # Errors
/// Database errors only.
pub async fn record_marketing_preference(
    txn: &DatabaseTransaction,
    connection: &connections::Model,
    wa_id: &str,
    stop: bool,
    outcome: &mut Outcome,
) -> AppResult<()> {
    let tenant = Tenant::new(connection.company_id);
    let Some(phone) = PhoneE164::from_wa_id(wa_id) else {
        outcome.ignore(format!("marketing preference of {wa_id:?}: not a phone number"));
        return Ok(());
    };
    let contact = contacts_domain::find_or_create_by_phone(txn, tenant, &phone, None).await?;
    if contacts_domain::set_opt_out_from_customer(txn, &contact, stop, "whatsapp").await? {
        outcome.stored += 1;
        outcome.events.push(ServerEvent::ContactsChanged { by_user_id: None });
    } else {
        outcome.duplicates += 1;
    }
    Ok(())
}

/// A template's status, category or quality changed at Meta. Unknown templates wait for the
/// next sync, which reads everything.
///
/// # Errors
/// Database errors only.
pub async fn record_template_update(
    txn: &DatabaseTransaction,
    connection: &connections::Model,
    update: &TemplateUpdate,
    outcome: &mut Outcome,
) -> AppResult<()> {
    let mut changes = Vec::new();
    if let Some(status) = &update.status {
        changes.push((message_templates::Column::Status, Expr::value(status.clone())));
        changes
            .push((message_templates::Column::RejectedReason, Expr::value(update.reason.clone())));
    }
    if let Some(category) = &update.category {
        changes.push((message_templates::Column::Category, Expr::value(category.clone())));
    }
    if let Some(quality) = &update.quality {
        changes.push((message_templates::Column::Quality, Expr::value(Some(quality.clone()))));
    }
    if changes.is_empty() {
        outcome.ignore(format!(
            "template {}/{}: components changed (read on the next sync)",
            update.name, update.language
        ));
        return Ok(());
    }
    let mut query = message_templates::Entity::update_many()
        .filter(message_templates::Column::ConnectionId.eq(connection.id))
        .filter(message_templates::Column::Name.eq(update.name.as_str()))
        .filter(message_templates::Column::Language.eq(update.language.as_str()))
        .col_expr(message_templates::Column::UpdatedAt, Expr::value(db::now()));
    for (column, value) in changes {
        query = query.col_expr(column, value);
    }
    let updated = query.exec(txn).await?.rows_affected;
    if updated == 0 {
        outcome.ignore(format!(
            "template {}/{} is not synced yet (the next sync reads it)",
            update.name, update.language
        ));
    } else {
        outcome.stored += 1;
        outcome.events.push(ServerEvent::TemplatesChanged { connection_id: connection.id });
    }
    Ok(())
}

async fn find_by_provider_id<C: ConnectionTrait>(
    conn: &C,
    connection: &connections::Model,
    provider_id: &str,
) -> AppResult<Option<messages::Model>> {
    Ok(messages::Entity::find()
        .filter(messages::Column::ConnectionId.eq(connection.id))
        .filter(messages::Column::ProviderMessageId.eq(provider_id))
        .one(conn)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_only_move_forward() {
        assert!(status_moves_forward("sent", "delivered"));
        assert!(status_moves_forward("delivered", "read"));
        assert!(status_moves_forward("read", "played"));
        assert!(!status_moves_forward("read", "delivered"));
        assert!(!status_moves_forward("delivered", "sent"));
        assert!(status_moves_forward("sent", "failed"));
        assert!(!status_moves_forward("read", "failed"));
        assert!(!status_moves_forward("failed", "delivered"));
    }
}
