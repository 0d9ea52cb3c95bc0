//! Ctrl-C during a blocking call: the core's interruption hook, answered by Python's signal
//! handlers.
//!
//! Python runs a signal handler only on the main thread, when that thread next executes
//! Python; a call blocked in Rust with the GIL released would otherwise see Ctrl-C only when
//! it returns. So a blocking call made on the main thread gives the core a hook that, each
//! time the core asks (about every 50 ms while the call waits), re-attaches to the
//! interpreter and runs the pending handlers. The exception one raises (`KeyboardInterrupt`,
//! for Ctrl-C) is kept, the core stops the call, and the binding raises that exception.

use std::fmt;
use std::sync::{Arc, Mutex};

use pyo3::intern;
use pyo3::prelude::*;

use connectly::Interrupt;

/// The hook of one blocking call made on the main thread.
struct Signals {
    /// The exception a signal handler raised, once one did.
    raised: Mutex<Option<PyErr>>,
}

impl fmt::Debug for Signals {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signals").finish_non_exhaustive()
    }
}

impl Interrupt for Signals {
    fn interrupted(&self) -> bool {
        let mut raised = self.raised.lock().unwrap_or_else(|e| e.into_inner());
        if raised.is_none() {
            *raised = Python::attach(|py| py.check_signals().err());
        }
        raised.is_some()
    }
}

/// Whether the calling thread is Python's main thread, the only one that runs signal
/// handlers. Asked at each call: after a fork, the forking thread becomes the main one.
fn on_main_thread(py: Python<'_>) -> PyResult<bool> {
    let threading = py.import(intern!(py, "threading"))?;
    let main = threading
        .call_method0(intern!(py, "main_thread"))?
        .getattr(intern!(py, "ident"))?;
    main.eq(threading.call_method0(intern!(py, "get_ident"))?)
}

/// Runs `call` on `client` with the GIL released. On the main thread, the client it is given
/// asks Python's signal handlers whether to stop (see the module docs); the exception a
/// handler raised comes back beside the call's own result, and the caller raises it. Off the
/// main thread, `call` gets `client` itself: no hook, nothing to ask.
pub(crate) fn blocking<T, F>(
    py: Python<'_>,
    client: &connectly::Client,
    call: F,
) -> PyResult<(T, Option<PyErr>)>
where
    T: Send,
    F: FnOnce(&connectly::Client) -> T + Send,
{
    if !on_main_thread(py)? {
        return Ok((py.detach(|| call(client)), None));
    }
    let signals = Arc::new(Signals {
        raised: Mutex::new(None),
    });
    let watched = client.with_interrupt(signals.clone());
    let result = py.detach(|| call(&watched));
    let raised = signals
        .raised
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .take();
    Ok((result, raised))
}
