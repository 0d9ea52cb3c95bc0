//! What a fleet of processes shares, over the core's implementations: the send budget
//! (`connectly.RateLimiter`: `LocalRateLimiter`, `RedisRateLimiter`), the deliveries already
//! handled (`connectly.Deduplicator`: `MemoryDeduplicator`, `RedisDeduplicator`, and the
//! `Admission` a claim gives) and the furthest status of each message
//! (`connectly.StatusStore`: `MemoryStatusStore`, `RedisStatusStore`).
//!
//! The rules are the core's (GCRA, the two-state claim, the status ranks); this module only
//! converts arguments. The GIL is released around every call that may wait on Redis. No
//! `repr` shows a Redis URL: it may hold a password.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;

use super::args::{self, Secret};
use super::event::WebhookEvent;
use super::{errors, finalize, guard};
use connectly::{Admission as CoreAdmission, Claim, DedupTtls, Error};

/// A `ValidationError` for `field`.
fn invalid(py: Python<'_>, field: &'static str, reason: &str) -> PyErr {
    errors::client(
        py,
        &Error::Validation(connectly::ValidationError {
            field,
            reason: reason.to_owned(),
        }),
    )
}

/// Seconds as a duration: a finite number above zero, or a `ValidationError` for `field`.
fn seconds(py: Python<'_>, value: f64, field: &'static str) -> PyResult<Duration> {
    if !(value.is_finite() && value > 0.0) {
        return Err(invalid(py, field, "must be a positive number of seconds"));
    }
    Duration::try_from_secs_f64(value).map_err(|_| invalid(py, field, "is out of range"))
}

/// A burst from Python: at least 1 (the core refuses 0 with its own message), at most what
/// the core counts in.
fn burst(py: Python<'_>, value: i64) -> PyResult<u32> {
    if value < 1 {
        return Ok(0);
    }
    u32::try_from(value).map_err(|_| invalid(py, "burst", "is too large"))
}

/// A Redis URL argument: a `str`, never quoted by any error (it may hold a password).
fn redis_url(url: &Bound<'_, PyAny>) -> PyResult<String> {
    args::secret(url, "the Redis URL", Secret::Config)
}

/// A send budget every send of the clients given it waits on (each attempt), shared by every
/// client given the same one: ``LocalRateLimiter`` (this process) or ``RedisRateLimiter``
/// (a fleet). Pass it as ``Client(..., rate_limiter=limiter)``.
#[pyclass(subclass, frozen, module = "connectly._connectly")]
pub(crate) struct RateLimiter {
    inner: Arc<dyn connectly::RateLimiter>,
}

impl RateLimiter {
    /// The core's limiter, for a client builder.
    pub(crate) fn core(&self) -> Arc<dyn connectly::RateLimiter> {
        self.inner.clone()
    }
}

/// A send budget in this process: ``LocalRateLimiter(rate=200.0, burst=None)`` sends per
/// second (GCRA), ``burst`` of them (at least 1) at once after an idle spell; ``None``: 20,
/// or the rate when smaller. A client for the Connectly API has one of its own at 200/s
/// (Connectly's documented limit); share one between clients to share its budget.
#[pyclass(extends = RateLimiter, frozen, module = "connectly._connectly")]
pub(crate) struct LocalRateLimiter {
    /// Sends per second.
    #[pyo3(get)]
    rate: f64,
    /// How many sends may go at once, as given (``None``: the default).
    #[pyo3(get)]
    burst: Option<u32>,
}

#[pymethods]
impl LocalRateLimiter {
    #[new]
    #[pyo3(
        signature = (rate=connectly::LocalRateLimiter::DEFAULT_RATE, burst=None),
        text_signature = "(rate=200.0, burst=None)"
    )]
    fn new(py: Python<'_>, rate: f64, burst: Option<i64>) -> PyResult<PyClassInitializer<Self>> {
        guard(py, || {
            let burst = burst.map(|b| self::burst(py, b)).transpose()?;
            let limiter = match burst {
                None => connectly::LocalRateLimiter::new(rate),
                Some(burst) => connectly::LocalRateLimiter::with_burst(rate, burst),
            }
            .map_err(|e| errors::client(py, &e.into()))?;
            let base = RateLimiter {
                inner: Arc::new(limiter),
            };
            Ok(PyClassInitializer::from(base).add_subclass(Self { rate, burst }))
        })
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(super::show::Repr::new(py, "LocalRateLimiter")
            .field("rate", self.rate)?
            .field("burst", self.burst)?
            .finish())
    }
}

