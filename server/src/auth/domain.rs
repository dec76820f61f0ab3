//! Sign-up, email verification, login/logout, password reset and change. Both the REST handlers
//! (`auth::http`) and anything else that needs these flows call these functions.

use chrono::TimeDelta;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionTrait,
};
use shared::{
    api::{CompanyDto, MeResponse, SignupRequest, SignupResponse, UserDto},
    i18n::{Key, Lang},
    ErrorCode, Role,
};
use uuid::Uuid;

use super::{
    extract::{AuthUser, ClientInfo},
    jwt, password,
    tokens::{hash_token, random_token},
};
use crate::{
    audit::{self, AuditEntry},
    db::{
        self,
        entities::{companies, email_tokens, memberships, sessions, users},
        Tenant,
    },
    email,
    error::{AppError, AppResult},
    state::AppState,
    types::{DisplayName, EmailAddress},
};

pub const VERIFY_EMAIL: &str = "verify_email";
pub const RESET_PASSWORD: &str = "reset_password";
const VERIFY_TTL: TimeDelta = TimeDelta::hours(48);
const RESET_TTL: TimeDelta = TimeDelta::hours(1);
/// New companies read numbers without a country code as Brazilian (our first market); a company
/// setting changes it.
const DEFAULT_COUNTRY: &str = "BR";
/// New companies read schedules in Brazil's main zone until they set their own.
const DEFAULT_TIME_ZONE: &str = "America/Sao_Paulo";

