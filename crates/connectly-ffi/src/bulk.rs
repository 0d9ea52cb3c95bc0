//! `connectly_send_many`: many messages over the core's `Client::send_many` (bounded
//! concurrency, an optional rate limit, progress), and `connectly_batch`, their outcomes in
//! input order.

use std::ffi::c_void;
use std::os::raw::{c_char, c_uint};
use std::ptr;

use super::boundary::{self, call, give, handle, out_ptr, text as utf8, text_ptr, value, Failure};
use super::client::{connectly_client, connectly_template_param};
use super::interrupt::connectly_interrupt;
use super::last_error::connectly_error;
use super::message::connectly_message;
use super::response::connectly_response;
use super::status::connectly_status;
use super::template::connectly_template_message;
use sdk::{BulkOptions, Outgoing, Progress, Recipient};

/// What a `connectly_bulk_item` is: which of its fields are read.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum connectly_bulk_item_kind {
    /// A free-form text, as `connectly_send_text` sends: `channel`, `to` and `text`.
    CONNECTLY_BULK_TEXT = 0,
    /// A WhatsApp template, as `connectly_send_template` sends: `to` (the number),
    /// `template_name`, and `params`/`n_params`.
    CONNECTLY_BULK_TEMPLATE = 1,
    /// A session message of any kind, as `connectly_send_message` sends: `channel`, `to` and
    /// `message`.
    CONNECTLY_BULK_MESSAGE = 2,
    /// A template message with every field, as `connectly_send_template_message` sends:
    /// `template_message`.
    CONNECTLY_BULK_TEMPLATE_MESSAGE = 3,
}

/// An item kind as received from C, where any integer may arrive. Printed as
/// `connectly_bulk_item_kind` in the header; taking the raw integer keeps an out-of-range
/// value from being undefined behaviour on the Rust side.
#[repr(transparent)]
#[derive(Debug, Clone, Copy)]
pub struct BulkItemKindArg(pub c_uint);

/// One message for `connectly_send_many` (this struct was `connectly_message` in 0.1.0). The
/// strings and handles are read during the call only (the caller keeps them); the fields a
/// kind does not use are ignored and may be NULL. Strings are NUL-terminated UTF-8.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct connectly_bulk_item {
    /// `CONNECTLY_BULK_TEXT`, `_TEMPLATE`, `_MESSAGE` or `_TEMPLATE_MESSAGE`.
    pub kind: BulkItemKindArg,
    /// Text and message: the channel type, such as `"whatsapp"` or `"sms"`.
    pub channel: *const c_char,
    /// Text and message: the recipient (an E.164 number or a channel user id). Template: the
    /// recipient's E.164 number.
    pub to: *const c_char,
    /// Text: the message. Ignored for the other kinds.
    pub text: *const c_char,
    /// Template: the template's name. Ignored for the other kinds.
    pub template_name: *const c_char,
    /// Template: `n_params` parameters, sent in that order; `(NULL, 0)` is none. Ignored for
    /// the other kinds.
    pub params: *const connectly_template_param,
    /// Template: how many parameters `params` points to.
    pub n_params: usize,
    /// Message: the session message (only read: it stays the caller's).
    pub message: *const connectly_message,
    /// Template message: the template message (only read: it stays the caller's).
    pub template_message: *const connectly_template_message,
}

/// A progress callback for `connectly_send_many`: `done` messages of `total` are finished
/// (sent or failed), `failed` of them failed. `user` is `connectly_bulk_options.user`.
pub type connectly_progress_fn =
    Option<unsafe extern "C" fn(user: *mut c_void, done: usize, failed: usize, total: usize)>;

