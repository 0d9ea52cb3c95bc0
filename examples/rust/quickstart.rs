//! The Rust quickstart, runnable offline: sends through a local mock Connectly, registers a
//! webhook, and verifies the signed delivery the mock sends back.
//!
//! `cargo run --example quickstart`. Against the real API, drop the mock and build the
//! client with `Client::from_env()`.

use std::sync::mpsc;

use connectly::{Client, Recipient, Webhook};
use connectly_mock::MockServer;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mock = MockServer::start()?;
    let client = Client::builder()
        .api_key(mock.api_key())
        .business_id(mock.business_id())
        .base_url(mock.url())
        .build()?;

    let sent = client.send_text(&Recipient::whatsapp("+15555555555"), "hello!")?;
    println!(
        "text sent: HTTP {}, trace id {:?}",
        sent.status, sent.trace_id
    );
    let sent = client.send_template("+15555555555", "welcome", &[("name", "Ada")])?;
    println!("template sent: HTTP {}", sent.status);

    // A webhook endpoint: verify the raw body before trusting anything in it.
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let address = format!("http://{}/webhook", listener.local_addr()?);
    let webhook = Webhook::new(mock.webhook_secret())?;
    let (events, received) = mpsc::channel();
    std::thread::spawn(move || -> std::io::Result<()> {
        let (mut stream, _) = listener.accept()?;
        let (signature, body) = read_request(&mut stream)?;
        let outcome = webhook.verify_event(&body, signature.as_deref());
        let status = if outcome.is_ok() {
            "200 OK"
        } else {
            "403 Forbidden"
        };
        std::io::Write::write_all(
            &mut stream,
            format!("HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                .as_bytes(),
        )?;
        let _ = events.send(outcome);
        Ok(())
    });

    client.create_webhook(&address, "messages")?;
    mock.deliver_inbound("+16315555500", "Where is my order?")?;
    let event = received.recv()??;
    println!(
        "verified delivery from {}: {:?}",
        event.sender().id,
        event.text()
    );
    Ok(())
}

/// Reads one HTTP/1.1 request: its signature header and its exact body bytes.
fn read_request(stream: &mut std::net::TcpStream) -> std::io::Result<(Option<String>, Vec<u8>)> {
    use std::io::{BufRead, BufReader, Read};
    let mut reader = BufReader::new(stream);
    let (mut signature, mut length) = (None, 0);
    loop {
        let mut line = String::new();
        reader.read_line(&mut line)?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            match name.trim().to_ascii_lowercase().as_str() {
                "content-length" => length = value.trim().parse().unwrap_or(0),
                connectly::SIGNATURE_HEADER => signature = Some(value.trim().to_string()),
                _ => {}
            }
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    Ok((signature, body))
}
