//! The mock's HTTP layer: the interface between the HTTP server and the mock ([`Request`],
//! [`Reply`], [`Action`], [`Service`]) and the server itself ([`HttpServer`]): hyper's
//! HTTP/1.1 on single-threaded tokio runtimes the server owns, each on a thread of its own.
//!
//! A [`Service`] answers each request with a [`Reply`]; the reply's [`Action`] says whether
//! to answer properly or to fail on purpose at the connection level (drop, truncate, dribble,
//! stream a huge body).

mod body;
mod exchange;
mod server;
mod socket;

use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

pub(crate) use server::HttpServer;

/// The largest request body read; a bigger one is answered 413 and the connection closed.
pub(crate) const MAX_BODY: usize = 10 * 1024 * 1024;

/// One HTTP request, fully read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Request {
    /// The method, as sent (`POST`; a lower-case `post` stays lower-case).
    pub method: String,
    /// The request target, as sent (path and query).
    pub path: String,
    /// The headers in arrival order (repeats of a name follow its first occurrence), names
    /// lower-cased.
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
    /// Headers to send (names are sent lower-cased; an invalid name or value is left
    /// out). `Content-Length` and `Connection` are added by the server.
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

/// What answers requests.
pub(crate) trait Service: Send + Sync + 'static {
    /// Called when a request's head has arrived, before its body is read. `false` closes
    /// the connection at once, without reading on or answering.
    fn on_head(&self, _method: &str, _target: &str) -> bool {
        true
    }

    /// Whether answering a request to `target` may block (an outgoing HTTP call, a long
    /// computation): such requests are answered on a thread of their own instead of on
    /// the server's few async workers.
    fn may_block(&self, _target: &str) -> bool {
        false
    }

    /// Answers one request.
    fn call(&self, request: Request) -> Reply;
}

