//! Agent replies: checked, stored as `queued`, sent by the `message.send` job through the
//! connection's [`Channel`], moved forward by status webhooks.
//!
//! The job claims the message before the provider call (`attempt_started_at`) and clears the
//! mark once the outcome is recorded. A mark still set when the job runs again means a crash
//! happened mid-call: Meta may have delivered the message, so it is marked failed with that
//! explanation instead of being sent a second time. Provider errors go by class: rate limits
//! and passing failures are retried with backoff, permanent ones fail at once with the reason.

use std::sync::Arc;

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionTrait,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use shared::{
    api::{MediaSend, MessageDto, SendMessageRequest, TemplateSend},
    ErrorCode, ServerEvent,
};
use uuid::Uuid;

use super::{
    domain::{conversation_view, message_dto, window_closes_at},
    ingest::status_moves_forward,
};
use crate::{
    auth::AuthUser,
    channels::{
        whatsapp_cloud::{CloudChannel, GraphClient},
        Channel, Content, MediaSource, Outgoing, Retry,
    },
    connections::domain::cloud_credentials,
    crypto::Keyring,
    db::{
        self,
        entities::{connections, contacts, conversations, message_status_events, messages},
    },
    error::{AppError, AppResult},
    events::EventBus,
    jobs::{self, Job, JobError, JobFuture, JobHandler, NewJob},
    media::MediaStore,
    state::AppState,
    templates,
};

pub const SEND_MESSAGE_JOB: &str = "message.send";
/// Attempts for a retryable failure before the message is marked failed.
const SEND_ATTEMPTS: i32 = 6;

#[derive(Debug, Serialize, Deserialize)]
pub struct SendMessage {
    pub message_id: Uuid,
}

/// Stores the reply as `queued` and enqueues its sending, in one transaction.
///
/// # Errors
/// 404 (conversation of another company, unknown quoted message), `validation_failed` with the
/// field, 409 `window_closed` (free-form message after 24 h), 409 `conflict` (connection removed).
#[tracing::instrument(skip_all, fields(company_id = %auth.company_id(), %conversation_id))]
pub async fn send(
    state: &AppState,
    auth: &AuthUser,
    conversation_id: Uuid,
    req: SendMessageRequest,
) -> AppResult<MessageDto> {
    let tenant = auth.tenant();
    let txn = state.db.begin().await?;
    let conversation = tenant
        .select_by_id::<conversations::Entity>(conversation_id)
        .one(&txn)
        .await?
        .ok_or_else(AppError::not_found)?;
    let connection = connections::Entity::find_by_id(conversation.connection_id)
        .one(&txn)
        .await?
        .filter(|c| c.deleted_at.is_none())
        .ok_or_else(|| {
            AppError::new(
                ErrorCode::Conflict,
                "This conversation's connection was removed; reply from another number.",
            )
        })?;
    let (kind, text) = check(&req)?;
    ensure_window_allows(&conversation, kind)?;
    if let Some(template) = &req.template {
        templates::domain::check_send(&txn, tenant, connection.id, template).await?;
    }
    let mut payload = serde_json::to_value(&req).map_err(AppError::internal)?;
    // Quotes and reactions point at our ids; the provider needs its own.
    let reply_to = match req.reply_to {
        Some(id) => Some(provider_id_in(&txn, conversation.id, id, "reply_to").await?),
        None => None,
    };
    if let Some(reaction) = &req.reaction {
        let target =
            provider_id_in(&txn, conversation.id, reaction.message_id, "reaction.message_id")
                .await?;
        payload["reaction"]["provider_message_id"] = json!(target);
    }

    // A file uploaded here for this reply: the thread shows our copy.
    if let Some(media_id) = req.media.as_ref().and_then(|m| m.media_id.as_deref()) {
        let key = MediaStore::upload_key(tenant.company_id(), media_id);
        let mime_type =
            state.media.get(&format!("{key}.type")).await.map_err(AppError::internal)?;
        if let Some(mime_type) = mime_type {
            let mime_type = String::from_utf8_lossy(&mime_type).into_owned();
            payload["stored"] = json!({"key": key, "mime_type": mime_type});
        }
    }

    let persona_stopped = super::manage::stop_persona_for_reply(&txn, auth, &conversation).await?;
    let (row, conversation) = queue_outbound(
        &txn,
        conversation,
        Outbound { kind, text, payload, reply_to, sent_by_user_id: Some(auth.user_id) },
    )
    .await?;
    txn.commit().await?;
    state.jobs.notify();

    if let Some(line) = persona_stopped {
        state.events.publish(
            tenant.company_id(),
            ServerEvent::MessageCreated { message: Box::new(message_dto(&line)) },
        );
    }
    let dto = message_dto(&row);
    state.events.publish(
        tenant.company_id(),
        ServerEvent::MessageCreated { message: Box::new(dto.clone()) },
    );
    if let Ok(view) = conversation_view(&state.db, tenant, conversation.id).await {
        state.events.publish(
            tenant.company_id(),
            ServerEvent::ConversationUpdated { conversation: Box::new(view) },
        );
    }
    Ok(dto)
}

