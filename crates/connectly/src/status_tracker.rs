//! Keeping delivery statuses in order: out-of-order and repeated statuses never move a
//! message backwards.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use crate::error::Error;
use crate::event::MessageStatus;
use crate::fleet::sync_redis::SyncRedis;

/// Where a [`StatusTracker`] keeps the furthest status of each message: in this process
/// ([`MemoryStatusStore`], the default) or shared by a fleet ([`RedisStatusStore`]).
pub trait StatusStore: Send + Sync + fmt::Debug {
    /// Records `status` (of rank `rank`) for `message_id` when no status of the same or a
    /// higher rank is recorded, in one step; whether it did.
    fn advance(&self, message_id: &str, status: &str, rank: u8) -> Result<bool, Error>;
    /// The recorded status of `message_id`, if any.
    fn status(&self, message_id: &str) -> Result<Option<String>, Error>;
}

/// Statuses kept in this process's memory.
#[derive(Debug, Default)]
pub struct MemoryStatusStore {
    furthest: Mutex<HashMap<String, (u8, String)>>,
}

impl StatusStore for MemoryStatusStore {
    fn advance(&self, message_id: &str, status: &str, rank: u8) -> Result<bool, Error> {
        let mut furthest = self.furthest.lock().unwrap_or_else(PoisonError::into_inner);
        let forward = furthest
            .get(message_id)
            .is_none_or(|(seen, _)| rank > *seen);
        if forward {
            furthest.insert(message_id.to_owned(), (rank, status.to_owned()));
        }
        Ok(forward)
    }

    fn status(&self, message_id: &str) -> Result<Option<String>, Error> {
        Ok(self
            .furthest
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(message_id)
            .map(|(_, status)| status.clone()))
    }
}

/// Compares and records in one step: the hash's `rank` must be below the new one.
const ADVANCE: &str = r"
local seen = redis.call('HGET', KEYS[1], 'rank')
if seen and tonumber(seen) >= tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], 'rank', ARGV[2], 'status', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
";

/// Statuses kept in Redis (a hash per message, `connectly:status:<id>`, kept 7 days after its
/// last change), shared by every process that uses the same Redis: the comparison and the
/// write are one Lua script, so concurrent deliveries to several workers still end at the
/// furthest status.
///
/// Each call is a blocking round trip to Redis (at most 1 s). In an async handler (axum,
/// actix-web), call the tracker inside `tokio::task::spawn_blocking`, so that a slow Redis
/// holds a blocking-pool thread and not one of the runtime's workers.
pub struct RedisStatusStore {
    redis: SyncRedis,
}

impl fmt::Debug for RedisStatusStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The URL may hold a password: never shown.
        f.debug_struct("RedisStatusStore").finish_non_exhaustive()
    }
}

/// How long a message's status is kept after its last change.
const KEEP: Duration = Duration::from_secs(7 * 24 * 60 * 60);

impl RedisStatusStore {
    /// A store in the Redis at `url`, answering within 1 s or failing. Nothing is connected
    /// yet.
    pub fn new(url: &str) -> Result<Self, Error> {
        Ok(Self {
            redis: SyncRedis::open(url, "the status store")?,
        })
    }

    fn with<T>(
        &self,
        command: impl FnOnce(&mut redis::Connection) -> redis::RedisResult<T>,
    ) -> Result<T, Error> {
        self.redis.with(command)
    }
}

impl StatusStore for RedisStatusStore {
    fn advance(&self, message_id: &str, status: &str, rank: u8) -> Result<bool, Error> {
        let keep = u64::try_from(KEEP.as_millis()).unwrap_or(u64::MAX);
        self.with(|c| {
            redis::Script::new(ADVANCE)
                .key(format!("connectly:status:{message_id}"))
                .arg(status)
                .arg(rank)
                .arg(keep)
                .invoke::<i64>(c)
                .map(|n| n == 1)
        })
    }

