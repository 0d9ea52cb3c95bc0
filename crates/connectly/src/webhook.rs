//! Webhook signatures: verifying Connectly's deliveries and signing bodies as Connectly would.
//!
//! Connectly signs every delivery with HMAC-SHA256, keyed with the webhook secret's bytes, over
//! the exact raw request body, and sends the standard padded base64 of the 32-byte tag in the
//! [`SIGNATURE_HEADER`] header. Verify the raw bytes as they arrived: a body that was parsed
//! and re-serialized will not match.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::{Choice, ConstantTimeEq};

use crate::clock::{Clock, SystemClock};
use crate::event::{self, Event};
use crate::kind::RefusalKind;

/// The header that carries a delivery's signature (HTTP header names are case-insensitive).
pub const SIGNATURE_HEADER: &str = "x-connectly-hmac-sha256";

/// The length of an HMAC-SHA256 tag in bytes.
const TAG_LEN: usize = 32;

/// The length of a tag in standard padded base64 (`ceil(32 / 3) * 4`).
const ENCODED_TAG_LEN: usize = 44;

/// Why a webhook secret or delivery was rejected.
///
/// No message contains the secret, the signature or the body: the reasons are fixed phrases
/// and numbers (sizes, durations). [`WebhookError::kind_name`] gives the variant's name, which
/// is the error kind shared by every language binding.
///
/// Not `#[non_exhaustive]`, on purpose: every binding (the C status, the Python exception,
/// the Go sentinel, the CLI exit code) maps each variant in an exhaustive `match`, so a new
/// variant does not compile until every binding handles it. Adding one is a breaking change,
/// made in a minor release while the crate is 0.x.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    /// The signature header was absent, empty, or only whitespace.
    #[error("the webhook signature header is missing or empty")]
    MissingSignature,
    /// The signature header is not standard padded base64 of exactly 32 bytes.
    #[error("the webhook signature is malformed: expected standard padded base64 of 32 bytes")]
    MalformedSignature,
    /// The signature is well formed but matches none of the secrets: the body was altered,
    /// or it was signed with another secret.
    #[error("the webhook signature does not match the body")]
    InvalidSignature,
    /// The body is larger than the configured limit; it was not hashed.
    #[error("the webhook body is over the {limit}-byte limit (at least {size} bytes)")]
    PayloadTooLarge {
        /// The body's size in bytes, or as much of it as was read or decoded before the
        /// limit was crossed (so: at least this much).
        size: usize,
        /// The configured limit in bytes.
        limit: usize,
    },
    /// The signature matched, but the body is not the JSON expected. The reason is a fixed
    /// phrase naming the field, never a quote of the body.
    #[error("the webhook body is signed but not a valid event: {0}")]
    InvalidPayload(&'static str),
    /// A secret was empty, or the number of secrets was not between 1 and 8.
    #[error("invalid webhook secret: {0}")]
    InvalidSecret(&'static str),
    /// A tolerance is set and the body's `timestamp` is further from the current time than it
    /// allows (a replayed or delayed delivery, or a clock that is off).
    #[error(
        "the webhook timestamp is {}s away from the current time, more than the {}s tolerance",
        skew.as_secs(),
        tolerance.as_secs_f64()
    )]
    TimestampOutsideTolerance {
        /// How far the timestamp is from the current time, in whole seconds, either way.
        skew: Duration,
        /// The configured tolerance.
        tolerance: Duration,
    },
}

impl WebhookError {
    /// The kind of error: what every binding (C, Go, Python) maps on.
    pub fn kind(&self) -> RefusalKind {
        match self {
            Self::MissingSignature => RefusalKind::MissingSignature,
            Self::MalformedSignature => RefusalKind::MalformedSignature,
            Self::InvalidSignature => RefusalKind::InvalidSignature,
            Self::PayloadTooLarge { .. } => RefusalKind::PayloadTooLarge,
            Self::InvalidPayload(_) => RefusalKind::InvalidPayload,
            Self::InvalidSecret(_) => RefusalKind::InvalidSecret,
            Self::TimestampOutsideTolerance { .. } => RefusalKind::TimestampOutsideTolerance,
        }
    }

