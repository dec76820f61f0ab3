//! REST handlers for `/api/v1/conversations`.

use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
};
use shared::api::{
    CannedReplyDto, CannedReplyRequest, ConversationDto, MessageDto, NoteRequest, Page,
    SendMessageRequest, UpdateConversationRequest,
};
use uuid::Uuid;

use super::{
    canned,
    domain::{self, ConversationFilter, MessagePage},
    manage, send,
};
use crate::{
    auth::AuthUser,
    error::{AppJson, AppResult},
    state::AppState,
};

/// Conversations, most recent activity first.
#[utoipa::path(get, path = "/api/v1/conversations", tag = "inbox", params(ConversationFilter),
    responses((status = 200, body = Page<ConversationDto>), (status = 400, body = shared::ApiErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    auth: AuthUser,
    Query(filter): Query<ConversationFilter>,
) -> AppResult<AppJson<Page<ConversationDto>>> {
    Ok(AppJson(domain::list_conversations(&state, &auth, &filter).await?))
}

/// One conversation.
#[utoipa::path(get, path = "/api/v1/conversations/{id}", tag = "inbox",
    responses((status = 200, body = ConversationDto), (status = 404, body = shared::ApiErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<Uuid>,
) -> AppResult<AppJson<ConversationDto>> {
    Ok(AppJson(domain::get_conversation(&state, &auth, id).await?))
}

/// The thread: the newest page first (oldest message first within it); `next_cursor` reaches
/// older messages.
#[utoipa::path(get, path = "/api/v1/conversations/{id}/messages", tag = "inbox", params(MessagePage),
    responses((status = 200, body = Page<MessageDto>), (status = 404, body = shared::ApiErrorBody)))]
pub async fn messages(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<Uuid>,
    Query(page): Query<MessagePage>,
) -> AppResult<AppJson<Page<MessageDto>>> {
    Ok(AppJson(domain::list_messages(&state, &auth, id, &page).await?))
}

/// Reply: text, media, a template, reply buttons or a list, or a reaction. Stored as `queued`
/// and sent in the background; `message.updated` events follow it (sent, delivered, read, or
/// failed with the reason). Outside the 24-hour window only a template is accepted.
#[utoipa::path(post, path = "/api/v1/conversations/{id}/messages", tag = "inbox", request_body = SendMessageRequest,
    responses((status = 201, body = MessageDto), (status = 400, body = shared::ApiErrorBody),
        (status = 404, body = shared::ApiErrorBody), (status = 409, body = shared::ApiErrorBody)))]
pub async fn send_message(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<Uuid>,
    AppJson(body): AppJson<SendMessageRequest>,
) -> AppResult<(StatusCode, AppJson<MessageDto>)> {
    Ok((StatusCode::CREATED, AppJson(send::send(&state, &auth, id, body).await?)))
}

/// Send a failed outgoing message again.
#[utoipa::path(post, path = "/api/v1/conversations/{id}/messages/{message_id}/retry", tag = "inbox",
    responses((status = 200, body = MessageDto), (status = 404, body = shared::ApiErrorBody),
        (status = 409, body = shared::ApiErrorBody)))]
pub async fn retry_message(
    State(state): State<AppState>,
    auth: AuthUser,
    Path((id, message_id)): Path<(Uuid, Uuid)>,
) -> AppResult<AppJson<MessageDto>> {
    Ok(AppJson(send::retry(&state, &auth, id, message_id).await?))
}

/// The agent read the conversation: its unread count goes to zero and the customer's latest
/// message gets read ticks on WhatsApp.
#[utoipa::path(post, path = "/api/v1/conversations/{id}/read", tag = "inbox",
    responses((status = 204), (status = 404, body = shared::ApiErrorBody)))]
