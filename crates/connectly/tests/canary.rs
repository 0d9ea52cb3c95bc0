//! Secret canary: with every log record captured at trace level (the SDK's dependencies log
//! through `log`, and hyper's `tracing` events are forwarded to it), every error path is
//! triggered — 401, 403, 429, 500, redirect, timeout, refused connection, TLS failures, an
//! oversized, broken or half-written response, and each webhook error — and the canary API
//! key and webhook secret must appear 0 times in the logs, the error texts and their `Debug`
//! forms.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use connectly::{Client, Error, Recipient, Webhook, WebhookError};
use connectly_mock::{Failure, MockServer};

const KEY: &str = "CANARY-API-KEY-5d1e77";
const SECRET: &str = "CANARY-WEBHOOK-SECRET-9b2c41";

/// Every log record, formatted with its target and fields.
static LOGS: Mutex<String> = Mutex::new(String::new());

struct Capture;

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }

    fn log(&self, record: &log::Record<'_>) {
        let line = format!(
            "{} {} {:?}\n",
            record.level(),
            record.target(),
            record.args()
        );
        LOGS.lock()
            .unwrap_or_else(|e| e.into_inner())
            .push_str(&line);
    }

    fn flush(&self) {}
}

fn capture_logs() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        log::set_boxed_logger(Box::new(Capture)).unwrap();
        log::set_max_level(log::LevelFilter::Trace);
    });
}

fn send(client: &Client) -> Error {
    client
        .send_text(&Recipient::whatsapp("+15555555555"), "canary message")
        .unwrap_err()
}

fn client_for(url: &str, timeout: Duration, retries: u32) -> Client {
    Client::builder()
        .api_key(KEY)
        .business_id("canary-business")
        .base_url(url)
        .timeout(timeout)
        .max_retries(retries)
        .build()
        .unwrap()
}

/// A TLS server with a self-signed certificate the client does not trust.
fn untrusted_tls_server() -> String {
    let cert = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).unwrap();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(rustls::pki_types::PrivatePkcs8KeyDer::from(
        cert.signing_key.serialize_der(),
    ));
    let config = Arc::new(
        rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert.cert.der().clone()], key)
        .unwrap(),
    );
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for tcp in listener.incoming().flatten() {
            let config = config.clone();
            std::thread::spawn(move || {
                let _ = tcp.set_read_timeout(Some(Duration::from_secs(5)));
                let conn = rustls::ServerConnection::new(config).unwrap();
                let mut tls = rustls::StreamOwned::new(conn, tcp);
                let mut buf = [0u8; 1024];
                let _ = tls.read(&mut buf);
                let _ = tls.flush();
            });
        }
    });
    format!("https://127.0.0.1:{port}")
}

/// Every client error path, against the mock and a few bare servers.
fn client_errors() -> Vec<Error> {
    let mock = MockServer::builder()
        .api_key(KEY)
        .webhook_secret(SECRET)
        .start()
        .unwrap();
    let client = client_for(&mock.url(), Duration::from_secs(5), 0);
    // The key echoed in every field, nested values and object keys included. (The client
    // never holds the webhook secret, so no reply can echo it.)
    let echo = format!("{{\"message\":\"echo {KEY}\",\"code\":\"{KEY}\",\"cntTraceId\":\"{KEY}\",\"userMessage\":\"{KEY}\",\"details\":{{\"{KEY}\":[\"{KEY}\"]}}}}");
    let mut errors = Vec::new();
    for status in [400, 401, 403, 404, 429, 500, 502, 302] {
        mock.fail_next([Failure::status(status).with_body(echo.clone())]);
        errors.push(send(&client));
        mock.fail_next([Failure::status(status).with_body(format!("plain text {KEY}"))]);
        errors.push(send(&client));
    }
    // Retried 429s, then out of attempts.
    let retrying = client_for(&mock.url(), Duration::from_secs(5), 2);
    let limited = Failure::status(429)
        .retry_after("0")
        .with_body(echo.clone());
    mock.fail_next([limited.clone(), limited.clone(), limited]);
    errors.push(send(&retrying));
    for failure in [
        Failure::Drop,
        Failure::DropBeforeRead,
        Failure::ResetMidBody,
        Failure::HalfWritten,
        Failure::Huge {
            bytes: 20 * 1024 * 1024,
            chunked: true,
        },
        Failure::Huge {
            bytes: 20 * 1024 * 1024,
            chunked: false,
        },
    ] {
        mock.fail_next([failure]);
        errors.push(send(&client));
    }
    // Timeouts: no answer in time, and a body that dribbles.
    let hasty = client_for(&mock.url(), Duration::from_millis(300), 0);
    mock.fail_next([Failure::delay(Duration::from_secs(2))]);
    errors.push(send(&hasty));
    mock.fail_next([Failure::Dribble {
        bytes_per_second: 1,
    }]);
    errors.push(send(&hasty));
    // Refused: nothing listens on the port.
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    errors.push(send(&client_for(
        &format!("http://127.0.0.1:{port}"),
        Duration::from_secs(5),
        1,
    )));
    // TLS: an untrusted certificate, and TLS spoken to a plain-HTTP server.
    errors.push(send(&client_for(
        &untrusted_tls_server(),
        Duration::from_secs(5),
        2,
    )));
    errors.push(send(&client_for(
        &mock.url().replace("http://", "https://"),
        Duration::from_secs(5),
        2,
    )));
    // Configuration and validation errors that involve the key.
    errors.push(
        Client::builder()
            .api_key(format!("{KEY}\n"))
            .business_id("b")
            .build()
            .unwrap_err(),
    );
    errors.push(
        Client::builder()
            .api_key(format!("{KEY} x"))
            .business_id("b")
            .build()
            .unwrap_err(),
    );
    errors.push(
        client
            .create_webhook(&format!("https://{KEY}:{SECRET}@example.com/"), "messages")
            .unwrap_err(),
    );
    errors.push(
        client
            .create_webhook(&format!("http://example.com/{SECRET}"), "messages")
            .unwrap_err(),
    );
    errors
}

