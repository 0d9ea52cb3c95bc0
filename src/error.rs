//! The errors a [`Client`](crate::Client) call can return.

use std::fmt;
use std::time::Duration;

/// Everything that can go wrong when calling the Connectly API.
///
/// No variant's text contains the API key, the request URL or a message's content.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An input was refused before anything was sent.
    #[error(transparent)]
    Validation(#[from] ValidationError),
    /// The client could not be configured (a missing environment variable, an unusable
    /// base URL or certificate).
    #[error("configuration error: {0}")]
    Config(String),
    /// The API refused the API key (401 or 403).
    #[error("authentication failed: {0}")]
    Authentication(Box<ApiError>),
    /// The API answered 429 and no attempt was left, or it asked to wait longer than allowed.
    #[error("rate limited{}: {error}", retry_after_text(*.retry_after))]
    RateLimited {
        /// How long the API asked to wait, when it said.
        retry_after: Option<Duration>,
        /// The API's error reply.
        error: Box<ApiError>,
    },
    /// The API refused the request with another 4xx status.
    #[error("request refused: {0}")]
    Api(Box<ApiError>),
    /// The API failed with a 5xx status.
    #[error("server error: {0}")]
    Server(Box<ApiError>),
    /// The API answered with a redirect, which the SDK never follows.
    #[error("the API answered with a redirect (HTTP {status}), which is not followed")]
    Redirect {
        /// The 3xx status.
        status: u16,
        /// Attempts made.
        attempts: u32,
    },
    /// No answer came within the timeout.
    #[error("timed out after {attempts} attempt(s)")]
    Timeout {
        /// Attempts made.
        attempts: u32,
    },
    /// The connection failed or broke.
    #[error("transport error after {attempts} attempt(s): {message}")]
    Transport {
        /// What happened, without the URL.
        message: String,
        /// Attempts made.
        attempts: u32,
    },
    /// The TLS handshake failed (for example, an untrusted certificate).
    #[error("TLS error after {attempts} attempt(s): {message}")]
    Tls {
        /// What happened, without the URL.
        message: String,
        /// Attempts made.
        attempts: u32,
    },
    /// The response body was larger than the SDK accepts.
    #[error("the response body exceeds the {limit}-byte limit")]
    ResponseTooLarge {
        /// The limit in bytes.
        limit: u64,
        /// Attempts made.
        attempts: u32,
    },
}

fn retry_after_text(retry_after: Option<Duration>) -> String {
    match retry_after {
        Some(d) => format!(" (retry after {} s)", d.as_secs_f64()),
        None => String::new(),
    }
}

impl Error {
    /// A stable name for the kind of error, the same in every language binding
    /// (`Validation`, `Authentication`, `RateLimited`, ...).
    pub fn kind_name(&self) -> &'static str {
        match self {
            Error::Validation(_) => "Validation",
            Error::Config(_) => "Config",
            Error::Authentication(_) => "Authentication",
            Error::RateLimited { .. } => "RateLimited",
            Error::Api(_) => "Api",
            Error::Server(_) => "Server",
            Error::Redirect { .. } => "Redirect",
            Error::Timeout { .. } => "Timeout",
            Error::Transport { .. } => "Transport",
            Error::Tls { .. } => "Tls",
            Error::ResponseTooLarge { .. } => "ResponseTooLarge",
        }
    }

    /// The API's error reply, for errors the API answered.
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Error::Authentication(e) | Error::Api(e) | Error::Server(e) => Some(e),
            Error::RateLimited { error, .. } => Some(error),
            _ => None,
        }
    }

    /// The HTTP status the API answered, if it answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Redirect { status, .. } => Some(*status),
            _ => self.api_error().map(|e| e.status),
        }
    }

    /// How many attempts were made (0 when nothing was sent).
    pub fn attempts(&self) -> u32 {
        match self {
            Error::Validation(_) | Error::Config(_) => 0,
            Error::Redirect { attempts, .. }
            | Error::Timeout { attempts }
            | Error::Transport { attempts, .. }
            | Error::Tls { attempts, .. }
            | Error::ResponseTooLarge { attempts, .. } => *attempts,
            _ => self.api_error().map_or(0, |e| e.attempts),
        }
    }

    /// The provider's trace id (`cntTraceId`), which its support asks for.
    pub fn trace_id(&self) -> Option<&str> {
        self.api_error().and_then(|e| e.trace_id.as_deref())
    }
}

/// An input the SDK refused before sending anything.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {field}: {reason}")]
pub struct ValidationError {
    /// Which input: `text`, `recipient id`, `api key`, ...
    pub field: &'static str,
    /// Why it was refused. Never contains a secret.
    pub reason: String,
}

impl ValidationError {
    pub(crate) fn new(field: &'static str, reason: impl Into<String>) -> Self {
        Self {
            field,
            reason: reason.into(),
        }
    }
}

/// An error reply from the API: its status and the fields of the documented error body.
///
/// Every field but `status` is optional: a reply that is not the documented JSON still gives
/// the status and a short excerpt of the body as `message`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ApiError {
    /// The HTTP status.
    pub status: u16,
    /// The provider's error code, such as `ERROR_CODE_PHONE_NUMBER_BAD_FORMAT`.
    pub code: Option<String>,
    /// The provider's error type, such as `ERROR_TYPE_INVALID_REQUEST`.
    pub error_type: Option<String>,
    /// The provider's message, verbatim.
    pub message: Option<String>,
    /// The provider's trace id (`cntTraceId`).
    pub trace_id: Option<String>,
    /// The whole body as JSON, or `Null` when it was not JSON.
    pub body: serde_json::Value,
    /// Attempts made.
    pub attempts: u32,
}

/// Longest excerpt of a non-JSON error body kept as the message.
const EXCERPT_CHARS: usize = 200;

impl ApiError {
    /// Reads the documented error body; tolerates a body that is not JSON, or JSON of
    /// another shape.
    pub(crate) fn from_reply(status: u16, body: &[u8], attempts: u32) -> Self {
        let json: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
        let field = |name: &str| json_text(json.get(name));
        let message = field("message").or_else(|| excerpt(body));
        ApiError {
            status,
            code: field("code"),
            error_type: field("type"),
            message,
            trace_id: field("cntTraceId"),
            body: json,
            attempts,
        }
    }
}

/// A JSON string or number as text.
pub(crate) fn json_text(value: Option<&serde_json::Value>) -> Option<String> {
    match value? {
        serde_json::Value::String(s) if !s.is_empty() => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The start of a non-JSON body, on one line, for an error message.
fn excerpt(body: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(body);
    let line: String = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(EXCERPT_CHARS)
        .collect();
    (!line.is_empty()).then_some(line)
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP {}", self.status)?;
        if let Some(code) = &self.code {
            write!(f, " {code}")?;
        }
        if let Some(message) = &self.message {
            write!(f, ": {message}")?;
        }
        if let Some(trace) = &self.trace_id {
            write!(f, " (trace id {trace})")?;
        }
        Ok(())
    }
}