/// A send budget shared through Redis by every process with the same URL, rate and burst:
/// ``RedisRateLimiter(url, rate=200.0, burst=None, fallback_share=0.25, *, timeout=0.1)``.
///
/// GCRA in one Lua script on Redis's own clock, keyed by the business; a 429 pushes the
/// whole fleet's budget back. ``burst``: how many sends (at least 1) may go at once after an
/// idle spell (``None``: 20, or the rate when smaller). When Redis does not answer within
/// ``timeout`` seconds, this process sends at ``fallback_share`` of the rate (above 0, at most
/// 1: set it to 1 / the number of processes) and goes back to the shared budget as soon as
/// Redis answers. ``url`` is ``redis://[:password@]host:port/db`` (``rediss://`` for TLS);
/// nothing is connected until the first send, and no ``repr`` shows it.
#[pyclass(extends = RateLimiter, frozen, module = "connectly._connectly")]
pub(crate) struct RedisRateLimiter {
    /// Sends per second, for the whole fleet.
    #[pyo3(get)]
    rate: f64,
    /// How many sends may go at once, as given (``None``: the default).
    #[pyo3(get)]
    burst: Option<u32>,
    /// The share of the rate this process sends at while Redis does not answer.
    #[pyo3(get)]
    fallback_share: f64,
    /// How long Redis has to answer, in seconds, before the fallback is used.
    #[pyo3(get)]
    timeout: f64,
}

#[pymethods]
impl RedisRateLimiter {
    #[new]
    #[pyo3(
        signature = (
            url,
            rate=connectly::LocalRateLimiter::DEFAULT_RATE,
            burst=None,
            fallback_share=connectly::RedisRateLimiter::DEFAULT_FALLBACK_SHARE,
            *,
            timeout=connectly::RedisRateLimiter::DEFAULT_TIMEOUT.as_secs_f64()
        ),
        text_signature = "(url, rate=200.0, burst=None, fallback_share=0.25, *, timeout=0.1)"
    )]
    fn new(
        py: Python<'_>,
        url: &Bound<'_, PyAny>,
        rate: f64,
        burst: Option<i64>,
        fallback_share: f64,
        timeout: f64,
    ) -> PyResult<PyClassInitializer<Self>> {
        guard(py, || {
            let url = redis_url(url)?;
            let burst = burst.map(|b| self::burst(py, b)).transpose()?;
            let wait = seconds(py, timeout, "timeout")?;
            let failed = |e: Error| errors::client(py, &e);
            let mut limiter = connectly::RedisRateLimiter::new(&url, rate).map_err(failed)?;
            drop(url);
            if let Some(burst) = burst {
                limiter = limiter.burst(burst).map_err(failed)?;
            }
            limiter = limiter
                .fallback_share(fallback_share)
                .and_then(|l| l.timeout(wait))
                .map_err(failed)?;
            let base = RateLimiter {
                inner: Arc::new(limiter),
            };
            Ok(PyClassInitializer::from(base).add_subclass(Self {
                rate,
                burst,
                fallback_share,
                timeout,
            }))
        })
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(super::show::Repr::new(py, "RedisRateLimiter")
            .arg("[REDACTED]")?
            .field("rate", self.rate)?
            .field("burst", self.burst)?
            .field("fallback_share", self.fallback_share)?
            .field("timeout", self.timeout)?
            .finish())
    }
}

/// Whether a store may wait on the network (Redis): its calls release the GIL.
#[derive(Clone, Copy)]
enum Io {
    Memory,
    Network,
}

