//! Scripted failures: what the mock does instead of (or before) answering normally.

use std::time::Duration;

use serde_json::{Map, Value};

use super::errors;
use super::http::{Action, Reply};

/// A failure the mock plays on an API request instead of its normal behaviour.
///
/// Queue failures with [`MockServer::fail_next`](super::MockServer::fail_next); every request
/// to an API path pops one, in order. Build them with the constructors:
///
/// ```
/// use connectly_mock::Failure;
/// use std::time::Duration;
///
/// let script = [
///     Failure::status(429).retry_after("2"),
///     Failure::status(503),
///     Failure::delay(Duration::from_millis(200)),
///     Failure::Drop,
/// ];
/// # drop(script);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Failure {
    /// Answer with this status (100..=599). Without a `body`, the body is an error in
    /// Connectly's documented format with a type and code fitting the status (see the
    /// module docs). A body that parses as JSON is sent as `application/json`, any other as
    /// `text/plain`. `retry_after` becomes a `Retry-After` header, verbatim.
    Status {
        /// The status code.
        status: u16,
        /// The body, sent verbatim.
        body: Option<String>,
        /// The `Retry-After` header value, verbatim.
        retry_after: Option<String>,
    },
    /// Wait this long, then answer normally.
    Delay(Duration),
    /// Read the whole request, record it, then close the connection without answering.
    Drop,
    /// Close the connection as soon as the request head has arrived, without reading the
    /// body, recording the request or answering.
    DropBeforeRead,
    /// Record the request, then answer normally but stop half-way through the body and
    /// reset the connection (TCP RST).
    ResetMidBody,
    /// Record the request, then write the answer's head (announcing the whole body) and half
    /// its body, and close the connection cleanly.
    HalfWritten,
    /// Record the request, then answer normally, but write the body `bytes_per_second`
    /// bytes at a time, one write a second (the head is sent at once).
    Dribble {
        /// Body bytes written each second (0 counts as 1).
        bytes_per_second: u32,
    },
    /// Record the request, then answer 200 with a body of `bytes` spaces, streamed and never
    /// held in memory, until it is all sent or the client hangs up.
    Huge {
        /// The body's length in bytes.
        bytes: u64,
        /// Send the body chunked, without a `Content-Length`, so the client only learns its
        /// size by reading it.
        chunked: bool,
    },
    /// Record the request, then answer 200 with `Content-Type: application/json` and a body
    /// that is not valid JSON.
    InvalidJson,
}

/// The body [`Failure::InvalidJson`] answers with.
pub(crate) const INVALID_JSON_BODY: &str = r#"{"id":"mock-invalid","cntTraceId":"1"#;

impl Failure {
    /// Answer with `status` and a documented-format error body.
    pub fn status(status: u16) -> Failure {
        Failure::Status {
            status,
            body: None,
            retry_after: None,
        }
    }

    /// A 429 with the documented rate-limit code (`ERROR_CODE_BUSINESS_REACHED_LIMITS`).
    pub fn rate_limited() -> Failure {
        Failure::status(429)
    }

    /// A 500 with an internal-error body.
    pub fn server_error() -> Failure {
        Failure::status(500)
    }

    /// Wait `delay`, then answer normally.
    pub fn delay(delay: Duration) -> Failure {
        Failure::Delay(delay)
    }

    /// `count` failures drawn from `choices` with a seeded generator: each entry is one of
    /// `choices` (uniformly) with probability `rate`, and otherwise a normal answer
    /// (`Delay(0)`). The same seed gives the same script. Queue it with
    /// [`MockServer::fail_next`](super::MockServer::fail_next) to fail about `rate` of the
    /// next `count` requests at random.
    ///
    /// ```
    /// use connectly_mock::Failure;
    ///
    /// let script = Failure::random(7, 100, 0.3, &[Failure::server_error(), Failure::Drop]);
    /// assert_eq!(script.len(), 100);
    /// assert_eq!(script, Failure::random(7, 100, 0.3, &[Failure::server_error(), Failure::Drop]));
    /// ```
    pub fn random(seed: u64, count: usize, rate: f64, choices: &[Failure]) -> Vec<Failure> {
        let mut rng = fastrand::Rng::with_seed(seed);
        (0..count)
            .map(|_| {
                let fail = rng.f64() < rate;
                match choices.get(rng.usize(..choices.len().max(1))) {
                    Some(choice) if fail => choice.clone(),
                    _ => Failure::Delay(Duration::ZERO),
                }
            })
            .collect()
    }

