//! The long-running commands: `connectly mock` (the mock Connectly) and `connectly listen`
//! (a local webhook receiver).

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::{Args, Subcommand};
use http::header::{HeaderValue, ALLOW, CONTENT_TYPE};
use http::{HeaderMap, Response, StatusCode};

use super::{Exit, Failed, Outcome};
use connectly::{
    admit_once, Admission, DedupTtls, Deduplicator, MemoryDeduplicator, RedisDeduplicator, Refusal,
    Webhook,
};
use connectly_mock::MockServer;

mod server;

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
    /// registered `messages` webhook (--text), or a delivery status of a message it
    /// accepted to the `delivery_status` webhook (--status and --for).
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
#[command(group = clap::ArgGroup::new("event").required(true).args(["text", "status"]))]
struct DeliverArgs {
    /// The sender's number (of an inbound message).
    #[arg(long, default_value = "+15555550100", conflicts_with = "status")]
    from: String,
    /// The text of an inbound message.
    #[arg(long)]
    text: Option<String>,
    /// A delivery status (sent, delivered, read, delivery_failed, or any other string)
    /// of the message given by --for.
    #[arg(long, requires = "message_id")]
    status: Option<String>,
    /// The id the mock answered a send with.
    #[arg(long = "for", value_name = "MESSAGE_ID", requires = "status")]
    message_id: Option<String>,
    /// Where the status event names the message's campaign: top-level `metadata`, or
    /// inside `statusUpdate`.
    #[arg(long, value_name = "PLACE", requires = "status",
          value_parser = ["metadata", "status_update"])]
    campaign_name_place: Option<String>,
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
    /// The largest delivery accepted, in bytes, before and after removing gzip.
    #[arg(long, value_name = "BYTES", default_value_t = Webhook::DEFAULT_MAX_BODY_SIZE)]
    max_body_size: usize,
    /// Handle each delivery once: `memory` for this process, or a Redis URL
    /// (redis://[:password@]host:port/db) shared by every receiver using it. A copy arriving
    /// while the first is handled is answered 409 (Connectly retries it); a handled one, 200.
    #[arg(
        long,
        env = "CONNECTLY_DEDUP",
        hide_env_values = true,
        value_name = "memory|URL"
    )]
    dedup: Option<String>,
}

/// Writes `contents` (which may hold credentials) to `path` whole, readable by the owner
/// only: readers never see a partial file. The temporary file has a random name in the same
/// directory and is created new, so a link planted there is never followed; it is removed
/// if anything fails.
fn write_atomically(path: &Path, contents: &str) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let mut attempts = 0;
    let (tmp, mut file) = loop {
        let tmp = dir.join(format!(".{name}.{:016x}.tmp", fastrand::u64(..)));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        match options.open(&tmp) {
            Ok(file) => break (tmp, file),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempts < 16 => {
                attempts += 1;
            }
            Err(e) => return Err(e),
        }
    };
    let synced = file
        .write_all(contents.as_bytes())
        .and_then(|()| file.sync_all());
    drop(file);
    let written = synced.and_then(|()| std::fs::rename(&tmp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
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
    let (path, request, what) = match (&args.text, &args.status, &args.message_id) {
        (Some(text), _, _) => (
            "deliver",
            serde_json::json!({"from": args.from, "text": text}),
            "the message".to_owned(),
        ),
        (None, Some(status), Some(id)) => {
            let mut request = serde_json::json!({"message_id": id, "status": status});
            if let Some(place) = &args.campaign_name_place {
                request["campaign_name_place"] = place.as_str().into();
            }
            (
                "deliver_status",
                request,
                format!("status {status:?} of {id}"),
            )
        }
        _ => {
            return Err(Failed::new(
                Exit::Usage,
                "give --text, or --status with --for",
            ))
        }
    };
    let response = http
        .post(format!("{base}/_mock/{path}"))
        .header("X-API-Key", &args.api_key)
        .header("Content-Type", "application/json")
        .body(request.to_string())
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
        "delivered {what} to {}: the webhook answered HTTP {}",
        result["address"]
            .as_str()
            .unwrap_or("the registered webhook"),
        result["status"]
    );
    Ok(())
}

