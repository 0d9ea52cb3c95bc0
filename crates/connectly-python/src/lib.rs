//! The Python extension module `connectly._connectly`, built by maturin with the `python`
//! feature (never part of the C library).
//!
//! A thin layer over the Rust core: every behaviour lives in the core, and this module only
//! converts arguments and results. Rules every entry point follows:
//!
//! - it runs inside `guard`, so a Rust panic reaches Python as `connectly.InternalError`
//!   (a `connectly.ConnectlyError`), never as pyo3's `PanicException`;
//! - it releases the GIL (`finalize::detach`, which keeps a daemon thread that comes back
//!   during interpreter exit out of the interpreter) around network I/O, and around the
//!   verification of bodies larger than `webhook::DETACH_THRESHOLD`; a client call does it
//!   through `signals::blocking`, so that on the main thread Ctrl-C stops it;
//! - a `connectly.AsyncClient` call builds its operation at once (bad input raises there) and
//!   submits it to a completion queue that the event loop watches (the `operation` module):
//!   no thread per call, and no GIL taken on the core's threads;
//! - core errors become Python exceptions in one place, the `errors` module;
//! - the core's log records reach `logging.getLogger("connectly")` from one thread of the
//!   SDK's own, started by the first client (the `logs` module).

use std::ffi::OsString;
use std::panic::{catch_unwind, AssertUnwindSafe};

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyString;

use self::args::{not_encodable, Secret};

mod admin;
mod args;
mod bulk;
mod client;
mod errors;
mod event;
mod finalize;
mod fleet;
mod json;
mod logs;
mod message;
mod mock;
mod operation;
mod show;
mod signals;
mod tracker;
mod webhook;

/// Runs one native entry point, turning a Rust panic into `connectly.InternalError`.
pub(crate) fn guard<T>(py: Python<'_>, f: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(result) => result,
        Err(_) => Err(errors::internal(py)),
    }
}

/// Runs the `connectly` command line (the same one as the Rust binary) with `args`, the first
/// being the program name; returns the exit code. The GIL is released while it runs.
///
/// Each argument is passed as the bytes the OS gave (`os.fsencode`), so `sys.argv`'s
/// stand-ins for bytes that are not UTF-8 are undone; one that cannot be (an argument may be
/// an API key) is a `ConfigurationError` that does not quote it.
#[pyfunction]
fn cli_main(py: Python<'_>, args: Vec<Bound<'_, PyAny>>) -> PyResult<u8> {
    guard(py, || {
        let mut os_args: Vec<OsString> = Vec::with_capacity(args.len());
        for arg in &args {
            if !arg.is_instance_of::<PyString>() {
                return Err(PyTypeError::new_err(format!(
                    "a command-line argument must be str, not {}",
                    arg.get_type().name()?
                )));
            }
            let os_arg = arg
                .extract::<OsString>()
                .map_err(|_| not_encodable(py, "a command-line argument", Secret::Config))?;
            os_args.push(os_arg);
        }
        Ok(finalize::detach(py, || connectly_cli::run(os_args) as u8))
    })
}

/// Panics inside the extension, to test that a panic reaches Python as
/// `connectly.InternalError`. Not part of the public API.
#[pyfunction]
#[allow(clippy::panic)]
fn _test_panic(py: Python<'_>) -> PyResult<()> {
    guard(py, || panic!("deliberate panic for the test suite"))
}

/// The native part of the `connectly` package. Import `connectly` instead.
#[pymodule]
#[pyo3(name = "_connectly")]
fn connectly_module(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", connectly::VERSION)?;
    m.add("SIGNATURE_HEADER", connectly::SIGNATURE_HEADER)?;
    // Defaults and limits are the core's, never copied into Python.
    m.add(
        "DEFAULT_MAX_BODY_SIZE",
        connectly::Webhook::DEFAULT_MAX_BODY_SIZE,
    )?;
    m.add("DEFAULT_TIMEOUT", connectly::DEFAULT_TIMEOUT.as_secs_f64())?;
    m.add("DEFAULT_MAX_RETRIES", connectly::DEFAULT_MAX_RETRIES)?;
    m.add("MAX_RETRIES_LIMIT", connectly::MAX_RETRIES_LIMIT)?;
    m.add("DEFAULT_CONCURRENCY", connectly::DEFAULT_CONCURRENCY)?;
    m.add("MAX_CONCURRENCY", connectly::MAX_CONCURRENCY)?;
    m.add("MIN_RATE_LIMIT", connectly::BulkOptions::MIN_RATE_LIMIT)?;
    m.add("MOCK_API_KEY", connectly_mock::DEFAULT_API_KEY)?;
    m.add("MOCK_BUSINESS_ID", connectly_mock::DEFAULT_BUSINESS_ID)?;
    m.add(
        "MOCK_WEBHOOK_SECRET",
        connectly_mock::DEFAULT_WEBHOOK_SECRET,
    )?;
    m.add_class::<client::Client>()?;
    m.add_class::<client::Response>()?;
    m.add_class::<bulk::TextMessage>()?;
    m.add_class::<bulk::TemplateMessage>()?;
    m.add_class::<bulk::SendResult>()?;
    m.add_class::<message::Attachment>()?;
    m.add_class::<message::Location>()?;
    m.add_class::<message::ListRow>()?;
    m.add_class::<message::ListSection>()?;
    m.add_class::<message::ListMessage>()?;
    m.add_class::<message::Button>()?;
    m.add_class::<message::ReplyButtons>()?;
    m.add_class::<message::MessageRequest>()?;
    m.add_class::<admin::WebhookInfo>()?;
    m.add_class::<admin::TemplateInfo>()?;
    m.add_class::<admin::CampaignEntry>()?;
    m.add_class::<admin::CampaignResult>()?;
    m.add_class::<webhook::Webhook>()?;
    m.add_class::<event::WebhookEvent>()?;
    m.add_class::<event::InboundMessage>()?;
    m.add_class::<event::DeliveryStatus>()?;
    m.add_class::<event::Party>()?;
    m.add_class::<event::InboundAttachment>()?;
    m.add_class::<event::InboundLocation>()?;
    m.add_class::<event::ButtonReply>()?;
    m.add_class::<event::ListReply>()?;
    m.add_class::<event::ApiErrorDetail>()?;
    m.add_class::<tracker::StatusTracker>()?;
    m.add_class::<fleet::RateLimiter>()?;
    m.add_class::<fleet::LocalRateLimiter>()?;
    m.add_class::<fleet::RedisRateLimiter>()?;
    m.add_class::<fleet::Deduplicator>()?;
    m.add_class::<fleet::MemoryDeduplicator>()?;
    m.add_class::<fleet::RedisDeduplicator>()?;
    m.add_class::<fleet::Admission>()?;
    m.add_class::<fleet::StatusStore>()?;
    m.add_class::<fleet::MemoryStatusStore>()?;
    m.add_class::<fleet::RedisStatusStore>()?;
    m.add_class::<mock::NativeMockServer>()?;
    m.add_class::<operation::Operation>()?;
    m.add_class::<operation::Ticket>()?;
    m.add_class::<operation::CompletionQueue>()?;
    m.add_function(wrap_pyfunction!(cli_main, m)?)?;
    m.add_function(wrap_pyfunction!(_test_panic, m)?)?;
    m.add_function(wrap_pyfunction!(errors::_error_classes, m)?)?;
    m.add_function(wrap_pyfunction!(logs::_stop_logs, m)?)?;
    m.add_function(wrap_pyfunction!(finalize::_exiting, m)?)?;
    Ok(())
}
