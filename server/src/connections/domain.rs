//! Connections: create, change, check and remove a channel; open its secrets for the code that
//! talks to the provider.
//!
//! Secrets (access token, app secret, verify token) are sealed with the keyring as one JSON
//! document before they reach the database and are never part of a response or a log line.
//! Settings a person may read (phone number id, WABA id) live in `settings` beside them.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, QueryFilter, QueryOrder, Set, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use shared::{
    api::{
        ConnectionDto, ConnectionKind, ConnectionStatus, ConnectionTestResult,
        CreateConnectionRequest, UpdateConnectionRequest,
    },
    ErrorCode, ServerEvent,
};
use uuid::Uuid;

use crate::{
    audit::{self, AuditEntry},
    auth::{tokens::random_token, AuthUser},
    channels::whatsapp_cloud::{CloudCredentials, PhoneNumberInfo},
    config::Secret,
    crypto::Keyring,
    db::{self, entities::connections, Tenant},
    error::{AppError, AppResult},
    state::AppState,
};

/// The sealed part of a WhatsApp Cloud connection.
#[derive(Clone, Serialize, Deserialize)]
pub struct CloudSecrets {
    pub access_token: String,
    pub app_secret: String,
    pub verify_token: String,
}

impl std::fmt::Debug for CloudSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CloudSecrets([redacted])")
    }
}

/// The readable settings of a WhatsApp Cloud connection.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CloudSettings {
    pub phone_number_id: String,
    pub waba_id: String,
}

impl CloudSettings {
    pub fn of(model: &connections::Model) -> CloudSettings {
        serde_json::from_value(model.settings.clone()).unwrap_or_default()
    }
}

/// Opens a connection's secrets.
///
/// # Errors
/// Internal when the sealed value cannot be opened (a lost key): logged, never shown.
pub fn cloud_secrets(keyring: &Keyring, model: &connections::Model) -> AppResult<CloudSecrets> {
    let opened = keyring.open(&model.secrets).map_err(AppError::internal)?;
    serde_json::from_str(opened.expose()).map_err(AppError::internal)
}

/// What the Graph client needs for this connection.
///
/// # Errors
/// As [`cloud_secrets`].
pub fn cloud_credentials(
    keyring: &Keyring,
    model: &connections::Model,
) -> AppResult<CloudCredentials> {
    let settings = CloudSettings::of(model);
    let secrets = cloud_secrets(keyring, model)?;
    Ok(CloudCredentials {
        phone_number_id: settings.phone_number_id,
        waba_id: settings.waba_id,
        access_token: Secret::new(secrets.access_token),
    })
}

pub fn webhook_url(state: &AppState, model: &connections::Model) -> String {
    format!("{}/api/webhooks/meta/{}", state.config.public_base_url(), model.webhook_slug)
}

pub fn to_dto(state: &AppState, model: &connections::Model) -> ConnectionDto {
    let settings = CloudSettings::of(model);
    let info = &model.provider_info;
    let text = |key: &str| info.get(key).and_then(Value::as_str).map(str::to_owned);
    ConnectionDto {
        id: model.id,
        kind: ConnectionKind::parse(&model.kind).unwrap_or(ConnectionKind::WhatsappCloud),
        name: model.name.clone(),
        status: ConnectionStatus::parse(&model.status),
        webhook_url: webhook_url(state, model),
        phone_number_id: Some(settings.phone_number_id).filter(|s| !s.is_empty()),
        waba_id: Some(settings.waba_id).filter(|s| !s.is_empty()),
        display_phone_number: text("display_phone_number"),
        verified_name: text("verified_name"),
        quality_rating: text("quality_rating"),
        last_error: model.last_error.clone(),
        last_checked_at: model.last_checked_at,
        default_persona_id: model.default_persona_id,
        created_at: model.created_at,
        updated_at: model.updated_at,
    }
}

