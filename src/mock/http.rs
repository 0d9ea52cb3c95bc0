//! A small HTTP/1.1 server: one thread per connection, keep-alive, pipelining,
//! `Content-Length` and chunked request bodies, `Expect: 100-continue`, and a clean stop.
//!
//! The mock Connectly runs on it, and so can other in-crate servers (the CLI's webhook
//! receiver): implement [`Service`] (or pass a closure `Fn(&Request) -> Reply`) and call
//! [`HttpServer::start`].

use std::collections::HashMap;
use std::io::{self, BufWriter, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

/// The largest request body read; a bigger one is answered 413 and the connection closed.
pub(crate) const MAX_BODY: usize = 10 * 1024 * 1024;
/// The largest request head (request line and headers).
const MAX_HEAD: usize = 64 * 1024;
/// The most headers a request may carry.
const MAX_HEADERS: usize = 100;
/// How long a connection closed after an error keeps draining what the client still sends,
/// so the client reads the error instead of a reset.
const LINGER: Duration = Duration::from_millis(500);

/// One HTTP request, fully read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Request {
    /// The method, as sent (`POST`).
    pub method: String,
    /// The request target, as sent (path and query).
    pub path: String,
    /// The headers in arrival order, names as sent.
    pub headers: Vec<(String, String)>,
    /// The body, de-chunked.
    pub body: Vec<u8>,
}

impl Request {
    /// The first header called `name` (ASCII case-insensitive).
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        header_value(&self.headers, name)
    }

    /// The path without the query string.
    pub(crate) fn path_only(&self) -> &str {
        path_only(&self.path)
    }
}

/// The first header called `name` (ASCII case-insensitive) in a list of pairs.
pub(crate) fn header_value<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// A request target without its query string.
pub(crate) fn path_only(target: &str) -> &str {
    match target.find('?') {
        Some(i) => target.get(..i).unwrap_or(target),
        None => target,
    }
}

/// What the server does with a request once the service has seen it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub(crate) enum Action {
    /// Write the reply.
    Respond,
    /// Write nothing and close the connection.
    Close,
    /// Write the head (announcing the whole body) and the first half of the body, then close
    /// the connection: with a TCP reset when `reset`, else cleanly.
    Truncate {
        /// Close with a reset (RST) instead of a clean close (FIN).
        reset: bool,
    },
    /// Write the head at once, then the body `bytes_per_second` bytes at a time, one write a
    /// second; then close.
    Dribble {
        /// How many body bytes to write each second (at least 1).
        bytes_per_second: u32,
    },
    /// Write the head, then a body of `bytes` bytes made on the fly (never held in memory),
    /// until it is all written or the client goes away; then close. The reply's own body is
    /// not sent.
    Stream {
        /// The body's length.
        bytes: u64,
        /// Send it chunked, without a `Content-Length`.
        chunked: bool,
    },
}

/// A service's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reply {
    /// The status code.
    pub status: u16,
    /// Headers to send. `Content-Length` and `Connection` are added by the server.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
    /// Wait this long before acting (interrupted by a shutdown).
    pub delay: Option<Duration>,
    /// Close the connection after this reply even if the client wanted to keep it.
    pub close: bool,
    /// Respond, or drop the connection.
    pub action: Action,
}

impl Reply {
    /// A reply with a status and no body.
    pub(crate) fn empty(status: u16) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: Vec::new(),
            delay: None,
            close: false,
            action: Action::Respond,
        }
    }

    /// A reply with a body of the given content type.
    pub(crate) fn with_body(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Reply {
        Reply::empty(status)
            .header("content-type", content_type)
            .body(body)
    }

    /// A JSON reply.
    pub(crate) fn json(status: u16, body: impl Into<Vec<u8>>) -> Reply {
        Reply::with_body(status, "application/json", body)
    }

    /// A plain-text reply.
    pub(crate) fn text(status: u16, body: impl Into<String>) -> Reply {
        Reply::with_body(status, "text/plain; charset=utf-8", body.into())
    }

    /// No reply: the connection is closed.
    pub(crate) fn drop_connection() -> Reply {
        Reply {
            action: Action::Close,
            ..Reply::empty(0)
        }
    }

    /// Adds a header.
    pub(crate) fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Replaces the body.
    pub(crate) fn body(mut self, body: impl Into<Vec<u8>>) -> Reply {
        self.body = body.into();
        self
    }

    /// Waits before acting.
    pub(crate) fn delayed(mut self, delay: Duration) -> Reply {
        self.delay = Some(delay);
        self
    }
}

