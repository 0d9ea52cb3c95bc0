//! A fake clock and a recording sleeper, so retry tests run in milliseconds.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use connectly::clock::{Clock, Jitter, Sleep, Sleeper};
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
    fn sleep(&self, duration: Duration) -> Sleep {
        self.sleeps.lock().unwrap().push(duration);
        *self.offset.lock().unwrap() += duration;
        Box::pin(std::future::ready(()))
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

/// A webhook endpoint on loopback that answers every delivery 200 and hands over what it
/// received: the body and the signature header.
pub struct Receiver {
    pub address: String,
    deliveries: std::sync::mpsc::Receiver<(Vec<u8>, String)>,
}

impl Receiver {
    pub fn start() -> Self {
        use std::io::{BufRead, BufReader, Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = format!("http://{}/hook", listener.local_addr().unwrap());
        let (tx, deliveries) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let (mut length, mut signature) = (0, String::new());
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    let lower = line.to_ascii_lowercase();
                    if let Some(v) = lower.strip_prefix("content-length:") {
                        length = v.trim().parse().unwrap();
                    }
                    if lower.starts_with("x-connectly-hmac-sha256:") {
                        signature = line.split_once(':').unwrap().1.trim().to_owned();
                    }
                }
                let mut body = vec![0; length];
                reader.read_exact(&mut body).unwrap();
                let answer = "HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n";
                stream.write_all(answer.as_bytes()).unwrap();
                if tx.send((body, signature)).is_err() {
                    return;
                }
            }
        });
        Self {
            address,
            deliveries,
        }
    }

    /// The next delivery, waiting at most 10 s.
    pub fn next(&self) -> (Vec<u8>, String) {
        self.deliveries
            .recv_timeout(Duration::from_secs(10))
            .expect("no delivery within 10 s")
    }
}
