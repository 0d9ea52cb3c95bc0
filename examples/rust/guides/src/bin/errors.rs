//! The errors guide: bad input refused before anything is sent, a typed match on the error
//! kinds the API answers with, and the retry settings, with what is never sent twice.
//!
//! Run it with `CONNECTLY_API_KEY`, `CONNECTLY_BUSINESS_ID` and `CONNECTLY_BASE_URL` set to
//! the mock's: `target/debug/errors`. It checks that the refused sends reached nothing, and
//! has the mock answer 429 then 503 (over its control protocol) to check what is retried.
// connectly-example: run

use std::time::Duration;

use connectly::{Client, ClientBuilder, Error, Message, Recipient, ReplyButtons};
use connectly_guides::{check, mock_fail_next, mock_request_count, Outcome};
use serde_json::json;

fn main() -> Outcome {
    let client = Client::from_env()?;
    let customer = Recipient::whatsapp("+15555555555");
    let requests_before = mock_request_count()?;

    // --8<-- [start:validation]
    // Bad input is refused before a byte is sent, with the field and the reason.
    let no_buttons = Message::buttons(ReplyButtons::new([])).with_text("Choose one:");
    let refused = [
        client.send_text(&Recipient::whatsapp("+1 555 0100"), "Hi!"), // not E.164
        client.send_text(&customer, "   "),                           // blank
        client.send_message(&customer, &no_buttons),                  // 1 to 3 buttons
    ];
    for result in &refused {
        if let Err(Error::Validation(invalid)) = result {
            println!("not sent, {}: {}", invalid.field, invalid.reason);
        }
    }
    // --8<-- [end:validation]
    for result in &refused {
        check(
            matches!(result, Err(Error::Validation(_))),
            format!("expected a validation error, got {result:?}"),
        )?;
    }
    check(
        mock_request_count()? == requests_before,
        "a refused send reached the API",
    )?;

    // --8<-- [start:api_errors]
    let result = client.delete_webhook("wh_no_such_webhook");
    match &result {
        Ok(_) => println!("deleted"),
        Err(Error::Authentication(api)) => println!("check the API key: {api}"),
        Err(Error::RateLimited { retry_after, .. }) => println!("slow down: {retry_after:?}"),
        Err(Error::Api(api)) => println!(
            "refused with HTTP {}: {} (trace id {})",
            api.status,
            api.code.as_deref().unwrap_or("no code"),
            api.trace_id.as_deref().unwrap_or("none")
        ),
        Err(Error::Server(api)) => println!("Connectly failed: {api}"),
        // Whether the request may have reached Connectly: then it may have been done.
        Err(error @ (Error::Timeout { .. } | Error::Transport { .. })) if error.possibly_sent() => {
            println!("no answer, and it may have been done: check before repeating")
        }
        Err(Error::Timeout { .. } | Error::Transport { .. }) => println!("no answer; try later"),
        Err(other) => println!("{}: {other}", other.kind_name()),
    }
    // --8<-- [end:api_errors]
    match &result {
        Err(Error::Api(api)) => check(
            api.status == 404 && api.code.as_deref() == Some("ERROR_CODE_WEBHOOK_NOT_FOUND"),
            format!("deleting an unknown webhook answered {api}"),
        )?,
        other => check(false, format!("expected Error::Api, got {other:?}"))?,
    }
    let stranger = ClientBuilder::from_env().api_key("not-the-key").build()?;
    let denied = stranger.send_text(&customer, "Hi!");
    check(
        matches!(&denied, Err(Error::Authentication(api)) if api.status == 401),
        format!("a wrong API key gave {denied:?}"),
    )?;

    // The mock answers the next two API requests with 429, then 503.
    mock_fail_next(json!([{ "status": 429 }, { "status": 503 }]))?;
    let requests_before = mock_request_count()?;

    // --8<-- [start:retries]
    // Each attempt may take 10 s; a failed one is tried again up to 3 times, waiting up to
    // 0.5 s, 1 s, then 2 s (randomised; longer if the API asks with Retry-After), within 60 s.
    let client = ClientBuilder::from_env()
        .timeout(Duration::from_secs(10))
        .total_timeout(Duration::from_secs(60))
        .max_retries(3)
        .build()?;
    // A send is tried again only when it cannot have arrived (no connection) or after a 429:
    // one answered 5xx or timed out may have been delivered, so it is never sent twice.
    // (Webhook registration calls, which have the same effect twice, are retried on those too.)
    let result = client.send_text(&customer, "Your code is 1234");
    match &result {
        Ok(sent) => println!("sent after {} attempt(s)", sent.attempts),
        Err(error) if error.possibly_sent() => println!("not sent again: {error}"),
        Err(error) => println!(
            "not delivered after {} attempt(s): {error}",
            error.attempts()
        ),
    }
    // --8<-- [end:retries]
    check(
        matches!(&result, Err(Error::Server(api)) if api.status == 503 && api.attempts == 2),
        format!("after 429 then 503, expected a server error after 2 attempts: {result:?}"),
    )?;
    let made = mock_request_count()? - requests_before;
    check(made == 2, format!("{made} requests for one send, not 2"))?;
    println!("the send was tried twice: retried after the 429, not after the 503");
    Ok(())
}