/// An outbound message about to be queued: what [`queue_outbound`] stores.
pub(crate) struct Outbound {
    pub kind: &'static str,
    pub text: Option<String>,
    pub payload: serde_json::Value,
    pub reply_to: Option<String>,
    /// The teammate who wrote it; `None` for automatic replies (an AI persona).
    pub sent_by_user_id: Option<Uuid>,
}

/// Stores an outbound message as `queued`, moves the thread on (preview, activity time) and
/// enqueues its sending — all in the caller's transaction, so the message exists exactly when
/// its sending does. Checks (window, template, quoted ids) are the caller's.
///
/// # Errors
/// Database errors.
pub(crate) async fn queue_outbound(
    txn: &sea_orm::DatabaseTransaction,
    conversation: conversations::Model,
    outbound: Outbound,
) -> AppResult<(messages::Model, conversations::Model)> {
    let now = db::now();
    let message_id = Uuid::now_v7();
    let Outbound { kind, text, payload, reply_to, sent_by_user_id } = outbound;
    let row = messages::ActiveModel {
        id: Set(message_id),
        company_id: Set(conversation.company_id),
        conversation_id: Set(conversation.id),
        connection_id: Set(conversation.connection_id),
        contact_id: Set(conversation.contact_id),
        direction: Set("out".to_owned()),
        kind: Set(kind.to_owned()),
        text: Set(text.clone()),
        payload: Set(payload),
        provider_message_id: Set(None),
        reply_to_provider_id: Set(reply_to),
        status: Set("queued".to_owned()),
        error_code: Set(None),
        error_message: Set(None),
        sent_by_user_id: Set(sent_by_user_id),
        send_attempts: Set(0),
        attempt_started_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        edited_at: Set(None),
        revoked_at: Set(None),
    }
    .insert(txn)
    .await?;
    let company_id = conversation.company_id;
    let mut active: conversations::ActiveModel = conversation.into();
    active.last_message_at = Set(now);
    active.last_message_preview =
        Set(Some(text.unwrap_or_else(|| format!("[{kind}]")).chars().take(200).collect()));
    active.updated_at = Set(now);
    let conversation = active.update(txn).await?;
    enqueue_send(txn, company_id, message_id).await?;
    Ok((row, conversation))
}

