//! What a mock remembers: its configuration, the requests it received, the scripted failures
//! still queued and the registered webhooks.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

use connectly::Webhook;

use super::failure::Failure;
use super::http::{header_value, lock};

/// One request the mock received on an API path (anything outside `/_mock/`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecordedRequest {
    /// The method, as sent.
    pub method: String,
    /// The request target, as sent: the path and any query string.
    pub path: String,
    /// The headers in arrival order (repeats of a name follow its first occurrence), names
    /// lower-cased.
    pub headers: Vec<(String, String)>,
    /// The body (de-chunked).
    pub body: Vec<u8>,
}

impl RecordedRequest {
    /// The first header called `name`, compared ASCII case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        header_value(&self.headers, name)
    }

    /// The body parsed as JSON, if it is JSON.
    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// The body as UTF-8 text, if it is UTF-8.
    pub fn body_text(&self) -> Option<&str> {
        std::str::from_utf8(&self.body).ok()
    }
}

/// Fixed settings of one mock.
#[derive(Debug)]
pub(crate) struct Config {
    pub api_key: String,
    pub business_id: String,
    pub webhook_secret: String,
    /// The id deliveries name as their recipient.
    pub business_phone: String,
    /// How many requests are kept; older ones are forgotten.
    pub record_limit: usize,
}

/// The mutable part, behind one lock that is never held during I/O.
#[derive(Debug, Default)]
struct Inner {
    requests: VecDeque<RecordedRequest>,
    /// Requests received since the last clear, including forgotten ones.
    received: usize,
    failures: VecDeque<Failure>,
    /// `(topic, address)`, one per topic, in registration order.
    webhooks: Vec<(String, String)>,
}

/// A mock's whole state, shared by its connections and its handle.
#[derive(Debug)]
pub(crate) struct State {
    pub config: Config,
    pub signer: Webhook,
    inner: Mutex<Inner>,
    /// The length of the failure queue, read without the lock on every request head.
    queued: AtomicUsize,
    /// Makes ids unique within the process: a random prefix per mock and a counter.
    instance: u32,
    next_id: AtomicU64,
    /// The client deliveries are made with, built on first use.
    pub(crate) http: OnceLock<Result<reqwest::blocking::Client, String>>,
}

impl State {
    pub(crate) fn new(config: Config, signer: Webhook) -> State {
        State {
            config,
            signer,
            inner: Mutex::new(Inner::default()),
            queued: AtomicUsize::new(0),
            instance: fastrand::u32(..),
            next_id: AtomicU64::new(1),
            http: OnceLock::new(),
        }
    }

    /// A new message id, unique in this process.
    pub(crate) fn message_id(&self) -> String {
        let n = self.next_id.fetch_add(1, Ordering::Relaxed);
        format!("mock-{:08x}-{n}", self.instance)
    }

    /// Records a request and pops the failure that answers it, if any. A queued
    /// `DropBeforeRead` is popped but the request is not recorded. When the request is
    /// processed normally (no failure, or a delay), `register` is applied.
    pub(crate) fn record(
        &self,
        request: RecordedRequest,
        register: Option<(String, String)>,
    ) -> Option<Failure> {
        let mut inner = lock(&self.inner);
        let failure = inner.failures.pop_front();
        self.queued.store(inner.failures.len(), Ordering::Release);
        if failure == Some(Failure::DropBeforeRead) {
            return failure;
        }
        if matches!(failure, None | Some(Failure::Delay(_))) {
            if let Some((topic, address)) = register {
                match inner.webhooks.iter_mut().find(|(t, _)| *t == topic) {
                    Some(entry) => entry.1 = address,
                    None => inner.webhooks.push((topic, address)),
                }
            }
        }
        inner.received += 1;
        if inner.requests.len() >= self.config.record_limit {
            inner.requests.pop_front();
        }
        if self.config.record_limit > 0 {
            inner.requests.push_back(request);
        }
        failure
    }

    /// Pops the next failure if it is a `DropBeforeRead`.
    pub(crate) fn take_drop_before_read(&self) -> bool {
        if self.queued.load(Ordering::Acquire) == 0 {
            return false;
        }
        let mut inner = lock(&self.inner);
        if inner.failures.front() == Some(&Failure::DropBeforeRead) {
            inner.failures.pop_front();
            self.queued.store(inner.failures.len(), Ordering::Release);
            true
        } else {
            false
        }
    }

    pub(crate) fn queue_failures(&self, failures: impl IntoIterator<Item = Failure>) {
        let mut inner = lock(&self.inner);
        inner.failures.extend(failures);
        self.queued.store(inner.failures.len(), Ordering::Release);
    }

    pub(crate) fn pending_failures(&self) -> Vec<Failure> {
        lock(&self.inner).failures.iter().cloned().collect()
    }

    pub(crate) fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.inner).requests.iter().cloned().collect()
    }

    pub(crate) fn request_count(&self) -> usize {
        lock(&self.inner).received
    }

    pub(crate) fn clear_requests(&self) {
        let mut inner = lock(&self.inner);
        inner.requests.clear();
        inner.received = 0;
    }

    /// Clears the requests and the failure queue.
    pub(crate) fn reset(&self) {
        let mut inner = lock(&self.inner);
        inner.requests.clear();
        inner.received = 0;
        inner.failures.clear();
        self.queued.store(0, Ordering::Release);
    }

    pub(crate) fn webhooks(&self) -> Vec<(String, String)> {
        lock(&self.inner).webhooks.clone()
    }

    pub(crate) fn webhook(&self, topic: &str) -> Option<String> {
        lock(&self.inner)
            .webhooks
            .iter()
            .find(|(t, _)| t == topic)
            .map(|(_, address)| address.clone())
    }
}
