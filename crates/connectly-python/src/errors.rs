//! The one conversion from the core's errors to Python exceptions.
//!
//! The exception classes are plain Python classes in `connectly/_errors.py` (so they carry
//! typed attributes and pickle like any exception); they are looked up once per process.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyType};

use connectly::{Error, ErrorKind, Refusal, RefusalKind, WebhookError};
use connectly_mock::MockError;

/// The exception classes of `connectly/_errors.py`, bound once (pyo3 caches each lookup).
mod classes {
    pyo3::import_exception!(connectly._errors, ConnectlyError);
    pyo3::import_exception!(connectly._errors, ValidationError);
    pyo3::import_exception!(connectly._errors, ConfigurationError);
    pyo3::import_exception!(connectly._errors, APIError);
    pyo3::import_exception!(connectly._errors, AuthenticationError);
    pyo3::import_exception!(connectly._errors, RateLimitError);
    pyo3::import_exception!(connectly._errors, ServerError);
    pyo3::import_exception!(connectly._errors, TransportError);
    pyo3::import_exception!(connectly._errors, TimeoutError);
    pyo3::import_exception!(connectly._errors, CancelledError);
    pyo3::import_exception!(connectly._errors, MethodNotAllowedError);
    pyo3::import_exception!(connectly._errors, UnsupportedEncodingError);
    pyo3::import_exception!(connectly._errors, MalformedEncodingError);
    pyo3::import_exception!(connectly._errors, MissingSignatureError);
    pyo3::import_exception!(connectly._errors, MalformedSignatureError);
    pyo3::import_exception!(connectly._errors, InvalidSignatureError);
    pyo3::import_exception!(connectly._errors, PayloadTooLargeError);
    pyo3::import_exception!(connectly._errors, InvalidPayloadError);
    pyo3::import_exception!(connectly._errors, InvalidSecretError);
    pyo3::import_exception!(connectly._errors, TimestampOutsideToleranceError);
    pyo3::import_exception!(connectly._errors, DeliveryError);
    pyo3::import_exception!(connectly._errors, InternalError);
}

use pyo3::PyTypeInfo;

/// The exception class for each kind of client error.
pub(crate) fn error_class(py: Python<'_>, kind: ErrorKind) -> Bound<'_, PyType> {
    match kind {
        ErrorKind::Validation => classes::ValidationError::type_object(py),
        ErrorKind::Config => classes::ConfigurationError::type_object(py),
        ErrorKind::Authentication => classes::AuthenticationError::type_object(py),
        ErrorKind::RateLimited => classes::RateLimitError::type_object(py),
        ErrorKind::Api => classes::APIError::type_object(py),
        ErrorKind::Server => classes::ServerError::type_object(py),
        ErrorKind::Timeout => classes::TimeoutError::type_object(py),
        ErrorKind::Redirect
        | ErrorKind::Transport
        | ErrorKind::Tls
        | ErrorKind::ResponseTooLarge => classes::TransportError::type_object(py),
        ErrorKind::Cancelled => classes::CancelledError::type_object(py),
    }
}

/// The exception class for each kind of refused delivery or webhook error.
pub(crate) fn refusal_class(py: Python<'_>, kind: RefusalKind) -> Bound<'_, PyType> {
    match kind {
        RefusalKind::MethodNotAllowed => classes::MethodNotAllowedError::type_object(py),
        RefusalKind::UnsupportedEncoding => classes::UnsupportedEncodingError::type_object(py),
        RefusalKind::MalformedEncoding => classes::MalformedEncodingError::type_object(py),
        RefusalKind::MissingSignature => classes::MissingSignatureError::type_object(py),
        RefusalKind::MalformedSignature => classes::MalformedSignatureError::type_object(py),
        RefusalKind::InvalidSignature => classes::InvalidSignatureError::type_object(py),
        RefusalKind::PayloadTooLarge => classes::PayloadTooLargeError::type_object(py),
        RefusalKind::InvalidPayload => classes::InvalidPayloadError::type_object(py),
        RefusalKind::InvalidSecret => classes::InvalidSecretError::type_object(py),
        RefusalKind::TimestampOutsideTolerance => {
            classes::TimestampOutsideToleranceError::type_object(py)
        }
    }
}

/// Instantiates `class(message, **fields)` as a Python exception. Should that fail (it
/// cannot, short of a broken installation), the failure itself is raised.
fn raise(class: &Bound<'_, PyType>, message: String, fields: &Bound<'_, PyDict>) -> PyErr {
    match class.call((message,), Some(fields)) {
        Ok(value) => PyErr::from_value(value),
        Err(err) => err,
    }
}

/// Every kind's name and exception class, for a test that checks the whole mapping.
#[pyfunction]
pub(crate) fn _error_classes(py: Python<'_>) -> Vec<(&'static str, Bound<'_, PyType>)> {
    let errors = ErrorKind::ALL
        .iter()
        .map(|kind| (kind.name(), error_class(py, *kind)));
    let refusals = RefusalKind::ALL
        .iter()
        .map(|kind| (kind.name(), refusal_class(py, *kind)));
    errors.chain(refusals).collect()
}

/// Sets `fields[key] = value`, ignoring the (impossible) failure of a fresh dict's insert.
fn put<'py, V: IntoPyObject<'py>>(fields: &Bound<'py, PyDict>, key: &str, value: V) {
    let _ = fields.set_item(key, value);
}

/// A client error as the matching `connectly` exception, with its fields.
pub(crate) fn client(py: Python<'_>, err: &Error) -> PyErr {
    let kind = err.kind_name();
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
    put(&fields, "possibly_sent", err.possibly_sent());
    raise(&error_class(py, err.kind()), err.to_string(), &fields)
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
    let fields = PyDict::new(py);
    put(&fields, "kind", refusal.kind_name());
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
    raise(
        &refusal_class(py, refusal.kind()),
        refusal.to_string(),
        &fields,
    )
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
        MockError::UnknownMessage { .. } => "UnknownMessage",
        // A kind the mock adds later.
        _ => "Delivery",
    };
    put(&fields, "kind", kind);
    raise(
        &classes::DeliveryError::type_object(py),
        err.to_string(),
        &fields,
    )
}

/// A mock that could not start (or a bad argument to it), as `connectly.ConnectlyError`.
pub(crate) fn mock_io(py: Python<'_>, err: &std::io::Error) -> PyErr {
    let fields = PyDict::new(py);
    put(&fields, "kind", "Mock");
    raise(
        &classes::ConnectlyError::type_object(py),
        format!("mock server: {err}"),
        &fields,
    )
}

/// `connectly.InternalError`: a bug in the SDK (a Rust panic). The panic's message is not
/// included: it could quote an input.
pub(crate) fn internal(py: Python<'_>) -> PyErr {
    let fields = PyDict::new(py);
    put(&fields, "kind", "Internal");
    raise(
        &classes::InternalError::type_object(py),
        "internal error in the connectly extension (a bug: please report it)".to_owned(),
        &fields,
    )
}
