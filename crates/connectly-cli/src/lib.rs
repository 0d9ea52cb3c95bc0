//! The `connectly` command-line tool: send messages of every kind, templates and campaigns,
//! manage webhooks, list templates, sign and verify deliveries, and run the mock Connectly
//! or a local webhook receiver.
//!
//! Exit codes: 0 success, 1 an unexpected failure, 2 bad usage, 3 invalid input or
//! configuration, 4 authentication refused, 5 rate limited, 6 request refused by the API,
//! 7 server error, 8 network failure (timeout, connection, TLS, redirect, oversized reply),
//! 9 a webhook delivery failed verification, 130 interrupted.

use std::ffi::OsString;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};

mod api;
mod bulk;
mod campaign;
mod input;
mod manage;
mod message;
mod receive;
mod signing;

/// The process exit codes, one per kind of failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Exit {
    /// Success.
    Ok = 0,
    /// An unexpected failure (I/O, the mock could not start, ...).
    Failure = 1,
    /// Bad command-line usage.
    Usage = 2,
    /// Invalid input or configuration; nothing was sent.
    Invalid = 3,
    /// The API refused the API key.
    Authentication = 4,
    /// The API answered 429.
    RateLimited = 5,
    /// The API refused the request (another 4xx).
    Refused = 6,
    /// The API failed (5xx).
    Server = 7,
    /// The request failed in transit: timeout, connection, TLS, redirect, oversized reply.
    Network = 8,
    /// A webhook delivery failed verification.
    BadSignature = 9,
    /// The call was interrupted before it finished (128 + SIGINT, as shells report Ctrl-C).
    Interrupted = 130,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        ExitCode::from(exit as u8)
    }
}

/// A failure the tool reports: what to print, and the exit code.
#[derive(Debug)]
pub(crate) struct Failed {
    exit: Exit,
    message: String,
}

impl Failed {
    pub(crate) fn new(exit: Exit, message: impl Into<String>) -> Self {
        Self {
            exit,
            message: message.into(),
        }
    }

    /// The same failure, its message preceded by where it happened.
    pub(crate) fn context(mut self, place: impl std::fmt::Display) -> Self {
        self.message = format!("{place}: {}", self.message);
        self
    }
}

impl From<connectly::Error> for Failed {
    fn from(err: connectly::Error) -> Self {
        use connectly::Error as E;
        let (exit, hint) = match &err {
            E::Validation(_) | E::Config(_) => (Exit::Invalid, ""),
            E::Authentication(_) => (
                Exit::Authentication,
                "\nhint: check CONNECTLY_API_KEY and CONNECTLY_BUSINESS_ID",
            ),
            E::RateLimited { .. } => (Exit::RateLimited, "\nhint: slow down and try again"),
            E::Server(_) => (
                Exit::Server,
                "\nhint: the message may or may not have been sent; check before resending",
            ),
            // The error's own text says when the request may have arrived.
            E::Timeout { .. } | E::Transport { .. } | E::ResponseTooLarge { .. } => (
                Exit::Network,
                if err.possibly_sent() {
                    ""
                } else {
                    "\nhint: nothing reached the API; check CONNECTLY_BASE_URL and the network"
                },
            ),
            E::Tls { .. } | E::Redirect { .. } => {
                (Exit::Network, "\nhint: check CONNECTLY_BASE_URL")
            }
            E::Api(_) => (Exit::Refused, ""),
            E::Cancelled { .. } => (Exit::Interrupted, ""),
        };
        Failed::new(exit, format!("{err}{hint}"))
    }
}

impl From<connectly::ValidationError> for Failed {
    fn from(err: connectly::ValidationError) -> Self {
        connectly::Error::from(err).into()
    }
}

impl From<std::io::Error> for Failed {
    fn from(err: std::io::Error) -> Self {
        Failed::new(Exit::Failure, err.to_string())
    }
}

pub(crate) type Outcome = Result<(), Failed>;

