//! The README's Rust quickstart: a text and a template, and a typed error.
//!
//! `CONNECTLY_API_KEY=... CONNECTLY_BUSINESS_ID=... cargo run -p connectly-guides --bin quickstart`
//!
//! connectly-example: run

// --8<-- [start:quickstart]
use connectly::{Client, Recipient, TemplateMessage};

fn main() -> Result<(), connectly::Error> {
    let client = Client::from_env()?; // CONNECTLY_API_KEY, CONNECTLY_BUSINESS_ID
    let customer = Recipient::whatsapp("+15555555555");
    let sent = client.send_text(&customer, "Your order has shipped")?;
    println!("sent {} in {} attempt(s)", sent.body["id"], sent.attempts);
    let order = TemplateMessage::new("+15555555555", "order_update")
        .language("en_US")
        .param("name", "Ada");
    client.send_template_message(&order)?; // connectly::Error: a kind per failure
    Ok(())
}
// --8<-- [end:quickstart]
