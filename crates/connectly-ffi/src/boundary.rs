//! The panic boundary every export runs inside, and the checked conversions of C arguments.

use std::ffi::{CStr, CString};
use std::fmt;
use std::os::raw::c_char;
use std::panic::{catch_unwind, AssertUnwindSafe};

use super::last_error;
use super::status::connectly_status;
use sdk::{Error, Refusal, WebhookError};

/// Why an export failed, before it becomes a status and a last-error message.
#[derive(Debug)]
pub(crate) enum Failure {
    /// A required pointer argument (named) was NULL.
    Null(&'static str),
    /// An argument was unusable; the text says which and why (never its value).
    Invalid(String),
    /// The core refused or failed the call.
    Core(Error),
    /// A webhook check failed.
    Webhook(WebhookError),
    /// A delivery was refused by the receiving policy.
    Refusal(Refusal),
    /// A panic was caught, or an impossible state met.
    Internal(&'static str),
}

impl Failure {
    pub(crate) fn status(&self) -> connectly_status {
        match self {
            Failure::Null(_) => connectly_status::CONNECTLY_ERROR_NULL_ARGUMENT,
            Failure::Invalid(_) => connectly_status::CONNECTLY_ERROR_INVALID_ARGUMENT,
            Failure::Core(error) => connectly_status::of_error(error),
            Failure::Webhook(error) => connectly_status::of_refusal_kind(error.kind()),
            Failure::Refusal(refusal) => connectly_status::of_refusal_kind(refusal.kind()),
            Failure::Internal(_) => connectly_status::CONNECTLY_ERROR_INTERNAL,
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Null(name) => write!(f, "`{name}` must not be NULL"),
            Failure::Invalid(reason) => f.write_str(reason),
            Failure::Core(error) => write!(f, "{error}"),
            Failure::Webhook(error) => write!(f, "{error}"),
            Failure::Refusal(refusal) => write!(f, "{refusal}"),
            Failure::Internal(what) => write!(f, "internal error: {what}"),
        }
    }
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Failure::Core(error)
    }
}

impl From<Refusal> for Failure {
    fn from(refusal: Refusal) -> Self {
        Failure::Refusal(refusal)
    }
}

impl From<WebhookError> for Failure {
    fn from(error: WebhookError) -> Self {
        Failure::Webhook(error)
    }
}

/// Runs a fallible export's body: catches any panic, records the outcome as the thread's last
/// error (cleared on success) and returns the status.
pub(crate) fn call(body: impl FnOnce() -> Result<(), Failure>) -> connectly_status {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => {
            last_error::clear();
            connectly_status::CONNECTLY_OK
        }
        Ok(Err(failure)) => last_error::set(failure),
        Err(payload) => {
            // Dropping the payload could itself panic; leak it instead (this is a bug path).
            std::mem::forget(payload);
            last_error::set(Failure::Internal(
                "a panic was caught at the C boundary; please report this bug",
            ))
        }
    }
}

/// Runs an infallible export's body (a getter, a free): any panic gives `default`.
pub(crate) fn value<T>(default: T, body: impl FnOnce() -> T) -> T {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(value) => value,
        Err(payload) => {
            std::mem::forget(payload);
            default
        }
    }
}

/// A NUL-terminated UTF-8 argument; NULL and invalid UTF-8 are refused.
///
/// # Safety
/// `ptr` is NULL or points to a NUL-terminated string that outlives `'a` and is not written
/// during the call.
pub(crate) unsafe fn text<'a>(ptr: *const c_char, name: &'static str) -> Result<&'a str, Failure> {
    // SAFETY: forwarded to the caller.
    unsafe { optional_text(ptr, name) }?.ok_or(Failure::Null(name))
}

/// Like [`text`], but NULL gives `None`.
///
/// # Safety
/// As for [`text`].
pub(crate) unsafe fn optional_text<'a>(
    ptr: *const c_char,
    name: &'static str,
) -> Result<Option<&'a str>, Failure> {
    if ptr.is_null() {
        return Ok(None);
    }
    // SAFETY: not NULL, and NUL-terminated and live for `'a` by the caller's contract.
    let text = unsafe { CStr::from_ptr(ptr) };
    text.to_str()
        .map(Some)
        .map_err(|_| Failure::Invalid(format!("`{name}` is not valid UTF-8")))
}

/// A JSON text argument, parsed by the core's one JSON-argument rule: NULL is refused as
/// `name`; text that is not JSON is the core's validation error for `field`.
///
/// # Safety
/// As for [`text`].
pub(crate) unsafe fn json(
    ptr: *const c_char,
    name: &'static str,
    field: &'static str,
) -> Result<serde_json::Value, Failure> {
    // SAFETY: forwarded to the caller.
    let text = unsafe { text(ptr, name) }?;
    sdk::json_argument(field, text).map_err(|e| Failure::Core(e.into()))
}

/// Like [`json`], but NULL gives `None`.
///
/// # Safety
/// As for [`text`].
pub(crate) unsafe fn optional_json(
    ptr: *const c_char,
    name: &'static str,
    field: &'static str,
) -> Result<Option<serde_json::Value>, Failure> {
    if ptr.is_null() {
        return Ok(None);
    }
    // SAFETY: forwarded to the caller.
    unsafe { json(ptr, name, field) }.map(Some)
}

