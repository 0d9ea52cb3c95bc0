//! The logging bridge: the core's log records ([`connectly::log_queue`]) handed to Python's
//! `logging.getLogger("connectly")` by `connectly._logging._emit`, from one thread of the
//! SDK's own (`connectly-log`).
//!
//! - The core's threads only put records in the core's bounded queue: they never take the
//!   GIL and never wait for Python (a full queue drops records, and counts them).
//! - The forwarding thread waits on that queue without the GIL, and takes it only to hand a
//!   batch over, at most once per [`HAND_OFF_INTERVAL`] (so a busy client costs the GIL a
//!   few hundred times a second, not twice per call). It drops the records of a level the
//!   logger is not enabled for without making Python objects of them.
//! - At interpreter exit, `_stop_logs` (registered with `atexit`, which runs before the
//!   interpreter starts finalising) waits for a hand-off in progress to finish its current
//!   record, stops the thread from ever taking the GIL again, and hands what is left over
//!   on the exiting thread.
//! - After a fork, the child has no forwarding thread: the first client it makes starts one.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use connectly::{LogLevel, LogQueue, LogRecord};

/// The shortest time between two hand-offs to Python.
const HAND_OFF_INTERVAL: Duration = Duration::from_millis(2);

/// How long the thread waits for records before it waits again (it has nothing else to do).
const IDLE_WAIT: Duration = Duration::from_secs(60);

/// The forwarding thread's name (`/proc/<pid>/task/<tid>/comm`).
const THREAD_NAME: &str = "connectly-log";

/// One process's forwarding thread and what it shares with `_stop_logs`.
struct Forwarder {
    queue: LogQueue,
    /// `connectly._logging._emit(level, client, message, text, fields)`.
    emit: Py<PyAny>,
    /// `logging.getLogger("connectly")`.
    logger: Py<PyAny>,
    /// Set by `_stop_logs`: Python is exiting, and the thread must not take the GIL again.
    stopped: AtomicBool,
    /// Held by the thread while it hands records over; the records it took but had not
    /// handed over when it saw `stopped`, for `_stop_logs` to hand over.
    handing: Mutex<Vec<LogRecord>>,
}

/// The forwarder of this process, and the process it was started in (a forked child has
/// its parent's, without the thread). Only ever locked with the GIL held, by calls that do
/// not release it, so a fork never finds it locked.
static CURRENT: Mutex<Option<(u32, Arc<Forwarder>)>> = Mutex::new(None);

/// Starts the forwarding thread, unless it runs already in this process, or the core's
/// records go to a `tracing` subscriber another library installed. Called by each new
/// client.
pub(crate) fn start(py: Python<'_>) -> PyResult<()> {
    let pid = std::process::id();
    if running_in(pid) {
        return Ok(());
    }
    let Some(queue) = connectly::log_queue() else {
        return Ok(());
    };
    // Python is called before CURRENT is locked: an import may let another thread run,
    // which could be waiting for CURRENT with the GIL held.
    let module = py.import(intern!(py, "connectly._logging"))?;
    let emit = module.getattr(intern!(py, "_emit"))?.unbind();
    let logger = module.getattr(intern!(py, "LOGGER"))?.unbind();
    let mut current = CURRENT.lock().unwrap_or_else(PoisonError::into_inner);
    if matches!(&*current, Some((started, _)) if *started == pid) {
        return Ok(());
    }
    let forwarder = Arc::new(Forwarder {
        queue,
        emit,
        logger,
        stopped: AtomicBool::new(false),
        handing: Mutex::new(Vec::new()),
    });
    let running = forwarder.clone();
    thread::Builder::new()
        .name(THREAD_NAME.to_owned())
        .spawn(move || run(&running))?;
    *current = Some((pid, forwarder));
    Ok(())
}

/// Whether the forwarding thread was started in process `pid` (and so runs, or has
/// stopped at exit).
fn running_in(pid: u32) -> bool {
    let current = CURRENT.lock().unwrap_or_else(PoisonError::into_inner);
    matches!(&*current, Some((started, _)) if *started == pid)
}