    /// The variant's name, such as `"InvalidSignature"` (`self.kind().name()`). Stable across
    /// releases.
    pub fn kind_name(&self) -> &'static str {
        self.kind().name()
    }
}

/// A signature header value as a caller has it: `&str`, `&String`, `String`, or an
/// `Option` of those (`None` when the header was absent).
///
/// Implemented for the types a web framework hands out, so `webhook.verify(body, &sig)`
/// works whichever of them `sig` is. Sealed: the SDK decides what counts as a header value.
pub trait SignatureHeader: sealed::Sealed {
    /// The header's text, or `None` when it was absent.
    fn header_value(&self) -> Option<&str>;
}

mod sealed {
    /// Keeps [`SignatureHeader`](super::SignatureHeader) implemented only here.
    pub trait Sealed {}
}

macro_rules! signature_header {
    ($($ty:ty => |$s:ident| $get:expr;)*) => {$(
        impl sealed::Sealed for $ty {}
        impl SignatureHeader for $ty {
            fn header_value(&self) -> Option<&str> {
                let $s = self;
                $get
            }
        }
    )*};
}

signature_header! {
    &str => |s| Some(s);
    &String => |s| Some(s.as_str());
    String => |s| Some(s.as_str());
    Option<&str> => |s| *s;
    Option<String> => |s| s.as_deref();
    Option<&String> => |s| s.map(String::as_str);
    &Option<String> => |s| s.as_deref();
}

/// The [`SIGNATURE_HEADER`] value in `headers`: `None` when absent; a value that is not
/// visible ASCII cannot be base64, so it is [`WebhookError::MalformedSignature`].
pub(crate) fn signature_in(headers: &http::HeaderMap) -> Result<Option<&str>, WebhookError> {
    headers
        .get(SIGNATURE_HEADER)
        .map(|value| value.to_str().map_err(|_| WebhookError::MalformedSignature))
        .transpose()
}

/// Verifies and signs webhook deliveries with one or more secrets.
///
/// The HMAC key state is prepared once, at construction; each check clones it. A `Webhook` is
/// cheap to clone and `Send + Sync`, so one can serve every request. Its `Debug` output never
/// shows the secrets.
///
/// ```
/// use connectly::{Webhook, SIGNATURE_HEADER};
///
/// let webhook = Webhook::new("YOUR_SECRET_VALUE")?;
/// let body = br#"{"timestamp":"1639083206","sender":{"id":"+16315555500","channelType":"whatsapp"},"recipient":{"id":"123456123","channelType":"whatsapp"},"message":{"text":"TEST 11"}}"#;
/// // In a server, `signature` is the value of the `x-connectly-hmac-sha256` header, and
/// // `body` the raw request body as it arrived.
/// let signature = webhook.sign(body);
/// let event = webhook.verify_event(body, signature.as_str())?;
/// assert_eq!(event.text(), Some("TEST 11"));
/// assert_eq!(SIGNATURE_HEADER, "x-connectly-hmac-sha256");
/// # Ok::<(), connectly::WebhookError>(())
/// ```
#[derive(Clone)]
pub struct Webhook {
    /// The newest secret's key: it signs, and it verifies.
    primary: Hmac<Sha256>,
    /// Older secrets still accepted while a rotation is under way.
    older: Vec<Hmac<Sha256>>,
    /// The largest body hashed, in bytes.
    max_body_size: usize,
    /// How far the body's timestamp may be from now; `None`: not checked.
    tolerance: Option<Duration>,
    /// Where "now" comes from for the tolerance check.
    clock: Arc<dyn Clock>,
}

impl fmt::Debug for Webhook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Webhook")
            .field(
                "secrets",
                &format_args!("[REDACTED; {}]", self.secret_count()),
            )
            .field("max_body_size", &self.max_body_size)
            .field("tolerance", &self.tolerance)
            .field("clock", &self.clock)
            .finish()
    }
}