/// Options for `connectly_send_many`. Zero-initialise it for the defaults
/// (`connectly_bulk_options opts = {0};`), or pass NULL.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct connectly_bulk_options {
    /// How many messages may be in flight at once: 1 to 64 (larger values mean 64); 0 selects
    /// the default, 8.
    pub concurrency: usize,
    /// Start at most this many messages per second (Connectly documents 200 per second on the
    /// send endpoints); 0, a negative value or NaN means no limit. A positive rate below
    /// 0.01 (one message per 100 s) or an infinite one is refused: every message then fails
    /// with `CONNECTLY_ERROR_VALIDATION` and nothing is sent.
    pub rate_limit_per_second: f64,
    /// Called after each message finishes, or NULL. See `connectly_send_many` for the
    /// threads it is called from.
    pub progress: connectly_progress_fn,
    /// Passed to `progress` unchanged; the library never reads it.
    pub user: *mut c_void,
    /// A journal file (NUL-terminated path), or NULL: each message's outcome is recorded
    /// there, and the same call with the same messages and journal after a crash sends only
    /// what never left. A message confirmed by an earlier run comes back as its recorded
    /// response with `attempts` 0; one whose request may have reached the server fails with
    /// `CONNECTLY_ERROR_CANCELLED` and `connectly_error_possibly_sent` true, not sent again.
    /// A journal written for other messages fails every message with
    /// `CONNECTLY_ERROR_VALIDATION` (field `journal`).
    pub journal: *const c_char,
    /// A stop flag (see `connectly_interrupt_set`), or NULL for none, which a zeroed struct
    /// gives. Once it is set, from any thread, no new request is made, the requests in flight
    /// finish, and every message not started fails in its slot with
    /// `CONNECTLY_ERROR_CANCELLED` (`connectly_error_possibly_sent` false); set before the
    /// call, nothing is sent. Read when the call starts; the call keeps its own reference.
    pub interrupt: *const connectly_interrupt,
}

/// One message's outcome.
enum Outcome {
    Sent(connectly_response),
    Failed(connectly_status, connectly_error),
}

/// The outcomes of a `connectly_send_many` call (opaque), one per message in input order.
///
/// Immutable, so it may be read from any thread. Free it with `connectly_batch_free`;
/// responses and strings it gives are owned by it.
pub struct connectly_batch {
    outcomes: Vec<Outcome>,
}

/// The progress callback and its `user` pointer, moved to the sending threads.
#[derive(Clone, Copy)]
struct Callback {
    progress: unsafe extern "C" fn(*mut c_void, usize, usize, usize),
    user: *mut c_void,
}

// SAFETY: `connectly_send_many` documents that the callback is called from several threads,
// possibly at once, with this `user` pointer; making that safe is the caller's part of the
// contract. The library itself never dereferences `user`.
unsafe impl Send for Callback {}
// SAFETY: as above.
unsafe impl Sync for Callback {}

impl Callback {
    fn call(self, done: usize, failed: usize, total: usize) {
        // SAFETY: a valid function pointer, thread-safe with this `user`, by the caller's
        // contract.
        unsafe { (self.progress)(self.user, done, failed, total) }
    }
}

