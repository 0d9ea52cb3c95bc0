//! The descriptor a completion queue keeps readable while completions wait, for an event
//! loop to poll: an eventfd on Linux (a counter: no buffer, no socket), a socket pair on
//! other Unix systems. Each `raise` adds one signal and each `lower` takes one, so the
//! descriptor is readable exactly while a signal is left.

use std::io;
use std::os::unix::io::{AsFd, AsRawFd, BorrowedFd, RawFd};

/// The eventfd, in semaphore mode: a read takes one signal, not all of them.
#[cfg(any(target_os = "linux", target_os = "android"))]
#[derive(Debug)]
pub(crate) struct Wakeup {
    fd: rustix::fd::OwnedFd,
}

#[cfg(any(target_os = "linux", target_os = "android"))]
impl Wakeup {
    /// A descriptor with no signal, non-blocking and closed on exec.
    pub(crate) fn new() -> io::Result<Self> {
        use rustix::event::{eventfd, EventfdFlags};
        let flags = EventfdFlags::CLOEXEC | EventfdFlags::NONBLOCK | EventfdFlags::SEMAPHORE;
        Ok(Self {
            fd: eventfd(0, flags)?,
        })
    }

    /// Adds a signal: the descriptor is readable from now on.
    pub(crate) fn raise(&self) {
        // Fails only when the counter would overflow (2^64 - 2 signals), never in practice.
        let _ = rustix::io::write(&self.fd, &1u64.to_ne_bytes());
    }

    /// Takes a signal; never blocks (nothing to take is not an error here).
    pub(crate) fn lower(&self) {
        let _ = rustix::io::read(&self.fd, &mut [0u8; 8]);
    }
}

#[cfg(any(target_os = "linux", target_os = "android"))]
impl AsFd for Wakeup {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

/// A connected pair of sockets: a byte written to one end per signal, read from the other.
#[cfg(all(unix, not(any(target_os = "linux", target_os = "android"))))]
#[derive(Debug)]
pub(crate) struct Wakeup {
    readable: std::os::unix::net::UnixStream,
    writable: std::os::unix::net::UnixStream,
}

#[cfg(all(unix, not(any(target_os = "linux", target_os = "android"))))]
impl Wakeup {
    /// A descriptor with no signal, non-blocking and closed on exec.
    pub(crate) fn new() -> io::Result<Self> {
        let (readable, writable) = std::os::unix::net::UnixStream::pair()?;
        readable.set_nonblocking(true)?;
        writable.set_nonblocking(true)?;
        Ok(Self { readable, writable })
    }

    /// Adds a signal: the descriptor is readable from now on.
    pub(crate) fn raise(&self) {
        use std::io::Write;
        // The socket's buffer holds far more than the signals a queue ever has waiting.
        let _ = (&self.writable).write(&[1]);
    }

    /// Takes a signal; never blocks (nothing to take is not an error here).
    pub(crate) fn lower(&self) {
        use std::io::Read;
        let _ = (&self.readable).read(&mut [0u8; 1]);
    }
}

#[cfg(all(unix, not(any(target_os = "linux", target_os = "android"))))]
impl AsFd for Wakeup {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.readable.as_fd()
    }
}

impl Wakeup {
    /// The descriptor to poll for reading.
    pub(crate) fn fd(&self) -> RawFd {
        self.as_fd().as_raw_fd()
    }
}

#[cfg(test)]
mod tests {
    use rustix::event::{poll, PollFd, PollFlags, Timespec};

    use super::Wakeup;

    fn readable(wakeup: &Wakeup) -> bool {
        let mut fds = [PollFd::new(wakeup, PollFlags::IN)];
        let now = Timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        poll(&mut fds, Some(&now)).unwrap_or(0) == 1
    }

    #[test]
    fn readable_exactly_while_a_signal_is_left() {
        let wakeup = Wakeup::new().unwrap_or_else(|e| panic!("no descriptor: {e}"));
        assert!(!readable(&wakeup));
        wakeup.raise();
        wakeup.raise();
        wakeup.lower();
        assert!(readable(&wakeup), "one raise of two is left");
        wakeup.lower();
        assert!(!readable(&wakeup));
        wakeup.lower();
        assert!(
            !readable(&wakeup),
            "lowering past zero leaves it unreadable"
        );
        wakeup.raise();
        assert!(readable(&wakeup));
    }
}