/// What answers requests. Closures `Fn(&Request) -> Reply` are services.
pub(crate) trait Service: Send + Sync + 'static {
    /// Called when a request's head has arrived, before its body is read. `false` closes
    /// the connection at once, without reading on or answering.
    fn on_head(&self, _method: &str, _target: &str) -> bool {
        true
    }

    /// Answers one request.
    fn call(&self, request: Request) -> Reply;
}

impl<F> Service for F
where
    F: Fn(&Request) -> Reply + Send + Sync + 'static,
{
    fn call(&self, request: Request) -> Reply {
        self(&request)
    }
}

/// Locks a mutex, taking the data even if another thread panicked while holding it.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// State shared by the accept loop, the connections and the handle.
#[derive(Debug, Default)]
struct Shared {
    stopping: AtomicBool,
    /// Set with `stopping`, for interruptible waits.
    stopped: Mutex<bool>,
    wake: Condvar,
    /// Open connections, so a stop can shut them down.
    conns: Mutex<HashMap<u64, TcpStream>>,
    next_id: AtomicU64,
}

impl Shared {
    fn is_stopping(&self) -> bool {
        self.stopping.load(Ordering::Acquire)
    }

    /// Waits `duration`; `false` if the server is stopping (then early).
    fn wait(&self, duration: Duration) -> bool {
        let stopped = lock(&self.stopped);
        let (stopped, _) = self
            .wake
            .wait_timeout_while(stopped, duration, |stopped| !*stopped)
            .unwrap_or_else(|e| e.into_inner());
        !*stopped
    }

    fn stop(&self) {
        {
            let conns = lock(&self.conns);
            self.stopping.store(true, Ordering::Release);
            for stream in conns.values() {
                let _ = stream.shutdown(Shutdown::Both);
            }
        }
        *lock(&self.stopped) = true;
        self.wake.notify_all();
    }

    /// Registers a connection; `None` if the server is stopping.
    fn register(&self, stream: &TcpStream) -> Option<u64> {
        let clone = stream.try_clone().ok()?;
        let mut conns = lock(&self.conns);
        if self.is_stopping() {
            return None;
        }
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        conns.insert(id, clone);
        Some(id)
    }

    fn unregister(&self, id: u64) {
        lock(&self.conns).remove(&id);
    }
}

/// A running server. Stops on [`HttpServer::shutdown`] or on drop.
#[derive(Debug)]
pub(crate) struct HttpServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept: Option<JoinHandle<()>>,
}

impl HttpServer {
    /// Binds `addr` and serves `service` on it.
    #[cfg_attr(not(feature = "cli"), allow(dead_code))] // only the CLI's receiver binds by address
    pub(crate) fn start(addr: impl ToSocketAddrs, service: impl Service) -> io::Result<HttpServer> {
        HttpServer::serve(TcpListener::bind(addr)?, service)
    }

    /// Serves `service` on a bound listener.
    pub(crate) fn serve(listener: TcpListener, service: impl Service) -> io::Result<HttpServer> {
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::default());
        let service: Arc<dyn Service> = Arc::new(service);
        let accept = {
            let shared = Arc::clone(&shared);
            std::thread::Builder::new()
                .name(format!("connectly-http-{}", addr.port()))
                .spawn(move || accept_loop(&listener, &shared, &service))?
        };
        Ok(HttpServer {
            addr,
            shared,
            accept: Some(accept),
        })
    }

    /// The bound address.
    pub(crate) fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting, shuts open connections down and waits for their threads.
    pub(crate) fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        let Some(accept) = self.accept.take() else {
            return;
        };
        self.shared.stop();
        // Wake the accept loop, blocked in accept().
        let mut wake = self.addr;
        if wake.ip().is_unspecified() {
            wake.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
        }
        if TcpStream::connect_timeout(&wake, Duration::from_secs(1)).is_ok() {
            let _ = accept.join();
        }
        // Otherwise the loop wakes on its next connection; do not block on it.
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        self.stop();
    }
}

