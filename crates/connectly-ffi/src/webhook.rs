//! `connectly_webhook`: verifying, receiving and signing deliveries (the events they give
//! are in the `event` module).

use std::os::raw::c_char;
use std::ptr;
use std::time::Duration;

use super::boundary::{self, bytes, call, give, handle, out_ptr, value, Failure};
use super::event::connectly_event;
use super::status::connectly_status;
use sdk::{Refusal, Webhook, WebhookError};

/// The size of a buffer that holds any signature `connectly_webhook_sign` writes: 44 base64
/// characters and the terminating NUL.
pub const CONNECTLY_SIGNATURE_BUFFER_SIZE: usize = 45;

/// A prepared webhook verifier (opaque): one to eight secrets, their HMAC keys prepared once.
///
/// Nothing changes it after it is made, so one verifier may serve any number of threads at
/// once; `connectly_webhook_with_options` derives one with other settings.
/// Make it with `connectly_webhook_new`, free it with `connectly_webhook_free`.
pub struct connectly_webhook {
    webhook: Webhook,
}

/// The signature header argument: NULL (the header was absent) is `None`; text that is not
/// UTF-8 cannot be base64, so it is malformed.
///
/// # Safety
/// `signature` is NULL or NUL-terminated.
unsafe fn signature_arg<'a>(signature: *const c_char) -> Result<Option<&'a str>, Failure> {
    // SAFETY: forwarded to the caller.
    unsafe { boundary::optional_text(signature, "signature") }
        .map_err(|_| Failure::Webhook(WebhookError::MalformedSignature))
}

/// Verifies a delivery with one secret, in one call: `signature` (the
/// `x-connectly-hmac-sha256` header's value, NUL-terminated; NULL when the header was
/// absent) must be the HMAC-SHA256 of the raw `body` bytes keyed with `secret`, compared in
/// constant time.
///
/// `(NULL, 0)` is an empty secret or body; `(NULL, n > 0)` is `CONNECTLY_ERROR_NULL_ARGUMENT`.
/// Returns `CONNECTLY_OK`, or `CONNECTLY_ERROR_MISSING_SIGNATURE`, `_MALFORMED_SIGNATURE`,
/// `_INVALID_SIGNATURE`, `_PAYLOAD_TOO_LARGE` (over 5 MiB) or `_INVALID_SECRET` (empty).
/// Prepares the key on every call: for many deliveries use `connectly_webhook_new` and
/// `connectly_webhook_verify_signature`. Thread-safe; nothing is retained.
///
/// # Safety
/// `secret` and `body` are NULL or point to that many readable bytes; `signature` is NULL or
/// NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn connectly_webhook_verify(
    secret: *const u8,
    secret_len: usize,
    body: *const u8,
    body_len: usize,
    signature: *const c_char,
) -> connectly_status {
    call(|| {
        // SAFETY: NULL or `secret_len` bytes, by the caller's contract.
        let secret = unsafe { bytes(secret, secret_len, "secret") }?;
        // SAFETY: NULL or `body_len` bytes, by the caller's contract.
        let body = unsafe { bytes(body, body_len, "body") }?;
        // SAFETY: NULL or NUL-terminated, by the caller's contract.
        let signature = unsafe { signature_arg(signature) }?;
        Webhook::new(secret)?.verify(body, signature)?;
        Ok(())
    })
}

/// Settings of a verifier, given when it is made (`connectly_webhook_new_with_options`) or
/// derived (`connectly_webhook_with_options`), never changed on a verifier threads share.
/// Zero-initialise it for the defaults.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct connectly_webhook_options {
    /// The largest body verified (and, when receiving, read or decoded), in bytes; a larger
    /// one is `CONNECTLY_ERROR_PAYLOAD_TOO_LARGE`, refused before hashing. 0 selects the
    /// default, `CONNECTLY_DEFAULT_MAX_BODY_SIZE` (5 MiB).
    pub max_body_size: usize,
    /// Replay protection: when true, after the signature matched the body's `timestamp` must
    /// be within `tolerance_secs` seconds of the current time, either way, else
    /// `CONNECTLY_ERROR_TIMESTAMP_OUTSIDE_TOLERANCE` (and a signed body without a valid
    /// timestamp is `CONNECTLY_ERROR_INVALID_PAYLOAD`). Off by default.
    pub check_timestamp: bool,
    /// The tolerance in whole seconds, when `check_timestamp` is true.
    pub tolerance_secs: u64,
}