/// Runs `f`, with the GIL released when `io` may wait on the network.
fn run<T: Send>(py: Python<'_>, io: Io, f: impl Send + FnOnce() -> T) -> T {
    match io {
        Io::Memory => f(),
        Io::Network => finalize::detach(py, f),
    }
}

/// Claims deliveries before their handler runs, so that each is handled once however many
/// times (and to whichever worker) Connectly sends it: ``MemoryDeduplicator`` (this process)
/// or ``RedisDeduplicator`` (a fleet). The framework helpers take one as ``deduplicator=``;
/// elsewhere (a queue worker), ``admit`` gives the :class:`Admission` to act on.
#[pyclass(subclass, frozen, module = "connectly._connectly")]
pub(crate) struct Deduplicator {
    store: Arc<dyn connectly::Deduplicator>,
    ttls: DedupTtls,
    io: Io,
}

impl Deduplicator {
    fn new(
        py: Python<'_>,
        store: Arc<dyn connectly::Deduplicator>,
        ttl: f64,
        processing_ttl: f64,
        io: Io,
    ) -> PyResult<Self> {
        let ttls = DedupTtls {
            done: seconds(py, ttl, "ttl")?,
            processing: seconds(py, processing_ttl, "processing ttl")?,
        };
        Ok(Self { store, ttls, io })
    }
}

#[pymethods]
impl Deduplicator {
    /// Claims ``event`` (a verified :class:`WebhookEvent`) by its ``delivery_key``: an
    /// :class:`Admission` whose ``run`` says whether to handle it (then ``complete`` or
    /// ``release`` it), else its ``http_status`` is the answer to give without handling it
    /// (409 while another copy is handled, 200 once it was). A store that does not answer
    /// raises ``connectly.TransportError``: answer 503, so that Connectly sends it again.
    fn admit(&self, py: Python<'_>, event: &Bound<'_, WebhookEvent>) -> PyResult<Admission> {
        guard(py, || {
            let key = event.get().delivery_key().to_owned();
            let store = &self.store;
            let ttls = self.ttls;
            let admitted = run(py, self.io, || connectly::admit_key(store, key, ttls));
            let admission = admitted.map_err(|e| errors::client(py, &e))?;
            Ok(Admission::new(admission, self.io))
        })
    }

    /// How long a handled delivery is remembered, in seconds (copies are answered 200).
    #[getter]
    fn ttl(&self) -> f64 {
        self.ttls.done.as_secs_f64()
    }

    /// How long a claim stays ``processing``, in seconds: a worker that dies while handling
    /// a delivery frees it after this.
    #[getter]
    fn processing_ttl(&self) -> f64 {
        self.ttls.processing.as_secs_f64()
    }
}

/// Claims kept in this process's memory, for one process:
/// ``MemoryDeduplicator(capacity=100000, *, ttl=86400.0, processing_ttl=60.0)``. At most
/// ``capacity`` deliveries are remembered (the oldest are forgotten first); ``ttl`` and
/// ``processing_ttl`` are as for :class:`RedisDeduplicator`.
#[pyclass(extends = Deduplicator, frozen, module = "connectly._connectly")]
pub(crate) struct MemoryDeduplicator {
    /// The most deliveries remembered.
    #[pyo3(get)]
    capacity: usize,
}

/// The core's default `done` TTL, in seconds.
fn default_ttl() -> f64 {
    DedupTtls::default().done.as_secs_f64()
}

/// The core's default `processing` TTL, in seconds.
fn default_processing_ttl() -> f64 {
    DedupTtls::default().processing.as_secs_f64()
}