/// Creates a company, its owner (unverified) and queues the verification email.
///
/// # Errors
/// `validation_failed`/`weak_password` with the field at fault, `email_taken` (409), `rate_limited`.
#[tracing::instrument(skip_all)]
pub async fn signup(
    state: &AppState,
    client: &ClientInfo,
    req: SignupRequest,
) -> AppResult<SignupResponse> {
    state.limits.check_ip(client.ip)?;
    let company_name = DisplayName::parse(&req.company_name, "company_name")?;
    let name = DisplayName::parse(&req.name, "name")?;
    let email = EmailAddress::parse(&req.email, "email")?;
    password::check_strength(
        &req.password,
        &[email.as_str(), name.as_str(), company_name.as_str()],
    )?;
    let lang = req.language.as_deref().map(Lang::negotiate).unwrap_or_default();
    let password_hash = hash_blocking(req.password).await?;

    let now = db::now();
    let company_id = Uuid::now_v7();
    let user_id = Uuid::now_v7();
    let txn = state.db.begin().await?;
    if find_user_by_email(&txn, &email).await?.is_some() {
        return Err(email_taken());
    }
    companies::ActiveModel {
        id: Set(company_id),
        name: Set(company_name.into_inner()),
        default_country: Set(DEFAULT_COUNTRY.to_owned()),
        auto_assign: Set(false),
        time_zone: Set(DEFAULT_TIME_ZONE.to_owned()),
        business_hours: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let inserted = users::ActiveModel {
        id: Set(user_id),
        email: Set(email.as_str().to_owned()),
        name: Set(name.into_inner()),
        password_hash: Set(password_hash),
        email_verified_at: Set(None),
        language: Set(lang.tag().to_owned()),
        totp_secret: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await;
    match inserted {
        Err(err) if db::is_unique_violation(&err) => return Err(email_taken()),
        other => other?,
    };
    memberships::ActiveModel {
        id: Set(Uuid::now_v7()),
        company_id: Set(company_id),
        user_id: Set(user_id),
        role: Set(Role::Owner.as_str().to_owned()),
        created_at: Set(now),
    }
    .insert(&txn)
    .await?;
    send_verification(&txn, state, user_id, &email, lang).await?;
    audit::record(
        &txn,
        Tenant::new(company_id),
        AuditEntry::new(Some(user_id), "company.created")
            .target("company", company_id)
            .ip(client.ip),
    )
    .await?;
    txn.commit().await?;
    state.jobs.notify();
    Ok(SignupResponse {
        user_id,
        company_id,
        email: email.as_str().to_owned(),
        verification_sent: true,
    })
}

async fn send_verification<C: ConnectionTrait>(
    conn: &C,
    state: &AppState,
    user_id: Uuid,
    email: &EmailAddress,
    lang: Lang,
) -> AppResult<()> {
    let token = create_email_token(conn, user_id, VERIFY_EMAIL, VERIFY_TTL).await?;
    let link = format!("{}/verify-email?token={token}", state.config.public_base_url());
    let message = email::compose(
        lang,
        email.as_str(),
        Key::EmailVerifySubject,
        Key::EmailVerifyBody,
        &link,
        None,
    );
    email::enqueue(conn, message).await?;
    Ok(())
}

/// Marks the email of the token's user as verified.
///
/// # Errors
/// 400 `invalid_token` for an unknown, used or expired token.
pub async fn verify_email(state: &AppState, token: &str) -> AppResult<()> {
    let txn = state.db.begin().await?;
    let row = consume_email_token(&txn, token, VERIFY_EMAIL).await?;
    let now = db::now();
    users::Entity::update_many()
        .col_expr(users::Column::EmailVerifiedAt, sea_orm::sea_query::Expr::value(now))
        .col_expr(users::Column::UpdatedAt, sea_orm::sea_query::Expr::value(now))
        .filter(users::Column::Id.eq(row.user_id))
        .filter(users::Column::EmailVerifiedAt.is_null())
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

/// Sends a fresh verification link if the account exists and is unverified. Answers the same
/// either way, so it cannot be used to find out which emails have accounts.
pub async fn resend_verification(
    state: &AppState,
    client: &ClientInfo,
    raw_email: &str,
) -> AppResult<()> {
    state.limits.check_ip(client.ip)?;
    let email = EmailAddress::parse(raw_email, "email")?;
    state.limits.check_account(email.as_str())?;
    let txn = state.db.begin().await?;
    if let Some(user) = find_user_by_email(&txn, &email).await? {
        if user.email_verified_at.is_none() {
            send_verification(&txn, state, user.id, &email, Lang::negotiate(&user.language))
                .await?;
        }
    }
    txn.commit().await?;
    state.jobs.notify();
    Ok(())
}

/// A successful login: the response body and the cookie value to set.
pub struct LoginOutcome {
    pub me: MeResponse,
    pub session_token: String,
    pub max_age_secs: i64,
}

/// Checks the password and opens a session.
///
/// # Errors
/// 401 `invalid_credentials`, 403 `email_not_verified`, 429 `rate_limited`.
#[tracing::instrument(skip_all)]
pub async fn login(
    state: &AppState,
    client: &ClientInfo,
    raw_email: &str,
    password: String,
) -> AppResult<LoginOutcome> {
    state.limits.check_ip(client.ip)?;
    let email = EmailAddress::parse(raw_email, "email").map_err(|_| invalid_credentials())?;
    state.limits.check_account(email.as_str())?;
    let user = find_user_by_email(&state.db, &email).await?;
    let stored = user
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| password::dummy_hash().to_owned());
    let matches = verify_blocking(password, stored).await?;
    let user = match user {
        Some(user) if matches => user,
        _ => {
            metrics::counter!("master_ia_logins_total", "outcome" => "failed").increment(1);
            return Err(invalid_credentials());
        }
    };
    if user.email_verified_at.is_none() {
        return Err(AppError::new(
            ErrorCode::EmailNotVerified,
            "Confirm your email address first: open the link we sent you.",
        ));
    }
    // A person may belong to several companies; the session acts for the one joined first.
    let membership = memberships::Entity::find()
        .filter(memberships::Column::UserId.eq(user.id))
        .order_by_asc(memberships::Column::CreatedAt)
        .one(&state.db)
        .await?
        .ok_or_else(|| {
            AppError::new(ErrorCode::Forbidden, "This account is not a member of any company.")
        })?;
    let company = companies::Entity::find_by_id(membership.company_id)
        .one(&state.db)
        .await?
        .ok_or_else(AppError::not_found)?;
    let role = Role::parse(&membership.role).ok_or_else(|| AppError::internal("unknown role"))?;

    let now = db::now();
    let ttl = TimeDelta::hours(i64::from(state.config.session_ttl_hours));
    let session_id = Uuid::now_v7();
    let csrf_token = random_token();
    let txn = state.db.begin().await?;
    sessions::ActiveModel {
        id: Set(session_id),
        user_id: Set(user.id),
        company_id: Set(company.id),
        csrf_token: Set(csrf_token.clone()),
        user_agent: Set(client.user_agent.clone()),
        ip: Set(Some(client.ip.to_string())),
        created_at: Set(now),
        expires_at: Set(now + ttl),
        revoked_at: Set(None),
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        Tenant::new(company.id),
        AuditEntry::new(Some(user.id), "user.logged_in").ip(client.ip),
    )
    .await?;
    txn.commit().await?;

    let claims = jwt::Claims {
        sub: user.id,
        cid: company.id,
        sid: session_id,
        iat: now.timestamp(),
        exp: (now + ttl).timestamp(),
    };
    let session_token = jwt::issue(state.keyring.jwt_secret(), &claims)?;
    metrics::counter!("master_ia_logins_total", "outcome" => "ok").increment(1);
    Ok(LoginOutcome {
        me: MeResponse {
            user: UserDto { id: user.id, name: user.name, email: user.email, role },
            company: CompanyDto { id: company.id, name: company.name },
            csrf_token: Some(csrf_token),
        },
        session_token,
        max_age_secs: ttl.num_seconds(),
    })
}

/// Revokes the caller's session (a no-op for API keys, which are revoked by deleting them).
pub async fn logout(state: &AppState, auth: &AuthUser) -> AppResult<()> {
    if let Some(session_id) = auth.session_id() {
        auth.tenant()
            .update_many::<sessions::Entity>()
            .col_expr(sessions::Column::RevokedAt, sea_orm::sea_query::Expr::value(db::now()))
            .filter(sessions::Column::Id.eq(session_id))
            .exec(&state.db)
            .await?;
    }
    Ok(())
}

pub async fn me(state: &AppState, auth: &AuthUser) -> AppResult<MeResponse> {
    let company = companies::Entity::find_by_id(auth.company_id())
        .one(&state.db)
        .await?
        .ok_or_else(AppError::not_found)?;
    // API keys act for the company; their "user" is the member who created the key, if still there.
    let user = users::Entity::find_by_id(auth.user_id).one(&state.db).await?;
    let user = match user {
        Some(u) => UserDto { id: u.id, name: u.name, email: u.email, role: auth.role },
        None => UserDto {
            id: auth.user_id,
            name: "API key".into(),
            email: String::new(),
            role: auth.role,
        },
    };
    Ok(MeResponse {
        user,
        company: CompanyDto { id: company.id, name: company.name },
        csrf_token: auth.csrf_token().map(str::to_owned),
    })
}

/// Emails a reset link if the account exists; same answer either way.
pub async fn forgot_password(
    state: &AppState,
    client: &ClientInfo,
    raw_email: &str,
) -> AppResult<()> {
    state.limits.check_ip(client.ip)?;
    let email = EmailAddress::parse(raw_email, "email")?;
    state.limits.check_account(email.as_str())?;
    let txn = state.db.begin().await?;
    if let Some(user) = find_user_by_email(&txn, &email).await? {
        let token = create_email_token(&txn, user.id, RESET_PASSWORD, RESET_TTL).await?;
        let link = format!("{}/reset-password?token={token}", state.config.public_base_url());
        let lang = Lang::negotiate(&user.language);
        let message = email::compose(
            lang,
            email.as_str(),
            Key::EmailResetSubject,
            Key::EmailResetBody,
            &link,
            None,
        );
        email::enqueue(&txn, message).await?;
    }
    txn.commit().await?;
    state.jobs.notify();
    Ok(())
}

/// Sets a new password from a reset link and ends every session of that user.
///
/// # Errors
/// 400 `invalid_token` or `weak_password`.
pub async fn reset_password(state: &AppState, token: &str, new_password: String) -> AppResult<()> {
    let pending = find_email_token(&state.db, token, RESET_PASSWORD).await?;
    let user = users::Entity::find_by_id(pending.user_id)
        .one(&state.db)
        .await?
        .ok_or_else(invalid_token)?;
    password::check_strength(&new_password, &[&user.email, &user.name])?;
    let hash = hash_blocking(new_password).await?;
    let txn = state.db.begin().await?;
    consume_email_token(&txn, token, RESET_PASSWORD).await?;
    let now = db::now();
    let mut active: users::ActiveModel = user.into();
    active.password_hash = Set(hash);
    // Following the emailed link proves the address, as verification would.
    if active.email_verified_at.as_ref().is_none() {
        active.email_verified_at = Set(Some(now));
    }
    active.updated_at = Set(now);
    let user = active.update(&txn).await?;
    revoke_all_sessions(&txn, user.id).await?;
    txn.commit().await?;
    Ok(())
}

/// Changes the caller's password after checking the current one; ends all of their sessions.
///
/// # Errors
/// 400 `validation_failed` on `current_password`, `weak_password`.
pub async fn change_password(
    state: &AppState,
    auth: &AuthUser,
    current: String,
    new_password: String,
) -> AppResult<()> {
    let user = users::Entity::find_by_id(auth.user_id)
        .one(&state.db)
        .await?
        .ok_or_else(AppError::unauthenticated)?;
    if !verify_blocking(current, user.password_hash.clone()).await? {
        return Err(AppError::field("current_password", "The current password is not correct."));
    }
    password::check_strength(&new_password, &[&user.email, &user.name])?;
    let hash = hash_blocking(new_password).await?;
    let txn = state.db.begin().await?;
    let user_id = user.id;
    let mut active: users::ActiveModel = user.into();
    active.password_hash = Set(hash);
    active.updated_at = Set(db::now());
    active.update(&txn).await?;
    revoke_all_sessions(&txn, user_id).await?;
    audit::record(&txn, auth.tenant(), AuditEntry::new(Some(user_id), "user.password_changed"))
        .await?;
    txn.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------

pub async fn find_user_by_email<C: ConnectionTrait>(
    conn: &C,
    email: &EmailAddress,
) -> AppResult<Option<users::Model>> {
    Ok(users::Entity::find().filter(users::Column::Email.eq(email.as_str())).one(conn).await?)
}

/// Ends every session of a user, in every company (password changed or reset).
pub async fn revoke_all_sessions<C: ConnectionTrait>(conn: &C, user_id: Uuid) -> AppResult<()> {
    sessions::Entity::update_many()
        .col_expr(sessions::Column::RevokedAt, sea_orm::sea_query::Expr::value(db::now()))
        .filter(sessions::Column::UserId.eq(user_id))
        .filter(sessions::Column::RevokedAt.is_null())
        .exec(conn)
        .await?;
    Ok(())
}

async fn create_email_token<C: ConnectionTrait>(
    conn: &C,
    user_id: Uuid,
    purpose: &str,
    ttl: TimeDelta,
) -> AppResult<String> {
    let token = random_token();
    let now = db::now();
    email_tokens::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user_id),
        purpose: Set(purpose.to_owned()),
        token_hash: Set(hash_token(&token)),
        created_at: Set(now),
        expires_at: Set(now + ttl),
        used_at: Set(None),
    }
    .insert(conn)
    .await?;
    Ok(token)
}

async fn find_email_token<C: ConnectionTrait>(
    conn: &C,
    token: &str,
    purpose: &str,
) -> AppResult<email_tokens::Model> {
    email_tokens::Entity::find()
        .filter(email_tokens::Column::TokenHash.eq(hash_token(token.trim())))
        .filter(email_tokens::Column::Purpose.eq(purpose))
        .filter(email_tokens::Column::UsedAt.is_null())
        .filter(email_tokens::Column::ExpiresAt.gt(db::now()))
        .one(conn)
        .await?
        .ok_or_else(invalid_token)
}

/// Marks a token used; the conditional update makes a token single-use even under a race.
async fn consume_email_token<C: ConnectionTrait>(
    conn: &C,
    token: &str,
    purpose: &str,
) -> AppResult<email_tokens::Model> {
    let row = find_email_token(conn, token, purpose).await?;
    let result = email_tokens::Entity::update_many()
        .col_expr(email_tokens::Column::UsedAt, sea_orm::sea_query::Expr::value(db::now()))
        .filter(email_tokens::Column::Id.eq(row.id))
        .filter(email_tokens::Column::UsedAt.is_null())
        .exec(conn)
        .await?;
    if result.rows_affected != 1 {
        return Err(invalid_token());
    }
    Ok(row)
}

/// Argon2 is deliberately slow; keep it off the async executor threads.
pub async fn hash_blocking(password: String) -> AppResult<String> {
    tokio::task::spawn_blocking(move || password::hash(&password))
        .await
        .map_err(|e| AppError::internal(format!("hash task: {e}")))?
}

pub async fn verify_blocking(password: String, hash: String) -> AppResult<bool> {
    tokio::task::spawn_blocking(move || password::verify(&password, &hash))
        .await
        .map_err(|e| AppError::internal(format!("verify task: {e}")))
}

fn email_taken() -> AppError {
    AppError::new(
        ErrorCode::EmailTaken,
        "An account with this email already exists. Log in instead.",
    )
    .with_field("email")
}

fn invalid_credentials() -> AppError {
    AppError::new(ErrorCode::InvalidCredentials, "Email or password is incorrect.")
}

pub fn invalid_token() -> AppError {
    AppError::new(
        ErrorCode::InvalidToken,
        "This link is invalid or has expired. Ask for a new one.",
    )
}
