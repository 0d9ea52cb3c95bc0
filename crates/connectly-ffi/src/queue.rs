//! `connectly_queue` and `connectly_completion`: the core's `CompletionQueue`, for C (in the
//! manner of libcurl's multi interface and librdkafka's queue events).

use std::collections::HashMap;
use std::os::raw::c_int;
use std::ptr;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use super::boundary::{self, call, construct, handle, value, Failure};
use super::campaign::connectly_campaign_result;
use super::last_error::connectly_error;
use super::manage::{connectly_template_list, connectly_webhook_list};
use super::operation::connectly_operation;
use super::response::connectly_response;
use super::status::connectly_status;
use sdk::{Completion, CompletionQueue, Error, Outcome, Ticket};

/// Where submitted operations complete (opaque). Make it with `connectly_queue_new`, submit
/// with `connectly_submit`, take completions with `connectly_queue_drain` (never blocks;
/// when `connectly_queue_fd` is readable) or `connectly_queue_wait`, and free it with
/// `connectly_queue_free`.
///
/// Every submission completes exactly once: finished, failed, or cancelled
/// (`CONNECTLY_ERROR_CANCELLED`). Thread-safe: any thread may submit, cancel, drain and wait
/// at once.
pub struct connectly_queue {
    queue: CompletionQueue,
    state: Mutex<State>,
}

/// The submissions whose completion C has not taken yet, by tag.
#[derive(Default)]
struct State {
    pending: HashMap<u64, Ticket>,
}

