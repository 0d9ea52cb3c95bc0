//! `connectly_response`: what a successful call returned.

use std::ffi::CString;
use std::os::raw::c_char;
use std::ptr;

use super::boundary::{self, text_ptr, value};
use super::last_error::c_string;
use sdk::Response;

/// A successful reply from the API (opaque). Made by the send and register calls; free it
/// with `connectly_response_free`. Immutable, so it may be read from any thread.
pub struct connectly_response {
    status: u16,
    attempts: u32,
    body: CString,
    trace_id: Option<CString>,
    /// The core's `Response::id`, kept as C text beside the body.
    id: Option<CString>,
}

impl connectly_response {
    pub(crate) fn new(response: &Response) -> Self {
        let body = serde_json::to_string(&response.body).unwrap_or_else(|_| "null".into());
        Self {
            status: response.status,
            attempts: response.attempts,
            body: c_string(&body),
            trace_id: response.trace_id.as_deref().map(c_string),
            id: response.id().map(c_string),
        }
    }
}

/// The reply's HTTP status (2xx). 0 when `response` is NULL. Thread-safe.
///
/// # Safety
/// `response` is NULL or a live `connectly_response`.
#[no_mangle]
pub unsafe extern "C" fn connectly_response_status(response: *const connectly_response) -> u16 {
    // SAFETY: NULL or live, by the caller's contract.
    value(0, || unsafe { response.as_ref() }.map_or(0, |r| r.status))
}

/// The reply's body as JSON text (NUL-terminated UTF-8): `null` when the body was empty, a
/// JSON string when it was not JSON. NULL when `response` is NULL.
///
/// Owned by the response: valid until `connectly_response_free`; never free it. Thread-safe.
///
/// # Safety
/// `response` is NULL or a live `connectly_response`.
#[no_mangle]
pub unsafe extern "C" fn connectly_response_body(
    response: *const connectly_response,
) -> *const c_char {
    // SAFETY: NULL or live, by the caller's contract.
    value(ptr::null(), || {
        unsafe { response.as_ref() }.map_or(ptr::null(), |r| r.body.as_ptr())
    })
}

/// How many attempts the call took (1 when the first succeeded). 0 when `response` is NULL.
/// Thread-safe.
///
/// # Safety
/// `response` is NULL or a live `connectly_response`.
#[no_mangle]
pub unsafe extern "C" fn connectly_response_attempts(response: *const connectly_response) -> u32 {
    // SAFETY: NULL or live, by the caller's contract.
    value(0, || unsafe { response.as_ref() }.map_or(0, |r| r.attempts))
}

/// The provider's trace id (`cntTraceId`) when the body carried one, else NULL (also when
/// `response` is NULL).
///
/// Owned by the response: valid until `connectly_response_free`; never free it. Thread-safe.
///
/// # Safety
/// `response` is NULL or a live `connectly_response`.
#[no_mangle]
pub unsafe extern "C" fn connectly_response_trace_id(
    response: *const connectly_response,
) -> *const c_char {
    // SAFETY: NULL or live, by the caller's contract.
    value(ptr::null(), || {
        unsafe { response.as_ref() }.map_or(ptr::null(), |r| text_ptr(r.trace_id.as_ref()))
    })
}

/// The `id` the reply's body carries as a string, else NULL (also when `response` is NULL): a
/// template send's message id (the id its delivery statuses name, as
/// `connectly_event_message_id` gives), a created webhook's id. The same id as the body's
/// `"id"` member, without parsing the JSON.
///
/// Owned by the response: valid until `connectly_response_free`; never free it. Thread-safe.
///
/// # Safety
/// `response` is NULL or a live `connectly_response`.
#[no_mangle]
pub unsafe extern "C" fn connectly_response_id(
    response: *const connectly_response,
) -> *const c_char {
    // SAFETY: NULL or live, by the caller's contract.
    value(ptr::null(), || {
        unsafe { response.as_ref() }.map_or(ptr::null(), |r| text_ptr(r.id.as_ref()))
    })
}

/// Frees a response and the strings it owns. NULL does nothing. Do not use the response, or
/// a string it gave, afterwards; free it once.
///
/// # Safety
/// `response` is NULL or a live `connectly_response` not used by another thread.
#[no_mangle]
pub unsafe extern "C" fn connectly_response_free(response: *mut connectly_response) {
    // SAFETY: NULL or a live handle freed once, by the caller's contract.
    value((), || unsafe { boundary::free(response) })
}
