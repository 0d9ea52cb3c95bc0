//! When a failed attempt is tried again, and how long to wait first.
//!
//! A send is retried only when it provably did not reach the server (the connection could not
//! be established) or the server answered 429: Connectly documents no idempotency key, so a
//! send that may have arrived is never repeated. Registering a webhook replaces the previous
//! registration, so it is also retried on 500, 502, 503, 504 and timeouts.
//!
//! No retry comes sooner than its backoff: a `Retry-After` of 0 or in the past (clock skew)
//! does not make the client repeat at once.

use std::time::{Duration, SystemTime};

use crate::clock::Jitter;

/// The first backoff delay.
const BASE_DELAY: Duration = Duration::from_millis(500);
/// The longest backoff delay.
const MAX_DELAY: Duration = Duration::from_secs(8);
/// The longest `Retry-After` the SDK waits for; a longer one fails the call at once.
pub(crate) const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);
/// The most retries a client may be configured with.
pub(crate) const MAX_RETRIES_LIMIT: u32 = 10;

/// Whether repeating a call can have an effect twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Repeat {
    /// Sending a message: repeating it may deliver it twice.
    Unsafe,
    /// Registering a webhook: repeating it replaces the same registration.
    Safe,
}

impl Repeat {
    /// Whether the call is a send (a message, a template, a campaign), which Connectly's
    /// rate limit counts.
    pub(crate) fn is_send(self) -> bool {
        self == Repeat::Unsafe
    }

    /// Whether an answered status may be retried.
    pub(crate) fn retries_status(self, status: u16) -> bool {
        status == 429 || (self == Repeat::Safe && matches!(status, 500 | 502 | 503 | 504))
    }

    /// Whether an attempt that timed out after the request may have been sent is retried.
    pub(crate) fn retries_timeout(self) -> bool {
        self == Repeat::Safe
    }
}

/// The backoff before retry number `retry` (1 for the first retry): exponential from 0.5 s,
/// capped at 8 s, with "equal jitter" (between half and all of the step).
pub(crate) fn backoff(retry: u32, jitter: &dyn Jitter) -> Duration {
    let step = BASE_DELAY
        .saturating_mul(1u32 << retry.saturating_sub(1).min(16))
        .min(MAX_DELAY);
    let unit = jitter.unit().clamp(0.0, 1.0);
    step / 2 + step.mul_f64(unit) / 2
}

/// The wait before retry number `retry`: its backoff, or the server's `Retry-After` when
/// that is longer. Never less than the backoff.
pub(crate) fn wait(retry: u32, retry_after: Option<Duration>, jitter: &dyn Jitter) -> Duration {
    let backoff = backoff(retry, jitter);
    retry_after.map_or(backoff, |asked| asked.max(backoff))
}

/// Reads a `Retry-After` value: delay-seconds or an HTTP date. `None` when unreadable.
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return Some(
            value
                .parse::<u64>()
                .map_or(Duration::MAX, Duration::from_secs),
        );
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Fixed(f64);
    impl Jitter for Fixed {
        fn unit(&self) -> f64 {
            self.0
        }
    }

    #[test]
    fn backoff_grows_and_caps() {
        let full = Fixed(1.0);
        let secs: Vec<f64> = (1..=7).map(|n| backoff(n, &full).as_secs_f64()).collect();
        assert_eq!(secs, [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]);
        assert_eq!(backoff(1, &Fixed(0.0)), Duration::from_millis(250));
        assert_eq!(backoff(u32::MAX, &Fixed(0.0)), Duration::from_secs(4));
    }

    #[test]
    fn a_short_or_past_retry_after_never_cuts_the_backoff() {
        let half = Fixed(0.5);
        for retry in 1..=10 {
            let backoff = backoff(retry, &half);
            for asked in [None, Some(Duration::ZERO), Some(Duration::from_millis(1))] {
                assert_eq!(wait(retry, asked, &half), backoff, "retry {retry}");
            }
            let longer = backoff + Duration::from_secs(1);
            assert_eq!(wait(retry, Some(longer), &half), longer);
        }
    }

    #[test]
    fn retry_after_forms() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(parse_retry_after("3", now), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("99999999999999999999999", now),
            Some(Duration::MAX)
        );
        let later = httpdate::fmt_http_date(now + Duration::from_secs(5));
        assert_eq!(parse_retry_after(&later, now), Some(Duration::from_secs(5)));
        let earlier = httpdate::fmt_http_date(now - Duration::from_secs(5));
        assert_eq!(parse_retry_after(&earlier, now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("-1", now), None);
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("", now), None);
    }

    #[test]
    fn what_is_retried() {
        assert!(Repeat::Unsafe.retries_status(429));
        assert!(!Repeat::Unsafe.retries_status(500));
        assert!(!Repeat::Unsafe.retries_timeout());
        for s in [429, 500, 502, 503, 504] {
            assert!(Repeat::Safe.retries_status(s));
        }
        assert!(!Repeat::Safe.retries_status(501));
        assert!(Repeat::Safe.retries_timeout());
    }
}