/// Every webhook error kind, with the secret (and the key) inside the inputs where possible.
fn webhook_errors() -> Vec<WebhookError> {
    let webhook = Webhook::new(SECRET).unwrap();
    let body = format!(
        r#"{{"timestamp":"1639083206","sender":{{"id":"{KEY}","channelType":"{SECRET}"}},"recipient":{{"id":"1","channelType":"whatsapp"}}}}"#
    );
    let body = body.as_bytes();
    let good = webhook.sign(body);
    let not_event = format!("{SECRET} {KEY}");
    let mut errors = vec![
        webhook.verify(body, None::<&str>).unwrap_err(),
        webhook.verify(body, Some(SECRET)).unwrap_err(),
        webhook.verify(body, Some(KEY)).unwrap_err(),
        webhook
            .verify(body, Some(Webhook::new(KEY).unwrap().sign(body).as_str()))
            .unwrap_err(),
        webhook
            .clone()
            .with_max_body_size(10)
            .verify(body, good.as_str())
            .unwrap_err(),
        webhook
            .verify_event(
                not_event.as_bytes(),
                webhook.sign(not_event.as_bytes()).as_str(),
            )
            .unwrap_err(),
        webhook
            .clone()
            .with_tolerance(Duration::from_secs(60))
            .verify_event(body, good.as_str())
            .unwrap_err(),
        Webhook::with_secrets([SECRET; 9]).unwrap_err(),
        Webhook::with_secrets([SECRET, ""]).unwrap_err(),
    ];
    let kinds: Vec<&str> = errors.iter().map(WebhookError::kind_name).collect();
    for kind in [
        "MissingSignature",
        "MalformedSignature",
        "InvalidSignature",
        "PayloadTooLarge",
        "InvalidPayload",
        "InvalidSecret",
        "TimestampOutsideTolerance",
    ] {
        assert!(kinds.contains(&kind), "{kind} not triggered: {kinds:?}");
    }
    errors.push(WebhookError::MissingSignature);
    errors
}

#[test]
fn canary_secrets_appear_nowhere() {
    capture_logs();
    let errors = client_errors();
    let kinds: Vec<&str> = errors.iter().map(Error::kind_name).collect();
    for kind in [
        "Authentication",
        "RateLimited",
        "Api",
        "Server",
        "Redirect",
        "Timeout",
        "Transport",
        "Tls",
        "ResponseTooLarge",
        "Validation",
    ] {
        assert!(kinds.contains(&kind), "{kind} not triggered: {kinds:?}");
    }
    let mut shown: Vec<String> = Vec::new();
    for err in &errors {
        shown.push(err.to_string());
        shown.push(format!("{err:?}"));
        shown.push(format!("{err:#?}"));
        if let Some(api) = err.api_error() {
            shown.push(api.body.to_string());
        }
    }
    for err in webhook_errors() {
        shown.push(err.to_string());
        shown.push(format!("{err:?}"));
    }
    let mock = MockServer::builder()
        .api_key(KEY)
        .webhook_secret(SECRET)
        .start()
        .unwrap();
    shown.push(format!("{mock:?}"));
    let client = client_for(&mock.url(), Duration::from_secs(5), 0);
    shown.push(format!("{client:?}"));
    // A success whose body echoes the key (a misbehaving proxy): the response holds none.
    mock.fail_next([Failure::status(200).with_body(format!(
        r#"{{"id":"echo","cntTraceId":"{KEY}","echo":["{KEY}"]}}"#
    ))]);
    let echoed = client
        .send_text(&Recipient::whatsapp("+15555555555"), "echo")
        .unwrap();
    assert_eq!(echoed.trace_id.as_deref(), Some("[REDACTED]"));
    shown.push(format!("{echoed:?}"));
    shown.push(echoed.body.to_string());
    shown.push(format!("{:?}", Client::builder().api_key(KEY)));
    shown.push(format!("{:?}", Webhook::new(SECRET).unwrap()));
    let logs = LOGS.lock().unwrap().clone();
    assert!(!logs.is_empty(), "no log record was captured");
    shown.push(logs);
    for text in &shown {
        for canary in [KEY, SECRET] {
            assert_eq!(
                text.matches(canary).count(),
                0,
                "{canary} appears in: {text}"
            );
        }
    }
    println!(
        "canary: {} errors, {} texts checked, {} log bytes; 0 leaks",
        errors.len(),
        shown.len(),
        shown.last().map_or(0, String::len)
    );
}
