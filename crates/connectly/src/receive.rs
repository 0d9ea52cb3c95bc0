//! Receiving a delivery over HTTP: the one policy every helper follows.
//!
//! A webhook endpoint has to decide more than whether a signature matches: which methods it
//! takes, how much of a body it reads, which `Content-Encoding`s it undoes, and which HTTP
//! status each refusal gets. Those decisions live here, once, and every helper (Flask,
//! Django, FastAPI, Go's `net/http` middleware, `connectly listen`, the C example) calls
//! [`Webhook::admit`] before reading the body and [`Webhook::receive`] after.
//!
//! | case | answer |
//! |---|---|
//! | a method other than `POST` (methods are case-sensitive) | 405, with `Allow: POST` |
//! | a declared `Content-Length`, the body read, or the body decoded over the limit | 413 |
//! | `Content-Encoding` other than none, `identity`, `gzip` or `x-gzip` (case-insensitive, trimmed; one coding, not a list) | 415 |
//! | a gzip body that is empty, truncated, corrupt or followed by bytes that are not another gzip member | 400 |
//! | several gzip members one after the other (RFC 1952) | decoded as one body |
//! | a missing, malformed or wrong signature; a timestamp outside the tolerance | 403 |
//! | a signed body that is not an event | 400 |
//! | a verified event | the view runs; 200 when it answers nothing |
//!
//! The limit is the verifier's [`Webhook::max_body_size`]; a helper whose framework has a
//! smaller limit of its own (Django's `DATA_UPLOAD_MAX_MEMORY_SIZE`) applies the smaller.
//! The signature is checked over the decoded body: `Content-Encoding` belongs to the
//! transport, and Connectly signs the delivery itself.

use std::io::Read;

use flate2::read::MultiGzDecoder;

use crate::event::Event;
use crate::kind::RefusalKind;
use crate::webhook::{signature_in, SignatureHeader, Webhook, WebhookError};

/// Why a delivery was refused; [`Refusal::status`] is the HTTP status to answer with.
///
/// Like [`WebhookError`], no message quotes the body, the signature or a secret.
///
/// Not `#[non_exhaustive]`, on purpose: every binding (the C status, the Python exception,
/// the Go sentinel, the CLI exit code) maps each variant in an exhaustive `match`, so a new
/// variant does not compile until every binding handles it. Adding one is a breaking change,
/// made in a minor release while the crate is 0.x.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The request's method was not `POST`: answer 405 with `Allow: POST`.
    #[error("only POST delivers webhook events")]
    MethodNotAllowed,
    /// The `Content-Encoding` is not one the SDK undoes (none, `identity`, `gzip`, `x-gzip`).
    #[error("the Content-Encoding is not supported: send identity or gzip")]
    UnsupportedEncoding,
    /// The body claims gzip but is not a valid gzip stream.
    #[error("the body is not valid gzip")]
    MalformedEncoding,
    /// The delivery failed verification or parsing (or was too large).
    #[error(transparent)]
    Webhook(#[from] WebhookError),
}

impl Refusal {
    /// The refusal's kind: what every binding maps on.
    pub fn kind(&self) -> RefusalKind {
        match self {
            Self::MethodNotAllowed => RefusalKind::MethodNotAllowed,
            Self::UnsupportedEncoding => RefusalKind::UnsupportedEncoding,
            Self::MalformedEncoding => RefusalKind::MalformedEncoding,
            Self::Webhook(error) => error.kind(),
        }
    }

    /// The HTTP status for this refusal: 405, 413, 415, 400 or 403 (500 for a verifier that
    /// could not be built, which `receive` itself never returns).
    pub fn status(&self) -> u16 {
        self.kind().status()
    }

    /// The refusal's kind name, such as `"MethodNotAllowed"` or `"InvalidSignature"`: the
    /// name every binding and the shared vectors use.
    pub fn kind_name(&self) -> &'static str {
        self.kind().name()
    }

    /// A short, fixed text for the response body (never a quote of the request).
    pub fn reason(&self) -> &'static str {
        self.kind().reason()
    }
}

impl RefusalKind {
    /// The HTTP status a receiver answers a refusal of this kind with.
    pub fn status(self) -> u16 {
        match self {
            Self::MethodNotAllowed => 405,
            Self::UnsupportedEncoding => 415,
            Self::MalformedEncoding | Self::InvalidPayload => 400,
            Self::MissingSignature
            | Self::MalformedSignature
            | Self::InvalidSignature
            | Self::TimestampOutsideTolerance => 403,
            Self::PayloadTooLarge => 413,
            Self::InvalidSecret => 500,
        }
    }

    /// A short, fixed response text for a refusal of this kind.
    pub fn reason(self) -> &'static str {
        match self {
            Self::MethodNotAllowed => "method not allowed",
            Self::UnsupportedEncoding => "unsupported content encoding",
            Self::MalformedEncoding => "malformed gzip body",
            Self::PayloadTooLarge => "webhook body too large",
            Self::InvalidPayload => "invalid webhook payload",
            Self::InvalidSecret => "webhook receiver misconfigured",
            Self::MissingSignature
            | Self::MalformedSignature
            | Self::InvalidSignature
            | Self::TimestampOutsideTolerance => "invalid webhook signature",
        }
    }
}
/// The transport encodings a delivery may arrive in.
enum Encoding {
    Identity,
    Gzip,
}

