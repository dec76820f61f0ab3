//! REST handlers for `/api/v1/automation-rules` and `/api/v1/company/business-hours`.

use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
};
use serde::Deserialize;
use shared::automation::{
    AutomationRuleDto, AutomationRunDto, BusinessHoursDto, CreateAutomationRuleRequest,
    UpdateAutomationRuleRequest, WebhookSecretDto,
};
use uuid::Uuid;

use super::{hours, rules, timers::WEBHOOK_SECRET_PURPOSE};
use crate::{
    auth::AuthUser,
    error::{AppJson, AppResult},
    state::AppState,
};

/// The company's rules, oldest first (the order they run in).
#[utoipa::path(get, path = "/api/v1/automation-rules", tag = "automation",
    responses((status = 200, body = Vec<AutomationRuleDto>)))]
pub async fn list(
    State(state): State<AppState>,
    auth: AuthUser,
) -> AppResult<AppJson<Vec<AutomationRuleDto>>> {
    Ok(AppJson(rules::list(&state, &auth).await?))
}

/// A new rule (owners and admins).
#[utoipa::path(post, path = "/api/v1/automation-rules", tag = "automation",
    request_body = CreateAutomationRuleRequest,
    responses((status = 201, body = AutomationRuleDto), (status = 400, body = shared::ApiErrorBody),
        (status = 403, body = shared::ApiErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    auth: AuthUser,
    AppJson(body): AppJson<CreateAutomationRuleRequest>,
) -> AppResult<(StatusCode, AppJson<AutomationRuleDto>)> {
    Ok((StatusCode::CREATED, AppJson(rules::create(&state, &auth, body).await?)))
}

#[utoipa::path(get, path = "/api/v1/automation-rules/{id}", tag = "automation",
    responses((status = 200, body = AutomationRuleDto), (status = 404, body = shared::ApiErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<Uuid>,
) -> AppResult<AppJson<AutomationRuleDto>> {
    Ok(AppJson(rules::get(&state, &auth, id).await?))
}

/// Change a rule (owners and admins); absent fields stay.
#[utoipa::path(patch, path = "/api/v1/automation-rules/{id}", tag = "automation",
    request_body = UpdateAutomationRuleRequest,
    responses((status = 200, body = AutomationRuleDto), (status = 400, body = shared::ApiErrorBody),
        (status = 403, body = shared::ApiErrorBody), (status = 404, body = shared::ApiErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<Uuid>,
    AppJson(body): AppJson<UpdateAutomationRuleRequest>,
) -> AppResult<AppJson<AutomationRuleDto>> {
    Ok(AppJson(rules::update(&state, &auth, id, body).await?))
}

/// Delete a rule and its execution log (owners and admins).
#[utoipa::path(delete, path = "/api/v1/automation-rules/{id}", tag = "automation",
    responses((status = 204), (status = 403, body = shared::ApiErrorBody), (status = 404, body = shared::ApiErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<Uuid>,
) -> AppResult<StatusCode> {
    rules::delete(&state, &auth, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct RunsQuery {
    /// 1–200, default 50.
    pub limit: Option<u64>,
    /// A run id: only older runs.
    pub before: Option<Uuid>,
}

/// The rule's execution log, newest first.
#[utoipa::path(get, path = "/api/v1/automation-rules/{id}/runs", tag = "automation", params(RunsQuery),
    responses((status = 200, body = Vec<AutomationRunDto>), (status = 404, body = shared::ApiErrorBody)))]
pub async fn runs(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<Uuid>,
    Query(query): Query<RunsQuery>,
) -> AppResult<AppJson<Vec<AutomationRunDto>>> {
    Ok(AppJson(rules::runs(&state, &auth, id, query.limit, query.before).await?))
}

/// The key the `webhook` action signs its requests with (owners and admins).
#[utoipa::path(get, path = "/api/v1/automation-rules/webhook-secret", tag = "automation",
    responses((status = 200, body = WebhookSecretDto), (status = 403, body = shared::ApiErrorBody)))]
pub async fn webhook_secret(
    State(state): State<AppState>,
    auth: AuthUser,
) -> AppResult<AppJson<WebhookSecretDto>> {
    auth.require_admin()?;
    Ok(AppJson(WebhookSecretDto {
        secret: state.keyring.derive(WEBHOOK_SECRET_PURPOSE, auth.company_id()),
    }))
}

/// The company's business hours and holidays.
#[utoipa::path(get, path = "/api/v1/company/business-hours", tag = "automation",
    responses((status = 200, body = BusinessHoursDto)))]
pub async fn get_hours(
    State(state): State<AppState>,
    auth: AuthUser,
) -> AppResult<AppJson<BusinessHoursDto>> {
    Ok(AppJson(hours::get(&state, &auth).await?))
}

/// Replace the business hours and holidays (owners and admins).
#[utoipa::path(put, path = "/api/v1/company/business-hours", tag = "automation",
    request_body = BusinessHoursDto,
    responses((status = 200, body = BusinessHoursDto), (status = 400, body = shared::ApiErrorBody),
        (status = 403, body = shared::ApiErrorBody)))]
pub async fn put_hours(
    State(state): State<AppState>,
    auth: AuthUser,
    AppJson(body): AppJson<BusinessHoursDto>,
) -> AppResult<AppJson<BusinessHoursDto>> {
    Ok(AppJson(hours::put(&state, &auth, body).await?))
}
