//! REST handlers for `/api/v1/members` and `/api/v1/invitations`.

use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
};
use serde::Deserialize;
use shared::api::{
    AcceptInvitationRequest, Ack, CompanySettingsDto, CreateInvitationRequest, InvitationDto,
    InvitationPreview, MemberDto, Page, UpdateCompanySettingsRequest, UpdateMemberRequest,
};
use uuid::Uuid;

use super::{company, domain};
use crate::{
    auth::{AuthUser, ClientInfo},
    error::{AppJson, AppResult},
    pagination::PageParams,
    state::AppState,
};

/// The company's members.
#[utoipa::path(get, path = "/api/v1/members", tag = "team", params(PageParams),
    responses((status = 200, body = Page<MemberDto>)))]
pub async fn list_members(
    State(state): State<AppState>,
    auth: AuthUser,
    Query(params): Query<PageParams>,
) -> AppResult<AppJson<Page<MemberDto>>> {
    Ok(AppJson(domain::list_members(&state, &auth, &params).await?))
}

/// Change a member's role (owners and admins; only owners touch the owner role).
#[utoipa::path(patch, path = "/api/v1/members/{user_id}", tag = "team", request_body = UpdateMemberRequest,
    responses((status = 200, body = MemberDto), (status = 403, body = shared::ApiErrorBody),
        (status = 404, body = shared::ApiErrorBody), (status = 409, body = shared::ApiErrorBody)))]
pub async fn update_member(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(user_id): Path<Uuid>,
    AppJson(body): AppJson<UpdateMemberRequest>,
) -> AppResult<AppJson<MemberDto>> {
    Ok(AppJson(domain::change_role(&state, &auth, user_id, body.role).await?))
}

/// Remove a member from the company.
#[utoipa::path(delete, path = "/api/v1/members/{user_id}", tag = "team",
    responses((status = 204), (status = 403, body = shared::ApiErrorBody), (status = 404, body = shared::ApiErrorBody),
        (status = 409, body = shared::ApiErrorBody)))]
pub async fn remove_member(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(user_id): Path<Uuid>,
) -> AppResult<StatusCode> {
    domain::remove_member(&state, &auth, user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Invite someone by email (owners and admins).
#[utoipa::path(post, path = "/api/v1/invitations", tag = "team", request_body = CreateInvitationRequest,
    responses((status = 201, body = InvitationDto), (status = 403, body = shared::ApiErrorBody),
        (status = 409, body = shared::ApiErrorBody)))]
pub async fn create_invitation(
    State(state): State<AppState>,
    auth: AuthUser,
    AppJson(body): AppJson<CreateInvitationRequest>,
) -> AppResult<(StatusCode, AppJson<InvitationDto>)> {
    let created = domain::invite(&state, &auth, &body.email, body.role).await?;
    Ok((StatusCode::CREATED, AppJson(created)))
}

/// Pending invitations.
#[utoipa::path(get, path = "/api/v1/invitations", tag = "team", params(PageParams),
    responses((status = 200, body = Page<InvitationDto>)))]
pub async fn list_invitations(
    State(state): State<AppState>,
    auth: AuthUser,
    Query(params): Query<PageParams>,
) -> AppResult<AppJson<Page<InvitationDto>>> {
    Ok(AppJson(domain::list_invitations(&state, &auth, &params).await?))
}

/// Revoke a pending invitation; its link stops working.
#[utoipa::path(delete, path = "/api/v1/invitations/{id}", tag = "team",
    responses((status = 204), (status = 404, body = shared::ApiErrorBody)))]
pub async fn revoke_invitation(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<Uuid>,
) -> AppResult<StatusCode> {
    domain::revoke_invitation(&state, &auth, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct PreviewParams {
    /// The token from the invitation link.
    pub token: String,
}

/// What an invitation link is for (public; the token is the credential).
#[utoipa::path(get, path = "/api/v1/invitations/preview", tag = "team", params(PreviewParams),
    responses((status = 200, body = InvitationPreview), (status = 400, body = shared::ApiErrorBody)))]
pub async fn preview_invitation(
    State(state): State<AppState>,
    Query(params): Query<PreviewParams>,
) -> AppResult<AppJson<InvitationPreview>> {
    Ok(AppJson(domain::preview(&state, &params.token).await?))
}

/// Accept an invitation: creates the account (or adds the existing one) to the company.
#[utoipa::path(post, path = "/api/v1/invitations/accept", tag = "team", request_body = AcceptInvitationRequest,
    responses((status = 200, body = Ack), (status = 400, body = shared::ApiErrorBody)))]
pub async fn accept_invitation(
    State(state): State<AppState>,
    client: ClientInfo,
    AppJson(body): AppJson<AcceptInvitationRequest>,
) -> AppResult<AppJson<Ack>> {
    domain::accept(&state, &client, body).await?;
    Ok(AppJson(Ack { ok: true }))
}

/// The company's settings (anyone in it may read them).
#[utoipa::path(get, path = "/api/v1/company", tag = "team",
    responses((status = 200, body = CompanySettingsDto)))]
pub async fn get_company(
    State(state): State<AppState>,
    auth: AuthUser,
) -> AppResult<AppJson<CompanySettingsDto>> {
    Ok(AppJson(company::get(&state, &auth).await?))
}

/// Change the company's name, default country or auto-assignment (owners and admins).
#[utoipa::path(patch, path = "/api/v1/company", tag = "team", request_body = UpdateCompanySettingsRequest,
    responses((status = 200, body = CompanySettingsDto), (status = 400, body = shared::ApiErrorBody),
        (status = 403, body = shared::ApiErrorBody)))]
pub async fn update_company(
    State(state): State<AppState>,
    auth: AuthUser,
    AppJson(body): AppJson<UpdateCompanySettingsRequest>,
) -> AppResult<AppJson<CompanySettingsDto>> {
    Ok(AppJson(company::update(&state, &auth, body).await?))
}
