//! Deliveries handled once, and statuses kept in order, across workers: the claim's two
//! states in memory and in a real Redis, the status store in Redis, the key
//! of each kind of delivery, and a failed handler's claim released for the retry.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod redis_server;

use std::sync::{Arc, Barrier};
use std::time::Duration;

use connectly::{
    admit_once, delivery_key, Admission, ClaimState, DedupTtls, Deduplicator, MemoryDeduplicator,
    RedisDeduplicator, Webhook,
};
use redis_server::Redis;

const STATUS: &str = r#"{"topic":"delivery_status","timestamp":"1641513098","sender":{"id":"+16044441234","channelType":"whatsapp"},"recipient":{"id":"+16315555500","channelType":"whatsapp"},"statusUpdate":{"id":"01FRRWW2ZAHD9GJ1SWY4VF2GBD","status":"read","error":null}}"#;
const INBOUND: &str = r#"{"timestamp":"1639083206","sender":{"id":"+16315555500","channelType":"whatsapp"},"recipient":{"id":"123456123","channelType":"whatsapp"},"message":{"text":"TEST 11"}}"#;

fn event(body: &str) -> connectly::Event {
    let webhook = Webhook::new("secret").unwrap();
    let signature = webhook.sign(body.as_bytes());
    webhook
        .verify_event(body.as_bytes(), signature.as_str())
        .unwrap()
}

/// The two-state claim, on any store.
fn claims_move_through_two_states(store: &dyn Deduplicator) {
    let ttl = Duration::from_secs(60);
    assert_eq!(store.claim("a", ttl).unwrap(), ClaimState::Claimed);
    assert_eq!(store.claim("a", ttl).unwrap(), ClaimState::InProgress);
    store.release("a").unwrap();
    assert_eq!(store.claim("a", ttl).unwrap(), ClaimState::Claimed);
    store.complete("a", ttl).unwrap();
    assert_eq!(store.claim("a", ttl).unwrap(), ClaimState::Done);
    // A done delivery is never released by a late failure.
    store.release("a").unwrap();
    assert_eq!(store.claim("a", ttl).unwrap(), ClaimState::Done);
    // A processing claim whose worker died expires.
    assert_eq!(
        store.claim("b", Duration::from_millis(50)).unwrap(),
        ClaimState::Claimed
    );
    std::thread::sleep(Duration::from_millis(120));
    assert_eq!(store.claim("b", ttl).unwrap(), ClaimState::Claimed);
}

/// Eight threads claim one key at once: exactly one wins.
fn one_of_many_concurrent_claims_wins(store: Arc<dyn Deduplicator>) {
    let barrier = Arc::new(Barrier::new(8));
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let (store, barrier) = (store.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                store.claim("race", Duration::from_secs(60)).unwrap()
            })
        })
        .collect();
    let states: Vec<ClaimState> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(
        states.iter().filter(|s| **s == ClaimState::Claimed).count(),
        1,
        "{states:?}"
    );
}

#[test]
fn memory_claims() {
    claims_move_through_two_states(&MemoryDeduplicator::default());
    one_of_many_concurrent_claims_wins(Arc::new(MemoryDeduplicator::default()));
    // Bounded: the oldest key is forgotten.
    let small = MemoryDeduplicator::new(2);
    for key in ["x", "y", "z"] {
        small.claim(key, Duration::from_secs(60)).unwrap();
    }
    assert_eq!(
        small.claim("x", Duration::from_secs(60)).unwrap(),
        ClaimState::Claimed
    );
    assert_eq!(
        small.claim("z", Duration::from_secs(60)).unwrap(),
        ClaimState::InProgress
    );
}

#[test]
fn redis_claims_are_shared_by_every_store_on_the_same_redis() {
    let redis = Redis::start();
    claims_move_through_two_states(&RedisDeduplicator::new(&redis.url()).unwrap());
    one_of_many_concurrent_claims_wins(Arc::new(RedisDeduplicator::new(&redis.url()).unwrap()));
    let (one, other) = (
        RedisDeduplicator::new(&redis.url()).unwrap(),
        RedisDeduplicator::new(&redis.url()).unwrap(),
    );
    assert_eq!(
        one.claim("shared", Duration::from_secs(60)).unwrap(),
        ClaimState::Claimed
    );
    assert_eq!(
        other.claim("shared", Duration::from_secs(60)).unwrap(),
        ClaimState::InProgress
    );
    assert!(!format!("{one:?}").contains("127.0.0.1"));
}

