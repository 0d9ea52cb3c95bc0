//! The errors a [`Client`](crate::Client) call can return.

use std::fmt;
use std::time::Duration;

use crate::kind::ErrorKind;

/// Everything that can go wrong when calling the Connectly API.
///
/// No variant's text contains the API key, the request URL or a message's content.
///
/// Not `#[non_exhaustive]`, on purpose: every binding (the C status, the Python exception,
/// the Go sentinel, the CLI exit code) maps each variant in an exhaustive `match`, so a new
/// variant does not compile until every binding handles it. Adding one is a breaking change,
/// made in a minor release while the crate is 0.x.
#[derive(Debug, thiserror::Error)]
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
    #[error("timed out after {attempts} attempt(s){}", maybe_sent_text(*.possibly_sent))]
    Timeout {
        /// Attempts made.
        attempts: u32,
        /// Whether the server may have received the request: true unless the connection
        /// could not be opened in time (the SDK's connect timeout) or no request was made
        /// before the deadline. An attempt's timeout that ends while still connecting
        /// cannot be told apart from one that ends waiting for the answer, so it counts.
        possibly_sent: bool,
    },
    /// The connection failed or broke.
    #[error(
        "transport error after {attempts} attempt(s): {message}{}",
        maybe_sent_text(*.possibly_sent)
    )]
    Transport {
        /// What happened, without the URL.
        message: String,
        /// Attempts made.
        attempts: u32,
        /// Whether the connection broke after it was established, so the server may have
        /// received the request; false when it never opened.
        possibly_sent: bool,
    },
    /// The TLS handshake failed (for example, an untrusted certificate).
    #[error("TLS error after {attempts} attempt(s): {message}")]
    Tls {
        /// What happened, without the URL.
        message: String,
        /// Attempts made.
        attempts: u32,
    },
    /// The response body was larger than the SDK accepts. The request reached the server,
    /// which answered `status`: the call may have been carried out (a 2xx means the message
    /// was accepted), so check before sending again. Never retried.
    #[error(
        "the response body exceeds the {limit}-byte limit (HTTP {status}); the request \
         reached the server and the message may have been accepted"
    )]
    ResponseTooLarge {
        /// The limit in bytes.
        limit: u64,
        /// The HTTP status the server answered with.
        status: u16,
        /// Attempts made.
        attempts: u32,
    },
    /// The call was stopped before it finished: by its [`Interrupt`](crate::Interrupt) hook
    /// (Ctrl-C, in Python), or cancelled ([`Ticket::cancel`](crate::Ticket::cancel), a
    /// dropped future). An interruption never abandons a written request, so it comes before
    /// any request was made (`attempts` 0) or while waiting to retry. A cancellation aborts
    /// the request in flight: then `possibly_sent` is true, since the server may have
    /// received it, so check before sending again. When `possibly_sent` is false, no request
    /// was made after the stop, and a send was not delivered (a send is retried only when
    /// the message was not delivered).
    #[error("{}", cancelled_text(*.attempts, *.possibly_sent))]
    Cancelled {
        /// Attempts started before the stop, the one in flight included.
        attempts: u32,
        /// Whether a request was in flight when the call was stopped: it may have reached
        /// the server.
        possibly_sent: bool,
    },
}

fn maybe_sent_text(possibly_sent: bool) -> &'static str {
    if possibly_sent {
        "; the server may have received the request, so check before sending again"
    } else {
        ""
    }
}

fn cancelled_text(attempts: u32, possibly_sent: bool) -> String {
    if possibly_sent && attempts == 0 {
        "not sent again: an earlier run's request for it may have reached the server (it was \
         in flight when that run stopped, or failed after it may have arrived); check before \
         sending it"
            .to_owned()
    } else if possibly_sent {
        format!(
            "cancelled during attempt {attempts}, with the request in flight: the server may \
             have received it, so check before sending again"
        )
    } else if attempts == 0 {
        "interrupted or cancelled before any request was made; nothing was sent".to_owned()
    } else {
        format!(
            "interrupted or cancelled after {attempts} attempt(s), while waiting to retry; no \
             request was made after that"
        )
    }
}

fn retry_after_text(retry_after: Option<Duration>) -> String {
    match retry_after {
        Some(d) => format!(" (retry after {} s)", d.as_secs_f64()),
        None => String::new(),
    }
}

