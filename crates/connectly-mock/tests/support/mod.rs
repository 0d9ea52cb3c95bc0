//! Helpers shared by the wire-level tests: a plain HTTP client, a webhook receiver and an
//! independent signature check.
#![allow(dead_code)] // each test file uses some of them

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use connectly_mock::MockServer;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

/// How long a test waits for something that should happen.
pub const PATIENCE: Duration = Duration::from_secs(10);

pub fn http() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

/// The URL of an API path (after the business id).
pub fn endpoint(mock: &MockServer, path: &str) -> String {
    format!("{}/v1/businesses/{}{path}", mock.url(), mock.business_id())
}

/// An answer: the status, the `Allow` header and the body parsed as JSON (or as a string).
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub allow: Option<String>,
    pub body: Value,
}

fn answer(response: reqwest::blocking::Response) -> Answer {
    let status = response.status().as_u16();
    let allow = response
        .headers()
        .get("allow")
        .map(|v| v.to_str().unwrap().to_owned());
    let text = response.text().unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Answer {
        status,
        allow,
        body,
    }
}

/// Calls an API path with the mock's key; a body is sent as JSON.
pub fn call(mock: &MockServer, method: &str, path: &str, body: Option<&Value>) -> Answer {
    let mut request = http()
        .request(method.parse().unwrap(), endpoint(mock, path))
        .header("X-API-Key", mock.api_key())
        .header("Accept", "application/json");
    if let Some(body) = body {
        request = request
            .header("Content-Type", "application/json")
            .body(body.to_string());
    }
    answer(request.send().unwrap())
}

pub fn post(mock: &MockServer, path: &str, body: &Value) -> Answer {
    call(mock, "POST", path, Some(body))
}

/// Calls a control path with the mock's key; a body is sent as JSON.
pub fn control(mock: &MockServer, method: &str, name: &str, body: Option<&Value>) -> Answer {
    let mut request = http()
        .request(
            method.parse().unwrap(),
            format!("{}/_mock/{name}", mock.url()),
        )
        .header("X-API-Key", mock.api_key());
    if let Some(body) = body {
        request = request
            .header("Content-Type", "application/json")
            .body(body.to_string());
    }
    answer(request.send().unwrap())
}

/// Asserts the documented error format, the status and the type; returns the code.
pub fn error_code(answer: &Answer, status: u16) -> String {
    let body = &answer.body;
    assert_eq!(answer.status, status, "{body}");
    for field in ["message", "userTitle", "userMessage"] {
        assert!(body[field].is_string(), "{field} in {body}");
    }
    let trace = body["cntTraceId"].as_str().unwrap();
    assert!(!trace.is_empty() && trace.bytes().all(|b| b.is_ascii_digit()));
    assert_eq!(body["details"], json!({}));
    assert_eq!(body["type"], "ERROR_TYPE_INVALID_REQUEST", "{body}");
    body["code"].as_str().unwrap().to_owned()
}

/// A session text message to `+15555555555`.
pub fn text_message(text: &str) -> Value {
    json!({"recipient": {"channelType": "whatsapp", "id": "+15555555555"}, "message": {"text": text}})
}

/// A delivery a receiver got: headers (lower-case names) and the exact body.
#[derive(Debug, Clone)]
pub struct Received {
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }

    /// Asserts the delivery is signed with `secret` over its exact bytes, checked with an
    /// HMAC computed here, and is sent as text.
    pub fn assert_signed(&self, secret: &str) {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(&self.body);
        let expected = STANDARD.encode(mac.finalize().into_bytes());
        assert_eq!(
            self.header("x-connectly-hmac-sha256"),
            Some(expected.as_str())
        );
        assert_eq!(
            self.header("content-type"),
            Some("text/plain; charset=utf-8")
        );
    }
}

/// A webhook receiver answering 200 to every request, one request per connection; its
/// URL, and what it got.
pub fn receiver() -> (String, mpsc::Receiver<Received>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            if reader.read_line(&mut line).is_err() {
                continue;
            }
            let mut headers = Vec::new();
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                let line = line.trim_end();
                if line.is_empty() {
                    break;
                }
                let (name, value) = line.split_once(':').unwrap();
                headers.push((name.to_ascii_lowercase(), value.trim().to_owned()));
            }
            let length: usize = headers
                .iter()
                .find(|(n, _)| n == "content-length")
                .map_or(0, |(_, v)| v.parse().unwrap());
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            stream
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok")
                .unwrap();
            if tx.send(Received { headers, body }).is_err() {
                return;
            }
        }
    });
    (url, rx)
}

/// Registers `url` for `topic` on the mock.
pub fn register(mock: &MockServer, topic: &str, url: &str) -> String {
    let created = post(
        mock,
        "/create/webhooks",
        &json!({"topic": topic, "address": url}),
    );
    assert_eq!(created.status, 200, "{:?}", created.body);
    created.body["id"].as_str().unwrap().to_owned()
}

/// The next delivery, waiting at most [`PATIENCE`].
pub fn next(seen: &mpsc::Receiver<Received>) -> Received {
    seen.recv_timeout(PATIENCE)
        .expect("a delivery should have arrived")
}