/// Reads one C item into a core message; a failure is that item's outcome.
///
/// # Safety
/// The item's pointers are NULL or valid as `connectly_bulk_item` documents.
unsafe fn item(raw: &connectly_bulk_item) -> Result<Outgoing, Failure> {
    const TEXT: c_uint = connectly_bulk_item_kind::CONNECTLY_BULK_TEXT as c_uint;
    const TEMPLATE: c_uint = connectly_bulk_item_kind::CONNECTLY_BULK_TEMPLATE as c_uint;
    const MESSAGE: c_uint = connectly_bulk_item_kind::CONNECTLY_BULK_MESSAGE as c_uint;
    const TEMPLATE_MESSAGE: c_uint =
        connectly_bulk_item_kind::CONNECTLY_BULK_TEMPLATE_MESSAGE as c_uint;
    match raw.kind.0 {
        TEXT => {
            // SAFETY: NULL or NUL-terminated, by the caller's contract.
            let channel = unsafe { utf8(raw.channel, "messages[].channel") }?;
            // SAFETY: as above.
            let to = unsafe { utf8(raw.to, "messages[].to") }?;
            // SAFETY: as above.
            let text = unsafe { utf8(raw.text, "messages[].text") }?;
            Ok(Outgoing::text(Recipient::new(channel, to), text))
        }
        TEMPLATE => {
            // SAFETY: NULL or NUL-terminated, by the caller's contract.
            let number = unsafe { utf8(raw.to, "messages[].to") }?;
            // SAFETY: as above.
            let name = unsafe { utf8(raw.template_name, "messages[].template_name") }?;
            // SAFETY: NULL or `n_params` parameters, by the caller's contract.
            let params = unsafe { boundary::array(raw.params, raw.n_params, "messages[].params") }?;
            let mut pairs = Vec::with_capacity(params.len());
            for param in params {
                // SAFETY: NULL or NUL-terminated, by the caller's contract.
                let key = unsafe { utf8(param.name, "messages[].params[].name") }?;
                // SAFETY: as above.
                let value = unsafe { utf8(param.value, "messages[].params[].value") }?;
                pairs.push((key.to_owned(), value.to_owned()));
            }
            Ok(Outgoing::template(number, name, pairs))
        }
        MESSAGE => {
            // SAFETY: NULL or NUL-terminated, by the caller's contract.
            let channel = unsafe { utf8(raw.channel, "messages[].channel") }?;
            // SAFETY: as above.
            let to = unsafe { utf8(raw.to, "messages[].to") }?;
            // SAFETY: NULL or a live message, by the caller's contract.
            let message = unsafe { handle(raw.message, "messages[].message") }?;
            Ok(Outgoing::message(
                message.recipient(channel, to),
                message.to_core()?,
            ))
        }
        TEMPLATE_MESSAGE => {
            // SAFETY: NULL or a live template message, by the caller's contract.
            let template = unsafe { handle(raw.template_message, "messages[].template_message") }?;
            Ok(Outgoing::Template(template.message.clone()))
        }
        other => Err(Failure::Invalid(format!(
            "`messages[].kind` is {other}: not a connectly_bulk_item_kind"
        ))),
    }
}