/// A `(pointer, length)` byte argument: `(NULL, 0)` is empty, `(NULL, n > 0)` is refused.
///
/// # Safety
/// Unless NULL, `ptr` points to `len` readable bytes that outlive `'a` and are not written
/// during the call.
pub(crate) unsafe fn bytes<'a>(
    ptr: *const u8,
    len: usize,
    name: &'static str,
) -> Result<&'a [u8], Failure> {
    if ptr.is_null() {
        return if len == 0 {
            Ok(&[])
        } else {
            Err(Failure::Null(name))
        };
    }
    if isize::try_from(len).is_err() {
        return Err(Failure::Invalid(format!("`{name}` is longer than memory")));
    }
    // SAFETY: not NULL, `len` readable bytes by the caller's contract, `len <= isize::MAX`.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// A `(pointer, count)` array argument: `(NULL, 0)` is empty, `(NULL, n > 0)` is refused.
///
/// # Safety
/// Unless NULL, `ptr` points to `len` initialised values that outlive `'a`.
pub(crate) unsafe fn array<'a, T>(
    ptr: *const T,
    len: usize,
    name: &'static str,
) -> Result<&'a [T], Failure> {
    if ptr.is_null() {
        return if len == 0 {
            Ok(&[])
        } else {
            Err(Failure::Null(name))
        };
    }
    if len
        .checked_mul(std::mem::size_of::<T>())
        .and_then(|size| isize::try_from(size).ok())
        .is_none()
    {
        return Err(Failure::Invalid(format!("`{name}` is longer than memory")));
    }
    // SAFETY: not NULL, `len` values by the caller's contract, the size fits in `isize`.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// A handle argument; NULL is refused.
///
/// # Safety
/// `ptr` is NULL or a live handle of type `T` made by this library.
pub(crate) unsafe fn handle<'a, T>(ptr: *const T, name: &'static str) -> Result<&'a T, Failure> {
    // SAFETY: a live handle by the caller's contract.
    unsafe { ptr.as_ref() }.ok_or(Failure::Null(name))
}

/// A mutable handle argument; NULL is refused.
///
/// # Safety
/// `ptr` is NULL or a live handle of type `T` made by this library, used by no other thread
/// during the call.
pub(crate) unsafe fn handle_mut<'a, T>(
    ptr: *mut T,
    name: &'static str,
) -> Result<&'a mut T, Failure> {
    // SAFETY: a live handle, not shared during the call, by the caller's contract.
    unsafe { ptr.as_mut() }.ok_or(Failure::Null(name))
}

/// Runs a constructor at the boundary, as [`call`] does: the new handle, or NULL with the
/// thread's last error set.
pub(crate) fn construct<T>(body: impl FnOnce() -> Result<T, Failure>) -> *mut T {
    let mut made = std::ptr::null_mut();
    call(|| {
        made = Box::into_raw(Box::new(body()?));
        Ok(())
    });
    made
}

/// The pointer of an optional string a handle owns, NULL when absent: what a getter of an
/// optional text returns.
pub(crate) fn text_ptr(text: Option<&CString>) -> *const c_char {
    text.map_or(std::ptr::null(), |t| t.as_ptr())
}

/// Checks an output pointer before any work, so that a NULL one fails without side effects.
pub(crate) fn out_ptr<T>(out: *mut T, name: &'static str) -> Result<(), Failure> {
    if out.is_null() {
        Err(Failure::Null(name))
    } else {
        Ok(())
    }
}

/// Hands a new handle to C through a checked (non-NULL) output pointer.
///
/// # Safety
/// `out` is non-NULL (checked with [`out_ptr`]) and writable.
pub(crate) unsafe fn give<T>(out: *mut *mut T, value: T) {
    let raw = Box::into_raw(Box::new(value));
    // SAFETY: non-NULL and writable by the caller's contract.
    unsafe { out.write(raw) };
}

/// Frees a handle made by [`give`]; NULL does nothing.
///
/// # Safety
/// `ptr` is NULL or a handle of type `T` made by this library and not freed yet.
pub(crate) unsafe fn free<T>(ptr: *mut T) {
    if !ptr.is_null() {
        // SAFETY: a live handle from `Box::into_raw`, freed once, by the caller's contract.
        drop(unsafe { Box::from_raw(ptr) });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_the_internal_status() {
        let status = call(|| {
            #[allow(clippy::panic)]
            {
                panic!("boom")
            }
        });
        assert_eq!(status, connectly_status::CONNECTLY_ERROR_INTERNAL);
        // SAFETY: the message is a live NUL-terminated string.
        let message = unsafe { CStr::from_ptr(last_error::connectly_last_error_message()) };
        assert!(message.to_str().unwrap().contains("panic"));
        assert_eq!(value(7, || -> i32 { panic!("boom") }), 7);
        assert_eq!(call(|| Ok(())), connectly_status::CONNECTLY_OK);
        // SAFETY: as above.
        let message = unsafe { CStr::from_ptr(last_error::connectly_last_error_message()) };
        assert!(message.to_bytes().is_empty());
    }

    #[test]
    fn byte_and_text_arguments() {
        // SAFETY: NULL with a zero length is never read.
        assert_eq!(unsafe { bytes(std::ptr::null(), 0, "b") }.unwrap(), b"");
        // SAFETY: NULL with a length is refused before any read.
        assert!(matches!(
            unsafe { bytes(std::ptr::null(), 3, "b") },
            Err(Failure::Null("b"))
        ));
        let bad = b"\xff\0";
        // SAFETY: a NUL-terminated buffer.
        let r = unsafe { text(bad.as_ptr().cast(), "t") };
        assert!(matches!(r, Err(Failure::Invalid(_))));
    }
}
