//! Stopping a call while it waits: the hook a binding gives so that, say, Ctrl-C in Python
//! ends a long `send_many` or a wait between retries.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// How often, at most this far apart, a waiting call asks its [`Interrupt`] hook.
pub const INTERRUPT_INTERVAL: Duration = Duration::from_millis(50);

/// Asked, on the thread that made a call, whether the call should stop. Set one with
/// [`Client::with_interrupt`](crate::Client::with_interrupt).
///
/// A call asks before each attempt after the first and about every
/// [`INTERRUPT_INTERVAL`] while it waits to retry; [`Client::send_many`](crate::Client::send_many)
/// asks about every [`INTERRUPT_INTERVAL`] until every message is done. A request already
/// written is never abandoned: once the hook says yes, no new request is made, the ones in
/// flight finish, and what was stopped fails with [`Error::Cancelled`](crate::Error::Cancelled).
/// Once it has said yes, it should keep saying yes.
///
/// An `AtomicBool` is a hook: set it (from any thread) to stop the calls that ask it.
pub trait Interrupt: Send + Sync + fmt::Debug {
    /// Whether the call should stop. Called on the calling thread; keep it short.
    fn interrupted(&self) -> bool;
}

impl Interrupt for AtomicBool {
    fn interrupted(&self) -> bool {
        self.load(Ordering::Acquire)
    }
}
