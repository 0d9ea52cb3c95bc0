//! `connectly.Webhook`: verifying and receiving deliveries (the events are in `event`).

use std::borrow::Cow;
use std::time::Duration;

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyInt, PyList, PyMemoryView, PyString, PyTuple};

use super::args::{self, Secret};
use super::{errors, event, finalize, guard};
use connectly::WebhookError;

/// Bodies larger than this are verified with the GIL released; smaller ones are verified
/// in place, where releasing it would cost more than the HMAC.
pub(crate) const DETACH_THRESHOLD: usize = 4096;

/// What a `str` or `dict` body raises: verify the raw bytes, and how to get them.
const RAW_BODY_HINT: &str = "pass the raw request body as bytes, exactly as it arrived \
    (Flask: request.get_data(), Django: request.body, Starlette/FastAPI: await request.body()); \
    a decoded str or a parsed dict would not verify";

/// Verifies (and, for tests, signs) webhook deliveries.
///
/// ``Webhook(secret, *, max_body_size=5 MiB, tolerance=None)``: ``secret`` is a ``str``,
/// ``bytes`` or a list of them, newest first, to rotate a secret without dropping
/// deliveries. ``tolerance`` (seconds) also checks the body's timestamp against the clock.
#[pyclass(frozen, module = "connectly._connectly")]
pub(crate) struct Webhook {
    inner: connectly::Webhook,
}

/// The body's bytes: borrowed from a `bytes`, copied from a `bytearray` or `memoryview`.
/// Anything else is a `TypeError` that says to pass the raw body.
fn body_bytes<'a>(body: &'a Bound<'_, PyAny>, limit: usize) -> PyResult<Cow<'a, [u8]>> {
    if let Ok(bytes) = body.cast::<PyBytes>() {
        return Ok(Cow::Borrowed(bytes.as_bytes()));
    }
    let len = if let Ok(array) = body.cast::<PyByteArray>() {
        array.len()
    } else if body.is_instance_of::<PyMemoryView>() {
        body.getattr("nbytes")?.extract::<usize>()?
    } else {
        let type_name = body.get_type().name()?;
        return Err(PyTypeError::new_err(format!(
            "the webhook body must be bytes, bytearray or memoryview, not {type_name}: {RAW_BODY_HINT}"
        )));
    };
    if len > limit {
        // Refused before it is copied (the core would refuse it before hashing).
        return Err(errors::webhook(
            body.py(),
            &WebhookError::PayloadTooLarge { size: len, limit },
        ));
    }
    if let Ok(array) = body.cast::<PyByteArray>() {
        return Ok(Cow::Owned(array.to_vec()));
    }
    let copy = body.call_method0("tobytes")?;
    let copy = copy.cast::<PyBytes>()?;
    Ok(Cow::Owned(copy.as_bytes().to_vec()))
}

/// The signature header's value: `str` or `None`. A `str` that cannot be encoded as UTF-8
/// cannot be base64 either: it is passed on lossily, for the core to call malformed.
fn signature_text<'a>(signature: Option<&'a Bound<'_, PyAny>>) -> PyResult<Option<Cow<'a, str>>> {
    args::optional_lossy(
        signature,
        "the signature (the x-connectly-hmac-sha256 header, or None)",
    )
}

/// One secret's bytes: `str` (UTF-8) or `bytes`/`bytearray`. A `str` that cannot be encoded
/// is `InvalidSecretError`, which never quotes it.
fn secret_bytes(secret: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    if let Ok(b) = secret.cast::<PyBytes>() {
        return Ok(b.as_bytes().to_vec());
    }
    if let Ok(b) = secret.cast::<PyByteArray>() {
        return Ok(b.to_vec());
    }
    if secret.is_instance_of::<PyString>() {
        return Ok(args::secret(secret, "a webhook secret", Secret::Webhook)?.into_bytes());
    }
    Err(PyTypeError::new_err(format!(
        "a webhook secret must be str or bytes, not {}",
        secret.get_type().name()?
    )))
}