#[test]
fn an_unreachable_redis_is_an_error_not_a_claim() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let store = RedisDeduplicator::new(&format!("redis://:hunter2@127.0.0.1:{port}/0"))
        .unwrap()
        .timeout(Duration::from_millis(200))
        .unwrap();
    let err = store.claim("k", Duration::from_secs(1)).unwrap_err();
    assert!(!err.to_string().contains("hunter2"), "{err}");
    // Back once Redis is.
    let _redis = Redis::start_on(port);
    let store = RedisDeduplicator::new(&format!("redis://127.0.0.1:{port}/0")).unwrap();
    assert_eq!(
        store.claim("k", Duration::from_secs(1)).unwrap(),
        ClaimState::Claimed
    );
}

#[test]
fn keys_name_a_status_by_message_and_status_and_anything_else_by_its_body() {
    let status = delivery_key(&event(STATUS));
    assert!(
        status.starts_with("status:") && status.ends_with(":read"),
        "{status}"
    );
    // The same status re-sent with other bytes is the same delivery.
    let resent = STATUS.replace("1641513098", "1641513099");
    assert_eq!(delivery_key(&event(&resent)), status);
    let inbound = delivery_key(&event(INBOUND));
    use sha2::{Digest, Sha256};
    assert_eq!(
        inbound,
        format!("body:{}", hex::encode(Sha256::digest(INBOUND)))
    );
    assert!(inbound.starts_with("body:") && inbound.len() == 5 + 64);
    assert_ne!(
        delivery_key(&event(&INBOUND.replace("TEST 11", "TEST 12"))),
        inbound
    );
}

#[test]
fn a_failed_handler_lets_the_retry_run_and_a_done_one_is_answered_200() {
    let store: Arc<dyn Deduplicator> = Arc::new(MemoryDeduplicator::default());
    let delivery = event(INBOUND);
    let ttls = DedupTtls::default();
    let Admission::Run(claim) = admit_once(&store, &delivery, ttls).unwrap() else {
        panic!("the first copy runs");
    };
    assert!(matches!(
        admit_once(&store, &delivery, ttls).unwrap(),
        Admission::InProgress(409)
    ));
    drop(claim); // the handler raised
    let Admission::Run(claim) = admit_once(&store, &delivery, ttls).unwrap() else {
        panic!("the retry runs");
    };
    claim.complete().unwrap();
    assert!(matches!(
        admit_once(&store, &delivery, ttls).unwrap(),
        Admission::Duplicate(200)
    ));
}

#[test]
fn a_shuffled_repeated_status_stream_over_four_workers_ends_at_the_furthest() {
    use connectly::{MessageStatus, RedisStatusStore, StatusTracker};
    let redis = Redis::start();
    let mut stream = Vec::new();
    for m in 0..50 {
        let last = if m % 5 == 0 {
            "delivery_failed"
        } else {
            "read"
        };
        for status in ["sent", "delivered", last] {
            for _ in 0..3 {
                stream.push((format!("m{m}"), status));
            }
        }
    }
    fastrand::seed(5);
    fastrand::shuffle(&mut stream);
    let news: usize = std::thread::scope(|scope| {
        let workers: Vec<_> = stream
            .chunks(stream.len() / 4 + 1)
            .map(|part| {
                let tracker = StatusTracker::with_store(Arc::new(
                    RedisStatusStore::new(&redis.url()).unwrap(),
                ));
                scope.spawn(move || {
                    part.iter()
                        .filter(|(m, s)| tracker.try_advance(m, &MessageStatus::parse(s)).unwrap())
                        .count()
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).sum()
    });
    let tracker = StatusTracker::with_store(Arc::new(RedisStatusStore::new(&redis.url()).unwrap()));
    for m in 0..50 {
        let want = if m % 5 == 0 {
            MessageStatus::Failed
        } else {
            MessageStatus::Read
        };
        assert_eq!(tracker.status(&format!("m{m}")), Some(want), "m{m}");
    }
    // Each message moved forward at most three times, and at least once.
    assert!((50..=150).contains(&news), "{news}");
}
