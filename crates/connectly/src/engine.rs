//! The runtime every request runs on: a small multi-threaded tokio runtime the client owns,
//! shared by its clones, its blocking calls and its async face.

use std::future::Future;

use tokio::runtime::{Builder, Runtime};
use tokio::task::JoinHandle;

use crate::error::Error;

/// How many threads drive the connections (I/O and timers) of one client. One is enough for
/// thousands of connections (the work per request is small next to the network's wait), and
/// measured faster than two on a 2-core machine, for blocking calls (fewer hand-offs between
/// threads) and for 1,000 concurrent ones alike (BENCHMARKS.md).
const WORKER_THREADS: usize = 1;

/// The client's runtime. Dropped without waiting for its tasks, so that the last client can
/// be dropped anywhere, inside another runtime included.
#[derive(Debug)]
pub(crate) struct Engine {
    runtime: Option<Runtime>,
}

impl Engine {
    /// Starts the runtime's threads.
    pub(crate) fn start() -> Result<Self, Error> {
        let runtime = Builder::new_multi_thread()
            .worker_threads(WORKER_THREADS)
            .thread_name("connectly-io")
            .enable_all()
            .build()
            .map_err(|_| Error::Config("the SDK's runtime could not be started".into()))?;
        Ok(Self {
            runtime: Some(runtime),
        })
    }

    fn runtime(&self) -> &Runtime {
        // Only `drop` takes it.
        self.runtime
            .as_ref()
            .unwrap_or_else(|| unreachable!("the runtime is taken only on drop"))
    }

    /// Runs `future` to completion on the calling thread, the runtime driving its I/O.
    /// Refused inside an async runtime, where blocking would stall that runtime's thread.
    pub(crate) fn block_on<T>(
        &self,
        future: impl Future<Output = Result<T, Error>>,
    ) -> Result<T, Error> {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(Error::Config(
                "the blocking client cannot be called inside an async runtime; \
                 use AsyncClient (client.to_async()) there"
                    .into(),
            ));
        }
        self.runtime().block_on(future)
    }

    /// Runs `future` on the runtime's threads.
    pub(crate) fn spawn<T: Send + 'static>(
        &self,
        future: impl Future<Output = T> + Send + 'static,
    ) -> JoinHandle<T> {
        self.runtime().spawn(future)
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}
