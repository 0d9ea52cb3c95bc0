//! The interruption hook: it stops a wait between retries and a `send_many`, never a request
//! in flight, and what it stops fails with `Cancelled`.

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use connectly::{
    BulkOptions, Error, ErrorKind, Interrupt, Outgoing, Progress, Recipient, INTERRUPT_INTERVAL,
};
use connectly_mock::{Failure, MockServer};

use crate::support::{builder, fake_client, FakeTime};

/// A hook that says yes from its `yes_at`-th ask on (never, for `usize::MAX`).
#[derive(Debug)]
struct AfterAsks {
    asks: AtomicUsize,
    yes_at: usize,
}

impl AfterAsks {
    fn new(yes_at: usize) -> Arc<Self> {
        Arc::new(Self {
            asks: AtomicUsize::new(0),
            yes_at,
        })
    }

    fn asks(&self) -> usize {
        self.asks.load(Ordering::SeqCst)
    }
}

impl Interrupt for AfterAsks {
    fn interrupted(&self) -> bool {
        self.asks.fetch_add(1, Ordering::SeqCst) + 1 >= self.yes_at
    }
}

/// A hook that says yes once `done` (counted by a progress callback) reaches `yes_at`.
#[derive(Debug)]
struct AfterDone {
    done: Arc<AtomicUsize>,
    yes_at: usize,
}

impl Interrupt for AfterDone {
    fn interrupted(&self) -> bool {
        self.done.load(Ordering::SeqCst) >= self.yes_at
    }
}

fn limited(retry_after: &str) -> Failure {
    Failure::Status {
        status: 429,
        body: None,
        retry_after: Some(retry_after.into()),
    }
}

fn send(client: &connectly::Client) -> Result<connectly::Response, Error> {
    client.send_text(&Recipient::whatsapp("+15555555555"), "hello!")
}

fn texts(n: usize) -> Vec<Outgoing> {
    (0..n)
        .map(|i| Outgoing::text(Recipient::whatsapp("+15555555555"), format!("message {i}")))
        .collect()
}

/// The texts the mock received, each as its message's index.
fn sent_indexes(mock: &MockServer) -> Vec<usize> {
    mock.requests()
        .iter()
        .filter_map(|r| {
            let json = r.json()?;
            let text = json["message"]["text"].as_str()?;
            text.strip_prefix("message ")?.parse().ok()
        })
        .collect()
}

#[test]
fn an_interrupt_stops_a_retry_after_wait_without_another_request() {
    let mock = MockServer::start().unwrap();
    let time = FakeTime::new();
    mock.fail_next([limited("60")]);
    let hook = AfterAsks::new(3);
    let client = fake_client(&mock, &time).with_interrupt(hook.clone());
    let err = send(&client).unwrap_err();
    assert!(
        matches!(err, Error::Cancelled { attempts: 1, .. }),
        "{err:?}"
    );
    assert_eq!(err.kind(), ErrorKind::Cancelled);
    assert_eq!(err.attempts(), 1);
    assert!(err.to_string().contains("interrupted"), "{err}");
    assert_eq!(mock.request_count(), 1, "no request after the interruption");
    // Asked before each slice of the wait: two slices slept, then the third ask said yes.
    assert_eq!(hook.asks(), 3);
    assert_eq!(time.sleeps(), vec![INTERRUPT_INTERVAL; 2]);
}

#[test]
fn a_hook_that_never_says_yes_only_slices_the_wait() {
    let mock = MockServer::start().unwrap();
    let time = FakeTime::new();
    mock.fail_next([limited("1")]);
    let hook = AfterAsks::new(usize::MAX);
    let client = fake_client(&mock, &time).with_interrupt(hook.clone());
    let response = send(&client).unwrap();
    assert_eq!(response.attempts, 2);
    assert_eq!(mock.request_count(), 2);
    assert_eq!(time.sleeps(), vec![INTERRUPT_INTERVAL; 20]);
    assert_eq!(
        time.sleeps().iter().sum::<Duration>(),
        Duration::from_secs(1)
    );
    // Before each of the 20 slices, and before the second attempt.
    assert_eq!(hook.asks(), 21);
}

