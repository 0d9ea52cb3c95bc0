//! The one conversion from the core's errors to Python exceptions.
//!
//! The exception classes are plain Python classes in `connectly/_errors.py` (so they carry
//! typed attributes and pickle like any exception); they are looked up once per process.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyModule};

use crate::mock::MockError;
use crate::{Error, Refusal, WebhookError};

/// The module that defines the exception classes.
static ERRORS: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

fn errors_module(py: Python<'_>) -> PyResult<&Bound<'_, PyModule>> {
    ERRORS
        .get_or_try_init(py, || py.import("connectly._errors").map(Bound::unbind))
        .map(|module| module.bind(py))
}

/// Instantiates `connectly._errors.<class>(message, **fields)` as a Python exception. Should
/// that fail (it cannot, short of a broken installation), the failure itself is raised.
fn raise(py: Python<'_>, class: &str, message: String, fields: &Bound<'_, PyDict>) -> PyErr {
    let made = errors_module(py)
        .and_then(|module| module.getattr(class))
        .and_then(|class| class.call((message,), Some(fields)));
    match made {
        Ok(value) => PyErr::from_value(value),
        Err(err) => err,
    }
}

/// Sets `fields[key] = value`, ignoring the (impossible) failure of a fresh dict's insert.
fn put<'py, V: IntoPyObject<'py>>(fields: &Bound<'py, PyDict>, key: &str, value: V) {
    let _ = fields.set_item(key, value);
}

/// A client error as the matching `connectly` exception, with its fields.
pub(crate) fn client(py: Python<'_>, err: &Error) -> PyErr {
    let kind = err.kind_name();
    let class = match kind {
        "Validation" => "ValidationError",
        "Config" => "ConfigurationError",
        "Authentication" => "AuthenticationError",
        "RateLimited" => "RateLimitError",
        "Api" => "APIError",
        "Server" => "ServerError",
        "Timeout" => "TimeoutError",
        "Redirect" | "Transport" | "Tls" | "ResponseTooLarge" => "TransportError",
        _ => "ConnectlyError",
    };
    let fields = PyDict::new(py);
    put(&fields, "kind", kind);
    put(&fields, "attempts", err.attempts());
    put(&fields, "status_code", err.status());
    put(&fields, "trace_id", err.trace_id());
    if let Some(api) = err.api_error() {
        put(&fields, "code", api.code.as_deref());
        put(&fields, "error_type", api.error_type.as_deref());
        put(&fields, "message", api.message.as_deref());
        match super::json::to_py(py, &api.body) {
            Ok(body) => put(&fields, "body", body),
            Err(e) => return e,
        }
    }
    if let Error::RateLimited { retry_after, .. } = err {
        put(&fields, "retry_after", retry_after.map(|d| d.as_secs_f64()));
    }
    if let Error::Validation(v) = err {
        put(&fields, "field", v.field);
    }
    raise(py, class, err.to_string(), &fields)
}

/// A webhook error as the matching `connectly.WebhookVerificationError` subclass (see
/// [`refusal`]).
pub(crate) fn webhook(py: Python<'_>, err: &WebhookError) -> PyErr {
    refusal(py, &Refusal::Webhook(err.clone()))
}

/// A refused delivery (or a webhook error) as the matching
/// `connectly.WebhookVerificationError` subclass, carrying the core's `http_status`
/// ([`Refusal::status`]) and `reason` ([`Refusal::reason`]): what a helper answers with.
pub(crate) fn refusal(py: Python<'_>, refusal: &Refusal) -> PyErr {
    let kind = refusal.kind_name();
    let class = match kind {
        "MethodNotAllowed" => "MethodNotAllowedError",
        "UnsupportedEncoding" => "UnsupportedEncodingError",
        "MalformedEncoding" => "MalformedEncodingError",
        "MissingSignature" => "MissingSignatureError",
        "MalformedSignature" => "MalformedSignatureError",
        "InvalidSignature" => "InvalidSignatureError",
        "PayloadTooLarge" => "PayloadTooLargeError",
        "InvalidPayload" => "InvalidPayloadError",
        "InvalidSecret" => "InvalidSecretError",
        "TimestampOutsideTolerance" => "TimestampOutsideToleranceError",
        _ => "WebhookVerificationError",
    };
    let fields = PyDict::new(py);
    put(&fields, "kind", kind);
    put(&fields, "http_status", refusal.status());
    put(&fields, "reason", refusal.reason());
    match refusal {
        Refusal::Webhook(WebhookError::PayloadTooLarge { size, limit }) => {
            put(&fields, "size", *size);
            put(&fields, "limit", *limit);
        }
        Refusal::Webhook(WebhookError::TimestampOutsideTolerance { skew, tolerance }) => {
            put(&fields, "skew", skew.as_secs_f64());
            put(&fields, "tolerance", tolerance.as_secs_f64());
        }
        _ => {}
    }
    raise(py, class, refusal.to_string(), &fields)
}

/// A failed mock delivery as `connectly.testing.DeliveryError`.
pub(crate) fn delivery(py: Python<'_>, err: &MockError) -> PyErr {
    let fields = PyDict::new(py);
    let kind = match err {
        MockError::NoWebhook { .. } => "NoWebhook",
        MockError::Transport { .. } => "Transport",
        MockError::Rejected { status, body, .. } => {
            put(&fields, "status_code", *status);
            put(&fields, "response", body.as_slice());
            "Rejected"
        }
        #[allow(unreachable_patterns)] // a variant added later
        _ => "Delivery",
    };
    put(&fields, "kind", kind);
    raise(py, "DeliveryError", err.to_string(), &fields)
}

/// A mock that could not start (or a bad argument to it), as `connectly.ConnectlyError`.
pub(crate) fn mock_io(py: Python<'_>, err: &std::io::Error) -> PyErr {
    let fields = PyDict::new(py);
    put(&fields, "kind", "Mock");
    raise(py, "ConnectlyError", format!("mock server: {err}"), &fields)
}

/// `connectly.InternalError`: a bug in the SDK (a Rust panic). The panic's message is not
/// included: it could quote an input.
pub(crate) fn internal(py: Python<'_>) -> PyErr {
    let fields = PyDict::new(py);
    put(&fields, "kind", "Internal");
    raise(
        py,
        "InternalError",
        "internal error in the connectly extension (a bug: please report it)".to_owned(),
        &fields,
    )
}
