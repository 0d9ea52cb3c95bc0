//! What a mock remembers: its configuration, the requests it received, the scripted failures
//! still queued, the registered webhooks, the messages it accepted and its switches.

use std::collections::{BTreeSet, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{mpsc, Mutex, OnceLock};

use connectly::Webhook;
use serde_json::Value;

use super::failure::Failure;
use super::http::{header_value, lock};
use super::statuses::{Job, StatusOrder};

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
    /// When it arrived (its whole body read), in milliseconds since the Unix epoch: what a
    /// test of a rate limit counts requests per window by.
    pub received_unix_ms: u64,
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

/// A webhook registered with the mock (by `POST /create/webhooks`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct WebhookRegistration {
    /// The id the mock gave it (`wh_…`).
    pub id: String,
    /// Its topic: `messages` or `delivery_status`.
    pub topic: String,
    /// The address deliveries go to.
    pub address: String,
    /// Its `type`: `custom` unless the registration named another.
    pub kind: String,
    /// Its `configuration` as last sent; `{}` when none was.
    pub configuration: Value,
}

/// A message the mock accepted (a session or template message), as status events need it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AcceptedMessage {
    /// The id the mock answered with.
    pub id: String,
    /// The request path it came on (without a query string).
    pub path: String,
    /// The customer: `recipient.id` or `number`.
    pub recipient: String,
    /// `recipient.channelType` (`whatsapp` for a template message).
    pub channel_type: String,
    /// The business number it was sent from, if the request named one (`sender`).
    pub sender: Option<String>,
    /// The request's `callbackData`, if any.
    pub callback_data: Option<Value>,
    /// The request's `campaignName`, if any.
    pub campaign_name: Option<String>,
}

/// Fixed settings of one mock.
#[derive(Debug)]
pub(crate) struct Config {
    pub api_key: String,
    pub business_id: String,
    pub webhook_secret: String,
    /// The id deliveries name as their recipient.
    pub business_phone: String,
    /// How many requests (and accepted messages) are kept; older ones are forgotten.
    pub record_limit: usize,
}

/// The switches a test may change while the mock runs.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Settings {
    /// A second registration of a topic answers 409 instead of replacing the first.
    pub webhook_conflicts: bool,
    /// What `POST /get/templates` answers as `entity.templateGroups`.
    pub templates: Value,
    /// Campaigns `POST /send/campaigns` refuses with 409.
    pub unpublished: BTreeSet<String>,
    /// Whether accepted messages are followed by status deliveries, and in which order.
    pub auto_statuses: Option<StatusOrder>,
}

/// What the API endpoints read and change, apart from the request log.
#[derive(Debug)]
pub(crate) struct World {
    /// One per topic, in registration order.
    pub webhooks: Vec<WebhookRegistration>,
    pub messages: VecDeque<AcceptedMessage>,
    pub settings: Settings,
}

/// The mutable part, behind one lock that is never held during I/O.
#[derive(Debug)]
struct Inner {
    requests: VecDeque<RecordedRequest>,
    /// Requests received since the last clear, including forgotten ones.
    received: usize,
    failures: VecDeque<Failure>,
    world: World,
}

/// A mock's whole state, shared by its connections, its status worker and its handle.
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
    /// The queue of the thread making automatic status deliveries, started on first use.
    pub(crate) status_queue: Mutex<Option<mpsc::Sender<Job>>>,
    /// Set when the mock stops: no more automatic deliveries.
    pub(crate) stopped: AtomicBool,
}

impl State {
    pub(crate) fn new(config: Config, signer: Webhook, settings: Settings) -> State {
        State {
            config,
            signer,
            inner: Mutex::new(Inner {
                requests: VecDeque::new(),
                received: 0,
                failures: VecDeque::new(),
                world: World {
                    webhooks: Vec::new(),
                    messages: VecDeque::new(),
                    settings,
                },
            }),
            queued: AtomicUsize::new(0),
            instance: fastrand::u32(..),
            next_id: AtomicU64::new(1),
            http: OnceLock::new(),
            status_queue: Mutex::new(None),
            stopped: AtomicBool::new(false),
        }
    }

    /// A new message id, unique in this process.
    pub(crate) fn message_id(&self) -> String {
        let n = self.next_id.fetch_add(1, Ordering::Relaxed);
        format!("mock-{:08x}-{n}", self.instance)
    }

    /// A new webhook id, unique in this process.
    pub(crate) fn webhook_id(&self) -> String {
        let n = self.next_id.fetch_add(1, Ordering::Relaxed);
        format!("wh_{:08x}_{n}", self.instance)
    }

    /// Records a request, pops the failure that answers it, if any, and computes the normal
    /// answer with `answer`, under the lock. `answer` is told whether to apply the request's
    /// effects (register a webhook, accept a message): only when no failure, or a delay,
    /// answers it. A queued `DropBeforeRead` is popped but the request is not recorded
    /// nor answered.
    pub(crate) fn record<T>(
        &self,
        request: RecordedRequest,
        answer: impl FnOnce(&mut World, bool) -> T,
    ) -> (Option<Failure>, Option<T>) {
        let mut inner = lock(&self.inner);
        let failure = inner.failures.pop_front();
        self.queued.store(inner.failures.len(), Ordering::Release);
        if failure == Some(Failure::DropBeforeRead) {
            return (failure, None);
        }
        let commit = matches!(failure, None | Some(Failure::Delay(_)));
        let normal = answer(&mut inner.world, commit);
        inner.received += 1;
        if inner.requests.len() >= self.config.record_limit {
            inner.requests.pop_front();
        }
        if self.config.record_limit > 0 {
            inner.requests.push_back(request);
        }
        (failure, Some(normal))
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

    /// Clears the requests, the failure queue and the accepted messages.
    pub(crate) fn reset(&self) {
        let mut inner = lock(&self.inner);
        inner.requests.clear();
        inner.received = 0;
        inner.failures.clear();
        inner.world.messages.clear();
        self.queued.store(0, Ordering::Release);
    }

    pub(crate) fn webhooks(&self) -> Vec<WebhookRegistration> {
        lock(&self.inner).world.webhooks.clone()
    }

    /// The address registered for `topic`.
    pub(crate) fn webhook(&self, topic: &str) -> Option<String> {
        lock(&self.inner)
            .world
            .webhooks
            .iter()
            .find(|w| w.topic == topic)
            .map(|w| w.address.clone())
    }

    pub(crate) fn messages(&self) -> Vec<AcceptedMessage> {
        lock(&self.inner).world.messages.iter().cloned().collect()
    }

    /// The accepted message with this id, the newest if several.
    pub(crate) fn message(&self, id: &str) -> Option<AcceptedMessage> {
        lock(&self.inner)
            .world
            .messages
            .iter()
            .rev()
            .find(|m| m.id == id)
            .cloned()
    }

    /// Keeps an accepted message, forgetting the oldest beyond the record limit.
    pub(crate) fn keep_message(&self, world: &mut World, message: AcceptedMessage) {
        if world.messages.len() >= self.config.record_limit {
            world.messages.pop_front();
        }
        if self.config.record_limit > 0 {
            world.messages.push_back(message);
        }
    }

    pub(crate) fn settings(&self) -> Settings {
        lock(&self.inner).world.settings.clone()
    }

    /// Changes the switches.
    pub(crate) fn change_settings(&self, change: impl FnOnce(&mut Settings)) {
        change(&mut lock(&self.inner).world.settings);
    }
}
