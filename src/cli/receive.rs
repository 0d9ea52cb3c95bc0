//! The long-running commands: `connectly mock` (the mock Connectly) and `connectly listen`
//! (a local webhook receiver).

use std::io::{BufRead, Write};
use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::{Exit, Failed, Outcome};
use crate::mock::http::{HttpServer, Reply, Request};
use crate::mock::MockServer;
use crate::{Webhook, SIGNATURE_HEADER};

/// `connectly mock`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub(super) struct MockArgs {
    #[command(subcommand)]
    action: Option<MockAction>,
    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(Debug, Subcommand)]
enum MockAction {
    /// Tell the running mock (at CONNECTLY_BASE_URL) to deliver an inbound message to the
    /// registered `messages` webhook.
    Deliver(DeliverArgs),
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// The port on 127.0.0.1; 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// The API key the mock accepts.
    #[arg(long, default_value = "mock-api-key")]
    api_key: String,
    /// The business id the mock serves.
    #[arg(long, default_value = "mock-business")]
    business_id: String,
    /// The secret the mock signs deliveries with.
    #[arg(long, default_value = "mock-webhook-secret")]
    webhook_secret: String,
    /// Also write the settings, as shell variable assignments, to this file once serving.
    #[arg(long, value_name = "PATH")]
    env_file: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct DeliverArgs {
    /// The sender's number.
    #[arg(long, default_value = "+15555550100")]
    from: String,
    /// The message text.
    #[arg(long)]
    text: String,
    /// The running mock's URL.
    #[arg(long, env = "CONNECTLY_BASE_URL")]
    base_url: String,
    /// The running mock's API key.
    #[arg(long, env = "CONNECTLY_API_KEY", hide_env_values = true)]
    api_key: String,
}

/// `connectly listen`.
#[derive(Debug, Args)]
pub(super) struct ListenArgs {
    /// The port on 127.0.0.1; 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// The webhook secret deliveries are signed with.
    #[arg(long, env = "CONNECTLY_WEBHOOK_SECRET", hide_env_values = true)]
    secret: String,
    /// Print each event's whole JSON instead of a summary line.
    #[arg(long)]
    json: bool,
    /// Write the receiver's URL to this file once listening.
    #[arg(long, value_name = "PATH")]
    url_file: Option<PathBuf>,
}

/// Writes `contents` to `path` whole: readers never see a partial file.
fn write_atomically(path: &PathBuf, contents: &str) -> std::io::Result<()> {
    let mut tmp = path.clone().into_os_string();
    tmp.push(".tmp");
    std::fs::write(&tmp, contents)?;
    std::fs::rename(&tmp, path)
}

/// Blocks until the process is stopped (Ctrl-C or a signal).
fn park_forever() -> ! {
    loop {
        std::thread::park();
    }
}

pub(super) fn mock(args: MockArgs) -> Outcome {
    match args.action {
        Some(MockAction::Deliver(deliver)) => mock_deliver(&deliver),
        None => serve_mock(args.serve),
    }
}

fn serve_mock(args: ServeArgs) -> Outcome {
    let mock = MockServer::builder()
        .port(args.port)
        .api_key(&args.api_key)
        .business_id(&args.business_id)
        .webhook_secret(&args.webhook_secret)
        .start()
        .map_err(|e| Failed::new(Exit::Failure, format!("the mock could not start: {e}")))?;
    let settings = format!(
        "CONNECTLY_BASE_URL={}\nCONNECTLY_API_KEY={}\nCONNECTLY_BUSINESS_ID={}\nCONNECTLY_WEBHOOK_SECRET={}\n",
        mock.url(),
        mock.api_key(),
        mock.business_id(),
        mock.webhook_secret()
    );
    print!("{settings}");
    std::io::stdout().flush()?;
    if let Some(path) = &args.env_file {
        write_atomically(path, &settings)?;
    }
    eprintln!(
        "mock Connectly serving on {}; type a line to deliver it as an inbound message \
         to the registered webhook; Ctrl-C stops",
        mock.url()
    );
    for line in std::io::stdin().lock().lines() {
        let text = line?;
        if text.trim().is_empty() {
            continue;
        }
        match mock.deliver_inbound("+15555550100", &text) {
            Ok(delivery) => eprintln!("delivered: the webhook answered {}", delivery.status),
            Err(e) => eprintln!("not delivered: {e}"),
        }
    }
    park_forever()
}

fn mock_deliver(args: &DeliverArgs) -> Outcome {
    let base = args.base_url.trim_end_matches('/');
    let http = reqwest::blocking::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .map_err(|_| Failed::new(Exit::Failure, "the HTTP client could not be initialised"))?;
    let response = http
        .post(format!("{base}/_mock/deliver"))
        .header("X-API-Key", &args.api_key)
        .header("Content-Type", "application/json")
        .body(serde_json::json!({"from": args.from, "text": args.text}).to_string())
        .send()
        .map_err(|e| {
            Failed::new(
                Exit::Network,
                format!("the mock did not answer: {}", e.without_url()),
            )
        })?;
    let status = response.status().as_u16();
    let body = response.text().unwrap_or_default();
    let result: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
    if !(200..300).contains(&status) {
        let reason = result["message"]
            .as_str()
            .map_or_else(|| format!("it answered HTTP {status}"), str::to_owned);
        return Err(Failed::new(
            Exit::Failure,
            format!("the mock could not deliver: {reason}"),
        ));
    }
    println!(
        "delivered to {}: the webhook answered HTTP {}",
        result["address"]
            .as_str()
            .unwrap_or("the registered webhook"),
        result["status"]
    );
    Ok(())
}

/// Answers one delivery: 200 when it verifies, 403 when the signature does not, 400 when the
/// signed body is not an event, 405 for anything but POST.
fn receive(webhook: &Webhook, json: bool, request: &Request) -> Reply {
    if request.method != "POST" {
        return Reply::text(405, "POST only\n");
    }
    match webhook.verify_event(&request.body, request.header(SIGNATURE_HEADER)) {
        Ok(event) => {
            if json {
                println!("{}", event.raw);
            } else {
                println!(
                    "verified delivery: {} on {} -> {}: {}",
                    event.sender.id,
                    event.sender.channel_type,
                    event.recipient.id,
                    event
                        .text
                        .as_deref()
                        .map_or("(no text)".into(), |t| format!("{t:?}")),
                );
            }
            Reply::text(200, "ok\n")
        }
        Err(err) => {
            eprintln!("rejected delivery ({}): {err}", err.kind_name());
            let status = match err {
                crate::WebhookError::InvalidPayload(_) => 400,
                crate::WebhookError::PayloadTooLarge { .. } => 413,
                _ => 403,
            };
            Reply::text(status, format!("{}\n", err.kind_name()))
        }
    }
}

pub(super) fn listen(args: ListenArgs) -> Outcome {
    let webhook =
        Webhook::new(&args.secret).map_err(|e| Failed::new(Exit::Invalid, e.to_string()))?;
    let json = args.json;
    let server = HttpServer::start(("127.0.0.1", args.port), move |request: &Request| {
        receive(&webhook, json, request)
    })?;
    let url = format!("http://{}/webhook", server.addr());
    println!("listening on {url}");
    std::io::stdout().flush()?;
    if let Some(path) = &args.url_file {
        write_atomically(path, &url)?;
    }
    park_forever()
}