/// `webhook` with the settings of `options` (NULL: the defaults).
fn configured(webhook: Webhook, options: Option<&connectly_webhook_options>) -> Webhook {
    let options = options.copied().unwrap_or(connectly_webhook_options {
        max_body_size: 0,
        check_timestamp: false,
        tolerance_secs: 0,
    });
    let webhook = webhook.with_max_body_size(match options.max_body_size {
        0 => Webhook::DEFAULT_MAX_BODY_SIZE,
        size => size,
    });
    if options.check_timestamp {
        webhook.with_tolerance(Duration::from_secs(options.tolerance_secs))
    } else {
        webhook.without_tolerance()
    }
}

/// Makes a prepared verifier for `n_secrets` secrets, newest first (rotation: a signature
/// made with any of them verifies; signing uses the first), with the default settings (see
/// `connectly_webhook_new_with_options`). `secrets[i]` points to `secret_lens[i]` bytes.
///
/// Fewer than 1 or more than 8 secrets, or an empty one, is `CONNECTLY_ERROR_INVALID_SECRET`;
/// a NULL `secrets` or `secret_lens` with `n_secrets > 0`, a NULL secret with a non-zero
/// length, or a NULL `out` is `CONNECTLY_ERROR_NULL_ARGUMENT`. The bytes are copied. On
/// success writes the verifier to `*out` (free it with `connectly_webhook_free`); on failure
/// `*out` is not written. Thread-safe.
///
/// # Safety
/// `secrets` and `secret_lens` are NULL or point to `n_secrets` values, each secret NULL or
/// `secret_lens[i]` readable bytes; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn connectly_webhook_new(
    secrets: *const *const u8,
    secret_lens: *const usize,
    n_secrets: usize,
    out: *mut *mut connectly_webhook,
) -> connectly_status {
    // SAFETY: forwarded to the caller; NULL options are the defaults.
    unsafe { connectly_webhook_new_with_options(secrets, secret_lens, n_secrets, ptr::null(), out) }
}

/// Makes a prepared verifier as `connectly_webhook_new` does, with the settings in `options`
/// (NULL: the defaults). A verifier's settings never change: to change them, derive a new
/// verifier with `connectly_webhook_with_options`.
///
/// # Safety
/// As for `connectly_webhook_new`; `options` is NULL or readable.
#[no_mangle]
pub unsafe extern "C" fn connectly_webhook_new_with_options(
    secrets: *const *const u8,
    secret_lens: *const usize,
    n_secrets: usize,
    options: *const connectly_webhook_options,
    out: *mut *mut connectly_webhook,
) -> connectly_status {
    call(|| {
        out_ptr(out, "out")?;
        // Refused before the arrays are looked at, so a wild count is never read.
        if n_secrets > Webhook::MAX_SECRETS {
            return Err(WebhookError::InvalidSecret("more than 8 secrets were given").into());
        }
        // SAFETY: NULL or `n_secrets` pointers, by the caller's contract.
        let pointers = unsafe { boundary::array(secrets, n_secrets, "secrets") }?;
        // SAFETY: NULL or `n_secrets` lengths, by the caller's contract.
        let lens = unsafe { boundary::array(secret_lens, n_secrets, "secret_lens") }?;
        let mut keys = Vec::with_capacity(pointers.len());
        for (&pointer, &len) in pointers.iter().zip(lens) {
            // SAFETY: NULL or `len` bytes, by the caller's contract.
            keys.push(unsafe { bytes(pointer, len, "secrets[]") }?);
        }
        // SAFETY: NULL or readable, by the caller's contract.
        let options = unsafe { options.as_ref() };
        let webhook = configured(Webhook::with_secrets(keys)?, options);
        // SAFETY: `out` was checked non-NULL above.
        unsafe { give(out, connectly_webhook { webhook }) };
        Ok(())
    })
}

