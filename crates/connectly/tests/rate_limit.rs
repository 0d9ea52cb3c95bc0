//! The send budget: every send waits its turn, a 429 holds the whole budget back, a budget in
//! Redis is shared by every client (and process) that uses it, and a Redis that goes away
//! leaves sends going at the fallback's share, then the shared budget again.
//!
//! The Redis tests start a real `redis-server` (`make test` installs it when missing).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod redis_server;

use std::net::TcpListener;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use connectly::{
    Client, LocalRateLimiter, RateLimiter, Recipient, RedisRateLimiter, DEFAULT_BASE_URL,
};
use connectly_mock::{Failure, MockServer};
use redis_server::Redis;

fn client(mock: &MockServer, limiter: Arc<dyn RateLimiter>) -> Client {
    Client::builder()
        .api_key(mock.api_key())
        .business_id(mock.business_id())
        .base_url(mock.url())
        .rate_limiter(limiter)
        .build()
        .unwrap()
}

fn send(client: &Client, n: usize) {
    for i in 0..n {
        client
            .send_text(&Recipient::whatsapp("+15555555555"), &format!("m{i}"))
            .unwrap();
    }
}

#[test]
fn sends_wait_their_turn_after_the_burst() {
    let mock = MockServer::start().unwrap();
    let client = client(
        &mock,
        Arc::new(LocalRateLimiter::with_burst(100.0, 5).unwrap()),
    );
    let start = Instant::now();
    send(&client, 30);
    // 5 at once, then 25 at 100/s: at least a quarter of a second.
    assert!(
        start.elapsed() >= Duration::from_millis(240),
        "{:?}",
        start.elapsed()
    );
    // Listing webhooks is not a send: it does not take from the budget.
    for _ in 0..20 {
        client.list_webhooks().unwrap();
    }
    assert_eq!(mock.request_count(), 50);
}

#[test]
fn a_429_holds_back_every_client_sharing_the_budget() {
    let mock = MockServer::start().unwrap();
    let limiter: Arc<dyn RateLimiter> = Arc::new(LocalRateLimiter::new(1000.0).unwrap());
    let (first, second) = (client(&mock, limiter.clone()), client(&mock, limiter));
    mock.fail_next([Failure::rate_limited().retry_after("1")]);
    let start = Instant::now();
    std::thread::scope(|scope| {
        scope.spawn(|| send(&first, 1));
        // Sent while the first waits out its 429: held back until the second is over.
        std::thread::sleep(Duration::from_millis(200));
        send(&second, 1);
        assert!(
            start.elapsed() >= Duration::from_millis(950),
            "{:?}",
            start.elapsed()
        );
    });
    assert_eq!(mock.request_count(), 3);
}

#[test]
fn the_default_limits_only_the_connectly_api() {
    let mock = MockServer::start().unwrap();
    let to_mock = Client::builder()
        .api_key(mock.api_key())
        .business_id(mock.business_id())
        .base_url(mock.url())
        .build()
        .unwrap();
    assert!(format!("{to_mock:?}").contains("rate_limiter: None"));
    let to_api = Client::builder()
        .api_key("key")
        .business_id("b")
        .base_url(DEFAULT_BASE_URL)
        .build()
        .unwrap();
    assert!(
        format!("{to_api:?}").contains("LocalRateLimiter"),
        "{to_api:?}"
    );
    let off = Client::builder()
        .api_key("key")
        .business_id("b")
        .no_rate_limiter()
        .build()
        .unwrap();
    assert!(format!("{off:?}").contains("rate_limiter: None"));
    assert_eq!(
        LocalRateLimiter::with_burst(200.0, 0).unwrap_err().field,
        "burst"
    );
}

#[test]
fn two_clients_share_one_redis_budget() {
    let redis = Redis::start();
    let mock = MockServer::start().unwrap();
    let make = || -> Arc<dyn RateLimiter> {
        Arc::new(
            RedisRateLimiter::new(&redis.url(), 50.0)
                .unwrap()
                .burst(5)
                .unwrap(),
        )
    };
    // Two limiters, as two processes would have: one budget, in Redis.
    let (a, b) = (client(&mock, make()), client(&mock, make()));
    let start = Instant::now();
    std::thread::scope(|scope| {
        scope.spawn(|| send(&a, 25));
        scope.spawn(|| send(&b, 25));
    });
    // 5 at once, then 45 at 50/s between them: at least 0.9 s (each alone would take 0.4 s).
    assert!(
        start.elapsed() >= Duration::from_millis(880),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(mock.request_count(), 50);
}

#[test]
fn without_redis_sends_go_on_at_the_fallback_share_then_share_again() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mock = MockServer::start().unwrap();
    let limiter = Arc::new(
        RedisRateLimiter::new(&format!("redis://127.0.0.1:{port}/0"), 100.0)
            .unwrap()
            .burst(1)
            .unwrap()
            .fallback_share(0.5)
            .unwrap(),
    );
    assert!(!format!("{limiter:?}").contains("127.0.0.1"));
    let client = client(&mock, limiter.clone());
    // Nothing listens: the fallback allows 50/s, so 11 sends take at least 0.2 s.
    let start = Instant::now();
    send(&client, 11);
    assert!(
        start.elapsed() >= Duration::from_millis(190),
        "{:?}",
        start.elapsed()
    );
    // Redis comes up on that port: after the retry pause, the shared budget is used.
    let redis = Redis::start_on(port);
    std::thread::sleep(Duration::from_millis(1100));
    send(&client, 3);
    let keys = Command::new("redis-cli")
        .args([
            "-p",
            &redis.port.to_string(),
            "--scan",
            "--pattern",
            "connectly:rate:*",
        ])
        .output()
        .unwrap();
    let keys = String::from_utf8_lossy(&keys.stdout);
    assert!(
        keys.contains("connectly:rate:{mock-business}:100000:1"),
        "{keys}"
    );
}
