//! The logging bridge: the SDK's `tracing` records, kept in a bounded queue that a binding
//! drains on a thread of its own (Python's `logging`, Go's `log/slog`, a C callback), so
//! that recording never blocks a call, never waits for a lock a slow consumer holds, and
//! never runs a foreign language's code on a network thread.
//!
//! Rust programs need none of this: the SDK's records are ordinary `tracing` events under
//! the target `connectly`, for any subscriber.

use std::collections::VecDeque;
use std::fmt::{self, Write as _};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock, PoisonError};
use std::time::Duration;

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};

/// How many records wait at most; beyond it, new records are dropped and counted.
pub const LOG_CAPACITY: usize = 1024;

/// How severe a record is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LogLevel {
    /// Every step of a call.
    Debug,
    /// A call's outcome.
    Info,
    /// A retry, or a call given up.
    Warn,
}

impl LogLevel {
    /// `debug`, `info` or `warn`.
    pub fn name(self) -> &'static str {
        match self {
            LogLevel::Debug => "debug",
            LogLevel::Info => "info",
            LogLevel::Warn => "warn",
        }
    }
}

/// One record: its level, its message, and its fields as text, in the order recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogRecord {
    /// How severe it is.
    pub level: LogLevel,
    /// The [`Client::id`](crate::Client::id) of the client whose call it records; 0 for a
    /// record about no one client (such as the report of dropped records).
    pub client: u64,
    /// What happened, such as `retrying`.
    pub message: String,
    /// The details, such as `("status", "503")`.
    pub fields: Vec<(&'static str, String)>,
}

impl fmt::Display for LogRecord {
    /// `message key=value key=value`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        for (key, value) in &self.fields {
            write!(f, " {key}={value}")?;
        }
        Ok(())
    }
}

#[derive(Debug, Default)]
struct Queue {
    records: Mutex<VecDeque<LogRecord>>,
    arrived: Condvar,
    dropped: AtomicU64,
    /// How many of the dropped records a `records dropped` record has reported.
    reported: AtomicU64,
}

/// The SDK's records, from [`log_queue`]: take them with [`LogQueue::wait`] on a thread of
/// your own. Clones are the same queue.
#[derive(Debug, Clone)]
pub struct LogQueue {
    queue: Arc<Queue>,
}

/// The process's log queue, installed as the global `tracing` subscriber the first time it
/// is asked for; `None` when the program already installed another subscriber (its records
/// then go there).
pub fn log_queue() -> Option<LogQueue> {
    static INSTALLED: OnceLock<Option<LogQueue>> = OnceLock::new();
    INSTALLED
        .get_or_init(|| {
            let queue = LogQueue {
                queue: Arc::new(Queue::default()),
            };
            let subscriber = Collector {
                queue: queue.queue.clone(),
            };
            tracing::subscriber::set_global_default(subscriber)
                .ok()
                .map(|()| queue)
        })
        .clone()
}

impl LogQueue {
    /// Waits up to `timeout` for records, then takes every one waiting (none when the time
    /// ran out). When records were dropped since the last take, the first record taken is a
    /// warning, `records dropped`, with their number as `count`.
    pub fn wait(&self, timeout: Duration) -> Vec<LogRecord> {
        let records = self
            .queue
            .records
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let (mut records, _) = self
            .queue
            .arrived
            .wait_timeout_while(records, timeout, |r| r.is_empty())
            .unwrap_or_else(PoisonError::into_inner);
        let dropped = self.queue.dropped.load(Ordering::Relaxed);
        let unreported = dropped - self.queue.reported.swap(dropped, Ordering::Relaxed);
        let mut taken = Vec::with_capacity(records.len() + 1);
        if unreported > 0 {
            taken.push(LogRecord {
                level: LogLevel::Warn,
                client: 0,
                message: "records dropped".to_owned(),
                fields: vec![("count", unreported.to_string())],
            });
        }
        taken.extend(records.drain(..));
        taken
    }

    /// How many records were dropped because the queue was full, since the process started.
    pub fn dropped(&self) -> u64 {
        self.queue.dropped.load(Ordering::Relaxed)
    }
}

/// The subscriber: keeps the SDK's events (target `connectly`) in the queue; spans and
/// every other crate's events are ignored.
struct Collector {
    queue: Arc<Queue>,
}

/// Reads an event's fields into text.
#[derive(Default)]
struct Fields {
    message: String,
    client: u64,
    fields: Vec<(&'static str, String)>,
}

impl Visit for Fields {
    fn record_u64(&mut self, field: &Field, value: u64) {
        if field.name() == "client" {
            self.client = value;
        } else {
            self.fields.push((field.name(), value.to_string()));
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        let mut text = String::new();
        let _ = write!(text, "{value:?}");
        if field.name() == "message" {
            self.message = text;
        } else {
            self.fields.push((field.name(), text));
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message = value.to_owned();
        } else {
            self.fields.push((field.name(), value.to_owned()));
        }
    }
}

impl Subscriber for Collector {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.target().starts_with("connectly") && *metadata.level() <= Level::DEBUG
    }

    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let level = match *event.metadata().level() {
            Level::ERROR | Level::WARN => LogLevel::Warn,
            Level::INFO => LogLevel::Info,
            _ => LogLevel::Debug,
        };
        let mut fields = Fields::default();
        event.record(&mut fields);
        let record = LogRecord {
            level,
            client: fields.client,
            message: fields.message,
            fields: fields.fields,
        };
        let mut records = self
            .queue
            .records
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if records.len() >= LOG_CAPACITY {
            self.queue.dropped.fetch_add(1, Ordering::Relaxed);
            return;
        }
        let was_empty = records.is_empty();
        records.push_back(record);
        drop(records);
        // A consumer waits only while the queue is empty: wake it on that edge alone, so a
        // busy queue costs no system call per record.
        if was_empty {
            self.queue.arrived.notify_one();
        }
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}
