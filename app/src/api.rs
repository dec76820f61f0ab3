//! Every network call of the UI goes through this module: the public REST API under `/api/v1`,
//! same origin, JSON in and out.
//!
//! Two layers:
//! - [`send`] performs one HTTP exchange and decodes either the expected body or the API's error
//!   shape `{"error": {"code", "message", "field"?}}` into an [`ApiFailure`].
//! - [`Api`] adds the session rules every caller would otherwise repeat: the `X-CSRF-Token`
//!   header on changes, one retry with a fresh token after `csrf_failed`, and ending the local
//!   session when the server answers `401`.
//!
//! Only the browser build talks to the network. On the server (`ssr`) the pages that call the
//! API are never rendered with data (auth is loaded after hydration), so there [`send`] simply
//! answers with a network failure.

use serde::{de::DeserializeOwned, Serialize};
use shared::{i18n::Key, ApiError, ErrorCode};

use crate::auth::Auth;

/// Prefix of every REST path.
pub const API_BASE: &str = "/api/v1";

/// Why a call did not produce the expected value.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiFailure {
    /// The server could not be reached (offline, DNS, proxy error): shown as `ErrNetwork`.
    Network,
    /// The server answered with an error status and (usually) our error body.
    Api { status: u16, error: ApiError },
}

impl ApiFailure {
    /// The HTTP status, when the server answered at all.
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiFailure::Network => None,
            ApiFailure::Api { status, .. } => Some(*status),
        }
    }

    /// The server's own sentence (English), for details the code alone cannot carry, like the
    /// line an import stopped at.
    pub fn message(&self) -> Option<&str> {
        match self {
            ApiFailure::Network => None,
            ApiFailure::Api { error, .. } => Some(error.message.as_str()).filter(|m| !m.is_empty()),
        }
    }

    /// The stable error code, when the server answered at all.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            ApiFailure::Network => None,
            ApiFailure::Api { error, .. } => Some(error.code),
        }
    }

    /// The request field the server blamed, if any (`password`, `email`, ...).
    pub fn field(&self) -> Option<&str> {
        match self {
            ApiFailure::Network => None,
            ApiFailure::Api { error, .. } => error.field.as_deref(),
        }
    }

    /// What to tell the person: the UI's own translation, never the server's English message.
    pub fn key(&self) -> Key {
        match self {
            ApiFailure::Network => Key::ErrNetwork,
            ApiFailure::Api { error, .. } => Key::for_error(error.code),
        }
    }

    pub fn is(&self, code: ErrorCode) -> bool {
        self.code() == Some(code)
    }
}

/// The HTTP methods the API uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

/// One HTTP exchange with no session handling: `path` is relative to [`API_BASE`].
///
/// A `2xx` with an empty body (`204`) decodes as JSON `null`, so `T = ()` fits those endpoints.
///
/// # Errors
/// [`ApiFailure::Network`] when the server cannot be reached; [`ApiFailure::Api`] for any
/// non-`2xx` answer, or a `2xx` whose body is not the expected JSON.
pub async fn send<T: DeserializeOwned>(
    method: Method,
    path: &str,
    body: Option<String>,
    csrf: Option<String>,
) -> Result<T, ApiFailure> {
    let url = format!("{API_BASE}{path}");
    let (status, text) = transport::exchange(method, &url, body, csrf).await?;
    decode(status, &text)
}

/// Turns a status and body into the caller's value or an [`ApiFailure`].
fn decode<T: DeserializeOwned>(status: u16, text: &str) -> Result<T, ApiFailure> {
    if (200..300).contains(&status) {
        let text = if text.trim().is_empty() { "null" } else { text };
        return serde_json::from_str(text).map_err(|_| ApiFailure::Api {
            status,
            error: ApiError {
                code: ErrorCode::Internal,
                message: "unexpected response body".into(),
                field: None,
            },
        });
    }
    match serde_json::from_str::<shared::ApiErrorBody>(text) {
        // Our own 502 `provider_error` (Meta refused) carries Meta's words: show them.
        Ok(body) => Err(ApiFailure::Api { status, error: body.error }),
        // A gateway in front of us that cannot reach the app is, for the person, "no connection".
        Err(_) if matches!(status, 502 | 504) => Err(ApiFailure::Network),
        Err(_) => Err(ApiFailure::Api {
            status,
            error: ApiError { code: fallback_code(status), message: String::new(), field: None },
        }),
    }
}