/// Queues a message nobody typed (an automation rule's reply): checked like a teammate's —
/// content, the 24-hour window, the template — and marked with `marker` in its payload so the
/// thread can say where it came from. The persona answering the conversation (if any) goes on.
///
/// # Errors
/// `validation_failed`, 409 `window_closed`, 409 `conflict` (the number was removed).
pub(crate) async fn queue_automatic(
    txn: &sea_orm::DatabaseTransaction,
    conversation: conversations::Model,
    req: SendMessageRequest,
    marker: (&str, serde_json::Value),
) -> AppResult<(messages::Model, conversations::Model)> {
    let tenant = crate::db::Tenant::new(conversation.company_id);
    let connection = connections::Entity::find_by_id(conversation.connection_id)
        .one(txn)
        .await?
        .filter(|c| c.deleted_at.is_none())
        .ok_or_else(|| {
            AppError::new(ErrorCode::Conflict, "The conversation's number was removed.")
        })?;
    let (kind, text) = check(&req)?;
    ensure_window_allows(&conversation, kind)?;
    if let Some(template) = &req.template {
        templates::domain::check_send(txn, tenant, connection.id, template).await?;
    }
    let mut payload = serde_json::to_value(&req).map_err(AppError::internal)?;
    payload[marker.0] = marker.1;
    queue_outbound(
        txn,
        conversation,
        Outbound { kind, text, payload, reply_to: None, sent_by_user_id: None },
    )
    .await
}

/// Sends a failed outbound message again (the agent decided it is safe).
///
/// # Errors
/// 404, 409 `conflict` unless the message is an outbound one that failed, 409 `window_closed`.
#[tracing::instrument(skip_all, fields(company_id = %auth.company_id(), %message_id))]
pub async fn retry(
    state: &AppState,
    auth: &AuthUser,
    conversation_id: Uuid,
    message_id: Uuid,
) -> AppResult<MessageDto> {
    let tenant = auth.tenant();
    let txn = state.db.begin().await?;
    let message = tenant
        .select_by_id::<messages::Entity>(message_id)
        .filter(messages::Column::ConversationId.eq(conversation_id))
        .one(&txn)
        .await?
        .ok_or_else(AppError::not_found)?;
    if message.direction != "out" || message.status != "failed" {
        return Err(AppError::new(
            ErrorCode::Conflict,
            "Only a failed outgoing message can be sent again.",
        ));
    }
    let conversation = tenant
        .select_by_id::<conversations::Entity>(conversation_id)
        .one(&txn)
        .await?
        .ok_or_else(AppError::not_found)?;
    ensure_window_allows(&conversation, &message.kind)?;
    let mut active: messages::ActiveModel = message.into();
    active.status = Set("queued".to_owned());
    active.error_code = Set(None);
    active.error_message = Set(None);
    active.attempt_started_at = Set(None);
    active.provider_message_id = Set(None);
    active.updated_at = Set(db::now());
    let row = active.update(&txn).await?;
    enqueue_send(&txn, tenant.company_id(), message_id).await?;
    txn.commit().await?;
    state.jobs.notify();
    let dto = message_dto(&row);
    state.events.publish(
        tenant.company_id(),
        ServerEvent::MessageUpdated { message: Box::new(dto.clone()) },
    );
    Ok(dto)
}

/// Outside WhatsApp's 24-hour service window only a template may go out.
fn ensure_window_allows(conversation: &conversations::Model, kind: &str) -> AppResult<()> {
    if kind != "template" && window_closes_at(conversation).is_none_or(|at| at <= Utc::now()) {
        return Err(AppError::new(
            ErrorCode::WindowClosed,
            "More than 24 hours passed since the customer last wrote (or they never did): \
             only an approved template can be sent now.",
        ));
    }
    Ok(())
}

async fn enqueue_send<C: sea_orm::ConnectionTrait>(
    conn: &C,
    company_id: Uuid,
    message_id: Uuid,
) -> AppResult<()> {
    let mut job =
        NewJob::new(SEND_MESSAGE_JOB, json!(SendMessage { message_id })).for_company(company_id);
    job.max_attempts = SEND_ATTEMPTS;
    jobs::enqueue(conn, job).await?;
    Ok(())
}

