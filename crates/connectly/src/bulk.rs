//! Sending many messages: bounded concurrency, an optional rate limit, progress, and one
//! result per message in input order.

use std::fmt;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::client::Client;
use crate::error::{Error, ValidationError};
use crate::interrupt::{Interrupt, INTERRUPT_INTERVAL};
use crate::journal::{self, Earlier, Journal};
use crate::message::Message;
use crate::recipient::Recipient;
use crate::response::Response;
use crate::template::TemplateMessage;
use crate::validate;

/// The default number of messages in flight at once.
pub const DEFAULT_CONCURRENCY: usize = 8;
/// The most messages in flight at once.
pub const MAX_CONCURRENCY: usize = 64;

/// One message for [`Client::send_many`]: a session message to a recipient, or a template.
#[derive(Debug, Clone, PartialEq)]
pub enum Outgoing {
    /// A session message ([`Client::send_message`]).
    Session {
        /// The recipient.
        to: Recipient,
        /// The message.
        message: Message,
    },
    /// A WhatsApp template ([`Client::send_template_message`]).
    Template(TemplateMessage),
}

impl Outgoing {
    /// A text message.
    pub fn text(to: Recipient, text: impl Into<String>) -> Self {
        Outgoing::Session {
            to,
            message: Message::text(text),
        }
    }

    /// A session message of any kind.
    pub fn message(to: Recipient, message: Message) -> Self {
        Outgoing::Session { to, message }
    }

    /// A template message with its parameters in order.
    pub fn template(
        number: impl Into<String>,
        template_name: impl Into<String>,
        params: Vec<(String, String)>,
    ) -> Self {
        Outgoing::Template(TemplateMessage::new(number, template_name).params(params))
    }
}

impl From<TemplateMessage> for Outgoing {
    fn from(template: TemplateMessage) -> Self {
        Outgoing::Template(template)
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

/// A progress callback; called from the sending threads after each message, one call at a
/// time, with `done` one more than in the call before; the call with `done == total` is the
/// last and carries the final `failed` count. A callback that panics is not called again (see
/// [`BulkOptions::on_progress`]). When the call is [interrupted](Client::with_interrupt), the
/// messages never started are not reported: the last call then has `done < total`.
pub type ProgressFn = dyn Fn(Progress) + Send + Sync;

/// Options for [`Client::send_many`].
#[derive(Clone)]
pub struct BulkOptions {
    concurrency: usize,
    rate_limit: Option<f64>,
    progress: Option<Arc<ProgressFn>>,
    journal: Option<PathBuf>,
}

impl Default for BulkOptions {
    fn default() -> Self {
        Self {
            concurrency: DEFAULT_CONCURRENCY,
            rate_limit: None,
            progress: None,
            journal: None,
        }
    }
}

impl fmt::Debug for BulkOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BulkOptions")
            .field("concurrency", &self.concurrency)
            .field("rate_limit", &self.rate_limit)
            .field("progress", &self.progress.is_some())
            .field("journal", &self.journal)
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

    /// Checks a rate limit as [`Client::send_many`] will, so a caller can refuse it before
    /// preparing a batch: a finite rate of at least [`MIN_RATE_LIMIT`](Self::MIN_RATE_LIMIT).
    pub fn check_rate_limit(per_second: f64) -> Result<(), ValidationError> {
        validate::rate_limit(per_second).map(|_| ())
    }

    /// Writes each message's outcome to the journal file at `path` as it happens, so that the
    /// same call with the same messages and journal, after a crash, a deploy or Ctrl-C, sends
    /// only what never left:
    ///
    /// - a message confirmed sent is not sent again: its result is the response recorded,
    ///   with `attempts` 0;
    /// - a message whose request may have reached the server (in flight when the earlier run
    ///   stopped, or failed with [`Error::possibly_sent`]) is not sent again: its result is
    ///   [`Error::Cancelled`] with `possibly_sent`, for you to check and decide;
    /// - every other message is sent.
    ///
    /// A message's start is fsync'd before its request is made. A journal written for other
    /// messages is refused: every message fails with [`Error::Validation`] (field `journal`)
    /// and nothing is sent.
    pub fn journal(mut self, path: impl Into<PathBuf>) -> Self {
        self.journal = Some(path.into());
        self
    }

    /// Calls `progress` after each message, from the sending threads, one call at a time with
    /// `done` increasing (so it need not be thread-safe in spirit, only `Sync` in type; keep
    /// it short: the next report waits for it).
    ///
    /// A panic in `progress` is caught: it is not called again, and every message is still
    /// sent once and its result returned (the panic hook still reports the panic).
    pub fn on_progress(mut self, progress: impl Fn(Progress) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(progress));
        self
    }
}

/// Reports progress one call at a time: the counts and the call share one lock, so `done`
/// grows by one each call and the call with `done == total` carries every failure.
struct Reporter<'a> {
    progress: Option<&'a ProgressFn>,
    total: usize,
    /// (done, failed, silenced): silenced once the callback panicked.
    state: Mutex<(usize, usize, bool)>,
}

