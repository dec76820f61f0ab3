//! One error type for the whole server, with the stable codes of `shared::ErrorCode`, turned into
//! `{"error": {"code", "message", "field"?}}` in exactly one place.

use axum::{
    extract::{rejection::JsonRejection, FromRequest, Request},
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use serde::{de::DeserializeOwned, Serialize};
use shared::{ApiError, ApiErrorBody, ErrorCode};

pub type AppResult<T> = Result<T, AppError>;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A client mistake with a code and a message a person understands.
    #[error("{code}: {message}")]
    Client { code: ErrorCode, message: String, field: Option<String> },
    /// A database failure; the chain is logged, the client sees `internal`.
    #[error("database error: {0}")]
    Db(#[from] sea_orm::DbErr),
    /// Any other failure on our side.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        AppError::Client { code, message: message.into(), field: None }
    }

    /// A `validation_failed` error about one request field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        AppError::Client {
            code: ErrorCode::ValidationFailed,
            message: message.into(),
            field: Some(field.to_owned()),
        }
    }

    pub fn with_field(self, name: &str) -> Self {
        match self {
            AppError::Client { code, message, .. } => {
                AppError::Client { code, message, field: Some(name.to_owned()) }
            }
            other => other,
        }
    }

    pub fn not_found() -> Self {
        AppError::new(ErrorCode::NotFound, "Not found.")
    }

    pub fn unauthenticated() -> Self {
        AppError::new(
            ErrorCode::Unauthenticated,
            "Authentication required: log in or send an API key.",
        )
    }

    pub fn forbidden() -> Self {
        AppError::new(ErrorCode::Forbidden, "Your role does not allow this action.")
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            AppError::Client { code, .. } => *code,
            AppError::Db(_) | AppError::Internal(_) => ErrorCode::Internal,
        }
    }

    /// The sentence of a client error (for places that report it inline, like an import's
    /// rejected lines); `None` for our own failures.
    pub fn client_message(&self) -> Option<&str> {
        match self {
            AppError::Client { message, .. } => Some(message),
            AppError::Db(_) | AppError::Internal(_) => None,
        }
    }

    pub fn internal(context: impl std::fmt::Display) -> Self {
        AppError::Internal(anyhow::anyhow!("{context}"))
    }
}

/// Builds the JSON error response for a code; also used by the 404/405 fallbacks.
pub fn error_response(code: ErrorCode, message: String, field: Option<String>) -> Response {
    let status =
        StatusCode::from_u16(code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = ApiErrorBody { error: ApiError { code, message, field } };
    let mut response = (status, axum::Json(body)).into_response();
    if code == ErrorCode::RateLimited {
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
    }
    response
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match self {
            AppError::Client { code, message, field } => {
                if code.http_status() >= 500 {
                    tracing::error!(%code, %message, "request failed");
                }
                error_response(code, message, field)
            }
            other => {
                // The full chain goes to the log; the client gets nothing it could use to probe us.
                tracing::error!(error = ?other, "internal error");
                metrics::counter!("master_ia_internal_errors_total").increment(1);
                error_response(
                    ErrorCode::Internal,
                    "Something went wrong on our side. It has been logged.".into(),
                    None,
                )
            }
        }
    }
}

/// `axum::Json` with our rejection: a malformed or mistyped body answers 400 `invalid_json` (or
/// 415 / 413) in our error shape instead of axum's plain text.
#[derive(Debug, Clone, Copy, Default)]
pub struct AppJson<T>(pub T);

impl<T, S> FromRequest<S> for AppJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(AppJson(value)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

fn json_rejection(rejection: JsonRejection) -> AppError {
    match rejection {
        JsonRejection::MissingJsonContentType(_) => AppError::new(
            ErrorCode::UnsupportedMediaType,
            "Send the body as JSON with `Content-Type: application/json`.",
        ),
        JsonRejection::JsonDataError(err) => AppError::new(
            ErrorCode::InvalidJson,
            format!("The JSON body has the wrong shape: {}", err.body_text()),
        ),
        JsonRejection::JsonSyntaxError(err) => AppError::new(
            ErrorCode::InvalidJson,
            format!("The body is not valid JSON: {}", err.body_text()),
        ),
        JsonRejection::BytesRejection(err) if err.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            AppError::new(ErrorCode::PayloadTooLarge, "The request body is too large.")
        }
        other => AppError::new(ErrorCode::BadRequest, other.body_text()),
    }
}

impl<T: Serialize> IntoResponse for AppJson<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn internal_errors_do_not_leak_details() {
        let response = AppError::internal("password=hunter2 in a log line").into_response();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let bytes = axum::body::to_bytes(response.into_body(), 4096).await.unwrap();
        let text = String::from_utf8(bytes.to_vec()).unwrap();
        assert!(!text.contains("hunter2"), "{text}");
        assert!(text.contains("\"internal\""), "{text}");
    }

    #[tokio::test]
    async fn client_errors_keep_code_message_and_field() {
        let response = AppError::field("email", "Enter a valid email address.").into_response();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let bytes = axum::body::to_bytes(response.into_body(), 4096).await.unwrap();
        let body: ApiErrorBody = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(body.error.code, ErrorCode::ValidationFailed);
        assert_eq!(body.error.field.as_deref(), Some("email"));
    }
}
