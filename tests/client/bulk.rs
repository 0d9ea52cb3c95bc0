//! `send_many`: every message once, results in input order, pacing and progress.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use connectly::mock::{Failure, MockServer};
use connectly::{BulkOptions, Error, Message, Progress, Recipient};

use crate::support::{builder, fake_client, FakeTime};

fn texts(n: usize) -> Vec<Message> {
    (0..n)
        .map(|i| Message::text(Recipient::whatsapp("+15555555555"), format!("message {i}")))
        .collect()
}

fn sent_texts(mock: &MockServer) -> Vec<String> {
    mock.requests()
        .iter()
        .filter_map(|r| r.json()?["message"]["text"].as_str().map(str::to_owned))
        .collect()
}

#[test]
fn ten_thousand_messages_each_recorded_exactly_once_in_order() {
    let mock = MockServer::start().unwrap();
    let client = builder(&mock).build().unwrap();
    let messages = texts(10_000);
    let calls = Arc::new(AtomicUsize::new(0));
    let last = Arc::new(Mutex::new(None));
    let options = {
        let (calls, last) = (calls.clone(), last.clone());
        BulkOptions::new().on_progress(move |p: Progress| {
            calls.fetch_add(1, Ordering::Relaxed);
            let mut last = last.lock().unwrap();
            if last.map_or(true, |l: Progress| p.done > l.done) {
                *last = Some(p);
            }
        })
    };
    let results = client.send_many(&messages, &options);
    assert_eq!(results.len(), 10_000);
    assert!(results.iter().all(Result::is_ok));

    let mut seen = sent_texts(&mock);
    assert_eq!(seen.len(), 10_000);
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 10_000, "a message was sent twice");
    assert_eq!(calls.load(Ordering::Relaxed), 10_000);
    assert_eq!(
        *last.lock().unwrap(),
        Some(Progress {
            done: 10_000,
            failed: 0,
            total: 10_000
        })
    );
}

#[test]
fn results_match_their_messages_including_failures() {
    let mock = MockServer::start().unwrap();
    let client = builder(&mock).max_retries(0).build().unwrap();
    let mut messages = texts(50);
    messages[7] = Message::text(Recipient::whatsapp("+1"), "bad number");
    messages[20] = Message::template("+15555555555", "", vec![]);
    messages[30] = Message::template(
        "+15555555555",
        "welcome",
        vec![("name".into(), "Ada".into())],
    );
    mock.fail_next([Failure::Status {
        status: 500,
        body: None,
        retry_after: None,
    }]);
    let results = client.send_many(&messages, &BulkOptions::new().concurrency(1));
    assert!(
        matches!(&results[0], Err(Error::Server(_))),
        "{:?}",
        results[0]
    );
    assert!(matches!(&results[7], Err(Error::Validation(v)) if v.field == "recipient id"));
    assert!(matches!(&results[20], Err(Error::Validation(v)) if v.field == "template name"));
    assert!(results[30].is_ok());
    let failed = results.iter().filter(|r| r.is_err()).count();
    assert_eq!(failed, 3);
    assert_eq!(mock.request_count(), 48, "invalid messages are never sent");
}

#[test]
fn the_rate_limit_spaces_message_starts() {
    let mock = MockServer::start().unwrap();
    let time = FakeTime::new();
    let client = fake_client(&mock, &time);
    let options = BulkOptions::new().concurrency(1).rate_limit(100.0);
    let results = client.send_many(&texts(5), &options);
    assert!(results.iter().all(Result::is_ok));
    assert_eq!(time.sleeps(), vec![Duration::from_millis(10); 4]);
}

#[test]
fn empty_input_and_odd_options() {
    let mock = MockServer::start().unwrap();
    let client = builder(&mock).build().unwrap();
    assert!(client.send_many(&[], &BulkOptions::new()).is_empty());
    let options = BulkOptions::new()
        .concurrency(0)
        .rate_limit(f64::NAN)
        .rate_limit(-1.0);
    let results = client.send_many(&texts(3), &options);
    assert_eq!(results.len(), 3);
    assert_eq!(mock.request_count(), 3);
}
