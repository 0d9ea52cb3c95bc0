//! The retry matrix: what is retried, how long the client waits, and that no message is sent
//! twice.

use std::net::TcpListener;
use std::time::Duration;

use connectly::{Client, Error, Recipient};
use connectly_mock::{Failure, MockServer};

use crate::support::{builder, fake_builder, fake_client, FakeTime};

fn status(status: u16) -> Failure {
    Failure::Status {
        status,
        body: None,
        retry_after: None,
    }
}

fn limited(retry_after: &str) -> Failure {
    Failure::Status {
        status: 429,
        body: None,
        retry_after: Some(retry_after.into()),
    }
}

fn send(client: &Client) -> Result<connectly::Response, Error> {
    client.send_text(&Recipient::whatsapp("+15555555555"), "hello!")
}

fn template(client: &Client) -> Result<connectly::Response, Error> {
    client.send_template("+15555555555", "welcome", &[("a", "b")])
}

fn webhook(client: &Client) -> Result<connectly::Response, Error> {
    client.create_webhook("https://example.com/hook", "messages")
}

fn secs(s: &[f64]) -> Vec<Duration> {
    s.iter().map(|&x| Duration::from_secs_f64(x)).collect()
}

/// A loopback port nothing listens on.
fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

#[test]
fn send_is_retried_after_429_with_backoff() {
    let mock = MockServer::start().unwrap();
    let time = FakeTime::new();
    mock.fail_next([status(429), status(429)]);
    let r = send(&fake_client(&mock, &time)).unwrap();
    assert_eq!(r.attempts, 3);
    assert_eq!(mock.request_count(), 3);
    assert_eq!(time.sleeps(), secs(&[0.5, 1.0]));
}

#[test]
fn retry_after_seconds_is_honoured() {
    let mock = MockServer::start().unwrap();
    let time = FakeTime::new();
    mock.fail_next([limited("3")]);
    let r = template(&fake_client(&mock, &time)).unwrap();
    assert_eq!(r.attempts, 2);
    assert_eq!(time.sleeps(), secs(&[3.0]));
}

#[test]
fn retry_after_http_date_is_honoured() {
    let mock = MockServer::start().unwrap();
    let time = FakeTime::new();
    let when = httpdate::fmt_http_date(FakeTime::epoch() + Duration::from_secs(7));
    mock.fail_next([limited(&when)]);
    send(&fake_client(&mock, &time)).unwrap();
    assert_eq!(time.sleeps(), secs(&[7.0]));
}

#[test]
fn retry_after_over_a_minute_fails_at_once() {
    let mock = MockServer::start().unwrap();
    let time = FakeTime::new();
    mock.fail_next([limited("61")]);
    let err = send(&fake_client(&mock, &time)).unwrap_err();
    assert!(
        matches!(err, Error::RateLimited { retry_after: Some(d), .. } if d == Duration::from_secs(61)),
        "{err:?}"
    );
    assert_eq!(err.attempts(), 1);
    assert_eq!(mock.request_count(), 1);
    assert!(time.sleeps().is_empty());
}

#[test]
fn rate_limited_until_attempts_run_out() {
    let mock = MockServer::start().unwrap();
    let time = FakeTime::new();
    mock.fail_next([limited("1"), limited("1"), limited("2")]);
    let err = send(&fake_client(&mock, &time)).unwrap_err();
    assert!(
        matches!(err, Error::RateLimited { retry_after: Some(d), .. } if d == Duration::from_secs(2)),
        "{err:?}"
    );
    assert_eq!(err.attempts(), 3);
    assert_eq!(mock.request_count(), 3);
    assert_eq!(time.sleeps(), secs(&[1.0, 1.0]));
}

#[test]
fn sends_are_not_retried_on_5xx() {
    for code in [500, 502, 503, 504] {
        let mock = MockServer::start().unwrap();
        let time = FakeTime::new();
        mock.fail_next([status(code)]);
        let err = send(&fake_client(&mock, &time)).unwrap_err();
        assert!(matches!(err, Error::Server(_)), "{err:?}");
        mock.fail_next([status(code)]);
        assert!(template(&fake_client(&mock, &time)).is_err());
        assert_eq!(mock.request_count(), 2, "status {code}");
        assert!(time.sleeps().is_empty());
    }
}

