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

use super::finalize;

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

/// The process, and the `threading` ident of Python's main thread in it.
static MAIN_THREAD: Mutex<Option<(u32, u64)>> = Mutex::new(None);

/// Whether the calling thread is Python's main thread, the only one that runs signal
/// handlers. The main thread is looked up once per process (after a fork, the forking thread
/// becomes the main one); then each call compares idents without running Python code.
fn on_main_thread(py: Python<'_>) -> PyResult<bool> {
    let pid = std::process::id();
    let known = *MAIN_THREAD.lock().unwrap_or_else(|e| e.into_inner());
    let main = match known {
        Some((known_pid, ident)) if known_pid == pid => ident,
        _ => {
            let ident = py
                .import(intern!(py, "threading"))?
                .call_method0(intern!(py, "main_thread"))?
                .getattr(intern!(py, "ident"))?
                .extract()?;
            *MAIN_THREAD.lock().unwrap_or_else(|e| e.into_inner()) = Some((pid, ident));
            ident
        }
    };
    let current: u64 = py
        .import(intern!(py, "_thread"))?
        .call_method0(intern!(py, "get_ident"))?
        .extract()?;
    Ok(current == main)
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
        return Ok((finalize::detach(py, || call(client)), None));
    }
    let signals = Arc::new(Signals {
        raised: Mutex::new(None),
    });
    let watched = client.with_interrupt(signals.clone());
    let result = finalize::detach(py, || call(&watched));
    let raised = signals
        .raised
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .take();
    Ok((result, raised))
}
