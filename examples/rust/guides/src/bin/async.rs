//! The async guide: `connectly::AsyncClient` in a tokio program, many sends in flight at once,
//! and cancelling one, with what `Error::Cancelled { possibly_sent, .. }` says about it.
//!
//! Run it with `CONNECTLY_API_KEY`, `CONNECTLY_BUSINESS_ID` and `CONNECTLY_BASE_URL` set to
//! the mock's: `target/debug/async`. For the cancellations, it has the mock hold its next
//! answers for 3 s (over its control protocol), so that a request is in flight when it is
//! cancelled.
// connectly-example: run

use std::time::{Duration, Instant};

use connectly::{AsyncClient, CancelToken, Error, Recipient};
use connectly_guides::{check, message_id, mock_accepted_count, mock_fail_next, Outcome};
use serde_json::json;
use tokio::task::JoinSet;

#[tokio::main]
async fn main() -> Outcome {
    let accepted_before = mock_accepted_count()?;
    let started = Instant::now();

    // --8<-- [start:concurrent]
    // Calls are `async fn`s; the client is cheap to clone (one connection pool), and any
    // number of its calls can be in flight at once without a thread each.
    let client = AsyncClient::from_env()?;
    let mut sends = JoinSet::new();
    for n in 1..=20 {
        let client = client.clone();
        sends.spawn(async move {
            let customer = Recipient::whatsapp(format!("+1555555{n:04}"));
            client.send_text(&customer, "Your order has shipped.").await
        });
    }
    let mut ids = Vec::new();
    while let Some(joined) = sends.join_next().await {
        let sent = joined??;
        ids.push(sent.body["id"].clone());
    }
    println!("{} messages sent", ids.len());
    // --8<-- [end:concurrent]
    println!("(in {:?})", started.elapsed());
    check(ids.len() == 20, format!("{} sends, not 20", ids.len()))?;
    check(
        mock_accepted_count()? == accepted_before + 20,
        "the mock did not accept 20 messages",
    )?;

    // The mock holds its next two answers for 3 s.
    mock_fail_next(json!([{ "delay_ms": 3000 }, { "delay_ms": 3000 }]))?;
    let customer = Recipient::whatsapp("+15555555555");

    // --8<-- [start:cancel]
    // Dropping a call's future cancels it (a timeout, `select!`, an aborted task): a request
    // not yet written is never sent; one in flight is abandoned.
    let call = client.send_text(&customer, "Your code is 1234");
    let answer = tokio::time::timeout(Duration::from_millis(500), call).await;
    if answer.is_err() {
        println!("no answer within 500 ms: the call was dropped, so cancelled");
    }

    // To hear back from a cancelled call, cancel it through a token: it returns
    // `Error::Cancelled`, which says whether its request may have reached Connectly.
    let token = CancelToken::new();
    let watched = client.cancelled_by(&token);
    let call = tokio::spawn(async move { watched.send_text(&customer, "Your code is 5678").await });
    tokio::time::sleep(Duration::from_millis(500)).await;
    token.cancel(); // say, the customer closed the page
    let result = call.await?;
    if let Err(Error::Cancelled { possibly_sent, .. }) = &result {
        // true: it was in flight, so check before sending it again.
        println!("cancelled; possibly sent: {possibly_sent}");
    }
    // --8<-- [end:cancel]
    check(answer.is_err(), "the held send was answered within 500 ms")?;
    check(
        matches!(
            result,
            Err(Error::Cancelled {
                possibly_sent: true,
                attempts: 1
            })
        ),
        format!("expected a cancelled, possibly sent call: {result:?}"),
    )?;

    // The client goes on working after its calls were cancelled.
    let customer = Recipient::whatsapp("+15555555555");
    let sent = client.send_text(&customer, "Still here").await?;
    println!("sent {} after the cancellations", message_id(&sent)?);
    Ok(())
}
