//! # connectly
//!
//! The SDK for the [Connectly](https://connectly.ai) business-messaging API (WhatsApp, SMS).
//!
//! - [`Client`] sends session messages of every kind (text, attachments, locations, lists,
//!   reply buttons) and WhatsApp templates with every field, manages webhook registrations,
//!   lists templates and sends campaigns, validating every input before a byte is sent and
//!   retrying only when a message cannot have been delivered twice.
//! - [`Webhook`] verifies deliveries over the raw body bytes, in constant time, before any
//!   parsing, and parses them into a typed [`Event`] ([`InboundMessage`] or
//!   [`DeliveryStatus`]; [`StatusTracker`] keeps statuses in order); [`Webhook::receive`] is the whole policy of
//!   a webhook endpoint (methods, sizes, encodings, the status of each refusal).
//!
//! The local mock Connectly is the `connectly-mock` crate, the command line `connectly-cli`;
//! this crate depends on neither, and has no `unsafe` code.
//!
//! ```no_run
//! use connectly::{Client, Recipient};
//!
//! let client = Client::from_env()?;
//! let response = client.send_text(&Recipient::whatsapp("+15555555555"), "hello!")?;
//! println!("{} after {} attempt(s)", response.status, response.attempts);
//! # Ok::<(), connectly::Error>(())
//! ```

#![forbid(unsafe_code)]

mod async_client;
mod bulk;
mod campaign;
mod cancel;
mod client;
pub mod clock;
mod completion;
mod engine;
mod error;
mod event;
mod fleet;
mod interrupt;
mod journal;
mod kind;
mod logging;
mod message;
mod operation;
mod progress;
mod rate_limit;
mod receive;
mod recipient;
mod response;
mod retry;
mod status_tracker;
mod template;
mod template_list;
mod transport;
mod validate;
#[cfg(unix)]
mod wakeup;
mod webhook;
mod webhook_admin;

#[doc(hidden)]
#[path = "fuzz_api.rs"]
pub mod __fuzz;

pub use async_client::AsyncClient;
pub use bulk::{BulkOptions, Outgoing, Progress, DEFAULT_CONCURRENCY, MAX_CONCURRENCY};
pub use campaign::{CampaignEntry, CampaignResult};
pub use cancel::CancelToken;
pub use client::{
    Client, ClientBuilder, CONNECT_TIMEOUT, DEFAULT_BASE_URL, DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT,
    DEFAULT_TOTAL_TIMEOUT, MAX_RETRIES_LIMIT,
};
pub use completion::{Completion, CompletionQueue, Ticket};
pub use error::{ApiError, Error, ValidationError};
pub use event::{
    ButtonReply, DeliveryStatus, ErrorDetail, Event, InboundAttachment, InboundLocation,
    InboundMessage, ListReply, MessageStatus, Party, RawEvent,
};
pub use fleet::dedup::{
    admit_key, admit_once, delivery_key, Admission, Claim, ClaimState, DedupTtls, Deduplicator,
    MemoryDeduplicator, RedisDeduplicator,
};
pub use fleet::local::LocalRateLimiter;
pub use fleet::redis_limiter::RedisRateLimiter;
pub use interrupt::{Interrupt, INTERRUPT_INTERVAL};
pub use kind::{ErrorKind, RefusalKind};
pub use logging::{log_queue, LogLevel, LogQueue, LogRecord, LOG_CAPACITY};
pub use message::{
    Attachment, AttachmentType, Button, ListMessage, ListRow, ListSection, Location, Message,
    MessageParts, ProductKind, ReplyButtons, MAX_BUTTONS, MAX_LIST_ROWS,
};
pub use operation::{Operation, Outcome};
pub use rate_limit::{Pending, RateLimiter};
pub use receive::Refusal;
pub use recipient::Recipient;
pub use response::Response;
pub use status_tracker::{MemoryStatusStore, RedisStatusStore, StatusStore, StatusTracker};
pub use template::{TemplateMessage, MAX_CALLBACK_DATA_BYTES};
pub use template_list::TemplateInfo;
pub use validate::json_argument;
pub use webhook::{SignatureHeader, Webhook, WebhookError, SIGNATURE_HEADER};
pub use webhook_admin::{NewWebhook, WebhookInfo, WebhookUpdate};

/// The SDK's version, as sent in the `User-Agent` header.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
