//! The calling thread's last error: its text and, for errors the API answered, the
//! provider's details.
//!
//! Every fallible export (one returning `connectly_status`) clears the record on success and
//! replaces it on failure; the getters below only read it. Pointers they return stay valid
//! until the next fallible call on the same thread.

use std::cell::RefCell;
use std::ffi::CString;
use std::os::raw::c_char;
use std::ptr;

use super::boundary::Failure;
use super::status::connectly_status;
use sdk::Error;

/// One failure, as the getters report it (also kept per message by `connectly_batch`).
pub(crate) struct Record {
    pub(crate) message: CString,
    pub(crate) http_status: u16,
    pub(crate) code: Option<CString>,
    pub(crate) api_message: Option<CString>,
    pub(crate) trace_id: Option<CString>,
    pub(crate) attempts: u32,
    pub(crate) retry_after_ms: i64,
    /// The input a validation error names (the core's `ValidationError::field`).
    pub(crate) field: Option<CString>,
}

impl Record {
    /// The record of `failure`: its text; for errors the API answered, their details; for a
    /// validation error, the input it names.
    pub(crate) fn new(failure: &Failure) -> Self {
        let mut record = Record {
            message: c_string(&failure.to_string()),
            http_status: 0,
            code: None,
            api_message: None,
            trace_id: None,
            attempts: 0,
            retry_after_ms: -1,
            field: None,
        };
        if let Failure::Core(error) = failure {
            record.http_status = error.status().unwrap_or(0);
            record.attempts = error.attempts();
            if let Some(api) = error.api_error() {
                record.code = optional(api.code.as_deref());
                record.api_message = optional(api.message.as_deref());
                record.trace_id = optional(api.trace_id.as_deref());
            }
            match error {
                Error::Validation(invalid) => record.field = Some(c_string(invalid.field)),
                Error::RateLimited {
                    retry_after: Some(wait),
                    ..
                } => record.retry_after_ms = i64::try_from(wait.as_millis()).unwrap_or(i64::MAX),
                _ => {}
            }
        }
        record
    }
}

/// The empty C string returned when there is no error.
const EMPTY: &str = "\0";

thread_local! {
    static LAST: RefCell<Option<Record>> = const { RefCell::new(None) };
}

/// A C string from Rust text; an interior NUL (never in the core's messages) ends it early.
pub(crate) fn c_string(text: &str) -> CString {
    let end = text.find('\0').unwrap_or(text.len());
    CString::new(text.get(..end).unwrap_or_default()).unwrap_or_default()
}

fn optional(text: Option<&str>) -> Option<CString> {
    text.map(c_string)
}

/// Forgets the thread's last error. Cheap when there is none (the verify hot path).
pub(crate) fn clear() {
    let _ = LAST.try_with(|last| {
        if let Ok(mut last) = last.try_borrow_mut() {
            if last.is_some() {
                *last = None;
            }
        }
    });
}

/// Records `failure` as the thread's last error and returns its status.
pub(crate) fn set(failure: Failure) -> connectly_status {
    let status = failure.status();
    let record = Record::new(&failure);
    let _ = LAST.try_with(|last| {
        if let Ok(mut last) = last.try_borrow_mut() {
            *last = Some(record);
        }
    });
    status
}

/// Reads the record: `f`'s answer, or `default` when there is none.
fn read<T>(default: T, f: impl FnOnce(&Record) -> T) -> T {
    LAST.try_with(|last| last.try_borrow().ok().and_then(|last| last.as_ref().map(f)))
        .ok()
        .flatten()
        .unwrap_or(default)
}

pub(crate) fn text_ptr(text: Option<&CString>) -> *const c_char {
    text.map_or(ptr::null(), |t| t.as_ptr())
}

/// The calling thread's last error message: what failed and why, for people to read.
///
/// Returns `""` (never NULL) when the last fallible call on this thread succeeded or none
/// was made. The text never contains the API key, a webhook secret, a signature or a body.
/// The pointer is owned by the library and valid until the next fallible call on the same
/// thread (copy it to keep it); never free it. Thread-safe: each thread has its own record.
#[no_mangle]
pub extern "C" fn connectly_last_error_message() -> *const c_char {
    super::boundary::value(EMPTY.as_ptr().cast(), || {
        read(EMPTY.as_ptr().cast(), |r| r.message.as_ptr())
    })
}

/// The HTTP status of the calling thread's last error, when the API answered (401, 429, 500,
/// a 3xx redirect, ...); 0 otherwise. Thread-safe (per thread).
#[no_mangle]
pub extern "C" fn connectly_last_error_http_status() -> u16 {
    super::boundary::value(0, || read(0, |r| r.http_status))
}

/// The provider's error code of the calling thread's last error (such as
/// `"ERROR_CODE_PHONE_NUMBER_BAD_FORMAT"`), or NULL when the API did not answer with one.
///
/// Owned by the library, valid until the next fallible call on the same thread; never free
/// it. Thread-safe (per thread).
#[no_mangle]
pub extern "C" fn connectly_last_error_code() -> *const c_char {
    super::boundary::value(ptr::null(), || {
        read(ptr::null(), |r| text_ptr(r.code.as_ref()))
    })
}

/// The provider's own error message (its `message` field, verbatim) of the calling thread's
/// last error, or NULL when the API did not answer with one.
///
/// Owned by the library, valid until the next fallible call on the same thread; never free
/// it. Thread-safe (per thread).
#[no_mangle]
pub extern "C" fn connectly_last_error_api_message() -> *const c_char {
    super::boundary::value(ptr::null(), || {
        read(ptr::null(), |r| text_ptr(r.api_message.as_ref()))
    })
}

/// The provider's trace id (`cntTraceId`, what its support asks for) of the calling thread's
/// last error, or NULL when there is none.
///
/// Owned by the library, valid until the next fallible call on the same thread; never free
/// it. Thread-safe (per thread).
#[no_mangle]
pub extern "C" fn connectly_last_error_trace_id() -> *const c_char {
    super::boundary::value(ptr::null(), || {
        read(ptr::null(), |r| text_ptr(r.trace_id.as_ref()))
    })
}

/// How many attempts the calling thread's last failed call made (0 when nothing was sent).
/// Thread-safe (per thread).
#[no_mangle]
pub extern "C" fn connectly_last_error_attempts() -> u32 {
    super::boundary::value(0, || read(0, |r| r.attempts))
}

/// The input the calling thread's last error refused, when it was a validation error (the
/// core's field name, such as `"text"`, `"recipient id"` or `"callback data"`: the same in
/// every language); NULL for any other error, for a NULL or unusable argument
/// (`CONNECTLY_ERROR_NULL_ARGUMENT`, `CONNECTLY_ERROR_INVALID_ARGUMENT`) and after a success.
///
/// Owned by the library, valid until the next fallible call on the same thread; never free
/// it. Thread-safe (per thread).
#[no_mangle]
pub extern "C" fn connectly_last_error_field() -> *const c_char {
    super::boundary::value(ptr::null(), || {
        read(ptr::null(), |r| text_ptr(r.field.as_ref()))
    })
}

/// For `CONNECTLY_ERROR_RATE_LIMITED`: how long the API asked to wait (its `Retry-After`),
/// in milliseconds; -1 when it did not say (or could not be read) and for any other error.
/// Thread-safe (per thread).
#[no_mangle]
pub extern "C" fn connectly_last_error_retry_after_ms() -> i64 {
    super::boundary::value(-1, || read(-1, |r| r.retry_after_ms))
}