/// Sends `n` messages with the client's settings and retry rules, several at once, and
/// writes their outcomes, one per message in input order, to `*out` as a new batch (free it
/// with `connectly_batch_free`; on failure `*out` is not written).
///
/// Each message is sent once, exactly as `connectly_send_text`, `connectly_send_template`,
/// `connectly_send_message` or `connectly_send_template_message` would send it; one failing does not stop the rest. `CONNECTLY_OK` means the batch was
/// made, not that every message was sent: read each one's outcome with
/// `connectly_batch_status(batch, i)` and its response or error with the other
/// `connectly_batch_*` getters. A message that is itself unusable (a NULL or non-UTF-8 field
/// or handle it needs, an unknown `kind`, NULL `params` with `n_params > 0`) fails in its own
/// slot with `CONNECTLY_ERROR_NULL_ARGUMENT` or `CONNECTLY_ERROR_INVALID_ARGUMENT` and is not
/// sent; invalid content (an empty text, a bad number, a message with two contents) fails in
/// its slot with `CONNECTLY_ERROR_VALIDATION`, also unsent.
///
/// Stopping: with `options->interrupt`, `connectly_interrupt_set` (from any thread, a
/// progress callback included) stops the batch within about 50 ms: no new request is made,
/// the requests in flight finish with their real outcomes, and every message not started
/// fails in its slot with `CONNECTLY_ERROR_CANCELLED` and `connectly_error_possibly_sent`
/// false. Each message is still sent at most once. An interrupt already set when the call
/// starts sends nothing.
///
/// `options` is NULL for the defaults (8 in flight, no rate limit, no progress). A NULL
/// `client` or `out`, or a NULL `messages` with `n > 0`, is `CONNECTLY_ERROR_NULL_ARGUMENT`
/// and nothing is sent; `(NULL, 0)` gives an empty batch. Blocks until every message is
/// finished.
///
/// Progress: when `options->progress` is not NULL it is called one call at a time, `done`
/// one more each call, once per message sent, from the library's sending threads or the
/// calling thread; the unusable messages are counted as done and failed in a first call made
/// before anything is sent. The call with `done == total` is the last and carries the final
/// `failed` count. Every call has returned before
/// `connectly_send_many` returns. It may call other `connectly_*` functions (each thread has
/// its own last error), but must not free `client`; it must not unwind (no C++ exception or
/// `longjmp` out of it).
///
/// Thread-safe: any number of threads may call this, and the other send calls, on one
/// client.
///
/// # Safety
/// `client` is NULL or a live client; `messages` is NULL or points to `n` items whose
/// pointers are valid as `connectly_bulk_item` documents (handles live, and changed by no
/// thread during the call); `options` is NULL or points to
/// options whose `progress`, if not NULL, is a function safe to call as described above,
/// whose `journal` is NULL or NUL-terminated, and whose `interrupt` is NULL or a live
/// interrupt; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn connectly_send_many(
    client: *const connectly_client,
    messages: *const connectly_bulk_item,
    n: usize,
    options: *const connectly_bulk_options,
    out: *mut *mut connectly_batch,
) -> connectly_status {
    call(|| {
        // SAFETY: NULL or live, by the caller's contract.
        let client = unsafe { handle(client, "client") }?;
        out_ptr(out, "out")?;
        // SAFETY: NULL or `n` messages, by the caller's contract.
        let raw = unsafe { boundary::array(messages, n, "messages") }?;
        // SAFETY: NULL or readable options, by the caller's contract.
        let options = unsafe { options.as_ref() };

        // An unusable message is refused here, with its own status; the core counts it as
        // finished and failed from the start, and sends the rest.
        // SAFETY: each message's pointers are valid, by the caller's contract.
        let items: Vec<Result<Outgoing, Failure>> =
            raw.iter().map(|raw| unsafe { item(raw) }).collect();

        let mut bulk = BulkOptions::new();
        let mut sender = None;
        if let Some(options) = options {
            // SAFETY: NULL or a live interrupt, by the caller's contract.
            if let Some(interrupt) = unsafe { options.interrupt.as_ref() } {
                sender = Some(client.client.with_interrupt(interrupt.flag.clone()));
            }
            if options.concurrency > 0 {
                bulk = bulk.concurrency(options.concurrency);
            }
            // 0, a negative value and NaN mean no limit here, as documented; any other
            // value goes to the core, which refuses one it cannot pace.
            if options.rate_limit_per_second > 0.0 {
                bulk = bulk.rate_limit(options.rate_limit_per_second);
            }
            // SAFETY: NULL or NUL-terminated, by the caller's contract.
            if let Some(journal) = unsafe { boundary::optional_text(options.journal, "journal") }? {
                bulk = bulk.journal(journal);
            }
            if let Some(progress) = options.progress {
                let callback = Callback {
                    progress,
                    user: options.user,
                };
                bulk =
                    bulk.on_progress(move |p: Progress| callback.call(p.done, p.failed, p.total));
            }
        }

        let outcomes = sender
            .as_ref()
            .unwrap_or(&client.client)
            .send_prepared(items, &bulk)
            .into_iter()
            .map(|outcome| {
                let failure = match outcome {
                    Ok(Ok(response)) => return Outcome::Sent(connectly_response::new(&response)),
                    Ok(Err(error)) => Failure::Core(error),
                    Err(refused) => refused,
                };
                Outcome::Failed(failure.status(), connectly_error::new(&failure))
            })
            .collect();
        // SAFETY: `out` was checked non-NULL above.
        unsafe { give(out, connectly_batch { outcomes }) };
        Ok(())
    })
}

/// Reads outcome `index` of `batch`, or gives `default` when `batch` is NULL or `index` is
/// out of range.
///
/// # Safety
/// `batch` is NULL or a live batch.
unsafe fn outcome<T: Copy>(
    batch: *const connectly_batch,
    index: usize,
    default: T,
    get: impl FnOnce(&Outcome) -> T,
) -> T {
    value(default, || {
        // SAFETY: NULL or live, by the caller's contract.
        match unsafe { batch.as_ref() }.and_then(|b| b.outcomes.get(index)) {
            Some(outcome) => get(outcome),
            None => default,
        }
    })
}

