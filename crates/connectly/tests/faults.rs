//! Fault injection against the mock: a connection reset mid-body, a half-written response, a
//! server that dribbles a byte a second, a 200 MiB response, invalid JSON in a 200, and 16
//! threads sending while the mock fails 30% of requests at random.
//!
//! Expected every time: no panic, no hang past the deadline, every message either confirmed or
//! reported failed and never received twice (the mock's records prove it), and the process's
//! open file descriptors back to where they were once the client and the mock are gone.
//! The tests take one lock, so the descriptor counts are not disturbed by each other.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use connectly::{Client, Error, Recipient, Response};
use connectly_mock::{Failure, MockServer};

static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

/// Open file descriptors of this process (`None` where `/proc` does not exist).
fn open_fds() -> Option<usize> {
    std::fs::read_dir("/proc/self/fd").ok().map(Iterator::count)
}

/// Waits (up to 10 s, for threads still closing sockets) until the descriptors are back to
/// `baseline`.
fn assert_fds_back_to(baseline: Option<usize>) {
    let Some(baseline) = baseline else { return };
    let start = Instant::now();
    loop {
        let now = open_fds().unwrap();
        if now <= baseline {
            return;
        }
        if start.elapsed() > Duration::from_secs(10) {
            let listing: Vec<String> = std::fs::read_dir("/proc/self/fd")
                .unwrap()
                .filter_map(Result::ok)
                .filter_map(|e| std::fs::read_link(e.path()).ok())
                .map(|p| p.display().to_string())
                .collect();
            panic!("{now} descriptors open, {baseline} before: {listing:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn client(mock: &MockServer, timeout: Duration) -> Client {
    Client::builder()
        .api_key(mock.api_key())
        .business_id(mock.business_id())
        .base_url(mock.url())
        .timeout(timeout)
        .build()
        .unwrap()
}

fn send(client: &Client, text: &str) -> Result<Response, Error> {
    client.send_text(&Recipient::whatsapp("+15555555555"), text)
}

fn register(client: &Client) -> Result<Response, Error> {
    client.create_webhook("https://example.com/webhook", "messages")
}

/// What one scripted call did.
struct Run {
    result: Result<Response, Error>,
    elapsed: Duration,
    requests: usize,
}

/// Runs `call` against a fresh mock scripted with `failures`, with a fresh client; then
/// drops both and checks the descriptors are back to the baseline.
fn scenario(
    failures: Vec<Failure>,
    timeout: Duration,
    call: impl FnOnce(&Client) -> Result<Response, Error>,
) -> Run {
    let baseline = open_fds();
    let mock = MockServer::start().unwrap();
    mock.fail_next(failures);
    let client = client(&mock, timeout);
    let started = Instant::now();
    let result = call(&client);
    let elapsed = started.elapsed();
    let requests = mock.request_count();
    drop(client);
    mock.shutdown();
    assert_fds_back_to(baseline);
    Run {
        result,
        elapsed,
        requests,
    }
}

/// Runs `call` against a mock that breaks the reply with `failure`, and checks the broken
/// attempt is reported as a transport error and was neither repeated nor lost.
fn assert_reported_once(failure: Failure, call: impl FnOnce(&Client) -> Result<Response, Error>) {
    let run = scenario(vec![failure], Duration::from_secs(5), call);
    let err = run.result.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transport {
                attempts: 1,
                possibly_sent: true,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(run.requests, 1);
}

#[test]
fn a_reset_mid_body_is_reported_and_not_repeated() {
    let _serial = serial();
    assert_reported_once(Failure::ResetMidBody, |c| send(c, "reset"));
    // Registering a webhook is not retried on a broken connection either.
    assert_reported_once(Failure::ResetMidBody, register);
}

#[test]
fn a_half_written_response_is_reported_and_not_repeated() {
    let _serial = serial();
    assert_reported_once(Failure::HalfWritten, |c| send(c, "half"));
}

#[test]
fn a_dribbling_server_is_cut_off_by_the_timeout() {
    let _serial = serial();
    let dribble = Failure::Dribble {
        bytes_per_second: 1,
    };
    // The head comes at once, so only the body read can hit the timeout: reqwest's
    // per-request timeout covers it.
    let run = scenario(vec![dribble.clone()], Duration::from_secs(1), |c| {
        send(c, "slow")
    });
    let err = run.result.unwrap_err();
    assert!(
        matches!(err, Error::Timeout { attempts: 1, .. }) && err.possibly_sent(),
        "{err:?}"
    );
    assert_eq!(run.requests, 1);
    assert!(run.elapsed < Duration::from_secs(10), "{:?}", run.elapsed);
    // Registering is retried on timeouts: three attempts, each cut off after 1 s.
    let run = scenario(vec![dribble; 3], Duration::from_secs(1), register);
    let err = run.result.unwrap_err();
    assert!(
        matches!(err, Error::Timeout { attempts: 3, .. }) && err.possibly_sent(),
        "{err:?}"
    );
    assert_eq!(run.requests, 3);
    assert!(run.elapsed < Duration::from_secs(20), "{:?}", run.elapsed);
}

/// The process's peak resident memory, in KiB.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[test]
fn a_200_mib_response_is_refused_without_reading_it_all() {
    let _serial = serial();
    const SIZE: u64 = 200 * 1024 * 1024;
    let before = peak_rss_kib();
    // Chunked: the client only learns the size by reading, and stops after its 10 MiB cap.
    let run = scenario(
        vec![Failure::Huge {
            bytes: SIZE,
            chunked: true,
        }],
        Duration::from_secs(30),
        |c| send(c, "huge"),
    );
    let err = run.result.unwrap_err();
    assert!(
        matches!(
            err,
            Error::ResponseTooLarge {
                limit: 10_485_760,
                status: 200,
                attempts: 1
            }
        ),
        "{err:?}"
    );
    assert_eq!(run.requests, 1);
    assert!(run.elapsed < Duration::from_secs(30), "{:?}", run.elapsed);
    // With a Content-Length the client refuses before reading the body.
    let run = scenario(
        vec![Failure::Huge {
            bytes: SIZE,
            chunked: false,
        }],
        Duration::from_secs(30),
        |c| send(c, "huge"),
    );
    let err = run.result.unwrap_err();
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
    if let (Some(before), Some(after)) = (before, peak_rss_kib()) {
        // Neither side held the 200 MiB: the peak grew by far less than that.
        assert!(
            after.saturating_sub(before) < 100 * 1024,
            "peak memory grew from {before} KiB to {after} KiB"
        );
    }
}

#[test]
fn an_oversized_2xx_keeps_its_status_and_is_never_retried() {
    let _serial = serial();
    let huge = |chunked| Failure::Huge {
        bytes: 11 * 1024 * 1024,
        chunked,
    };
    for chunked in [false, true] {
        // Registering a webhook is retried on 5xx and timeouts, but not on this: the server
        // answered, and the call may have been carried out.
        for call in [|c: &Client| send(c, "huge"), register] {
            let run = scenario(vec![huge(chunked)], Duration::from_secs(30), call);
            let err = run.result.unwrap_err();
            assert_eq!(err.status(), Some(200), "{err:?}");
            assert_eq!((err.attempts(), run.requests), (1, 1), "{err:?}");
            let text = err.to_string();
            assert!(
                text.contains("HTTP 200") && text.contains("may have been accepted"),
                "{text}"
            );
        }
    }
}

#[test]
fn invalid_json_in_a_200_is_a_success_with_the_text_kept() {
    let _serial = serial();
    let run = scenario(vec![Failure::InvalidJson], Duration::from_secs(5), |c| {
        send(c, "broken json")
    });
    let response = run.result.unwrap();
    assert_eq!((response.status, response.attempts), (200, 1));
    let text = response.body.as_str().unwrap();
    assert!(text.starts_with(r#"{"id":"#), "{text}");
    assert_eq!(response.trace_id, None);
    assert_eq!(run.requests, 1);
}

#[test]
fn sixteen_threads_against_thirty_percent_random_failures() {
    let _serial = serial();
    const THREADS: usize = 16;
    const PER_THREAD: usize = 20;
    const TOTAL: usize = THREADS * PER_THREAD;
    // 429 is left out: a rate-limited send is refused by the server and legitimately sent
    // again. Every other failure here may have reached the server, so it must not be.
    let choices = [
        Failure::server_error(),
        Failure::status(503),
        Failure::Drop,
        Failure::DropBeforeRead,
        Failure::ResetMidBody,
        Failure::HalfWritten,
        Failure::InvalidJson,
        Failure::Delay(Duration::from_secs(3)),
    ];
    let script = Failure::random(20_261_123, TOTAL, 0.3, &choices);
    let normal = |f: &Failure| matches!(f, Failure::Delay(d) if d.is_zero());
    let expected_ok = script
        .iter()
        .filter(|f| normal(f) || **f == Failure::InvalidJson)
        .count();
    let unrecorded = script
        .iter()
        .filter(|f| **f == Failure::DropBeforeRead)
        .count();
    let failing = TOTAL - expected_ok;
    assert!(
        (TOTAL / 5..TOTAL / 2).contains(&failing),
        "{failing} of {TOTAL}"
    );

    let baseline = open_fds();
    let mock = MockServer::start().unwrap();
    mock.fail_next(script);
    let client = client(&mock, Duration::from_secs(1));
    let started = Instant::now();
    let outcomes: Vec<(String, Result<u32, &'static str>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..THREADS)
            .map(|t| {
                let client = client.clone();
                scope.spawn(move || {
                    (0..PER_THREAD)
                        .map(|i| {
                            let text = format!("fault-test thread {t} message {i}");
                            let outcome = send(&client, &text)
                                .map(|r| r.attempts)
                                .map_err(|e| e.kind_name());
                            (text, outcome)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_secs(90), "took {elapsed:?}");

    let mut received: HashMap<String, usize> = HashMap::new();
    for request in mock.requests() {
        let json = request.json().unwrap();
        let text = json["message"]["text"].as_str().unwrap().to_owned();
        *received.entry(text).or_default() += 1;
    }
    assert_eq!(outcomes.len(), TOTAL, "every message has an outcome");
    let mut confirmed = 0;
    for (text, outcome) in &outcomes {
        let times = received.get(text).copied().unwrap_or(0);
        assert!(times <= 1, "{text:?} was received {times} times");
        match outcome {
            Ok(attempts) => {
                assert_eq!(*attempts, 1, "{text:?}");
                assert_eq!(times, 1, "{text:?} confirmed but not received");
                confirmed += 1;
            }
            Err(kind) => assert!(
                ["Server", "Transport", "Timeout"].contains(kind),
                "{text:?}: {kind}"
            ),
        }
    }
    assert_eq!(confirmed, expected_ok);
    assert_eq!(mock.request_count(), TOTAL - unrecorded);
    assert!(mock.pending_failures().is_empty());
    drop(client);
    mock.shutdown();
    assert_fds_back_to(baseline);
}
