//! REST handlers for `/api/v1/auth/*`, `/api/v1/me` and `/api/v1/api-keys`: extract, call the
//! domain, map the result. Nothing else belongs here.

use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    response::IntoResponse,
};
use axum_extra::extract::{
    cookie::{Cookie, SameSite},
    CookieJar,
};
use shared::api::{
    Ack, ApiKeyDto, ChangePasswordRequest, CreateApiKeyRequest, CreatedApiKey, EmailRequest,
    LoginRequest, MeResponse, Page, ResetPasswordRequest, SignupRequest, SignupResponse,
    TokenRequest,
};
use uuid::Uuid;

use super::{
    api_keys, domain,
    extract::{AuthUser, ClientInfo},
    jwt::COOKIE_NAME,
};
use crate::{
    error::{AppJson, AppResult},
    pagination::PageParams,
    state::AppState,
};

fn session_cookie(state: &AppState, value: String, max_age_secs: i64) -> Cookie<'static> {
    Cookie::build((COOKIE_NAME, value))
        .http_only(true)
        // Lax, not Strict: people arrive from emailed links and must still be logged in; state
        // changes are protected by the CSRF token instead.
        .same_site(SameSite::Lax)
        .secure(state.config.secure_cookies())
        .path("/")
        .max_age(time::Duration::seconds(max_age_secs))
        .build()
}

fn cleared_cookie(state: &AppState) -> Cookie<'static> {
    let mut cookie = session_cookie(state, String::new(), 0);
    cookie.make_removal();
    cookie
}

/// Create a company and its owner; a verification email is sent.
#[utoipa::path(post, path = "/api/v1/auth/signup", tag = "auth", request_body = SignupRequest,
    responses((status = 201, body = SignupResponse), (status = 400, body = shared::ApiErrorBody),
        (status = 409, body = shared::ApiErrorBody), (status = 429, body = shared::ApiErrorBody)))]
pub async fn signup(
    State(state): State<AppState>,
    client: ClientInfo,
    AppJson(body): AppJson<SignupRequest>,
) -> AppResult<(StatusCode, AppJson<SignupResponse>)> {
    let created = domain::signup(&state, &client, body).await?;
    Ok((StatusCode::CREATED, AppJson(created)))
}

/// Confirm an email address with the token from the emailed link.
#[utoipa::path(post, path = "/api/v1/auth/verify-email", tag = "auth", request_body = TokenRequest,
    responses((status = 200, body = Ack), (status = 400, body = shared::ApiErrorBody)))]
pub async fn verify_email(
    State(state): State<AppState>,
    AppJson(body): AppJson<TokenRequest>,
) -> AppResult<AppJson<Ack>> {
    domain::verify_email(&state, &body.token).await?;
    Ok(AppJson(Ack { ok: true }))
}

/// Send the verification email again (same answer whether or not the account exists).
#[utoipa::path(post, path = "/api/v1/auth/resend-verification", tag = "auth", request_body = EmailRequest,
    responses((status = 202, body = Ack), (status = 429, body = shared::ApiErrorBody)))]
pub async fn resend_verification(
    State(state): State<AppState>,
    client: ClientInfo,
    AppJson(body): AppJson<EmailRequest>,
) -> AppResult<(StatusCode, AppJson<Ack>)> {
    domain::resend_verification(&state, &client, &body.email).await?;
    Ok((StatusCode::ACCEPTED, AppJson(Ack { ok: true })))
}

/// Log in: sets the HttpOnly session cookie; the body carries the CSRF token.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = MeResponse), (status = 401, body = shared::ApiErrorBody),
        (status = 403, body = shared::ApiErrorBody), (status = 429, body = shared::ApiErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    client: ClientInfo,
    jar: CookieJar,
    AppJson(body): AppJson<LoginRequest>,
) -> AppResult<impl IntoResponse> {
    let outcome = domain::login(&state, &client, &body.email, body.password).await?;
    let jar = jar.add(session_cookie(&state, outcome.session_token, outcome.max_age_secs));
    Ok((jar, AppJson(outcome.me)))
}

