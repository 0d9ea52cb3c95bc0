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

use super::boundary::{text_ptr, value, Failure};
use super::status::connectly_status;
use sdk::Error;

/// One failure (opaque): the one error object of the C interface, read with the
/// `connectly_error_*` getters. The calling thread's last error (`connectly_last_error`), a
/// completion's error (`connectly_completion_error`) and a batch message's error
/// (`connectly_batch_error`) are all one. Borrowed from what holds it, never freed by the
/// caller, except a copy made by `connectly_error_copy`, which the caller owns and frees
/// with `connectly_error_free`. Immutable, so it may be read from any thread while its holder
/// lives.
#[derive(Clone)]
pub struct connectly_error {
    pub(crate) status: connectly_status,
    pub(crate) message: CString,
    pub(crate) http_status: u16,
    pub(crate) code: Option<CString>,
    pub(crate) api_message: Option<CString>,
    pub(crate) trace_id: Option<CString>,
    pub(crate) attempts: u32,
    pub(crate) retry_after_ms: i64,
    /// The input a validation error names (the core's `ValidationError::field`).
    pub(crate) field: Option<CString>,
    /// The request may have reached the server ([`Error::possibly_sent`]).
    pub(crate) possibly_sent: bool,
}

impl connectly_error {
    /// The record of `failure`: its text; for errors the API answered, their details; for a
    /// validation error, the input it names.
    pub(crate) fn new(failure: &Failure) -> Self {
        let mut record = connectly_error {
            status: failure.status(),
            message: c_string(&failure.to_string()),
            http_status: 0,
            code: None,
            api_message: None,
            trace_id: None,
            attempts: 0,
            retry_after_ms: -1,
            field: None,
            possibly_sent: false,
        };
        if let Failure::Core(error) = failure {
            record.http_status = error.status().unwrap_or(0);
            record.attempts = error.attempts();
            record.possibly_sent = error.possibly_sent();
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
    static LAST: RefCell<Option<connectly_error>> = const { RefCell::new(None) };
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
    let record = connectly_error::new(&failure);
    let _ = LAST.try_with(|last| {
        if let Ok(mut last) = last.try_borrow_mut() {
            *last = Some(record);
        }
    });
    status
}

/// The thread's record, NULL when there is none.
fn last() -> *const connectly_error {
    LAST.try_with(|last| {
        last.try_borrow()
            .ok()
            .and_then(|last| last.as_ref().map(|e| e as *const connectly_error))
    })
    .ok()
    .flatten()
    .unwrap_or(ptr::null())
}

/// Reads an error: `f`'s answer, or `default` when `error` is NULL.
///
/// # Safety
/// `error` is NULL or a live `connectly_error`.
unsafe fn read<T: Copy>(
    error: *const connectly_error,
    default: T,
    f: impl FnOnce(&connectly_error) -> T,
) -> T {
    super::boundary::value(default, || {
        // SAFETY: NULL or live, by the caller's contract.
        unsafe { error.as_ref() }.map_or(default, f)
    })
}

/// The calling thread's last error, read with the `connectly_error_*` getters; NULL when the
/// last fallible call on this thread succeeded or none was made.
///
/// Borrowed: owned by the library and valid until the next fallible call on the same thread;
/// never free it. Thread-safe: each thread has its own.
#[no_mangle]
pub extern "C" fn connectly_last_error() -> *const connectly_error {
    value(ptr::null(), last)
}

/// The status the failure was reported with (`CONNECTLY_ERROR_CANCELLED` for a cancelled
/// submission, ...); `CONNECTLY_OK` when `error` is NULL. Thread-safe.
///
/// # Safety
/// `error` is NULL or a live `connectly_error`.
#[no_mangle]
pub unsafe extern "C" fn connectly_error_status(error: *const connectly_error) -> connectly_status {
    // SAFETY: forwarded to the caller.
    unsafe { read(error, connectly_status::CONNECTLY_OK, |e| e.status) }
}

/// What failed and why, for people to read; NULL when `error` is NULL. Never contains the
/// API key, a webhook secret, a signature or a body. Owned by the error's holder; never free
/// it. Thread-safe.
///
/// # Safety
/// `error` is NULL or a live `connectly_error`.
#[no_mangle]
pub unsafe extern "C" fn connectly_error_message(error: *const connectly_error) -> *const c_char {
    // SAFETY: forwarded to the caller.
    unsafe { read(error, ptr::null(), |e| e.message.as_ptr()) }
}

/// The HTTP status when the API answered (401, 429, 500, a 3xx redirect, ...); 0 otherwise
/// and when `error` is NULL. Thread-safe.
///
/// # Safety
/// `error` is NULL or a live `connectly_error`.
#[no_mangle]
pub unsafe extern "C" fn connectly_error_http_status(error: *const connectly_error) -> u16 {
    // SAFETY: forwarded to the caller.
    unsafe { read(error, 0, |e| e.http_status) }
}

/// The provider's error code (such as `"ERROR_CODE_PHONE_NUMBER_BAD_FORMAT"`), or NULL when
/// the API did not answer with one (or `error` is NULL). Owned by the error's holder; never
/// free it. Thread-safe.
///
/// # Safety
/// `error` is NULL or a live `connectly_error`.
#[no_mangle]
pub unsafe extern "C" fn connectly_error_code(error: *const connectly_error) -> *const c_char {
    // SAFETY: forwarded to the caller.
    unsafe { read(error, ptr::null(), |e| text_ptr(e.code.as_ref())) }
}

/// The provider's own error message (its `message` field, verbatim), or NULL when the API
/// did not answer with one (or `error` is NULL). Owned by the error's holder; never free it.
/// Thread-safe.
///
/// # Safety
/// `error` is NULL or a live `connectly_error`.
#[no_mangle]
pub unsafe extern "C" fn connectly_error_api_message(
    error: *const connectly_error,
) -> *const c_char {
    // SAFETY: forwarded to the caller.
    unsafe { read(error, ptr::null(), |e| text_ptr(e.api_message.as_ref())) }
}

/// The provider's trace id (`cntTraceId`, what its support asks for), or NULL when there is
/// none (or `error` is NULL). Owned by the error's holder; never free it. Thread-safe.
///
/// # Safety
/// `error` is NULL or a live `connectly_error`.
#[no_mangle]
pub unsafe extern "C" fn connectly_error_trace_id(error: *const connectly_error) -> *const c_char {
    // SAFETY: forwarded to the caller.
    unsafe { read(error, ptr::null(), |e| text_ptr(e.trace_id.as_ref())) }
}

/// How many attempts the failed call made (0 when nothing was sent, and when `error` is
/// NULL). Thread-safe.
///
/// # Safety
/// `error` is NULL or a live `connectly_error`.
#[no_mangle]
pub unsafe extern "C" fn connectly_error_attempts(error: *const connectly_error) -> u32 {
    // SAFETY: forwarded to the caller.
    unsafe { read(error, 0, |e| e.attempts) }
}

/// For `CONNECTLY_ERROR_RATE_LIMITED`: how long the API asked to wait (its `Retry-After`),
/// in milliseconds; -1 when it did not say (or could not be read), for any other error and
/// when `error` is NULL. Thread-safe.
///
/// # Safety
/// `error` is NULL or a live `connectly_error`.
#[no_mangle]
pub unsafe extern "C" fn connectly_error_retry_after_ms(error: *const connectly_error) -> i64 {
    // SAFETY: forwarded to the caller.
    unsafe { read(error, -1, |e| e.retry_after_ms) }
}

/// The input a validation error refused (the core's field name, such as `"text"`,
/// `"recipient id"` or `"callback data"`: the same in every language); NULL for any other
/// error, for a NULL or unusable argument and when `error` is NULL. Owned by the error's
/// holder; never free it. Thread-safe.
///
/// # Safety
/// `error` is NULL or a live `connectly_error`.
#[no_mangle]
pub unsafe extern "C" fn connectly_error_field(error: *const connectly_error) -> *const c_char {
    // SAFETY: forwarded to the caller.
    unsafe { read(error, ptr::null(), |e| text_ptr(e.field.as_ref())) }
}

/// Whether the request may have reached Connectly although the call failed, so sending
/// again could deliver a message twice: a timeout (`CONNECTLY_ERROR_TIMEOUT`) or a broken
/// connection (`CONNECTLY_ERROR_TRANSPORT`) after the request may have been written, a 5xx
/// (`CONNECTLY_ERROR_SERVER`), an answer too large to read, or a cancellation
/// (`CONNECTLY_ERROR_CANCELLED`) with the request in flight. False when no request reached
/// Connectly (refused before sending, never connected, cancelled before it was written),
/// when its answer says it was not taken (4xx, 429), and when `error` is NULL. Thread-safe.
///
/// # Safety
/// `error` is NULL or a live `connectly_error`.
#[no_mangle]
pub unsafe extern "C" fn connectly_error_possibly_sent(error: *const connectly_error) -> bool {
    // SAFETY: forwarded to the caller.
    unsafe { read(error, false, |e| e.possibly_sent) }
}

/// A copy of `error` that the caller owns (free it with `connectly_error_free`), to keep a
/// failure beyond its holder: past the thread's next fallible call, or the completion's
/// `connectly_completion_free`. NULL when `error` is NULL. Thread-safe.
///
/// # Safety
/// `error` is NULL or a live `connectly_error`.
#[no_mangle]
pub unsafe extern "C" fn connectly_error_copy(
    error: *const connectly_error,
) -> *mut connectly_error {
    value(ptr::null_mut(), || {
        // SAFETY: NULL or live, by the caller's contract.
        unsafe { error.as_ref() }.map_or(ptr::null_mut(), |e| Box::into_raw(Box::new(e.clone())))
    })
}

/// Frees a copy made by `connectly_error_copy`; NULL is ignored. Never pass an error borrowed
/// from its holder (`connectly_last_error`, `connectly_completion_error`,
/// `connectly_batch_error`).
///
/// # Safety
/// `error` is NULL or a copy from `connectly_error_copy`, not yet freed.
#[no_mangle]
pub unsafe extern "C" fn connectly_error_free(error: *mut connectly_error) {
    // SAFETY: a copy the caller owns, by the contract above.
    value((), || unsafe { super::boundary::free(error) })
}

/// The calling thread's last error message: `connectly_error_message(connectly_last_error())`,
/// but `""` (never NULL) when the last fallible call on this thread succeeded or none was
/// made. Valid until the next fallible call on the same thread (copy it to keep it); never
/// free it. Thread-safe: each thread has its own record.
#[no_mangle]
pub extern "C" fn connectly_last_error_message() -> *const c_char {
    // SAFETY: `last` gives NULL or the thread's live record.
    unsafe { read(last(), EMPTY.as_ptr().cast(), |e| e.message.as_ptr()) }
}

/// `connectly_error_http_status(connectly_last_error())`. Thread-safe (per thread).
#[no_mangle]
pub extern "C" fn connectly_last_error_http_status() -> u16 {
    // SAFETY: `last` gives NULL or the thread's live record.
    unsafe { connectly_error_http_status(last()) }
}

/// `connectly_error_code(connectly_last_error())`: valid until the next fallible call on
/// the same thread. Thread-safe (per thread).
#[no_mangle]
pub extern "C" fn connectly_last_error_code() -> *const c_char {
    // SAFETY: `last` gives NULL or the thread's live record.
    unsafe { connectly_error_code(last()) }
}

/// `connectly_error_api_message(connectly_last_error())`: valid until the next fallible
/// call on the same thread. Thread-safe (per thread).
#[no_mangle]
pub extern "C" fn connectly_last_error_api_message() -> *const c_char {
    // SAFETY: `last` gives NULL or the thread's live record.
    unsafe { connectly_error_api_message(last()) }
}

/// `connectly_error_trace_id(connectly_last_error())`: valid until the next fallible call
/// on the same thread. Thread-safe (per thread).
#[no_mangle]
pub extern "C" fn connectly_last_error_trace_id() -> *const c_char {
    // SAFETY: `last` gives NULL or the thread's live record.
    unsafe { connectly_error_trace_id(last()) }
}

/// `connectly_error_attempts(connectly_last_error())`. Thread-safe (per thread).
#[no_mangle]
pub extern "C" fn connectly_last_error_attempts() -> u32 {
    // SAFETY: `last` gives NULL or the thread's live record.
    unsafe { connectly_error_attempts(last()) }
}

/// `connectly_error_field(connectly_last_error())`: valid until the next fallible call on
/// the same thread. Thread-safe (per thread).
#[no_mangle]
pub extern "C" fn connectly_last_error_field() -> *const c_char {
    // SAFETY: `last` gives NULL or the thread's live record.
    unsafe { connectly_error_field(last()) }
}

/// `connectly_error_retry_after_ms(connectly_last_error())`. Thread-safe (per thread).
#[no_mangle]
pub extern "C" fn connectly_last_error_retry_after_ms() -> i64 {
    // SAFETY: `last` gives NULL or the thread's live record.
    unsafe { connectly_error_retry_after_ms(last()) }
}
