//! Handling each delivery once, across the processes that receive them: [`Deduplicator`].
//!
//! Connectly retries a delivery until the receiver answers 200, possibly to another worker,
//! and inbound messages carry no event id. A delivery is claimed before its handler runs, in
//! two states: `processing` (a short TTL, in case the worker dies) and then `done` (a long
//! one). A copy arriving while the first is `processing` is answered 409, so Connectly
//! retries it later and never gets a 200 for work that may still fail; a copy arriving once
//! it is `done` is answered 200 without running the handler; a handler that fails releases
//! the claim, so the retry runs it again.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use super::sync_redis::SyncRedis;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use crate::error::Error;
use crate::event::Event;

/// What a claim found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClaimState {
    /// Nobody had it: it is now `processing`, this caller's to complete or release.
    Claimed,
    /// Another copy is being handled now: answer 409 (Connectly retries later).
    InProgress,
    /// It was handled: answer 200 without handling it again.
    Done,
}

/// A store of claimed deliveries; [`MemoryDeduplicator`] for one process,
/// [`RedisDeduplicator`] for a fleet. Keys come from [`delivery_key`].
pub trait Deduplicator: Send + Sync + fmt::Debug {
    /// Claims `key` as `processing` for `ttl`, unless it is already claimed or done.
    fn claim(&self, key: &str, ttl: Duration) -> Result<ClaimState, Error>;
    /// Marks `key` as `done` for `ttl`.
    fn complete(&self, key: &str, ttl: Duration) -> Result<(), Error>;
    /// Forgets a `processing` claim on `key` (its handler failed), so a retry runs again.
    fn release(&self, key: &str) -> Result<(), Error>;
}

/// How long a claim stays `processing` (a worker that dies frees it after this), and how long
/// a handled delivery is remembered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DedupTtls {
    /// The `processing` TTL; default 60 s.
    pub processing: Duration,
    /// The `done` TTL; default 24 h (Connectly retries for less than that).
    pub done: Duration,
}

impl Default for DedupTtls {
    fn default() -> Self {
        Self {
            processing: Duration::from_secs(60),
            done: Duration::from_secs(24 * 60 * 60),
        }
    }
}

/// The key a delivery is claimed under: its message id and status for a delivery status
/// (the same status of the same message, however it was re-sent, is one delivery), and the
/// SHA-256 of the signed body for anything else (inbound messages carry no id).
pub fn delivery_key(event: &Event) -> String {
    match event {
        Event::DeliveryStatus(status) => format!(
            "status:{}:{}",
            hex(&Sha256::digest(status.message_id.as_bytes())),
            status.status.as_str()
        ),
        Event::Message(_) | Event::Other(_) => {
            format!("body:{}", hex(&Sha256::digest(event.body())))
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A claimed delivery: [`complete`](Claim::complete) it when its handler succeeded; dropped
/// without it (the handler failed or panicked), the claim is released.
#[derive(Debug)]
pub struct Claim {
    store: Arc<dyn Deduplicator>,
    key: String,
    ttls: DedupTtls,
    open: bool,
}

/// What to do with a delivery: run its handler, or answer without running it.
#[derive(Debug)]
pub enum Admission {
    /// Run the handler, then complete the claim.
    Run(Claim),
    /// Another copy is being handled: answer this HTTP status (409) without running it.
    InProgress(u16),
    /// Already handled: answer this HTTP status (200) without running it.
    Duplicate(u16),
}

/// Claims `event` in `store`: whether to run its handler. A store that fails (Redis away)
/// is an error: answer 503 so that Connectly retries the delivery later.
pub fn admit_once(
    store: &Arc<dyn Deduplicator>,
    event: &Event,
    ttls: DedupTtls,
) -> Result<Admission, Error> {
    admit_key(store, delivery_key(event), ttls)
}

/// [`admit_once`] for a delivery whose [`delivery_key`] was taken already (a binding that
/// keeps it instead of the event).
pub fn admit_key(
    store: &Arc<dyn Deduplicator>,
    key: String,
    ttls: DedupTtls,
) -> Result<Admission, Error> {
    Ok(match store.claim(&key, ttls.processing)? {
        ClaimState::Claimed => Admission::Run(Claim {
            store: store.clone(),
            key,
            ttls,
            open: true,
        }),
        ClaimState::InProgress => Admission::InProgress(409),
        ClaimState::Done => Admission::Duplicate(200),
    })
}

impl Claim {
    /// The key claimed.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The handler succeeded: the delivery is `done`, and copies get 200 without running.
    pub fn complete(mut self) -> Result<(), Error> {
        self.open = false;
        self.store.complete(&self.key, self.ttls.done)
    }

    /// Ends the claim by what the handler answered: completed when it answered 2xx or
    /// nothing (`None`), released otherwise (so Connectly's retry runs it again). The rule
    /// every helper follows; a handler that raised or panicked calls
    /// [`release`](Claim::release).
    pub fn finish(self, answered: Option<u16>) -> Result<(), Error> {
        if answered.is_none_or(|status| (200..300).contains(&status)) {
            self.complete()
        } else {
            self.release()
        }
    }

    /// The handler failed: the claim is released, so Connectly's retry runs it again.
    pub fn release(mut self) -> Result<(), Error> {
        self.open = false;
        self.store.release(&self.key)
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        if self.open {
            let _ = self.store.release(&self.key);
        }
    }
}

/// One entry of the memory store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Held {
    Processing,
    Done,
}

#[derive(Debug, Default)]
struct Entries {
    by_key: HashMap<String, (Held, Instant)>,
    /// Keys in the order they were last written, for evicting the oldest.
    order: VecDeque<String>,
}

/// Claims kept in this process's memory: the embedded default, for one process. Holds at
/// most `capacity` keys (default 100,000); beyond it the oldest are forgotten.
#[derive(Debug)]
pub struct MemoryDeduplicator {
    capacity: usize,
    entries: Mutex<Entries>,
}

impl Default for MemoryDeduplicator {
    fn default() -> Self {
        Self::new(100_000)
    }
}

impl MemoryDeduplicator {
    /// A store of at most `capacity` keys (at least 1).
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            entries: Mutex::new(Entries::default()),
        }
    }

    fn entries(&self) -> MutexGuard<'_, Entries> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn put(&self, entries: &mut Entries, key: &str, held: Held, ttl: Duration) {
        let expires = Instant::now().checked_add(ttl).unwrap_or_else(far_future);
        if entries
            .by_key
            .insert(key.to_owned(), (held, expires))
            .is_none()
        {
            entries.order.push_back(key.to_owned());
        }
        while entries.by_key.len() > self.capacity {
            let Some(oldest) = entries.order.pop_front() else {
                break;
            };
            entries.by_key.remove(&oldest);
        }
    }
}

