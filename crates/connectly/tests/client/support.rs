//! A fake clock and a recording sleeper, so retry tests run in milliseconds.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use connectly::clock::{Clock, Jitter, Sleeper};
use connectly::{Client, ClientBuilder};
use connectly_mock::MockServer;

/// Time that moves only when the sleeper sleeps.
#[derive(Debug)]
pub struct FakeTime {
    start: Instant,
    offset: Mutex<Duration>,
    sleeps: Mutex<Vec<Duration>>,
}

impl FakeTime {
    pub fn new() -> Arc<Self> {
        Arc::new(Self {
            start: Instant::now(),
            offset: Mutex::new(Duration::ZERO),
            sleeps: Mutex::new(Vec::new()),
        })
    }

    /// Every wait the client asked for, in order.
    pub fn sleeps(&self) -> Vec<Duration> {
        self.sleeps.lock().unwrap().clone()
    }

    /// The wall-clock time the fake clock started at.
    pub fn epoch() -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000)
    }
}

impl Clock for FakeTime {
    fn now(&self) -> Instant {
        self.start + *self.offset.lock().unwrap()
    }
    fn system_time(&self) -> SystemTime {
        Self::epoch() + *self.offset.lock().unwrap()
    }
}

impl Sleeper for FakeTime {
    fn sleep(&self, duration: Duration) {
        self.sleeps.lock().unwrap().push(duration);
        *self.offset.lock().unwrap() += duration;
    }
}

/// Jitter that always picks the top of the range, so backoff is exactly 0.5, 1, 2, ... s.
#[derive(Debug)]
pub struct NoJitter;

impl Jitter for NoJitter {
    fn unit(&self) -> f64 {
        1.0
    }
}

/// A builder aimed at the mock, with its credentials.
pub fn builder(mock: &MockServer) -> ClientBuilder {
    Client::builder()
        .api_key(mock.api_key())
        .business_id(mock.business_id())
        .base_url(mock.url())
}

/// A builder aimed at the mock whose waits are recorded instead of slept, without jitter.
pub fn fake_builder(mock: &MockServer, time: &Arc<FakeTime>) -> ClientBuilder {
    builder(mock)
        .clock(time.clone())
        .sleeper(time.clone())
        .jitter(Arc::new(NoJitter))
}

/// A client aimed at the mock whose waits are recorded instead of slept.
pub fn fake_client(mock: &MockServer, time: &Arc<FakeTime>) -> Client {
    fake_builder(mock, time).build().unwrap()
}
