//! Graph API errors: the envelope Meta answers with, what each code means for a retry, and a
//! sentence a person can act on.
//!
//! Logic keys on `code` (and HTTP status for transport-level trouble), never on titles, as
//! Meta's error-code page asks. Codes from `../shared/conformance/NOTES.md`.

use serde::Deserialize;
use serde_json::Value;

/// What to do about a failed call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// Throttled: wait (longer than for a plain retry) and try again.
    AfterBackoff,
    /// A passing failure (service unavailable, 5xx, network): try again.
    Yes,
    /// Retrying cannot help (bad recipient, template problem, invalid token).
    No,
    /// No answer came back: the provider may have acted. Find out before trying again (a
    /// blind retry may deliver the message twice).
    Unknown,
}

/// A call to the Graph API that did not succeed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GraphError {
    /// Meta answered with its error envelope.
    #[error("Graph API error {code}: {message}")]
    Api {
        http_status: u16,
        code: i64,
        subcode: Option<i64>,
        /// Meta's message, and `error_data.details` when present.
        message: String,
        details: Option<String>,
        fbtrace_id: Option<String>,
    },
    /// Nothing reached Meta (connection refused, DNS), or its answer was not a Graph answer.
    #[error("Graph API unreachable: {0}")]
    Transport(String),
    /// The request left but no answer came back (timeout, connection cut): Meta may have acted
    /// on it. A send in this state must not be repeated blindly.
    #[error("Graph API outcome unknown: {0}")]
    Unknown(String),
}

#[derive(Deserialize)]
struct Envelope {
    error: Body,
}

#[derive(Deserialize)]
struct Body {
    #[serde(default)]
    message: String,
    #[serde(default)]
    code: i64,
    #[serde(default)]
    error_subcode: Option<i64>,
    #[serde(default)]
    error_data: Option<Value>,
    #[serde(default)]
    fbtrace_id: Option<String>,
}

impl GraphError {
    /// Reads Meta's error envelope; anything else becomes a transport error naming the status.
    pub fn from_response(http_status: u16, body: &[u8]) -> GraphError {
        match serde_json::from_slice::<Envelope>(body) {
            Ok(Envelope { error }) => GraphError::Api {
                http_status,
                code: error.code,
                subcode: error.error_subcode,
                details: error
                    .error_data
                    .as_ref()
                    .and_then(|d| d.get("details"))
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                message: error.message,
                fbtrace_id: error.fbtrace_id,
            },
            Err(_) => {
                GraphError::Transport(format!("HTTP {http_status} without a Graph error body"))
            }
        }
    }

    pub fn code(&self) -> Option<i64> {
        match self {
            GraphError::Api { code, .. } => Some(*code),
            GraphError::Transport(_) | GraphError::Unknown(_) => None,
        }
    }

    /// Whether (and how) the same call may be tried again.
    pub fn retry(&self) -> Retry {
        match self {
            GraphError::Transport(_) => Retry::Yes,
            GraphError::Unknown(_) => Retry::Unknown,
            GraphError::Api { code, http_status, .. } => classify(*code, *http_status),
        }
    }

    /// A sentence for the UI: what happened and, where we know it, what to do.
    pub fn plain_words(&self) -> String {
        match self {
            GraphError::Transport(reason) => {
                format!("Meta's Graph API could not be reached ({reason}). Try again in a moment.")
            }
            GraphError::Unknown(reason) => format!(
                "No answer from Meta ({reason}): the message may or may not have been delivered. \
                 Check the conversation before sending it again."
            ),
            GraphError::Api { code, message, details, .. } => {
                let hint = hint(*code);
                let said = match details {
                    Some(details) if !details.is_empty() && details != message => {
                        format!("{message} ({details})")
                    }
                    _ => message.clone(),
                };
                match hint {
                    Some(hint) => format!("{hint} Meta said: {said} [code {code}]"),
                    None => format!("Meta said: {said} [code {code}]"),
                }
            }
        }
    }
}

