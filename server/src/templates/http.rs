//! REST handlers for `/api/v1/connections/{id}/templates`.

use axum::{
    extract::{Path, State},
    http::StatusCode,
};
use shared::api::{CreateTemplateRequest, Page, TemplateDto, TemplateSyncResult};
use uuid::Uuid;

use super::domain;
use crate::{
    auth::AuthUser,
    error::{AppJson, AppResult},
    state::AppState,
};

/// The connection's templates as last synced (`{items: [...]}`, one page).
#[utoipa::path(get, path = "/api/v1/connections/{id}/templates", tag = "templates",
    responses((status = 200, body = Page<TemplateDto>), (status = 404, body = shared::ApiErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<Uuid>,
) -> AppResult<AppJson<Page<TemplateDto>>> {
    let items = domain::list(&state, &auth, id).await?;
    Ok(AppJson(Page { items, next_cursor: None }))
}

/// Read every template from Meta now (also done hourly).
#[utoipa::path(post, path = "/api/v1/connections/{id}/templates/sync", tag = "templates",
    responses((status = 200, body = TemplateSyncResult), (status = 404, body = shared::ApiErrorBody),
        (status = 502, body = shared::ApiErrorBody)))]
pub async fn sync(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<Uuid>,
) -> AppResult<AppJson<TemplateSyncResult>> {
    Ok(AppJson(domain::sync(&state, &auth, id).await?))
}

/// Submit a new template to Meta for review (owners and admins).
#[utoipa::path(post, path = "/api/v1/connections/{id}/templates", tag = "templates", request_body = CreateTemplateRequest,
    responses((status = 201, body = TemplateDto), (status = 400, body = shared::ApiErrorBody),
        (status = 403, body = shared::ApiErrorBody), (status = 404, body = shared::ApiErrorBody),
        (status = 409, body = shared::ApiErrorBody), (status = 502, body = shared::ApiErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<Uuid>,
    AppJson(body): AppJson<CreateTemplateRequest>,
) -> AppResult<(StatusCode, AppJson<TemplateDto>)> {
    Ok((StatusCode::CREATED, AppJson(domain::create(&state, &auth, id, body).await?)))
}
