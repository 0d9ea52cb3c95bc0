//! `connectly_log_set_callback`: the core's log records, handed to a C function on a thread
//! the library owns, never on a thread that sends.

use std::cell::Cell;
use std::ffi::{c_void, CString};
use std::os::raw::c_char;
use std::sync::{Mutex, MutexGuard, OnceLock, PoisonError};
use std::thread;
use std::time::Duration;

use super::boundary::{call, value, Failure};
use super::last_error::c_string;
use super::status::connectly_status;
use sdk::{log_queue, Error, LogLevel, LogQueue, LogRecord};

/// How severe a log record is.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum connectly_log_level {
    /// Every step of a call (`sending`).
    CONNECTLY_LOG_DEBUG = 10,
    /// A call's outcome (`answered`).
    CONNECTLY_LOG_INFO = 20,
    /// A retry, a failure, a cancellation with a request in flight, dropped records.
    CONNECTLY_LOG_WARN = 30,
}

/// One log record, valid only during the callback that receives it (copy what you keep).
/// Never holds a secret: no API key, webhook secret or message content.
#[repr(C)]
pub struct connectly_log_record {
    /// How severe it is.
    pub level: connectly_log_level,
    /// The client whose call it records (`connectly_client_id`); 0 for a record about no one
    /// client, such as `records dropped`.
    pub client: u64,
    /// What happened: `sending`, `retrying`, `answered`, `failed`, `records dropped`, ...
    pub message: *const c_char,
    /// The details as `key=value` pairs separated by spaces (`""` when none).
    pub fields: *const c_char,
}

/// Receives each log record, on the library's logging thread; `user_data` is what was
/// registered with it. Keep it short: records wait while it runs (and are dropped, then
/// counted, beyond 1,024). It must not call `connectly_log_set_callback`.
pub type connectly_log_callback =
    Option<unsafe extern "C" fn(record: *const connectly_log_record, user_data: *mut c_void)>;

/// The registered callback and its data.
struct Sink {
    callback: unsafe extern "C" fn(*const connectly_log_record, *mut c_void),
    user_data: *mut c_void,
}

// SAFETY: the caller of `connectly_log_set_callback` promises the callback may be called with
// `user_data` from the library's thread.
unsafe impl Send for Sink {}

/// The registered callback; `None` when records are discarded.
static SINK: Mutex<Option<Sink>> = Mutex::new(None);

thread_local! {
    /// Set on the logging thread, which must not replace the callback it is calling.
    static ON_LOG_THREAD: Cell<bool> = const { Cell::new(false) };
}

fn sink() -> MutexGuard<'static, Option<Sink>> {
    SINK.lock().unwrap_or_else(PoisonError::into_inner)
}

/// How long the thread waits for records before looking again.
const POLL: Duration = Duration::from_millis(200);

/// Starts the logging thread, once.
fn start(queue: LogQueue) -> Result<(), Failure> {
    static STARTED: OnceLock<Result<(), String>> = OnceLock::new();
    STARTED
        .get_or_init(|| {
            thread::Builder::new()
                .name("connectly-log".into())
                .spawn(move || forward(&queue))
                .map(drop)
                .map_err(|e| format!("the logging thread could not be started: {e}"))
        })
        .clone()
        .map_err(|message| Failure::Core(Error::Config(message)))
}

/// The logging thread: takes records and hands each to the callback; without one, they are
/// taken and forgotten.
fn forward(queue: &LogQueue) {
    ON_LOG_THREAD.with(|on| on.set(true));
    loop {
        let records = queue.wait(POLL);
        if records.is_empty() {
            continue;
        }
        if let Some(sink) = sink().as_ref() {
            for record in &records {
                hand(sink, record);
            }
        }
    }
}

/// Calls the callback with one record.
fn hand(sink: &Sink, record: &LogRecord) {
    let message: CString = c_string(&record.message);
    let fields: Vec<String> = record
        .fields
        .iter()
        .map(|(key, value)| format!("{key}={value}"))
        .collect();
    let fields = c_string(&fields.join(" "));
    let level = match record.level {
        LogLevel::Debug => connectly_log_level::CONNECTLY_LOG_DEBUG,
        LogLevel::Info => connectly_log_level::CONNECTLY_LOG_INFO,
        LogLevel::Warn => connectly_log_level::CONNECTLY_LOG_WARN,
    };
    let made = connectly_log_record {
        level,
        client: record.client,
        message: message.as_ptr(),
        fields: fields.as_ptr(),
    };
    // SAFETY: the callback was registered for this, with this `user_data`; the record and
    // its strings outlive the call.
    unsafe { (sink.callback)(&made, sink.user_data) };
}

/// Sends the library's log records to `callback` (with `user_data`), called one record at a
/// time from a thread the library owns; NULL stops forwarding (records are then discarded).
/// When it returns, the previous callback is no longer running and will not be called again,
/// so its `user_data` may be freed. `CONNECTLY_ERROR_INVALID_ARGUMENT` when called from inside
/// the callback; `CONNECTLY_ERROR_CONFIG` when the logging thread cannot be started.
/// Thread-safe.
///
/// # Safety
/// `callback`, if not NULL, may be called with `user_data` from another thread until it is
/// replaced.
#[no_mangle]
pub unsafe extern "C" fn connectly_log_set_callback(
    callback: connectly_log_callback,
    user_data: *mut c_void,
) -> connectly_status {
    call(|| {
        let queue = log_queue().ok_or_else(|| {
            Failure::Core(Error::Config(
                "another tracing subscriber is installed in this process; the library's \
                 records go there"
                    .into(),
            ))
        })?;
        if ON_LOG_THREAD.with(Cell::get) {
            return Err(Failure::Invalid(
                "connectly_log_set_callback cannot be called from the log callback".into(),
            ));
        }
        start(queue)?;
        *sink() = callback.map(|callback| Sink {
            callback,
            user_data,
        });
        Ok(())
    })
}

/// How many log records were dropped because the callback fell behind (more than 1,024
/// waiting), since the process started; each drop is also reported by a `records dropped`
/// record. Thread-safe.
#[no_mangle]
pub extern "C" fn connectly_log_dropped() -> u64 {
    value(0, || log_queue().map_or(0, |queue| queue.dropped()))
}
