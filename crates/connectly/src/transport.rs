//! One HTTP attempt: the request on the wire, and what came back or what broke.

use std::error::Error as StdError;
use std::time::Duration;

use reqwest::header::{HeaderValue, CONTENT_TYPE, RETRY_AFTER};
use reqwest::Client as HttpClient;

use crate::error::Error;

/// The largest response body read.
pub(crate) const MAX_RESPONSE_BYTES: u64 = 10 * 1024 * 1024;

/// What the server answered.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) retry_after: Option<String>,
    pub(crate) body: Vec<u8>,
}

/// Why an attempt got no reply.
#[derive(Debug)]
pub(crate) enum Broken {
    /// The connection was never established (refused, DNS, TLS handshake, connect timeout):
    /// the request provably did not reach the server. `tls` is set when TLS itself refused
    /// the peer (an untrusted or invalid certificate, a protocol error), not when the
    /// connection failed during the handshake.
    NotConnected {
        tls: bool,
        timeout: bool,
        message: String,
    },
    /// No complete answer in time; the request may have reached the server.
    TimedOut,
    /// The connection broke after it was established; the request may have reached the server.
    Interrupted { message: String },
    /// The answer, with this status, was larger than [`MAX_RESPONSE_BYTES`]; the request
    /// reached the server.
    TooLarge { status: u16 },
}

impl Broken {
    /// The error a caller sees when this was the last attempt.
    pub(crate) fn into_error(self, attempts: u32) -> Error {
        match self {
            Broken::NotConnected {
                tls: true, message, ..
            } => Error::Tls { message, attempts },
            Broken::NotConnected { timeout: true, .. } => Error::Timeout {
                attempts,
                possibly_sent: false,
            },
            Broken::TimedOut => Error::Timeout {
                attempts,
                possibly_sent: true,
            },
            Broken::NotConnected { message, .. } => Error::Transport {
                message,
                attempts,
                possibly_sent: false,
            },
            Broken::Interrupted { message } => Error::Transport {
                message,
                attempts,
                possibly_sent: true,
            },
            Broken::TooLarge { status } => Error::ResponseTooLarge {
                limit: MAX_RESPONSE_BYTES,
                status,
                attempts,
            },
        }
    }
}

/// One request: its method, address and JSON body (none for `GET`, `DELETE` and the
/// body-less `POST /get/templates`).
#[derive(Debug, Clone)]
pub(crate) struct Request {
    pub(crate) method: reqwest::Method,
    pub(crate) url: reqwest::Url,
    pub(crate) body: Option<Vec<u8>>,
}

/// Sends one request and reads the whole answer, at most [`MAX_RESPONSE_BYTES`] of it,
/// within `timeout`. Dropping the future closes the connection.
pub(crate) async fn send(
    http: &HttpClient,
    request: &Request,
    api_key: &HeaderValue,
    timeout: Duration,
) -> Result<Reply, Broken> {
    let mut builder = http
        .request(request.method.clone(), request.url.clone())
        .header("X-API-Key", api_key.clone());
    if let Some(body) = &request.body {
        builder = builder
            .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
            .body(body.clone());
    }
    let response = builder.timeout(timeout).send().await.map_err(classify)?;
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if response
        .content_length()
        .is_some_and(|length| length > MAX_RESPONSE_BYTES)
    {
        return Err(Broken::TooLarge { status });
    }
    let body = read_capped(response, status).await?;
    Ok(Reply {
        status,
        retry_after,
        body,
    })
}

/// Reads a body, refusing it once it passes [`MAX_RESPONSE_BYTES`] (whatever length it
/// announced).
async fn read_capped(mut response: reqwest::Response, status: u16) -> Result<Vec<u8>, Broken> {
    let capacity = response
        .content_length()
        .unwrap_or(0)
        .min(MAX_RESPONSE_BYTES);
    let mut body = Vec::with_capacity(usize::try_from(capacity).unwrap_or(0));
    while let Some(chunk) = response.chunk().await.map_err(classify_read)? {
        if (body.len() + chunk.len()) as u64 > MAX_RESPONSE_BYTES {
            return Err(Broken::TooLarge { status });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Sorts a failed send into "never connected" (safe to repeat) and "may have been sent".
fn classify(err: reqwest::Error) -> Broken {
    let err = err.without_url();
    let message = describe(&err);
    if err.is_connect() {
        Broken::NotConnected {
            tls: is_tls(&err),
            timeout: err.is_timeout(),
            message,
        }
    } else if err.is_timeout() {
        Broken::TimedOut
    } else {
        Broken::Interrupted { message }
    }
}

/// A failure while reading the body: the request was sent.
fn classify_read(err: reqwest::Error) -> Broken {
    let err = err.without_url();
    let timed_out = err.is_timeout()
        || sources(&err).any(|e| {
            e.downcast_ref::<std::io::Error>()
                .is_some_and(|e| e.kind() == std::io::ErrorKind::TimedOut)
        });
    if timed_out {
        Broken::TimedOut
    } else {
        Broken::Interrupted {
            message: format!("reading the response failed: {}", describe(&err)),
        }
    }
}

/// The error and its causes, innermost last. An `io::Error`'s payload counts as a cause
/// (std's `source()` skips it).
fn sources<'a>(
    err: &'a (dyn StdError + 'static),
) -> impl Iterator<Item = &'a (dyn StdError + 'static)> {
    std::iter::successors(Some(err), |e| next_cause(*e))
}

fn next_cause<'a>(err: &'a (dyn StdError + 'static)) -> Option<&'a (dyn StdError + 'static)> {
    if let Some(inner) = err
        .downcast_ref::<std::io::Error>()
        .and_then(std::io::Error::get_ref)
    {
        return Some(inner);
    }
    err.source()
}

/// The causes joined into one line; reqwest's URL has been removed.
fn describe(err: &(dyn StdError + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    for e in sources(err) {
        let text = e.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
    }
    parts.join(": ")
}

fn is_tls(err: &(dyn StdError + 'static)) -> bool {
    sources(err).any(|e| e.is::<rustls::Error>())
}
