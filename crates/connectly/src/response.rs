//! What a successful call returns.

/// A successful reply from the API.
///
/// The provider does not document its success bodies, so the SDK hands back the JSON it got
/// rather than inventing fields.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Response {
    /// The HTTP status (2xx).
    pub status: u16,
    /// The body as JSON: `Null` when empty, a JSON string when the body was not JSON.
    pub body: serde_json::Value,
    /// How many attempts the call took (1 when the first one succeeded).
    pub attempts: u32,
    /// The provider's trace id (`cntTraceId`), when the body carried one.
    pub trace_id: Option<String>,
}

impl Response {
    /// The `id` the reply carries, when it has one as a string: a template send's message id
    /// (the id its delivery statuses name), a created webhook's id. Read from [`body`](Self::body),
    /// which keeps everything else the reply holds.
    pub fn id(&self) -> Option<&str> {
        self.body.get("id").and_then(serde_json::Value::as_str)
    }

    /// The reply, with `secret` (the API key) replaced by `[REDACTED]` wherever it appears,
    /// should a proxy or the provider echo it: in the body and so in the trace id.
    pub(crate) fn from_reply_redacting(
        status: u16,
        body: &[u8],
        attempts: u32,
        secret: Option<&str>,
    ) -> Self {
        let mut response = Self::from_reply(status, body, attempts);
        if let Some(secret) = secret.filter(|s| !s.is_empty()) {
            if crate::error::redact_value(&mut response.body, secret) {
                response.trace_id = crate::error::json_text(response.body.get("cntTraceId"));
            }
        }
        response
    }

    pub(crate) fn from_reply(status: u16, body: &[u8], attempts: u32) -> Self {
        let body = if body.iter().all(u8::is_ascii_whitespace) {
            serde_json::Value::Null
        } else {
            serde_json::from_slice(body).unwrap_or_else(|_| {
                serde_json::Value::String(String::from_utf8_lossy(body).into_owned())
            })
        };
        let trace_id = crate::error::json_text(body.get("cntTraceId"));
        Self {
            status,
            body,
            attempts,
            trace_id,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Response;

    #[test]
    fn the_id_is_the_bodys_string_id_or_none() {
        let sent = Response::from_reply(200, br#"{"id":"01FRRV","cntTraceId":"7"}"#, 1);
        assert_eq!(sent.id(), Some("01FRRV"));
        for body in [&b""[..], b"{}", br#"{"id":7}"#, br#"["id"]"#, b"not json"] {
            assert_eq!(Response::from_reply(200, body, 1).id(), None, "{body:?}");
        }
    }
}