/// The HMAC key state for one secret.
fn key(secret: &[u8]) -> Result<Hmac<Sha256>, WebhookError> {
    if secret.is_empty() {
        return Err(WebhookError::InvalidSecret("a secret is empty"));
    }
    Hmac::<Sha256>::new_from_slice(secret)
        .map_err(|_| WebhookError::InvalidSecret("a secret is not a valid HMAC key"))
}

impl Webhook {
    /// The default largest body verified: 5 MiB.
    pub const DEFAULT_MAX_BODY_SIZE: usize = 5 * 1024 * 1024;

    /// The most secrets one `Webhook` accepts (see [`Webhook::with_secrets`]).
    pub const MAX_SECRETS: usize = 8;

    /// A verifier for one secret (its bytes; a `&str`, `String`, `&[u8]` or `Vec<u8>`).
    ///
    /// Fails with [`WebhookError::InvalidSecret`] when the secret is empty.
    pub fn new(secret: impl AsRef<[u8]>) -> Result<Self, WebhookError> {
        Ok(Self::from_keys(key(secret.as_ref())?, Vec::new()))
    }

    /// A verifier for several secrets, newest first, for rotating a secret without dropping
    /// deliveries: a signature made with any of them verifies, and [`Webhook::sign`] uses the
    /// first.
    ///
    /// Fails with [`WebhookError::InvalidSecret`] unless there are 1 to
    /// [`MAX_SECRETS`](Webhook::MAX_SECRETS) secrets, none of them empty.
    ///
    /// ```
    /// # use connectly::Webhook;
    /// let old = Webhook::new("old-secret")?;
    /// let rotating = Webhook::with_secrets(["new-secret", "old-secret"])?;
    /// let signature = old.sign(b"{}");
    /// assert!(rotating.verify(b"{}", signature.as_str()).is_ok());
    /// # Ok::<(), connectly::WebhookError>(())
    /// ```
    pub fn with_secrets<I, S>(secrets: I) -> Result<Self, WebhookError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<[u8]>,
    {
        let mut secrets = secrets.into_iter();
        let primary = match secrets.next() {
            Some(secret) => key(secret.as_ref())?,
            None => return Err(WebhookError::InvalidSecret("no secret was given")),
        };
        let mut older = Vec::new();
        for secret in secrets {
            if older.len() + 1 >= Self::MAX_SECRETS {
                return Err(WebhookError::InvalidSecret(
                    "more than 8 secrets were given",
                ));
            }
            older.push(key(secret.as_ref())?);
        }
        Ok(Self::from_keys(primary, older))
    }

    fn from_keys(primary: Hmac<Sha256>, older: Vec<Hmac<Sha256>>) -> Self {
        Self {
            primary,
            older,
            max_body_size: Self::DEFAULT_MAX_BODY_SIZE,
            tolerance: None,
            clock: Arc::new(SystemClock),
        }
    }

    /// Sets the largest body verified, in bytes (default
    /// [`DEFAULT_MAX_BODY_SIZE`](Webhook::DEFAULT_MAX_BODY_SIZE), 5 MiB). A larger body is
    /// refused with [`WebhookError::PayloadTooLarge`] before it is hashed; a body of exactly
    /// `limit` bytes is accepted.
    #[must_use]
    pub fn with_max_body_size(mut self, limit: usize) -> Self {
        self.max_body_size = limit;
        self
    }

    /// Turns on replay protection: after the signature matched, the body's `timestamp` (Unix
    /// seconds) must be within `tolerance` of the current time, either way, compared in whole
    /// seconds; otherwise [`WebhookError::TimestampOutsideTolerance`]. Off by default, since
    /// Connectly does not document how late a delivery (or a retry of one) may arrive.
    ///
    /// With a tolerance set, both [`verify`](Webhook::verify) and
    /// [`verify_event`](Webhook::verify_event) check it, so both then read the signed body's
    /// `timestamp` field, and a signed body without a valid one is
    /// [`WebhookError::InvalidPayload`].
    #[must_use]
    pub fn with_tolerance(mut self, tolerance: Duration) -> Self {
        self.tolerance = Some(tolerance);
        self
    }