#[pymethods]
impl MemoryDeduplicator {
    #[new]
    #[pyo3(
        signature = (capacity=100_000, *, ttl=default_ttl(), processing_ttl=default_processing_ttl()),
        text_signature = "(capacity=100000, *, ttl=86400.0, processing_ttl=60.0)"
    )]
    fn new(
        py: Python<'_>,
        capacity: i64,
        ttl: f64,
        processing_ttl: f64,
    ) -> PyResult<PyClassInitializer<Self>> {
        guard(py, || {
            let capacity = usize::try_from(capacity)
                .ok()
                .filter(|c| *c >= 1)
                .ok_or_else(|| invalid(py, "capacity", "must be at least 1"))?;
            let store = Arc::new(connectly::MemoryDeduplicator::new(capacity));
            let base = Deduplicator::new(py, store, ttl, processing_ttl, Io::Memory)?;
            Ok(PyClassInitializer::from(base).add_subclass(Self { capacity }))
        })
    }

    fn __repr__(self_: PyRef<'_, Self>, py: Python<'_>) -> PyResult<String> {
        let base = self_.as_super();
        Ok(super::show::Repr::new(py, "MemoryDeduplicator")
            .field("capacity", self_.capacity)?
            .field("ttl", base.ttl())?
            .field("processing_ttl", base.processing_ttl())?
            .finish())
    }
}

/// Claims kept in Redis, shared by every process using it:
/// ``RedisDeduplicator(url, ttl=86400.0, *, processing_ttl=60.0, timeout=1.0)``.
///
/// ``ttl`` (seconds): how long a handled delivery is remembered (Connectly retries for less
/// than a day); ``processing_ttl``: how long a claim lasts while its handler runs (a worker
/// that dies frees it after this); ``timeout``: how long Redis has to answer. ``url`` is
/// ``redis://[:password@]host:port/db`` (``rediss://`` for TLS); nothing is connected until
/// the first claim, and no ``repr`` shows it.
#[pyclass(extends = Deduplicator, frozen, module = "connectly._connectly")]
pub(crate) struct RedisDeduplicator {
    /// How long Redis has to answer, in seconds.
    #[pyo3(get)]
    timeout: f64,
}

#[pymethods]
impl RedisDeduplicator {
    #[new]
    #[pyo3(
        signature = (url, ttl=default_ttl(), *, processing_ttl=default_processing_ttl(), timeout=1.0),
        text_signature = "(url, ttl=86400.0, *, processing_ttl=60.0, timeout=1.0)"
    )]
    fn new(
        py: Python<'_>,
        url: &Bound<'_, PyAny>,
        ttl: f64,
        processing_ttl: f64,
        timeout: f64,
    ) -> PyResult<PyClassInitializer<Self>> {
        guard(py, || {
            let url = redis_url(url)?;
            let wait = seconds(py, timeout, "timeout")?;
            let store = connectly::RedisDeduplicator::new(&url)
                .and_then(|store| store.timeout(wait))
                .map_err(|e| errors::client(py, &e))?;
            drop(url);
            let base = Deduplicator::new(py, Arc::new(store), ttl, processing_ttl, Io::Network)?;
            Ok(PyClassInitializer::from(base).add_subclass(Self { timeout }))
        })
    }

    fn __repr__(self_: PyRef<'_, Self>, py: Python<'_>) -> PyResult<String> {
        let base = self_.as_super();
        Ok(super::show::Repr::new(py, "RedisDeduplicator")
            .arg("[REDACTED]")?
            .field("ttl", base.ttl())?
            .field("processing_ttl", base.processing_ttl())?
            .field("timeout", self_.timeout)?
            .finish())
    }
}

/// What a claim found, from :meth:`Deduplicator.admit`.
///
/// ``run``: handle the delivery, then call ``complete()`` when the handler succeeded (copies
/// are then answered 200 without running it) or ``release()`` when it failed (Connectly's
/// retry runs it again). An admission neither completed nor released is released when it is
/// garbage-collected. As a context manager, it completes on a clean exit and releases on an
/// exception. Otherwise (``run`` false) answer ``http_status`` without handling it: 409
/// (``state`` ``"in_progress"``: another copy is being handled; Connectly retries later) or
/// 200 (``"duplicate"``: it was handled).
#[pyclass(frozen, module = "connectly._connectly")]
pub(crate) struct Admission {
    claim: Mutex<Option<Claim>>,
    /// The key the delivery was claimed under (its ``delivery_key``).
    #[pyo3(get)]
    key: String,
    /// ``"run"``, ``"in_progress"`` or ``"duplicate"``.
    #[pyo3(get)]
    state: &'static str,
    /// The status to answer without running the handler, or ``None`` when it should run.
    #[pyo3(get)]
    http_status: Option<u16>,
    io: Io,
}

