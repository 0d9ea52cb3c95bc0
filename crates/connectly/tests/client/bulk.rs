//! `send_many`: every message once, results in input order, pacing and progress.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use connectly::{BulkOptions, Error, Outgoing, Progress, Recipient};
use connectly_mock::{Failure, MockServer};

use crate::support::{builder, fake_client, FakeTime};

fn texts(n: usize) -> Vec<Outgoing> {
    (0..n)
        .map(|i| Outgoing::text(Recipient::whatsapp("+15555555555"), format!("message {i}")))
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
            if last.is_none_or(|l: Progress| p.done > l.done) {
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
    messages[7] = Outgoing::text(Recipient::whatsapp("+1"), "bad number");
    messages[20] = Outgoing::template("+15555555555", "", vec![]);
    messages[30] = Outgoing::template(
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
    let options = BulkOptions::new().concurrency(0).concurrency(1000);
    let results = client.send_many(&texts(3), &options);
    assert!(results.iter().all(Result::is_ok));
    assert_eq!(mock.request_count(), 3);
}

#[test]
fn a_rate_limit_that_cannot_be_paced_is_refused_before_anything_is_sent() {
    let mock = MockServer::start().unwrap();
    let client = builder(&mock).build().unwrap();
    let calls = Arc::new(AtomicUsize::new(0));
    for rate in [
        1e-19,
        1e-300,
        5e-324,
        BulkOptions::MIN_RATE_LIMIT * 0.999,
        0.0,
        -0.0,
        -1.0,
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
    ] {
        let counted = calls.clone();
        let options = BulkOptions::new().rate_limit(rate).on_progress(move |_| {
            counted.fetch_add(1, Ordering::Relaxed);
        });
        let results = client.send_many(&texts(3), &options);
        assert_eq!(results.len(), 3, "rate {rate}");
        for result in &results {
            assert!(
                matches!(result, Err(Error::Validation(v)) if v.field == "rate limit"),
                "rate {rate}: {result:?}"
            );
        }
    }
    assert_eq!(mock.request_count(), 0, "nothing may reach the server");
    assert_eq!(calls.load(Ordering::Relaxed), 0);
}

#[test]
fn the_smallest_and_a_huge_rate_limit_are_accepted() {
    let mock = MockServer::start().unwrap();
    let time = FakeTime::new();
    let client = fake_client(&mock, &time);
    let options = BulkOptions::new()
        .concurrency(1)
        .rate_limit(BulkOptions::MIN_RATE_LIMIT);
    let results = client.send_many(&texts(3), &options);
    assert!(results.iter().all(Result::is_ok));
    assert_eq!(time.sleeps(), vec![Duration::from_secs(100); 2]);
    for rate in [1e300, f64::MAX] {
        let results = client.send_many(&texts(3), &BulkOptions::new().rate_limit(rate));
        assert!(results.iter().all(Result::is_ok), "rate {rate}");
    }
    assert_eq!(time.sleeps().len(), 2, "a huge rate never waits");
    assert_eq!(mock.request_count(), 9);
}

#[test]
fn a_panicking_progress_callback_loses_no_result_and_sends_nothing_twice() {
    for concurrency in [1, 8] {
        let mock = MockServer::start().unwrap();
        let client = builder(&mock).build().unwrap();
        let calls = Arc::new(AtomicUsize::new(0));
        let options = {
            let calls = calls.clone();
            BulkOptions::new()
                .concurrency(concurrency)
                .on_progress(move |_: Progress| {
                    if calls.fetch_add(1, Ordering::SeqCst) == 2 {
                        panic!("progress callback failed on its 3rd call");
                    }
                })
        };
        let results = client.send_many(&texts(40), &options);
        assert_eq!(results.len(), 40);
        assert!(results.iter().all(Result::is_ok));
        let mut seen = sent_texts(&mock);
        seen.sort();
        let mut expected: Vec<String> = (0..40).map(|i| format!("message {i}")).collect();
        expected.sort();
        assert_eq!(seen, expected, "each message exactly once");
        if concurrency == 1 {
            // Not called after the panic. (With several threads, calls that start while the
            // panic is still being reported may still run.)
            assert_eq!(calls.load(Ordering::SeqCst), 3);
        }
    }
}

#[test]
fn an_oversized_accepted_reply_keeps_its_status_in_the_row() {
    let mock = MockServer::start().unwrap();
    let client = builder(&mock).build().unwrap();
    mock.fail_next([Failure::Huge {
        bytes: 11 * 1024 * 1024,
        chunked: true,
    }]);
    let results = client.send_many(&texts(5), &BulkOptions::new().concurrency(1));
    let err = results[0].as_ref().unwrap_err();
    assert!(
        matches!(
            err,
            Error::ResponseTooLarge {
                status: 200,
                attempts: 1,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.status(), Some(200));
    assert!(err.to_string().contains("may have been accepted"), "{err}");
    assert!(results[1..].iter().all(Result::is_ok));
    assert_eq!(
        mock.request_count(),
        5,
        "the oversized one is not sent again"
    );
}

/// Progress arrives one call at a time, `done` one more each call, from any number of
/// sending threads; so a binding has nothing to reorder.
#[test]
fn progress_is_reported_in_order_one_call_at_a_time() {
    let mock = MockServer::start().unwrap();
    let client = builder(&mock).build().unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let inside = Arc::new(AtomicUsize::new(0));
    let options = {
        let (seen, inside) = (seen.clone(), inside.clone());
        BulkOptions::new()
            .concurrency(16)
            .on_progress(move |p: Progress| {
                // Two calls at once would both see the other inside.
                assert_eq!(inside.fetch_add(1, Ordering::SeqCst), 0);
                seen.lock().unwrap().push(p.done);
                std::thread::yield_now();
                inside.fetch_sub(1, Ordering::SeqCst);
            })
    };
    let results = client.send_many(&texts(300), &options);
    assert!(results.iter().all(Result::is_ok));
    assert_eq!(*seen.lock().unwrap(), (1..=300).collect::<Vec<_>>());
}

/// A binding's refused messages are counted by the core, first, and come back unchanged in
/// their slots; the rest are sent in order.
#[test]
fn prepared_batches_count_refused_messages_first() {
    let mock = MockServer::start().unwrap();
    let client = builder(&mock).build().unwrap();
    let mut items: Vec<Result<Outgoing, &str>> = texts(6).into_iter().map(Ok).collect();
    items[1] = Err("refused one");
    items[4] = Err("refused two");
    let seen = Arc::new(Mutex::new(Vec::new()));
    let options = {
        let seen = seen.clone();
        BulkOptions::new()
            .concurrency(3)
            .on_progress(move |p: Progress| seen.lock().unwrap().push((p.done, p.failed, p.total)))
    };
    let results = client.send_prepared(items, &options);
    assert_eq!(results.len(), 6);
    assert_eq!(results[1].as_ref().err(), Some(&"refused one"));
    assert_eq!(results[4].as_ref().err(), Some(&"refused two"));
    for i in [0, 2, 3, 5] {
        assert!(matches!(results[i], Ok(Ok(_))), "message {i}");
    }
    let mut sent = sent_texts(&mock);
    sent.sort();
    assert_eq!(
        sent,
        ["message 0", "message 2", "message 3", "message 5"].map(String::from)
    );
    let seen = seen.lock().unwrap();
    assert_eq!(seen[0], (2, 2, 6));
    assert_eq!(
        seen.iter().map(|s| s.0).collect::<Vec<_>>(),
        vec![2, 3, 4, 5, 6]
    );
    assert_eq!(seen.last(), Some(&(6, 2, 6)));
}