    /// Turns the timestamp check of [`with_tolerance`](Webhook::with_tolerance) off again.
    #[must_use]
    pub fn without_tolerance(mut self) -> Self {
        self.tolerance = None;
        self
    }

    /// Sets where the current time comes from for the tolerance check (default: the system
    /// clock). Tests inject a fake clock.
    #[must_use]
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The largest body verified, in bytes.
    pub fn max_body_size(&self) -> usize {
        self.max_body_size
    }

    /// The timestamp tolerance, when one is set.
    pub fn tolerance(&self) -> Option<Duration> {
        self.tolerance
    }

    /// How many secrets this verifier accepts (1 to 8).
    pub fn secret_count(&self) -> usize {
        self.older.len() + 1
    }

    /// Checks that `signature` (the [`SIGNATURE_HEADER`] value, or `None` when the header was
    /// absent) is Connectly's signature of `body`, the raw request body.
    ///
    /// In order: a missing, empty or whitespace-only header is
    /// [`MissingSignature`](WebhookError::MissingSignature); the trimmed header must be
    /// standard padded base64 of exactly 32 bytes, else
    /// [`MalformedSignature`](WebhookError::MalformedSignature); a body over the size limit is
    /// [`PayloadTooLarge`](WebhookError::PayloadTooLarge) (and is not hashed); then the tag is
    /// compared in constant time with the HMAC of every secret, without stopping at the first
    /// match; none matching is [`InvalidSignature`](WebhookError::InvalidSignature).
    ///
    /// Without a tolerance `verify` does not look inside the body at all. With one set (see
    /// [`with_tolerance`](Webhook::with_tolerance)), it then reads the signed body's
    /// `timestamp` and checks it.
    pub fn verify(&self, body: &[u8], signature: impl SignatureHeader) -> Result<(), WebhookError> {
        self.verify_mac(body, signature.header_value())?;
        if let Some(tolerance) = self.tolerance {
            let timestamp = event::timestamp_of_verified_body(body)?;
            self.check_timestamp(timestamp, tolerance)?;
        }
        Ok(())
    }

    /// Verifies the delivery exactly as [`verify`](Webhook::verify) does, then, only once the
    /// signature matched, parses it into an [`Event`].
    ///
    /// A signed body that is not the JSON expected (a `timestamp`, `sender` and `recipient`
    /// with `id` and `channelType`) is [`InvalidPayload`](WebhookError::InvalidPayload). With
    /// a tolerance set, the timestamp is then checked.
    pub fn verify_event(
        &self,
        body: &[u8],
        signature: impl SignatureHeader,
    ) -> Result<Event, WebhookError> {
        self.verify_mac(body, signature.header_value())?;
        let event = Event::from_verified_body(body)?;
        if let Some(tolerance) = self.tolerance {
            self.check_timestamp(event.timestamp(), tolerance)?;
        }
        Ok(event)
    }

    /// [`verify`](Webhook::verify) with the request's headers as they are (an
    /// [`http::HeaderMap`], as axum, actix-web and hyper give them): the signature is read
    /// from the [`SIGNATURE_HEADER`] header.
    pub fn verify_headers(
        &self,
        body: &[u8],
        headers: &http::HeaderMap,
    ) -> Result<(), WebhookError> {
        self.verify(body, signature_in(headers)?)
    }

    /// [`verify_event`](Webhook::verify_event) with the request's headers as they are.
    pub fn verify_event_headers(
        &self,
        body: &[u8],
        headers: &http::HeaderMap,
    ) -> Result<Event, WebhookError> {
        self.verify_event(body, signature_in(headers)?)
    }

    /// The signature header value Connectly would send for `body`, made with the first
    /// (newest) secret: standard padded base64 of HMAC-SHA256. For tests and the mock server.
    pub fn sign(&self, body: &[u8]) -> String {
        let mut mac = self.primary.clone();
        mac.update(body);
        STANDARD.encode(mac.finalize().into_bytes())
    }