/// Retry policy by Graph error code; unknown codes fall back on the HTTP status.
pub fn classify(code: i64, http_status: u16) -> Retry {
    match code {
        // Throughput, WABA and pair rate limits, app call rate limit, spam rate limit.
        130429 | 131056 | 80007 | 4 | 131048 | 133016 => Retry::AfterBackoff,
        // Service unavailable, unknown error.
        131016 | 131000 | 2 => Retry::Yes,
        // Undeliverable, re-engagement window, template parameter mismatch, template missing,
        // Meta chose not to deliver (per-user marketing limit), user in an experiment,
        // invalid parameter, invalid or expired token, permission missing.
        131026 | 131047 | 132000 | 132001 | 131049 | 130472 | 100 | 190 | 10 | 200 | 131008
        | 131009 | 131051 | 131052 | 131053 | 132005 | 132007 | 132012 | 132015 | 132016
        | 133010 | 368 | 131031 => Retry::No,
        _ if http_status >= 500 => Retry::Yes,
        _ if http_status == 429 => Retry::AfterBackoff,
        _ => Retry::No,
    }
}

fn hint(code: i64) -> Option<&'static str> {
    Some(match code {
        190 => "The access token is invalid or expired: paste a new system-user token.",
        10 | 200 => {
            "The access token lacks a permission (whatsapp_business_messaging / management)."
        }
        100 => "Meta rejected a parameter: check the phone number id and WABA id.",
        130429 => "Too many messages per second for this number; sending slows down and retries.",
        131056 => "Too many messages to this customer in a short time; retrying later.",
        80007 | 4 => "The account hit Meta's rate limit; retrying later.",
        131026 => {
            "The message could not be delivered to this number (not on WhatsApp, or an old app)."
        }
        131047 => {
            "More than 24 hours passed since the customer last wrote: only a template can be sent."
        }
        132000 => "The template's parameters do not match its placeholders.",
        132001 => "The template does not exist in this language or is not approved.",
        131049 => "Meta chose not to deliver this marketing message (per-user limit).",
        131016 => "WhatsApp is temporarily unavailable; retrying.",
        131051 => "This message type is not supported.",
        131031 => "The WhatsApp Business Account is locked or disabled.",
        368 => "The account is blocked for policy violations.",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_sort_into_retry_classes() {
        for code in [130429, 131056, 80007] {
            assert_eq!(classify(code, 400), Retry::AfterBackoff, "{code}");
        }
        assert_eq!(classify(131016, 503), Retry::Yes);
        for code in [131026, 131047, 132000, 132001, 131049, 190] {
            assert_eq!(classify(code, 400), Retry::No, "{code}");
        }
        // An unknown code follows the HTTP status.
        assert_eq!(classify(999_999, 502), Retry::Yes);
        assert_eq!(classify(999_999, 400), Retry::No);
    }

    #[test]
    fn the_envelope_is_read_with_its_details() {
        let body = br#"{"error":{"message":"(#131009) Parameter value is not valid","type":"OAuthException","code":131009,"error_data":{"messaging_product":"whatsapp","details":"Invalid phone"},"fbtrace_id":"Az8"}}"#;
        let err = GraphError::from_response(400, body);
        assert_eq!(err.code(), Some(131009));
        assert_eq!(err.retry(), Retry::No);
        assert!(err.plain_words().contains("Invalid phone"), "{}", err.plain_words());
        let garbage = GraphError::from_response(502, b"<html>Bad gateway</html>");
        assert_eq!(garbage.code(), None);
        assert_eq!(garbage.retry(), Retry::Yes);
        assert!(GraphError::from_response(
            401,
            br#"{"error":{"message":"Invalid OAuth access token.","code":190}}"#
        )
        .plain_words()
        .contains("access token is invalid"));
    }
}
