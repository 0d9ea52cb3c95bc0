//! The testing guide: testing code that sends with the SDK against `connectly_mock`, a local
//! mock Connectly started by the test itself: asserting on what it received, and having it
//! fail on demand.
//!
//! `cargo test -p connectly-guides --test testing` (no environment needed).
// connectly-example: test

use std::error::Error;

use connectly::{Client, Recipient, Response, TemplateMessage};
use connectly_mock::{Failure, MockServer};
use serde_json::json;

/// The code under test: confirms an order with a template, tagged with the order's number
/// so that its delivery statuses can be matched to it.
fn confirm_order(client: &Client, phone: &str, order: u64) -> Result<Response, connectly::Error> {
    let confirmation = TemplateMessage::new(phone, "order_confirmation")
        .language("en_US")
        .param("order_number", order.to_string())
        .callback_data(json!({ "orderId": order }));
    client.send_template_message(&confirmation)
}

// --8<-- [start:mock]
/// A mock Connectly for one test, and a client of it. The mock is a real HTTP server on
/// 127.0.0.1, on a free port, checking requests as the API does; it stops when dropped.
fn mock_and_client() -> Result<(MockServer, Client), Box<dyn Error>> {
    let mock = MockServer::start()?;
    let client = Client::builder()
        .api_key(mock.api_key())
        .business_id(mock.business_id())
        .base_url(mock.url())
        .build()?;
    Ok((mock, client))
}
// --8<-- [end:mock]

#[test]
fn an_order_confirmation_is_a_template_tagged_with_the_order() -> Result<(), Box<dyn Error>> {
    let (mock, client) = mock_and_client()?;

    let sent = confirm_order(&client, "+15555555555", 1042)?;
    assert_eq!(sent.status, 200);

    // --8<-- [start:assert]
    let requests = mock.requests();
    assert_eq!(requests.len(), 1);
    let expected = format!(
        "/v1/businesses/{}/send/whatsapp_templated_messages",
        mock.business_id()
    );
    assert_eq!(requests[0].path, expected);
    let body = requests[0].json().ok_or("the request body is not JSON")?;
    assert_eq!(body["templateName"], "order_confirmation");
    assert_eq!(body["number"], "+15555555555");
    assert_eq!(body["callbackData"], json!({ "orderId": 1042 }));
    // Or what it accepted, as the messages its statuses will be about.
    assert_eq!(mock.messages()[0].recipient, "+15555555555");
    // --8<-- [end:assert]
    Ok(())
}

#[test]
fn a_confirmation_is_retried_on_429_and_never_sent_twice_after_a_503() -> Result<(), Box<dyn Error>>
{
    let (mock, client) = mock_and_client()?;

    // --8<-- [start:failures]
    // The next requests fail as scripted, one failure each, then it answers normally again.
    mock.fail_next([Failure::rate_limited().retry_after("1")]);
    let sent = confirm_order(&client, "+15555555555", 1042)?;
    assert_eq!(sent.attempts, 2, "a 429 is retried, after the Retry-After");

    mock.clear_requests();
    mock.fail_next([Failure::server_error()]);
    let failed = confirm_order(&client, "+15555555555", 1043);
    assert!(matches!(failed, Err(connectly::Error::Server(_))));
    assert_eq!(
        mock.request_count(),
        1,
        "a send that may have arrived is not repeated"
    );

    // Slow answers, dropped connections, truncated bodies: see `Failure`.
    mock.fail_next([Failure::delay(std::time::Duration::from_millis(200))]);
    confirm_order(&client, "+15555555555", 1044)?;
    // --8<-- [end:failures]

    // Nothing else was sent, to anyone.
    let to = Recipient::whatsapp("+15555555555");
    assert!(mock.messages().iter().all(|m| m.recipient == to.id()));
    Ok(())
}