/// The provider id of a message of this conversation (for quotes and reactions).
async fn provider_id_in<C: sea_orm::ConnectionTrait>(
    conn: &C,
    conversation_id: Uuid,
    message_id: Uuid,
    field: &str,
) -> AppResult<String> {
    messages::Entity::find_by_id(message_id)
        .filter(messages::Column::ConversationId.eq(conversation_id))
        .one(conn)
        .await?
        .and_then(|m| m.provider_message_id)
        .ok_or_else(|| {
            AppError::field(
                field,
                "That message is not in this conversation (or was never delivered).",
            )
        })
}

/// The message's kind and the text shown in the thread, or why the request cannot be sent.
fn check(req: &SendMessageRequest) -> AppResult<(&'static str, Option<String>)> {
    let given = [
        req.text.is_some(),
        req.media.is_some(),
        req.template.is_some(),
        req.interactive.is_some(),
        req.reaction.is_some(),
    ]
    .iter()
    .filter(|g| **g)
    .count();
    if given != 1 {
        return Err(AppError::field(
            "text",
            "Send exactly one of text, media, template, interactive or reaction.",
        ));
    }
    if let Some(text) = &req.text {
        let text = text.trim();
        if text.is_empty() {
            return Err(AppError::field("text", "Write a message."));
        }
        limit("text", text, 4096)?;
        return Ok(("text", Some(text.to_owned())));
    }
    if let Some(media) = &req.media {
        check_media(media)?;
        return Ok((media.kind.as_str(), media.caption.clone().or_else(|| media.filename.clone())));
    }
    if let Some(template) = &req.template {
        check_template(template)?;
        return Ok((
            "template",
            Some(format!("Template {} ({})", template.name, template.language)),
        ));
    }
    if let Some(interactive) = &req.interactive {
        limit("interactive.body", &interactive.body, 1024)?;
        if interactive.body.trim().is_empty() {
            return Err(AppError::field("interactive.body", "Write the message text."));
        }
        if let Some(header) = &interactive.header {
            limit("interactive.header", header, 60)?;
        }
        if let Some(footer) = &interactive.footer {
            limit("interactive.footer", footer, 60)?;
        }
        match &interactive.list {
            Some(list) => {
                limit("interactive.list.button", &list.button, 20)?;
                let rows: usize = list.sections.iter().map(|s| s.rows.len()).sum();
                if list.sections.is_empty() || list.sections.len() > 10 || rows == 0 || rows > 10 {
                    return Err(AppError::field(
                        "interactive.list",
                        "A list holds 1 to 10 rows in up to 10 sections.",
                    ));
                }
                for section in &list.sections {
                    limit("interactive.list.sections.title", &section.title, 24)?;
                    for row in &section.rows {
                        choice("interactive.list.rows", &row.id, &row.title, 24)?;
                        if let Some(description) = &row.description {
                            limit("interactive.list.rows.description", description, 72)?;
                        }
                    }
                }
            }
            None => {
                if interactive.buttons.is_empty() || interactive.buttons.len() > 3 {
                    return Err(AppError::field(
                        "interactive.buttons",
                        "Give 1 to 3 reply buttons (or a list).",
                    ));
                }
                for button in &interactive.buttons {
                    choice("interactive.buttons", &button.id, &button.title, 20)?;
                }
            }
        }
        return Ok(("interactive", Some(interactive.body.trim().to_owned())));
    }
    let reaction = req.reaction.as_ref().ok_or_else(|| AppError::internal("no content"))?;
    if reaction.emoji.chars().count() > 8 {
        return Err(AppError::field(
            "reaction.emoji",
            "React with one emoji (or nothing to remove it).",
        ));
    }
    Ok(("reaction", Some(reaction.emoji.clone()).filter(|e| !e.is_empty())))
}

fn check_media(media: &MediaSend) -> AppResult<()> {
    match (&media.link, &media.media_id) {
        (Some(link), None) => {
            let parsed = url::Url::parse(link.trim())
                .map_err(|_| AppError::field("media.link", "The link is not a URL."))?;
            if !matches!(parsed.scheme(), "https" | "http") {
                return Err(AppError::field("media.link", "The link must start with https://."));
            }
        }
        (None, Some(id)) if !id.trim().is_empty() => {}
        _ => return Err(AppError::field("media", "Give either a link or a media_id.")),
    }
    if let Some(caption) = &media.caption {
        limit("media.caption", caption, 1024)?;
    }
    if let Some(filename) = &media.filename {
        limit("media.filename", filename, 240)?;
    }
    Ok(())
}

