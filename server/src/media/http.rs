//! `GET /api/v1/messages/{id}/media` and `POST /api/v1/conversations/{id}/media`.

use axum::{
    body::{Body, Bytes},
    extract::{Path, Query, State},
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use shared::api::MediaUploadDto;
use uuid::Uuid;

use super::domain;
use crate::{
    auth::AuthUser,
    error::{AppJson, AppResult},
    state::AppState,
};

/// A message's media (images, audio, video, documents, stickers), for members of its company.
#[utoipa::path(get, path = "/api/v1/messages/{id}/media", tag = "inbox",
    responses((status = 200, description = "The file, with its type"), (status = 404, body = shared::ApiErrorBody)))]
pub async fn download(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let file = domain::read(&state, &auth, id).await?;
    // Pictures, sound and video play in the page; anything else downloads, and nothing a
    // customer sent may run as a page of ours.
    let inline = ["image/jpeg", "image/png", "image/webp", "audio/", "video/"]
        .iter()
        .any(|prefix| file.mime_type.starts_with(prefix));
    let name = file.filename.unwrap_or_else(|| format!("{id}"));
    let safe_name: String =
        name.chars().filter(|c| !c.is_control() && *c != '"' && *c != '\\').collect();
    let disposition =
        format!("{}; filename=\"{safe_name}\"", if inline { "inline" } else { "attachment" });
    let content_type =
        if inline { file.mime_type.clone() } else { "application/octet-stream".to_owned() };
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, content_type),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "private, max-age=3600".to_owned()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
            (header::CONTENT_SECURITY_POLICY, "default-src 'none'; sandbox".to_owned()),
        ],
        Body::from(file.bytes),
    )
        .into_response())
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct UploadParams {
    /// The name the customer sees (documents).
    pub filename: Option<String>,
}

/// Upload a file for a reply (body: the file, `Content-Type`: its type; up to 100 MB). Send it
/// with `{"media": {"kind": ..., "media_id": ...}}`.
#[utoipa::path(post, path = "/api/v1/conversations/{id}/media", tag = "inbox", params(UploadParams),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = MediaUploadDto), (status = 404, body = shared::ApiErrorBody),
        (status = 413, body = shared::ApiErrorBody), (status = 415, body = shared::ApiErrorBody),
        (status = 502, body = shared::ApiErrorBody)))]
pub async fn upload(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<Uuid>,
    Query(params): Query<UploadParams>,
    headers: HeaderMap,
    body: Bytes,
) -> AppResult<(StatusCode, AppJson<MediaUploadDto>)> {
    let mime_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let filename = params
        .filename
        .map(|f| f.trim().chars().filter(|c| !c.is_control()).take(240).collect::<String>())
        .filter(|f| !f.is_empty());
    let uploaded = domain::upload(&state, &auth, id, mime_type, filename, body).await?;
    Ok((StatusCode::CREATED, AppJson(uploaded)))
}
