//! What happens to a campaign message after Meta took it: status webhooks move its recipient
//! forward (sent → delivered → read, or failed with Meta's reason), and a customer who answers
//! is linked to the campaign — the recipient counts as replied, the conversation remembers the
//! campaign, and the campaign message appears in the thread above the answer, so the agent
//! sees what the customer is answering.
//!
//! Both run inside the webhook processor's transaction (see `inbox::ingest`).

use std::{
    sync::{Arc, LazyLock},
    time::Duration,
};

use chrono::TimeDelta;
use dashmap::DashSet;
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde_json::json;
use shared::campaigns::CampaignTemplate;
use uuid::Uuid;

use super::{audience::ContactFields, domain, sender::TRACKER_PREFIX};
use crate::{
    channels::whatsapp_cloud::webhook::{InboundMessage, StatusUpdate},
    db::{
        self,
        entities::{
            campaign_recipients as recipients, campaigns, connections, contacts, conversations,
            message_templates, messages,
        },
    },
    error::AppResult,
    events::EventBus,
};

/// How long after a campaign message an answer still counts as a reply to it.
const REPLY_WINDOW: TimeDelta = TimeDelta::days(7);

fn rank(status: &str) -> u8 {
    match status {
        "sent" => 1,
        "delivered" => 2,
        "read" | "played" => 3,
        _ => 0,
    }
}

/// The recipient a status is about: by our tag (which also resolves a send whose answer was
/// lost), else by Meta's message id.
async fn recipient_for<C: ConnectionTrait>(
    conn: &C,
    company_id: Uuid,
    status: &StatusUpdate,
) -> AppResult<Option<recipients::Model>> {
    let tagged = status
        .details
        .get("biz_opaque_callback_data")
        .and_then(serde_json::Value::as_str)
        .and_then(|tag| tag.strip_prefix(TRACKER_PREFIX))
        .and_then(|id| id.parse::<i64>().ok());
    let query = recipients::Entity::find().filter(recipients::Column::CompanyId.eq(company_id));
    Ok(match tagged {
        Some(id) => query.filter(recipients::Column::Id.eq(id)).one(conn).await?,
        None => {
            query
                .filter(recipients::Column::ProviderMessageId.eq(status.provider_id.as_str()))
                .one(conn)
                .await?
        }
    })
}

/// Applies a status webhook to the campaign recipient it is about, if any. Returns the
/// campaign whose counts changed.
///
/// # Errors
/// Database errors only.
pub async fn record_status(
    txn: &DatabaseTransaction,
    connection: &connections::Model,
    status: &StatusUpdate,
) -> AppResult<Option<Uuid>> {
    let Some(recipient) = recipient_for(txn, connection.company_id, status).await? else {
        return Ok(None);
    };
    let current = recipient.status.as_str();
    let moves = match status.status.as_str() {
        // A failure after acceptance (undeliverable, Meta's per-user marketing limit).
        "failed" => rank(current) <= 1 && !matches!(current, "failed" | "skipped" | "cancelled"),
        next => {
            rank(next) > rank(current)
                && rank(next) > 0
                && !matches!(current, "failed" | "skipped" | "cancelled")
        }
    };
    let mut active: recipients::ActiveModel = recipient.clone().into();
    let mut changed = false;
    if recipient.provider_message_id.is_none() {
        active.provider_message_id = Set(Some(status.provider_id.clone()));
        changed = true;
    }
    if moves {
        changed = true;
        let at = status.at;
        active.attempt_started_at = Set(None);
        active.claimed_by = Set(None);
        if status.status == "failed" {
            active.status = Set("failed".to_owned());
            active.failed_at = Set(Some(at));
            active.error_code = Set(status.error_code);
            active.error_message = Set(Some(
                status
                    .error_message
                    .clone()
                    .unwrap_or_else(|| "WhatsApp could not deliver the message.".to_owned()),
            ));
        } else {
            let next = if status.status == "played" { "read" } else { status.status.as_str() };
            active.status = Set(next.to_owned());
            active.sent_at = Set(Some(recipient.sent_at.unwrap_or(at)));
            if rank(next) >= 2 {
                active.delivered_at = Set(Some(recipient.delivered_at.unwrap_or(at)));
            }
            if rank(next) >= 3 {
                active.read_at = Set(Some(recipient.read_at.unwrap_or(at)));
            }
            active.error_code = Set(None);
            active.error_message = Set(None);
        }
    }
    if !changed {
        return Ok(None);
    }
    active.updated_at = Set(db::now());
    active.update(txn).await?;
    Ok(Some(recipient.campaign_id))
}

