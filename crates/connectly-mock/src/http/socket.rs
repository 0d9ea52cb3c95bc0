//! A connection's socket as hyper drives it, with a way for a reply to cut the connection
//! once what it wrote has reached the socket.

use std::io;
use std::net::Shutdown;
use std::pin::Pin;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use hyper::rt::{Read, ReadBufCursor, Write};
use hyper_util::rt::TokioIo;
use socket2::SockRef;
use tokio::net::TcpStream;

/// No cut asked for.
const NONE: u8 = 0;
/// Close cleanly (FIN).
const CLOSE: u8 = 1;
/// Close with a reset (RST).
const RESET: u8 = 2;

/// A cut asked for by a reply body, carried out by the [`Socket`] at its next flush.
#[derive(Debug, Default)]
pub(super) struct Cut(AtomicU8);

impl Cut {
    /// Asks for the connection to end once everything written so far is flushed: with a
    /// reset (RST) when `reset`, else cleanly (FIN).
    pub(super) fn request(&self, reset: bool) {
        self.0
            .store(if reset { RESET } else { CLOSE }, Ordering::Release);
    }

    /// The cut asked for, if any (`true`: a reset), forgetting it.
    fn take(&self) -> Option<bool> {
        match self.0.swap(NONE, Ordering::AcqRel) {
            CLOSE => Some(false),
            RESET => Some(true),
            _ => None,
        }
    }
}

/// A TCP connection served by hyper. Reads and writes pass through; a flush that finds a
/// [`Cut`] asked for ends the connection and fails, which makes hyper drop it.
#[derive(Debug)]
pub(super) struct Socket {
    io: TokioIo<TcpStream>,
    cut: Arc<Cut>,
}

impl Socket {
    /// Wraps an accepted connection, watching `cut`.
    pub(super) fn new(stream: TcpStream, cut: Arc<Cut>) -> Socket {
        Socket {
            io: TokioIo::new(stream),
            cut,
        }
    }

    /// Ends the connection now (FIN), or arranges for its close to send a reset (RST):
    /// `SO_LINGER` with a zero timeout. The error is what the flush fails with.
    fn carry_out(&self, reset: bool) -> io::Error {
        let socket = SockRef::from(self.io.inner());
        let _ = if reset {
            socket.set_linger(Some(Duration::ZERO))
        } else {
            socket.shutdown(Shutdown::Write)
        };
        io::Error::new(
            io::ErrorKind::ConnectionAborted,
            "connection cut on purpose",
        )
    }
}

impl Read for Socket {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_read(cx, buf)
    }
}

impl Write for Socket {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    /// hyper flushes once everything it buffered is written: the moment to carry out a cut.
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(Pin::new(&mut this.io).poll_flush(cx))?;
        Poll::Ready(match this.cut.take() {
            None => Ok(()),
            Some(reset) => Err(this.carry_out(reset)),
        })
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }
}
