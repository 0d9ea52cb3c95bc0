//! What several processes share: a send budget ([`RateLimiter`]) and, in the `dedup`
//! module, the deliveries already handled. Each has an embedded default for one process and
//! a Redis implementation for a fleet.

pub(crate) mod dedup;
pub(crate) mod gcra;
pub(crate) mod local;
pub(crate) mod redis_limiter;
pub(crate) mod sync_redis;