/// A code for error answers that do not carry our body (a proxy, a crash page).
fn fallback_code(status: u16) -> ErrorCode {
    match status {
        400 => ErrorCode::BadRequest,
        401 => ErrorCode::Unauthenticated,
        403 => ErrorCode::Forbidden,
        404 => ErrorCode::NotFound,
        405 => ErrorCode::MethodNotAllowed,
        409 => ErrorCode::Conflict,
        413 => ErrorCode::PayloadTooLarge,
        415 => ErrorCode::UnsupportedMediaType,
        429 => ErrorCode::RateLimited,
        503 => ErrorCode::ServiceUnavailable,
        _ => ErrorCode::Internal,
    }
}

#[cfg(feature = "hydrate")]
mod transport {
    use gloo_net::http::Request;

    use super::{ApiFailure, Method};

    /// Sends the request with `fetch` (same origin, so the session cookie goes along).
    pub async fn exchange(
        method: Method,
        url: &str,
        body: Option<String>,
        csrf: Option<String>,
    ) -> Result<(u16, String), ApiFailure> {
        let mut builder = match method {
            Method::Get => Request::get(url),
            Method::Post => Request::post(url),
            Method::Put => Request::put(url),
            Method::Patch => Request::patch(url),
            Method::Delete => Request::delete(url),
        }
        .header("Accept", "application/json");
        if let Some(token) = csrf {
            builder = builder.header("X-CSRF-Token", &token);
        }
        let request = match body {
            Some(json) => builder.header("Content-Type", "application/json").body(json),
            None => builder.build(),
        }
        .map_err(|_| ApiFailure::Network)?;
        let response = request.send().await.map_err(|_| ApiFailure::Network)?;
        let status = response.status();
        let text = response.text().await.map_err(|_| ApiFailure::Network)?;
        Ok((status, text))
    }
}

#[cfg(feature = "hydrate")]
mod upload {
    use gloo_net::http::Request;

    use super::ApiFailure;
    use crate::file::PickedFile;

    /// `POST`s the file itself as the body; the browser streams it from disk.
    pub async fn exchange(
        url: &str,
        file: &PickedFile,
        content_type: &str,
        csrf: Option<String>,
    ) -> Result<(u16, String), ApiFailure> {
        let mut builder = Request::post(url)
            .header("Accept", "application/json")
            .header("Content-Type", content_type);
        if let Some(token) = csrf {
            builder = builder.header("X-CSRF-Token", &token);
        }
        let request = builder
            .body(wasm_bindgen::JsValue::from(file.handle().clone()))
            .map_err(|_| ApiFailure::Network)?;
        let response = request.send().await.map_err(|_| ApiFailure::Network)?;
        let status = response.status();
        let text = response.text().await.map_err(|_| ApiFailure::Network)?;
        Ok((status, text))
    }
}

#[cfg(not(feature = "hydrate"))]
mod upload {
    use super::ApiFailure;
    use crate::file::PickedFile;

    /// Never called during server rendering.
    pub async fn exchange(
        _url: &str,
        _file: &PickedFile,
        _content_type: &str,
        _csrf: Option<String>,
    ) -> Result<(u16, String), ApiFailure> {
        Err(ApiFailure::Network)
    }
}

#[cfg(not(feature = "hydrate"))]
mod transport {
    use super::{ApiFailure, Method};

    /// Never called during server rendering; answers like an unreachable server.
    pub async fn exchange(
        _method: Method,
        _url: &str,
        _body: Option<String>,
        _csrf: Option<String>,
    ) -> Result<(u16, String), ApiFailure> {
        Err(ApiFailure::Network)
    }
}

/// The API as seen from inside the app: [`send`] plus the session rules. Cheap to copy into
/// event handlers and async blocks.
#[derive(Clone, Copy)]
pub struct Api {
    auth: Auth,
}

/// The API client bound to the app's auth state.
pub fn use_api() -> Api {
    Api { auth: crate::auth::use_auth() }
}

impl Api {
    pub fn new(auth: Auth) -> Self {
        Api { auth }
    }

    /// `GET {path}`.
    ///
    /// # Errors
    /// See [`send`]; a `401` also ends the local session.
    pub async fn get<T: DeserializeOwned>(self, path: &str) -> Result<T, ApiFailure> {
        self.call(Method::Get, path, None).await
    }

    /// `POST {path}` with a JSON body.
    ///
    /// # Errors
    /// See [`send`]; a `401` also ends the local session.
    pub async fn post<B: Serialize, T: DeserializeOwned>(
        self,
        path: &str,
        body: &B,
    ) -> Result<T, ApiFailure> {
        self.call(Method::Post, path, Some(to_json(body))).await
    }