/// A declared `Content-Length`: a non-negative `int` (one past `u64` counts as `u64::MAX`,
/// which is over any limit), or `None`.
fn content_length(value: Option<&Bound<'_, PyAny>>) -> PyResult<Option<u64>> {
    let Some(value) = value.filter(|v| !v.is_none()) else {
        return Ok(None);
    };
    if !value.is_instance_of::<PyInt>() {
        return Err(PyTypeError::new_err(format!(
            "content_length must be int or None, not {}",
            value.get_type().name()?
        )));
    }
    match value.extract::<u64>() {
        Ok(length) => Ok(Some(length)),
        Err(_) if value.lt(0)? => Err(PyValueError::new_err("content_length must not be negative")),
        Err(_) => Ok(Some(u64::MAX)),
    }
}

/// A tolerance in seconds (a number or a `datetime.timedelta`).
fn tolerance(value: &Bound<'_, PyAny>) -> PyResult<Duration> {
    let seconds: f64 = if value.hasattr("total_seconds")? {
        value.call_method0("total_seconds")?.extract()?
    } else {
        value.extract()?
    };
    Duration::try_from_secs_f64(seconds).map_err(|_| {
        PyValueError::new_err("the tolerance must be a non-negative number of seconds")
    })
}

impl Webhook {
    /// Verifies `body` against `signature`, with the GIL released for large bodies.
    fn check(
        &self,
        py: Python<'_>,
        body: &Bound<'_, PyAny>,
        signature: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let signature = signature_text(signature)?;
        let signature = signature.as_deref();
        let bytes = body_bytes(body, self.inner.max_body_size())?;
        let inner = &self.inner;
        let result = if bytes.len() > DETACH_THRESHOLD {
            finalize::detach(py, || inner.verify(&bytes, signature))
        } else {
            inner.verify(&bytes, signature)
        };
        result.map_err(|err| errors::webhook(py, &err))
    }
}

