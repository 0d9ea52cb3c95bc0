//! What a running call has done so far, so that cancelling it can say whether a request was
//! in flight (and so possibly reached the server) at the moment it was stopped.

use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Arc;

use crate::error::Error;

tokio::task_local! {
    /// The progress of the call the current task runs, when it is tracked.
    static CURRENT: Progress;
}

/// A running call's attempts so far, and whether one is on its way to the server now.
/// Clones share the same record.
#[derive(Debug, Clone)]
pub(crate) struct Progress {
    shared: Arc<Shared>,
}

#[derive(Debug, Default)]
struct Shared {
    /// The [`Client::id`](crate::Client::id) of the client making the call.
    client: u64,
    attempts: AtomicU32,
    in_flight: AtomicBool,
}

impl Progress {
    /// A call of the client `client` (its [`Client::id`](crate::Client::id)), not started.
    pub(crate) fn new(client: u64) -> Self {
        Self {
            shared: Arc::new(Shared {
                client,
                ..Shared::default()
            }),
        }
    }

    /// Runs `future` with this record as the current task's progress.
    pub(crate) fn track<F: Future>(&self, future: F) -> impl Future<Output = F::Output> {
        CURRENT.scope(self.clone(), future)
    }

    /// The error of a call stopped now: `possibly_sent` when an attempt was in flight.
    pub(crate) fn cancelled(&self) -> Error {
        let possibly_sent = self.shared.in_flight.load(Ordering::Acquire);
        let attempts = self.shared.attempts.load(Ordering::Acquire);
        if possibly_sent {
            tracing::warn!(
                target: "connectly",
                client = self.shared.client,
                attempts,
                "cancelled with a request in flight; the server may have received it"
            );
        }
        Error::Cancelled {
            attempts,
            possibly_sent,
        }
    }
}

/// Marks an attempt as on its way to the server until it is dropped (answered, failed, or
/// abandoned with its task: then the mark stays, for [`Progress::cancelled`] to read).
pub(crate) struct Attempt {
    progress: Option<Progress>,
}

impl Attempt {
    /// Starts attempt number `attempt` of the current task's call.
    pub(crate) fn start(attempt: u32) -> Self {
        let progress = CURRENT.try_with(Progress::clone).ok();
        if let Some(progress) = &progress {
            progress.shared.attempts.store(attempt, Ordering::Release);
            progress.shared.in_flight.store(true, Ordering::Release);
        }
        Self { progress }
    }

    /// The attempt ended with an answer or a failure the call knows about.
    pub(crate) fn ended(mut self) {
        if let Some(progress) = self.progress.take() {
            progress.shared.in_flight.store(false, Ordering::Release);
        }
    }
}