impl<'a> Reporter<'a> {
    /// A reporter for `total` messages, `refused` of them already finished and failed; when
    /// there are such, they are reported at once.
    fn new(progress: Option<&'a ProgressFn>, total: usize, refused: usize) -> Self {
        let reporter = Self {
            progress,
            total,
            state: Mutex::new((refused, refused, false)),
        };
        if refused > 0 {
            reporter.report(&mut reporter.lock());
        }
        reporter
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, (usize, usize, bool)> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// One more message finished.
    fn finished(&self, failed: bool) {
        let mut state = self.lock();
        state.0 += 1;
        state.1 += usize::from(failed);
        self.report(&mut state);
    }

    /// Calls the callback with the current counts, under the lock. A panic is caught and
    /// silences the callback: the messages are sent, and losing their results would invite
    /// sending them again.
    fn report(&self, state: &mut (usize, usize, bool)) {
        let Some(progress) = self.progress else {
            return;
        };
        if state.2 {
            return;
        }
        let report = Progress {
            done: state.0,
            failed: state.1,
            total: self.total,
        };
        if catch_unwind(AssertUnwindSafe(|| progress(report))).is_err() {
            state.2 = true;
        }
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
    /// With an [interruption hook](Client::with_interrupt), the calling thread sends nothing
    /// itself: it asks the hook about every [`INTERRUPT_INTERVAL`] while the workers send.
    /// Once the hook says yes, no message is started (pacing waits and retry waits are cut
    /// short), the messages in flight finish with their real results, and every message not
    /// started (or stopped while waiting to retry) fails with [`Error::Cancelled`]. The hook is
    /// asked once before any message starts: one that already says yes sends nothing.
    ///
    /// An invalid [rate limit](BulkOptions::rate_limit) fails every message with
    /// [`Error::Validation`] before anything is sent.
    pub fn send_many(
        &self,
        messages: &[Outgoing],
        options: &BulkOptions,
    ) -> Vec<Result<Response, Error>> {
        let slots: Vec<Option<&Outgoing>> = messages.iter().map(Some).collect();
        self.send_slots(&slots, 0, options)
    }

    /// [`send_many`](Client::send_many) for a batch a binding has prepared: an `Ok` message is
    /// sent as `send_many` sends it, and its result comes back as `Ok(result)`; an `Err` is a
    /// message the binding refused before sending (a C caller's string with a NUL byte, say),
    /// which comes back unchanged as `Err` and counts as finished and failed from the start:
    /// the first progress report, made before anything is sent, already counts it.
    pub fn send_prepared<E>(
        &self,
        items: Vec<Result<Outgoing, E>>,
        options: &BulkOptions,
    ) -> Vec<Result<Result<Response, Error>, E>> {
        let mut refused = Vec::with_capacity(items.len());
        let mut messages = Vec::with_capacity(items.len());
        for item in items {
            match item {
                Ok(message) => {
                    messages.push(message);
                    refused.push(None);
                }
                Err(refusal) => refused.push(Some(refusal)),
            }
        }
        let mut sendable = messages.iter();
        let slots: Vec<Option<&Outgoing>> = refused
            .iter()
            .map(|r| if r.is_some() { None } else { sendable.next() })
            .collect();
        let failed_first = refused.iter().filter(|r| r.is_some()).count();
        // One result per sendable slot, in order: each fills the next slot not refused.
        let mut sent = self.send_slots(&slots, failed_first, options).into_iter();
        refused
            .into_iter()
            .filter_map(|refusal| match refusal {
                Some(refusal) => Some(Err(refusal)),
                None => sent.next().map(Ok),
            })
            .collect()
    }

    /// Sends every `Some` slot (the `None` ones, `refused` of them, were refused before
    /// sending) and gives one result per `Some` slot, in slot order. Progress is reported one call at a
    /// time, `done` increasing by one each call, the refused slots counted in the first call.
    fn send_slots(
        &self,
        slots: &[Option<&Outgoing>],
        refused: usize,
        options: &BulkOptions,
    ) -> Vec<Result<Response, Error>> {
        let pacer = match options.rate_limit.map(validate::rate_limit).transpose() {
            Ok(interval) => interval.map(|interval| Pacer::new(interval, self.clock().now())),
            Err(invalid) => {
                return slots
                    .iter()
                    .flatten()
                    .map(|_| Err(Error::Validation(invalid.clone())))
                    .collect()
            }
        };
        let sendable: Vec<&Outgoing> = slots.iter().copied().flatten().collect();
        let journal = match options
            .journal
            .as_deref()
            .map(|path| self.open_journal(path, &sendable))
            .transpose()
        {
            Ok(journal) => journal,
            Err(error) => return sendable.iter().map(|_| Err(copy_refusal(&error))).collect(),
        };
        let reporter = Reporter::new(options.progress.as_deref(), slots.len(), refused);
        let next = AtomicUsize::new(0);
        let workers = options
            .concurrency
            .clamp(1, MAX_CONCURRENCY)
            .min(sendable.len());
        // With a hook, the calling thread watches it and the workers send through a client
        // whose hook is `stop`, raised once the calling thread's hook says yes. It is asked
        // once before any worker starts, so that a hook already saying yes sends nothing.
        let stop = Arc::new(AtomicBool::new(self.interrupted()));
        let watched = self
            .interrupt()
            .map(|hook| (hook, self.with_interrupt(stop.clone())));
        let sender = watched.as_ref().map_or(self, |(_, flagged)| flagged);
        // Each worker gives back the results it produced, with their positions in `sendable`.
        let worker = || {
            let mut finished = Vec::new();
            loop {
                if sender.interrupted() {
                    return finished;
                }
                let position = next.fetch_add(1, Ordering::Relaxed);
                let Some(&message) = sendable.get(position) else {
                    return finished;
                };
                if let Some(pacer) = &pacer {
                    if !sender.pause(pacer.claim(self.clock().now())) {
                        return finished;
                    }
                }
                let result = match &journal {
                    Some(journal) => sender.send_journaled(journal, position, message),
                    None => sender.send_one(message),
                };
                reporter.finished(result.is_err());
                finished.push((position, result));
            }
        };
        let finished = std::thread::scope(|scope| {
            let mut finished = Vec::new();
            let helpers: Vec<_> = match &watched {
                None => (1..workers).map(|_| scope.spawn(worker)).collect(),
                Some((hook, _)) => {
                    // Each worker holds a sender; when the last one ends, the watch ends.
                    let (done, all_done) = mpsc::channel::<()>();
                    let helpers = (0..workers)
                        .map(|_| {
                            let done = done.clone();
                            scope.spawn(move || {
                                let _done = done;
                                worker()
                            })
                        })
                        .collect();
                    drop(done);
                    watch(*hook, &stop, &all_done);
                    helpers
                }
            };
            if watched.is_none() {
                finished = worker();
            }
            for helper in helpers {
                match helper.join() {
                    Ok(part) => finished.extend(part),
                    Err(panic) => resume_unwind(panic),
                }
            }
            finished
        });
        let mut results: Vec<Option<Result<Response, Error>>> = std::iter::repeat_with(|| None)
            .take(sendable.len())
            .collect();
        for (position, result) in finished {
            if let Some(slot) = results.get_mut(position) {
                *slot = Some(result);
            }
        }
        // A message no worker started was stopped by the hook.
        results
            .into_iter()
            .map(|result| {
                result.unwrap_or(Err(Error::Cancelled {
                    attempts: 0,
                    possibly_sent: false,
                }))
            })
            .collect()
    }

    /// Opens the journal at `path` for `messages`, fingerprinted by the requests they make.
    fn open_journal(
        &self,
        path: &std::path::Path,
        messages: &[&Outgoing],
    ) -> Result<Journal, Error> {
        let requests: Vec<(String, Vec<u8>)> = messages
            .iter()
            .map(|message| {
                let call = match message {
                    Outgoing::Session { to, message } => self.send_message_call(to, message),
                    Outgoing::Template(template) => self.send_template_call(template),
                };
                match call {
                    Ok(call) => call.identity(),
                    Err(refused) => ("refused".to_owned(), refused.to_string().into_bytes()),
                }
            })
            .collect();
        let fingerprint = journal::fingerprint(
            requests
                .iter()
                .map(|(path, body)| (path.as_str(), body.as_slice())),
        );
        Journal::open(path, &fingerprint, messages.len())
    }

    /// Sends message `index` unless the journal says an earlier run did, or may have.
    fn send_journaled(
        &self,
        journal: &Journal,
        index: usize,
        message: &Outgoing,
    ) -> Result<Response, Error> {
        match journal.earlier(index) {
            Earlier::Sent { status, body } => Ok(Response::from_reply(*status, body, 0)),
            Earlier::Unsure => Err(Error::Cancelled {
                attempts: 0,
                possibly_sent: true,
            }),
            Earlier::Unsent => {
                journal.started(index)?;
                let result = self.send_one(message);
                journal.finished(index, &result);
                result
            }
        }
    }

    fn send_one(&self, message: &Outgoing) -> Result<Response, Error> {
        match message {
            Outgoing::Session { to, message } => self.send_message(to, message),
            Outgoing::Template(template) => self.send_template_message(template),
        }
    }
}

/// Asks `hook` about every [`INTERRUPT_INTERVAL`] until every worker has ended (`all_done`
/// disconnects); once it says yes, raises `stop` and only waits.
fn watch(hook: &dyn Interrupt, stop: &AtomicBool, all_done: &mpsc::Receiver<()>) {
    loop {
        if !stop.load(Ordering::Relaxed) && hook.interrupted() {
            stop.store(true, Ordering::Release);
        }
        match all_done.recv_timeout(INTERRUPT_INTERVAL) {
            Err(RecvTimeoutError::Timeout) => {}
            Ok(()) | Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}

/// The same refusal for every message of a batch whose journal was refused.
fn copy_refusal(error: &Error) -> Error {
    match error {
        Error::Validation(invalid) => Error::Validation(invalid.clone()),
        other => Error::Config(other.to_string()),
    }
}
