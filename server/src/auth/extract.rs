//! Who is calling. [`AuthUser`] is the extractor every protected handler takes: it accepts either
//! an API key (`Authorization: Bearer mia_...`, for integrators, no CSRF) or the session cookie
//! (the browser), and for cookie-authenticated changes it demands the session's CSRF token in
//! `X-CSRF-Token`. The result carries the [`Tenant`] that scopes every query.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::{
    extract::{ConnectInfo, FromRequestParts},
    http::{header, request::Parts, Method},
};
use axum_extra::extract::CookieJar;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use shared::{ErrorCode, Role};
use uuid::Uuid;

use super::{api_keys, jwt, tokens::secure_eq};
use crate::{
    db::{
        self,
        entities::{memberships, sessions},
        Tenant,
    },
    error::{AppError, AppResult},
    state::AppState,
};

pub const CSRF_HEADER: &str = "x-csrf-token";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthVia {
    Session { session_id: Uuid, csrf_token: String },
    ApiKey { key_id: Uuid },
}

#[derive(Debug, Clone)]
pub struct AuthUser {
    pub user_id: Uuid,
    pub role: Role,
    pub via: AuthVia,
    tenant: Tenant,
}

impl AuthUser {
    pub fn tenant(&self) -> Tenant {
        self.tenant
    }

    pub fn company_id(&self) -> Uuid {
        self.tenant.company_id()
    }

    /// # Errors
    /// 403 `forbidden` unless the caller is an owner or admin (team, settings, destructive bulk work).
    pub fn require_admin(&self) -> AppResult<()> {
        if self.role.can_manage_team() {
            Ok(())
        } else {
            Err(AppError::forbidden())
        }
    }

    pub fn csrf_token(&self) -> Option<&str> {
        match &self.via {
            AuthVia::Session { csrf_token, .. } => Some(csrf_token),
            AuthVia::ApiKey { .. } => None,
        }
    }

    pub fn session_id(&self) -> Option<Uuid> {
        match &self.via {
            AuthVia::Session { session_id, .. } => Some(*session_id),
            AuthVia::ApiKey { .. } => None,
        }
    }
}

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(value) = parts.headers.get(header::AUTHORIZATION) {
            let value = value.to_str().map_err(|_| AppError::unauthenticated())?;
            let key = value
                .strip_prefix("Bearer ")
                .or_else(|| value.strip_prefix("bearer "))
                .ok_or_else(AppError::unauthenticated)?;
            return authenticate_api_key(state, key.trim()).await;
        }
        let jar = CookieJar::from_headers(&parts.headers);
        let token = jar
            .get(jwt::COOKIE_NAME)
            .map(|c| c.value().to_owned())
            .ok_or_else(AppError::unauthenticated)?;
        let user = authenticate_session(state, &token).await?;
        if !is_safe_method(&parts.method) {
            let sent = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("");
            let expected = user.csrf_token().unwrap_or_default();
            if !secure_eq(sent, expected) {
                return Err(AppError::new(
                    ErrorCode::CsrfFailed,
                    "Missing or wrong X-CSRF-Token header (get it from GET /api/v1/me).",
                ));
            }
        }
        Ok(user)
    }
}

fn is_safe_method(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Resolves an API key to the company it belongs to; it acts with the admin role.
///
/// # Errors
/// 401 for an unknown, malformed or revoked key.
pub async fn authenticate_api_key(state: &AppState, key: &str) -> AppResult<AuthUser> {
    let found =
        api_keys::authenticate(&state.db, key).await?.ok_or_else(AppError::unauthenticated)?;
    Ok(AuthUser {
        user_id: found.created_by.unwrap_or(Uuid::nil()),
        role: Role::Admin,
        via: AuthVia::ApiKey { key_id: found.id },
        tenant: Tenant::new(found.company_id),
    })
}

/// Resolves a session cookie: signature and expiry, then the session row (not revoked), then the
/// membership (the role may have changed, or the member been removed, since login).
///
/// # Errors
/// 401 for anything that does not check out.
pub async fn authenticate_session(state: &AppState, token: &str) -> AppResult<AuthUser> {
    let claims =
        jwt::verify(state.keyring.jwt_secret(), token).ok_or_else(AppError::unauthenticated)?;
    let now = db::now();
    let session = sessions::Entity::find_by_id(claims.sid)
        .filter(sessions::Column::UserId.eq(claims.sub))
        .filter(sessions::Column::CompanyId.eq(claims.cid))
        .filter(sessions::Column::RevokedAt.is_null())
        .filter(sessions::Column::ExpiresAt.gt(now))
        .one(&state.db)
        .await?
        .ok_or_else(AppError::unauthenticated)?;
    let membership = memberships::Entity::find()
        .filter(memberships::Column::CompanyId.eq(session.company_id))
        .filter(memberships::Column::UserId.eq(session.user_id))
        .one(&state.db)
        .await?
        .ok_or_else(AppError::unauthenticated)?;
    let role = Role::parse(&membership.role)
        .ok_or_else(|| AppError::internal("membership with an unknown role"))?;
    Ok(AuthUser {
        user_id: session.user_id,
        role,
        via: AuthVia::Session { session_id: session.id, csrf_token: session.csrf_token },
        tenant: Tenant::new(session.company_id),
    })
}

/// The caller's network identity, for rate limits and the audit log.
#[derive(Debug, Clone)]
pub struct ClientInfo {
    pub ip: IpAddr,
    pub user_agent: Option<String>,
}

impl FromRequestParts<AppState> for ClientInfo {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let forwarded = state
            .config
            .trust_proxy_headers
            .then(|| parts.headers.get("x-forwarded-for"))
            .flatten()
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(|v| v.trim().parse::<IpAddr>().ok());
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
        let ip = forwarded.or(peer).unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        let user_agent = parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.chars().take(255).collect());
        Ok(ClientInfo { ip, user_agent })
    }
}
