//! The async guide: `connectly::AsyncClient` in a tokio program, many sends in flight at once,
//! and cancelling one, with what `Error::Cancelled { possibly_sent, .. }` says about it.
//!
//! Run it with `CONNECTLY_API_KEY`, `CONNECTLY_BUSINESS_ID` and `CONNECTLY_BASE_URL` set to
//! the mock's: `target/debug/async`. For the cancellations, it has the mock hold its next
//! answers for 3 s (over its control protocol), so that a request is in flight when it is
//! cancelled.
// connectly-example: run

use std::time::{Duration, Instant};

use connectly::{AsyncClient, CompletionQueue, Error, Message, Recipient};
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

    // To know whether a cancelled send may have reached Connectly, submit it to a completion
    // queue and cancel its ticket: it completes with `Error::Cancelled`.
    let blocking = client.to_blocking();
    let queue = CompletionQueue::new()?;
    let send = blocking.send_message_operation(&customer, &Message::text("Your code is 5678"))?;
    let ticket = queue.submit(&blocking, send, 1);
    tokio::time::sleep(Duration::from_millis(500)).await;
    ticket.cancel();
    let done = tokio::task::spawn_blocking(move || queue.wait(Duration::from_secs(5))).await?;
    for completion in &done {
        if let Err(Error::Cancelled { possibly_sent, .. }) = &completion.result {
            // true: it was in flight, so check before sending it again.
            println!("cancelled; possibly sent: {possibly_sent}");
        }
    }
    // --8<-- [end:cancel]
    check(answer.is_err(), "the held send was answered within 500 ms")?;
    check(
        done.len() == 1,
        format!("{} completions, not 1", done.len()),
    )?;
    check(
        matches!(
            done.first().map(|c| &c.result),
            Some(Err(Error::Cancelled {
                possibly_sent: true,
                attempts: 1
            }))
        ),
        format!("expected a cancelled, possibly sent call: {done:?}"),
    )?;

    // The client goes on working after its calls were cancelled.
    let sent = client.send_text(&customer, "Still here").await?;
    println!("sent {} after the cancellations", message_id(&sent)?);
    Ok(())
}