#[test]
fn create_webhook_is_retried_on_5xx() {
    let mock = MockServer::start().unwrap();
    let time = FakeTime::new();
    mock.fail_next([status(503), status(502)]);
    let r = webhook(&fake_client(&mock, &time)).unwrap();
    assert_eq!(r.attempts, 3);
    assert_eq!(mock.request_count(), 3);
    assert_eq!(time.sleeps(), secs(&[0.5, 1.0]));

    mock.clear_requests();
    mock.fail_next([status(501)]);
    assert!(matches!(
        webhook(&fake_client(&mock, &time)),
        Err(Error::Server(_))
    ));
    assert_eq!(mock.request_count(), 1, "501 is not retried");
}

#[test]
fn no_retry_on_other_4xx() {
    let mock = MockServer::start().unwrap();
    let time = FakeTime::new();
    for code in [400, 401, 403, 404, 409] {
        mock.fail_next([status(code)]);
        assert!(webhook(&fake_client(&mock, &time)).is_err());
    }
    assert_eq!(mock.request_count(), 5);
    assert!(time.sleeps().is_empty());
}

#[test]
fn a_send_dropped_after_the_request_was_read_is_not_repeated() {
    let mock = MockServer::start().unwrap();
    let time = FakeTime::new();
    mock.fail_next([Failure::Drop]);
    let err = send(&fake_client(&mock, &time)).unwrap_err();
    assert!(
        matches!(err, Error::Transport { attempts: 1, .. }),
        "{err:?}"
    );
    assert!(err.possibly_sent(), "the request was read: {err:?}");
    assert_eq!(
        mock.request_count(),
        1,
        "exactly one request reached the server"
    );
    mock.fail_next([Failure::Drop]);
    assert!(template(&fake_client(&mock, &time)).is_err());
    assert_eq!(mock.request_count(), 2);
    assert!(time.sleeps().is_empty());
}

#[test]
fn a_send_that_timed_out_is_not_repeated() {
    let mock = MockServer::start().unwrap();
    mock.fail_next([Failure::Delay(Duration::from_millis(800))]);
    let client = builder(&mock)
        .timeout(Duration::from_millis(150))
        .build()
        .unwrap();
    let err = send(&client).unwrap_err();
    assert!(
        matches!(err, Error::Timeout { attempts: 1, .. }) && err.possibly_sent(),
        "{err:?}"
    );
    assert_eq!(mock.request_count(), 1);
}

#[test]
fn create_webhook_is_retried_after_a_timeout() {
    let mock = MockServer::start().unwrap();
    let time = FakeTime::new();
    mock.fail_next([Failure::Delay(Duration::from_millis(800))]);
    let client = builder(&mock)
        .timeout(Duration::from_millis(150))
        .clock(time.clone())
        .sleeper(time.clone())
        .build()
        .unwrap();
    let r = webhook(&client).unwrap();
    assert_eq!(r.attempts, 2);
    assert_eq!(mock.request_count(), 2);
}

#[test]
fn refused_connections_are_retried_then_reported() {
    let port = closed_port();
    let time = FakeTime::new();
    let client = Client::builder()
        .api_key("k")
        .business_id("b")
        .base_url(format!("http://127.0.0.1:{port}"))
        .clock(time.clone())
        .sleeper(time.clone())
        .jitter(std::sync::Arc::new(crate::support::NoJitter))
        .build()
        .unwrap();
    let err = send(&client).unwrap_err();
    assert!(
        matches!(err, Error::Transport { attempts: 3, .. }),
        "{err:?}"
    );
    assert!(!err.possibly_sent(), "no connection ever opened: {err:?}");
    assert_eq!(time.sleeps(), secs(&[0.5, 1.0]));
}

#[test]
fn a_refused_tls_handshake_is_not_retried_and_never_reaches_the_api() {
    // TLS to a plain-HTTP server is a TLS protocol failure: it would fail the same way again.
    let mock = MockServer::start().unwrap();
    let time = FakeTime::new();
    let client = builder(&mock)
        .base_url(mock.url().replace("http://", "https://"))
        .clock(time.clone())
        .sleeper(time.clone())
        .build()
        .unwrap();
    let err = send(&client).unwrap_err();
    assert!(matches!(err, Error::Tls { attempts: 1, .. }), "{err:?}");
    assert_eq!(mock.request_count(), 0);
    assert!(time.sleeps().is_empty());
}

