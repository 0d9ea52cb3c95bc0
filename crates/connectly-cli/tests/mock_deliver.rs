//! `connectly mock deliver`: an inbound message (--text) or a delivery status (--status
//! --for) through a running mock's control protocol.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::{Command, Output};
use std::sync::mpsc;
use std::time::Duration;

use connectly::Webhook;
use connectly_mock::MockServer;
use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_connectly");

/// `connectly mock deliver ARGS` against `mock`, with a clean environment.
fn deliver(mock: &MockServer, args: &[&str]) -> Output {
    let mut cmd = Command::new(BIN);
    for var in [
        "CONNECTLY_API_KEY",
        "CONNECTLY_BUSINESS_ID",
        "CONNECTLY_BASE_URL",
        "CONNECTLY_WEBHOOK_SECRET",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("CONNECTLY_API_KEY", mock.api_key())
        .env("CONNECTLY_BASE_URL", mock.url())
        .args(["mock", "deliver"])
        .args(args)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A receiver answering 200; its URL, and the bodies and signatures it got.
fn receiver() -> (String, mpsc::Receiver<(Vec<u8>, String)>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let (mut length, mut signature) = (0, String::new());
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                let line = line.trim_end();
                if line.is_empty() {
                    break;
                }
                if let Some((name, value)) = line.split_once(':') {
                    match name.to_ascii_lowercase().as_str() {
                        "content-length" => length = value.trim().parse().unwrap(),
                        "x-connectly-hmac-sha256" => signature = value.trim().to_owned(),
                        _ => {}
                    }
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            stream
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                .unwrap();
            if tx.send((body, signature)).is_err() {
                return;
            }
        }
    });
    (url, rx)
}

fn post(mock: &MockServer, path: &str, body: &Value) -> Value {
    let response = reqwest::blocking::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .post(format!(
            "{}/v1/businesses/{}{path}",
            mock.url(),
            mock.business_id()
        ))
        .header("X-API-Key", mock.api_key())
        .header("Content-Type", "application/json")
        .body(body.to_string())
        .send()
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    serde_json::from_slice(&response.bytes().unwrap()).unwrap()
}

/// The next delivery, its signature checked.
fn next(mock: &MockServer, seen: &mpsc::Receiver<(Vec<u8>, String)>) -> Value {
    let (body, signature) = seen.recv_timeout(Duration::from_secs(10)).unwrap();
    assert_eq!(
        Webhook::new(mock.webhook_secret()).unwrap().sign(&body),
        signature
    );
    serde_json::from_slice(&body).unwrap()
}

#[test]
fn deliver_status_for_an_accepted_message() {
    let mock = MockServer::start().unwrap();
    let (url, seen) = receiver();
    post(
        &mock,
        "/create/webhooks",
        &json!({"topic": "delivery_status", "address": url}),
    );
    let sent = post(
        &mock,
        "/send/whatsapp_templated_messages",
        &json!({"number": "+15555555555", "templateName": "welcome", "parameters": [],
            "callbackData": {"orderId": 42}, "campaignName": "autumn"}),
    );
    let id = sent["id"].as_str().unwrap();

    let out = deliver(&mock, &["--status", "delivered", "--for", id]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains(&format!("status \"delivered\" of {id}")),
        "{}",
        text(&out.stdout)
    );
    let event = next(&mock, &seen);
    assert_eq!(
        event["statusUpdate"],
        json!({"id": id, "status": "delivered", "error": null})
    );
    assert_eq!(event["callbackData"], json!({"orderId": 42}));
    assert_eq!(event["metadata"], json!({"campaign_name": "autumn"}));

    let out = deliver(
        &mock,
        &[
            "--status",
            "delivery_failed",
            "--for",
            id,
            "--campaign-name-place",
            "status_update",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let event = next(&mock, &seen);
    assert_eq!(event["statusUpdate"]["status"], "delivery_failed");
    assert!(event["statusUpdate"]["error"]["code"].is_string());
    assert_eq!(event["statusUpdate"]["metadata"]["campaignName"], "autumn");
    assert_eq!(event["metadata"], Value::Null);

    // An id the mock never answered.
    let out = deliver(&mock, &["--status", "read", "--for", "never-sent"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("never-sent"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn deliver_takes_text_or_a_status_with_its_message() {
    let mock = MockServer::start().unwrap();
    let (url, seen) = receiver();
    post(
        &mock,
        "/create/webhooks",
        &json!({"topic": "messages", "address": url}),
    );
    let out = deliver(&mock, &["--from", "+16315555500", "--text", "hello"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let event = next(&mock, &seen);
    assert_eq!(event["sender"]["id"], "+16315555500");
    assert_eq!(event["message"], json!({"text": "hello"}));

    // No delivery_status webhook: the mock says so.
    let sent = post(
        &mock,
        "/send/messages",
        &json!({
        "recipient": {"channelType": "whatsapp", "id": "+15555555555"}, "message": {"text": "hi"}}),
    );
    let out = deliver(
        &mock,
        &["--status", "sent", "--for", sent["id"].as_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("delivery_status"),
        "{}",
        text(&out.stderr)
    );

    for args in [
        &["--status", "sent"][..],
        &["--for", "x"],
        &[],
        &["--text", "a", "--status", "sent", "--for", "x"],
        &[
            "--status",
            "sent",
            "--for",
            "x",
            "--campaign-name-place",
            "elsewhere",
        ],
        &["--text", "a", "--campaign-name-place", "metadata"],
    ] {
        let out = deliver(&mock, args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
}
