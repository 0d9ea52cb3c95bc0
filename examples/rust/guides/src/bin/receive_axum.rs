//! The receiving guide, with axum: a `POST /webhook` handler that verifies each delivery over
//! its raw body before parsing it, matches the typed event, and keeps delivery statuses in
//! order with a status tracker; at start-up it registers itself for both topics.
//!
//! Run it with `CONNECTLY_API_KEY`, `CONNECTLY_BUSINESS_ID`, `CONNECTLY_BASE_URL`,
//! `CONNECTLY_WEBHOOK_SECRET` and `PORT` set: `target/debug/receive_axum`; then
//! `connectly mock deliver --text "hello"` prints the message, and
//! `connectly mock deliver --status delivered --for ID` the status of a message sent. It
//! serves until it is stopped (SIGTERM, Ctrl-C).
// connectly-example: receiver

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use connectly::{AsyncClient, DeliveryStatus, Event, StatusTracker, Webhook};
use connectly_guides::{check, env, Outcome};

/// What every request shares; both fields are cheap to clone and share their state.
#[derive(Clone)]
struct App {
    /// Verifies deliveries with the webhook secret.
    webhook: Webhook,
    /// The furthest status of each message sent (`StatusTracker::new()`, in memory).
    statuses: StatusTracker,
}

// --8<-- [start:verify]
/// `POST /webhook`. `Bytes` is the body exactly as it arrived: the signature is checked over
/// those bytes, and they are parsed only once it matched.
async fn webhook(State(app): State<App>, headers: HeaderMap, body: Bytes) -> StatusCode {
    match app.webhook.receive_headers("POST", &headers, &body) {
        Ok(event) => {
            handle(&app, event);
            StatusCode::OK
        }
        Err(refused) => {
            // 403 for a missing or wrong signature, 400 for a signed body that is no event.
            println!("refused a delivery: {refused}");
            StatusCode::from_u16(refused.status()).unwrap_or(StatusCode::FORBIDDEN)
        }
    }
}
// --8<-- [end:verify]

// --8<-- [start:events]
/// What to do with each kind of event.
fn handle(app: &App, event: Event) {
    match event {
        Event::Message(message) => println!(
            "message from {}: {}",
            message.base.sender.id,
            message.text.as_deref().unwrap_or("(no text)")
        ),
        Event::DeliveryStatus(status) => track(&app.statuses, &status),
        // Topics this SDK does not type yet: the shared fields and the raw JSON.
        other => println!("a {} event: {}", other.topic(), other.raw()),
    }
}
// --8<-- [end:events]

// --8<-- [start:statuses]
/// Statuses arrive late, out of order and more than once: the tracker says whether one moves
/// its message forward (sent < delivered < read; `delivery_failed` is final).
fn track(statuses: &StatusTracker, status: &DeliveryStatus) {
    let (id, name) = (&status.message_id, status.status.as_str());
    if statuses.advance(id, &status.status) {
        println!("message {id} is now {name}");
        if let Some(error) = &status.error {
            println!("message {id} failed: {:?} {:?}", error.code, error.message);
        }
    } else {
        println!("message {id}: {name} came after a further status, ignored");
    }
}
// --8<-- [end:statuses]

#[tokio::main]
async fn main() -> Outcome {
    let port: u16 = env("PORT")?.parse()?;
    let app = App {
        webhook: Webhook::new(env("CONNECTLY_WEBHOOK_SECRET")?)?,
        statuses: StatusTracker::new(),
    };

    // --8<-- [start:register]
    // At start-up, point both topics at this service: a registration is created, or the
    // topic's existing one updated. In production, your public https address.
    let client = AsyncClient::from_env()?;
    let address = format!("http://127.0.0.1:{port}/webhook");
    for topic in ["messages", "delivery_status"] {
        client.upsert_webhook(&address, topic, None).await?;
    }
    // --8<-- [end:register]
    let listed = client.list_webhooks().await?;
    for topic in ["messages", "delivery_status"] {
        check(
            listed.iter().any(|hook| {
                hook.topic.as_deref() == Some(topic) && hook.address.as_deref() == Some(&address)
            }),
            format!("no {topic} registration for {address}"),
        )?;
    }

    let router = Router::new()
        .route("/webhook", post(webhook))
        .with_state(app);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    // Standard output is line-buffered: each line reaches a pipe as it is printed.
    println!("listening on {address}");
    axum::serve(listener, router).await?;
    Ok(())
}
