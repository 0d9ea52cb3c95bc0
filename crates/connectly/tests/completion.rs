//! The completion queue: every submission completes exactly once, finished, failed or
//! cancelled, also when its client goes away; a cancelled send never reaches the server.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;
use std::time::{Duration, Instant};

use connectly::{Client, CompletionQueue, ErrorKind, Message, Outcome, Recipient};
use connectly_mock::{Failure, MockServer};

fn client(mock: &MockServer) -> Client {
    Client::builder()
        .api_key(mock.api_key())
        .business_id(mock.business_id())
        .base_url(mock.url())
        .max_retries(0)
        .build()
        .unwrap()
}

/// Takes completions until `count` arrived (at most 30 s); their results by tag, each
/// tag seen once.
fn collect(
    queue: &CompletionQueue,
    count: usize,
) -> HashMap<u64, Result<Outcome, connectly::Error>> {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut seen = HashMap::new();
    while seen.len() < count {
        assert!(
            Instant::now() < deadline,
            "{} of {count} completed",
            seen.len()
        );
        for completion in queue.wait(Duration::from_millis(100)) {
            let again = seen.insert(completion.tag, completion.result);
            assert!(again.is_none(), "tag {} completed twice", completion.tag);
        }
    }
    assert!(
        queue.wait(Duration::from_millis(50)).is_empty(),
        "an extra completion"
    );
    seen
}

#[test]
fn every_submission_completes_once_and_a_cancelled_one_that_had_not_started_is_never_sent() {
    let mock = MockServer::start().unwrap();
    let client = client(&mock);
    let queue = CompletionQueue::new().unwrap();
    let to = Recipient::whatsapp("+15555555555");
    // The first 100 answers are held far longer than the test runs.
    mock.fail_next((0..100).map(|_| Failure::delay(Duration::from_secs(120))));
    let held: Vec<_> = (0..100)
        .map(|tag| {
            let op = client
                .send_message_operation(&to, &Message::text(format!("held {tag}")))
                .unwrap();
            queue.submit(&client, op, tag)
        })
        .collect();
    let deadline = Instant::now() + Duration::from_secs(30);
    while mock.request_count() < 100 {
        assert!(
            Instant::now() < deadline,
            "the held sends did not all arrive"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    for tag in 100..200 {
        let op = client
            .send_message_operation(&to, &Message::text(format!("free {tag}")))
            .unwrap();
        queue.submit(&client, op, tag);
    }
    for ticket in &held {
        ticket.cancel();
    }
    let results = collect(&queue, 200);
    for tag in 0..100 {
        let err = results[&tag].as_ref().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Cancelled, "tag {tag}");
    }
    for tag in 100..200 {
        let outcome = results[&tag].as_ref().unwrap();
        assert_eq!(outcome.response().unwrap().status, 200, "tag {tag}");
    }

    // A submission cancelled before the runtime ran it: never sent.
    mock.reset();
    let op = client
        .send_message_operation(&to, &Message::text("never"))
        .unwrap();
    let ticket = queue.submit(&client, op, 7);
    ticket.cancel();
    let results = collect(&queue, 1);
    match &results[&7] {
        // The cancel won the race: nothing reached the mock.
        Err(err) => {
            assert_eq!(err.kind(), ErrorKind::Cancelled);
            let bodies: Vec<_> = mock.requests().into_iter().map(|r| r.body).collect();
            assert!(
                bodies
                    .iter()
                    .all(|b| !String::from_utf8_lossy(b).contains("never")),
                "a cancelled send reached the server"
            );
        }
        // The send finished first: it was sent once.
        Ok(outcome) => assert_eq!(outcome.response().unwrap().status, 200),
    }
}

#[test]
fn submissions_in_flight_complete_when_their_client_is_dropped() {
    let mock = MockServer::start().unwrap();
    let queue = CompletionQueue::new().unwrap();
    mock.fail_next((0..20).map(|_| Failure::delay(Duration::from_secs(120))));
    {
        let client = client(&mock);
        for tag in 0..20 {
            let op = client.list_webhooks_operation().unwrap();
            queue.submit(&client, op, tag);
        }
        let deadline = Instant::now() + Duration::from_secs(30);
        while mock.request_count() < 20 {
            assert!(Instant::now() < deadline, "the calls did not all arrive");
            std::thread::sleep(Duration::from_millis(10));
        }
    }
    // The client is gone but its calls hold its runtime: they finish when the mock answers.
    // Cut them short by shutting the mock down: each completes, once, with a failure.
    mock.shutdown();
    let results = collect(&queue, 20);
    assert!(results.values().all(Result::is_err));
}

#[test]
fn every_kind_of_operation_completes_with_its_outcome() {
    let mock = MockServer::start().unwrap();
    let client = client(&mock);
    let queue = CompletionQueue::new().unwrap();
    let ops = vec![
        client
            .upsert_webhook_operation("https://example.com/h", "messages", None)
            .unwrap(),
        client.list_templates_operation().unwrap(),
        client
            .send_campaign_operation(&[connectly::CampaignEntry::new("+15555555555", "autumn")])
            .unwrap(),
    ];
    for (tag, op) in ops.into_iter().enumerate() {
        queue.submit(&client, op, tag as u64);
    }
    let results = collect(&queue, 3);
    assert!(matches!(results[&0], Ok(Outcome::Response(_))));
    assert!(matches!(&results[&1], Ok(Outcome::Templates(t)) if !t.is_empty()));
    assert!(matches!(&results[&2], Ok(Outcome::Campaign(c)) if c.accepted == Some(1)));
    let blocking = client
        .perform_operation(&client.list_webhooks_operation().unwrap())
        .unwrap();
    assert!(matches!(blocking, Outcome::Webhooks(w) if w.len() == 1));
}