    /// What the mock answers when this failure pops, given its `normal` answer.
    pub(crate) fn apply(self, normal: Reply) -> Reply {
        match self {
            Failure::Status {
                status,
                body,
                retry_after,
            } => Failure::status_reply(status, body.as_deref(), retry_after.as_deref()),
            Failure::Delay(delay) => normal.delayed(delay),
            Failure::Drop | Failure::DropBeforeRead => Reply::drop_connection(),
            Failure::ResetMidBody => Reply {
                action: Action::Truncate { reset: true },
                ..normal
            },
            Failure::HalfWritten => Reply {
                action: Action::Truncate { reset: false },
                ..normal
            },
            Failure::Dribble { bytes_per_second } => Reply {
                action: Action::Dribble { bytes_per_second },
                ..normal
            },
            Failure::Huge { bytes, chunked } => Reply {
                action: Action::Stream { bytes, chunked },
                ..Reply::with_body(200, "application/json", Vec::new())
            },
            Failure::InvalidJson => Reply::json(200, INVALID_JSON_BODY),
        }
    }

    /// Adds a `Retry-After` header to a [`Failure::Status`]; other failures are unchanged.
    pub fn retry_after(self, value: impl Into<String>) -> Failure {
        match self {
            Failure::Status { status, body, .. } => Failure::Status {
                status,
                body,
                retry_after: Some(value.into()),
            },
            other => other,
        }
    }

    /// Sets the body of a [`Failure::Status`]; other failures are unchanged.
    pub fn with_body(self, body: impl Into<String>) -> Failure {
        match self {
            Failure::Status {
                status,
                retry_after,
                ..
            } => Failure::Status {
                status,
                body: Some(body.into()),
                retry_after,
            },
            other => other,
        }
    }

    /// The answer for a `Status` failure.
    pub(crate) fn status_reply(
        status: u16,
        body: Option<&str>,
        retry_after: Option<&str>,
    ) -> Reply {
        let reply = match body {
            None => errors::reply(
                errors::for_status(status),
                "scripted failure of the mock server",
            ),
            Some(body) if serde_json::from_str::<Value>(body).is_ok() => {
                Reply::json(status, body.as_bytes())
            }
            Some(body) => Reply::text(status, body),
        };
        let reply = Reply { status, ..reply };
        match retry_after {
            Some(value) => reply.header("retry-after", value),
            None => reply,
        }
    }

    /// Parses one failure of the control protocol:
    /// `{"status": 429, "body": "...", "retry_after": "1"}`, `{"delay_ms": 200}`,
    /// `{"drop": true}`, `{"drop_before_read": true}`, `{"reset_mid_body": true}`,
    /// `{"half_written": true}`, `{"dribble_bytes_per_sec": 1}`,
    /// `{"huge_bytes": 209715200, "chunked": true}` or `{"invalid_json": true}`.
    pub fn from_json(value: &Value) -> Result<Failure, String> {
        let object = value
            .as_object()
            .ok_or_else(|| "each failure must be a JSON object".to_owned())?;
        let only = |keys: &[&str]| -> Result<(), String> {
            match object.keys().find(|k| !keys.contains(&k.as_str())) {
                Some(key) => Err(format!("unexpected field {key:?} in a failure")),
                None => Ok(()),
            }
        };
        if let Some(status) = object.get("status") {
            only(&["status", "body", "retry_after"])?;
            let status = status
                .as_u64()
                .and_then(|s| u16::try_from(s).ok())
                .filter(|s| (100..=599).contains(s))
                .ok_or_else(|| "\"status\" must be an integer in 100..=599".to_owned())?;
            Ok(Failure::Status {
                status,
                body: optional_string(object, "body")?,
                retry_after: optional_string(object, "retry_after")?,
            })
        } else if let Some(delay) = object.get("delay_ms") {
            only(&["delay_ms"])?;
            let ms = delay
                .as_u64()
                .ok_or_else(|| "\"delay_ms\" must be a non-negative integer".to_owned())?;
            Ok(Failure::Delay(Duration::from_millis(ms)))
        } else if object.get("drop") == Some(&Value::Bool(true)) {
            only(&["drop"])?;
            Ok(Failure::Drop)
        } else if object.get("drop_before_read") == Some(&Value::Bool(true)) {
            only(&["drop_before_read"])?;
            Ok(Failure::DropBeforeRead)
        } else if object.get("reset_mid_body") == Some(&Value::Bool(true)) {
            only(&["reset_mid_body"])?;
            Ok(Failure::ResetMidBody)
        } else if object.get("half_written") == Some(&Value::Bool(true)) {
            only(&["half_written"])?;
            Ok(Failure::HalfWritten)
        } else if object.get("invalid_json") == Some(&Value::Bool(true)) {
            only(&["invalid_json"])?;
            Ok(Failure::InvalidJson)
        } else if let Some(rate) = object.get("dribble_bytes_per_sec") {
            only(&["dribble_bytes_per_sec"])?;
            let bytes_per_second = rate
                .as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .filter(|n| *n > 0)
                .ok_or_else(|| "\"dribble_bytes_per_sec\" must be a positive integer".to_owned())?;
            Ok(Failure::Dribble { bytes_per_second })
        } else if let Some(bytes) = object.get("huge_bytes") {
            only(&["huge_bytes", "chunked"])?;
            let bytes = bytes
                .as_u64()
                .ok_or_else(|| "\"huge_bytes\" must be a non-negative integer".to_owned())?;
            let chunked = match object.get("chunked") {
                None | Some(Value::Null) => false,
                Some(Value::Bool(b)) => *b,
                Some(_) => return Err("\"chunked\" must be true or false".to_owned()),
            };
            Ok(Failure::Huge { bytes, chunked })
        } else {
            Err("a failure needs \"status\", \"delay_ms\", \"drop\": true, \
                 \"drop_before_read\": true, \"reset_mid_body\": true, \"half_written\": true, \
                 \"dribble_bytes_per_sec\", \"huge_bytes\" or \"invalid_json\": true"
                .to_owned())
        }
    }

