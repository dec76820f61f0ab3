//! `GET/POST /api/webhooks/meta/{slug}`: Meta's verification handshake and deliveries.

use axum::{
    body::Bytes,
    extract::{Path, Query, State},
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set, TransactionTrait, TryInsertResult};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use shared::ErrorCode;
use subtle::ConstantTimeEq;
use uuid::Uuid;

use super::processor::{ProcessWebhook, PROCESS_WEBHOOK_JOB};
use crate::{
    channels::whatsapp_cloud::signature,
    connections::domain::cloud_secrets,
    db::{
        self,
        entities::{connections, webhook_inbox},
    },
    error::{AppError, AppResult},
    jobs::{self, NewJob},
    state::AppState,
};

#[derive(Debug, Deserialize)]
pub struct Handshake {
    #[serde(rename = "hub.mode")]
    mode: Option<String>,
    #[serde(rename = "hub.verify_token")]
    verify_token: Option<String>,
    #[serde(rename = "hub.challenge")]
    challenge: Option<String>,
}

/// Meta's subscription check: echo `hub.challenge` when the verify token is the connection's.
/// Unknown slug → 404; wrong mode or token → 403.
pub async fn verify(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(handshake): Query<Handshake>,
) -> AppResult<Response> {
    let connection = by_slug(&state, &slug).await?;
    let secrets = cloud_secrets(&state.keyring, &connection)?;
    let token_matches = handshake
        .verify_token
        .as_deref()
        .is_some_and(|t| bool::from(t.as_bytes().ct_eq(secrets.verify_token.as_bytes())));
    match (handshake.mode.as_deref(), token_matches, handshake.challenge) {
        (Some("subscribe"), true, Some(challenge)) => {
            tracing::info!(connection_id = %connection.id, "Meta webhook subscription verified");
            Ok(([(header::CONTENT_TYPE, "text/plain")], challenge).into_response())
        }
        _ => Err(AppError::new(
            ErrorCode::Forbidden,
            "The verify token does not match this connection's (or hub.mode is not subscribe).",
        )),
    }
}

/// A delivery: signature checked over the raw bytes, stored once (a re-delivered body is the
/// same row), a processing job enqueued in the same transaction, then 200.
pub async fn receive(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> AppResult<StatusCode> {
    let connection = by_slug(&state, &slug).await?;
    let secrets = cloud_secrets(&state.keyring, &connection)?;
    let header = headers.get("x-hub-signature-256").and_then(|v| v.to_str().ok());
    if !signature::verify(secrets.app_secret.as_bytes(), &body, header) {
        metrics::counter!("master_ia_webhooks_rejected_total", "provider" => "meta").increment(1);
        return Err(AppError::new(
            ErrorCode::InvalidSignature,
            "X-Hub-Signature-256 is missing or does not match this connection's app secret.",
        ));
    }
    let Ok(text) = std::str::from_utf8(&body) else {
        return Err(AppError::new(ErrorCode::BadRequest, "The body is not UTF-8 JSON."));
    };

    let mut hasher = Sha256::new();
    hasher.update(connection.id.as_bytes());
    hasher.update(&body);
    let dedup_key = hex::encode(hasher.finalize());
    let inbox_id = Uuid::now_v7();
    let txn = state.db.begin().await?;
    let inserted = webhook_inbox::Entity::insert(webhook_inbox::ActiveModel {
        id: Set(inbox_id),
        company_id: Set(connection.company_id),
        connection_id: Set(connection.id),
        provider: Set("meta".to_owned()),
        dedup_key: Set(dedup_key),
        body: Set(text.to_owned()),
        status: Set("pending".to_owned()),
        outcome: Set(None),
        received_at: Set(db::now()),
        processed_at: Set(None),
    })
    .on_conflict_do_nothing_on([webhook_inbox::Column::DedupKey])
    .exec_without_returning(&txn)
    .await?;
    if matches!(inserted, TryInsertResult::Inserted(n) if n > 0) {
        jobs::enqueue(
            &txn,
            NewJob::new(PROCESS_WEBHOOK_JOB, serde_json::json!(ProcessWebhook { inbox_id }))
                .for_company(connection.company_id),
        )
        .await?;
        txn.commit().await?;
        state.jobs.notify();
        metrics::counter!("master_ia_webhooks_accepted_total", "provider" => "meta").increment(1);
    } else {
        txn.rollback().await?;
        metrics::counter!("master_ia_webhooks_duplicate_total", "provider" => "meta").increment(1);
    }
    Ok(StatusCode::OK)
}

async fn by_slug(state: &AppState, slug: &str) -> AppResult<connections::Model> {
    // Slugs are 43 URL-safe characters; anything else cannot be one.
    if slug.len() > 64 {
        return Err(AppError::not_found());
    }
    connections::Entity::find()
        .filter(connections::Column::WebhookSlug.eq(slug))
        .filter(connections::Column::DeletedAt.is_null())
        .one(&state.db)
        .await?
        .ok_or_else(AppError::not_found)
}