/// Derives a new verifier with the secrets of `webhook` and the settings in `options`
/// (NULL: the defaults), written to `*out` (free it with `connectly_webhook_free`).
/// `webhook` itself is not changed, so threads using it are not disturbed. A NULL `webhook`
/// or `out` is `CONNECTLY_ERROR_NULL_ARGUMENT`. Thread-safe.
///
/// # Safety
/// `webhook` is NULL or a live verifier; `options` is NULL or readable; `out` is NULL or
/// writable.
#[no_mangle]
pub unsafe extern "C" fn connectly_webhook_with_options(
    webhook: *const connectly_webhook,
    options: *const connectly_webhook_options,
    out: *mut *mut connectly_webhook,
) -> connectly_status {
    call(|| {
        // SAFETY: NULL or live, by the caller's contract.
        let base = unsafe { handle(webhook, "webhook") }?;
        out_ptr(out, "out")?;
        // SAFETY: NULL or readable, by the caller's contract.
        let options = unsafe { options.as_ref() };
        let webhook = configured(base.webhook.clone(), options);
        // SAFETY: `out` was checked non-NULL above.
        unsafe { give(out, connectly_webhook { webhook }) };
        Ok(())
    })
}

/// Verifies a delivery with a prepared verifier: `signature` (the `x-connectly-hmac-sha256`
/// header's value; NULL when the header was absent) against the raw `body` bytes, in
/// constant time, with every secret.
///
/// `(NULL, 0)` is an empty body; a NULL `webhook`, or a NULL `body` with a non-zero length, is
/// `CONNECTLY_ERROR_NULL_ARGUMENT`. Returns `CONNECTLY_OK` or the webhook statuses listed for
/// `connectly_webhook_verify` (and, with a tolerance set, `_TIMESTAMP_OUTSIDE_TOLERANCE` or
/// `_INVALID_PAYLOAD`). Does not allocate on success, and retains nothing: the caller keeps
/// `body` and `signature`. Thread-safe: any number of threads may verify with one verifier.
///
/// # Safety
/// `webhook` is NULL or a live verifier; `body` is NULL or `body_len` readable bytes;
/// `signature` is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn connectly_webhook_verify_signature(
    webhook: *const connectly_webhook,
    body: *const u8,
    body_len: usize,
    signature: *const c_char,
) -> connectly_status {
    call(|| {
        // SAFETY: NULL or live, by the caller's contract.
        let handle = unsafe { handle(webhook, "webhook") }?;
        // SAFETY: NULL or `body_len` bytes, by the caller's contract.
        let body = unsafe { bytes(body, body_len, "body") }?;
        // SAFETY: NULL or NUL-terminated, by the caller's contract.
        let signature = unsafe { signature_arg(signature) }?;
        handle.webhook.verify(body, signature)?;
        Ok(())
    })
}

/// Verifies a delivery exactly as `connectly_webhook_verify_signature` does, then, only once the
/// signature matched, parses it into an event written to `*out` (free it with
/// `connectly_event_free`).
///
/// A signed body that is not the expected JSON is `CONNECTLY_ERROR_INVALID_PAYLOAD` (also
/// when a field holds a NUL character, which a C string cannot carry). A NULL `out` is
/// `CONNECTLY_ERROR_NULL_ARGUMENT`. On failure `*out` is not written. Thread-safe.
///
/// # Safety
/// As for `connectly_webhook_verify_signature`; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn connectly_webhook_verify_event(
    webhook: *const connectly_webhook,
    body: *const u8,
    body_len: usize,
    signature: *const c_char,
    out: *mut *mut connectly_event,
) -> connectly_status {
    call(|| {
        // SAFETY: NULL or live, by the caller's contract.
        let handle = unsafe { handle(webhook, "webhook") }?;
        // SAFETY: NULL or `body_len` bytes, by the caller's contract.
        let body = unsafe { bytes(body, body_len, "body") }?;
        out_ptr(out, "out")?;
        // SAFETY: NULL or NUL-terminated, by the caller's contract.
        let signature = unsafe { signature_arg(signature) }?;
        let event = connectly_event::new(handle.webhook.verify_event(body, signature)?)?;
        // SAFETY: `out` was checked non-NULL above.
        unsafe { give(out, event) };
        Ok(())
    })
}

