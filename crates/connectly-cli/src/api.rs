//! The commands that call the API.

use super::Outcome;
use connectly::{Client, Recipient, Response};

fn print(response: &Response) -> Outcome {
    let shown = serde_json::json!({
        "status": response.status,
        "attempts": response.attempts,
        "trace_id": response.trace_id,
        "body": response.body,
    });
    println!("{shown}");
    Ok(())
}

/// `connectly send-text`.
pub(super) fn send_text(client: &Client, channel: &str, to: &str, text: &str) -> Outcome {
    print(&client.send_text(&Recipient::new(channel, to), text)?)
}

/// `connectly send-template`.
pub(super) fn send_template(
    client: &Client,
    to: &str,
    template: &str,
    params: &[(String, String)],
) -> Outcome {
    print(&client.send_template(to, template, params)?)
}

/// `connectly create-webhook`.
pub(super) fn create_webhook(client: &Client, address: &str, topic: &str) -> Outcome {
    print(&client.create_webhook(address, topic)?)
}