/// Every live connection of the company, oldest first.
pub async fn list(state: &AppState, auth: &AuthUser) -> AppResult<Vec<ConnectionDto>> {
    let rows = auth
        .tenant()
        .select::<connections::Entity>()
        .filter(connections::Column::DeletedAt.is_null())
        .order_by_asc(connections::Column::CreatedAt)
        .all(&state.db)
        .await?;
    Ok(rows.iter().map(|row| to_dto(state, row)).collect())
}

pub async fn get(state: &AppState, auth: &AuthUser, id: Uuid) -> AppResult<ConnectionDto> {
    Ok(to_dto(state, &find_live(&state.db, auth.tenant(), id).await?))
}

/// A live connection of the company, or 404.
pub async fn find_live<C: ConnectionTrait>(
    conn: &C,
    tenant: Tenant,
    id: Uuid,
) -> AppResult<connections::Model> {
    tenant
        .select_by_id::<connections::Entity>(id)
        .filter(connections::Column::DeletedAt.is_null())
        .one(conn)
        .await?
        .ok_or_else(AppError::not_found)
}

/// # Errors
/// 403 for agents, `validation_failed` with the field, 409 `conflict` when the number is
/// already connected in this company.
#[tracing::instrument(skip_all, fields(company_id = %auth.company_id()))]
pub async fn create(
    state: &AppState,
    auth: &AuthUser,
    req: CreateConnectionRequest,
) -> AppResult<ConnectionDto> {
    auth.require_admin()?;
    let tenant = auth.tenant();
    let CreateConnectionRequest::WhatsappCloud {
        name,
        phone_number_id,
        waba_id,
        access_token,
        app_secret,
        verify_token,
    } = req;
    let name = valid_name(&name)?;
    let settings = CloudSettings {
        phone_number_id: graph_id("phone_number_id", &phone_number_id)?,
        waba_id: graph_id("waba_id", &waba_id)?,
    };
    let secrets = CloudSecrets {
        access_token: secret("access_token", &access_token)?,
        app_secret: secret("app_secret", &app_secret)?,
        verify_token: secret("verify_token", &verify_token)?,
    };
    let txn = state.db.begin().await?;
    ensure_number_free(&txn, tenant, &settings.phone_number_id, None).await?;
    let now = db::now();
    let row = connections::ActiveModel {
        id: Set(Uuid::now_v7()),
        company_id: Set(tenant.company_id()),
        kind: Set(ConnectionKind::WhatsappCloud.as_str().to_owned()),
        name: Set(name),
        status: Set(ConnectionStatus::Pending.as_str().to_owned()),
        webhook_slug: Set(random_token()),
        settings: Set(json!(settings)),
        provider_info: Set(json!({})),
        secrets: Set(seal(&state.keyring, &secrets)?),
        last_error: Set(None),
        last_checked_at: Set(None),
        default_persona_id: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        deleted_at: Set(None),
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        tenant,
        AuditEntry::new(Some(auth.user_id), "connection.created")
            .target("connection", row.id)
            .meta(json!({"kind": row.kind, "phone_number_id": settings.phone_number_id})),
    )
    .await?;
    txn.commit().await?;
    changed(state, auth);
    Ok(to_dto(state, &row))
}

