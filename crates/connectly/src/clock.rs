//! Time and randomness behind a trait, so retry and timestamp tests run without waiting.

use std::fmt;
use std::time::{Duration, Instant, SystemTime};

/// Where the SDK reads the time from. The default is the real clock; tests inject a fake one.
pub trait Clock: Send + Sync + fmt::Debug {
    /// Monotonic time, used for deadlines.
    fn now(&self) -> Instant;
    /// Wall-clock time, used for webhook timestamps and HTTP-date `Retry-After` values.
    fn system_time(&self) -> SystemTime;
}

/// How the SDK waits between retries. The default sleeps the thread; tests inject a recorder.
pub trait Sleeper: Send + Sync + fmt::Debug {
    /// Blocks the calling thread for `duration`.
    fn sleep(&self, duration: Duration);
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

/// Sleeps the calling thread.
#[derive(Debug, Clone, Copy, Default)]
pub struct ThreadSleeper;

impl Sleeper for ThreadSleeper {
    fn sleep(&self, duration: Duration) {
        std::thread::sleep(duration);
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