#[derive(Debug, Parser)]
#[command(
    name = "connectly",
    version,
    about = "Send messages, templates and campaigns through Connectly, manage webhooks, list \
             templates, and verify deliveries.",
    after_help = "Exit codes: 0 ok, 1 failure, 2 usage, 3 invalid input, 4 authentication, \
                  5 rate limited, 6 refused, 7 server error, 8 network, 9 bad signature, \
                  130 interrupted."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Where and how to reach the API.
#[derive(Debug, clap::Args)]
struct Connection {
    /// The API key (prefer the environment variable: flags show in process lists).
    #[arg(long, env = "CONNECTLY_API_KEY", hide_env_values = true)]
    api_key: Option<String>,
    /// The business id.
    #[arg(long, env = "CONNECTLY_BUSINESS_ID")]
    business_id: Option<String>,
    /// The API's base URL.
    #[arg(long, env = "CONNECTLY_BASE_URL", default_value = connectly::DEFAULT_BASE_URL)]
    base_url: String,
    /// Seconds each attempt may take.
    #[arg(long, value_name = "SECONDS", value_parser = seconds, default_value = "30")]
    timeout: Duration,
    /// How many times a failed attempt may be retried (0 to 10).
    #[arg(long, default_value_t = connectly::DEFAULT_MAX_RETRIES)]
    max_retries: u32,
    /// Share the send budget with every process using this Redis
    /// (redis://[:password@]host:port/db): each send waits its turn at --redis-rate.
    #[arg(
        long,
        env = "CONNECTLY_REDIS_URL",
        hide_env_values = true,
        value_name = "URL"
    )]
    redis: Option<String>,
    /// The shared budget, in sends per second, with --redis (Connectly allows 200).
    #[arg(long, value_name = "PER_SECOND", default_value_t = connectly::LocalRateLimiter::DEFAULT_RATE)]
    redis_rate: f64,
}

impl Connection {
    fn client(&self) -> Result<connectly::Client, connectly::Error> {
        let mut builder = connectly::Client::builder()
            .base_url(&self.base_url)
            .timeout(self.timeout)
            .max_retries(self.max_retries);
        if let Some(url) = &self.redis {
            let limiter = connectly::RedisRateLimiter::new(url, self.redis_rate)?;
            builder = builder.rate_limiter(std::sync::Arc::new(limiter));
        }
        if let Some(key) = &self.api_key {
            builder = builder.api_key(key);
        }
        if let Some(id) = &self.business_id {
            builder = builder.business_id(id);
        }
        builder.build()
    }
}