#[test]
fn retries_can_be_turned_off_and_are_capped() {
    let mock = MockServer::start().unwrap();
    let time = FakeTime::new();
    let client = builder(&mock)
        .max_retries(0)
        .clock(time.clone())
        .sleeper(time.clone())
        .build()
        .unwrap();
    mock.fail_next([status(429)]);
    assert!(send(&client).is_err());
    assert_eq!(mock.request_count(), 1);
    assert!(builder(&mock).max_retries(10).build().is_ok());
    assert!(matches!(
        builder(&mock).max_retries(11).build(),
        Err(Error::Config(_))
    ));
}

#[test]
fn ten_retries_make_eleven_attempts_with_capped_backoff() {
    let mock = MockServer::start().unwrap();
    let time = FakeTime::new();
    let client = fake_builder(&mock, &time)
        .max_retries(10)
        .total_timeout(Duration::from_secs(3600))
        .build()
        .unwrap();
    mock.fail_next(std::iter::repeat_with(|| status(429)).take(11));
    let err = send(&client).unwrap_err();
    assert_eq!(err.attempts(), 11);
    assert_eq!(mock.request_count(), 11);
    assert_eq!(
        time.sleeps(),
        secs(&[0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0, 8.0, 8.0, 8.0])
    );
}

#[test]
fn waits_never_run_past_the_deadline() {
    let mock = MockServer::start().unwrap();
    let time = FakeTime::new();
    let client = builder(&mock)
        .total_timeout(Duration::from_secs(10))
        .clock(time.clone())
        .sleeper(time.clone())
        .build()
        .unwrap();
    mock.fail_next([limited("6"), limited("6")]);
    let err = send(&client).unwrap_err();
    assert!(matches!(err, Error::RateLimited { .. }), "{err:?}");
    assert_eq!(
        time.sleeps(),
        secs(&[6.0]),
        "a second 6 s wait would end past 10 s"
    );
    assert_eq!(mock.request_count(), 2);
}

#[test]
fn jitter_spreads_waits_within_the_step() {
    let mock = MockServer::start().unwrap();
    let time = FakeTime::new();
    let client = builder(&mock)
        .clock(time.clone())
        .sleeper(time.clone())
        .build()
        .unwrap();
    mock.fail_next([status(429), status(429)]);
    send(&client).unwrap();
    let sleeps = time.sleeps();
    assert!(sleeps[0] >= Duration::from_millis(250) && sleeps[0] <= Duration::from_millis(500));
    assert!(sleeps[1] >= Duration::from_millis(500) && sleeps[1] <= Duration::from_millis(1000));
}

#[test]
fn a_zero_or_past_retry_after_never_waits_less_than_the_backoff() {
    let past = httpdate::fmt_http_date(FakeTime::epoch() - Duration::from_secs(30));
    for retry_after in ["0", past.as_str(), "1"] {
        let mock = MockServer::start().unwrap();
        let time = FakeTime::new();
        let client = fake_builder(&mock, &time)
            .max_retries(10)
            .total_timeout(Duration::from_secs(3600))
            .build()
            .unwrap();
        mock.fail_next(std::iter::repeat_with(|| limited(retry_after)).take(11));
        let err = send(&client).unwrap_err();
        assert!(matches!(err, Error::RateLimited { .. }), "{err:?}");
        assert_eq!(mock.request_count(), 11);
        // Each wait is the backoff for its attempt, or the longer Retry-After ("1" beats the
        // first backoff only).
        let first = if retry_after == "1" { 1.0 } else { 0.5 };
        assert_eq!(
            time.sleeps(),
            secs(&[first, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0, 8.0, 8.0, 8.0]),
            "Retry-After: {retry_after}"
        );
    }
}

#[test]
fn with_random_jitter_every_wait_is_at_least_the_lowest_backoff() {
    let mock = MockServer::start().unwrap();
    let time = FakeTime::new();
    let client = builder(&mock)
        .max_retries(10)
        .clock(time.clone())
        .sleeper(time.clone())
        .total_timeout(Duration::from_secs(3600))
        .build()
        .unwrap();
    mock.fail_next(std::iter::repeat_with(|| limited("0")).take(11));
    send(&client).unwrap_err();
    let sleeps = time.sleeps();
    assert_eq!(sleeps.len(), 10);
    for (i, sleep) in sleeps.iter().enumerate() {
        // Equal jitter: at least half of the step, 0.5 s doubling up to 8 s.
        let step = (0.5 * f64::from(1u32 << i)).min(8.0);
        assert!(
            *sleep >= Duration::from_secs_f64(step / 2.0),
            "retry {}: {sleep:?}",
            i + 1
        );
    }
}