impl Error {
    /// The kind of error, the same in every language binding: what the C status, the Python
    /// exception class and the CLI exit code are mapped from.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Validation(_) => ErrorKind::Validation,
            Error::Config(_) => ErrorKind::Config,
            Error::Authentication(_) => ErrorKind::Authentication,
            Error::RateLimited { .. } => ErrorKind::RateLimited,
            Error::Api(_) => ErrorKind::Api,
            Error::Server(_) => ErrorKind::Server,
            Error::Redirect { .. } => ErrorKind::Redirect,
            Error::Timeout { .. } => ErrorKind::Timeout,
            Error::Transport { .. } => ErrorKind::Transport,
            Error::Tls { .. } => ErrorKind::Tls,
            Error::ResponseTooLarge { .. } => ErrorKind::ResponseTooLarge,
            Error::Cancelled { .. } => ErrorKind::Cancelled,
        }
    }

    /// The kind's name, such as `"RateLimited"` (`self.kind().name()`).
    pub fn kind_name(&self) -> &'static str {
        self.kind().name()
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
            Error::Redirect { status, .. } | Error::ResponseTooLarge { status, .. } => {
                Some(*status)
            }
            _ => self.api_error().map(|e| e.status),
        }
    }

    /// How many attempts were made (0 when nothing was sent).
    pub fn attempts(&self) -> u32 {
        match self {
            Error::Validation(_) | Error::Config(_) => 0,
            Error::Redirect { attempts, .. }
            | Error::Timeout { attempts, .. }
            | Error::Transport { attempts, .. }
            | Error::Tls { attempts, .. }
            | Error::ResponseTooLarge { attempts, .. }
            | Error::Cancelled { attempts, .. } => *attempts,
            _ => self.api_error().map_or(0, |e| e.attempts),
        }
    }

    /// Whether the request may have reached the server although the call failed, so that
    /// sending again could deliver a message twice: a timeout or a broken connection after
    /// the request may have been written, a 5xx, an answer too large to read, or a
    /// cancellation with the request in flight. False when no request reached the server
    /// (refused before sending, never connected, cancelled before it was written) or the
    /// server's answer says it was not taken (4xx, 429). The bulk journal uses the same
    /// rule to never send a message twice across runs.
    ///
    /// A send is retried only when its request did not reach the server, so for a send this
    /// covers every attempt. For the calls that are also retried after a timeout or a 5xx
    /// (webhook registration, whose repetition is harmless), an earlier attempt may have
    /// arrived even when it is false.
    pub fn possibly_sent(&self) -> bool {
        match self {
            Error::Timeout { possibly_sent, .. }
            | Error::Transport { possibly_sent, .. }
            | Error::Cancelled { possibly_sent, .. } => *possibly_sent,
            Error::Server(_) | Error::ResponseTooLarge { .. } => true,
            Error::Validation(_)
            | Error::Config(_)
            | Error::Authentication(_)
            | Error::RateLimited { .. }
            | Error::Api(_)
            | Error::Redirect { .. }
            | Error::Tls { .. } => false,
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
/// the status and a short excerpt of the body as `message`. Should the reply echo the API
/// key, it is replaced by `[REDACTED]` in every field, inside `body` too.
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

/// What an echoed secret is replaced with.
const REDACTED: &str = "[REDACTED]";

impl ApiError {
    /// Reads the documented error body; tolerates a body that is not JSON, or JSON of
    /// another shape.
    pub(crate) fn from_reply(status: u16, body: &[u8], attempts: u32) -> Self {
        Self::from_reply_redacting(status, body, attempts, None)
    }

    /// Reads the error body as [`from_reply`](Self::from_reply) does, with every occurrence
    /// of `secret` (the API key, should a proxy echo it) removed from every field, the kept
    /// JSON included.
    pub(crate) fn from_reply_redacting(
        status: u16,
        body: &[u8],
        attempts: u32,
        secret: Option<&str>,
    ) -> Self {
        let secret = secret.filter(|s| !s.is_empty());
        let mut json: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
        // Matched in the parsed strings: the serialised text may escape the secret.
        let echoed = secret.is_some_and(|s| redact_value(&mut json, s));
        let field = |name: &str| json_text(json.get(name));
        let message = field("message").or_else(|| {
            // The raw text still holds an echo found in the JSON, perhaps escaped.
            let text = if echoed {
                json.to_string()
            } else {
                String::from_utf8_lossy(body).into_owned()
            };
            excerpt(&text, secret)
        });
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

/// `text` with every occurrence of `secret` replaced, or `None` when it has none.
fn scrub(text: &str, secret: &str) -> Option<String> {
    text.contains(secret)
        .then(|| text.replace(secret, REDACTED))
}

/// Replaces `secret` in every string and object key of `value` (a number holding it becomes
/// a string); whether it was found.
pub(crate) fn redact_value(value: &mut serde_json::Value, secret: &str) -> bool {
    use serde_json::Value;
    match value {
        Value::Null | Value::Bool(_) => false,
        Value::Number(n) => match scrub(&n.to_string(), secret) {
            Some(text) => {
                *value = Value::String(text);
                true
            }
            None => false,
        },
        Value::String(s) => match scrub(s, secret) {
            Some(text) => {
                *s = text;
                true
            }
            None => false,
        },
        Value::Array(items) => items
            .iter_mut()
            .fold(false, |found, item| redact_value(item, secret) | found),
        Value::Object(map) => {
            let mut found = false;
            if map.keys().any(|k| k.contains(secret)) {
                found = true;
                *map = std::mem::take(map)
                    .into_iter()
                    .map(|(k, v)| (scrub(&k, secret).unwrap_or(k), v))
                    .collect();
            }
            map.values_mut()
                .fold(found, |found, item| redact_value(item, secret) | found)
        }
    }
}

/// The start of a body's text, on one line, for an error message; without `secret`.
///
/// The secret is removed from the whole text before it is cut, so none straddles the cut;
/// and when the text is cut, any start of the secret left at the end goes too.
fn excerpt(text: &str, secret: Option<&str>) -> Option<String> {
    let text = match secret.and_then(|s| scrub(text, s)) {
        Some(scrubbed) => scrubbed,
        None => text.to_owned(),
    };
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut cut: String = line.chars().take(EXCERPT_CHARS).collect();
    if let Some(secret) = secret.filter(|_| cut.len() < line.len()) {
        let dangling = (1..=secret.len().min(cut.len()))
            .rev()
            .find(|&n| secret.get(..n).is_some_and(|start| cut.ends_with(start)));
        if let Some(n) = dangling {
            cut.truncate(cut.len() - n);
            cut.truncate(cut.trim_end().len());
        }
    }
    (!cut.is_empty()).then_some(cut)
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

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "CANARY-key-0123456789abcdefghijklmnopqrstuv";

    /// Every run of 8 characters of `KEY` that occurs in `text`.
    fn leaks(text: &str) -> Vec<&'static str> {
        (0..=KEY.len() - 8)
            .map(|i| &KEY[i..i + 8])
            .filter(|w| text.contains(w))
            .collect()
    }

    #[test]
    fn a_key_straddling_the_excerpt_cut_is_removed_at_every_offset() {
        for offset in 0..=EXCERPT_CHARS + 10 {
            let body = format!("{}{KEY}{}", "x".repeat(offset), " y".repeat(200));
            let api = ApiError::from_reply_redacting(502, body.as_bytes(), 1, Some(KEY));
            let shown = format!("{api} {api:?}");
            assert_eq!(
                leaks(&shown),
                Vec::<&str>::new(),
                "offset {offset}: {shown}"
            );
        }
    }

    #[test]
    fn a_start_of_the_key_dangling_at_the_cut_is_dropped() {
        let body = format!("{}{}", "x".repeat(EXCERPT_CHARS - 10), &KEY[..30]);
        let api = ApiError::from_reply_redacting(502, body.as_bytes(), 1, Some(KEY));
        assert_eq!(api.message.as_deref(), Some("x".repeat(190).as_str()));
    }

    #[test]
    fn the_key_is_removed_from_json_strings_keys_and_numbers() {
        let key = r#"k"e\y-with-"quotes"-and-\back\slashes"#;
        let body = serde_json::json!({
            "code": key,
            "nested": [{ key: format!("echo {key} echo") }],
            "n": 12_345_678_901_u64,
        });
        let api = ApiError::from_reply_redacting(400, body.to_string().as_bytes(), 1, Some(key));
        assert_eq!(api.code.as_deref(), Some(REDACTED));
        assert_eq!(api.body["nested"][0][REDACTED], "echo [REDACTED] echo");
        assert!(!format!("{api:?} {api}").contains("quotes"));
        // No `message`: the excerpt comes from the cleaned JSON, not the escaped raw text.
        assert!(!api.message.unwrap_or_default().contains("quotes"));
        let api =
            ApiError::from_reply_redacting(400, body.to_string().as_bytes(), 1, Some("345678901"));
        assert_eq!(api.body["n"], "12[REDACTED]");
    }

    #[test]
    fn possibly_sent_is_true_exactly_where_the_server_may_have_the_request() {
        let api = |status| Box::new(ApiError::from_reply_redacting(status, b"{}", 1, None));
        let transport = |possibly_sent| Error::Transport {
            message: "reset".to_owned(),
            attempts: 1,
            possibly_sent,
        };
        let maybe = [
            Error::Timeout {
                attempts: 1,
                possibly_sent: true,
            },
            transport(true),
            Error::Cancelled {
                attempts: 1,
                possibly_sent: true,
            },
            Error::Server(api(503)),
            Error::ResponseTooLarge {
                limit: 1,
                status: 200,
                attempts: 1,
            },
        ];
        let not = [
            Error::Timeout {
                attempts: 0,
                possibly_sent: false,
            },
            transport(false),
            Error::Cancelled {
                attempts: 1,
                possibly_sent: false,
            },
            Error::Api(api(400)),
            Error::Authentication(api(401)),
            Error::RateLimited {
                retry_after: None,
                error: api(429),
            },
            Error::Redirect {
                status: 301,
                attempts: 1,
            },
            Error::Tls {
                message: "untrusted".to_owned(),
                attempts: 1,
            },
            Error::Config("no key".to_owned()),
        ];
        for error in &maybe {
            assert!(error.possibly_sent(), "{error:?}");
        }
        for error in &not {
            assert!(!error.possibly_sent(), "{error:?}");
        }
        assert!(transport(true)
            .to_string()
            .ends_with("so check before sending again"));
        assert_eq!(
            transport(false).to_string(),
            "transport error after 1 attempt(s): reset"
        );
    }
}