    /// The signature checks, without looking inside the body.
    fn verify_mac(&self, body: &[u8], signature: Option<&str>) -> Result<(), WebhookError> {
        let signature = signature
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .ok_or(WebhookError::MissingSignature)?;
        let tag = decode_tag(signature)?;
        if body.len() > self.max_body_size {
            return Err(WebhookError::PayloadTooLarge {
                size: body.len(),
                limit: self.max_body_size,
            });
        }
        let expected = tag_words(&tag);
        let mut matched = Choice::from(0);
        for key in std::iter::once(&self.primary).chain(self.older.iter()) {
            let mut mac = key.clone();
            mac.update(body);
            // subtle's constant-time comparison of the whole tag, as four 64-bit words (one
            // optimisation barrier a word rather than a byte), without stopping at the first
            // secret that matches.
            matched |= tag_words(mac.finalize().into_bytes().as_slice()).ct_eq(&expected);
        }
        if bool::from(matched) {
            Ok(())
        } else {
            Err(WebhookError::InvalidSignature)
        }
    }

    /// `|now - timestamp| <= tolerance`, in whole seconds.
    fn check_timestamp(&self, timestamp: i64, tolerance: Duration) -> Result<(), WebhookError> {
        let now = match self.clock.system_time().duration_since(UNIX_EPOCH) {
            Ok(after) => i128::from(after.as_secs()),
            Err(before) => -i128::from(before.duration().as_secs()),
        };
        let skew = (now - i128::from(timestamp)).unsigned_abs();
        let skew = Duration::from_secs(u64::try_from(skew).unwrap_or(u64::MAX));
        if skew > tolerance {
            Err(WebhookError::TimestampOutsideTolerance { skew, tolerance })
        } else {
            Ok(())
        }
    }
}

/// A 32-byte tag as four native-endian words, for a word-wise constant-time comparison (both
/// sides are converted alike, so the byte order does not matter).
fn tag_words(tag: &[u8]) -> [u64; 4] {
    let mut words = [0u64; 4];
    for (word, bytes) in words.iter_mut().zip(tag.chunks_exact(8)) {
        let mut chunk = [0u8; 8];
        chunk.copy_from_slice(bytes);
        *word = u64::from_ne_bytes(chunk);
    }
    words
}

/// Decodes a trimmed signature header: standard alphabet, canonical `=` padding, exactly 32
/// bytes. Anything longer than a 32-byte tag's encoding is refused before decoding.
fn decode_tag(signature: &str) -> Result<[u8; TAG_LEN], WebhookError> {
    if signature.len() != ENCODED_TAG_LEN {
        return Err(WebhookError::MalformedSignature);
    }
    // 44 base64 characters decode to at most 33 bytes; a little slack keeps `decode_slice`
    // from refusing on its conservative size estimate.
    let mut buffer = [0u8; ENCODED_TAG_LEN];
    let decoded = STANDARD
        .decode_slice(signature, &mut buffer)
        .map_err(|_| WebhookError::MalformedSignature)?;
    if decoded != TAG_LEN {
        return Err(WebhookError::MalformedSignature);
    }
    buffer
        .get(..TAG_LEN)
        .and_then(|bytes| <[u8; TAG_LEN]>::try_from(bytes).ok())
        .ok_or(WebhookError::MalformedSignature)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_decoding_boundaries() {
        let ok = STANDARD.encode([7u8; 32]);
        assert_eq!(decode_tag(&ok), Ok([7u8; 32]));
        // 31 and 33 bytes are 44 characters too.
        for n in [31usize, 33] {
            let s = STANDARD.encode(vec![7u8; n]);
            assert_eq!(s.len(), 44);
            assert_eq!(decode_tag(&s), Err(WebhookError::MalformedSignature));
        }
        assert_eq!(
            decode_tag(ok.trim_end_matches('=')),
            Err(WebhookError::MalformedSignature)
        );
    }

    #[test]
    fn too_many_secrets() {
        assert!(Webhook::with_secrets(["s"; 8]).is_ok());
        assert_eq!(
            Webhook::with_secrets(["s"; 9]).map(|w| w.secret_count()),
            Err(WebhookError::InvalidSecret(
                "more than 8 secrets were given"
            ))
        );
    }
}
