//! `connectly.StatusTracker`, over the core's `StatusTracker`.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;

use super::guard;
use connectly::MessageStatus;

/// Remembers the furthest delivery status seen per message id, so that out-of-order and
/// repeated statuses never move a message backwards: ``StatusTracker(store=None)``.
///
/// ``advance(message_id, status)`` says whether a newly arrived status moves the message
/// forward (and records it); ``status(message_id)`` gives the furthest seen, or ``None``.
/// Statuses rank sent < delivered < read < delivery_failed (final); one the SDK does not
/// know counts only for a message with none yet. The statuses are kept in this process's
/// memory; safe to share between threads.
#[pyclass(frozen, module = "connectly._connectly")]
pub(crate) struct StatusTracker {
    inner: connectly::StatusTracker,
}

#[pymethods]
impl StatusTracker {
    #[new]
    #[pyo3(signature = (store=None))]
    fn new(store: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        if let Some(store) = store.filter(|store| !store.is_none()) {
            return Err(PyTypeError::new_err(format!(
                "StatusTracker keeps statuses in this process's memory: store must be None, \
                 not {} (shared stores, such as Redis, come with issue 14, fleets)",
                store.get_type().name()?
            )));
        }
        Ok(Self {
            inner: connectly::StatusTracker::new(),
        })
    }

    /// Whether ``status`` moves ``message_id`` forward; if it does, it is recorded.
    fn advance(&self, py: Python<'_>, message_id: &str, status: &str) -> PyResult<bool> {
        guard(py, || {
            Ok(self
                .inner
                .advance(message_id, &MessageStatus::parse(status)))
        })
    }

    /// The furthest status seen for ``message_id``, or ``None``.
    fn status(&self, py: Python<'_>, message_id: &str) -> PyResult<Option<String>> {
        guard(py, || {
            Ok(self
                .inner
                .status(message_id)
                .map(|status| status.as_str().to_owned()))
        })
    }

    fn __repr__(&self) -> &'static str {
        "StatusTracker(store=None)"
    }
}