    fn status(&self, message_id: &str) -> Result<Option<String>, Error> {
        self.with(|c| {
            redis::cmd("HGET")
                .arg(format!("connectly:status:{message_id}"))
                .arg("status")
                .query(c)
        })
    }
}

/// Remembers the furthest status seen per message id, so that a `delivered` arriving after
/// its `read`, or the same status twice, is recognised as not news.
///
/// Statuses rank sent < delivered < read < delivery_failed (final); a status the SDK does
/// not know is recorded only for a message with none yet. Safe to share between threads;
/// with a [`RedisStatusStore`], shared by every process using that Redis.
///
/// ```
/// use connectly::{MessageStatus, StatusTracker};
///
/// let tracker = StatusTracker::new();
/// assert!(tracker.advance("m1", &MessageStatus::Read));
/// assert!(!tracker.advance("m1", &MessageStatus::Delivered)); // late: read is further
/// assert_eq!(tracker.status("m1"), Some(MessageStatus::Read));
/// ```
#[derive(Debug, Clone)]
pub struct StatusTracker {
    store: Arc<dyn StatusStore>,
}

impl Default for StatusTracker {
    fn default() -> Self {
        Self::with_store(Arc::new(MemoryStatusStore::default()))
    }
}

impl StatusTracker {
    /// An empty tracker, kept in this process's memory.
    pub fn new() -> Self {
        Self::default()
    }

    /// A tracker keeping its statuses in `store`.
    pub fn with_store(store: Arc<dyn StatusStore>) -> Self {
        Self { store }
    }

    /// Whether `status` moves `message_id` forward; if it does, it is recorded. A store that
    /// fails (Redis away) counts the status as news, so no status is lost; see
    /// [`try_advance`](Self::try_advance) to handle the failure yourself.
    pub fn advance(&self, message_id: &str, status: &MessageStatus) -> bool {
        self.try_advance(message_id, status)
            .unwrap_or_else(|error| {
                tracing::warn!(
                    target: "connectly",
                    error = error.kind().name(),
                    "status store unavailable: the status is treated as news"
                );
                true
            })
    }

    /// [`advance`](Self::advance), with the store's failure as an error.
    pub fn try_advance(&self, message_id: &str, status: &MessageStatus) -> Result<bool, Error> {
        self.store
            .advance(message_id, status.as_str(), status.rank())
    }

    /// The furthest status seen for `message_id`, if any (`None` too when the store fails).
    pub fn status(&self, message_id: &str) -> Option<MessageStatus> {
        self.try_status(message_id).ok().flatten()
    }

    /// [`status`](Self::status), with the store's failure as an error.
    pub fn try_status(&self, message_id: &str) -> Result<Option<MessageStatus>, Error> {
        Ok(self
            .store
            .status(message_id)?
            .map(|s| MessageStatus::parse(&s)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_order_of_the_statuses_ends_at_the_furthest() {
        use MessageStatus::*;
        let all = [Sent, Delivered, Read];
        for order in [
            [0, 1, 2],
            [0, 2, 1],
            [1, 0, 2],
            [1, 2, 0],
            [2, 0, 1],
            [2, 1, 0],
        ] {
            let tracker = StatusTracker::new();
            let mut forward = 0;
            for i in order {
                forward += usize::from(tracker.advance("m", &all[i]));
                assert!(!tracker.advance("m", &all[i]), "a repeat is never news");
            }
            assert_eq!(tracker.status("m"), Some(Read), "{order:?}");
            assert!(forward >= 1);
        }
        let tracker = StatusTracker::new();
        assert!(tracker.advance("m", &Other("pending".into())));
        assert!(tracker.advance("m", &Failed));
        assert!(!tracker.advance("m", &Read), "failed is final");
        assert!(!tracker.advance("m", &Other("x".into())));
        assert_eq!(tracker.status("other"), None);
    }
}