/// Reads the error record of outcome `index`, or gives `default` when that message was sent
/// (or `batch` is NULL, or `index` out of range).
///
/// # Safety
/// `batch` is NULL or a live batch.
unsafe fn failure<T: Copy>(
    batch: *const connectly_batch,
    index: usize,
    default: T,
    get: impl FnOnce(&connectly_error) -> T,
) -> T {
    // SAFETY: forwarded to the caller.
    unsafe {
        outcome(batch, index, default, |o| match o {
            Outcome::Failed(_, record) => get(record),
            Outcome::Sent(_) => default,
        })
    }
}

/// How many outcomes `batch` holds: the `n` it was sent with. 0 when `batch` is NULL.
/// Thread-safe.
///
/// # Safety
/// `batch` is NULL or a live batch.
#[no_mangle]
pub unsafe extern "C" fn connectly_batch_len(batch: *const connectly_batch) -> usize {
    // SAFETY: NULL or live, by the caller's contract.
    value(0, || {
        unsafe { batch.as_ref() }.map_or(0, |b| b.outcomes.len())
    })
}

/// The outcome of message `index`: `CONNECTLY_OK` when it was sent, else what a single send
/// of it would have returned. `CONNECTLY_ERROR_NULL_ARGUMENT` when `batch` is NULL and
/// `CONNECTLY_ERROR_INVALID_ARGUMENT` when `index` is not below `connectly_batch_len`.
/// Reading an outcome does not change the thread's last error. Thread-safe.
///
/// # Safety
/// `batch` is NULL or a live batch.
#[no_mangle]
pub unsafe extern "C" fn connectly_batch_status(
    batch: *const connectly_batch,
    index: usize,
) -> connectly_status {
    if batch.is_null() {
        return connectly_status::CONNECTLY_ERROR_NULL_ARGUMENT;
    }
    // SAFETY: live, by the caller's contract.
    unsafe {
        outcome(
            batch,
            index,
            connectly_status::CONNECTLY_ERROR_INVALID_ARGUMENT,
            |o| match o {
                Outcome::Sent(_) => connectly_status::CONNECTLY_OK,
                Outcome::Failed(status, _) => *status,
            },
        )
    }
}

/// The response to message `index` when it was sent, else NULL (also when `batch` is NULL
/// or `index` is out of range). Read it with the `connectly_response_*` getters.
///
/// Owned by the batch: valid until `connectly_batch_free`; never pass it to
/// `connectly_response_free`. Thread-safe.
///
/// # Safety
/// `batch` is NULL or a live batch.
#[no_mangle]
pub unsafe extern "C" fn connectly_batch_response(
    batch: *const connectly_batch,
    index: usize,
) -> *const connectly_response {
    // SAFETY: forwarded to the caller.
    unsafe {
        outcome(batch, index, ptr::null(), |o| match o {
            Outcome::Sent(response) => response as *const connectly_response,
            Outcome::Failed(..) => ptr::null(),
        })
    }
}

/// The error message of message `index` (what `connectly_last_error_message` would have
/// said after a single send of it); `""` when it was sent; NULL when `batch` is NULL or
/// `index` is out of range. Never contains the API key.
///
/// Owned by the batch: valid until `connectly_batch_free`; never free it. Thread-safe.
///
/// # Safety
/// `batch` is NULL or a live batch.
#[no_mangle]
pub unsafe extern "C" fn connectly_batch_error_message(
    batch: *const connectly_batch,
    index: usize,
) -> *const c_char {
    const EMPTY: &str = "\0";
    // SAFETY: forwarded to the caller.
    unsafe {
        outcome(batch, index, ptr::null(), |o| match o {
            Outcome::Sent(_) => EMPTY.as_ptr().cast(),
            Outcome::Failed(_, record) => record.message.as_ptr(),
        })
    }
}