fn accept_loop(listener: &TcpListener, shared: &Arc<Shared>, service: &Arc<dyn Service>) {
    let mut threads: Vec<JoinHandle<()>> = Vec::new();
    loop {
        let stream = match listener.accept() {
            Ok((stream, _)) => stream,
            Err(_) if shared.is_stopping() => break,
            Err(e) => {
                // Out of file descriptors and the like: back off instead of spinning.
                if !matches!(
                    e.kind(),
                    io::ErrorKind::ConnectionAborted
                        | io::ErrorKind::ConnectionReset
                        | io::ErrorKind::Interrupted
                ) {
                    shared.wait(Duration::from_millis(10));
                }
                continue;
            }
        };
        if shared.is_stopping() {
            break;
        }
        let Some(id) = shared.register(&stream) else {
            break;
        };
        let _ = stream.set_nodelay(true);
        let conn_shared = Arc::clone(shared);
        let service = Arc::clone(service);
        let spawned = std::thread::Builder::new()
            .name("connectly-http-conn".to_owned())
            .spawn(move || {
                let _ = serve_connection(stream, &*service, &conn_shared);
                conn_shared.unregister(id);
            });
        match spawned {
            Ok(handle) => threads.push(handle),
            Err(_) => shared.unregister(id),
        }
        if threads.len() >= 64 {
            threads.retain(|t| !t.is_finished());
        }
    }
    for thread in threads {
        let _ = thread.join();
    }
}

/// Why reading a request failed.
#[derive(Debug)]
enum ReadError {
    /// The client sent something this server answers with an error status, then closes.
    Status(u16, &'static str),
    /// The connection failed or closed early; nothing can be answered.
    Io,
}

impl From<io::Error> for ReadError {
    fn from(_: io::Error) -> Self {
        ReadError::Io
    }
}

/// A parsed request head.
struct Head {
    method: String,
    target: String,
    version: u8,
    headers: Vec<(String, String)>,
    body: BodyKind,
    keep_alive: bool,
    expect_continue: bool,
}

enum BodyKind {
    Length(usize),
    Chunked,
}

/// One connection: a read buffer (so pipelined requests are kept) and a buffered writer.
struct Conn<'a> {
    reader: TcpStream,
    writer: BufWriter<TcpStream>,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    shared: &'a Shared,
}

fn serve_connection(stream: TcpStream, service: &dyn Service, shared: &Shared) -> io::Result<()> {
    let writer = BufWriter::with_capacity(16 * 1024, stream.try_clone()?);
    let mut conn = Conn {
        reader: stream,
        writer,
        buf: vec![0; 8 * 1024],
        start: 0,
        end: 0,
        shared,
    };
    loop {
        let head = match conn.read_head() {
            Ok(Some(head)) => head,
            Ok(None) => return Ok(()),
            Err(ReadError::Status(status, why)) => return conn.fail(status, why),
            Err(ReadError::Io) => return Ok(()),
        };
        if !service.on_head(&head.method, &head.target) {
            conn.abort();
            return Ok(());
        }
        let body = match conn.read_body(&head) {
            Ok(body) => body,
            Err(ReadError::Status(status, why)) => return conn.fail(status, why),
            Err(ReadError::Io) => return Ok(()),
        };
        let is_head = head.method == "HEAD";
        let keep_alive = head.keep_alive;
        let http10 = head.version == 0;
        let reply = service.call(Request {
            method: head.method,
            path: head.target,
            headers: head.headers,
            body,
        });
        if let Some(delay) = reply.delay {
            if !shared.wait(delay) {
                conn.abort();
                return Ok(());
            }
        }
        match reply.action {
            Action::Respond => {}
            Action::Close => {
                conn.abort();
                return Ok(());
            }
            other => return conn.misbehave(&reply, other),
        }
        let keep_alive = keep_alive && !reply.close && !shared.is_stopping();
        conn.write_reply(&reply, keep_alive, http10, is_head)?;
        if !keep_alive {
            conn.writer.flush()?;
            let _ = conn.reader.shutdown(Shutdown::Write);
            return Ok(());
        }
    }
}

