//! The completion queue: every submission completes exactly once, finished, failed or
//! cancelled, also when its client goes away; a cancelled send never reaches the server.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use connectly::{Client, CompletionQueue, ErrorKind, Message, Outcome, Recipient};
use connectly_mock::{Failure, MockServer};

/// The tests count the process's threads and descriptors: they run one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(PoisonError::into_inner)
}

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
    let _serial = serial();
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
        // Each had reached the mock: the caller is told it may have been received.
        assert!(err.possibly_sent(), "tag {tag}: {err}");
        assert_eq!(err.attempts(), 1);
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
            assert!(!err.possibly_sent(), "{err}");
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
    let _serial = serial();
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
    let _serial = serial();
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

#[test]
fn a_send_cancelled_while_waiting_to_retry_is_not_sent_again_nor_possibly_sent() {
    let _serial = serial();
    let mock = MockServer::start().unwrap();
    let client = Client::builder()
        .api_key(mock.api_key())
        .business_id(mock.business_id())
        .base_url(mock.url())
        .build()
        .unwrap();
    let queue = CompletionQueue::new().unwrap();
    // Answered 429, to be retried in a second: cancelled during that wait.
    mock.fail_next([Failure::rate_limited().retry_after("1")]);
    let op = client
        .send_message_operation(&Recipient::whatsapp("+15555555555"), &Message::text("once"))
        .unwrap();
    let ticket = queue.submit(&client, op, 1);
    let deadline = Instant::now() + Duration::from_secs(30);
    while mock.request_count() < 1 {
        assert!(Instant::now() < deadline, "the send did not arrive");
        std::thread::sleep(Duration::from_millis(5));
    }
    // The 429 is answered as soon as it is recorded; give the client time to read it.
    std::thread::sleep(Duration::from_millis(200));
    ticket.cancel();
    let results = collect(&queue, 1);
    let err = results[&1].as_ref().unwrap_err();
    assert!(
        matches!(
            err,
            connectly::Error::Cancelled {
                attempts: 1,
                possibly_sent: false
            }
        ),
        "{err:?}"
    );
    std::thread::sleep(Duration::from_millis(1200));
    assert_eq!(
        mock.request_count(),
        1,
        "the retry was sent after the cancel"
    );
}

#[test]
fn a_thousand_submissions_complete_in_about_one_server_latency_on_a_few_threads() {
    let _serial = serial();
    const CALLS: u64 = 1000;
    let mock = MockServer::start().unwrap();
    let client = client(&mock);
    let queue = CompletionQueue::new().unwrap();
    // Warm the pool's first connection, so the threads counted are the steady ones.
    client
        .perform_operation(&client.list_webhooks_operation().unwrap())
        .unwrap();
    let before = threads();
    mock.fail_next((0..CALLS).map(|_| Failure::delay(Duration::from_millis(200))));
    let to = Recipient::whatsapp("+15555555555");
    let start = Instant::now();
    for tag in 0..CALLS {
        let op = client
            .send_message_operation(&to, &Message::text(format!("n{tag}")))
            .unwrap();
        queue.submit(&client, op, tag);
    }
    let mut most = 0;
    let mut done = 0;
    while done < CALLS {
        most = most.max(threads());
        done += queue.wait(Duration::from_millis(20)).len() as u64;
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "{done} of {CALLS} done"
        );
    }
    let took = start.elapsed();
    // One server latency is 0.2 s; a thread per call, or calls a few at a time, would take
    // far longer than this (generous, for a loaded 2-core machine).
    assert!(took < Duration::from_secs(5), "{CALLS} calls took {took:?}");
    assert!(
        most < before + 8,
        "{CALLS} calls took {} more threads",
        most - before
    );
}

/// Threads of this process.
fn threads() -> usize {
    std::fs::read_dir("/proc/self/task").map_or(0, Iterator::count)
}

/// Open descriptors of this process.
fn descriptors() -> usize {
    std::fs::read_dir("/proc/self/fd").map_or(0, Iterator::count)
}

/// Waits (up to 10 s: runtime threads exit and sockets close after the client is dropped)
/// until `count` is at most `baseline`.
fn back_to(what: &str, baseline: usize, count: fn() -> usize) {
    let start = Instant::now();
    while count() > baseline {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{} {what}, {baseline} before",
            count()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn under_faults_and_random_cancels_every_submission_completes_exactly_once() {
    let _serial = serial();
    const CALLS: u64 = 300;
    let mock = MockServer::start().unwrap();
    let (fds, tasks) = (descriptors(), threads());
    {
        let client = Client::builder()
            .api_key(mock.api_key())
            .business_id(mock.business_id())
            .base_url(mock.url())
            .timeout(Duration::from_millis(300))
            .max_retries(2)
            .build()
            .unwrap();
        let queue = CompletionQueue::new().unwrap();
        // 30% of requests fail: resets, truncated answers, 5xx, 429, answers too late.
        mock.fail_next(Failure::random(
            13,
            3 * CALLS as usize,
            0.3,
            &[
                Failure::Drop,
                Failure::ResetMidBody,
                Failure::server_error(),
                Failure::rate_limited().retry_after("0"),
                Failure::delay(Duration::from_secs(2)),
            ],
        ));
        let to = Recipient::whatsapp("+15555555555");
        let tickets: Vec<_> = (0..CALLS)
            .map(|tag| {
                let op = client
                    .send_message_operation(&to, &Message::text(format!("n{tag}")))
                    .unwrap();
                queue.submit(&client, op, tag)
            })
            .collect();
        // Another thread cancels a third of them at random moments.
        let mut rng = fastrand::Rng::with_seed(7);
        let victims: Vec<(u64, u64)> = (0..CALLS / 3)
            .map(|_| (rng.u64(..CALLS), rng.u64(..400)))
            .collect();
        let canceller = std::thread::spawn(move || {
            let mut victims = victims;
            victims.sort_by_key(|&(_, at)| at);
            let start = Instant::now();
            for (tag, at) in victims {
                let due = Duration::from_millis(at);
                if let Some(wait) = due.checked_sub(start.elapsed()) {
                    std::thread::sleep(wait);
                }
                tickets[tag as usize].cancel();
                tickets[tag as usize].cancel();
            }
        });
        let results = collect(&queue, CALLS as usize);
        canceller.join().unwrap();
        for (tag, result) in &results {
            match result {
                Ok(outcome) => assert_eq!(outcome.response().unwrap().status, 200),
                Err(err) => assert!(
                    matches!(
                        err.kind(),
                        ErrorKind::Cancelled
                            | ErrorKind::Transport
                            | ErrorKind::Timeout
                            | ErrorKind::Server
                            | ErrorKind::RateLimited
                    ) && match err.kind() {
                        // Every fault but the 429 comes after the mock read the request.
                        ErrorKind::Server | ErrorKind::Transport | ErrorKind::Timeout => {
                            err.possibly_sent()
                        }
                        ErrorKind::RateLimited => !err.possibly_sent(),
                        _ => true,
                    },
                    "tag {tag}: {err:?}"
                ),
            }
        }
        let confirmed = results.values().filter(|r| r.is_ok()).count();
        let cancelled = results
            .values()
            .filter(|r| matches!(r, Err(e) if e.kind() == ErrorKind::Cancelled))
            .count();
        assert!(cancelled > 0, "no submission was cancelled");
        assert!(
            confirmed > 0 && confirmed < CALLS as usize,
            "{confirmed} confirmed"
        );
    }
    back_to("descriptors", fds, descriptors);
    back_to("threads", tasks, threads);
}