#[test]
fn the_first_attempt_is_made_whatever_the_hook_says() {
    let mock = MockServer::start().unwrap();
    let time = FakeTime::new();
    let client = fake_client(&mock, &time).with_interrupt(AfterAsks::new(0));
    assert_eq!(send(&client).unwrap().attempts, 1);
    // A 429 makes the call wait; the hook stops it before the wait begins.
    mock.fail_next([limited("1")]);
    let err = send(&client).unwrap_err();
    assert!(
        matches!(err, Error::Cancelled { attempts: 1, .. }),
        "{err:?}"
    );
    assert!(time.sleeps().is_empty());
    assert_eq!(mock.request_count(), 2);
}

#[test]
fn an_interrupted_send_many_starts_nothing_more_and_keeps_every_started_result() {
    const MESSAGES: usize = 1_000;
    let mock = MockServer::start().unwrap();
    mock.fail_next(vec![Failure::delay(Duration::from_millis(100)); MESSAGES]);
    let hook = AfterAsks::new(3);
    let client = builder(&mock).build().unwrap().with_interrupt(hook.clone());
    let reported = Arc::new(AtomicUsize::new(0));
    let options = {
        let reported = reported.clone();
        BulkOptions::new()
            .concurrency(4)
            .on_progress(move |_: Progress| {
                reported.fetch_add(1, Ordering::SeqCst);
            })
    };
    let results = client.send_many(&texts(MESSAGES), &options);
    assert_eq!(results.len(), MESSAGES);
    assert!(hook.asks() >= 3);

    let sent = sent_indexes(&mock);
    let unique: HashSet<usize> = sent.iter().copied().collect();
    assert_eq!(unique.len(), sent.len(), "a message was sent twice");
    assert_eq!(sent.len(), mock.request_count());
    assert!(
        sent.len() < MESSAGES / 5,
        "{} of {MESSAGES} messages were sent after all",
        sent.len()
    );
    for (index, result) in results.iter().enumerate() {
        if unique.contains(&index) {
            assert!(result.is_ok(), "message {index} was sent: {result:?}");
        } else {
            assert!(
                matches!(result, Err(Error::Cancelled { attempts: 0, .. })),
                "message {index} was not started: {result:?}"
            );
        }
    }
    // Only the messages sent were reported.
    assert_eq!(reported.load(Ordering::SeqCst), sent.len());
}

#[test]
fn an_interrupt_cuts_a_pacing_wait_short() {
    let mock = MockServer::start().unwrap();
    let done = Arc::new(AtomicUsize::new(0));
    let hook = Arc::new(AfterDone {
        done: done.clone(),
        yes_at: 1,
    });
    let client = builder(&mock).build().unwrap().with_interrupt(hook);
    // One start every 100 s: the second message waits, and the hook stops it waiting.
    let options = BulkOptions::new()
        .concurrency(1)
        .rate_limit(BulkOptions::MIN_RATE_LIMIT)
        .on_progress(move |p: Progress| done.store(p.done, Ordering::SeqCst));
    let results = client.send_many(&texts(3), &options);
    assert!(results[0].is_ok(), "{:?}", results[0]);
    for result in &results[1..] {
        assert!(
            matches!(result, Err(Error::Cancelled { attempts: 0, .. })),
            "{result:?}"
        );
    }
    assert_eq!(sent_indexes(&mock), vec![0]);
}

#[test]
fn an_interrupted_send_prepared_keeps_the_refused_ones() {
    let mock = MockServer::start().unwrap();
    let client = builder(&mock)
        .build()
        .unwrap()
        .with_interrupt(AfterAsks::new(0));
    let items: Vec<Result<Outgoing, &str>> = vec![
        Err("refused"),
        Ok(Outgoing::text(Recipient::whatsapp("+15555555555"), "hi")),
    ];
    let results = client.send_prepared(items, &BulkOptions::new());
    assert!(matches!(results[0], Err("refused")));
    // The hook said yes before the call: nothing was started.
    assert!(
        matches!(
            results[1],
            Ok(Err(Error::Cancelled {
                attempts: 0,
                possibly_sent: false
            }))
        ),
        "{:?}",
        results[1]
    );
    assert_eq!(mock.request_count(), 0);
}
