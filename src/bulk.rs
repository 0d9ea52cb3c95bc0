//! Sending many messages: bounded concurrency, an optional rate limit, progress, and one
//! result per message in input order.

use std::fmt;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::client::Client;
use crate::error::Error;
use crate::recipient::Recipient;
use crate::response::Response;
use crate::validate;

/// The default number of messages in flight at once.
pub const DEFAULT_CONCURRENCY: usize = 8;
/// The most messages in flight at once.
pub const MAX_CONCURRENCY: usize = 64;

/// One message for [`Client::send_many`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// A free-form text ([`Client::send_text`]).
    Text {
        /// The recipient.
        to: Recipient,
        /// The text.
        text: String,
    },
    /// A WhatsApp template ([`Client::send_template`]).
    Template {
        /// The recipient's WhatsApp number.
        number: String,
        /// The template's name.
        template_name: String,
        /// The parameters, in order.
        params: Vec<(String, String)>,
    },
}

impl Message {
    /// A text message.
    pub fn text(to: Recipient, text: impl Into<String>) -> Self {
        Message::Text {
            to,
            text: text.into(),
        }
    }

    /// A template message.
    pub fn template(
        number: impl Into<String>,
        template_name: impl Into<String>,
        params: Vec<(String, String)>,
    ) -> Self {
        Message::Template {
            number: number.into(),
            template_name: template_name.into(),
            params,
        }
    }
}

/// How far a [`Client::send_many`] call has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Messages finished, sent or failed.
    pub done: usize,
    /// Of those, the ones that failed.
    pub failed: usize,
    /// All messages in the call.
    pub total: usize,
}

/// A progress callback; called from the sending threads after each message. Calls may
/// overlap and arrive out of order; each carries a consistent snapshot, and the one with
/// `done == total` carries the final `failed` count. A callback that panics is not called
/// again (see [`BulkOptions::on_progress`]).
pub type ProgressFn = dyn Fn(Progress) + Send + Sync;

/// Options for [`Client::send_many`].
#[derive(Clone)]
pub struct BulkOptions {
    concurrency: usize,
    rate_limit: Option<f64>,
    progress: Option<Arc<ProgressFn>>,
}

impl Default for BulkOptions {
    fn default() -> Self {
        Self {
            concurrency: DEFAULT_CONCURRENCY,
            rate_limit: None,
            progress: None,
        }
    }
}

impl fmt::Debug for BulkOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BulkOptions")
            .field("concurrency", &self.concurrency)
            .field("rate_limit", &self.rate_limit)
            .field("progress", &self.progress.is_some())
            .finish()
    }
}

impl BulkOptions {
    /// The smallest rate limit accepted, in messages per second: one message every 100 s.
    pub const MIN_RATE_LIMIT: f64 = 0.01;

    /// Default options: 8 messages in flight, no rate limit, no progress callback.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many messages may be in flight at once (1 to 64; default 8).
    pub fn concurrency(mut self, concurrency: usize) -> Self {
        self.concurrency = concurrency.clamp(1, MAX_CONCURRENCY);
        self
    }

    /// Starts at most this many messages per second. Connectly documents 200 requests per
    /// second on the send endpoints. Without this call there is no limit.
    ///
    /// The rate must be a finite number of at least
    /// [`MIN_RATE_LIMIT`](Self::MIN_RATE_LIMIT); for any other value (zero, a negative
    /// number, NaN, infinity, a smaller rate), [`Client::send_many`] sends nothing and fails
    /// every message with [`Error::Validation`] (field `rate limit`), without calling the
    /// progress callback.
    pub fn rate_limit(mut self, per_second: f64) -> Self {
        self.rate_limit = Some(per_second);
        self
    }

    /// Calls `progress` after each message, from the sending threads.
    ///
    /// A panic in `progress` is caught: it is not called again, and every message is still
    /// sent once and its result returned (the panic hook still reports the panic).
    pub fn on_progress(mut self, progress: impl Fn(Progress) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(progress));
        self
    }
}