fn check_template(template: &TemplateSend) -> AppResult<()> {
    let name = template.name.trim();
    if name.is_empty()
        || name.len() > 512
        || !name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        return Err(AppError::field(
            "template.name",
            "Template names are lower-case letters, digits and _.",
        ));
    }
    let language = template.language.trim();
    if language.is_empty() || language.len() > 16 {
        return Err(AppError::field(
            "template.language",
            "Give the template's language code, e.g. pt_BR.",
        ));
    }
    for (n, value) in template.body.iter().enumerate() {
        // Meta refuses empty parameters, new lines, tabs and long runs of spaces (132018).
        if value.trim().is_empty() || value.contains(['\n', '\t']) || value.contains("     ") {
            return Err(AppError::field(
                "template.body",
                format!("Variable {{{{{}}}}} must be non-empty, on one line, without tabs.", n + 1),
            ));
        }
        limit("template.body", value, 1024)?;
    }
    for button in &template.buttons {
        if !matches!(button.sub_type.as_str(), "url" | "quick_reply") || button.index > 9 {
            return Err(AppError::field(
                "template.buttons",
                "Buttons are url or quick_reply, index 0 to 9.",
            ));
        }
        limit("template.buttons", &button.value, 2000)?;
    }
    Ok(())
}

fn choice(field: &str, id: &str, title: &str, max_title: usize) -> AppResult<()> {
    if id.trim().is_empty() || title.trim().is_empty() {
        return Err(AppError::field(field, "Every option needs an id and a title."));
    }
    limit(field, id, 256)?;
    limit(field, title, max_title)
}

fn limit(field: &str, value: &str, max: usize) -> AppResult<()> {
    if value.chars().count() > max {
        return Err(AppError::field(field, format!("Keep it to {max} characters.")));
    }
    Ok(())
}

/// Performs `message.send` jobs.
pub struct SendMessageHandler {
    pub db: DatabaseConnection,
    pub events: EventBus,
    pub graph: GraphClient,
    pub keyring: Arc<Keyring>,
}

impl JobHandler for SendMessageHandler {
    fn kind(&self) -> &'static str {
        SEND_MESSAGE_JOB
    }

    fn perform(&self, job: Job) -> JobFuture {
        let db = self.db.clone();
        let events = self.events.clone();
        let graph = self.graph.clone();
        let keyring = self.keyring.clone();
        Box::pin(async move {
            let SendMessage { message_id } =
                serde_json::from_value(job.payload.clone()).map_err(|e| {
                    JobError::Permanent(anyhow::anyhow!("bad message.send payload: {e}"))
                })?;
            let last_attempt = job.attempts >= job.max_attempts;
            deliver(&db, &events, &graph, &keyring, message_id, last_attempt).await
        })
    }
}