/// Log out: revokes the session server-side and clears the cookie.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", responses((status = 204)))]
pub async fn logout(
    State(state): State<AppState>,
    auth: AuthUser,
    jar: CookieJar,
) -> AppResult<impl IntoResponse> {
    domain::logout(&state, &auth).await?;
    Ok((jar.add(cleared_cookie(&state)), StatusCode::NO_CONTENT))
}

/// Email a password-reset link (same answer whether or not the account exists).
#[utoipa::path(post, path = "/api/v1/auth/forgot-password", tag = "auth", request_body = EmailRequest,
    responses((status = 202, body = Ack), (status = 429, body = shared::ApiErrorBody)))]
pub async fn forgot_password(
    State(state): State<AppState>,
    client: ClientInfo,
    AppJson(body): AppJson<EmailRequest>,
) -> AppResult<(StatusCode, AppJson<Ack>)> {
    domain::forgot_password(&state, &client, &body.email).await?;
    Ok((StatusCode::ACCEPTED, AppJson(Ack { ok: true })))
}

/// Set a new password with the token from the emailed link; ends every session.
#[utoipa::path(post, path = "/api/v1/auth/reset-password", tag = "auth", request_body = ResetPasswordRequest,
    responses((status = 200, body = Ack), (status = 400, body = shared::ApiErrorBody)))]
pub async fn reset_password(
    State(state): State<AppState>,
    AppJson(body): AppJson<ResetPasswordRequest>,
) -> AppResult<AppJson<Ack>> {
    domain::reset_password(&state, &body.token, body.password).await?;
    Ok(AppJson(Ack { ok: true }))
}

/// Change the caller's password; ends every session, including this one.
#[utoipa::path(post, path = "/api/v1/auth/change-password", tag = "auth", request_body = ChangePasswordRequest,
    responses((status = 204), (status = 400, body = shared::ApiErrorBody)))]
pub async fn change_password(
    State(state): State<AppState>,
    auth: AuthUser,
    jar: CookieJar,
    AppJson(body): AppJson<ChangePasswordRequest>,
) -> AppResult<impl IntoResponse> {
    domain::change_password(&state, &auth, body.current_password, body.new_password).await?;
    Ok((jar.add(cleared_cookie(&state)), StatusCode::NO_CONTENT))
}

/// The caller, their company and (for cookie sessions) the CSRF token.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth",
    responses((status = 200, body = MeResponse), (status = 401, body = shared::ApiErrorBody)))]
pub async fn me(State(state): State<AppState>, auth: AuthUser) -> AppResult<AppJson<MeResponse>> {
    Ok(AppJson(domain::me(&state, &auth).await?))
}

/// Create an API key; the full key is in this response only.
#[utoipa::path(post, path = "/api/v1/api-keys", tag = "api-keys", request_body = CreateApiKeyRequest,
    responses((status = 201, body = CreatedApiKey), (status = 403, body = shared::ApiErrorBody)))]
pub async fn create_api_key(
    State(state): State<AppState>,
    auth: AuthUser,
    AppJson(body): AppJson<CreateApiKeyRequest>,
) -> AppResult<(StatusCode, AppJson<CreatedApiKey>)> {
    let created = api_keys::create(&state, &auth, &body.name).await?;
    Ok((StatusCode::CREATED, AppJson(created)))
}

/// The company's active API keys (without the secret part).
#[utoipa::path(get, path = "/api/v1/api-keys", tag = "api-keys", params(PageParams),
    responses((status = 200, body = Page<ApiKeyDto>)))]
pub async fn list_api_keys(
    State(state): State<AppState>,
    auth: AuthUser,
    Query(params): Query<PageParams>,
) -> AppResult<AppJson<Page<ApiKeyDto>>> {
    Ok(AppJson(api_keys::list(&state, &auth, &params).await?))
}

/// Revoke an API key; it stops working at once.
#[utoipa::path(delete, path = "/api/v1/api-keys/{id}", tag = "api-keys",
    responses((status = 204), (status = 404, body = shared::ApiErrorBody)))]
pub async fn revoke_api_key(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<Uuid>,
) -> AppResult<StatusCode> {
    api_keys::revoke(&state, &auth, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
