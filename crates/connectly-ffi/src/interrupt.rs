//! `connectly_interrupt`: a flag another thread raises to stop a `connectly_send_many` (the
//! core's interruption hook, `Client::with_interrupt`, which an `AtomicBool` already is).

use std::ptr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use super::boundary::{self, value};

/// A stop flag for `connectly_send_many` (opaque): pass it as
/// `connectly_bulk_options.interrupt`, and call `connectly_interrupt_set` from any thread to
/// stop the batch. Once set it stays set: make a new one for each batch. Thread-safe. Free it
/// with `connectly_interrupt_free`.
pub struct connectly_interrupt {
    /// The core's hook; each `connectly_send_many` using it holds a reference of its own.
    pub(crate) flag: Arc<AtomicBool>,
}

/// Makes an interrupt, not set (free it with `connectly_interrupt_free`). Never fails but for
/// lack of memory; NULL then. Does not change the thread's last error. Thread-safe.
#[no_mangle]
pub extern "C" fn connectly_interrupt_new() -> *mut connectly_interrupt {
    value(ptr::null_mut(), || {
        Box::into_raw(Box::new(connectly_interrupt {
            flag: Arc::new(AtomicBool::new(false)),
        }))
    })
}

/// Sets the interrupt: every `connectly_send_many` given it stops within about 50 ms. No new
/// request is made; requests in flight finish with their real outcomes; every message not
/// started fails in its slot with `CONNECTLY_ERROR_CANCELLED`, with
/// `connectly_error_possibly_sent` false. A batch that starts with it already set sends
/// nothing. Setting it again does nothing; NULL does nothing.
///
/// May be called from any thread, at any time, also while the batch runs; it only stores a
/// flag (no lock, no allocation). Does not change the thread's last error.
///
/// # Safety
/// `interrupt` is NULL or a live interrupt.
#[no_mangle]
pub unsafe extern "C" fn connectly_interrupt_set(interrupt: *const connectly_interrupt) {
    // SAFETY: NULL or live, by the caller's contract.
    value((), || {
        if let Some(interrupt) = unsafe { interrupt.as_ref() } {
            interrupt.flag.store(true, Ordering::Release);
        }
    })
}

/// Frees an interrupt. NULL does nothing. A `connectly_send_many` already running with it
/// keeps its own reference, so it may be freed during the batch once no thread will call
/// `connectly_interrupt_set` on it; free it once.
///
/// # Safety
/// `interrupt` is NULL or a live interrupt that no other thread is using.
#[no_mangle]
pub unsafe extern "C" fn connectly_interrupt_free(interrupt: *mut connectly_interrupt) {
    // SAFETY: NULL or a live handle freed once, by the caller's contract.
    value((), || unsafe { boundary::free(interrupt) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_raises_the_flag_and_null_does_nothing() {
        let interrupt = connectly_interrupt_new();
        assert!(!interrupt.is_null());
        // SAFETY: `interrupt` is live until freed here; NULL is allowed.
        unsafe {
            assert!(!(*interrupt).flag.load(Ordering::Acquire));
            connectly_interrupt_set(interrupt);
            connectly_interrupt_set(interrupt);
            assert!((*interrupt).flag.load(Ordering::Acquire));
            connectly_interrupt_set(ptr::null());
            connectly_interrupt_free(interrupt);
            connectly_interrupt_free(ptr::null_mut());
        }
    }
}
