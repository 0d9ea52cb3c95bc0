//! # connectly
//!
//! The SDK for the [Connectly](https://connectly.ai) business-messaging API (WhatsApp, SMS).
//!
//! - [`Client`] sends text and WhatsApp template messages and registers webhook endpoints,
//!   validating every input before a byte is sent and retrying only when a message cannot
//!   have been delivered twice.
//! - [`Webhook`] verifies deliveries over the raw body bytes, in constant time, before any
//!   parsing, and parses them into an [`Event`]; [`Webhook::receive`] is the whole policy of
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

mod bulk;
mod client;
pub mod clock;
mod error;
mod event;
mod interrupt;
mod kind;
mod receive;
mod recipient;
mod response;
mod retry;
mod transport;
mod validate;
mod webhook;

#[doc(hidden)]
#[path = "fuzz_api.rs"]
pub mod __fuzz;

pub use bulk::{BulkOptions, Message, Progress, DEFAULT_CONCURRENCY, MAX_CONCURRENCY};
pub use client::{
    Client, ClientBuilder, CONNECT_TIMEOUT, DEFAULT_BASE_URL, DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT,
    DEFAULT_TOTAL_TIMEOUT, MAX_RETRIES_LIMIT,
};
pub use error::{ApiError, Error, ValidationError};
pub use event::{Event, Party};
pub use interrupt::{Interrupt, INTERRUPT_INTERVAL};
pub use kind::{ErrorKind, RefusalKind};
pub use receive::Refusal;
pub use recipient::Recipient;
pub use response::Response;
pub use webhook::{SignatureHeader, Webhook, WebhookError, SIGNATURE_HEADER};

/// The SDK's version, as sent in the `User-Agent` header.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