/// The forwarding thread: waits for records without the GIL, then hands them to Python.
/// Records it has taken wait in `handing` until handed over, where `_stop_logs` finds them.
fn run(forwarder: &Forwarder) {
    let mut last = Instant::now();
    loop {
        let records = forwarder.queue.wait(IDLE_WAIT);
        if records.is_empty() {
            continue;
        }
        lock(&forwarder.handing).extend(records);
        // Lets more arrive, so that a busy client costs one hand-off per interval.
        thread::sleep(HAND_OFF_INTERVAL.saturating_sub(last.elapsed()));
        let mut handing = lock(&forwarder.handing);
        if forwarder.stopped.load(Ordering::SeqCst) {
            return;
        }
        handing.extend(forwarder.queue.wait(Duration::ZERO));
        let records = std::mem::take(&mut *handing);
        match Python::try_attach(|py| hand_over(py, forwarder, records, true)) {
            Some(left) if left.is_empty() => {}
            // Stopped halfway: `_stop_logs`, waiting for `handing`, hands over the rest.
            Some(left) => {
                *handing = left;
                return;
            }
            // Python is gone.
            None => return,
        }
        drop(handing);
        last = Instant::now();
    }
}

/// Locks `handing`.
fn lock(handing: &Mutex<Vec<LogRecord>>) -> MutexGuard<'_, Vec<LogRecord>> {
    handing.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The `logging` level of a record.
fn level_number(level: LogLevel) -> u8 {
    match level {
        LogLevel::Debug => 10,
        LogLevel::Info => 20,
        LogLevel::Warn => 30,
    }
}

/// Hands `records` over, oldest first, each whose level the logger is enabled for now.
/// When `stoppable`, stops at the first record that finds the forwarder stopped, and returns
/// the records not handed over. A failure to hand one over is reported as unraisable (as
/// `logging` reports a handler's) and the next is handed over.
fn hand_over(
    py: Python<'_>,
    forwarder: &Forwarder,
    records: Vec<LogRecord>,
    stoppable: bool,
) -> Vec<LogRecord> {
    let logger = forwarder.logger.bind(py);
    let emit = forwarder.emit.bind(py);
    // Asked at most once per level per hand-off.
    let mut enabled: [Option<bool>; 3] = [None; 3];
    let mut records = records.into_iter();
    while let Some(record) = records.next() {
        if stoppable && forwarder.stopped.load(Ordering::SeqCst) {
            let mut left = vec![record];
            left.extend(records);
            return left;
        }
        let level = level_number(record.level);
        let slot = &mut enabled[usize::from(level / 10 - 1)];
        let on = *slot.get_or_insert_with(|| {
            logger
                .call_method1(intern!(py, "isEnabledFor"), (level,))
                .and_then(|on| on.is_truthy())
                .unwrap_or(false)
        });
        if !on {
            continue;
        }
        if let Err(err) = emit_one(py, emit, level, &record) {
            err.write_unraisable(py, Some(emit));
        }
    }
    Vec::new()
}

/// `_emit(level, client, message, text, fields)` for one record.
fn emit_one(
    py: Python<'_>,
    emit: &Bound<'_, PyAny>,
    level: u8,
    record: &LogRecord,
) -> PyResult<()> {
    let fields = PyDict::new(py);
    for (key, value) in &record.fields {
        fields.set_item(*key, value)?;
    }
    let text = record.to_string();
    emit.call1((level, record.client, &record.message, text, fields))?;
    Ok(())
}

/// Stops the forwarding thread for good and hands over, on the calling thread, whatever
/// records it had not: run by `atexit`, before the interpreter finalises, so that the
/// thread never takes the GIL of an interpreter that is going away. Waits (the GIL
/// released) for a hand-off in progress to finish the record it is at.
#[pyfunction]
pub(crate) fn _stop_logs(py: Python<'_>) {
    let forwarder = {
        let current = CURRENT.lock().unwrap_or_else(PoisonError::into_inner);
        match &*current {
            Some((pid, forwarder)) if *pid == std::process::id() => forwarder.clone(),
            _ => return,
        }
    };
    forwarder.stopped.store(true, Ordering::SeqCst);
    let mut records = py.detach(|| std::mem::take(&mut *lock(&forwarder.handing)));
    records.extend(forwarder.queue.wait(Duration::ZERO));
    hand_over(py, &forwarder, records, false);
}
