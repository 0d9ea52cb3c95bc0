//! What a fleet shares, for C: `connectly_rate_limiter` (a send budget, given to clients in
//! `connectly_client_options`), `connectly_deduplicator` (deliveries handled once) and the
//! Redis status store of `connectly_status_tracker_new_redis`.

use std::os::raw::c_char;
use std::sync::Arc;

use super::boundary::{self, call, give, handle, out_ptr, value, Failure};
use super::event::connectly_event;
use super::status::connectly_status;
use super::tracker::connectly_status_tracker;
use sdk::{
    admit_key, Admission, Claim, DedupTtls, Deduplicator, LocalRateLimiter, MemoryDeduplicator,
    RateLimiter, RedisDeduplicator, RedisRateLimiter, RedisStatusStore, StatusTracker,
};

/// A send budget (opaque): every send request of the clients given it
/// (`connectly_client_options.rate_limiter`) waits its turn in it. Clients keep what they
/// need: free it with `connectly_rate_limiter_free` whenever you like. Thread-safe.
pub struct connectly_rate_limiter {
    pub(crate) limiter: Arc<dyn RateLimiter>,
}

/// Makes a budget for this process: `per_second` sends (at least 0.01) with `burst` of them
/// at once (0: the default, 20 or the rate when smaller). Invalid values are
/// `CONNECTLY_ERROR_VALIDATION`. Free it with `connectly_rate_limiter_free`. Thread-safe.
///
/// # Safety
/// `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn connectly_rate_limiter_new_local(
    per_second: f64,
    burst: u32,
    out: *mut *mut connectly_rate_limiter,
) -> connectly_status {
    call(|| {
        out_ptr(out, "out")?;
        let limiter = if burst == 0 {
            LocalRateLimiter::new(per_second)
        } else {
            LocalRateLimiter::with_burst(per_second, burst)
        }
        .map_err(|e| Failure::Core(e.into()))?;
        // SAFETY: checked non-NULL above; writable by the caller's contract.
        unsafe {
            give(
                out,
                connectly_rate_limiter {
                    limiter: Arc::new(limiter),
                },
            )
        };
        Ok(())
    })
}

/// Makes a budget shared through the Redis at `url` (`redis://[:password@]host:port/db`) by
/// every process using it with the same rate: `per_second` sends, `burst` at once (0: the
/// default), and while Redis does not answer, `fallback_share` of the rate per process (0:
/// the default, a quarter). Nothing is connected yet; an unusable URL is
/// `CONNECTLY_ERROR_CONFIG` (its text never quotes the URL). Thread-safe.
///
/// # Safety
/// `url` is NULL or NUL-terminated; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn connectly_rate_limiter_new_redis(
    url: *const c_char,
    per_second: f64,
    burst: u32,
    fallback_share: f64,
    out: *mut *mut connectly_rate_limiter,
) -> connectly_status {
    call(|| {
        // SAFETY: NULL or NUL-terminated, by the caller's contract.
        let url = unsafe { boundary::text(url, "url") }?;
        out_ptr(out, "out")?;
        let mut limiter = RedisRateLimiter::new(url, per_second).map_err(Failure::Core)?;
        if burst > 0 {
            limiter = limiter.burst(burst).map_err(Failure::Core)?;
        }
        if fallback_share != 0.0 {
            limiter = limiter
                .fallback_share(fallback_share)
                .map_err(Failure::Core)?;
        }
        // SAFETY: checked non-NULL above; writable by the caller's contract.
        unsafe {
            give(
                out,
                connectly_rate_limiter {
                    limiter: Arc::new(limiter),
                },
            )
        };
        Ok(())
    })
}

/// Frees a budget; the clients made with it keep using it. NULL does nothing.
///
/// # Safety
/// `limiter` is NULL or a live budget, freed once.
#[no_mangle]
pub unsafe extern "C" fn connectly_rate_limiter_free(limiter: *mut connectly_rate_limiter) {
    // SAFETY: forwarded to the caller.
    value((), || unsafe { boundary::free(limiter) })
}

/// Where handled deliveries are claimed (opaque): this process's memory or a Redis shared by
/// a fleet. Thread-safe. Free it with `connectly_deduplicator_free` once no thread uses it
/// (claims keep what they need).
pub struct connectly_deduplicator {
    store: Arc<dyn Deduplicator>,
}

/// Makes a store in this process's memory holding at most `capacity` deliveries (0: the
/// default, 100,000). Never fails but for lack of memory; NULL then. Thread-safe.
#[no_mangle]
pub extern "C" fn connectly_deduplicator_new_memory(
    capacity: usize,
) -> *mut connectly_deduplicator {
    value(std::ptr::null_mut(), || {
        let store = if capacity == 0 {
            MemoryDeduplicator::default()
        } else {
            MemoryDeduplicator::new(capacity)
        };
        Box::into_raw(Box::new(connectly_deduplicator {
            store: Arc::new(store),
        }))
    })
}

/// Makes a store in the Redis at `url`, shared by every receiver using it. Nothing is
/// connected yet; an unusable URL is `CONNECTLY_ERROR_CONFIG`. Thread-safe.
///
/// # Safety
/// `url` is NULL or NUL-terminated; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn connectly_deduplicator_new_redis(
    url: *const c_char,
    out: *mut *mut connectly_deduplicator,
) -> connectly_status {
    call(|| {
        // SAFETY: NULL or NUL-terminated, by the caller's contract.
        let url = unsafe { boundary::text(url, "url") }?;
        out_ptr(out, "out")?;
        let store = RedisDeduplicator::new(url).map_err(Failure::Core)?;
        // SAFETY: checked non-NULL above; writable by the caller's contract.
        unsafe {
            give(
                out,
                connectly_deduplicator {
                    store: Arc::new(store),
                },
            )
        };
        Ok(())
    })
}