/// The HTTP status of message `index`'s error when the API answered (401, 429, 500, ...);
/// 0 otherwise (sent, no answer, NULL `batch`, `index` out of range). Thread-safe.
///
/// # Safety
/// `batch` is NULL or a live batch.
#[no_mangle]
pub unsafe extern "C" fn connectly_batch_error_http_status(
    batch: *const connectly_batch,
    index: usize,
) -> u16 {
    // SAFETY: forwarded to the caller.
    unsafe { failure(batch, index, 0, |r| r.http_status) }
}

/// The provider's error code of message `index`'s error, or NULL when the API did not answer
/// with one (or it was sent, or `batch` is NULL, or `index` is out of range).
///
/// Owned by the batch: valid until `connectly_batch_free`; never free it. Thread-safe.
///
/// # Safety
/// `batch` is NULL or a live batch.
#[no_mangle]
pub unsafe extern "C" fn connectly_batch_error_code(
    batch: *const connectly_batch,
    index: usize,
) -> *const c_char {
    // SAFETY: forwarded to the caller.
    unsafe { failure(batch, index, ptr::null(), |r| text_ptr(r.code.as_ref())) }
}

/// The provider's own error message of message `index`'s error, or NULL when the API did not
/// answer with one (or as for `connectly_batch_error_code`).
///
/// Owned by the batch: valid until `connectly_batch_free`; never free it. Thread-safe.
///
/// # Safety
/// `batch` is NULL or a live batch.
#[no_mangle]
pub unsafe extern "C" fn connectly_batch_error_api_message(
    batch: *const connectly_batch,
    index: usize,
) -> *const c_char {
    // SAFETY: forwarded to the caller.
    unsafe {
        failure(batch, index, ptr::null(), |r| {
            text_ptr(r.api_message.as_ref())
        })
    }
}

/// The provider's trace id (`cntTraceId`) of message `index`'s error, or NULL when there is
/// none (or as for `connectly_batch_error_code`). A sent message's trace id is its
/// response's: `connectly_response_trace_id(connectly_batch_response(batch, index))`.
///
/// Owned by the batch: valid until `connectly_batch_free`; never free it. Thread-safe.
///
/// # Safety
/// `batch` is NULL or a live batch.
#[no_mangle]
pub unsafe extern "C" fn connectly_batch_error_trace_id(
    batch: *const connectly_batch,
    index: usize,
) -> *const c_char {
    // SAFETY: forwarded to the caller.
    unsafe { failure(batch, index, ptr::null(), |r| text_ptr(r.trace_id.as_ref())) }
}

/// The input message `index`'s error refused, when it failed validation (the core's field
/// name, as `connectly_last_error_field` gives after a single send of it); NULL for any other
/// outcome (sent, another error, an unusable item), a NULL `batch` or an `index` out of range.
///
/// Owned by the batch: valid until `connectly_batch_free`; never free it. Thread-safe.
///
/// # Safety
/// `batch` is NULL or a live batch.
#[no_mangle]
pub unsafe extern "C" fn connectly_batch_error_field(
    batch: *const connectly_batch,
    index: usize,
) -> *const c_char {
    // SAFETY: forwarded to the caller.
    unsafe { failure(batch, index, ptr::null(), |r| text_ptr(r.field.as_ref())) }
}

/// How many attempts message `index` made before it failed; 0 when nothing was sent for it,
/// when it was sent (its response has `connectly_response_attempts`), when `batch` is NULL
/// or `index` is out of range. Thread-safe.
///
/// # Safety
/// `batch` is NULL or a live batch.
#[no_mangle]
pub unsafe extern "C" fn connectly_batch_error_attempts(
    batch: *const connectly_batch,
    index: usize,
) -> u32 {
    // SAFETY: forwarded to the caller.
    unsafe { failure(batch, index, 0, |r| r.attempts) }
}