    /// The control protocol's form of this failure.
    pub fn to_json(&self) -> Value {
        match self {
            Failure::Status {
                status,
                body,
                retry_after,
            } => {
                let mut object = Map::new();
                object.insert("status".into(), Value::from(*status));
                if let Some(body) = body {
                    object.insert("body".into(), Value::from(body.as_str()));
                }
                if let Some(retry_after) = retry_after {
                    object.insert("retry_after".into(), Value::from(retry_after.as_str()));
                }
                Value::Object(object)
            }
            Failure::Delay(delay) => {
                let ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX);
                serde_json::json!({ "delay_ms": ms })
            }
            Failure::Drop => serde_json::json!({ "drop": true }),
            Failure::DropBeforeRead => serde_json::json!({ "drop_before_read": true }),
            Failure::ResetMidBody => serde_json::json!({ "reset_mid_body": true }),
            Failure::HalfWritten => serde_json::json!({ "half_written": true }),
            Failure::Dribble { bytes_per_second } => {
                serde_json::json!({ "dribble_bytes_per_sec": bytes_per_second })
            }
            Failure::Huge { bytes, chunked } => {
                serde_json::json!({ "huge_bytes": bytes, "chunked": chunked })
            }
            Failure::InvalidJson => serde_json::json!({ "invalid_json": true }),
        }
    }
}

fn optional_string(object: &Map<String, Value>, key: &str) -> Result<Option<String>, String> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(format!("{key:?} must be a string")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_round_trip() {
        let failures = [
            Failure::status(429).retry_after("1"),
            Failure::status(500).with_body("oops"),
            Failure::delay(Duration::from_millis(250)),
            Failure::Drop,
            Failure::DropBeforeRead,
            Failure::ResetMidBody,
            Failure::HalfWritten,
            Failure::Dribble {
                bytes_per_second: 3,
            },
            Failure::Huge {
                bytes: 1 << 30,
                chunked: true,
            },
            Failure::InvalidJson,
        ];
        for failure in failures {
            assert_eq!(Failure::from_json(&failure.to_json()).unwrap(), failure);
        }
        assert!(Failure::from_json(&json!({"status": 99})).is_err());
        assert!(Failure::from_json(&json!({"status": 429, "x": 1})).is_err());
        assert!(Failure::from_json(&json!({"drop": false})).is_err());
        assert!(Failure::from_json(&json!([])).is_err());
    }

    #[test]
    fn status_reply_shapes() {
        let reply = Failure::status_reply(429, None, Some("2"));
        assert_eq!(reply.status, 429);
        let body: Value = serde_json::from_slice(&reply.body).unwrap();
        assert_eq!(body["code"], "ERROR_CODE_BUSINESS_REACHED_LIMITS");
        assert!(reply
            .headers
            .contains(&("retry-after".to_owned(), "2".to_owned())));
        let reply = Failure::status_reply(502, Some("<html>bad gateway</html>"), None);
        assert!(reply
            .headers
            .iter()
            .any(|(_, v)| v.starts_with("text/plain")));
    }
}