/// Answers one delivery by the SDK's receiving policy (`Webhook::receive_headers`): 200 when
/// it verifies, otherwise the refusal's status (405 with `Allow: POST`, 413, 415, 400, 403).
fn receive(
    webhook: &Webhook,
    dedup: Option<&Arc<dyn Deduplicator>>,
    json: bool,
    method: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Response<String> {
    match webhook.receive_headers(method, headers, body) {
        Ok(event) => {
            let claim = match dedup.map(|store| admit_once(store, &event, DedupTtls::default())) {
                None => None,
                Some(Ok(Admission::Run(claim))) => Some(claim),
                Some(Ok(Admission::InProgress(status))) => {
                    return text(status, "in progress\n".to_owned())
                }
                Some(Ok(Admission::Duplicate(status))) => {
                    return text(status, "duplicate\n".to_owned())
                }
                Some(Err(error)) => {
                    eprintln!("deduplication store unavailable: {error}");
                    return text(503, "try again\n".to_owned());
                }
            };
            if json {
                println!("{}", event.raw());
            } else {
                println!("{}", summary(&event));
            }
            if let Some(claim) = claim {
                if let Err(error) = claim.complete() {
                    eprintln!("deduplication store unavailable: {error}");
                }
            }
            text(200, "ok\n".to_owned())
        }
        Err(refusal) => {
            eprintln!("rejected delivery ({}): {refusal}", refusal.kind_name());
            let mut reply = text(refusal.status(), format!("{}\n", refusal.kind_name()));
            if let Refusal::MethodNotAllowed = refusal {
                reply
                    .headers_mut()
                    .insert(ALLOW, HeaderValue::from_static("POST"));
            }
            reply
        }
    }
}

/// A plain-text answer.
fn text(status: u16, body: String) -> Response<String> {
    let mut response = Response::new(body);
    *response.status_mut() =
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let plain = HeaderValue::from_static("text/plain; charset=utf-8");
    response.headers_mut().insert(CONTENT_TYPE, plain);
    response
}

/// `connectly listen`: prints the receiver's URL, then answers deliveries until the process
/// is stopped.
pub(super) fn listen(args: ListenArgs) -> Outcome {
    let webhook = Webhook::new(&args.secret)
        .map_err(|e| Failed::new(Exit::Invalid, e.to_string()))?
        .with_max_body_size(args.max_body_size);
    let listener = std::net::TcpListener::bind(("127.0.0.1", args.port))?;
    let url = format!("http://{}/webhook", listener.local_addr()?);
    println!("listening on {url}");
    std::io::stdout().flush()?;
    if let Some(path) = &args.url_file {
        write_atomically(path, &url)?;
    }
    // The policy reads one byte past the limit, to tell a body at the limit from a larger one.
    let limit = webhook.max_body_size().saturating_add(1);
    let json = args.json;
    let dedup: Option<Arc<dyn Deduplicator>> = match args.dedup.as_deref() {
        None => None,
        Some("memory") => Some(Arc::new(MemoryDeduplicator::default())),
        Some(url) => Some(Arc::new(RedisDeduplicator::new(url)?)),
    };
    match server::serve(listener, limit, move |method, headers, body| {
        receive(&webhook, dedup.as_ref(), json, method, headers, body)
    })? {}
}

/// One line about a verified delivery: who wrote to whom and what, typed by topic.
fn summary(event: &connectly::Event) -> String {
    let route = format!(
        "{} on {} -> {}",
        event.sender().id,
        event.sender().channel_type,
        event.recipient().id
    );
    match event {
        connectly::Event::Message(m) => {
            let what = if let Some(a) = &m.attachment {
                format!("{} attachment {}", a.kind, a.url)
            } else if let Some(l) = &m.location {
                format!("location {}, {}", l.latitude, l.longitude)
            } else if let Some(b) = &m.button_reply {
                format!("button reply {:?} (payload {:?})", b.text, b.payload)
            } else if let Some(l) = &m.list_reply {
                format!("list reply {:?}", l.id)
            } else {
                m.text
                    .as_deref()
                    .map_or("(no text)".into(), |t| format!("{t:?}"))
            };
            format!("verified delivery: {route}: {what}")
        }
        connectly::Event::DeliveryStatus(s) => {
            let mut line = format!(
                "verified delivery status: {route}: message {} is {}",
                s.message_id,
                s.status.as_str()
            );
            if let Some(code) = s.error.as_ref().and_then(|e| e.code.as_deref()) {
                line.push_str(&format!(" ({code})"));
            }
            if let Some(data) = event.callback_data() {
                line.push_str(&format!(", callback data {data}"));
            }
            line
        }
        other => format!("verified {} event: {route}", other.topic()),
    }
}