fn far_future() -> Instant {
    Instant::now() + Duration::from_secs(100 * 365 * 24 * 60 * 60)
}

impl Deduplicator for MemoryDeduplicator {
    fn claim(&self, key: &str, ttl: Duration) -> Result<ClaimState, Error> {
        let mut entries = self.entries();
        match entries.by_key.get(key) {
            Some((held, expires)) if *expires > Instant::now() => Ok(match held {
                Held::Processing => ClaimState::InProgress,
                Held::Done => ClaimState::Done,
            }),
            _ => {
                self.put(&mut entries, key, Held::Processing, ttl);
                Ok(ClaimState::Claimed)
            }
        }
    }

    fn complete(&self, key: &str, ttl: Duration) -> Result<(), Error> {
        let mut entries = self.entries();
        self.put(&mut entries, key, Held::Done, ttl);
        Ok(())
    }

    fn release(&self, key: &str) -> Result<(), Error> {
        let mut entries = self.entries();
        if matches!(entries.by_key.get(key), Some((Held::Processing, _))) {
            entries.by_key.remove(key);
            entries.order.retain(|k| k != key);
        }
        Ok(())
    }
}

/// Claims kept in Redis, shared by every process that uses it: `SET NX` with the processing
/// TTL to claim, `done` with the long TTL once handled, and a release that deletes only a
/// claim still `processing`. Keys are `connectly:dedup:` and the delivery key.
///
/// Each call is a blocking round trip to Redis (at most 1 s). In an async handler (axum,
/// actix-web), make it inside `tokio::task::spawn_blocking`, so that a slow Redis holds a
/// blocking-pool thread and not one of the runtime's workers.
pub struct RedisDeduplicator {
    redis: SyncRedis,
}

impl fmt::Debug for RedisDeduplicator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The URL may hold a password: never shown.
        f.debug_struct("RedisDeduplicator").finish_non_exhaustive()
    }
}

/// Deletes a claim only while it is still `processing`.
const RELEASE: &str = r"
if redis.call('GET', KEYS[1]) == 'processing' then
  return redis.call('DEL', KEYS[1])
end
return 0
";

impl RedisDeduplicator {
    /// A store in the Redis at `url` (`redis://[:password@]host:port/db`, `rediss://` for
    /// TLS), answering within 1 s or failing. Nothing is connected yet.
    pub fn new(url: &str) -> Result<Self, Error> {
        Ok(Self {
            redis: SyncRedis::open(url, "the deduplication store")?,
        })
    }

    /// Sets how long Redis has to answer (at least 1 ms).
    pub fn timeout(mut self, timeout: Duration) -> Result<Self, Error> {
        self.redis.set_timeout(timeout)?;
        Ok(self)
    }

    fn with<T>(
        &self,
        command: impl FnOnce(&mut redis::Connection) -> redis::RedisResult<T>,
    ) -> Result<T, Error> {
        self.redis.with(command)
    }
}

fn key(delivery: &str) -> String {
    format!("connectly:dedup:{delivery}")
}

fn millis(ttl: Duration) -> u64 {
    u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1)
}

impl Deduplicator for RedisDeduplicator {
    fn claim(&self, delivery: &str, ttl: Duration) -> Result<ClaimState, Error> {
        let key = key(delivery);
        self.with(|c| {
            let claim = |c: &mut redis::Connection| -> redis::RedisResult<bool> {
                let set: Option<String> = redis::cmd("SET")
                    .arg(&key)
                    .arg("processing")
                    .arg("NX")
                    .arg("PX")
                    .arg(millis(ttl))
                    .query(c)?;
                Ok(set.is_some())
            };
            if claim(c)? {
                return Ok(ClaimState::Claimed);
            }
            let held: Option<String> = redis::cmd("GET").arg(&key).query(c)?;
            Ok(match held.as_deref() {
                Some("done") => ClaimState::Done,
                Some(_) => ClaimState::InProgress,
                // Expired in between: claim it again.
                None if claim(c)? => ClaimState::Claimed,
                None => ClaimState::InProgress,
            })
        })
    }

    fn complete(&self, delivery: &str, ttl: Duration) -> Result<(), Error> {
        let key = key(delivery);
        self.with(|c| {
            redis::cmd("SET")
                .arg(&key)
                .arg("done")
                .arg("PX")
                .arg(millis(ttl))
                .query(c)
        })
    }

    fn release(&self, delivery: &str) -> Result<(), Error> {
        let key = key(delivery);
        self.with(|c| {
            redis::Script::new(RELEASE)
                .key(&key)
                .invoke::<i64>(c)
                .map(drop)
        })
    }
}
