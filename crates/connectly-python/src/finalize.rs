//! Interpreter exit: a thread that comes back from a native call (made with the GIL
//! released) after Python began to exit must not re-enter the interpreter.
//!
//! At exit, Python first joins its non-daemon threads, then runs `atexit` callbacks, then
//! finalises. A daemon thread still in a blocking call (a send, a mock delivery) that
//! reacquires the GIL during finalisation is ended by CPython 3.9-3.13 with a forced unwind
//! (`pthread_exit`) through this extension's frames, which runs their drop code without the
//! GIL and crashes the process. So every blocking call releases the GIL through [`detach`],
//! which passes a gate on its way back: `_exiting` (registered with `atexit` when
//! `connectly` is imported) closes the gate, waiting (the GIL released) until each thread
//! already through it holds the GIL again, and a thread that finds it closed parks for good
//! instead of re-entering Python (as CPython 3.14 does itself): the process is about to
//! end, and nothing waits for it. The thread that runs the exit (the main one) is never
//! stopped, so an `atexit` callback may still call the SDK.

use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::{self, ThreadId};

use pyo3::prelude::*;

/// The gate threads pass on their way back into Python.
struct Gate {
    state: Mutex<State>,
    /// Signalled when a thread that passed holds the GIL again.
    passed: Condvar,
}

struct State {
    /// The thread running Python's exit, once it began: the gate is closed to every other.
    closed_by: Option<ThreadId>,
    /// Threads through the gate, waiting for the GIL.
    passing: usize,
}

static GATE: Gate = Gate {
    state: Mutex::new(State {
        closed_by: None,
        passing: 0,
    }),
    passed: Condvar::new(),
};

impl Gate {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A thread through the gate, until it holds the GIL again (then dropped).
struct Passing;

impl Drop for Passing {
    fn drop(&mut self) {
        let mut state = GATE.lock();
        state.passing -= 1;
        // Only `_exiting` waits, once the gate is closed.
        if state.closed_by.is_some() {
            GATE.passed.notify_all();
        }
    }
}

/// Passes the gate, or parks for good if Python is exiting (and this is not the thread
/// running the exit).
fn pass() -> Passing {
    let mut state = GATE.lock();
    if state
        .closed_by
        .is_some_and(|exiting| exiting != thread::current().id())
    {
        drop(state);
        loop {
            thread::park();
        }
    }
    state.passing += 1;
    Passing
}

/// Runs `f` with the GIL released, as [`Python::detach`], for a call that may take a while;
/// on its way back, the calling thread passes the gate (see the module docs).
pub(crate) fn detach<T, F>(py: Python<'_>, f: F) -> T
where
    F: Send + FnOnce() -> T,
    T: Send,
{
    let (result, passing) = py.detach(|| {
        let result = f();
        (result, pass())
    });
    drop(passing);
    result
}

/// Marks the start of Python's exit: closes the gate to every thread but this one, and
/// waits (the GIL released) for the threads already through it to hold the GIL again.
/// Registered with `atexit` by `connectly`.
#[pyfunction]
pub(crate) fn _exiting(py: Python<'_>) {
    let exiting = thread::current().id();
    py.detach(|| {
        let mut state = GATE.lock();
        state.closed_by = Some(exiting);
        while state.passing > 0 {
            state = GATE
                .passed
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
    });
}
