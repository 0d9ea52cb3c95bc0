//! The Rust runner of the shared conformance vectors in `tests/vectors/` (the Python, C and Go
//! suites run the same files). Every row of every file is run; each test prints
//! `<file>: N rows` and records N in `target/conformance/rust/<file>` (and the rows the file
//! holds in `target/conformance/expected/<file>`), which `make conformance-check` compares
//! for every language.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashSet;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use connectly::{Client, Error, Recipient, Response, Webhook, WebhookError};
use connectly_mock::{Failure, MockServer};
use serde_json::Value;

mod events;
mod requests;

fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors")
}

/// The whole file and its rows, checked for unique non-empty names.
fn load(file: &str) -> (Value, Vec<Value>) {
    let text = std::fs::read_to_string(vectors_dir().join(file)).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    let rows = doc["vectors"].as_array().unwrap().clone();
    assert!(!rows.is_empty(), "{file} has no rows");
    let mut names = HashSet::new();
    for row in &rows {
        let name = row["name"].as_str().unwrap();
        assert!(!name.is_empty(), "{file}: a row has an empty name");
        assert!(
            names.insert(name.to_owned()),
            "{file}: {name} appears twice"
        );
    }
    (doc, rows)
}

/// Prints and records how many rows of `file` ran (in `target/conformance/rust/<file>`) and
/// how many it holds (in `target/conformance/expected/<file>`), for `make conformance-check`.
fn report(file: &str, ran: usize, held: usize) {
    assert_eq!(ran, held, "{file}: ran {ran} of {held} rows");
    println!("{file}: {ran} rows");
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/conformance");
    for (dir, count) in [("rust", ran), ("expected", held)] {
        let dir = root.join(dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(file), format!("{count}\n")).unwrap();
    }
}

/// Numbers compared as numbers: `1` and `1.0` are the same coordinate.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

fn text<'a>(row: &'a Value, key: &str) -> Option<&'a str> {
    row.get(key).and_then(Value::as_str)
}

fn opt_text(value: &Value) -> Option<String> {
    value.as_str().map(str::to_owned)
}

#[test]
fn webhooks_json() {
    let (_, rows) = load("webhooks.json");
    let mut ran = 0;
    for row in &rows {
        let name = text(row, "name").unwrap();
        let secret = hex::decode(text(row, "secret_hex").unwrap()).unwrap();
        let body = hex::decode(text(row, "body_hex").unwrap()).unwrap();
        let signature = text(row, "signature").unwrap();
        let webhook = Webhook::new(&secret).unwrap();
        assert_eq!(webhook.verify(&body, signature), Ok(()), "{name}");
        assert_eq!(webhook.sign(&body), signature, "{name}");
        ran += 1;
    }
    report("webhooks.json", ran, rows.len());
}

/// A row's body: `body` (UTF-8) or `body_hex`, repeated `body_repeat` times.
fn webhook_body(row: &Value) -> Vec<u8> {
    let once = match (text(row, "body"), text(row, "body_hex")) {
        (Some(body), None) => body.as_bytes().to_vec(),
        (None, Some(hex)) => hex::decode(hex).unwrap(),
        _ => panic!("{}: give exactly one of body and body_hex", row["name"]),
    };
    let times = row.get("body_repeat").and_then(Value::as_u64).unwrap_or(1);
    once.repeat(usize::try_from(times).unwrap())
}

fn webhook_for(row: &Value) -> Result<Webhook, WebhookError> {
    let mut webhook = Webhook::new(text(row, "secret").unwrap())?;
    if let Some(limit) = row.get("max_body_size").and_then(Value::as_u64) {
        webhook = webhook.with_max_body_size(usize::try_from(limit).unwrap());
    }
    if let Some(seconds) = row.get("tolerance_s").and_then(Value::as_u64) {
        webhook = webhook.with_tolerance(Duration::from_secs(seconds));
    }
    Ok(webhook)
}

fn outcome_name<T>(result: &Result<T, WebhookError>) -> &'static str {
    match result {
        Ok(_) => "ok",
        Err(e) => e.kind_name(),
    }
}

