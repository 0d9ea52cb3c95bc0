//! The webhooks guide: registering the addresses Connectly delivers events to, listing them,
//! upserting one (create, or update the topic's registration), and deleting them again.
//!
//! Run it with `CONNECTLY_API_KEY`, `CONNECTLY_BUSINESS_ID` and `CONNECTLY_BASE_URL` set:
//! `target/debug/webhooks`. It checks each step in the list of registrations, and leaves
//! none of its own behind.
// connectly-example: run

use connectly::{Client, WebhookInfo};
use connectly_guides::{check, Outcome};

/// Where this program's registrations point (nothing listens there: nothing is delivered).
const OURS: &str = "https://example.com/connectly/";

fn main() -> Outcome {
    let client = Client::from_env()?;

    // --8<-- [start:create]
    // Connectly delivers the topic's events (`messages` or `delivery_status`) to this address.
    let created = client.create_webhook("https://example.com/connectly/messages", "messages")?;
    println!("registered: {}", created.body);
    // --8<-- [end:create]
    let listed = client.list_webhooks()?;
    check(
        address_of(&listed, "messages") == Some("https://example.com/connectly/messages"),
        "the created registration is not listed",
    )?;

    // --8<-- [start:list]
    for hook in client.list_webhooks()? {
        println!(
            "{}: {} -> {}",
            hook.id,
            hook.topic.as_deref().unwrap_or("?"),
            hook.address.as_deref().unwrap_or("?")
        );
    }
    // --8<-- [end:list]

    // --8<-- [start:upsert]
    // Makes this the topic's address whether or not one is registered: what a service calls
    // at start-up. A second registration replaces the first, or, where the API answers 409,
    // the existing one is updated.
    let address = "https://example.com/connectly/statuses";
    client.upsert_webhook(address, "delivery_status", None)?;
    client.upsert_webhook(address, "delivery_status", None)?; // again: still one registration
                                                              // --8<-- [end:upsert]
    let listed = client.list_webhooks()?;
    check(
        address_of(&listed, "delivery_status") == Some(address),
        "the upserted address is not the delivery_status registration",
    )?;
    let statuses = listed
        .iter()
        .filter(|hook| hook.topic.as_deref() == Some("delivery_status"))
        .count();
    check(
        statuses == 1,
        format!("{statuses} delivery_status registrations"),
    )?;

    // --8<-- [start:delete]
    // Removes every registration pointing at our service.
    let ours = |address: &str| address.starts_with("https://example.com/connectly/");
    for hook in client.list_webhooks()? {
        if hook.address.as_deref().is_some_and(ours) {
            client.delete_webhook(&hook.id)?;
            println!("deleted {}", hook.id);
        }
    }
    // --8<-- [end:delete]
    let left: Vec<WebhookInfo> = client
        .list_webhooks()?
        .into_iter()
        .filter(|hook| hook.address.as_deref().is_some_and(|a| a.starts_with(OURS)))
        .collect();
    check(
        left.is_empty(),
        format!("registrations left behind: {left:?}"),
    )?;
    println!("no registration of ours is left");
    Ok(())
}

/// The address registered for `topic`, if any.
fn address_of<'a>(listed: &'a [WebhookInfo], topic: &str) -> Option<&'a str> {
    listed
        .iter()
        .find(|hook| hook.topic.as_deref() == Some(topic))
        .and_then(|hook| hook.address.as_deref())
}