#[pymethods]
impl Webhook {
    #[new]
    #[pyo3(
        signature = (secret, *, max_body_size=connectly::Webhook::DEFAULT_MAX_BODY_SIZE, tolerance=None),
        text_signature = "(secret, *, max_body_size=5242880, tolerance=None)"
    )]
    fn new(
        py: Python<'_>,
        secret: &Bound<'_, PyAny>,
        max_body_size: usize,
        tolerance: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        guard(py, || {
            let secrets: Vec<Vec<u8>> =
                if secret.is_instance_of::<PyList>() || secret.is_instance_of::<PyTuple>() {
                    let mut all = Vec::new();
                    for item in secret.try_iter()? {
                        all.push(secret_bytes(&item?)?);
                    }
                    all
                } else {
                    vec![secret_bytes(secret)?]
                };
            let mut inner = connectly::Webhook::with_secrets(secrets)
                .map_err(|err| errors::webhook(py, &err))?
                .with_max_body_size(max_body_size);
            if let Some(value) = tolerance.filter(|v| !v.is_none()) {
                inner = inner.with_tolerance(self::tolerance(value)?);
            }
            Ok(Webhook { inner })
        })
    }

    /// Verifies a delivery: ``body`` is the raw request body (``bytes``, ``bytearray`` or
    /// ``memoryview``), ``signature`` the ``x-connectly-hmac-sha256`` header (or ``None``).
    /// Returns ``None``; raises a ``WebhookVerificationError`` subclass on failure.
    #[pyo3(signature = (body, signature))]
    fn verify(
        &self,
        py: Python<'_>,
        body: &Bound<'_, PyAny>,
        signature: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        guard(py, || self.check(py, body, signature))
    }

    /// Verifies a delivery, then parses it into its typed event: an ``InboundMessage``
    /// (topic ``messages``), a ``DeliveryStatus`` (``delivery_status``) or a plain
    /// ``WebhookEvent`` (any other topic), all ``WebhookEvent`` instances.
    #[pyo3(signature = (body, signature))]
    fn verify_event(
        &self,
        py: Python<'_>,
        body: &Bound<'_, PyAny>,
        signature: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        guard(py, || {
            let signature = signature_text(signature)?;
            let signature = signature.as_deref();
            let bytes = body_bytes(body, self.inner.max_body_size())?;
            let inner = &self.inner;
            let verify = || inner.verify_event(&bytes, signature).map(event::keyed);
            let result = if bytes.len() > DETACH_THRESHOLD {
                finalize::detach(py, verify)
            } else {
                verify()
            };
            let event = result.map_err(|err| errors::webhook(py, &err))?;
            event::to_py(py, event)
        })
    }

    /// The checks to make before reading a request's body: ``method`` must be ``"POST"``
    /// (else ``MethodNotAllowedError``), and a declared ``content_length`` (``None`` when
    /// the request declares none) must not exceed ``max_body_size`` (else
    /// ``PayloadTooLargeError``). Then read at most ``max_body_size + 1`` bytes and pass
    /// them to ``receive``. Each refusal carries the HTTP ``http_status`` and ``reason`` to
    /// answer with.
    #[pyo3(signature = (method, content_length))]
    fn admit(
        &self,
        py: Python<'_>,
        method: &Bound<'_, PyAny>,
        content_length: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        guard(py, || {
            let method = args::lossy(method, "the method")?;
            let length = self::content_length(content_length)?;
            self.inner
                .admit(&method, length)
                .map_err(|refusal| errors::refusal(py, &refusal))
        })
    }

    /// Receives one HTTP delivery by the SDK's one policy: ``method`` must be ``"POST"``,
    /// ``body`` (the bytes read, ``bytes``, ``bytearray`` or ``memoryview``) at most
    /// ``max_body_size``, ``content_encoding`` (the header, or ``None``) none, ``identity``,
    /// ``gzip`` or ``x-gzip``; the signature is verified over the decoded body, which is
    /// only then parsed. Returns the typed event (as ``verify_event``); a refusal raises a
    /// ``WebhookVerificationError`` subclass whose ``http_status`` and ``reason`` are the
    /// answer to give.
    #[pyo3(signature = (method, content_encoding, body, signature))]
    fn receive(
        &self,
        py: Python<'_>,
        method: &Bound<'_, PyAny>,
        content_encoding: Option<&Bound<'_, PyAny>>,
        body: &Bound<'_, PyAny>,
        signature: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        guard(py, || {
            let method = args::lossy(method, "the method")?;
            let encoding = args::optional_lossy(content_encoding, "the Content-Encoding")?;
            let signature = signature_text(signature)?;
            let inner = &self.inner;
            // The method is judged before the body is even looked at.
            inner
                .admit(&method, None)
                .map_err(|refusal| errors::refusal(py, &refusal))?;
            let bytes = body_bytes(body, inner.max_body_size())?;
            let receive = || {
                inner
                    .receive(&method, encoding.as_deref(), &bytes, signature.as_deref())
                    .map(event::keyed)
            };
            // A gzip body may decode to up to `max_body_size` bytes, whatever its size.
            let result = if bytes.len() > DETACH_THRESHOLD || encoding.is_some() {
                finalize::detach(py, receive)
            } else {
                receive()
            };
            let event = result.map_err(|refusal| errors::refusal(py, &refusal))?;
            event::to_py(py, event)
        })
    }

    /// The ``x-connectly-hmac-sha256`` value Connectly would send for ``body``, signed with
    /// the first (newest) secret. For tests.
    fn sign(&self, py: Python<'_>, body: &Bound<'_, PyAny>) -> PyResult<String> {
        guard(py, || {
            let bytes = body_bytes(body, usize::MAX)?;
            if bytes.len() > DETACH_THRESHOLD {
                let inner = &self.inner;
                Ok(finalize::detach(py, || inner.sign(&bytes)))
            } else {
                Ok(self.inner.sign(&bytes))
            }
        })
    }

    /// The largest body verified, in bytes.
    #[getter]
    fn max_body_size(&self) -> usize {
        self.inner.max_body_size()
    }

    /// The timestamp tolerance in seconds, or ``None`` when the timestamp is not checked.
    #[getter]
    fn tolerance(&self) -> Option<f64> {
        self.inner.tolerance().map(|d| d.as_secs_f64())
    }

    fn __repr__(&self) -> String {
        format!(
            "connectly.Webhook(secrets='[REDACTED]' x{}, max_body_size={})",
            self.inner.secret_count(),
            self.inner.max_body_size()
        )
    }
}
