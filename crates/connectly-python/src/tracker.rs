//! `connectly.StatusTracker`, over the core's `StatusTracker`.

use pyo3::prelude::*;

use super::{finalize, fleet, guard};
use connectly::MessageStatus;

/// Remembers the furthest delivery status seen per message id, so that out-of-order and
/// repeated statuses never move a message backwards: ``StatusTracker(store=None)``.
///
/// ``advance(message_id, status)`` says whether a newly arrived status moves the message
/// forward (and records it); ``status(message_id)`` gives the furthest seen, or ``None``.
/// Statuses rank sent < delivered < read < delivery_failed (final); one the SDK does not
/// know counts only for a message with none yet. Safe to share between threads.
///
/// ``store``: where the statuses are kept. ``None`` (the default) is a fresh
/// ``MemoryStatusStore()`` of this tracker's own; ``RedisStatusStore(url)`` shares them with
/// every process using that Redis, so a fleet of workers ends every message at its furthest
/// status whichever worker each status reached. While the store does not answer, every
/// status counts as news (none is lost; the failure is logged) and ``status`` gives ``None``.
/// The GIL is released while Redis is asked.
#[pyclass(frozen, module = "connectly._connectly")]
pub(crate) struct StatusTracker {
    inner: connectly::StatusTracker,
    /// The store given, for `repr`; `None` for the default.
    store: Option<Py<PyAny>>,
    /// Whether the store waits on the network (the GIL is then released).
    network: bool,
}

#[pymethods]
impl StatusTracker {
    #[new]
    #[pyo3(signature = (store=None))]
    fn new(store: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        match store.filter(|store| !store.is_none()) {
            None => Ok(Self {
                inner: connectly::StatusTracker::new(),
                store: None,
                network: false,
            }),
            Some(given) => {
                let (core, network) = fleet::status_store(given)?;
                Ok(Self {
                    inner: connectly::StatusTracker::with_store(core),
                    store: Some(given.clone().unbind()),
                    network,
                })
            }
        }
    }

    /// Whether ``status`` moves ``message_id`` forward; if it does, it is recorded.
    fn advance(&self, py: Python<'_>, message_id: &str, status: &str) -> PyResult<bool> {
        guard(py, || {
            let status = MessageStatus::parse(status);
            let advance = || self.inner.advance(message_id, &status);
            Ok(if self.network {
                finalize::detach(py, advance)
            } else {
                advance()
            })
        })
    }

    /// The furthest status seen for ``message_id``, or ``None``.
    fn status(&self, py: Python<'_>, message_id: &str) -> PyResult<Option<String>> {
        guard(py, || {
            let status = || {
                self.inner
                    .status(message_id)
                    .map(|status| status.as_str().to_owned())
            };
            Ok(if self.network {
                finalize::detach(py, status)
            } else {
                status()
            })
        })
    }

    /// The store given, or ``None`` for this tracker's own memory.
    #[getter]
    fn store(&self, py: Python<'_>) -> Option<Py<PyAny>> {
        self.store.as_ref().map(|store| store.clone_ref(py))
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(match &self.store {
            None => "StatusTracker(store=None)".to_owned(),
            Some(store) => format!("StatusTracker(store={})", store.bind(py).repr()?),
        })
    }
}