/// For a message that failed with `CONNECTLY_ERROR_RATE_LIMITED`: how long the API asked to
/// wait, in milliseconds; -1 when it did not say, for any other outcome, a NULL `batch` or an
/// `index` out of range. Thread-safe.
///
/// # Safety
/// `batch` is NULL or a live batch.
#[no_mangle]
pub unsafe extern "C" fn connectly_batch_error_retry_after_ms(
    batch: *const connectly_batch,
    index: usize,
) -> i64 {
    // SAFETY: forwarded to the caller.
    unsafe { failure(batch, index, -1, |r| r.retry_after_ms) }
}

/// Message `index`'s error, read with the `connectly_error_*` getters: the same object as
/// `connectly_last_error()` gives; NULL when that message was sent, `batch` is NULL or
/// `index` is out of range. Borrowed: owned by the batch, valid until `connectly_batch_free`.
/// Thread-safe.
///
/// # Safety
/// `batch` is NULL or a live batch.
#[no_mangle]
pub unsafe extern "C" fn connectly_batch_error(
    batch: *const connectly_batch,
    index: usize,
) -> *const connectly_error {
    // SAFETY: forwarded to the caller.
    unsafe {
        outcome(batch, index, ptr::null(), |o| match o {
            Outcome::Failed(_, record) => record as *const connectly_error,
            Outcome::Sent(_) => ptr::null(),
        })
    }
}

