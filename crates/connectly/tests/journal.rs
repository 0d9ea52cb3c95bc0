//! Resumable bulk sends: a rerun with the same journal sends only what never left, reports
//! what may have, and refuses a journal written for other messages.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use connectly::{BulkOptions, Client, Error, ErrorKind, Outgoing, Recipient};
use connectly_mock::{Failure, MockServer};

fn client(mock: &MockServer) -> Client {
    Client::builder()
        .api_key(mock.api_key())
        .business_id(mock.business_id())
        .base_url(mock.url())
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap()
}

fn batch(n: usize) -> Vec<Outgoing> {
    (0..n)
        .map(|i| Outgoing::text(Recipient::whatsapp("+15555555555"), format!("m{i}")))
        .collect()
}

fn texts(mock: &MockServer) -> Vec<String> {
    mock.requests()
        .iter()
        .map(|r| {
            r.json().unwrap()["message"]["text"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect()
}

#[test]
fn a_rerun_sends_only_what_never_left_and_reports_what_may_have() {
    let mock = MockServer::start().unwrap();
    let client = client(&mock);
    let dir = tempdir();
    let journal = dir.join("batch.journal");
    let options = BulkOptions::new().concurrency(1).journal(&journal);
    let messages = batch(10);
    // m3 is refused (400: never sent), m5 times out (it may have reached the server).
    mock.fail_next((0..10).map(|i| match i {
        3 => Failure::status(400),
        5 => Failure::delay(Duration::from_secs(2)),
        _ => Failure::delay(Duration::ZERO),
    }));
    let first = client.send_many(&messages, &options);
    assert_eq!(first[3].as_ref().unwrap_err().kind(), ErrorKind::Api);
    assert_eq!(first[5].as_ref().unwrap_err().kind(), ErrorKind::Timeout);
    assert_eq!(first.iter().filter(|r| r.is_ok()).count(), 8);
    mock.clear_requests();

    let second = client.send_many(&messages, &options);
    // Only the refused one is sent again.
    assert_eq!(texts(&mock), ["m3"]);
    assert_eq!(second[3].as_ref().unwrap().attempts, 1);
    assert!(
        matches!(
            second[5],
            Err(Error::Cancelled {
                possibly_sent: true,
                attempts: 0
            })
        ),
        "{:?}",
        second[5]
    );
    for i in [0, 1, 2, 4, 6, 7, 8, 9] {
        let answer = second[i].as_ref().unwrap();
        let before = first[i].as_ref().unwrap();
        assert_eq!((answer.status, &answer.body), (before.status, &before.body));
        assert_eq!(answer.attempts, 0, "read back from the journal");
    }

    // Another batch with that journal: refused, nothing sent.
    mock.clear_requests();
    let other = client.send_many(&batch(11), &options);
    assert_eq!(other.len(), 11);
    for result in &other {
        match result {
            Err(Error::Validation(invalid)) => assert_eq!(invalid.field, "journal"),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(mock.request_count(), 0);
}

#[test]
fn a_message_in_flight_when_the_run_died_is_reported_not_resent() {
    let mock = MockServer::start().unwrap();
    let client = client(&mock);
    let dir = tempdir();
    let journal = dir.join("died.journal");
    let options = BulkOptions::new().concurrency(1).journal(&journal);
    let messages = batch(5);
    client.send_many(&messages, &options);
    // As if the run had died: m2 started and never ended, m4's end cut short mid-line.
    let text = std::fs::read_to_string(&journal).unwrap();
    let mut lines: Vec<&str> = text.lines().filter(|l| !l.starts_with("D 2 ")).collect();
    let last = lines.pop().unwrap();
    assert!(last.starts_with("D 4 "), "{last}");
    let cut = format!("{}\n{}", lines.join("\n"), &last[..6]);
    std::fs::write(&journal, cut).unwrap();
    mock.clear_requests();

    let rerun = client.send_many(&messages, &options);
    assert_eq!(mock.request_count(), 0, "{:?}", texts(&mock));
    for i in [2, 4] {
        assert!(rerun[i].as_ref().unwrap_err().possibly_sent(), "m{i}");
    }
    assert!(rerun[0].is_ok() && rerun[1].is_ok() && rerun[3].is_ok());
    // The journal stays readable after the cut line.
    let again = client.send_many(&messages, &options);
    assert!(again[4].as_ref().unwrap_err().possibly_sent());
    assert!(again[3].is_ok());
}

#[test]
fn a_message_whose_connection_never_opened_is_sent_by_the_rerun() {
    let mock = MockServer::start().unwrap();
    // Nothing listens on the port the first run uses: no request can have been written.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let offline = Client::builder()
        .api_key(mock.api_key())
        .business_id(mock.business_id())
        .base_url(format!("http://127.0.0.1:{closed}"))
        .max_retries(0)
        .build()
        .unwrap();
    let dir = tempdir();
    let options = BulkOptions::new()
        .concurrency(1)
        .journal(dir.join("batch.journal"));
    let messages = batch(3);
    for result in offline.send_many(&messages, &options) {
        let err = result.unwrap_err();
        assert!(
            matches!(err, Error::Transport { .. }) && !err.possibly_sent(),
            "{err:?}"
        );
    }
    // The same batch through a server that answers: every message is sent, none twice.
    let rerun = client(&mock).send_many(&messages, &options);
    assert!(rerun
        .iter()
        .all(|r| r.as_ref().is_ok_and(|r| r.attempts == 1)));
    assert_eq!(texts(&mock), ["m0", "m1", "m2"]);
}

/// A fresh directory under the system temporary directory.
fn tempdir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "connectly-journal-{}-{}",
        std::process::id(),
        fastrand::u64(..)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