/// A customer wrote: if a campaign message reached them on this number in the last week (or
/// they answered one directly), link the conversation to that campaign. Returns the campaign.
///
/// # Errors
/// Database errors only.
pub async fn link_reply(
    txn: &DatabaseTransaction,
    connection: &connections::Model,
    contact: &contacts::Model,
    conversation: &conversations::Model,
    message: &InboundMessage,
) -> AppResult<Option<Uuid>> {
    let quoted = match &message.reply_to {
        Some(quoted) => recipients::Entity::find()
            .filter(recipients::Column::CompanyId.eq(connection.company_id))
            .filter(recipients::Column::ProviderMessageId.eq(quoted.as_str()))
            .one(txn)
            .await?
            .filter(|r| r.contact_id == contact.id),
        None => None,
    };
    let recipient = match quoted {
        Some(recipient) => Some(recipient),
        None => {
            let recent = recipients::Entity::find()
                .filter(recipients::Column::ContactId.eq(contact.id))
                .filter(recipients::Column::SentAt.gte(message.at - REPLY_WINDOW))
                .filter(recipients::Column::SentAt.lte(message.at + TimeDelta::minutes(5)))
                .order_by_desc(recipients::Column::SentAt)
                .limit(5)
                .all(txn)
                .await?;
            let mut found = None;
            for candidate in recent {
                let on_this_number = campaigns::Entity::find_by_id(candidate.campaign_id)
                    .one(txn)
                    .await?
                    .is_some_and(|c| c.connection_id == connection.id);
                if on_this_number {
                    found = Some(candidate);
                    break;
                }
            }
            found
        }
    };
    let Some(recipient) = recipient else { return Ok(None) };
    let Some(campaign) = campaigns::Entity::find_by_id(recipient.campaign_id).one(txn).await?
    else {
        return Ok(None);
    };
    if recipient.replied_at.is_none() {
        recipients::Entity::update_many()
            .col_expr(recipients::Column::RepliedAt, Expr::value(message.at))
            .col_expr(recipients::Column::UpdatedAt, Expr::value(db::now()))
            .filter(recipients::Column::Id.eq(recipient.id))
            .exec(txn)
            .await?;
    }
    if conversation.campaign_id != Some(campaign.id) {
        conversations::Entity::update_many()
            .col_expr(conversations::Column::CampaignId, Expr::value(campaign.id))
            .filter(conversations::Column::Id.eq(conversation.id))
            .exec(txn)
            .await?;
    }
    show_in_thread(txn, connection, contact, conversation, &campaign, &recipient).await?;
    Ok(Some(campaign.id))
}

/// Puts the campaign message into the conversation (once), at the time it was sent.
async fn show_in_thread(
    txn: &DatabaseTransaction,
    connection: &connections::Model,
    contact: &contacts::Model,
    conversation: &conversations::Model,
    campaign: &campaigns::Model,
    recipient: &recipients::Model,
) -> AppResult<()> {
    let (Some(provider_id), Some(sent_at)) = (&recipient.provider_message_id, recipient.sent_at)
    else {
        return Ok(());
    };
    let template: CampaignTemplate =
        serde_json::from_value(campaign.template.clone()).unwrap_or_default();
    let send = shared::campaigns::template_for(&template, &ContactFields(contact)).ok();
    let components = message_templates::Entity::find()
        .filter(message_templates::Column::ConnectionId.eq(connection.id))
        .filter(message_templates::Column::Name.eq(template.name.as_str()))
        .filter(message_templates::Column::Language.eq(template.language.as_str()))
        .one(txn)
        .await?
        .map(|t| t.components);
    let text = match (&send, &components) {
        (Some(send), Some(components)) => shared::templates::render(components, send).body,
        _ => format!("Template {} ({})", template.name, template.language),
    };
    let status = match recipient.status.as_str() {
        s @ ("sent" | "delivered" | "read" | "failed") => s,
        _ => "sent",
    };
    let row = messages::ActiveModel {
        id: Set(Uuid::now_v7()),
        company_id: Set(conversation.company_id),
        conversation_id: Set(conversation.id),
        connection_id: Set(connection.id),
        contact_id: Set(contact.id),
        direction: Set("out".to_owned()),
        kind: Set("template".to_owned()),
        text: Set(Some(text)),
        payload: Set(json!({
            "template": send,
            "campaign": {"id": campaign.id, "name": campaign.name},
        })),
        provider_message_id: Set(Some(provider_id.clone())),
        reply_to_provider_id: Set(None),
        status: Set(status.to_owned()),
        error_code: Set(recipient.error_code),
        error_message: Set(recipient.error_message.clone()),
        sent_by_user_id: Set(None),
        send_attempts: Set(recipient.attempts),
        attempt_started_at: Set(None),
        created_at: Set(sent_at),
        updated_at: Set(db::now()),
        edited_at: Set(None),
        revoked_at: Set(None),
    };
    messages::Entity::insert(row)
        .on_conflict_do_nothing_on([
            messages::Column::ConnectionId,
            messages::Column::ProviderMessageId,
        ])
        .exec_without_returning(txn)
        .await?;
    Ok(())
}

/// Campaigns whose counts changed by webhooks get a `campaign.progress` event about a second
/// later — one per campaign per second, however many statuses arrive.
pub fn progress_changed(db: &DatabaseConnection, events: &EventBus, campaign_ids: &[Uuid]) {
    static WAITING: LazyLock<Arc<DashSet<Uuid>>> = LazyLock::new(Default::default);
    for id in campaign_ids {
        if !WAITING.insert(*id) {
            continue; // one is already on its way
        }
        let (db, events, id) = (db.clone(), events.clone(), *id);
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(1)).await;
            WAITING.remove(&id);
            if let Err(err) = domain::publish_progress(&db, &events, id, None).await {
                tracing::warn!(error = ?err, "could not publish campaign progress");
            }
        });
    }
}