/// Frees a batch, its responses and its strings. NULL does nothing. Do not use the batch, or
/// anything it gave, afterwards; free it once.
///
/// # Safety
/// `batch` is NULL or a live batch no other thread is using.
#[no_mangle]
pub unsafe extern "C" fn connectly_batch_free(batch: *mut connectly_batch) {
    // SAFETY: NULL or a live handle freed once, by the caller's contract.
    value((), || unsafe { boundary::free(batch) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use connectly_mock::MockServer;
    use std::ffi::{CStr, CString};
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Counts calls and remembers the final `failed` (from the call with `done == total`).
    struct Seen {
        calls: AtomicUsize,
        final_failed: AtomicUsize,
    }

    unsafe extern "C" fn on_progress(user: *mut c_void, done: usize, failed: usize, total: usize) {
        // SAFETY: `user` is the `Seen` the test passes, alive for the call.
        let seen = unsafe { &*user.cast::<Seen>() };
        seen.calls.fetch_add(1, Ordering::SeqCst);
        if done == total {
            seen.final_failed.store(failed, Ordering::SeqCst);
        }
    }

    #[test]
    fn outcomes_in_order_with_progress() {
        let mock = MockServer::start().unwrap();
        let client = connectly_client {
            client: sdk::Client::builder()
                .api_key(mock.api_key())
                .business_id(mock.business_id())
                .base_url(mock.url())
                .build()
                .unwrap(),
        };
        let channel = CString::new("whatsapp").unwrap();
        let to = CString::new("+15555555555").unwrap();
        let texts: Vec<CString> = (0..12)
            .map(|i| CString::new(if i == 4 { " ".into() } else { format!("m{i}") }).unwrap())
            .collect();
        let mut messages: Vec<connectly_bulk_item> = texts
            .iter()
            .map(|text| connectly_bulk_item {
                kind: BulkItemKindArg(0),
                channel: channel.as_ptr(),
                to: to.as_ptr(),
                text: text.as_ptr(),
                template_name: ptr::null(),
                params: ptr::null(),
                n_params: 0,
                message: ptr::null(),
                template_message: ptr::null(),
            })
            .collect();
        messages[9].kind = BulkItemKindArg(42);
        let seen = Seen {
            calls: AtomicUsize::new(0),
            final_failed: AtomicUsize::new(0),
        };
        let options = connectly_bulk_options {
            concurrency: 4,
            rate_limit_per_second: 0.0,
            progress: Some(on_progress),
            user: (&seen as *const Seen).cast_mut().cast(),
            journal: ptr::null(),
            interrupt: ptr::null(),
        };
        let mut batch: *mut connectly_batch = ptr::null_mut();
        // SAFETY: every pointer is live for the call; `on_progress` is thread-safe.
        let status = unsafe {
            connectly_send_many(
                &client,
                messages.as_ptr(),
                messages.len(),
                &options,
                &mut batch,
            )
        };
        assert_eq!(status, connectly_status::CONNECTLY_OK);
        // SAFETY: `batch` is live until freed below.
        unsafe {
            assert_eq!(connectly_batch_len(batch), 12);
            for i in 0..12 {
                let want = match i {
                    4 => connectly_status::CONNECTLY_ERROR_VALIDATION,
                    9 => connectly_status::CONNECTLY_ERROR_INVALID_ARGUMENT,
                    _ => connectly_status::CONNECTLY_OK,
                };
                assert_eq!(connectly_batch_status(batch, i), want, "message {i}");
                assert_eq!(
                    connectly_batch_response(batch, i).is_null(),
                    want != connectly_status::CONNECTLY_OK
                );
            }
            let message = CStr::from_ptr(connectly_batch_error_message(batch, 9));
            assert!(message.to_str().unwrap().contains("kind"));
            assert_eq!(
                connectly_batch_status(batch, 12),
                connectly_status::CONNECTLY_ERROR_INVALID_ARGUMENT
            );
            connectly_batch_free(batch);
        }
        assert_eq!(mock.request_count(), 10);
        // One report for the refused message, made first, then one per message sent.
        assert_eq!(seen.calls.load(Ordering::SeqCst), 12);
        assert_eq!(seen.final_failed.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn a_rate_the_core_cannot_pace_fails_each_message_and_sends_nothing() {
        let mock = MockServer::start().unwrap();
        let client = connectly_client {
            client: sdk::Client::builder()
                .api_key(mock.api_key())
                .business_id(mock.business_id())
                .base_url(mock.url())
                .build()
                .unwrap(),
        };
        let channel = CString::new("whatsapp").unwrap();
        let to = CString::new("+15555555555").unwrap();
        let text = CString::new("hi").unwrap();
        let message = connectly_bulk_item {
            kind: BulkItemKindArg(0),
            channel: channel.as_ptr(),
            to: to.as_ptr(),
            text: text.as_ptr(),
            template_name: ptr::null(),
            params: ptr::null(),
            n_params: 0,
            message: ptr::null(),
            template_message: ptr::null(),
        };
        let messages = [message; 3];
        let send = |rate: f64| {
            let options = connectly_bulk_options {
                concurrency: 0,
                rate_limit_per_second: rate,
                progress: None,
                user: ptr::null_mut(),
                journal: ptr::null(),
                interrupt: ptr::null(),
            };
            let mut batch: *mut connectly_batch = ptr::null_mut();
            // SAFETY: every pointer is live for the call.
            let status =
                unsafe { connectly_send_many(&client, messages.as_ptr(), 3, &options, &mut batch) };
            assert_eq!(status, connectly_status::CONNECTLY_OK, "rate {rate}");
            // SAFETY: `batch` is live until freed here.
            unsafe {
                let statuses: Vec<_> = (0..3).map(|i| connectly_batch_status(batch, i)).collect();
                connectly_batch_free(batch);
                statuses
            }
        };
        for rate in [1e-19, 1e-300, f64::INFINITY] {
            let statuses = send(rate);
            assert!(
                statuses
                    .iter()
                    .all(|s| *s == connectly_status::CONNECTLY_ERROR_VALIDATION),
                "rate {rate}: {statuses:?}"
            );
        }
        assert_eq!(mock.request_count(), 0);
        // 0, a negative value and NaN mean no limit, as documented.
        for rate in [0.0, -1.0, f64::NAN, 1000.0] {
            let statuses = send(rate);
            assert!(
                statuses
                    .iter()
                    .all(|s| *s == connectly_status::CONNECTLY_OK),
                "rate {rate}: {statuses:?}"
            );
        }
    }
}
