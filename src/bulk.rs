//! Sending many messages: bounded concurrency, an optional rate limit, progress, and one
//! result per message in input order.

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::client::Client;
use crate::error::Error;
use crate::recipient::Recipient;
use crate::response::Response;

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
/// `done == total` carries the final `failed` count.
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
    /// second on the send endpoints. A value that is not a positive number means no limit.
    pub fn rate_limit(mut self, per_second: f64) -> Self {
        self.rate_limit = (per_second.is_finite() && per_second > 0.0).then_some(per_second);
        self
    }

    /// Calls `progress` after each message, from the sending threads.
    pub fn on_progress(mut self, progress: impl Fn(Progress) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(progress));
        self
    }
}

/// Hands out start times `interval` apart, so messages start at the configured rate.
struct Pacer {
    next: Mutex<Instant>,
    interval: Duration,
}

impl Pacer {
    fn new(per_second: f64, start: Instant) -> Option<Self> {
        let interval = Duration::try_from_secs_f64(1.0 / per_second).ok()?;
        Some(Self {
            next: Mutex::new(start),
            interval,
        })
    }

    /// Claims the next start time.
    fn claim(&self) -> Instant {
        let mut next = self.next.lock().unwrap_or_else(|e| e.into_inner());
        let slot = *next;
        *next = slot + self.interval;
        slot
    }
}

impl Client {
    /// Sends every message with bounded concurrency and an optional rate limit, and returns
    /// one result per message, in input order. No message is dropped or sent twice: each is
    /// sent once, with the same retry rules as [`send_text`](Client::send_text) and
    /// [`send_template`](Client::send_template), and a failure of one does not stop the rest.
    pub fn send_many(
        &self,
        messages: &[Message],
        options: &BulkOptions,
    ) -> Vec<Result<Response, Error>> {
        let total = messages.len();
        let slots: Vec<Mutex<Option<Result<Response, Error>>>> =
            messages.iter().map(|_| Mutex::new(None)).collect();
        let next = AtomicUsize::new(0);
        // (done, failed)
        let counts = Mutex::new((0usize, 0usize));
        let pacer = options
            .rate_limit
            .and_then(|rate| Pacer::new(rate, self.clock().now()));
        let workers = options.concurrency.clamp(1, MAX_CONCURRENCY).min(total);
        let worker = || loop {
            let index = next.fetch_add(1, Ordering::Relaxed);
            let (Some(message), Some(slot)) = (messages.get(index), slots.get(index)) else {
                return;
            };
            if let Some(pacer) = &pacer {
                let start = pacer.claim();
                let wait = start.saturating_duration_since(self.clock().now());
                if !wait.is_zero() {
                    self.sleeper().sleep(wait);
                }
            }
            let result = self.send_one(message);
            let is_err = result.is_err();
            *slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(result);
            // Both counts under one lock, so each report is a consistent snapshot and the
            // one with `done == total` carries every failure.
            let (finished, failures) = {
                let mut counts = counts.lock().unwrap_or_else(|e| e.into_inner());
                counts.0 += 1;
                counts.1 += usize::from(is_err);
                *counts
            };
            if let Some(progress) = &options.progress {
                progress(Progress {
                    done: finished,
                    failed: failures,
                    total,
                });
            }
        };
        std::thread::scope(|scope| {
            for _ in 1..workers {
                scope.spawn(worker);
            }
            worker();
        });
        slots
            .into_iter()
            .map(|slot| {
                slot.into_inner()
                    .unwrap_or_else(|e| e.into_inner())
                    .unwrap_or_else(|| {
                        Err(Error::Config(
                            "the message was not sent: a progress callback panicked".into(),
                        ))
                    })
            })
            .collect()
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
