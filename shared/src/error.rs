//! The error vocabulary of the API: stable snake_case codes that clients (and our own UI, which
//! translates them) can rely on. Adding a code is fine; renaming one breaks integrators.

use serde::{Deserialize, Serialize};

/// Every error code the API can answer with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The request could not be understood (bad query string, bad path parameter).
    BadRequest,
    /// The body is not valid JSON, or not the JSON this endpoint expects.
    InvalidJson,
    /// A field has a value we cannot accept; `field` names it.
    ValidationFailed,
    /// The password does not meet the strength rules.
    WeakPassword,
    /// No valid session cookie or API key.
    Unauthenticated,
    /// Email and password do not match.
    InvalidCredentials,
    /// The account exists but its email address is not verified yet.
    EmailNotVerified,
    /// Authenticated, but the role does not allow this.
    Forbidden,
    /// A cookie-authenticated change without a valid `X-CSRF-Token` header.
    CsrfFailed,
    /// The resource does not exist (or belongs to another company).
    NotFound,
    /// The path exists but not with this HTTP method.
    MethodNotAllowed,
    /// An account with this email address already exists.
    EmailTaken,
    /// The request conflicts with the current state (e.g. already a member).
    Conflict,
    /// A contact with this phone number already exists in the company.
    ContactExists,
    /// The uploaded CSV cannot be read (not UTF-8, no header, no phone column); nothing was imported.
    InvalidCsv,
    /// A link token (verification, reset, invitation) is unknown, used or expired.
    InvalidToken,
    /// A webhook delivery whose signature does not match the connection's secret.
    InvalidSignature,
    /// Outside WhatsApp's 24-hour customer-service window only a template may be sent.
    WindowClosed,
    /// Another agent has the conversation; `message` names them.
    ConversationTaken,
    /// The action does not fit the resource's current state (e.g. starting a completed campaign,
    /// editing a running one); `message` says what is possible.
    InvalidState,
    /// The messaging provider (Meta's Graph API, Twilio) refused the request or could not be
    /// reached; `message` says what it answered.
    ProviderError,
    /// Too many attempts; retry later.
    RateLimited,
    /// The body is larger than this endpoint accepts.
    PayloadTooLarge,
    /// The `Content-Type` is not one this endpoint accepts.
    UnsupportedMediaType,
    /// A dependency (database, worker) is not ready.
    ServiceUnavailable,
    /// Something failed on our side; details are in the server log, never in the response.
    Internal,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadRequest => "bad_request",
            ErrorCode::InvalidJson => "invalid_json",
            ErrorCode::ValidationFailed => "validation_failed",
            ErrorCode::WeakPassword => "weak_password",
            ErrorCode::Unauthenticated => "unauthenticated",
            ErrorCode::InvalidCredentials => "invalid_credentials",
            ErrorCode::EmailNotVerified => "email_not_verified",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::CsrfFailed => "csrf_failed",
            ErrorCode::NotFound => "not_found",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::EmailTaken => "email_taken",
            ErrorCode::Conflict => "conflict",
            ErrorCode::ContactExists => "contact_exists",
            ErrorCode::InvalidCsv => "invalid_csv",
            ErrorCode::InvalidToken => "invalid_token",
            ErrorCode::InvalidSignature => "invalid_signature",
            ErrorCode::WindowClosed => "window_closed",
            ErrorCode::ConversationTaken => "conversation_taken",
            ErrorCode::InvalidState => "invalid_state",
            ErrorCode::ProviderError => "provider_error",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::UnsupportedMediaType => "unsupported_media_type",
            ErrorCode::ServiceUnavailable => "service_unavailable",
            ErrorCode::Internal => "internal",
        }
    }

    /// The HTTP status this code is always answered with.
    pub fn http_status(self) -> u16 {
        match self {
            ErrorCode::BadRequest
            | ErrorCode::InvalidJson
            | ErrorCode::ValidationFailed
            | ErrorCode::WeakPassword
            | ErrorCode::InvalidCsv
            | ErrorCode::InvalidToken => 400,
            ErrorCode::Unauthenticated
            | ErrorCode::InvalidCredentials
            | ErrorCode::InvalidSignature => 401,
            ErrorCode::EmailNotVerified | ErrorCode::Forbidden | ErrorCode::CsrfFailed => 403,
            ErrorCode::NotFound => 404,
            ErrorCode::MethodNotAllowed => 405,
            ErrorCode::EmailTaken
            | ErrorCode::Conflict
            | ErrorCode::ContactExists
            | ErrorCode::WindowClosed
            | ErrorCode::ConversationTaken
            | ErrorCode::InvalidState => 409,
            ErrorCode::PayloadTooLarge => 413,
            ErrorCode::UnsupportedMediaType => 415,
            ErrorCode::RateLimited => 429,
            ErrorCode::Internal => 500,
            ErrorCode::ProviderError => 502,
            ErrorCode::ServiceUnavailable => 503,
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The inner object of an error response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiError {
    pub code: ErrorCode,
    /// A sentence a person understands (English); the UI shows its own translation of `code`.
    pub message: String,
    /// The request field at fault, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// Every 4xx/5xx body: `{"error": {"code": "...", "message": "..."}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiErrorBody {
    pub error: ApiError,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_serialise_as_their_stable_names() {
        for code in [ErrorCode::EmailNotVerified, ErrorCode::CsrfFailed, ErrorCode::InvalidJson] {
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
        }
    }

    #[test]
    fn error_body_has_the_documented_shape() {
        let body = ApiErrorBody {
            error: ApiError {
                code: ErrorCode::NotFound,
                message: "Not found.".into(),
                field: None,
            },
        };
        let value = serde_json::to_value(&body).unwrap();
        assert_eq!(
            value,
            serde_json::json!({"error": {"code": "not_found", "message": "Not found."}})
        );
    }
}
