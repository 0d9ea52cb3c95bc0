//! `str` arguments as Rust text, without an error ever quoting them.
//!
//! pyo3's own conversion of a `str` that cannot be encoded as UTF-8 (one holding a lone
//! surrogate, as `os.environ` and `sys.argv` give for bytes that are not UTF-8) raises
//! `UnicodeEncodeError`, whose `args`, `.object` and message hold the whole value: for an API
//! key or a webhook secret, a leak. Arguments that hold a secret go through [`secret`] instead;
//! header values, which the core judges, through [`lossy`].

use std::borrow::Cow;

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyString;

use super::errors;
use connectly::{Error, WebhookError};

/// Which exception an argument that cannot be encoded raises.
#[derive(Clone, Copy)]
pub(crate) enum Secret {
    /// `connectly.ConfigurationError` (an API key, a business id, a base URL, ...).
    Config,
    /// `connectly.InvalidSecretError` (a webhook secret).
    Webhook,
}

/// The `str` in `value`, as UTF-8 text; `argument` names it in the errors, which never quote
/// it: a `str` that cannot be encoded raises the exception `kind` says (built fresh, with no
/// exception chained to it), anything but a `str` a `TypeError` naming its type.
pub(crate) fn secret(value: &Bound<'_, PyAny>, argument: &str, kind: Secret) -> PyResult<String> {
    let text = value.cast::<PyString>().map_err(|_| {
        let type_name = value
            .get_type()
            .name()
            .map_or_else(|_| "?".to_owned(), |name| name.to_string());
        PyTypeError::new_err(format!("{argument} must be str, not {type_name}"))
    })?;
    match text.to_cow() {
        Ok(text) => Ok(text.into_owned()),
        // The UnicodeEncodeError (which quotes the value) is dropped here, not chained.
        Err(_) => Err(not_encodable(value.py(), argument, kind)),
    }
}

/// [`secret`] for an optional argument: `None` (or absent) stays `None`.
pub(crate) fn optional_secret(
    value: Option<&Bound<'_, PyAny>>,
    argument: &str,
    kind: Secret,
) -> PyResult<Option<String>> {
    value
        .filter(|value| !value.is_none())
        .map(|value| secret(value, argument, kind))
        .transpose()
}

/// The error for a `str` argument that cannot be encoded as UTF-8.
pub(crate) fn not_encodable(py: Python<'_>, argument: &str, kind: Secret) -> PyErr {
    match kind {
        Secret::Config => errors::client(
            py,
            &Error::Config(format!(
                "{argument} cannot be encoded as UTF-8 (it holds a lone surrogate, as \
                 os.environ gives for bytes that are not UTF-8)"
            )),
        ),
        Secret::Webhook => errors::webhook(
            py,
            &WebhookError::InvalidSecret(
                "a webhook secret cannot be encoded as UTF-8 (it holds a lone surrogate, as \
                 os.environ gives for bytes that are not UTF-8): pass its bytes",
            ),
        ),
    }
}

/// A header value or method (`str`) as text for the core to judge: what cannot be encoded
/// becomes U+FFFD, which no method, coding or signature holds, so the core refuses it. Not a
/// `str`: a `TypeError` naming `argument`.
pub(crate) fn lossy<'a>(value: &'a Bound<'_, PyAny>, argument: &str) -> PyResult<Cow<'a, str>> {
    match value.cast::<PyString>() {
        // Strict UTF-8 first: the lossy conversion looks up an error handler on every call.
        Ok(text) => Ok(text.to_cow().unwrap_or_else(|_| text.to_string_lossy())),
        Err(_) => Err(PyTypeError::new_err(format!(
            "{argument} must be str, not {}",
            value.get_type().name()?
        ))),
    }
}

/// [`lossy`] for an optional value: `None` is a header that was absent.
pub(crate) fn optional_lossy<'a>(
    value: Option<&'a Bound<'_, PyAny>>,
    argument: &str,
) -> PyResult<Option<Cow<'a, str>>> {
    value
        .filter(|value| !value.is_none())
        .map(|value| lossy(value, argument))
        .transpose()
}
