//! One blocking Redis connection, made when first needed and made again after a failure:
//! what the deduplicator and the status store share.

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use crate::error::{Error, ValidationError};

/// A Redis server and, once made, a connection to it.
pub(crate) struct SyncRedis {
    client: redis::Client,
    connection: Mutex<Option<redis::Connection>>,
    timeout: Duration,
    /// What the store is, for errors: `the deduplication store`.
    what: &'static str,
}

impl SyncRedis {
    /// The Redis at `url`, answering within 1 s; nothing is connected yet. An unusable URL
    /// is an error whose text never quotes it (it may hold a password).
    pub(crate) fn open(url: &str, what: &'static str) -> Result<Self, Error> {
        let client = redis::Client::open(url).map_err(|e| unusable_url(&e))?;
        Ok(Self {
            client,
            connection: Mutex::new(None),
            timeout: Duration::from_secs(1),
            what,
        })
    }

    /// Sets how long Redis has to answer (at least 1 ms).
    pub(crate) fn set_timeout(&mut self, timeout: Duration) -> Result<(), Error> {
        if timeout < Duration::from_millis(1) {
            return Err(ValidationError::new("timeout", "must be at least 1 ms").into());
        }
        self.timeout = timeout;
        Ok(())
    }

    /// Runs `command` on the connection, made first if needed and kept only while it works.
    pub(crate) fn with<T>(
        &self,
        command: impl FnOnce(&mut redis::Connection) -> redis::RedisResult<T>,
    ) -> Result<T, Error> {
        // Only the kind: a Redis error may quote the URL.
        let unavailable = |e: redis::RedisError| Error::Transport {
            message: format!("{} did not answer ({:?})", self.what, e.kind()),
            attempts: 1,
            possibly_sent: false,
        };
        let mut slot = self
            .connection
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let mut connection = match slot.take() {
            Some(connection) => connection,
            None => {
                let connection = self
                    .client
                    .get_connection_with_timeout(self.timeout)
                    .map_err(unavailable)?;
                connection
                    .set_read_timeout(Some(self.timeout))
                    .and_then(|()| connection.set_write_timeout(Some(self.timeout)))
                    .map_err(unavailable)?;
                connection
            }
        };
        let answer = command(&mut connection).map_err(unavailable)?;
        *slot = Some(connection);
        Ok(answer)
    }
}

/// A URL Redis refused, as an error that never quotes it (it may hold a password): only the
/// kind of the refusal is kept.
pub(crate) fn unusable_url(error: &redis::RedisError) -> Error {
    Error::Config(format!("unusable Redis URL ({:?})", error.kind()))
}