/// The checks a receiver makes before it reads a request's body: `method` must be `"POST"`
/// (else `CONNECTLY_ERROR_METHOD_NOT_ALLOWED`: answer 405 with `Allow: POST`), and
/// `content_length` (the declared `Content-Length`; -1 when the request has none) must not
/// exceed the verifier's body size limit (else `CONNECTLY_ERROR_PAYLOAD_TOO_LARGE`: 413).
/// Then read at most the limit plus one byte and pass them to `connectly_webhook_receive`.
///
/// When `http_status` is not NULL it is always written: 200 when admitted, else the status to
/// answer with (500 for a NULL `webhook` or `method`). Thread-safe.
///
/// # Safety
/// `webhook` is NULL or a live verifier; `method` is NULL or NUL-terminated; `http_status` is
/// NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn connectly_webhook_admit(
    webhook: *const connectly_webhook,
    method: *const c_char,
    content_length: i64,
    http_status: *mut u16,
) -> connectly_status {
    let (status, answer) = call_answering(|| {
        // SAFETY: NULL or live, by the caller's contract.
        let handle = unsafe { handle(webhook, "webhook") }?;
        // SAFETY: NULL or NUL-terminated, by the caller's contract.
        let method = unsafe { method_arg(method) }?;
        let declared = u64::try_from(content_length).ok();
        Ok(handle.webhook.admit(method, declared)?)
    });
    // SAFETY: NULL or writable, by the caller's contract.
    unsafe { write_status(http_status, answer) };
    status
}

/// Receives one delivery by the SDK's one policy (the README's receiving table): `method`
/// must be POST; the body (at most the limit: bigger is `_PAYLOAD_TOO_LARGE`) is decoded by
/// its `content_encoding` (NULL, `""` or `identity`: as is; `gzip` or `x-gzip`, any case:
/// every gzip member; anything else `CONNECTLY_ERROR_UNSUPPORTED_ENCODING`; broken gzip
/// `CONNECTLY_ERROR_MALFORMED_ENCODING`); the signature is verified over the decoded bytes
/// and only then is the event parsed and written to `*out` (free it with
/// `connectly_event_free`; its `connectly_event_body` is the decoded, signed bytes).
///
/// When `http_status` is not NULL it is always written: 200 on success, else the status to
/// answer the request with (405, 413, 415, 400 or 403; 500 for a failure of the call itself,
/// such as a NULL argument). A NULL `webhook`, `method` or `out`, or a NULL `body` with a
/// non-zero length, is `CONNECTLY_ERROR_NULL_ARGUMENT`. Thread-safe.
///
/// # Safety
/// `webhook` is NULL or a live verifier; `method`, `content_encoding` and `signature` are
/// NULL or NUL-terminated; `body` is NULL or `body_len` readable bytes; `out` and
/// `http_status` are NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn connectly_webhook_receive(
    webhook: *const connectly_webhook,
    method: *const c_char,
    content_encoding: *const c_char,
    body: *const u8,
    body_len: usize,
    signature: *const c_char,
    out: *mut *mut connectly_event,
    http_status: *mut u16,
) -> connectly_status {
    let (status, answer) = call_answering(|| {
        // SAFETY: NULL or live, by the caller's contract.
        let handle = unsafe { handle(webhook, "webhook") }?;
        // SAFETY: NULL or NUL-terminated, by the caller's contract.
        let method = unsafe { method_arg(method) }?;
        // SAFETY: NULL or `body_len` bytes, by the caller's contract.
        let body = unsafe { bytes(body, body_len, "body") }?;
        out_ptr(out, "out")?;
        handle.webhook.admit(method, None)?;
        // An encoding that is not UTF-8 is no encoding the policy knows.
        // SAFETY: NULL or NUL-terminated, by the caller's contract.
        let encoding = unsafe { boundary::optional_text(content_encoding, "content_encoding") }
            .map_err(|_| Refusal::UnsupportedEncoding)?;
        // A signature that is not UTF-8 cannot be base64: it goes on as text that is not
        // either, so the policy's order of checks (size before signature) still decides.
        // SAFETY: NULL or NUL-terminated, by the caller's contract.
        let signature =
            unsafe { boundary::optional_text(signature, "signature") }.unwrap_or(Some("\u{fffd}"));
        let event = handle.webhook.receive(method, encoding, body, signature)?;
        let event = connectly_event::new(event)?;
        // SAFETY: `out` was checked non-NULL above.
        unsafe { give(out, event) };
        Ok(())
    });
    // SAFETY: NULL or writable, by the caller's contract.
    unsafe { write_status(http_status, answer) };
    status
}