async fn deliver(
    db: &DatabaseConnection,
    events: &EventBus,
    graph: &GraphClient,
    keyring: &Keyring,
    message_id: Uuid,
    last_attempt: bool,
) -> Result<(), JobError> {
    let Some(message) = messages::Entity::find_by_id(message_id).one(db).await? else {
        return Ok(()); // deleted with its conversation
    };
    if message.status != "queued" {
        return Ok(()); // already sent (a re-run after the outcome was recorded)
    }
    if message.attempt_started_at.is_some() {
        let updated = fail(
            db,
            message,
            None,
            "Sending was interrupted and Meta's answer was lost: the message may or may not have \
             been delivered. Check with the customer before sending it again."
                .to_owned(),
        )
        .await?;
        events.publish(
            updated.company_id,
            ServerEvent::MessageUpdated { message: Box::new(message_dto(&updated)) },
        );
        return Ok(());
    }
    let connection = connections::Entity::find_by_id(message.connection_id)
        .one(db)
        .await?
        .ok_or_else(|| JobError::Permanent(anyhow::anyhow!("connection gone")))?;
    let contact = contacts::Entity::find_by_id(message.contact_id)
        .one(db)
        .await?
        .ok_or_else(|| JobError::Permanent(anyhow::anyhow!("contact gone")))?;
    let outgoing = match outgoing(&message, &contact) {
        Ok(outgoing) => outgoing,
        Err(reason) => {
            let updated = fail(db, message, None, reason).await?;
            events.publish(
                updated.company_id,
                ServerEvent::MessageUpdated { message: Box::new(message_dto(&updated)) },
            );
            return Ok(());
        }
    };
    let credentials = cloud_credentials(keyring, &connection).map_err(|e| {
        JobError::Permanent(anyhow::anyhow!("cannot open the connection's secrets: {e:?}"))
    })?;
    let channel = CloudChannel { client: graph.clone(), credentials };

    // The claim: from here until the outcome is written, a crash leaves "outcome unknown".
    let mut claim: messages::ActiveModel = message.clone().into();
    claim.attempt_started_at = Set(Some(db::now()));
    claim.send_attempts = Set(message.send_attempts + 1);
    let message = claim.update(db).await?;

    let result = channel.send(&outgoing).await;
    let company_id = message.company_id;
    match result {
        Ok(receipt) => {
            let updated = sent(db, message, receipt.provider_message_id).await?;
            events.publish(
                company_id,
                ServerEvent::MessageUpdated { message: Box::new(message_dto(&updated)) },
            );
            metrics::counter!("master_ia_messages_sent_total", "channel" => "whatsapp_cloud")
                .increment(1);
            Ok(())
        }
        Err(err) if matches!(err.retry, Retry::AfterBackoff | Retry::Yes) && !last_attempt => {
            // Keep it queued with the reason visible; the runtime retries with backoff.
            let mut active: messages::ActiveModel = message.into();
            active.attempt_started_at = Set(None);
            active.error_code = Set(err.code.and_then(|c| i32::try_from(c).ok()));
            active.error_message = Set(Some(err.message.clone()));
            active.updated_at = Set(db::now());
            active.update(db).await?;
            Err(JobError::Retry(anyhow::anyhow!("send failed, will retry: {}", err.message)))
        }
        Err(err) => {
            let updated =
                fail(db, message, err.code.and_then(|c| i32::try_from(c).ok()), err.message)
                    .await?;
            events.publish(
                company_id,
                ServerEvent::MessageUpdated { message: Box::new(message_dto(&updated)) },
            );
            Ok(())
        }
    }
}

/// The provider accepted it: store its id, then apply any status that raced ahead of us.
async fn sent(
    db: &DatabaseConnection,
    message: messages::Model,
    provider_id: String,
) -> Result<messages::Model, JobError> {
    let earlier = message_status_events::Entity::find()
        .filter(message_status_events::Column::ConnectionId.eq(message.connection_id))
        .filter(message_status_events::Column::ProviderMessageId.eq(provider_id.as_str()))
        .order_by_asc(message_status_events::Column::OccurredAt)
        .all(db)
        .await?;
    let mut status = "sent".to_owned();
    let (mut error_code, mut error_message) = (None, None);
    for event in earlier {
        if status_moves_forward(&status, &event.status) {
            status = event.status.clone();
            if event.status == "failed" {
                error_code = event.error_code;
                error_message = event.error_message.clone();
            }
        }
    }
    let mut active: messages::ActiveModel = message.into();
    active.provider_message_id = Set(Some(provider_id));
    active.status = Set(status);
    active.error_code = Set(error_code);
    active.error_message = Set(error_message);
    active.attempt_started_at = Set(None);
    active.updated_at = Set(db::now());
    Ok(active.update(db).await?)
}