/// The webhook secret, from a flag or the environment.
#[derive(Debug, clap::Args)]
struct Secret {
    /// The webhook secret (prefer the environment variable: flags show in process lists).
    #[arg(long, env = "CONNECTLY_WEBHOOK_SECRET", hide_env_values = true)]
    secret: String,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Send a free-form text message.
    SendText {
        #[command(flatten)]
        connection: Connection,
        /// The channel: whatsapp, sms, or any other the API knows.
        #[arg(long, default_value = "whatsapp")]
        channel: String,
        /// The recipient: an E.164 number such as +15555555555, or a channel user id.
        #[arg(long)]
        to: String,
        /// The message text.
        #[arg(long)]
        text: String,
    },
    /// Send a session message: a text, an attachment, a location, reply buttons or a list,
    /// from flags or from a JSON file in the API's `message` shape.
    SendMessage {
        #[command(flatten)]
        connection: Connection,
        #[command(flatten)]
        args: Box<message::MessageArgs>,
    },
    /// Send a WhatsApp template message.
    SendTemplate {
        #[command(flatten)]
        connection: Connection,
        #[command(flatten)]
        args: api::TemplateArgs,
    },
    /// Register the address Connectly delivers a topic's events to (as `webhooks create`).
    CreateWebhook {
        #[command(flatten)]
        connection: Connection,
        #[command(flatten)]
        webhook: api::WebhookArgs,
    },
    /// Manage webhook registrations: list, create, update, delete, upsert.
    Webhooks {
        #[command(subcommand)]
        action: manage::WebhooksAction,
    },
    /// List the business's WhatsApp templates.
    Templates {
        #[command(subcommand)]
        action: manage::TemplatesAction,
    },
    /// Send a published campaign to the entries of a file.
    Campaign {
        #[command(subcommand)]
        action: campaign::CampaignAction,
    },
    /// Print the signature header Connectly would send for a body.
    Sign {
        #[command(flatten)]
        secret: Secret,
        /// The body file; `-` or nothing reads standard input.
        file: Option<String>,
    },
    /// Verify a delivery's signature over its exact body; print the event when it is valid.
    Verify {
        #[command(flatten)]
        secret: Secret,
        /// The x-connectly-hmac-sha256 header's value.
        #[arg(long)]
        signature: String,
        /// The body file; `-` or nothing reads standard input.
        file: Option<String>,
        /// Only check the signature; do not parse the body as an event.
        #[arg(long)]
        signature_only: bool,
    },
    /// Send every message in a CSV or JSON-lines file, with bounded concurrency and an
    /// optional rate limit; print one JSON result per message, in order.
    Bulk {
        #[command(flatten)]
        connection: Connection,
        #[command(flatten)]
        args: bulk::BulkArgs,
    },
    /// Run the mock Connectly on 127.0.0.1, or tell a running one to deliver a message.
    Mock(receive::MockArgs),
    /// Receive webhook deliveries on 127.0.0.1, verify each, and print its event.
    Listen(receive::ListenArgs),
}

/// Parses a positive number of seconds.
fn seconds(value: &str) -> Result<Duration, String> {
    value
        .parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s > 0.0)
        .and_then(|s| Duration::try_from_secs_f64(s).ok())
        .ok_or_else(|| "expected a positive number of seconds".to_string())
}

/// Parses `NAME=VALUE`.
fn param(value: &str) -> Result<(String, String), String> {
    value
        .split_once('=')
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .ok_or_else(|| "expected NAME=VALUE".to_string())
}

/// Runs the tool with the process's arguments.
pub fn main() -> ExitCode {
    run(std::env::args_os()).into()
}

/// Runs the tool with the given arguments (the first is the program name) and returns its
/// exit code; output goes to the process's standard output and error.
pub fn run<I, T>(args: I) -> Exit
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return if err.use_stderr() {
                Exit::Usage
            } else {
                Exit::Ok
            };
        }
    };
    match dispatch(cli.command) {
        Ok(()) => Exit::Ok,
        Err(failed) => {
            eprintln!("error: {}", failed.message);
            failed.exit
        }
    }
}

fn dispatch(command: Command) -> Outcome {
    match command {
        Command::SendText {
            connection,
            channel,
            to,
            text,
        } => api::send_text(&connection.client()?, &channel, &to, &text),
        Command::SendMessage { connection, args } => {
            message::send_message(&connection.client()?, &args)
        }
        Command::SendTemplate { connection, args } => {
            api::send_template(&connection.client()?, &args)
        }
        Command::CreateWebhook {
            connection,
            webhook,
        } => api::create_webhook(&connection.client()?, &webhook),
        Command::Webhooks { action } => manage::webhooks(action),
        Command::Templates { action } => manage::templates(action),
        Command::Campaign { action } => campaign::campaign(action),
        Command::Bulk { connection, args } => bulk::bulk(&connection.client()?, &args),
        Command::Sign { secret, file } => signing::sign(&secret.secret, file.as_deref()),
        Command::Verify {
            secret,
            signature,
            file,
            signature_only,
        } => signing::verify(&secret.secret, &signature, file.as_deref(), signature_only),
        Command::Mock(args) => receive::mock(args),
        Command::Listen(args) => receive::listen(args),
    }
}
