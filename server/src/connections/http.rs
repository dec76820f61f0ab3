//! REST handlers for `/api/v1/connections`.

use axum::{
    extract::{Path, State},
    http::StatusCode,
};
use shared::api::{
    ConnectionDto, ConnectionTestResult, CreateConnectionRequest, UpdateConnectionRequest,
};
use uuid::Uuid;

use super::domain;
use crate::{
    auth::AuthUser,
    error::{AppJson, AppResult},
    state::AppState,
};

/// The company's connections (secrets are never included).
#[utoipa::path(get, path = "/api/v1/connections", tag = "connections",
    responses((status = 200, body = Vec<ConnectionDto>)))]
pub async fn list(
    State(state): State<AppState>,
    auth: AuthUser,
) -> AppResult<AppJson<Vec<ConnectionDto>>> {
    Ok(AppJson(domain::list(&state, &auth).await?))
}

/// Add a connection (owners and admins). Its `webhook_url` goes into Meta's app dashboard.
#[utoipa::path(post, path = "/api/v1/connections", tag = "connections", request_body = CreateConnectionRequest,
    responses((status = 201, body = ConnectionDto), (status = 400, body = shared::ApiErrorBody),
        (status = 403, body = shared::ApiErrorBody), (status = 409, body = shared::ApiErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    auth: AuthUser,
    AppJson(body): AppJson<CreateConnectionRequest>,
) -> AppResult<(StatusCode, AppJson<ConnectionDto>)> {
    Ok((StatusCode::CREATED, AppJson(domain::create(&state, &auth, body).await?)))
}

/// One connection.
#[utoipa::path(get, path = "/api/v1/connections/{id}", tag = "connections",
    responses((status = 200, body = ConnectionDto), (status = 404, body = shared::ApiErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<Uuid>,
) -> AppResult<AppJson<ConnectionDto>> {
    Ok(AppJson(domain::get(&state, &auth, id).await?))
}

/// Change the name, ids or secrets; a secret left out or empty keeps its stored value.
#[utoipa::path(patch, path = "/api/v1/connections/{id}", tag = "connections", request_body = UpdateConnectionRequest,
    responses((status = 200, body = ConnectionDto), (status = 400, body = shared::ApiErrorBody),
        (status = 403, body = shared::ApiErrorBody), (status = 404, body = shared::ApiErrorBody),
        (status = 409, body = shared::ApiErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<Uuid>,
    AppJson(body): AppJson<UpdateConnectionRequest>,
) -> AppResult<AppJson<ConnectionDto>> {
    Ok(AppJson(domain::update(&state, &auth, id, body).await?))
}

/// Remove a connection (its conversations and messages stay).
#[utoipa::path(delete, path = "/api/v1/connections/{id}", tag = "connections",
    responses((status = 204), (status = 403, body = shared::ApiErrorBody), (status = 404, body = shared::ApiErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<Uuid>,
) -> AppResult<StatusCode> {
    domain::delete(&state, &auth, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Ask Meta about the number with the stored token: display number, verified name and quality
/// rating, or Meta's refusal in plain words (`ok: false`).
#[utoipa::path(post, path = "/api/v1/connections/{id}/test", tag = "connections",
    responses((status = 200, body = ConnectionTestResult), (status = 403, body = shared::ApiErrorBody),
        (status = 404, body = shared::ApiErrorBody)))]
pub async fn test(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<Uuid>,
) -> AppResult<AppJson<ConnectionTestResult>> {
    Ok(AppJson(domain::test(&state, &auth, id).await?))
}