async fn fail(
    db: &DatabaseConnection,
    message: messages::Model,
    code: Option<i32>,
    reason: String,
) -> Result<messages::Model, JobError> {
    tracing::info!(message_id = %message.id, ?code, %reason, "message failed");
    let mut active: messages::ActiveModel = message.into();
    active.status = Set("failed".to_owned());
    active.error_code = Set(code);
    active.error_message = Set(Some(reason));
    active.attempt_started_at = Set(None);
    active.updated_at = Set(db::now());
    Ok(active.update(db).await?)
}

/// Rebuilds the provider-neutral message from what `send` stored.
fn outgoing(message: &messages::Model, contact: &contacts::Model) -> Result<Outgoing, String> {
    if contact.erased_at.is_some() || contact.phone.is_empty() {
        return Err("The contact's data was erased; nothing can be sent to them.".to_owned());
    }
    let req: SendMessageRequest = serde_json::from_value(message.payload.clone())
        .map_err(|e| format!("The stored message cannot be read: {e}"))?;
    let content = if let Some(text) = req.text {
        Content::Text { body: text.trim().to_owned() }
    } else if let Some(media) = req.media {
        let source = match (media.media_id, media.link) {
            (Some(id), _) => MediaSource::Id(id),
            (None, Some(link)) => MediaSource::Link(link),
            (None, None) => return Err("The media has neither an id nor a link.".to_owned()),
        };
        Content::Media {
            kind: media.kind,
            source,
            caption: media.caption,
            filename: media.filename,
        }
    } else if let Some(template) = req.template {
        Content::Template(template)
    } else if let Some(interactive) = req.interactive {
        Content::Interactive(interactive)
    } else if let Some(reaction) = req.reaction {
        let target = message.payload["reaction"]["provider_message_id"]
            .as_str()
            .ok_or("The reacted message has no WhatsApp id.")?;
        Content::Reaction { provider_message_id: target.to_owned(), emoji: reaction.emoji }
    } else {
        return Err("The stored message has no content.".to_owned());
    };
    Ok(Outgoing {
        to: contact.phone.clone(),
        content,
        reply_to: message.reply_to_provider_id.clone(),
        tracker: None,
    })
}

pub const MARK_READ_JOB: &str = "message.mark_read";

/// The agent opened the conversation: unread count to zero, and blue ticks for the customer's
/// latest message (sent by a job; a failure there never bothers the agent).
///
/// # Errors
/// 404 for a conversation of another company.
#[tracing::instrument(skip_all, fields(company_id = %auth.company_id(), %conversation_id))]
pub async fn mark_read(state: &AppState, auth: &AuthUser, conversation_id: Uuid) -> AppResult<()> {
    let tenant = auth.tenant();
    let txn = state.db.begin().await?;
    let conversation = tenant
        .select_by_id::<conversations::Entity>(conversation_id)
        .one(&txn)
        .await?
        .ok_or_else(AppError::not_found)?;
    if conversation.unread_count == 0 {
        return Ok(());
    }
    let latest_inbound = tenant
        .select::<messages::Entity>()
        .filter(messages::Column::ConversationId.eq(conversation.id))
        .filter(messages::Column::Direction.eq("in"))
        .order_by_desc(messages::Column::CreatedAt)
        .one(&txn)
        .await?;
    let mut active: conversations::ActiveModel = conversation.into();
    active.unread_count = Set(0);
    active.updated_at = Set(db::now());
    let conversation = active.update(&txn).await?;
    if let Some(message) = latest_inbound.filter(|m| m.provider_message_id.is_some()) {
        let receipt = ReadReceipt { message_id: message.id, typing: false };
        let mut job = NewJob::new(MARK_READ_JOB, json!(receipt)).for_company(tenant.company_id());
        job.max_attempts = 2;
        jobs::enqueue(&txn, job).await?;
    }
    txn.commit().await?;
    state.jobs.notify();
    if let Ok(view) = conversation_view(&state.db, tenant, conversation.id).await {
        state.events.publish(
            tenant.company_id(),
            ServerEvent::ConversationUpdated { conversation: Box::new(view) },
        );
    }
    Ok(())
}

