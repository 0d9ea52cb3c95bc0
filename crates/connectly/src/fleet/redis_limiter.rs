//! The fleet's rate limiter: GCRA in one Lua script on Redis, timed by Redis's own clock.

use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use redis::aio::MultiplexedConnection;
use redis::cluster_async::ClusterConnection;

use super::gcra::{default_burst, Limit};
use super::local::LocalRateLimiter;
use super::sync_redis::unusable_url;
use crate::error::{Error, ValidationError};
use crate::rate_limit::{Pending, RateLimiter};

/// Reserves a send (ARGV[3] = 0) or pushes the budget back by ARGV[3] µs after a 429, in one
/// step, on Redis's clock (`TIME`), so the workers' clocks do not matter. Times are whole
/// microseconds; the key expires once the budget is full again.
const SCRIPT: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local push = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local wait = 0
if push > 0 then
  local pushed = now + push + tolerance
  if pushed > tat then tat = pushed end
else
  local allowed = tat - tolerance
  if allowed > now then wait = allowed - now end
  tat = tat + interval
end
local ttl = math.floor((tat - now) / 1000) + 1000
redis.call('SET', KEYS[1], string.format('%.0f', tat), 'PX', ttl)
return wait
";

/// How long Redis is left alone after it failed, before it is tried again: short, since a
/// process back on the shared budget while others are still on their fallback lets the
/// fleet exceed the rate until they are back too.
const RETRY_REDIS_AFTER: Duration = Duration::from_millis(250);
/// How often, at most, the fallback is logged while Redis stays unreachable.
const LOG_EVERY: Duration = Duration::from_secs(60);

/// Where the budget lives.
enum Store {
    Single(redis::Client),
    Cluster(redis::cluster::ClusterClient),
}

/// A live connection to it.
#[derive(Clone)]
enum Connection {
    Single(MultiplexedConnection),
    Cluster(ClusterConnection),
}

/// Whether Redis answers, and when the fallback was last logged.
#[derive(Debug, Default)]
struct Health {
    /// Since when Redis has been unreachable.
    down_since: Option<Instant>,
    /// When to try Redis again.
    retry_at: Option<Instant>,
    logged_at: Option<Instant>,
}

/// A send budget shared by every process that uses the same Redis and the same limit: GCRA
/// (the model is go-redis's `redis_rate`) in one Lua script, on Redis's own clock, with the
/// budget's key scoped to the business by a `{...}` hash tag (so it works on a cluster) and
/// holding the limit's parameters (so two limits never share a key). A 429 from Connectly
/// pushes the shared budget back, so the whole fleet backs off at once.
///
/// When Redis does not answer within the timeout (default 100 ms), sends go on against a
/// local budget at a share of the rate (default a quarter: set it to 1 / the number of
/// processes; no burst), logged at most once a minute, and the shared budget is used again as
/// soon as Redis answers (tried again every 250 ms): neither failing open nor halting sends.
pub struct RedisRateLimiter {
    store: Store,
    per_second: f64,
    limit: Limit,
    timeout: Duration,
    share: f64,
    fallback: LocalRateLimiter,
    connection: tokio::sync::Mutex<Option<Connection>>,
    health: Mutex<Health>,
    script: redis::Script,
}

impl std::fmt::Debug for RedisRateLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may hold a password: never shown.
        f.debug_struct("RedisRateLimiter")
            .field("limit", &self.limit)
            .field("timeout", &self.timeout)
            .field("share", &self.share)
            .finish_non_exhaustive()
    }
}

impl RedisRateLimiter {
    /// The default time Redis has to answer before the fallback is used.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_millis(100);
    /// The default share of the rate the local fallback allows.
    pub const DEFAULT_FALLBACK_SHARE: f64 = 0.25;

    /// A budget of `per_second` sends in the Redis at `url` (`redis://[:password@]host:port/db`,
    /// or `rediss://` for TLS), with the default burst. Nothing is connected yet.
    pub fn new(url: &str, per_second: f64) -> Result<Self, Error> {
        let burst = default_burst(per_second);
        let client = redis::Client::open(url).map_err(|e| unusable_url(&e))?;
        Self::make(Store::Single(client), per_second, burst)
    }

    /// The same budget on a Redis cluster, given some of its nodes' URLs.
    pub fn cluster(urls: &[&str], per_second: f64) -> Result<Self, Error> {
        let burst = default_burst(per_second);
        let client =
            redis::cluster::ClusterClient::new(urls.to_vec()).map_err(|e| unusable_url(&e))?;
        Self::make(Store::Cluster(client), per_second, burst)
    }

    fn make(store: Store, per_second: f64, burst: u32) -> Result<Self, Error> {
        let limit = Limit::new(per_second, burst)?;
        Ok(Self {
            store,
            per_second,
            limit,
            timeout: Self::DEFAULT_TIMEOUT,
            share: Self::DEFAULT_FALLBACK_SHARE,
            fallback: fallback(per_second, Self::DEFAULT_FALLBACK_SHARE)?,
            connection: tokio::sync::Mutex::new(None),
            health: Mutex::new(Health::default()),
            script: redis::Script::new(SCRIPT),
        })
    }

    /// Sets how many sends (at least 1) may go at once after an idle period.
    pub fn burst(mut self, burst: u32) -> Result<Self, Error> {
        self.limit = Limit::new(self.per_second, burst)?;
        Ok(self)
    }

