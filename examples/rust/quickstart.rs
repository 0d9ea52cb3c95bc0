//! The Rust quickstart, runnable offline against a local mock Connectly: a text, a media
//! message, a template with a language and callback data, webhook registrations listed,
//! upserted and deleted, and the delivery statuses of the template received typed.
//!
//! `cargo run --example quickstart`. Against the real API, drop the mock and build the
//! client with `Client::from_env()`.

use std::sync::mpsc;

use connectly::{
    Attachment, Client, Event, Message, Recipient, StatusTracker, TemplateMessage, Webhook,
};
use connectly_mock::{MockServer, StatusOrder};
use serde_json::json;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The mock answers every accepted message with its statuses, shuffled as Connectly may.
    let mock = MockServer::builder()
        .auto_statuses(StatusOrder::Shuffled)
        .start()?;
    let client = Client::builder()
        .api_key(mock.api_key())
        .business_id(mock.business_id())
        .base_url(mock.url())
        .build()?;
    let customer = Recipient::whatsapp("+15555555555");

    let sent = client.send_text(&customer, "hello!")?;
    println!(
        "text sent: HTTP {}, trace id {:?}",
        sent.status, sent.trace_id
    );
    let photo = Attachment::image("https://example.com/receipt.jpg").caption("Your receipt");
    let sent = client.send_message(&customer, &Message::attachment(photo))?;
    println!("image sent: id {}", sent.body["id"]);

    // A webhook endpoint for delivery statuses: verify the raw body before trusting it.
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let address = format!("http://{}/webhook", listener.local_addr()?);
    let webhook = Webhook::new(mock.webhook_secret())?;
    let (events, received) = mpsc::channel();
    std::thread::spawn(move || -> std::io::Result<()> {
        for stream in listener.incoming() {
            let mut stream = stream?;
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
            if events.send(outcome).is_err() {
                return Ok(());
            }
        }
        Ok(())
    });
    client.upsert_webhook(&address, "delivery_status", None)?;
    client.create_webhook("https://example.com/old-hook", "messages")?;
    for hook in client.list_webhooks()? {
        println!(
            "webhook {}: {:?} -> {:?}",
            hook.id, hook.topic, hook.address
        );
        if hook.topic.as_deref() == Some("messages") {
            client.delete_webhook(&hook.id)?;
            println!("deleted webhook {}", hook.id);
        }
    }

    let order = TemplateMessage::new("+15555555555", "order_update")
        .language("en_US")
        .param("name", "Ada")
        .callback_data(json!({"orderId": 1042}));
    let sent = client.send_template_message(&order)?;
    let id = sent.body["id"].as_str().unwrap_or_default().to_owned();
    println!("template sent: id {id}");

    // Its three statuses arrive in any order (the messages sent before the status webhook
    // was registered had nowhere to report): the tracker keeps each message's furthest.
    let tracker = StatusTracker::new();
    for _ in 0..3 {
        if let Event::DeliveryStatus(status) = received.recv()?? {
            let forward = tracker.advance(&status.message_id, &status.status);
            println!(
                "status {} for {} (callback data {:?}){}",
                status.status.as_str(),
                status.message_id,
                status.base.callback_data,
                if forward { "" } else { ": late, ignored" }
            );
        }
    }
    println!("template {id} is now {:?}", tracker.status(&id));
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
