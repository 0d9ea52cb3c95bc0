//! The send budget every send waits on before its request: [`RateLimiter`].

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// A future a [`RateLimiter`] answers with.
pub type Pending<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A send budget, shared by every client given it: each send request (the first attempt and
/// each retry) reserves its turn before it is made, and waits until then. Connectly allows
/// 200 send requests per second per business and answers 429 above it.
///
/// [`LocalRateLimiter`](crate::LocalRateLimiter) keeps the budget in this process;
/// [`RedisRateLimiter`](crate::RedisRateLimiter) shares it across a fleet. Implement it to
/// keep a budget elsewhere.
pub trait RateLimiter: Send + Sync + fmt::Debug {
    /// Reserves the next send of `scope` (the business id): how long to wait before making
    /// it (zero: at once). Never fails: a limiter that cannot reach its store answers from a
    /// local fallback.
    fn reserve<'a>(&'a self, scope: &'a str) -> Pending<'a, Duration>;

    /// The API answered 429 for `scope` and asked to wait `wait`: holds every send of the
    /// budget back until then (the whole fleet, for a shared one).
    fn throttled<'a>(&'a self, scope: &'a str, wait: Duration) -> Pending<'a, ()>;
}
