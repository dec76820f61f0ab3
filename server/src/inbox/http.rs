//! REST handlers for `/api/v1/conversations`.

use axum::extract::{Path, Query, State};
use shared::api::{ConversationDto, MessageDto, Page};
use uuid::Uuid;

use super::domain::{self, ConversationFilter, MessagePage};
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