impl Conn<'_> {
    /// Reads more bytes into the buffer, flushing pending responses first. `Ok(0)` at EOF.
    fn fill(&mut self, limit: usize) -> io::Result<usize> {
        if !self.writer.buffer().is_empty() {
            self.writer.flush()?;
        }
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        } else if self.end == self.buf.len() && self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if self.end == self.buf.len() {
            let grown = (self.buf.len() * 2).min(limit.max(self.buf.len() + 1));
            self.buf.resize(grown, 0);
        }
        let Some(space) = self.buf.get_mut(self.end..) else {
            return Ok(0);
        };
        loop {
            match self.reader.read(space) {
                Ok(n) => {
                    self.end += n;
                    return Ok(n);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }

    fn pending(&self) -> &[u8] {
        self.buf.get(self.start..self.end).unwrap_or(&[])
    }

    /// Reads and parses the next request head. `Ok(None)`: the client closed cleanly.
    fn read_head(&mut self) -> Result<Option<Head>, ReadError> {
        loop {
            // Tolerate empty lines between requests (RFC 9112, 2.2).
            while let Some(b'\r' | b'\n') = self.pending().first() {
                self.start += 1;
            }
            if !self.pending().is_empty() {
                let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
                let mut parsed = httparse::Request::new(&mut headers);
                match parsed.parse(self.pending()) {
                    Ok(httparse::Status::Complete(len)) => {
                        let head = build_head(&parsed)?;
                        self.start += len;
                        return Ok(Some(head));
                    }
                    Ok(httparse::Status::Partial) => {}
                    Err(httparse::Error::TooManyHeaders) => {
                        return Err(ReadError::Status(431, "too many headers"))
                    }
                    Err(_) => return Err(ReadError::Status(400, "malformed request")),
                }
                if self.pending().len() >= MAX_HEAD {
                    return Err(ReadError::Status(431, "request head too large"));
                }
            }
            let had = !self.pending().is_empty();
            if self.fill(MAX_HEAD)? == 0 {
                return if had {
                    Err(ReadError::Status(400, "incomplete request"))
                } else {
                    Ok(None)
                };
            }
        }
    }

    fn read_body(&mut self, head: &Head) -> Result<Vec<u8>, ReadError> {
        match head.body {
            BodyKind::Length(0) => Ok(Vec::new()),
            BodyKind::Length(len) => {
                if len > MAX_BODY {
                    return Err(ReadError::Status(413, "request body too large"));
                }
                self.send_continue(head)?;
                let mut body = Vec::with_capacity(len);
                let take = len.min(self.pending().len());
                body.extend_from_slice(self.pending().get(..take).unwrap_or(&[]));
                self.start += take;
                if body.len() < len {
                    self.writer.flush()?;
                    body.resize(len, 0);
                    let rest = body.get_mut(take..).unwrap_or(&mut []);
                    self.reader.read_exact(rest)?;
                }
                Ok(body)
            }
            BodyKind::Chunked => {
                self.send_continue(head)?;
                self.read_chunked()
            }
        }
    }

    fn send_continue(&mut self, head: &Head) -> io::Result<()> {
        if head.expect_continue && head.version == 1 && self.pending().is_empty() {
            self.writer.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
            self.writer.flush()?;
        }
        Ok(())
    }

    /// Reads one CRLF-terminated line (without the CRLF), at most `max` bytes long.
    fn read_line(&mut self, max: usize) -> Result<Vec<u8>, ReadError> {
        loop {
            if let Some(pos) = self.pending().iter().position(|&b| b == b'\n') {
                let line = self.pending().get(..pos).unwrap_or(&[]);
                let line = line.strip_suffix(b"\r").unwrap_or(line).to_vec();
                self.start += pos + 1;
                return Ok(line);
            }
            if self.pending().len() > max {
                return Err(ReadError::Status(400, "chunk line too long"));
            }
            if self.fill(MAX_HEAD)? == 0 {
                return Err(ReadError::Io);
            }
        }
    }

    fn read_chunked(&mut self) -> Result<Vec<u8>, ReadError> {
        let mut body = Vec::new();
        loop {
            let line = self.read_line(4096)?;
            let size = line.split(|&b| b == b';').next().unwrap_or(&[]);
            let size = std::str::from_utf8(size)
                .ok()
                .map(str::trim)
                .filter(|s| !s.is_empty() && s.len() <= 16)
                .and_then(|s| usize::from_str_radix(s, 16).ok())
                .ok_or(ReadError::Status(400, "bad chunk size"))?;
            if size == 0 {
                break;
            }
            if body.len().saturating_add(size) > MAX_BODY {
                return Err(ReadError::Status(413, "request body too large"));
            }
            let mut left = size;
            while left > 0 {
                if self.pending().is_empty() && self.fill(MAX_HEAD)? == 0 {
                    return Err(ReadError::Io);
                }
                let take = left.min(self.pending().len());
                body.extend_from_slice(self.pending().get(..take).unwrap_or(&[]));
                self.start += take;
                left -= take;
            }
            if !self.read_line(2)?.is_empty() {
                return Err(ReadError::Status(400, "chunk not followed by CRLF"));
            }
        }
        // Trailers: ignored, up to the empty line.
        let mut trailers = 0usize;
        loop {
            let line = self.read_line(MAX_HEAD)?;
            if line.is_empty() {
                return Ok(body);
            }
            trailers += line.len();
            if trailers > MAX_HEAD {
                return Err(ReadError::Status(431, "trailers too large"));
            }
        }
    }

    fn write_reply(
        &mut self,
        reply: &Reply,
        keep_alive: bool,
        http10: bool,
        is_head: bool,
    ) -> io::Result<()> {
        let w = &mut self.writer;
        write!(
            w,
            "HTTP/1.1 {} {}\r\ncontent-length: {}\r\n",
            reply.status,
            reason(reply.status),
            reply.body.len()
        )?;
        for (name, value) in &reply.headers {
            write!(w, "{name}: {value}\r\n")?;
        }
        if !keep_alive {
            w.write_all(b"connection: close\r\n")?;
        } else if http10 {
            w.write_all(b"connection: keep-alive\r\n")?;
        }
        w.write_all(b"\r\n")?;
        if !is_head {
            w.write_all(&reply.body)?;
        }
        Ok(())
    }

    /// Answers an unreadable request with `status` and closes, draining what the client is
    /// still sending so that it sees the answer.
    fn fail(mut self, status: u16, why: &str) -> io::Result<()> {
        let reply = Reply::text(status, format!("{why}\n"));
        self.write_reply(&reply, false, false, false)?;
        self.writer.flush()?;
        let _ = self.reader.shutdown(Shutdown::Write);
        if self.shared.is_stopping() {
            return Ok(());
        }
        let _ = self.reader.set_read_timeout(Some(LINGER));
        let mut sink = [0u8; 8192];
        let mut drained = 0usize;
        while drained < 2 * MAX_BODY {
            match self.reader.read(&mut sink) {
                Ok(0) | Err(_) => break,
                Ok(n) => drained += n,
            }
        }
        Ok(())
    }

    /// Closes without answering.
    fn abort(self) {
        let _ = self.reader.shutdown(Shutdown::Both);
    }

    /// Answers badly on purpose (see [`Action`]), then closes the connection.
    fn misbehave(mut self, reply: &Reply, action: Action) -> io::Result<()> {
        let body_len = reply.body.len() as u64;
        match action {
            Action::Respond | Action::Close => {}
            Action::Truncate { reset } => {
                self.write_head(reply, Some(body_len))?;
                let half = reply.body.get(..reply.body.len() / 2).unwrap_or(&[]);
                self.writer.write_all(half)?;
                self.writer.flush()?;
                if reset {
                    // Closing with a zero linger time sends RST instead of FIN; the last
                    // handle to the socket is closed when the connection is unregistered.
                    reset_on_close(&self.reader);
                    return Ok(());
                }
            }
            Action::Dribble { bytes_per_second } => {
                self.write_head(reply, Some(body_len))?;
                self.writer.flush()?;
                let step = usize::try_from(bytes_per_second.max(1)).unwrap_or(usize::MAX);
                for piece in reply.body.chunks(step) {
                    self.writer.write_all(piece)?;
                    self.writer.flush()?;
                    if !self.shared.wait(Duration::from_secs(1)) {
                        break;
                    }
                }
            }
            Action::Stream { bytes, chunked } => {
                self.write_head(reply, (!chunked).then_some(bytes))?;
                let block = [b' '; 64 * 1024];
                let mut left = bytes;
                while left > 0 && !self.shared.is_stopping() {
                    let n = left.min(block.len() as u64);
                    let piece = block.get(..usize::try_from(n).unwrap_or(0)).unwrap_or(&[]);
                    if chunked {
                        write!(self.writer, "{n:x}\r\n")?;
                        self.writer.write_all(piece)?;
                        self.writer.write_all(b"\r\n")?;
                    } else {
                        self.writer.write_all(piece)?;
                    }
                    left -= n;
                }
                if chunked {
                    self.writer.write_all(b"0\r\n\r\n")?;
                }
            }
        }
        self.writer.flush()?;
        let _ = self.reader.shutdown(Shutdown::Write);
        Ok(())
    }

    /// Writes a status line and headers with `connection: close`, and a `Content-Length`
    /// of `length` (none: chunked).
    fn write_head(&mut self, reply: &Reply, length: Option<u64>) -> io::Result<()> {
        let w = &mut self.writer;
        write!(w, "HTTP/1.1 {} {}\r\n", reply.status, reason(reply.status))?;
        match length {
            Some(n) => write!(w, "content-length: {n}\r\n")?,
            None => w.write_all(b"transfer-encoding: chunked\r\n")?,
        }
        for (name, value) in &reply.headers {
            write!(w, "{name}: {value}\r\n")?;
        }
        w.write_all(b"connection: close\r\n\r\n")
    }
}

/// Makes the socket send a reset (RST) when it is closed: `SO_LINGER` with a zero timeout.
/// Where that is not available, the close stays a clean one.
#[cfg(any(target_os = "linux", target_os = "macos"))]
fn reset_on_close(stream: &TcpStream) {
    use std::os::fd::AsRawFd;
    use std::os::raw::{c_int, c_void};

    #[repr(C)]
    struct Linger {
        l_onoff: c_int,
        l_linger: c_int,
    }
    #[cfg(target_os = "linux")]
    const LEVEL_AND_NAME: (c_int, c_int) = (1, 13); // SOL_SOCKET, SO_LINGER
    #[cfg(target_os = "macos")]
    const LEVEL_AND_NAME: (c_int, c_int) = (0xffff, 0x0080); // SOL_SOCKET, SO_LINGER

    extern "C" {
        fn setsockopt(
            socket: c_int,
            level: c_int,
            name: c_int,
            value: *const c_void,
            len: u32,
        ) -> c_int;
    }
    let linger = Linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: the descriptor is open (borrowed from `stream`) and `linger` is a valid
    // `struct linger` that outlives the call, whose length is passed.
    let _ = unsafe {
        setsockopt(
            stream.as_raw_fd(),
            LEVEL_AND_NAME.0,
            LEVEL_AND_NAME.1,
            std::ptr::addr_of!(linger).cast(),
            std::mem::size_of::<Linger>() as u32,
        )
    };
}

#[cfg(not(any(target_os = "linux", target_os = "macos")))]
fn reset_on_close(stream: &TcpStream) {
    let _ = stream.shutdown(Shutdown::Both);
}

fn build_head(req: &httparse::Request<'_, '_>) -> Result<Head, ReadError> {
    let bad = |why| ReadError::Status(400, why);
    let method = req.method.ok_or(bad("no method"))?.to_owned();
    let target = req.path.ok_or(bad("no target"))?.to_owned();
    let version = req.version.ok_or(bad("no version"))?;
    let mut headers = Vec::with_capacity(req.headers.len());
    let mut length: Option<usize> = None;
    let mut chunked = false;
    let mut close = false;
    let mut keep_alive_token = false;
    let mut expect_continue = false;
    for h in req.headers.iter() {
        let value = String::from_utf8_lossy(h.value).into_owned();
        let name = h.name;
        if name.eq_ignore_ascii_case("content-length") {
            let n = value
                .trim()
                .parse::<usize>()
                .map_err(|_| bad("bad content-length"))?;
            if length.is_some_and(|l| l != n) {
                return Err(bad("conflicting content-length"));
            }
            length = Some(n);
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            for coding in value.split(',').map(str::trim).filter(|c| !c.is_empty()) {
                if chunked || !coding.eq_ignore_ascii_case("chunked") {
                    // Only a single, final "chunked" is understood.
                    return Err(ReadError::Status(501, "unsupported transfer-encoding"));
                }
                chunked = true;
            }
        } else if name.eq_ignore_ascii_case("connection") {
            for token in value.split(',').map(str::trim) {
                close |= token.eq_ignore_ascii_case("close");
                keep_alive_token |= token.eq_ignore_ascii_case("keep-alive");
            }
        } else if name.eq_ignore_ascii_case("expect") {
            expect_continue = value.trim().eq_ignore_ascii_case("100-continue");
        }
        headers.push((name.to_owned(), value));
    }
    if chunked && length.is_some() {
        return Err(bad("both content-length and chunked"));
    }
    if chunked && version == 0 {
        return Err(bad("chunked in HTTP/1.0"));
    }
    let keep_alive = !close && (version == 1 || keep_alive_token);
    Ok(Head {
        method,
        target,
        version,
        headers,
        body: if chunked {
            BodyKind::Chunked
        } else {
            BodyKind::Length(length.unwrap_or(0))
        },
        keep_alive,
        expect_continue,
    })
}

/// The reason phrase for a status code.
fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Content",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader};

    fn echo() -> HttpServer {
        HttpServer::start("127.0.0.1:0", |req: &Request| {
            let body = format!(
                "{} {} {}",
                req.method,
                req.path,
                String::from_utf8_lossy(&req.body)
            );
            Reply::text(200, body)
        })
        .unwrap()
    }

    /// Reads one response: status line, headers, and a Content-Length body.
    fn read_response(r: &mut BufReader<TcpStream>) -> (String, Vec<String>, String) {
        let mut status = String::new();
        r.read_line(&mut status).unwrap();
        let mut headers = Vec::new();
        let mut len = 0;
        loop {
            let mut line = String::new();
            r.read_line(&mut line).unwrap();
            let line = line.trim_end().to_owned();
            if line.is_empty() {
                break;
            }
            if let Some(v) = line.strip_prefix("content-length: ") {
                len = v.parse().unwrap();
            }
            headers.push(line);
        }
        let mut body = vec![0; len];
        r.read_exact(&mut body).unwrap();
        (
            status.trim_end().to_owned(),
            headers,
            String::from_utf8(body).unwrap(),
        )
    }

    fn connect(server: &HttpServer) -> (TcpStream, BufReader<TcpStream>) {
        let s = TcpStream::connect(server.addr()).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let r = BufReader::new(s.try_clone().unwrap());
        (s, r)
    }

    #[test]
    fn pipelined_and_chunked() {
        let server = echo();
        let (mut s, mut r) = connect(&server);
        s.write_all(
            b"POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabcPOST /b?q=1 HTTP/1.1\r\n\
              Transfer-Encoding: chunked\r\n\r\n3;ext=1\r\nhel\r\n2\r\nlo\r\n0\r\nTrailer: x\r\n\r\n",
        )
        .unwrap();
        let (status, _, body) = read_response(&mut r);
        assert_eq!(status, "HTTP/1.1 200 OK");
        assert_eq!(body, "POST /a abc");
        let (_, _, body) = read_response(&mut r);
        assert_eq!(body, "POST /b?q=1 hello");
    }

    #[test]
    fn http10_closes_and_malformed_gets_400() {
        let server = echo();
        let (mut s, mut r) = connect(&server);
        s.write_all(b"GET / HTTP/1.0\r\n\r\n").unwrap();
        let (status, headers, _) = read_response(&mut r);
        assert_eq!(status, "HTTP/1.1 200 OK");
        assert!(headers.iter().any(|h| h == "connection: close"));
        let mut rest = Vec::new();
        r.read_to_end(&mut rest).unwrap();
        assert!(rest.is_empty());

        let (mut s, mut r) = connect(&server);
        s.write_all(b"NOT HTTP AT ALL\r\n\r\n").unwrap();
        let (status, _, _) = read_response(&mut r);
        assert_eq!(status, "HTTP/1.1 400 Bad Request");

        let (mut s, mut r) = connect(&server);
        s.write_all(b"POST / HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n")
            .unwrap();
        let (status, _, _) = read_response(&mut r);
        assert_eq!(status, "HTTP/1.1 413 Content Too Large");
    }

    #[test]
    fn expect_continue_and_shutdown() {
        let server = echo();
        let (mut s, mut r) = connect(&server);
        s.write_all(b"PUT /x HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n")
            .unwrap();
        let mut line = String::new();
        r.read_line(&mut line).unwrap();
        assert_eq!(line, "HTTP/1.1 100 Continue\r\n");
        r.read_line(&mut line).unwrap();
        s.write_all(b"hi").unwrap();
        let (_, _, body) = read_response(&mut r);
        assert_eq!(body, "PUT /x hi");
        let addr = server.addr();
        server.shutdown();
        // The open connection was shut down, and the port is free.
        let mut rest = Vec::new();
        let _ = r.read_to_end(&mut rest);
        TcpListener::bind(addr).unwrap();
    }
}
