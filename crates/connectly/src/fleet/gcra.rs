//! The generic cell rate algorithm (GCRA) with reservations: one number, the theoretical
//! arrival time (TAT), per budget. The Redis limiter runs the same arithmetic in Lua.

use std::time::Duration;

use crate::error::ValidationError;
use crate::validate;

/// A budget's parameters: a rate and a burst.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Limit {
    /// Time between two sends at the rate.
    pub(crate) interval: Duration,
    /// How many sends may go at once after an idle period.
    pub(crate) burst: u32,
    /// The rate, in thousandths of a send per second (for the Redis key).
    pub(crate) millirate: u64,
}

/// The burst a budget of `per_second` gets by default: a tenth of a second at Connectly's
/// 200/s (20), or the rate itself when smaller, and at least 1.
pub(crate) fn default_burst(per_second: f64) -> u32 {
    if per_second.is_finite() && per_second >= 1.0 {
        (per_second as u32).min(DEFAULT_BURST)
    } else {
        1
    }
}

/// The default burst at Connectly's rate.
pub(crate) const DEFAULT_BURST: u32 = 20;

impl Limit {
    /// `per_second` (at least [`crate::BulkOptions::MIN_RATE_LIMIT`]) with `burst` (at least
    /// 1).
    pub(crate) fn new(per_second: f64, burst: u32) -> Result<Self, ValidationError> {
        let interval = validate::rate_limit(per_second)?;
        if burst == 0 {
            return Err(ValidationError::new("burst", "must be at least 1"));
        }
        Ok(Self {
            interval,
            burst,
            millirate: (per_second * 1000.0).round() as u64,
        })
    }

    /// How far ahead of now the TAT may be while a send still goes at once.
    pub(crate) fn tolerance(&self) -> Duration {
        self.interval.saturating_mul(self.burst.saturating_sub(1))
    }

    /// Reserves the next send at `now` (both as offsets on one timeline): how long to wait
    /// before sending, and the new TAT.
    pub(crate) fn reserve(&self, tat: Duration, now: Duration) -> (Duration, Duration) {
        let tat = tat.max(now);
        let allowed_at = tat.saturating_sub(self.tolerance());
        (
            allowed_at.saturating_sub(now),
            tat.saturating_add(self.interval),
        )
    }

    /// The TAT after the API answered 429 at `now` and asked to wait `wait`: no send may go
    /// before `now + wait`.
    pub(crate) fn push_back(&self, tat: Duration, now: Duration, wait: Duration) -> Duration {
        tat.max(now.saturating_add(wait).saturating_add(self.tolerance()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn a_burst_goes_at_once_then_sends_are_spaced_at_the_rate() {
        let limit = Limit::new(200.0, 3).unwrap();
        let now = Duration::from_secs(10);
        let mut tat = Duration::ZERO;
        let mut waits = Vec::new();
        for _ in 0..6 {
            let (wait, next) = limit.reserve(tat, now);
            waits.push(wait);
            tat = next;
        }
        assert_eq!(
            waits,
            [
                Duration::ZERO,
                Duration::ZERO,
                Duration::ZERO,
                5 * MS,
                10 * MS,
                15 * MS
            ]
        );
        // Idle long enough, the burst is back.
        assert_eq!(
            limit.reserve(tat, now + Duration::from_secs(1)).0,
            Duration::ZERO
        );
    }

    #[test]
    fn a_429_holds_every_send_back_for_its_wait() {
        let limit = Limit::new(200.0, 3).unwrap();
        let now = Duration::from_secs(10);
        let tat = limit.push_back(Duration::ZERO, now, Duration::from_secs(2));
        assert_eq!(limit.reserve(tat, now).0, Duration::from_secs(2));
    }

    #[test]
    fn bad_parameters_are_refused() {
        assert_eq!(Limit::new(0.0, 1).unwrap_err().field, "rate limit");
        assert_eq!(Limit::new(200.0, 0).unwrap_err().field, "burst");
        assert_eq!(Limit::new(200.0, 1).unwrap().millirate, 200_000);
    }
}