#[test]
fn webhook_errors_json() {
    let (_, rows) = load("webhook_errors.json");
    let mut ran = 0;
    for row in &rows {
        let name = text(row, "name").unwrap();
        let body = webhook_body(row);
        let signature = text(row, "signature");
        let secret = text(row, "secret").unwrap();
        let verified = webhook_for(row).and_then(|w| w.verify(&body, signature));
        let parsed = webhook_for(row).and_then(|w| w.verify_event(&body, signature));
        assert_eq!(
            outcome_name(&verified),
            text(row, "expected_verify").unwrap(),
            "{name}: verify gave {verified:?}"
        );
        assert_eq!(
            outcome_name(&parsed),
            text(row, "expected_verify_event").unwrap(),
            "{name}: verify_event gave {parsed:?}"
        );
        let err = parsed.expect_err("every row's verify_event fails");
        for shown in [err.to_string(), format!("{err:?}")] {
            assert!(
                secret.is_empty() || !shown.contains(secret),
                "{name}: {shown}"
            );
            if let Some(sig) = signature.filter(|s| s.trim().len() > 3) {
                assert!(!shown.contains(sig.trim()), "{name}: {shown}");
            }
        }
        ran += 1;
    }
    report("webhook_errors.json", ran, rows.len());
}

/// Makes the call a row names, with the arguments in the file's `calls`.
fn call(client: &Client, calls: &Value, name: &str) -> Result<Response, Error> {
    let args = &calls[name];
    let arg = |key: &str| args[key].as_str().unwrap();
    match name {
        "send_text" => client.send_text(&Recipient::new(arg("channel"), arg("to")), arg("text")),
        "send_template" => {
            let params: Vec<(String, String)> = args["params"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| {
                    (
                        p[0].as_str().unwrap().to_owned(),
                        p[1].as_str().unwrap().to_owned(),
                    )
                })
                .collect();
            client.send_template(arg("number"), arg("template"), &params)
        }
        "create_webhook" => client.create_webhook(arg("address"), arg("topic")),
        other => panic!("unknown call {other}"),
    }
}

fn client_for(mock: &MockServer, max_retries: u64, timeout_ms: u64) -> Client {
    Client::builder()
        .api_key(mock.api_key())
        .business_id(mock.business_id())
        .base_url(mock.url())
        .max_retries(u32::try_from(max_retries).unwrap())
        .timeout(Duration::from_millis(timeout_ms))
        .build()
        .unwrap()
}

#[test]
fn api_errors_json() {
    let (doc, rows) = load("api_errors.json");
    let mock = MockServer::start().unwrap();
    let client = client_for(
        &mock,
        doc["client"]["max_retries"].as_u64().unwrap(),
        doc["client"]["timeout_ms"].as_u64().unwrap(),
    );
    let mut ran = 0;
    for row in &rows {
        let name = text(row, "name").unwrap();
        let reply = &row["reply"];
        mock.reset();
        mock.fail_next([Failure::Status {
            status: u16::try_from(reply["status"].as_u64().unwrap()).unwrap(),
            body: opt_text(&reply["body"]),
            retry_after: opt_text(&reply["retry_after"]),
        }]);
        let err = call(&client, &doc["calls"], text(row, "call").unwrap())
            .expect_err("every row is an error");
        let expected = &row["expected"];
        assert_eq!(err.kind_name(), expected["kind"], "{name}: {err:?}");
        assert_eq!(
            err.status().map(u64::from),
            expected["status"].as_u64(),
            "{name}"
        );
        let api = err.api_error();
        assert_eq!(
            api.and_then(|a| a.code.clone()),
            opt_text(&expected["code"]),
            "{name}"
        );
        assert_eq!(
            api.and_then(|a| a.message.clone()),
            opt_text(&expected["message"]),
            "{name}"
        );
        assert_eq!(
            err.trace_id().map(str::to_owned),
            opt_text(&expected["trace_id"]),
            "{name}"
        );
        let retry_after = match &err {
            Error::RateLimited { retry_after, .. } => retry_after.map(|d| d.as_secs()),
            _ => None,
        };
        assert_eq!(retry_after, expected["retry_after"].as_u64(), "{name}");
        assert_eq!(err.attempts(), 1, "{name}");
        assert_eq!(mock.request_count(), 1, "{name}");
        ran += 1;
    }
    report("api_errors.json", ran, rows.len());
}

/// Queues a row's script through the control protocol, as the other languages do.
fn script(mock: &MockServer, failures: &Value) {
    let http = reqwest::blocking::Client::builder()
        .no_proxy()
        .build()
        .unwrap();
    let answer = http
        .post(format!("{}/_mock/fail", mock.url()))
        .header("x-api-key", mock.api_key())
        .header("content-type", "application/json")
        .body(failures.to_string())
        .send()
        .unwrap();
    assert_eq!(answer.status().as_u16(), 200);
}

