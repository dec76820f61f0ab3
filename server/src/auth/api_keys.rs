//! API keys for integrators: `mia_<prefix>_<secret>`. The prefix is stored in clear to find the
//! row; the whole key is stored only as a SHA-256 hash and shown once, at creation.

use rand::{distributions::Alphanumeric, rngs::OsRng, Rng};
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionTrait,
};
use shared::{
    api::{ApiKeyDto, CreatedApiKey, Page},
    ServerEvent,
};
use uuid::Uuid;

use super::{
    extract::AuthUser,
    tokens::{hash_token, random_token, secure_eq},
};
use crate::{
    audit::{self, AuditEntry},
    db::{self, entities::api_keys},
    error::{AppError, AppResult},
    pagination::{page, PageParams},
    state::AppState,
    types::DisplayName,
};

const KEY_PREFIX: &str = "mia_";

fn to_dto(row: api_keys::Model) -> ApiKeyDto {
    ApiKeyDto {
        id: row.id,
        name: row.name,
        prefix: format!("{KEY_PREFIX}{}", row.prefix),
        created_by: row.created_by,
        created_at: row.created_at,
        last_used_at: row.last_used_at,
    }
}

/// # Errors
/// 403 for agents, `validation_failed` on `name`.
#[tracing::instrument(skip_all, fields(company_id = %auth.company_id()))]
pub async fn create(state: &AppState, auth: &AuthUser, raw_name: &str) -> AppResult<CreatedApiKey> {
    auth.require_admin()?;
    let name = DisplayName::parse(raw_name, "name")?;
    let prefix: String = OsRng.sample_iter(&Alphanumeric).take(12).map(char::from).collect();
    let key = format!("{KEY_PREFIX}{prefix}_{}", random_token());
    let now = db::now();
    let id = Uuid::now_v7();
    let txn = state.db.begin().await?;
    api_keys::ActiveModel {
        id: Set(id),
        company_id: Set(auth.company_id()),
        name: Set(name.as_str().to_owned()),
        prefix: Set(prefix.clone()),
        key_hash: Set(hash_token(&key)),
        created_by: Set(Some(auth.user_id).filter(|id| !id.is_nil())),
        created_at: Set(now),
        last_used_at: Set(None),
        revoked_at: Set(None),
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        auth.tenant(),
        AuditEntry::new(Some(auth.user_id), "api_key.created").target("api_key", id),
    )
    .await?;
    txn.commit().await?;
    state
        .events
        .publish(auth.company_id(), ServerEvent::ApiKeysChanged { by_user_id: Some(auth.user_id) });
    Ok(CreatedApiKey {
        id,
        name: name.into_inner(),
        prefix: format!("{KEY_PREFIX}{prefix}"),
        key,
        created_at: now,
    })
}

#[tracing::instrument(skip_all, fields(company_id = %auth.company_id()))]
pub async fn list(
    state: &AppState,
    auth: &AuthUser,
    params: &PageParams,
) -> AppResult<Page<ApiKeyDto>> {
    let limit = params.limit();
    let mut query = auth
        .tenant()
        .select::<api_keys::Entity>()
        .filter(api_keys::Column::RevokedAt.is_null())
        .order_by_asc(api_keys::Column::Id)
        .limit(limit + 1);
    if let Some(cursor) = params.cursor()? {
        query = query.filter(api_keys::Column::Id.gt(cursor));
    }
    let rows = query.all(&state.db).await?;
    Ok(page(rows.into_iter().map(to_dto).collect(), limit, |k| k.id))
}

/// # Errors
/// 403 for agents; 404 for an unknown key or one of another company.
#[tracing::instrument(skip_all, fields(company_id = %auth.company_id()))]
pub async fn revoke(state: &AppState, auth: &AuthUser, id: Uuid) -> AppResult<()> {
    auth.require_admin()?;
    let txn = state.db.begin().await?;
    let result = auth
        .tenant()
        .update_many::<api_keys::Entity>()
        .col_expr(api_keys::Column::RevokedAt, Expr::value(db::now()))
        .filter(api_keys::Column::Id.eq(id))
        .filter(api_keys::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?;
    if result.rows_affected == 0 {
        return Err(AppError::not_found());
    }
    audit::record(
        &txn,
        auth.tenant(),
        AuditEntry::new(Some(auth.user_id), "api_key.revoked").target("api_key", id),
    )
    .await?;
    txn.commit().await?;
    state
        .events
        .publish(auth.company_id(), ServerEvent::ApiKeysChanged { by_user_id: Some(auth.user_id) });
    Ok(())
}

/// Finds the live key row for a presented key, recording its use (at most once a minute).
pub async fn authenticate(
    db: &DatabaseConnection,
    key: &str,
) -> AppResult<Option<api_keys::Model>> {
    let Some(rest) = key.strip_prefix(KEY_PREFIX) else { return Ok(None) };
    let Some((prefix, _secret)) = rest.split_once('_') else { return Ok(None) };
    if prefix.len() != 12 || !prefix.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Ok(None);
    }
    let Some(row) = api_keys::Entity::find()
        .filter(api_keys::Column::Prefix.eq(prefix))
        .filter(api_keys::Column::RevokedAt.is_null())
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    if !secure_eq(&hash_token(key), &row.key_hash) {
        return Ok(None);
    }
    let now = db::now();
    if row.last_used_at.is_none_or(|t| now - t > chrono::TimeDelta::minutes(1)) {
        api_keys::Entity::update_many()
            .col_expr(api_keys::Column::LastUsedAt, Expr::value(now))
            .filter(api_keys::Column::Id.eq(row.id))
            .exec(db)
            .await?;
    }
    Ok(Some(row))
}
