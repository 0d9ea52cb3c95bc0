//! A completion queue: operations submitted to the client's runtime, each completing exactly
//! once into a queue that an event loop polls through a file descriptor (Unix) or that a
//! thread waits on with a timeout (in the manner of libcurl's multi interface and
//! librdkafka's queue events).

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use tokio::task::AbortHandle;

use crate::client::Client;
use crate::error::Error;
use crate::operation::{Operation, Outcome};
use crate::progress::Progress;
#[cfg(unix)]
use crate::wakeup::Wakeup;

/// One finished submission: its tag, and what came of it.
#[derive(Debug)]
pub struct Completion {
    /// The tag given to [`CompletionQueue::submit`].
    pub tag: u64,
    /// The outcome; [`Error::Cancelled`] when it was cancelled, or when the client's runtime
    /// stopped first.
    pub result: Result<Outcome, Error>,
}

/// Completions waiting to be taken, and how a waiting thread or event loop learns of them.
#[derive(Debug)]
struct Shared {
    ready: Mutex<Ready>,
    arrived: Condvar,
    /// Readable while completions wait (Unix).
    #[cfg(unix)]
    wakeup: Wakeup,
}

/// The completions not taken yet, how many threads wait for them in `wait`, and whether
/// the descriptor was signalled.
#[derive(Debug, Default)]
struct Ready {
    completions: VecDeque<Completion>,
    waiting: usize,
    /// Whether a byte was written to the descriptor (Unix) for the completions waiting: set
    /// by the first completion pushed, cleared when they are all taken.
    signalled: bool,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Ready> {
        self.ready.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Adds a completion; the descriptor becomes readable if it was not, and a thread waiting
    /// in `wait` (if any: a descriptor-driven queue has none, and pays no wake-up) is woken.
    fn push(&self, completion: Completion) {
        let mut ready = self.lock();
        ready.completions.push_back(completion);
        if !ready.signalled {
            ready.signalled = true;
            #[cfg(unix)]
            self.wakeup.raise();
        }
        if ready.waiting > 0 {
            self.arrived.notify_all();
        }
    }

    /// Takes up to `max` of the completions waiting in `ready` (this queue's, locked),
    /// oldest first; the descriptor stays readable while any are left, and only then is
    /// emptied.
    fn take(&self, mut ready: MutexGuard<'_, Ready>, max: usize) -> Vec<Completion> {
        let count = max.min(ready.completions.len());
        let taken: Vec<Completion> = ready.completions.drain(..count).collect();
        let emptied = ready.completions.is_empty() && ready.signalled;
        if emptied {
            ready.signalled = false;
        }
        drop(ready);
        // The signal just cleared, taken out of the lock, so that a completion pushed
        // meanwhile does not wait for the system call: it raises a signal of its own (each
        // raise adds one and each clearing takes one, so the descriptor is readable whenever
        // the completions waiting were signalled).
        #[cfg(unix)]
        if emptied {
            self.wakeup.lower();
        }
        taken
    }
}

/// Where submitted operations complete: each submission completes exactly once, finished,
/// failed or cancelled, also when the client is dropped or its runtime stops.
///
/// Take completions with [`drain`](CompletionQueue::drain) (never blocks) when
/// [`fd`](CompletionQueue::fd) is readable, or with [`wait`](CompletionQueue::wait). Cheap to
/// clone; clones are the same queue. `Send + Sync`.
#[derive(Debug, Clone)]
pub struct CompletionQueue {
    shared: Arc<Shared>,
}

/// A submission in flight; [`cancel`](Ticket::cancel) it to abort it.
#[derive(Debug, Clone)]
pub struct Ticket {
    abort: AbortHandle,
}

impl Ticket {
    /// Aborts the submission: a request not yet written is never sent; one in flight is
    /// abandoned and its connection closed. It completes, once, with [`Error::Cancelled`]
    /// (`possibly_sent` when a request was in flight, which the server may have received),
    /// unless it had already finished.
    pub fn cancel(&self) {
        self.abort.abort();
    }
}

/// Pushes the submission's completion when dropped: with its result when it finished, or as
/// cancelled when its task was aborted or dropped first. So exactly once, whatever happens.
struct Completes {
    shared: Arc<Shared>,
    tag: u64,
    progress: Progress,
    result: Option<Result<Outcome, Error>>,
}

impl Drop for Completes {
    fn drop(&mut self) {
        let result = match self.result.take() {
            Some(result) => result,
            None => Err(self.progress.cancelled()),
        };
        self.shared.push(Completion {
            tag: self.tag,
            result,
        });
    }
}

impl CompletionQueue {
    /// An empty queue.
    pub fn new() -> std::io::Result<Self> {
        Ok(Self {
            shared: Arc::new(Shared {
                ready: Mutex::new(Ready::default()),
                arrived: Condvar::new(),
                #[cfg(unix)]
                wakeup: Wakeup::new()?,
            }),
        })
    }

    /// A descriptor that is readable while completions wait (poll it with `epoll`, `kqueue`,
    /// Go's netpoller, asyncio's `add_reader`); reading it is the queue's business: call
    /// [`drain`](CompletionQueue::drain). Owned by the queue.
    #[cfg(unix)]
    pub fn fd(&self) -> std::os::unix::io::RawFd {
        self.shared.wakeup.fd()
    }

    /// Every completion waiting now, oldest first; never blocks.
    pub fn drain(&self) -> Vec<Completion> {
        self.drain_up_to(usize::MAX)
    }

    /// At most `max` of the completions waiting now, oldest first; never blocks. The
    /// descriptor stays readable while more are waiting.
    pub fn drain_up_to(&self, max: usize) -> Vec<Completion> {
        self.shared.take(self.shared.lock(), max)
    }

    /// Waits up to `timeout` for at least one completion, then takes every one waiting.
    /// Empty when none arrived in time.
    pub fn wait(&self, timeout: Duration) -> Vec<Completion> {
        self.wait_up_to(timeout, usize::MAX)
    }

    /// Waits up to `timeout` for at least one completion, then takes at most `max` of those
    /// waiting (the descriptor stays readable while more are). Empty when none arrived in
    /// time.
    pub fn wait_up_to(&self, timeout: Duration, max: usize) -> Vec<Completion> {
        let deadline = Instant::now().checked_add(timeout);
        let mut ready = self.shared.lock();
        while ready.completions.is_empty() {
            let left = match deadline {
                Some(deadline) => deadline.saturating_duration_since(Instant::now()),
                None => Duration::MAX,
            };
            if left.is_zero() {
                return Vec::new();
            }
            ready.waiting += 1;
            ready = self
                .shared
                .arrived
                .wait_timeout(ready, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
            ready.waiting -= 1;
        }
        self.shared.take(ready, max)
    }

    /// Starts `operation` on `client`'s runtime; it completes into this queue with `tag`.
    pub fn submit(&self, client: &Client, operation: Operation, tag: u64) -> Ticket {
        let progress = Progress::new(client.id());
        let mut completes = Completes {
            shared: self.shared.clone(),
            tag,
            progress: progress.clone(),
            result: None,
        };
        let runner = client.clone();
        let task = client.engine().spawn(progress.track(async move {
            let result = runner.operate(&operation).await;
            completes.result = Some(result);
            drop(completes);
        }));
        Ticket {
            abort: task.abort_handle(),
        }
    }
}