pub async fn mark_read(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<Uuid>,
) -> AppResult<StatusCode> {
    send::mark_read(&state, &auth, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An agent is typing a reply: the customer sees "typing…" on WhatsApp (sent in the
/// background, coalesced; nothing outside the 24-hour window).
#[utoipa::path(post, path = "/api/v1/conversations/{id}/typing", tag = "inbox",
    responses((status = 204), (status = 404, body = shared::ApiErrorBody)))]
pub async fn typing(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<Uuid>,
) -> AppResult<StatusCode> {
    send::typing(&state, &auth, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Change the status (with `snoozed_until` to snooze), the assignee (`null` unassigns) or the
/// labels. Each change is an activity line in the thread, broadcast to the team.
#[utoipa::path(patch, path = "/api/v1/conversations/{id}", tag = "inbox", request_body = UpdateConversationRequest,
    responses((status = 200, body = ConversationDto), (status = 400, body = shared::ApiErrorBody),
        (status = 404, body = shared::ApiErrorBody), (status = 409, body = shared::ApiErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<Uuid>,
    AppJson(body): AppJson<UpdateConversationRequest>,
) -> AppResult<AppJson<ConversationDto>> {
    Ok(AppJson(manage::update(&state, &auth, id, body).await?))
}

/// Take the conversation. 409 `conversation_taken` (naming who) when a teammate has it.
#[utoipa::path(post, path = "/api/v1/conversations/{id}/claim", tag = "inbox",
    responses((status = 200, body = ConversationDto), (status = 404, body = shared::ApiErrorBody),
        (status = 409, body = shared::ApiErrorBody)))]
pub async fn claim(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<Uuid>,
) -> AppResult<AppJson<ConversationDto>> {
    Ok(AppJson(manage::claim(&state, &auth, id).await?))
}

/// A private note for the team (direction `internal`, kind `note`); never sent to the customer.
#[utoipa::path(post, path = "/api/v1/conversations/{id}/notes", tag = "inbox", request_body = NoteRequest,
    responses((status = 201, body = MessageDto), (status = 400, body = shared::ApiErrorBody),
        (status = 404, body = shared::ApiErrorBody)))]
pub async fn add_note(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<Uuid>,
    AppJson(body): AppJson<NoteRequest>,
) -> AppResult<(StatusCode, AppJson<MessageDto>)> {
    Ok((StatusCode::CREATED, AppJson(manage::add_note(&state, &auth, id, &body.text).await?)))
}

/// `GET /api/v1/canned-replies?q=` filter: shortcuts starting with `q`.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
pub struct CannedFilter {
    pub q: Option<String>,
}

/// The team's canned replies, by shortcut.
#[utoipa::path(get, path = "/api/v1/canned-replies", tag = "inbox", params(CannedFilter),
    responses((status = 200, body = Page<CannedReplyDto>)))]
pub async fn list_canned(
    State(state): State<AppState>,
    auth: AuthUser,
    Query(filter): Query<CannedFilter>,
) -> AppResult<AppJson<Page<CannedReplyDto>>> {
    let items = canned::list(&state, &auth, filter.q.as_deref()).await?;
    Ok(AppJson(Page { items, next_cursor: None }))
}

/// Save an answer under a shortcut (owners and admins).
#[utoipa::path(post, path = "/api/v1/canned-replies", tag = "inbox", request_body = CannedReplyRequest,
    responses((status = 201, body = CannedReplyDto), (status = 400, body = shared::ApiErrorBody),
        (status = 403, body = shared::ApiErrorBody), (status = 409, body = shared::ApiErrorBody)))]
pub async fn create_canned(
    State(state): State<AppState>,
    auth: AuthUser,
    AppJson(body): AppJson<CannedReplyRequest>,
) -> AppResult<(StatusCode, AppJson<CannedReplyDto>)> {
    Ok((StatusCode::CREATED, AppJson(canned::create(&state, &auth, body).await?)))
}

/// Change a canned reply (owners and admins).
#[utoipa::path(patch, path = "/api/v1/canned-replies/{id}", tag = "inbox", request_body = CannedReplyRequest,
    responses((status = 200, body = CannedReplyDto), (status = 400, body = shared::ApiErrorBody),
        (status = 403, body = shared::ApiErrorBody), (status = 404, body = shared::ApiErrorBody),
        (status = 409, body = shared::ApiErrorBody)))]
pub async fn update_canned(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<Uuid>,
    AppJson(body): AppJson<CannedReplyRequest>,
) -> AppResult<AppJson<CannedReplyDto>> {
    Ok(AppJson(canned::update(&state, &auth, id, body).await?))
}

/// Delete a canned reply (owners and admins).
#[utoipa::path(delete, path = "/api/v1/canned-replies/{id}", tag = "inbox",
    responses((status = 204), (status = 403, body = shared::ApiErrorBody), (status = 404, body = shared::ApiErrorBody)))]
pub async fn delete_canned(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<Uuid>,
) -> AppResult<StatusCode> {
    canned::delete(&state, &auth, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
