//! `connectly_status_tracker`: the core's `StatusTracker`, so that out-of-order and repeated
//! delivery statuses never move a message backwards; and `connectly_string_free`.

use std::ffi::CString;
use std::os::raw::c_char;
use std::ptr;

use super::boundary::{self, call, handle, optional_text, text as utf8, value};
use super::status::connectly_status;
use sdk::{MessageStatus, StatusTracker};

/// The furthest delivery status seen per message id (opaque), kept in this process's memory.
/// Statuses rank sent < delivered < read < delivery_failed (final); a status the SDK does not
/// know is recorded only for a message with none yet.
///
/// Thread-safe: any number of threads may advance and read one tracker at once. Make it with
/// `connectly_status_tracker_new`, free it with `connectly_status_tracker_free` once no
/// thread uses it.
#[derive(Debug, Default)]
pub struct connectly_status_tracker {
    tracker: StatusTracker,
}

impl From<StatusTracker> for connectly_status_tracker {
    fn from(tracker: StatusTracker) -> Self {
        Self { tracker }
    }
}

/// Makes an empty tracker (free it with `connectly_status_tracker_free`). Never fails but
/// for lack of memory; NULL then. Does not change the thread's last error. Thread-safe.
#[no_mangle]
pub extern "C" fn connectly_status_tracker_new() -> *mut connectly_status_tracker {
    value(ptr::null_mut(), || {
        Box::into_raw(Box::new(connectly_status_tracker::default()))
    })
}

/// Records that message `message_id` reached `status` (as `connectly_event_status` gives it:
/// `"sent"`, `"delivered"`, `"read"`, `"delivery_failed"` or another), if that moves it
/// forward; writes whether it did to `*forward` when `forward` is not NULL. A status that is
/// late (`delivered` after `read`) or repeated is not news: false, nothing recorded.
///
/// A NULL `tracker`, `message_id` or `status` is `CONNECTLY_ERROR_NULL_ARGUMENT`, a string
/// that is not UTF-8 `CONNECTLY_ERROR_INVALID_ARGUMENT`; on failure nothing is recorded and
/// `*forward` is not written. The strings are copied. Thread-safe.
///
/// # Safety
/// `tracker` is NULL or a live tracker; the strings are NULL or NUL-terminated; `forward` is
/// NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn connectly_status_tracker_advance(
    tracker: *mut connectly_status_tracker,
    message_id: *const c_char,
    status: *const c_char,
    forward: *mut bool,
) -> connectly_status {
    call(|| {
        // SAFETY: NULL or live, by the caller's contract (shared use is safe: it locks).
        let tracker = unsafe { handle(tracker.cast_const(), "tracker") }?;
        // SAFETY: NULL or NUL-terminated, by the caller's contract.
        let id = unsafe { utf8(message_id, "message_id") }?;
        // SAFETY: as above.
        let status = unsafe { utf8(status, "status") }?;
        let moved = tracker.tracker.advance(id, &MessageStatus::parse(status));
        if !forward.is_null() {
            // SAFETY: non-NULL and writable, by the caller's contract.
            unsafe { forward.write(moved) };
        }
        Ok(())
    })
}

/// The furthest status seen for `message_id`, copied into a new string the caller owns (free
/// it with `connectly_string_free`); NULL when none was recorded, or when `tracker` or
/// `message_id` is NULL or `message_id` is not UTF-8. Does not change the thread's last
/// error. Thread-safe.
///
/// # Safety
/// `tracker` is NULL or a live tracker; `message_id` is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn connectly_status_tracker_status(
    tracker: *const connectly_status_tracker,
    message_id: *const c_char,
) -> *mut c_char {
    value(ptr::null_mut(), || {
        // SAFETY: NULL or live, by the caller's contract.
        let Some(tracker) = (unsafe { tracker.as_ref() }) else {
            return ptr::null_mut();
        };
        // SAFETY: NULL or NUL-terminated, by the caller's contract.
        let Ok(Some(id)) = (unsafe { optional_text(message_id, "message_id") }) else {
            return ptr::null_mut();
        };
        tracker
            .tracker
            .status(id)
            .and_then(|status| CString::new(status.as_str()).ok())
            .map_or(ptr::null_mut(), CString::into_raw)
    })
}

/// Frees a string the library gave the caller to own (`connectly_status_tracker_status`).
/// NULL does nothing. Never pass it a string a handle owns, or one from `malloc`; free each
/// once.
///
/// # Safety
/// `text` is NULL or a string from `connectly_status_tracker_status` not freed yet.
#[no_mangle]
pub unsafe extern "C" fn connectly_string_free(text: *mut c_char) {
    if !text.is_null() {
        // SAFETY: made by `CString::into_raw` and freed once, by the caller's contract.
        value((), || drop(unsafe { CString::from_raw(text) }));
    }
}

/// Frees a tracker and what it recorded. NULL does nothing. No thread may use it during or
/// after the call; free it once.
///
/// # Safety
/// `tracker` is NULL or a live tracker no other thread is using.
#[no_mangle]
pub unsafe extern "C" fn connectly_status_tracker_free(tracker: *mut connectly_status_tracker) {
    // SAFETY: NULL or a live handle freed once, by the caller's contract.
    value((), || unsafe { boundary::free(tracker) })
}
