//! REST handlers for `/api/v1/campaigns`.

use axum::{
    body::Body,
    extract::{Path, Query, State},
    http::{header, StatusCode},
    response::{IntoResponse, Response},
};
use shared::{
    api::Page,
    campaigns::{
        CampaignDto, CampaignPreview, CampaignPreviewRequest, CampaignRecipientDto, CampaignReport,
        CreateCampaignRequest, UpdateCampaignRequest,
    },
};
use uuid::Uuid;

use super::{
    domain,
    reports::{self, RecipientFilter},
};
use crate::{
    auth::AuthUser,
    error::{AppJson, AppResult},
    pagination::PageParams,
    state::AppState,
};

/// The company's campaigns, newest first, with live counts.
#[utoipa::path(get, path = "/api/v1/campaigns", tag = "campaigns", params(PageParams),
    responses((status = 200, body = Page<CampaignDto>), (status = 400, body = shared::ApiErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    auth: AuthUser,
    Query(params): Query<PageParams>,
) -> AppResult<AppJson<Page<CampaignDto>>> {
    Ok(AppJson(domain::list(&state, &auth, &params).await?))
}

/// A draft campaign (owners and admins). Template values may reference the contact:
/// `{{contact.name}}`, `{{contact.first_name|amigo}}`, `{{contact.<custom field>}}`.
#[utoipa::path(post, path = "/api/v1/campaigns", tag = "campaigns", request_body = CreateCampaignRequest,
    responses((status = 201, body = CampaignDto), (status = 400, body = shared::ApiErrorBody),
        (status = 403, body = shared::ApiErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    auth: AuthUser,
    AppJson(body): AppJson<CreateCampaignRequest>,
) -> AppResult<(StatusCode, AppJson<CampaignDto>)> {
    Ok((StatusCode::CREATED, AppJson(domain::create(&state, &auth, body).await?)))
}

/// Who an audience reaches (after leaving out opted-out and unusable contacts) and what the
/// first recipients would read.
#[utoipa::path(post, path = "/api/v1/campaigns/preview", tag = "campaigns", request_body = CampaignPreviewRequest,
    responses((status = 200, body = CampaignPreview), (status = 400, body = shared::ApiErrorBody)))]
pub async fn preview(
    State(state): State<AppState>,
    auth: AuthUser,
    AppJson(body): AppJson<CampaignPreviewRequest>,
) -> AppResult<AppJson<CampaignPreview>> {
    Ok(AppJson(domain::preview(&state, &auth, body).await?))
}