/// Reads a `Content-Encoding` header value by the policy above.
fn encoding(header: Option<&str>) -> Result<Encoding, Refusal> {
    let value = header.unwrap_or("").trim();
    if value.is_empty() || value.eq_ignore_ascii_case("identity") {
        Ok(Encoding::Identity)
    } else if value.eq_ignore_ascii_case("gzip") || value.eq_ignore_ascii_case("x-gzip") {
        Ok(Encoding::Gzip)
    } else {
        Err(Refusal::UnsupportedEncoding)
    }
}

/// The refusal for a body over `limit`; `size` is what is known of it (at least this much).
fn too_large(size: usize, limit: usize) -> Refusal {
    Refusal::Webhook(WebhookError::PayloadTooLarge { size, limit })
}

/// Decompresses every gzip member of `body`, producing at most `limit` bytes: a larger
/// result is refused after `limit + 1` bytes of work, so a "zip bomb" costs no more memory
/// than a plain body at the limit.
fn gunzip(body: &[u8], limit: usize) -> Result<Vec<u8>, Refusal> {
    if body.is_empty() {
        return Err(Refusal::MalformedEncoding);
    }
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    let mut plain = Vec::new();
    MultiGzDecoder::new(body)
        .take(cap)
        .read_to_end(&mut plain)
        .map_err(|_| Refusal::MalformedEncoding)?;
    if plain.len() > limit {
        return Err(too_large(plain.len(), limit));
    }
    Ok(plain)
}

impl Webhook {
    /// The checks a helper makes before it reads the body: the method must be `POST` (else
    /// [`Refusal::MethodNotAllowed`]), and a declared `Content-Length` must not exceed
    /// [`max_body_size`](Webhook::max_body_size) (else 413). A helper then reads at most
    /// `max_body_size + 1` bytes and hands them to [`receive`](Webhook::receive).
    pub fn admit(&self, method: &str, content_length: Option<u64>) -> Result<(), Refusal> {
        if method != "POST" {
            return Err(Refusal::MethodNotAllowed);
        }
        let limit = self.max_body_size();
        match content_length.map(usize::try_from) {
            Some(Ok(size)) if size > limit => Err(too_large(size, limit)),
            Some(Err(_)) => Err(too_large(usize::MAX, limit)),
            _ => Ok(()),
        }
    }

    /// Receives one delivery by the policy in this module's table: checks the method and the
    /// body's size, undoes the `Content-Encoding`, verifies the signature over the decoded
    /// bytes, and only then parses the event (whose [`Event::body`] is those bytes).
    ///
    /// `body` is what the helper read (at most `max_body_size + 1` bytes), `signature` the
    /// [`SIGNATURE_HEADER`](crate::SIGNATURE_HEADER) value. Every refusal carries its HTTP status
    /// ([`Refusal::status`]).
    ///
    /// ```
    /// use connectly::{Refusal, Webhook};
    ///
    /// let webhook = Webhook::new("secret")?;
    /// let body = br#"{"timestamp":"1","sender":{"id":"+1555","channelType":"sms"},"recipient":{"id":"b","channelType":"sms"}}"#;
    /// let signature = webhook.sign(body);
    /// let event = webhook.receive("POST", None, body, signature.as_str())?;
    /// assert_eq!(event.body(), body);
    /// let refused = webhook.receive("GET", None, body, signature.as_str()).unwrap_err();
    /// assert_eq!(refused.status(), 405);
    /// # Ok::<(), Refusal>(())
    /// ```
    pub fn receive(
        &self,
        method: &str,
        content_encoding: Option<&str>,
        body: &[u8],
        signature: impl SignatureHeader,
    ) -> Result<Event, Refusal> {
        self.admit(method, None)?;
        let limit = self.max_body_size();
        if body.len() > limit {
            return Err(too_large(body.len(), limit));
        }
        let decoded;
        let signed = match encoding(content_encoding)? {
            Encoding::Identity => body,
            Encoding::Gzip => {
                decoded = gunzip(body, limit)?;
                decoded.as_slice()
            }
        };
        Ok(self.verify_event(signed, signature)?)
    }

    /// [`receive`](Webhook::receive) with the request's headers as an [`http::HeaderMap`]
    /// (axum, actix-web, hyper): the signature and `Content-Encoding` are read from it. A
    /// header value that is not visible ASCII counts as malformed.
    pub fn receive_headers(
        &self,
        method: &str,
        headers: &http::HeaderMap,
        body: &[u8],
    ) -> Result<Event, Refusal> {
        self.admit(method, None)?;
        let encoding = match headers.get(http::header::CONTENT_ENCODING) {
            None => None,
            Some(value) => Some(value.to_str().map_err(|_| Refusal::UnsupportedEncoding)?),
        };
        let signature = signature_in(headers)?;
        self.receive(method, encoding, body, signature)
    }
}
