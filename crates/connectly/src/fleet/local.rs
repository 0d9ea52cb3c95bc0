//! The embedded rate limiter: GCRA in this process's memory.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use super::gcra::{default_burst, Limit, DEFAULT_BURST};
use crate::error::ValidationError;
use crate::rate_limit::{Pending, RateLimiter};

/// A send budget for one process: every send through the clients that share it waits its
/// turn at `rate` per second, after a `burst` that may go at once (GCRA). One budget per
/// business. The default of a client for the Connectly API is one at
/// [`DEFAULT_RATE`](LocalRateLimiter::DEFAULT_RATE).
#[derive(Debug)]
pub struct LocalRateLimiter {
    limit: Limit,
    origin: Instant,
    /// Each business's theoretical arrival time, as an offset from `origin`.
    budgets: Mutex<HashMap<String, Duration>>,
}

impl LocalRateLimiter {
    /// Connectly's documented limit: 200 send requests per second per business.
    pub const DEFAULT_RATE: f64 = 200.0;
    /// The default burst: a tenth of a second's sends at the default rate.
    pub const DEFAULT_BURST: u32 = DEFAULT_BURST;

    /// A budget of `per_second` sends (at least one every 100 s), with the default burst
    /// (or `per_second` itself when smaller, and at least 1).
    pub fn new(per_second: f64) -> Result<Self, ValidationError> {
        Self::with_burst(per_second, default_burst(per_second))
    }

    /// A budget of `per_second` sends, `burst` of which (at least 1) may go at once.
    pub fn with_burst(per_second: f64, burst: u32) -> Result<Self, ValidationError> {
        Ok(Self {
            limit: Limit::new(per_second, burst)?,
            origin: Instant::now(),
            budgets: Mutex::new(HashMap::new()),
        })
    }

    /// Applies `change` to `scope`'s TAT now; gives what it returns.
    fn update<T>(
        &self,
        scope: &str,
        change: impl FnOnce(Duration, Duration) -> (T, Duration),
    ) -> T {
        let now = self.origin.elapsed();
        let mut budgets = self.budgets.lock().unwrap_or_else(PoisonError::into_inner);
        let tat = budgets.get(scope).copied().unwrap_or(Duration::ZERO);
        let (answer, tat) = change(tat, now);
        // Forget budgets idle long enough to be full again, so the map stays small.
        if budgets.len() > 1024 {
            let tolerance = self.limit.tolerance();
            budgets.retain(|_, tat| tat.saturating_sub(tolerance) > now);
        }
        budgets.insert(scope.to_owned(), tat);
        answer
    }

    /// The wait before the next send of `scope`, reserved now.
    pub(crate) fn reserve_now(&self, scope: &str) -> Duration {
        self.update(scope, |tat, now| self.limit.reserve(tat, now))
    }

    /// Counts a send of `scope` made under another budget, without waiting for it: the TAT
    /// moves on by one interval but never beyond a full burst ahead, so that a switch to this
    /// budget (the Redis limiter's fallback) starts from what was sent, not from a fresh
    /// burst, and never owes more than one burst.
    pub(crate) fn observe_now(&self, scope: &str) {
        let tolerance = self.limit.tolerance();
        self.update(scope, |tat, now| {
            let (_, next) = self.limit.reserve(tat, now);
            ((), next.min(now.saturating_add(tolerance)))
        });
    }

    /// Holds every send of `scope` back by `wait`, from now.
    pub(crate) fn push_back_now(&self, scope: &str, wait: Duration) {
        self.update(scope, |tat, now| ((), self.limit.push_back(tat, now, wait)));
    }
}

impl RateLimiter for LocalRateLimiter {
    fn reserve<'a>(&'a self, scope: &'a str) -> Pending<'a, Duration> {
        let wait = self.reserve_now(scope);
        Box::pin(std::future::ready(wait))
    }

    fn throttled<'a>(&'a self, scope: &'a str, wait: Duration) -> Pending<'a, ()> {
        self.push_back_now(scope, wait);
        Box::pin(std::future::ready(()))
    }
}