/// The request method: NULL is a NULL argument; a method that is not UTF-8 is not POST.
///
/// # Safety
/// `method` is NULL or NUL-terminated.
unsafe fn method_arg<'a>(method: *const c_char) -> Result<&'a str, Failure> {
    if method.is_null() {
        return Err(Failure::Null("method"));
    }
    // SAFETY: non-NULL and NUL-terminated, by the caller's contract.
    unsafe { boundary::text(method, "method") }.map_err(|_| Refusal::MethodNotAllowed.into())
}

/// Runs `body` at the boundary, as `call` does, and gives its status with the HTTP status
/// to answer the request with: 200 on success, a refusal's own status, 500 for a failure of
/// the call itself (a NULL argument, a caught panic).
fn call_answering(body: impl FnOnce() -> Result<(), Failure>) -> (connectly_status, u16) {
    let mut answer = 500;
    let status = call(|| {
        let result = body();
        answer = match &result {
            Ok(()) => 200,
            Err(Failure::Refusal(refusal)) => refusal.status(),
            Err(Failure::Webhook(error)) => error.kind().status(),
            Err(
                Failure::Null(_) | Failure::Invalid(_) | Failure::Core(_) | Failure::Internal(_),
            ) => 500,
        };
        result
    });
    (status, answer)
}

/// Writes `status` through `out` unless it is NULL.
///
/// # Safety
/// `out` is NULL or writable.
unsafe fn write_status(out: *mut u16, status: u16) {
    if !out.is_null() {
        // SAFETY: non-NULL and writable, by the caller's contract.
        unsafe { out.write(status) };
    }
}

/// Writes the signature Connectly would send for `body` (standard padded base64 of the
/// HMAC-SHA256 keyed with the first secret, 44 characters and a NUL) into `out`, which holds
/// `out_len` bytes and stays the caller's; for tests.
///
/// `out_len` below `CONNECTLY_SIGNATURE_BUFFER_SIZE` (45) is
/// `CONNECTLY_ERROR_INVALID_ARGUMENT`; a NULL `webhook` or `out`, or a NULL `body` with a
/// non-zero length, is `CONNECTLY_ERROR_NULL_ARGUMENT`; on failure `out` is not written.
/// Thread-safe.
///
/// # Safety
/// `webhook` is NULL or a live verifier; `body` is NULL or `body_len` readable bytes; `out`
/// is NULL or `out_len` writable bytes.
#[no_mangle]
pub unsafe extern "C" fn connectly_webhook_sign(
    webhook: *const connectly_webhook,
    body: *const u8,
    body_len: usize,
    out: *mut c_char,
    out_len: usize,
) -> connectly_status {
    call(|| {
        // SAFETY: NULL or live, by the caller's contract.
        let handle = unsafe { handle(webhook, "webhook") }?;
        // SAFETY: NULL or `body_len` bytes, by the caller's contract.
        let body = unsafe { bytes(body, body_len, "body") }?;
        out_ptr(out, "out")?;
        let signature = handle.webhook.sign(body);
        if out_len <= signature.len() {
            return Err(Failure::Invalid(format!(
                "`out` holds {out_len} bytes; a signature needs {CONNECTLY_SIGNATURE_BUFFER_SIZE}"
            )));
        }
        // SAFETY: `out` is non-NULL and holds `out_len > signature.len()` writable bytes, by
        // the caller's contract; the regions cannot overlap (`signature` is ours).
        unsafe {
            ptr::copy_nonoverlapping(signature.as_ptr(), out.cast::<u8>(), signature.len());
            out.add(signature.len()).write(0);
        }
        Ok(())
    })
}

/// Frees a verifier. NULL does nothing. No thread may use it during or after the call; free
/// it once.
///
/// # Safety
/// `webhook` is NULL or a live verifier no other thread is using.
#[no_mangle]
pub unsafe extern "C" fn connectly_webhook_free(webhook: *mut connectly_webhook) {
    // SAFETY: NULL or a live handle freed once, by the caller's contract.
    value((), || unsafe { boundary::free(webhook) })
}