/// Hands out start times `interval` apart, so messages start at the configured rate. Times
/// are offsets from `start`, with saturating arithmetic: no rate can overflow them.
struct Pacer {
    start: Instant,
    next: Mutex<Duration>,
    interval: Duration,
}

impl Pacer {
    fn new(interval: Duration, start: Instant) -> Self {
        Self {
            start,
            next: Mutex::new(Duration::ZERO),
            interval,
        }
    }

    /// Claims the next start time, and gives how long to wait for it from `now`.
    fn claim(&self, now: Instant) -> Duration {
        let mut next = self.next.lock().unwrap_or_else(|e| e.into_inner());
        let slot = *next;
        *next = slot.saturating_add(self.interval);
        slot.saturating_sub(now.saturating_duration_since(self.start))
    }
}

impl Client {
    /// Sends every message with bounded concurrency and an optional rate limit, and returns
    /// one result per message, in input order. No message is dropped or sent twice: each is
    /// sent once, with the same retry rules as [`send_text`](Client::send_text) and
    /// [`send_template`](Client::send_template), and a failure of one does not stop the rest.
    ///
    /// An invalid [rate limit](BulkOptions::rate_limit) fails every message with
    /// [`Error::Validation`] before anything is sent.
    pub fn send_many(
        &self,
        messages: &[Message],
        options: &BulkOptions,
    ) -> Vec<Result<Response, Error>> {
        let pacer = match options.rate_limit.map(validate::rate_limit).transpose() {
            Ok(interval) => interval.map(|interval| Pacer::new(interval, self.clock().now())),
            Err(refused) => {
                return messages
                    .iter()
                    .map(|_| Err(Error::Validation(refused.clone())))
                    .collect()
            }
        };
        let total = messages.len();
        let next = AtomicUsize::new(0);
        // (done, failed)
        let counts = Mutex::new((0usize, 0usize));
        let progress_panicked = AtomicBool::new(false);
        let workers = options.concurrency.clamp(1, MAX_CONCURRENCY).min(total);
        // Each worker gives back the results it produced, with their indexes.
        let worker = || {
            let mut finished = Vec::new();
            loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                let Some(message) = messages.get(index) else {
                    return finished;
                };
                if let Some(pacer) = &pacer {
                    let wait = pacer.claim(self.clock().now());
                    if !wait.is_zero() {
                        self.sleeper().sleep(wait);
                    }
                }
                let result = self.send_one(message);
                let is_err = result.is_err();
                finished.push((index, result));
                // Both counts under one lock, so each report is a consistent snapshot and the
                // one with `done == total` carries every failure.
                let (done, failed) = {
                    let mut counts = counts.lock().unwrap_or_else(|e| e.into_inner());
                    counts.0 += 1;
                    counts.1 += usize::from(is_err);
                    *counts
                };
                if let Some(progress) = &options.progress {
                    if !progress_panicked.load(Ordering::Relaxed) {
                        // The message is sent: a panicking callback must not lose its result
                        // (a caller would send it again). It is not called again.
                        let report = Progress {
                            done,
                            failed,
                            total,
                        };
                        if catch_unwind(AssertUnwindSafe(|| progress(report))).is_err() {
                            progress_panicked.store(true, Ordering::Relaxed);
                        }
                    }
                }
            }
        };
        let mut finished = std::thread::scope(|scope| {
            let helpers: Vec<_> = (1..workers).map(|_| scope.spawn(worker)).collect();
            let mut finished = worker();
            for helper in helpers {
                match helper.join() {
                    Ok(part) => finished.extend(part),
                    Err(panic) => resume_unwind(panic),
                }
            }
            finished
        });
        finished.sort_unstable_by_key(|(index, _)| *index);
        finished.into_iter().map(|(_, result)| result).collect()
    }

    fn send_one(&self, message: &Message) -> Result<Response, Error> {
        match message {
            Message::Text { to, text } => self.send_text(to, text),
            Message::Template {
                number,
                template_name,
                params,
            } => self.send_template(number, template_name, params),
        }
    }
}