/// # Errors
/// 403 for agents, 404, `validation_failed`, 409 `conflict`.
#[tracing::instrument(skip_all, fields(company_id = %auth.company_id()))]
pub async fn update(
    state: &AppState,
    auth: &AuthUser,
    id: Uuid,
    req: UpdateConnectionRequest,
) -> AppResult<ConnectionDto> {
    auth.require_admin()?;
    let tenant = auth.tenant();
    let txn = state.db.begin().await?;
    let current = find_live(&txn, tenant, id).await?;
    let mut settings = CloudSettings::of(&current);
    let mut secrets = cloud_secrets(&state.keyring, &current)?;
    let mut active: connections::ActiveModel = current.clone().into();
    if let Some(name) = &req.name {
        active.name = Set(valid_name(name)?);
    }
    let mut needs_check = false;
    if let Some(raw) = &req.phone_number_id {
        let parsed = graph_id("phone_number_id", raw)?;
        if parsed != settings.phone_number_id {
            ensure_number_free(&txn, tenant, &parsed, Some(id)).await?;
            settings.phone_number_id = parsed;
            needs_check = true;
        }
    }
    if let Some(raw) = &req.waba_id {
        let parsed = graph_id("waba_id", raw)?;
        needs_check |= parsed != settings.waba_id;
        settings.waba_id = parsed;
    }
    // An empty secret means "keep the stored one" (the form never shows it).
    for (field, value, slot) in [
        ("access_token", &req.access_token, &mut secrets.access_token),
        ("app_secret", &req.app_secret, &mut secrets.app_secret),
        ("verify_token", &req.verify_token, &mut secrets.verify_token),
    ] {
        if let Some(raw) = value.as_deref().filter(|v| !v.trim().is_empty()) {
            *slot = secret(field, raw)?;
            needs_check |= field == "access_token";
        }
    }
    if let Some(persona_id) = req.default_persona_id {
        if let Some(persona_id) = persona_id {
            crate::ai::personas::find(&txn, tenant, persona_id).await.map_err(|_| {
                AppError::field("default_persona_id", "Choose one of your company's personas.")
            })?;
        }
        active.default_persona_id = Set(persona_id);
    }
    active.settings = Set(json!(settings));
    active.secrets = Set(seal(&state.keyring, &secrets)?);
    if needs_check {
        // What we learned no longer describes this number and token.
        active.status = Set(ConnectionStatus::Pending.as_str().to_owned());
        active.provider_info = Set(json!({}));
        active.last_error = Set(None);
    }
    active.updated_at = Set(db::now());
    let row = active.update(&txn).await?;
    audit::record(
        &txn,
        tenant,
        AuditEntry::new(Some(auth.user_id), "connection.updated").target("connection", id),
    )
    .await?;
    txn.commit().await?;
    changed(state, auth);
    Ok(to_dto(state, &row))
}

/// Soft delete: conversations and messages keep their connection; webhooks to its URL are
/// refused from now on.
///
/// # Errors
/// 403 for agents, 404.
#[tracing::instrument(skip_all, fields(company_id = %auth.company_id()))]
pub async fn delete(state: &AppState, auth: &AuthUser, id: Uuid) -> AppResult<()> {
    auth.require_admin()?;
    let tenant = auth.tenant();
    let txn = state.db.begin().await?;
    let current = find_live(&txn, tenant, id).await?;
    let mut active: connections::ActiveModel = current.into();
    let now = db::now();
    active.deleted_at = Set(Some(now));
    active.updated_at = Set(now);
    active.update(&txn).await?;
    audit::record(
        &txn,
        tenant,
        AuditEntry::new(Some(auth.user_id), "connection.deleted").target("connection", id),
    )
    .await?;
    txn.commit().await?;
    changed(state, auth);
    Ok(())
}

/// Asks Meta about the number with the stored token and records the answer: display number,
/// verified name and quality rating, or the refusal in plain words.
///
/// # Errors
/// 403 for agents, 404. A refusal by Meta is not an error of this call: `ok` is false.
#[tracing::instrument(skip_all, fields(company_id = %auth.company_id()))]
pub async fn test(state: &AppState, auth: &AuthUser, id: Uuid) -> AppResult<ConnectionTestResult> {
    auth.require_admin()?;
    let tenant = auth.tenant();
    let current = find_live(&state.db, tenant, id).await?;
    let credentials = cloud_credentials(&state.keyring, &current)?;
    let answer = state.graph.phone_number(&credentials).await;
    let mut active: connections::ActiveModel = current.into();
    let now = db::now();
    active.last_checked_at = Set(Some(now));
    active.updated_at = Set(now);
    let error = match answer {
        Ok(info) => {
            active.status = Set(ConnectionStatus::Connected.as_str().to_owned());
            active.provider_info = Set(provider_info(&info));
            active.last_error = Set(None);
            None
        }
        Err(err) => {
            tracing::info!(connection_id = %id, error = %err, "connection check failed");
            let words = err.plain_words();
            active.status = Set(ConnectionStatus::Error.as_str().to_owned());
            active.last_error = Set(Some(words.clone()));
            Some(words)
        }
    };
    let row = active.update(&state.db).await?;
    changed(state, auth);
    Ok(ConnectionTestResult { ok: error.is_none(), error, connection: to_dto(state, &row) })
}

