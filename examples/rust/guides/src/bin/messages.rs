//! The messages guide: a text, a template with a language and callback data, an image with a
//! caption, a location, reply buttons and a list message, each sent to one customer.
//!
//! Run it with `CONNECTLY_API_KEY`, `CONNECTLY_BUSINESS_ID` and `CONNECTLY_BASE_URL` set
//! (the mock's, from `connectly mock --env-file`): `target/debug/messages`. It checks that
//! every send was answered with a message id, and that the mock accepted each one.
// connectly-example: run

use connectly::{
    Attachment, Button, Client, ListMessage, ListRow, ListSection, Location, Message, Recipient,
    ReplyButtons, Response, TemplateMessage,
};
use connectly_guides::{check, message_id, mock_control, Outcome};
use serde_json::json;

fn main() -> Outcome {
    let accepted_before = accepted()?.len();
    let mut ids = Vec::new();

    // --8<-- [start:client]
    // One client for the whole program: clones share its connection pool, and any thread
    // may use it.
    let client = Client::from_env()?;
    // --8<-- [end:client]

    // --8<-- [start:text]
    let customer = Recipient::whatsapp("+15555555555");
    let sent = client.send_text(&customer, "Your order has shipped.")?;
    println!(
        "text sent: id {}, trace id {:?}",
        sent.body["id"], sent.trace_id
    );
    // --8<-- [end:text]
    ids.push(answered(&sent)?);

    // --8<-- [start:template]
    let update = TemplateMessage::new("+15555555555", "order_update")
        .language("en_US")
        .param("name", "Ada")
        .param("order_number", "1042")
        // Comes back in every delivery status of this message.
        .callback_data(json!({ "orderId": 1042 }));
    let sent = client.send_template_message(&update)?;
    println!("template sent: id {}", sent.body["id"]);
    // --8<-- [end:template]
    ids.push(answered(&sent)?);

    // --8<-- [start:media]
    let receipt =
        Attachment::image("https://example.com/receipts/1042.jpg").caption("Your receipt");
    let sent = client.send_message(&customer, &Message::attachment(receipt))?;
    println!("image sent: id {}", sent.body["id"]);
    // --8<-- [end:media]
    ids.push(answered(&sent)?);

    // --8<-- [start:location]
    let store = Location::new(37.7937, -122.3965)
        .name("Embarcadero store")
        .address("1 Market St, San Francisco");
    let sent = client.send_message(&customer, &Message::location(store))?;
    println!("location sent: id {}", sent.body["id"]);
    // --8<-- [end:location]
    ids.push(answered(&sent)?);

    // --8<-- [start:buttons]
    // One to three buttons; the customer's choice arrives as a message with a button reply.
    let buttons = ReplyButtons::new([Button::new("arrived", "Yes"), Button::new("missing", "No")])
        .footer("Reply any time");
    let question = Message::buttons(buttons).with_text("Did your order arrive?");
    let sent = client.send_message(&customer, &question)?;
    println!("buttons sent: id {}", sent.body["id"]);
    // --8<-- [end:buttons]
    ids.push(answered(&sent)?);

    // --8<-- [start:list]
    // Up to ten rows in all, in one or more sections; the menu opens with the button's text.
    let slots = ListSection::new(
        "This week",
        [
            ListRow::new("tue-am", "Tuesday morning").description("9:00 to 12:00"),
            ListRow::new("thu-pm", "Thursday afternoon").description("13:00 to 17:00"),
        ],
    );
    let menu = ListMessage::new("Pick a slot", [slots]).header("Delivery slots");
    let sent = client.send_message(&customer, &Message::list(menu).with_text("When suits you?"))?;
    println!("list sent: id {}", sent.body["id"]);
    // --8<-- [end:list]
    ids.push(answered(&sent)?);

    // The mock accepted exactly these six, with the template's callback data.
    let accepted = accepted()?;
    let new: Vec<&serde_json::Value> = accepted.iter().skip(accepted_before).collect();
    let new_ids: Vec<&str> = new.iter().filter_map(|m| m["id"].as_str()).collect();
    check(
        new_ids == ids,
        format!("the mock accepted {new_ids:?}, not {ids:?}"),
    )?;
    check(
        new[1]["callback_data"] == json!({ "orderId": 1042 }),
        format!(
            "the template's callback data arrived as {}",
            new[1]["callback_data"]
        ),
    )?;
    println!("all six messages were accepted");
    Ok(())
}

/// The id of a send answered 200 after one attempt.
fn answered(sent: &Response) -> Outcome<String> {
    check(sent.status == 200, format!("HTTP {}", sent.status))?;
    check(sent.attempts == 1, format!("{} attempts", sent.attempts))?;
    message_id(sent)
}

/// The sends the mock has accepted, oldest first.
fn accepted() -> Outcome<Vec<serde_json::Value>> {
    let messages = mock_control("GET", "/_mock/messages", None)?;
    Ok(messages.as_array().cloned().unwrap_or_default())
}
