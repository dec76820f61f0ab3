//! Graph API error envelopes, shaped like the examples in Meta's spec and error-code page.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use rand::distributions::Alphanumeric;
use rand::Rng;
use serde_json::{json, Map, Value};

/// An error the fake answers with (also what tests inject with `fail_next`).
#[derive(Debug, Clone, PartialEq)]
pub struct GraphErrorSpec {
    /// HTTP status of the response.
    pub http_status: u16,
    /// Graph `error.code`, e.g. 100, 190, 131047, 130429.
    pub code: i64,
    /// Graph `error.error_subcode`, when there is one.
    pub subcode: Option<i64>,
    /// Graph `error.message`, e.g. `(#100) Invalid parameter`.
    pub message: String,
    /// `error.error_data.details`, when there is one.
    pub details: Option<String>,
    /// Graph `error.type`; Meta uses `OAuthException` for nearly everything.
    pub error_type: String,
    /// `error.is_transient`, when set.
    pub is_transient: Option<bool>,
}

impl GraphErrorSpec {
    /// An `OAuthException` with HTTP 400 and no subcode or details.
    pub fn new(code: i64, message: impl Into<String>) -> Self {
        Self {
            http_status: 400,
            code,
            subcode: None,
            message: message.into(),
            details: None,
            error_type: "OAuthException".into(),
            is_transient: None,
        }
    }

    /// Sets the HTTP status.
    #[must_use]
    pub fn status(mut self, http_status: u16) -> Self {
        self.http_status = http_status;
        self
    }

    /// Sets `error_subcode`.
    #[must_use]
    pub fn subcode(mut self, subcode: i64) -> Self {
        self.subcode = Some(subcode);
        self
    }

    /// Sets `error_data.details`.
    #[must_use]
    pub fn details(mut self, details: impl Into<String>) -> Self {
        self.details = Some(details.into());
        self
    }

    /// Sets `error.type`.
    #[must_use]
    pub fn error_type(mut self, t: impl Into<String>) -> Self {
        self.error_type = t.into();
        self
    }

    /// Sets `is_transient`.
    #[must_use]
    pub fn transient(mut self, yes: bool) -> Self {
        self.is_transient = Some(yes);
        self
    }

    /// 401 / 190: the token is not one the fake knows.
    pub fn invalid_token() -> Self {
        Self::new(190, "Invalid OAuth access token - Cannot parse access token").status(401)
    }

    /// 401 / 104: no token at all.
    pub fn missing_token() -> Self {
        Self::new(104, "An access token is required to request this resource.").status(401)
    }

    /// 400 / 100: the request does not conform to the spec; `details` says where and why.
    pub fn invalid_parameter(details: impl Into<String>) -> Self {
        Self::new(100, "(#100) Invalid parameter").details(details)
    }

    /// 400 / 100 / 33: an id the fake does not know (or the token may not see).
    pub fn unknown_object(method: &str, id: &str) -> Self {
        Self::new(
            100,
            format!(
                "Unsupported {} request. Object with ID '{id}' does not exist, cannot be loaded \
                 due to missing permissions, or does not support this operation. Please read \
                 the Graph API documentation at https://developers.facebook.com/docs/graph-api",
                method.to_ascii_lowercase()
            ),
        )
        .error_type("GraphMethodException")
        .subcode(33)
    }

    /// 400 / 2500: a path the spec does not define.
    pub fn unknown_path(path: &str) -> Self {
        Self::new(2500, format!("Unknown path components: {path}"))
    }

    /// 400 / 130429: throughput exceeded (Meta answers 400, not 429, for this code).
    pub fn rate_limited() -> Self {
        Self::new(130429, "(#130429) Rate limit hit")
            .details("Cloud API message throughput has been reached.")
    }

    /// 501: the spec defines the operation but the fake does not implement it.
    pub fn unimplemented(label: &str) -> Self {
        Self::new(1, format!("fake-graph does not implement {label}"))
            .status(501)
            .error_type("FakeGraphUnimplemented")
    }

    /// The JSON envelope: `{"error":{message,type,code,error_subcode?,error_data?,fbtrace_id}}`.
    pub fn body(&self) -> Value {
        let mut e = Map::new();
        e.insert("message".into(), json!(self.message));
        e.insert("type".into(), json!(self.error_type));
        e.insert("code".into(), json!(self.code));
        if let Some(s) = self.subcode {
            e.insert("error_subcode".into(), json!(s));
        }
        if let Some(t) = self.is_transient {
            e.insert("is_transient".into(), json!(t));
        }
        if let Some(d) = &self.details {
            e.insert("error_data".into(), json!({ "messaging_product": "whatsapp", "details": d }));
        }
        e.insert("fbtrace_id".into(), json!(fbtrace_id()));
        json!({ "error": Value::Object(e) })
    }
}

impl IntoResponse for GraphErrorSpec {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.http_status).unwrap_or(StatusCode::BAD_REQUEST);
        (status, Json(self.body())).into_response()
    }
}

fn fbtrace_id() -> String {
    let mut s = String::from("A");
    s.extend(rand::thread_rng().sample_iter(&Alphanumeric).take(22).map(char::from));
    s
}