/// The payload of `message.mark_read` jobs.
#[derive(Debug, Serialize, Deserialize)]
pub struct ReadReceipt {
    pub message_id: Uuid,
    /// Also show the customer that an agent is typing.
    #[serde(default)]
    pub typing: bool,
}

/// An agent is writing a reply: the customer sees "typing…" (and blue ticks) on WhatsApp.
/// Coalesced: while one such signal waits to be sent, more add nothing. Outside the 24-hour
/// window, or before the customer ever wrote, there is nothing to show and nothing is sent.
///
/// # Errors
/// 404 for a conversation of another company.
#[tracing::instrument(skip_all, fields(company_id = %auth.company_id(), %conversation_id))]
pub async fn typing(state: &AppState, auth: &AuthUser, conversation_id: Uuid) -> AppResult<()> {
    let tenant = auth.tenant();
    let conversation = tenant
        .select_by_id::<conversations::Entity>(conversation_id)
        .one(&state.db)
        .await?
        .ok_or_else(AppError::not_found)?;
    if window_closes_at(&conversation).is_none_or(|closes| closes <= db::now()) {
        return Ok(());
    }
    let latest_inbound = tenant
        .select::<messages::Entity>()
        .filter(messages::Column::ConversationId.eq(conversation.id))
        .filter(messages::Column::Direction.eq("in"))
        .filter(messages::Column::ProviderMessageId.is_not_null())
        .order_by_desc(messages::Column::CreatedAt)
        .one(&state.db)
        .await?;
    let Some(message) = latest_inbound else { return Ok(()) };
    let receipt = ReadReceipt { message_id: message.id, typing: true };
    let mut job = NewJob::new(MARK_READ_JOB, json!(receipt)).for_company(tenant.company_id());
    job.unique_key = Some(format!("typing:{}", conversation.id));
    job.max_attempts = 1;
    jobs::enqueue(&state.db, job).await?;
    state.jobs.notify();
    Ok(())
}

/// Performs `message.mark_read` jobs.
pub struct MarkReadHandler {
    pub db: DatabaseConnection,
    pub graph: GraphClient,
    pub keyring: Arc<Keyring>,
}

impl JobHandler for MarkReadHandler {
    fn kind(&self) -> &'static str {
        MARK_READ_JOB
    }

    fn perform(&self, job: Job) -> JobFuture {
        let (db, graph, keyring) = (self.db.clone(), self.graph.clone(), self.keyring.clone());
        Box::pin(async move {
            let ReadReceipt { message_id, typing } =
                serde_json::from_value(job.payload).map_err(|e| {
                    JobError::Permanent(anyhow::anyhow!("bad message.mark_read payload: {e}"))
                })?;
            let Some(message) = messages::Entity::find_by_id(message_id).one(&db).await? else {
                return Ok(());
            };
            let Some(provider_id) = message.provider_message_id.clone() else {
                return Ok(());
            };
            let Some(connection) = connections::Entity::find_by_id(message.connection_id)
                .one(&db)
                .await?
                .filter(|c| c.deleted_at.is_none())
            else {
                return Ok(());
            };
            let credentials = cloud_credentials(&keyring, &connection)
                .map_err(|e| JobError::Permanent(anyhow::anyhow!("secrets: {e:?}")))?;
            let channel = CloudChannel { client: graph, credentials };
            match channel.mark_read(&provider_id, typing).await {
                Ok(()) => Ok(()),
                Err(err) if matches!(err.retry, Retry::No | Retry::Unknown) => {
                    tracing::info!(%message_id, error = %err, "read receipt refused");
                    Ok(())
                }
                Err(err) => Err(JobError::Retry(anyhow::anyhow!("read receipt: {err}"))),
            }
        })
    }
}