impl Admission {
    fn new(admission: CoreAdmission, io: Io) -> Self {
        let (claim, state, http_status, key) = match admission {
            CoreAdmission::Run(claim) => {
                let key = claim.key().to_owned();
                (Some(claim), "run", None, key)
            }
            CoreAdmission::InProgress(status) => (None, "in_progress", Some(status), String::new()),
            CoreAdmission::Duplicate(status) => (None, "duplicate", Some(status), String::new()),
        };
        Self {
            claim: Mutex::new(claim),
            key,
            state,
            http_status,
            io,
        }
    }

    fn take(&self) -> Option<Claim> {
        self.claim
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
    }
}

impl Drop for Admission {
    fn drop(&mut self) {
        let Some(claim) = self
            .claim
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
        else {
            return;
        };
        // Released (the claim's own drop) with the GIL released when it waits on Redis.
        match self.io {
            Io::Memory => drop(claim),
            Io::Network => Python::attach(|py| finalize::detach(py, move || drop(claim))),
        }
    }
}

#[pymethods]
impl Admission {
    /// Whether to run the handler (then ``complete`` or ``release`` this admission).
    #[getter]
    fn run(&self) -> bool {
        self.http_status.is_none()
    }

    /// The handler succeeded: the delivery is marked handled, and copies are answered 200
    /// without running it. Does nothing when ``run`` is false or it was called already. A
    /// store that does not answer raises ``connectly.TransportError`` (the claim then
    /// expires after ``processing_ttl``).
    fn complete(&self, py: Python<'_>) -> PyResult<()> {
        guard(py, || {
            let Some(claim) = self.take() else {
                return Ok(());
            };
            run(py, self.io, || claim.complete()).map_err(|e| errors::client(py, &e))
        })
    }

    /// Ends the claim by the view's answer, ``status`` (``None``: it set none): completed
    /// for a 2xx or none, released otherwise: the core's rule for every helper. Does nothing
    /// when ``run`` is false or it was ended already. A store that does not answer raises
    /// ``connectly.TransportError`` (the claim then expires).
    #[pyo3(signature = (status=None))]
    fn finish(&self, py: Python<'_>, status: Option<u16>) -> PyResult<()> {
        guard(py, || {
            let Some(claim) = self.take() else {
                return Ok(());
            };
            run(py, self.io, || claim.finish(status)).map_err(|e| errors::client(py, &e))
        })
    }

    /// The handler failed: the claim is released, so Connectly's retry runs it again. Does
    /// nothing when ``run`` is false or it was called already. A store that does not answer
    /// raises ``connectly.TransportError`` (the claim then expires after
    /// ``processing_ttl``).
    fn release(&self, py: Python<'_>) -> PyResult<()> {
        guard(py, || {
            let Some(claim) = self.take() else {
                return Ok(());
            };
            run(py, self.io, || claim.release()).map_err(|e| errors::client(py, &e))
        })
    }

    fn __enter__(self_: Py<Self>) -> Py<Self> {
        self_
    }