fn provider_info(info: &PhoneNumberInfo) -> Value {
    json!({
        "display_phone_number": info.display_phone_number,
        "verified_name": info.verified_name,
        "quality_rating": info.quality_rating,
    })
}

fn changed(state: &AppState, auth: &AuthUser) {
    state.events.publish(
        auth.company_id(),
        ServerEvent::ConnectionsChanged { by_user_id: Some(auth.user_id) },
    );
}

fn seal(keyring: &Keyring, secrets: &CloudSecrets) -> AppResult<String> {
    let plain = serde_json::to_string(secrets).map_err(AppError::internal)?;
    keyring.seal(&plain).map_err(AppError::internal)
}

async fn ensure_number_free<C: ConnectionTrait>(
    conn: &C,
    tenant: Tenant,
    phone_number_id: &str,
    except: Option<Uuid>,
) -> AppResult<()> {
    let live = tenant
        .select::<connections::Entity>()
        .filter(connections::Column::DeletedAt.is_null())
        .filter(connections::Column::Kind.eq(ConnectionKind::WhatsappCloud.as_str()))
        .all(conn)
        .await?;
    if let Some(other) = live
        .iter()
        .find(|c| Some(c.id) != except && CloudSettings::of(c).phone_number_id == phone_number_id)
    {
        return Err(AppError::new(
            ErrorCode::Conflict,
            format!("This phone number id is already connected as {:?}.", other.name),
        )
        .with_field("phone_number_id"));
    }
    Ok(())
}

fn valid_name(raw: &str) -> AppResult<String> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(AppError::field("name", "Give the connection a name, e.g. \"Sales number\"."));
    }
    if name.chars().count() > 120 {
        return Err(AppError::field("name", "Keep the name under 120 characters."));
    }
    Ok(name.to_owned())
}

/// Meta's ids are numbers (kept as text: they exceed what JSON numbers hold safely).
fn graph_id(field: &str, raw: &str) -> AppResult<String> {
    let id = raw.trim();
    if id.is_empty() || id.len() > 64 || !id.bytes().all(|b| b.is_ascii_digit()) {
        let what =
            if field == "waba_id" { "WhatsApp Business Account id" } else { "phone number id" };
        return Err(AppError::field(
            field,
            format!("The {what} is the number shown in Meta's WhatsApp Manager (API Setup), digits only."),
        ));
    }
    Ok(id.to_owned())
}

fn secret(field: &str, raw: &str) -> AppResult<String> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(AppError::field(field, "This field is required."));
    }
    if value.len() > 2048 || value.chars().any(char::is_whitespace) {
        return Err(AppError::field(field, "Paste the value without spaces or line breaks."));
    }
    Ok(value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_secrets_are_checked_with_a_reason() {
        assert_eq!(graph_id("waba_id", " 1234567890 ").unwrap(), "1234567890");
        for bad in ["", "12a4", "../1234", "1234?fields=x"] {
            let err = graph_id("phone_number_id", bad).unwrap_err();
            assert_eq!(err.code(), ErrorCode::ValidationFailed, "{bad}");
        }
        assert!(secret("access_token", "EAAG token").is_err());
        assert_eq!(secret("app_secret", " abc ").unwrap(), "abc");
        assert!(format!(
            "{:?}",
            CloudSecrets {
                access_token: "EAAG".into(),
                app_secret: "s".into(),
                verify_token: "v".into()
            }
        )
        .contains("redacted"));
    }
}