    /// `POST {path}` without a body (logout).
    ///
    /// # Errors
    /// See [`send`].
    pub async fn post_empty<T: DeserializeOwned>(self, path: &str) -> Result<T, ApiFailure> {
        self.call(Method::Post, path, None).await
    }

    /// `PUT {path}` with a JSON body: replaces the whole resource.
    ///
    /// # Errors
    /// See [`send`]; a `401` also ends the local session.
    pub async fn put<B: Serialize, T: DeserializeOwned>(
        self,
        path: &str,
        body: &B,
    ) -> Result<T, ApiFailure> {
        self.call(Method::Put, path, Some(to_json(body))).await
    }

    /// `PATCH {path}` with a JSON body.
    ///
    /// # Errors
    /// See [`send`]; a `401` also ends the local session.
    pub async fn patch<B: Serialize, T: DeserializeOwned>(
        self,
        path: &str,
        body: &B,
    ) -> Result<T, ApiFailure> {
        self.call(Method::Patch, path, Some(to_json(body))).await
    }

    /// `DELETE {path}`; most deletions answer `204`, so `T` is usually `()`.
    ///
    /// # Errors
    /// See [`send`]; a `401` also ends the local session.
    pub async fn delete<T: DeserializeOwned>(self, path: &str) -> Result<T, ApiFailure> {
        self.call(Method::Delete, path, None).await
    }

    /// `POST {path}` with a file as the body (CSV imports).
    ///
    /// # Errors
    /// See [`send`]; a `401` also ends the local session.
    pub async fn upload<T: DeserializeOwned>(
        self,
        path: &str,
        file: &crate::file::PickedFile,
        content_type: &str,
    ) -> Result<T, ApiFailure> {
        let url = format!("{API_BASE}{path}");
        let (status, text) =
            upload::exchange(&url, file, content_type, self.auth.csrf_token()).await?;
        let result = decode(status, &text);
        if status == 401 {
            self.auth.session_expired();
        }
        result
    }

    async fn call<T: DeserializeOwned>(
        self,
        method: Method,
        path: &str,
        body: Option<String>,
    ) -> Result<T, ApiFailure> {
        let changes = method != Method::Get;
        let mut refreshed = false;
        loop {
            let csrf = if changes { self.auth.csrf_token() } else { None };
            let result = send::<T>(method, path, body.clone(), csrf).await;
            if let Err(failure) = &result {
                // The token rotates with the session; fetch the current one and try once more.
                if failure.is(ErrorCode::CsrfFailed) && !refreshed {
                    refreshed = true;
                    if self.auth.refresh().await {
                        continue;
                    }
                }
                // `invalid_credentials` is a wrong password typed into a form, not a lost session.
                if failure.status() == Some(401) && !failure.is(ErrorCode::InvalidCredentials) {
                    self.auth.session_expired();
                }
            }
            return result;
        }
    }
}

fn to_json<B: Serialize>(body: &B) -> String {
    // Our DTOs are plain structs: serialising them cannot fail.
    serde_json::to_string(body).unwrap_or_else(|_| "null".into())
}

/// Percent-encodes a value for a query string (`?token=...`, `?next=...`).
pub fn encode_query(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_success_body_decodes_as_unit() {
        assert_eq!(decode::<()>(204, ""), Ok(()));
    }

    #[test]
    fn error_body_is_decoded_with_its_field() {
        let body = r#"{"error":{"code":"weak_password","message":"weak","field":"password"}}"#;
        let failure = decode::<()>(400, body).unwrap_err();
        assert_eq!(failure.code(), Some(ErrorCode::WeakPassword));
        assert_eq!(failure.field(), Some("password"));
        assert_eq!(failure.key(), Key::ErrWeakPassword);
    }

    #[test]
    fn foreign_error_pages_fall_back_to_the_status() {
        let failure = decode::<()>(429, "<html>slow down</html>").unwrap_err();
        assert_eq!(failure.code(), Some(ErrorCode::RateLimited));
        assert_eq!(decode::<()>(502, "bad gateway"), Err(ApiFailure::Network));
    }

    #[test]
    fn a_provider_refusal_keeps_its_words() {
        let body = r#"{"error":{"code":"provider_error","message":"Meta says: invalid token"}}"#;
        let failure = decode::<()>(502, body).unwrap_err();
        assert_eq!(failure.code(), Some(ErrorCode::ProviderError));
        assert_eq!(failure.message(), Some("Meta says: invalid token"));
    }

    #[test]
    fn query_values_are_encoded() {
        assert_eq!(encode_query("a b/c?d=é"), "a%20b%2Fc%3Fd%3D%C3%A9");
    }
}
