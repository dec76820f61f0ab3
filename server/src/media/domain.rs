//! Reading a message's media (tenant-checked) and uploading a file for a reply.

use bytes::Bytes;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::Value;
use shared::{
    api::{MediaKind, MediaUploadDto},
    ErrorCode,
};
use uuid::Uuid;

use super::{fetch::MAX_MEDIA_BYTES, MediaStore};
use crate::{
    auth::AuthUser,
    connections::domain::cloud_credentials,
    db::entities::{connections, conversations, messages},
    error::{AppError, AppResult},
    state::AppState,
};

/// A stored file and how to serve it.
pub struct MediaFile {
    pub bytes: Bytes,
    pub mime_type: String,
    pub filename: Option<String>,
}

/// The media of a message of the caller's company.
///
/// # Errors
/// 404 when the message is another company's, has no media, or it is not stored (yet).
pub async fn read(state: &AppState, auth: &AuthUser, message_id: Uuid) -> AppResult<MediaFile> {
    let message = auth
        .tenant()
        .select_by_id::<messages::Entity>(message_id)
        .one(&state.db)
        .await?
        .ok_or_else(AppError::not_found)?;
    let stored = message.payload.get("stored").ok_or_else(|| {
        AppError::new(ErrorCode::NotFound, "This message's media is not available (yet).")
    })?;
    let key = stored.get("key").and_then(Value::as_str).ok_or_else(AppError::not_found)?;
    // The key names its company; a row can only point inside its own.
    if !key.starts_with(&format!("companies/{}/", message.company_id)) {
        return Err(AppError::not_found());
    }
    let bytes =
        state.media.get(key).await.map_err(AppError::internal)?.ok_or_else(AppError::not_found)?;
    let mime_type = stored
        .get("mime_type")
        .and_then(Value::as_str)
        .unwrap_or("application/octet-stream")
        .to_owned();
    let filename = message.payload.get("filename").and_then(Value::as_str).map(str::to_owned);
    Ok(MediaFile { bytes, mime_type, filename })
}

/// What WhatsApp calls a file of this type, or why it cannot be sent.
pub fn kind_of(mime_type: &str) -> AppResult<MediaKind> {
    let kind = match mime_type {
        "image/jpeg" | "image/png" => MediaKind::Image,
        "image/webp" => MediaKind::Sticker,
        "audio/aac" | "audio/amr" | "audio/mpeg" | "audio/mp4" | "audio/ogg" => MediaKind::Audio,
        "video/mp4" | "video/3gpp" => MediaKind::Video,
        "text/plain" | "application/pdf" | "application/msword"
        | "application/vnd.ms-excel" | "application/vnd.ms-powerpoint"
        | "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        | "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        | "application/vnd.openxmlformats-officedocument.presentationml.presentation" => MediaKind::Document,
        other => {
            return Err(AppError::new(
                ErrorCode::UnsupportedMediaType,
                format!("WhatsApp does not accept {other:?} files. Send JPEG/PNG images, MP4 video, AAC/MP3/OGG audio, or PDF/Office/text documents."),
            ))
        }
    };
    Ok(kind)
}

/// Uploads a file to the conversation's provider for a reply, keeping a copy so the thread can
/// show it.
///
/// # Errors
/// 404, 413 over 100 MB, 415 for a type WhatsApp refuses, 502 `provider_error`.
pub async fn upload(
    state: &AppState,
    auth: &AuthUser,
    conversation_id: Uuid,
    mime_type: &str,
    filename: Option<String>,
    bytes: Bytes,
) -> AppResult<MediaUploadDto> {
    let tenant = auth.tenant();
    let conversation = tenant
        .select_by_id::<conversations::Entity>(conversation_id)
        .one(&state.db)
        .await?
        .ok_or_else(AppError::not_found)?;
    let mime_type = mime_type.split(';').next().unwrap_or("").trim().to_lowercase();
    let kind = kind_of(&mime_type)?;
    if bytes.is_empty() {
        return Err(AppError::new(ErrorCode::BadRequest, "The file is empty."));
    }
    if bytes.len() > MAX_MEDIA_BYTES {
        return Err(AppError::new(
            ErrorCode::PayloadTooLarge,
            "WhatsApp accepts files up to 100 MB.",
        ));
    }
    let connection = connections::Entity::find_by_id(conversation.connection_id)
        .filter(connections::Column::DeletedAt.is_null())
        .one(&state.db)
        .await?
        .ok_or_else(|| {
            AppError::new(ErrorCode::Conflict, "This conversation's connection was removed.")
        })?;
    let credentials = cloud_credentials(&state.keyring, &connection)?;
    let name = filename
        .clone()
        .unwrap_or_else(|| format!("file.{}", mime_type.rsplit('/').next().unwrap_or("bin")));
    let size = bytes.len() as u64;
    let media_id = state
        .graph
        .upload_media(&credentials, bytes.clone(), &mime_type, &name)
        .await
        .map_err(|err| AppError::new(ErrorCode::ProviderError, err.plain_words()))?;
    let key = MediaStore::upload_key(tenant.company_id(), &media_id);
    state.media.put(&key, bytes).await.map_err(AppError::internal)?;
    // The type travels beside the file: a later send only names the media id.
    state
        .media
        .put(&format!("{key}.type"), Bytes::from(mime_type.clone()))
        .await
        .map_err(AppError::internal)?;
    Ok(MediaUploadDto { media_id, kind, mime_type, size, filename })
}