    /// Completes the claim on a clean exit, releases it on an exception (which goes on).
    #[pyo3(signature = (exc_type, _exc_value, _traceback))]
    fn __exit__(
        &self,
        py: Python<'_>,
        exc_type: Option<&Bound<'_, PyAny>>,
        _exc_value: Option<&Bound<'_, PyAny>>,
        _traceback: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<bool> {
        if exc_type.is_some_and(|t| !t.is_none()) {
            self.release(py)?;
        } else {
            self.complete(py)?;
        }
        Ok(false)
    }

    fn __repr__(&self) -> String {
        match self.http_status {
            None => "Admission(state='run')".to_owned(),
            Some(status) => format!("Admission(state='{}', http_status={status})", self.state),
        }
    }
}

/// Where a :class:`StatusTracker` keeps the furthest status of each message:
/// ``MemoryStatusStore()`` (this process; the default) or ``RedisStatusStore(url)`` (a
/// fleet).
#[pyclass(subclass, frozen, module = "connectly._connectly")]
pub(crate) struct StatusStore {
    inner: Arc<dyn connectly::StatusStore>,
    io: Io,
}

impl StatusStore {
    /// The core's store and whether its calls wait on the network.
    pub(crate) fn core(&self) -> (Arc<dyn connectly::StatusStore>, bool) {
        (self.inner.clone(), matches!(self.io, Io::Network))
    }
}

/// Statuses kept in this process's memory: ``MemoryStatusStore()``. Give the same one to
/// several trackers to share it.
#[pyclass(extends = StatusStore, frozen, module = "connectly._connectly")]
pub(crate) struct MemoryStatusStore;

#[pymethods]
impl MemoryStatusStore {
    #[new]
    fn new() -> PyClassInitializer<Self> {
        PyClassInitializer::from(StatusStore {
            inner: Arc::new(connectly::MemoryStatusStore::default()),
            io: Io::Memory,
        })
        .add_subclass(Self)
    }

    fn __repr__(&self) -> &'static str {
        "MemoryStatusStore()"
    }
}

/// Statuses kept in Redis (one hash per message, kept 7 days after its last change), shared
/// by every process using it: ``RedisStatusStore(url)``. The comparison and the write are
/// one step in Redis, so concurrent deliveries to several workers end at the furthest
/// status. Redis has 1 s to answer; nothing is connected until the first call, and no
/// ``repr`` shows the URL.
#[pyclass(extends = StatusStore, frozen, module = "connectly._connectly")]
pub(crate) struct RedisStatusStore;

#[pymethods]
impl RedisStatusStore {
    #[new]
    fn new(py: Python<'_>, url: &Bound<'_, PyAny>) -> PyResult<PyClassInitializer<Self>> {
        guard(py, || {
            let url = redis_url(url)?;
            let store =
                connectly::RedisStatusStore::new(&url).map_err(|e| errors::client(py, &e))?;
            Ok(PyClassInitializer::from(StatusStore {
                inner: Arc::new(store),
                io: Io::Network,
            })
            .add_subclass(Self))
        })
    }

    fn __repr__(&self) -> &'static str {
        "RedisStatusStore('[REDACTED]')"
    }
}

/// A `StatusStore` argument, or a `TypeError` that says what is accepted.
pub(crate) fn status_store(
    store: &Bound<'_, PyAny>,
) -> PyResult<(Arc<dyn connectly::StatusStore>, bool)> {
    match store.cast::<StatusStore>() {
        Ok(store) => Ok(store.get().core()),
        Err(_) => Err(PyTypeError::new_err(format!(
            "store must be a connectly.MemoryStatusStore, a connectly.RedisStatusStore or None, \
             not {} (for Redis: store=connectly.RedisStatusStore(url))",
            store.get_type().name()?
        ))),
    }
}

/// A client's `rate_limiter` argument, as the builder takes it: `None` keeps the default,
/// `Some(None)` is none at all (`False`), `Some(Some(limiter))` that limiter.
pub(crate) fn rate_limiter_choice(
    value: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<Option<Arc<dyn connectly::RateLimiter>>>> {
    let Some(value) = value.filter(|v| !v.is_none()) else {
        return Ok(None);
    };
    if let Ok(limiter) = value.cast::<RateLimiter>() {
        return Ok(Some(Some(limiter.get().core())));
    }
    if value.is_instance_of::<pyo3::types::PyBool>() && !value.is_truthy()? {
        return Ok(Some(None));
    }
    // The type only: a str given here may be a Redis URL with a password.
    let shown = if value.is_instance_of::<pyo3::types::PyBool>() {
        "True".to_owned()
    } else {
        value.get_type().name()?.to_string()
    };
    Err(PyTypeError::new_err(format!(
        "rate_limiter must be a connectly.LocalRateLimiter, a connectly.RedisRateLimiter, \
         False (no limiter) or None (the default), not {shown}"
    )))
}