/// Frees a store. NULL does nothing.
///
/// # Safety
/// `deduplicator` is NULL or a live store that no thread uses, freed once.
#[no_mangle]
pub unsafe extern "C" fn connectly_deduplicator_free(deduplicator: *mut connectly_deduplicator) {
    // SAFETY: forwarded to the caller.
    value((), || unsafe { boundary::free(deduplicator) })
}

/// A claimed delivery (opaque): run its handler, then `connectly_claim_complete` it; if the
/// handler failed, `connectly_claim_release` it (so Connectly's retry runs it again). Either
/// frees it.
pub struct connectly_claim {
    claim: Claim,
}

/// Claims `event` before its handler runs. On `CONNECTLY_OK`, `*http_status` is 0 and
/// `*claim` a claim when the handler should run; otherwise `*claim` is NULL and
/// `*http_status` what to answer without running it: 409 while another copy is handled
/// (Connectly retries it later), 200 once it was handled. A store that does not answer is
/// `CONNECTLY_ERROR_TRANSPORT`: answer 503, so the delivery is retried. Thread-safe.
///
/// # Safety
/// `deduplicator` and `event` are NULL or live; `claim` and `http_status` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn connectly_dedup_admit(
    deduplicator: *const connectly_deduplicator,
    event: *const connectly_event,
    claim: *mut *mut connectly_claim,
    http_status: *mut u16,
) -> connectly_status {
    call(|| {
        // SAFETY: NULL or live, by the caller's contract.
        let store = unsafe { handle(deduplicator, "deduplicator") }?;
        // SAFETY: as above.
        let event = unsafe { handle(event, "event") }?;
        out_ptr(claim, "claim")?;
        out_ptr(http_status, "http_status")?;
        let admission = admit_key(
            &store.store,
            event.delivery_key.clone(),
            DedupTtls::default(),
        )
        .map_err(Failure::Core)?;
        let (made, status) = match admission {
            Admission::Run(made) => (Box::into_raw(Box::new(connectly_claim { claim: made })), 0),
            Admission::InProgress(status) | Admission::Duplicate(status) => {
                (std::ptr::null_mut(), status)
            }
        };
        // SAFETY: both checked non-NULL above; writable by the caller's contract.
        unsafe {
            claim.write(made);
            http_status.write(status);
        }
        Ok(())
    })
}

/// The handler succeeded: marks the delivery handled (copies are answered 200 without
/// running) and frees the claim. A store that does not answer is `CONNECTLY_ERROR_TRANSPORT`
/// (the claim is freed all the same; it expires). NULL is `CONNECTLY_ERROR_NULL_ARGUMENT`.
///
/// # Safety
/// `claim` is NULL or a live claim, not used after this call.
#[no_mangle]
pub unsafe extern "C" fn connectly_claim_complete(claim: *mut connectly_claim) -> connectly_status {
    call(|| {
        if claim.is_null() {
            return Err(Failure::Null("claim"));
        }
        // SAFETY: live and owned by the caller, who gives it up here.
        let claim = unsafe { Box::from_raw(claim) };
        claim.claim.complete().map_err(Failure::Core)
    })
}

/// Ends the claim by the handler's answer, `http_status` (0: it wrote none): completed when
/// that is 2xx or none (copies are answered 200 without running), released otherwise (the
/// retry runs it again); frees the claim. A handler that crashed: `connectly_claim_release`.
/// A store that does not answer is `CONNECTLY_ERROR_TRANSPORT` (the claim is freed all the
/// same; it expires). NULL is `CONNECTLY_ERROR_NULL_ARGUMENT`.
///
/// # Safety
/// `claim` is NULL or a live claim, not used after this call.
#[no_mangle]
pub unsafe extern "C" fn connectly_claim_finish(
    claim: *mut connectly_claim,
    http_status: u16,
) -> connectly_status {
    call(|| {
        if claim.is_null() {
            return Err(Failure::Null("claim"));
        }
        // SAFETY: live and owned by the caller, who gives it up here.
        let claim = unsafe { Box::from_raw(claim) };
        let answered = (http_status != 0).then_some(http_status);
        claim.claim.finish(answered).map_err(Failure::Core)
    })
}

/// The handler failed: releases the claim, so Connectly's retry runs it again, and frees it.
/// NULL does nothing.
///
/// # Safety
/// `claim` is NULL or a live claim, not used after this call.
#[no_mangle]
pub unsafe extern "C" fn connectly_claim_release(claim: *mut connectly_claim) {
    value((), || {
        if !claim.is_null() {
            // SAFETY: live and owned by the caller, who gives it up here.
            let claim = unsafe { Box::from_raw(claim) };
            let _ = claim.claim.release();
        }
    })
}

/// Makes a tracker keeping its statuses in the Redis at `url`, shared by every process using
/// it (free it with `connectly_status_tracker_free`). An unusable URL is
/// `CONNECTLY_ERROR_CONFIG`; while Redis does not answer, each status counts as news.
/// Thread-safe.
///
/// # Safety
/// `url` is NULL or NUL-terminated; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn connectly_status_tracker_new_redis(
    url: *const c_char,
    out: *mut *mut connectly_status_tracker,
) -> connectly_status {
    call(|| {
        // SAFETY: NULL or NUL-terminated, by the caller's contract.
        let url = unsafe { boundary::text(url, "url") }?;
        out_ptr(out, "out")?;
        let store = RedisStatusStore::new(url).map_err(Failure::Core)?;
        let tracker = connectly_status_tracker::from(StatusTracker::with_store(Arc::new(store)));
        // SAFETY: checked non-NULL above; writable by the caller's contract.
        unsafe { give(out, tracker) };
        Ok(())
    })
}