#[test]
fn retries_json() {
    let (doc, rows) = load("retries.json");
    let mut ran = 0;
    for row in &rows {
        let name = text(row, "name").unwrap();
        let mock = MockServer::start().unwrap();
        script(&mock, &row["script"]);
        let client = client_for(
            &mock,
            row["max_retries"].as_u64().unwrap(),
            row["timeout_ms"].as_u64().unwrap(),
        );
        let started = Instant::now();
        let result = call(&client, &doc["calls"], text(row, "call").unwrap());
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{name}: took {:?}",
            started.elapsed()
        );
        let expected = &row["expected"];
        let (outcome, attempts, status) = match &result {
            Ok(r) => ("ok", r.attempts, Some(r.status)),
            Err(e) => (e.kind_name(), e.attempts(), e.status()),
        };
        assert_eq!(outcome, expected["outcome"], "{name}: {result:?}");
        assert_eq!(
            u64::from(attempts),
            expected["attempts"].as_u64().unwrap(),
            "{name}: attempts"
        );
        assert_eq!(
            status.map(u64::from),
            expected["status"].as_u64(),
            "{name}: status"
        );
        assert_eq!(
            mock.request_count() as u64,
            expected["requests"].as_u64().unwrap(),
            "{name}: requests the mock received"
        );
        ran += 1;
    }
    report("retries.json", ran, rows.len());
}

/// One row of `receiving.json`, decoded.
struct Delivery {
    name: String,
    method: String,
    encoding: Option<String>,
    body: Vec<u8>,
    signature: Option<String>,
    max_body_size: usize,
    status: u16,
    kind: String,
    event_body: Option<Vec<u8>>,
    event_text: Option<String>,
}

/// The file's secret and its rows.
fn deliveries() -> (String, Vec<Delivery>) {
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine as _;
    let (doc, rows) = load("receiving.json");
    let decode = |value: &Value| STANDARD.decode(value.as_str().unwrap()).unwrap();
    let rows = rows
        .iter()
        .map(|row| Delivery {
            name: text(row, "name").unwrap().to_owned(),
            method: text(row, "method").unwrap().to_owned(),
            encoding: opt_text(&row["content_encoding"]),
            body: decode(&row["body_b64"]),
            signature: opt_text(&row["signature"]),
            max_body_size: row
                .get("max_body_size")
                .and_then(Value::as_u64)
                .map_or(Webhook::DEFAULT_MAX_BODY_SIZE, |n| {
                    usize::try_from(n).unwrap()
                }),
            status: u16::try_from(row["expected_status"].as_u64().unwrap()).unwrap(),
            kind: text(row, "expected_kind").unwrap().to_owned(),
            event_body: row.get("event_body_b64").map(decode),
            event_text: row.get("event_text").and_then(opt_text),
        })
        .collect();
    (text(&doc, "secret").unwrap().to_owned(), rows)
}

/// The core's receiving policy against every row: `receive`, `receive_headers`, and `admit`
/// (which may only refuse with the row's own status).
#[test]
fn receiving_json() {
    let (secret, rows) = deliveries();
    let mut ran = 0;
    for row in &rows {
        let name = &row.name;
        let webhook = Webhook::new(&secret)
            .unwrap()
            .with_max_body_size(row.max_body_size);
        let mut headers = http::HeaderMap::new();
        if let Some(encoding) = &row.encoding {
            headers.insert("content-encoding", encoding.parse().unwrap());
        }
        if let Some(signature) = &row.signature {
            headers.insert(connectly::SIGNATURE_HEADER, signature.parse().unwrap());
        }
        let direct = webhook.receive(
            &row.method,
            row.encoding.as_deref(),
            &row.body,
            row.signature.as_deref(),
        );
        let through_headers = webhook.receive_headers(&row.method, &headers, &row.body);
        for result in [&direct, &through_headers] {
            match result {
                Ok(event) => {
                    assert_eq!(row.kind, "ok", "{name}: accepted");
                    assert_eq!(Some(event.body()), row.event_body.as_deref(), "{name}");
                    assert_eq!(event.raw().get().as_bytes(), event.body(), "{name}");
                    assert_eq!(event.text(), row.event_text.as_deref(), "{name}");
                }
                Err(refusal) => {
                    assert_eq!(refusal.kind_name(), row.kind, "{name}: {refusal}");
                    assert_eq!(refusal.status(), row.status, "{name}");
                    assert!(!refusal.to_string().contains(&secret), "{name}");
                }
            }
        }
        let declared = u64::try_from(row.body.len()).unwrap();
        if let Err(refusal) = webhook.admit(&row.method, Some(declared)) {
            assert_eq!(refusal.status(), row.status, "{name}: admit");
        }
        ran += 1;
    }
    report("receiving.json", ran, rows.len());
}