/// Locks a mutex, taking the data even if another thread panicked while holding it.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::{TcpListener, TcpStream};

    /// Echoes what it got, or misbehaves as the path says.
    struct Scripted;

    impl Service for Scripted {
        fn on_head(&self, _method: &str, target: &str) -> bool {
            target != "/drop-before-read"
        }

        fn call(&self, request: Request) -> Reply {
            let digits = || Reply::text(200, "0123456789");
            let acting = |action| Reply { action, ..digits() };
            match request.path_only() {
                "/truncate" => acting(Action::Truncate { reset: false }),
                "/reset" => acting(Action::Truncate { reset: true }),
                "/dribble" => acting(Action::Dribble {
                    bytes_per_second: 4,
                }),
                "/huge" => acting(Action::Stream {
                    bytes: 200_000,
                    chunked: true,
                }),
                "/huge-sized" => acting(Action::Stream {
                    bytes: 200_000,
                    chunked: false,
                }),
                "/drop" => Reply::drop_connection(),
                _ => {
                    let names: Vec<&str> =
                        request.headers.iter().map(|(n, _)| n.as_str()).collect();
                    let body = String::from_utf8_lossy(&request.body);
                    let echo = format!("{} {} {} {names:?}", request.method, request.path, body);
                    Reply::text(200, echo)
                }
            }
        }
    }

    /// A server answering with [`Scripted`] on a free port.
    fn start() -> HttpServer {
        HttpServer::serve(TcpListener::bind("127.0.0.1:0").unwrap(), Scripted).unwrap()
    }

    /// A raw connection to `server`, and a reader on it.
    fn connect(server: &HttpServer) -> (TcpStream, BufReader<TcpStream>) {
        let stream = TcpStream::connect(server.addr()).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let reader = BufReader::new(stream.try_clone().unwrap());
        (stream, reader)
    }

    /// Reads one response: the status line, the headers and a Content-Length body.
    fn read_response(reader: &mut impl BufRead) -> (String, Vec<String>, String) {
        let mut status = String::new();
        reader.read_line(&mut status).unwrap();
        let mut headers = Vec::new();
        let mut length = 0;
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            let line = line.trim_end().to_owned();
            if line.is_empty() {
                break;
            }
            if let Some(n) = line.strip_prefix("content-length: ") {
                length = n.parse().unwrap();
            }
            headers.push(line);
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
        let body = String::from_utf8(body).unwrap();
        (status.trim_end().to_owned(), headers, body)
    }

    /// GETs `path` from `server` with reqwest.
    fn get(server: &HttpServer, path: &str) -> reqwest::Result<reqwest::blocking::Response> {
        let client = reqwest::blocking::Client::builder().no_proxy().build()?;
        client.get(format!("http://{}{path}", server.addr())).send()
    }

    #[test]
    fn pipelined_chunked_and_as_sent() {
        let server = start();
        let (mut stream, mut reader) = connect(&server);
        stream
            .write_all(
                b"post /a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc\
                  POST /b?q=1 HTTP/1.1\r\nX-Mixed-Case: 1\r\nTransfer-Encoding: chunked\r\n\r\n\
                  3;ext=1\r\nhel\r\n2\r\nlo\r\n0\r\nTrailer: x\r\n\r\n",
            )
            .unwrap();
        let (status, _, body) = read_response(&mut reader);
        assert_eq!(status, "HTTP/1.1 200 OK");
        assert_eq!(body, r#"post /a abc ["host", "content-length"]"#);
        let (_, _, body) = read_response(&mut reader);
        assert_eq!(
            body,
            r#"POST /b?q=1 hello ["x-mixed-case", "transfer-encoding"]"#
        );
    }

    #[test]
    fn expect_continue_and_too_large() {
        let server = start();
        let (mut stream, mut reader) = connect(&server);
        stream
            .write_all(b"PUT /x HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n")
            .unwrap();
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        assert_eq!(line, "HTTP/1.1 100 Continue\r\n");
        reader.read_line(&mut line).unwrap();
        stream.write_all(b"hi").unwrap();
        let (_, _, body) = read_response(&mut reader);
        assert!(body.starts_with("PUT /x hi "), "{body}");

        let too_large = format!(
            "POST /x HTTP/1.1\r\nContent-Length: {}\r\n\r\n",
            MAX_BODY + 1
        );
        stream.write_all(too_large.as_bytes()).unwrap();
        let (status, headers, _) = read_response(&mut reader);
        assert_eq!(status, "HTTP/1.1 413 Payload Too Large");
        assert!(headers.contains(&"connection: close".to_owned()));
    }

    #[test]
    fn a_truncated_reply_announces_all_sends_half_and_closes() {
        let server = start();
        let (mut stream, mut reader) = connect(&server);
        stream.write_all(b"GET /truncate HTTP/1.1\r\n\r\n").unwrap();
        let mut answer = String::new();
        reader.read_to_string(&mut answer).unwrap();
        assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
        assert!(answer.contains("content-length: 10\r\n"), "{answer}");
        assert!(answer.ends_with("\r\n\r\n01234"), "{answer}");

        let (mut stream, mut reader) = connect(&server);
        stream.write_all(b"GET /reset HTTP/1.1\r\n\r\n").unwrap();
        let mut answer = Vec::new();
        let error = reader.read_to_end(&mut answer).unwrap_err();
        assert_eq!(error.kind(), std::io::ErrorKind::ConnectionReset);
    }

    #[test]
    fn dribbled_and_made_up_bodies_arrive_whole() {
        let server = start();
        let dribbled = get(&server, "/dribble").unwrap();
        assert_eq!(dribbled.content_length(), Some(10));
        assert_eq!(dribbled.text().unwrap(), "0123456789");
        for (path, length) in [("/huge", None), ("/huge-sized", Some(200_000))] {
            let huge = get(&server, path).unwrap();
            assert_eq!(huge.content_length(), length, "{path}");
            let body = huge.bytes().unwrap();
            assert_eq!(body.len(), 200_000, "{path}");
            assert!(body.iter().all(|&b| b == b' '), "{path}");
        }
    }

    #[test]
    fn drops_answer_nothing_and_shutdown_closes_connections() {
        let server = start();
        assert!(get(&server, "/drop").is_err());
        assert!(get(&server, "/drop-before-read").is_err());
        let (_idle, mut reader) = connect(&server);
        let addr = server.addr();
        server.shutdown();
        let mut rest = Vec::new();
        assert_eq!(reader.read_to_end(&mut rest).unwrap_or(0), 0);
        TcpListener::bind(addr).unwrap();
    }
}