    /// Sets the share of the rate (above 0, at most 1) each process may send at while Redis
    /// is unreachable.
    pub fn fallback_share(mut self, share: f64) -> Result<Self, Error> {
        if !(share > 0.0 && share <= 1.0) {
            return Err(
                ValidationError::new("fallback share", "must be above 0 and at most 1").into(),
            );
        }
        self.share = share;
        self.fallback = fallback(self.per_second, share)?;
        Ok(self)
    }

    /// Sets how long Redis has to answer (at least 1 ms) before the fallback is used.
    pub fn timeout(mut self, timeout: Duration) -> Result<Self, Error> {
        if timeout < Duration::from_millis(1) {
            return Err(ValidationError::new("timeout", "must be at least 1 ms").into());
        }
        self.timeout = timeout;
        Ok(self)
    }

    /// The budget's key for `scope`: the business in a hash tag, then the limit.
    fn key(&self, scope: &str) -> String {
        format!(
            "connectly:rate:{{{scope}}}:{}:{}",
            self.limit.millirate, self.limit.burst
        )
    }

    fn health(&self) -> MutexGuard<'_, Health> {
        self.health.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs the script once: the wait in microseconds, or why Redis could not answer.
    async fn run(&self, scope: &str, push: Duration) -> Result<u64, String> {
        let mut slot = self.connection.lock().await;
        let connection = match slot.as_ref() {
            Some(connection) => connection.clone(),
            None => {
                let made = match &self.store {
                    Store::Single(client) => client
                        .get_multiplexed_async_connection()
                        .await
                        .map(Connection::Single),
                    Store::Cluster(client) => {
                        client.get_async_connection().await.map(Connection::Cluster)
                    }
                }
                .map_err(|e| e.to_string())?;
                *slot = Some(made.clone());
                made
            }
        };
        drop(slot);
        let mut invocation = self.script.key(self.key(scope));
        invocation
            .arg(micros(self.limit.interval))
            .arg(micros(self.limit.tolerance()))
            .arg(micros(push));
        let answer: Result<u64, redis::RedisError> = match connection {
            Connection::Single(mut c) => invocation.invoke_async(&mut c).await,
            Connection::Cluster(mut c) => invocation.invoke_async(&mut c).await,
        };
        answer.map_err(|e| e.to_string())
    }

    /// Runs the script within the timeout, or says Redis is down (and when to try again).
    async fn shared(&self, scope: &str, push: Duration) -> Option<Duration> {
        let now = Instant::now();
        if self.health().retry_at.is_some_and(|at| now < at) {
            return None;
        }
        let answer = match tokio::time::timeout(self.timeout, self.run(scope, push)).await {
            Ok(answer) => answer,
            Err(_) => Err(format!("no answer within {:?}", self.timeout)),
        };
        let mut health = self.health();
        match answer {
            Ok(wait) => {
                if let Some(since) = health.down_since.take() {
                    tracing::warn!(
                        target: "connectly",
                        down_ms = u64::try_from(since.elapsed().as_millis()).unwrap_or(u64::MAX),
                        "rate limiter: Redis answers again; the shared budget is back"
                    );
                }
                health.retry_at = None;
                Some(Duration::from_micros(wait))
            }
            Err(reason) => {
                health.down_since.get_or_insert(now);
                health.retry_at = Some(now + RETRY_REDIS_AFTER);
                if health.logged_at.is_none_or(|at| at.elapsed() >= LOG_EVERY) {
                    health.logged_at = Some(now);
                    tracing::warn!(
                        target: "connectly",
                        share = self.share,
                        reason = %redact(&reason),
                        "rate limiter: Redis is unreachable; sending at a local share of the rate"
                    );
                }
                drop(health);
                // A broken connection is made again next time.
                if let Ok(mut slot) = self.connection.try_lock() {
                    *slot = None;
                }
                None
            }
        }
    }
}

impl RateLimiter for RedisRateLimiter {
    fn reserve<'a>(&'a self, scope: &'a str) -> Pending<'a, Duration> {
        Box::pin(async move {
            match self.shared(scope, Duration::ZERO).await {
                Some(wait) => {
                    // The fallback follows what this process sends, to take over smoothly.
                    self.fallback.observe_now(scope);
                    wait
                }
                None => self.fallback.reserve_now(scope),
            }
        })
    }

    fn throttled<'a>(&'a self, scope: &'a str, wait: Duration) -> Pending<'a, ()> {
        Box::pin(async move {
            // At least a microsecond, since 0 means "reserve" to the script.
            let push = wait.max(Duration::from_micros(1));
            self.fallback.push_back_now(scope, push);
            let _ = self.shared(scope, push).await;
        })
    }
}

/// The local budget used while Redis is down: the share of the rate, without a burst, so
/// that the switch to it adds nothing to what the fleet was sending.
fn fallback(per_second: f64, share: f64) -> Result<LocalRateLimiter, Error> {
    let rate = (per_second * share).max(crate::BulkOptions::MIN_RATE_LIMIT);
    Ok(LocalRateLimiter::with_burst(rate, 1)?)
}

fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

/// A Redis error's text without any URL in it (it may hold a password).
fn redact(reason: &str) -> String {
    reason
        .split_whitespace()
        .map(|word| if word.contains("://") { "[url]" } else { word })
        .collect::<Vec<_>>()
        .join(" ")
}