impl connectly_queue {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Hands `arrived` (at most `max`, taken so by the core's queue) to `out`, oldest
    /// first; returns how many.
    ///
    /// # Safety
    /// `out` points to `max` writable pointers, and `arrived` holds at most `max`.
    unsafe fn hand_out(
        &self,
        arrived: Vec<Completion>,
        out: *mut *mut connectly_completion,
    ) -> usize {
        if arrived.is_empty() {
            return 0;
        }
        // The lock only for the bookkeeping: converting the outcomes (copies and
        // allocations) would hold up submissions on other threads.
        {
            let mut state = self.lock();
            for completion in &arrived {
                state.pending.remove(&completion.tag);
            }
        }
        let written = arrived.len();
        for (index, completion) in arrived.into_iter().enumerate() {
            let made = connectly_completion::new(completion.tag, completion.result);
            // SAFETY: `index < arrived.len() <= max`, and `out` points to `max` pointers.
            unsafe { out.add(index).write(Box::into_raw(Box::new(made))) };
        }
        written
    }
}

impl Drop for connectly_queue {
    fn drop(&mut self) {
        for ticket in self.lock().pending.values() {
            ticket.cancel();
        }
    }
}

/// One finished submission (opaque): its tag and its outcome. Owned by the caller once
/// handed out: free it with `connectly_completion_free`. Immutable, so it may be read from
/// any thread; what its getters give is owned by it.
pub struct connectly_completion {
    tag: u64,
    status: connectly_status,
    response: Option<connectly_response>,
    webhooks: Option<connectly_webhook_list>,
    templates: Option<connectly_template_list>,
    campaign: Option<connectly_campaign_result>,
    error: Option<connectly_error>,
}

impl connectly_completion {
    pub(crate) fn new(tag: u64, result: Result<Outcome, Error>) -> Self {
        let mut made = Self {
            tag,
            status: connectly_status::CONNECTLY_OK,
            response: None,
            webhooks: None,
            templates: None,
            campaign: None,
            error: None,
        };
        match result {
            Ok(Outcome::Response(response)) => {
                made.response = Some(connectly_response::new(&response));
            }
            Ok(Outcome::Webhooks(list)) => made.webhooks = Some(connectly_webhook_list::new(&list)),
            Ok(Outcome::Templates(list)) => {
                made.templates = Some(connectly_template_list::new(&list));
            }
            Ok(Outcome::Campaign(result)) => {
                made.campaign = Some(connectly_campaign_result::new(&result));
            }
            Ok(_) => {
                made.status = connectly_status::CONNECTLY_ERROR_INTERNAL;
                made.error = Some(connectly_error::new(&Failure::Internal(
                    "an outcome this version of the C interface does not know",
                )));
            }
            Err(error) => {
                let failure = Failure::Core(error);
                made.status = failure.status();
                made.error = Some(connectly_error::new(&failure));
            }
        }
        made
    }
}

/// Makes an empty completion queue (free it with `connectly_queue_free`); NULL with the
/// thread's last error set when the system refuses its descriptor (`CONNECTLY_ERROR_CONFIG`).
/// Thread-safe.
#[no_mangle]
pub extern "C" fn connectly_queue_new() -> *mut connectly_queue {
    construct(|| {
        let queue = CompletionQueue::new().map_err(|e| {
            Failure::Core(Error::Config(format!(
                "the completion queue's descriptor could not be made: {e}"
            )))
        })?;
        Ok(connectly_queue {
            queue,
            state: Mutex::new(State::default()),
        })
    })
}

/// Frees a queue. What is still in flight is cancelled (a request not yet written is never
/// sent; one in flight is abandoned); their completions, and those not taken yet, are
/// freed by the library, never handed out. Completions already taken stay the caller's.
/// NULL does nothing. No thread may use the queue during or after the call; free it once.
///
/// # Safety
/// `queue` is NULL or a live queue no other thread is using.
#[no_mangle]
pub unsafe extern "C" fn connectly_queue_free(queue: *mut connectly_queue) {
    // SAFETY: NULL or a live handle freed once, by the caller's contract.
    value((), || unsafe { boundary::free(queue) })
}

/// A descriptor that is readable while completions wait (Unix): wait for it with `poll`,
/// `epoll`, `kqueue` or an event loop, then call `connectly_queue_drain`. Never read, write
/// or close it: it is the queue's. -1 when `queue` is NULL, and on systems without one (use
/// `connectly_queue_wait` there). Thread-safe.
///
/// It stays readable while any completion waits, also after a drain that took only `max`
/// of them.
///
/// # Safety
/// `queue` is NULL or a live queue.
#[no_mangle]
pub unsafe extern "C" fn connectly_queue_fd(queue: *const connectly_queue) -> c_int {
    value(-1, || {
        // SAFETY: NULL or live, by the caller's contract.
        unsafe { queue.as_ref() }.map_or(-1, |queue| descriptor(&queue.queue))
    })
}

#[cfg(unix)]
fn descriptor(queue: &CompletionQueue) -> c_int {
    queue.fd()
}

#[cfg(not(unix))]
fn descriptor(_: &CompletionQueue) -> c_int {
    -1
}

/// Takes up to `max` completions that are waiting now, oldest first, and writes them to
/// `out[0..n]`; returns `n`. Never blocks. Each written completion is the caller's: free it
/// with `connectly_completion_free`. 0 when none wait, and when `queue` is NULL or `out` is
/// NULL. Thread-safe (completions are handed to one caller each).
///
/// # Safety
/// `queue` is NULL or a live queue; `out` is NULL or points to `max` writable pointers.
#[no_mangle]
pub unsafe extern "C" fn connectly_queue_drain(
    queue: *mut connectly_queue,
    out: *mut *mut connectly_completion,
    max: usize,
) -> usize {
    value(0, || {
        // SAFETY: NULL or live, by the caller's contract.
        match unsafe { queue.as_ref() } {
            // SAFETY: `out` points to `max` writable pointers, by the caller's contract.
            Some(queue) if !out.is_null() => unsafe {
                queue.hand_out(queue.queue.drain_up_to(max), out)
            },
            _ => 0,
        }
    })
}

/// Like `connectly_queue_drain`, but when no completion waits, first waits up to
/// `timeout_ms` milliseconds for one (0: does not wait). Returns how many were written: 0
/// when none arrived in time, and when `queue` or `out` is NULL or `max` is 0. Thread-safe.
///
/// # Safety
/// `queue` is NULL or a live queue; `out` is NULL or points to `max` writable pointers.
#[no_mangle]
pub unsafe extern "C" fn connectly_queue_wait(
    queue: *mut connectly_queue,
    timeout_ms: u32,
    out: *mut *mut connectly_completion,
    max: usize,
) -> usize {
    value(0, || {
        // SAFETY: NULL or live, by the caller's contract.
        let Some(queue) = (unsafe { queue.as_ref() }) else {
            return 0;
        };
        if out.is_null() || max == 0 {
            return 0;
        }
        // SAFETY: `out` points to `max` writable pointers, by the caller's contract.
        let arrived = queue
            .queue
            .wait_up_to(Duration::from_millis(u64::from(timeout_ms)), max);
        // SAFETY: `out` points to `max` writable pointers, by the caller's contract.
        unsafe { queue.hand_out(arrived, out) }
    })
}

/// Starts `operation` on its client's threads; it completes into `queue` with `tag`
/// (exactly once, see `connectly_queue`). Never blocks on the network.
///
/// On success the queue owns the operation: do not use or free it afterwards. On failure
/// nothing was queued and the operation stays the caller's, unchanged: a NULL `queue` or
/// `operation` is `CONNECTLY_ERROR_NULL_ARGUMENT`; a `tag` already used by a submission of
/// this queue whose completion has not been taken yet is `CONNECTLY_ERROR_INVALID_ARGUMENT`
/// (tags name submissions for `connectly_cancel`). Inputs were checked when the operation was
/// built. Thread-safe.
///
/// Freeing the operation's client does not stop the submission: it completes as usual.
///
/// # Safety
/// `queue` is NULL or a live queue; `operation` is NULL or a live operation no other thread
/// uses.
#[no_mangle]
pub unsafe extern "C" fn connectly_submit(
    queue: *mut connectly_queue,
    operation: *mut connectly_operation,
    tag: u64,
) -> connectly_status {
    call(|| {
        // SAFETY: NULL or live, by the caller's contract.
        let queue = unsafe { handle(queue, "queue") }?;
        // SAFETY: as above.
        unsafe { handle(operation, "operation") }?;
        let mut state = queue.lock();
        if state.pending.contains_key(&tag) {
            return Err(Failure::Invalid(format!(
                "tag {tag} names a submission of this queue whose completion has not been taken"
            )));
        }
        // SAFETY: a live operation made by `Box::into_raw`, not used elsewhere, by the
        // caller's contract; taken over here.
        let operation = unsafe { Box::from_raw(operation) };
        let ticket = queue
            .queue
            .submit(&operation.client, operation.operation, tag);
        state.pending.insert(tag, ticket);
        Ok(())
    })
}

/// Cancels the submission `tag` of `queue`: a request not yet written is never sent; one in
/// flight is abandoned and its connection closed (the server may have received it). It
/// completes, once, with `CONNECTLY_ERROR_CANCELLED`, unless it had already finished (then
/// its completion keeps its outcome). Never blocks.
///
/// Returns `CONNECTLY_OK` when `tag` names a submission whose completion has not been taken
/// yet (also when it had finished, and when cancelled before);
/// `CONNECTLY_ERROR_INVALID_ARGUMENT` for a tag never submitted to this queue or whose
/// completion was already taken; `CONNECTLY_ERROR_NULL_ARGUMENT` for a NULL `queue`.
/// Thread-safe.
///
/// # Safety
/// `queue` is NULL or a live queue.
#[no_mangle]
pub unsafe extern "C" fn connectly_cancel(
    queue: *mut connectly_queue,
    tag: u64,
) -> connectly_status {
    call(|| {
        // SAFETY: NULL or live, by the caller's contract.
        let queue = unsafe { handle(queue, "queue") }?;
        let state = queue.lock();
        let ticket = state.pending.get(&tag).ok_or_else(|| {
            Failure::Invalid(format!(
                "tag {tag} names no submission of this queue whose completion is still to take"
            ))
        })?;
        ticket.cancel();
        Ok(())
    })
}

/// Reads a completion: `f`'s answer, or `default` when `completion` is NULL.
///
/// # Safety
/// `completion` is NULL or a live completion.
unsafe fn read<T: Copy>(
    completion: *const connectly_completion,
    default: T,
    f: impl FnOnce(&connectly_completion) -> T,
) -> T {
    value(default, || {
        // SAFETY: NULL or live, by the caller's contract.
        unsafe { completion.as_ref() }.map_or(default, f)
    })
}

/// The pointer to an optional part of a completion, NULL when absent.
fn part<T>(part: &Option<T>) -> *const T {
    part.as_ref().map_or(ptr::null(), |p| p as *const T)
}

/// The tag the completion's operation was submitted with (0 for `connectly_perform`'s, and
/// when `completion` is NULL). Thread-safe.
///
/// # Safety
/// `completion` is NULL or a live completion.
#[no_mangle]
pub unsafe extern "C" fn connectly_completion_tag(completion: *const connectly_completion) -> u64 {
    // SAFETY: forwarded to the caller.
    unsafe { read(completion, 0, |c| c.tag) }
}

/// The outcome's status: `CONNECTLY_OK`, or the failure's (`CONNECTLY_ERROR_CANCELLED` when
/// it was cancelled, or its queue freed first); `CONNECTLY_ERROR_NULL_ARGUMENT` when
/// `completion` is NULL. Thread-safe.
///
/// # Safety
/// `completion` is NULL or a live completion.
#[no_mangle]
pub unsafe extern "C" fn connectly_completion_status(
    completion: *const connectly_completion,
) -> connectly_status {
    // SAFETY: forwarded to the caller.
    unsafe {
        read(
            completion,
            connectly_status::CONNECTLY_ERROR_NULL_ARGUMENT,
            |c| c.status,
        )
    }
}

/// The API's reply, for a send, a webhook change and a campaign (the campaign result's
/// response); NULL for a list, a failure, and when `completion` is NULL. Borrowed: owned by
/// the completion; never pass it to `connectly_response_free`. Thread-safe.
///
/// # Safety
/// `completion` is NULL or a live completion.
#[no_mangle]
pub unsafe extern "C" fn connectly_completion_response(
    completion: *const connectly_completion,
) -> *const connectly_response {
    // SAFETY: forwarded to the caller.
    unsafe {
        read(completion, ptr::null(), |c| match &c.campaign {
            Some(campaign) => campaign.response(),
            None => part(&c.response),
        })
    }
}

/// The registrations a `connectly_operation_list_webhooks` got; NULL for any other
/// operation, a failure, and when `completion` is NULL. Borrowed: owned by the completion;
/// never pass it to `connectly_webhook_list_free`. Thread-safe.
///
/// # Safety
/// `completion` is NULL or a live completion.
#[no_mangle]
pub unsafe extern "C" fn connectly_completion_webhooks(
    completion: *const connectly_completion,
) -> *const connectly_webhook_list {
    // SAFETY: forwarded to the caller.
    unsafe { read(completion, ptr::null(), |c| part(&c.webhooks)) }
}

/// The templates a `connectly_operation_list_templates` got; NULL for any other operation,
/// a failure, and when `completion` is NULL. Borrowed: owned by the completion; never pass
/// it to `connectly_template_list_free`. Thread-safe.
///
/// # Safety
/// `completion` is NULL or a live completion.
#[no_mangle]
pub unsafe extern "C" fn connectly_completion_templates(
    completion: *const connectly_completion,
) -> *const connectly_template_list {
    // SAFETY: forwarded to the caller.
    unsafe { read(completion, ptr::null(), |c| part(&c.templates)) }
}

/// What a `connectly_operation_send_campaign` got back; NULL for any other operation, a
/// failure, and when `completion` is NULL. Borrowed: owned by the completion; never pass it
/// to `connectly_campaign_result_free`. Thread-safe.
///
/// # Safety
/// `completion` is NULL or a live completion.
#[no_mangle]
pub unsafe extern "C" fn connectly_completion_campaign(
    completion: *const connectly_completion,
) -> *const connectly_campaign_result {
    // SAFETY: forwarded to the caller.
    unsafe { read(completion, ptr::null(), |c| part(&c.campaign)) }
}

/// The failure, read with the `connectly_error_*` getters (the same object as
/// `connectly_last_error()` gives); NULL on success and when `completion` is NULL.
/// Borrowed: owned by the completion. Thread-safe.
///
/// # Safety
/// `completion` is NULL or a live completion.
#[no_mangle]
pub unsafe extern "C" fn connectly_completion_error(
    completion: *const connectly_completion,
) -> *const connectly_error {
    // SAFETY: forwarded to the caller.
    unsafe { read(completion, ptr::null(), |c| part(&c.error)) }
}

/// Frees a completion and everything it owns. NULL does nothing; free it once.
///
/// # Safety
/// `completion` is NULL or a live completion no other thread is using.
#[no_mangle]
pub unsafe extern "C" fn connectly_completion_free(completion: *mut connectly_completion) {
    // SAFETY: NULL or a live handle freed once, by the caller's contract.
    value((), || unsafe { boundary::free(completion) })
}
