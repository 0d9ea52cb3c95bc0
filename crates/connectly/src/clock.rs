//! Time and randomness behind a trait, so retry and timestamp tests run without waiting.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant, SystemTime};

/// Where the SDK reads the time from. The default is the real clock; tests inject a fake one.
pub trait Clock: Send + Sync + fmt::Debug {
    /// Monotonic time, used for deadlines.
    fn now(&self) -> Instant;
    /// Wall-clock time, used for webhook timestamps and HTTP-date `Retry-After` values.
    fn system_time(&self) -> SystemTime;
}

/// A wait in progress: a future that completes when the wait is over.
pub type Sleep = Pin<Box<dyn Future<Output = ()> + Send>>;

/// How the SDK waits between retries and between bulk starts. The default is the SDK's
/// runtime's timer (no thread is held while waiting); tests inject a recorder whose waits
/// complete at once.
pub trait Sleeper: Send + Sync + fmt::Debug {
    /// A future that completes after `duration`. It is polled inside the SDK's runtime.
    fn sleep(&self, duration: Duration) -> Sleep;
}

/// The random source for retry jitter. The default is a fast non-cryptographic generator.
pub trait Jitter: Send + Sync + fmt::Debug {
    /// A uniformly distributed number in `[0, 1)`.
    fn unit(&self) -> f64;
}

/// The real clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }

    fn system_time(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// Waits on the SDK's runtime's timer.
#[derive(Debug, Clone, Copy, Default)]
pub struct RuntimeSleeper;

impl Sleeper for RuntimeSleeper {
    fn sleep(&self, duration: Duration) -> Sleep {
        Box::pin(tokio::time::sleep(duration))
    }
}

/// Jitter from a thread-local fast random generator.
#[derive(Debug, Clone, Copy, Default)]
pub struct RandomJitter;

impl Jitter for RandomJitter {
    fn unit(&self) -> f64 {
        fastrand::f64()
    }
}