/// One campaign with its live counts.
#[utoipa::path(get, path = "/api/v1/campaigns/{id}", tag = "campaigns",
    responses((status = 200, body = CampaignDto), (status = 404, body = shared::ApiErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<Uuid>,
) -> AppResult<AppJson<CampaignDto>> {
    Ok(AppJson(domain::get(&state, &auth, id).await?))
}

/// Edit a draft or scheduled campaign (owners and admins).
#[utoipa::path(patch, path = "/api/v1/campaigns/{id}", tag = "campaigns", request_body = UpdateCampaignRequest,
    responses((status = 200, body = CampaignDto), (status = 400, body = shared::ApiErrorBody),
        (status = 403, body = shared::ApiErrorBody), (status = 404, body = shared::ApiErrorBody),
        (status = 409, body = shared::ApiErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<Uuid>,
    AppJson(body): AppJson<UpdateCampaignRequest>,
) -> AppResult<AppJson<CampaignDto>> {
    Ok(AppJson(domain::update(&state, &auth, id, body).await?))
}

/// Delete a campaign that is not sending (owners and admins).
#[utoipa::path(delete, path = "/api/v1/campaigns/{id}", tag = "campaigns",
    responses((status = 204), (status = 403, body = shared::ApiErrorBody),
        (status = 404, body = shared::ApiErrorBody), (status = 409, body = shared::ApiErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<Uuid>,
) -> AppResult<StatusCode> {
    domain::delete(&state, &auth, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Start a draft: sending begins now, or at `scheduled_at` (status `scheduled`).
#[utoipa::path(post, path = "/api/v1/campaigns/{id}/start", tag = "campaigns",
    responses((status = 200, body = CampaignDto), (status = 400, body = shared::ApiErrorBody),
        (status = 403, body = shared::ApiErrorBody), (status = 404, body = shared::ApiErrorBody),
        (status = 409, body = shared::ApiErrorBody)))]
pub async fn start(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<Uuid>,
) -> AppResult<AppJson<CampaignDto>> {
    Ok(AppJson(domain::start(&state, &auth, id).await?))
}

/// Pause a running or scheduled campaign (takes effect within a second).
#[utoipa::path(post, path = "/api/v1/campaigns/{id}/pause", tag = "campaigns",
    responses((status = 200, body = CampaignDto), (status = 403, body = shared::ApiErrorBody),
        (status = 404, body = shared::ApiErrorBody), (status = 409, body = shared::ApiErrorBody)))]
pub async fn pause(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<Uuid>,
) -> AppResult<AppJson<CampaignDto>> {
    Ok(AppJson(domain::pause(&state, &auth, id).await?))
}

/// Resume a paused campaign where it stopped.
#[utoipa::path(post, path = "/api/v1/campaigns/{id}/resume", tag = "campaigns",
    responses((status = 200, body = CampaignDto), (status = 403, body = shared::ApiErrorBody),
        (status = 404, body = shared::ApiErrorBody), (status = 409, body = shared::ApiErrorBody)))]
pub async fn resume(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<Uuid>,
) -> AppResult<AppJson<CampaignDto>> {
    Ok(AppJson(domain::resume(&state, &auth, id).await?))
}

/// Cancel for good: recipients not sent to yet are marked cancelled.
#[utoipa::path(post, path = "/api/v1/campaigns/{id}/cancel", tag = "campaigns",
    responses((status = 200, body = CampaignDto), (status = 403, body = shared::ApiErrorBody),
        (status = 404, body = shared::ApiErrorBody), (status = 409, body = shared::ApiErrorBody)))]
pub async fn cancel(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<Uuid>,
) -> AppResult<AppJson<CampaignDto>> {
    Ok(AppJson(domain::cancel(&state, &auth, id).await?))
}

/// The recipients with their outcome, in queue order (`?status=` filters).
#[utoipa::path(get, path = "/api/v1/campaigns/{id}/recipients", tag = "campaigns", params(RecipientFilter),
    responses((status = 200, body = Page<CampaignRecipientDto>), (status = 400, body = shared::ApiErrorBody),
        (status = 404, body = shared::ApiErrorBody)))]
pub async fn recipients(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<Uuid>,
    Query(filter): Query<RecipientFilter>,
) -> AppResult<AppJson<Page<CampaignRecipientDto>>> {
    Ok(AppJson(reports::recipients(&state, &auth, id, &filter).await?))
}

/// The recipients as CSV (streamed; `?status=` filters).
#[utoipa::path(get, path = "/api/v1/campaigns/{id}/recipients/export", tag = "campaigns", params(RecipientFilter),
    responses((status = 200, content_type = "text/csv", body = String), (status = 404, body = shared::ApiErrorBody)))]
pub async fn export(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<Uuid>,
    Query(filter): Query<RecipientFilter>,
) -> AppResult<Response> {
    let (filename, stream) = reports::export_csv(&state, &auth, id, filter.status).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\"")),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}

/// The report: funnel counts, failures by reason, sends per minute.
#[utoipa::path(get, path = "/api/v1/campaigns/{id}/report", tag = "campaigns",
    responses((status = 200, body = CampaignReport), (status = 404, body = shared::ApiErrorBody)))]
pub async fn report(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<Uuid>,
) -> AppResult<AppJson<CampaignReport>> {
    Ok(AppJson(reports::report(&state, &auth, id).await?))
}
