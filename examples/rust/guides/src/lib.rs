//! What the guide programs (`src/bin/*.rs`) use to check their own results: none of it is
//! shown on the documentation site, and none of it is needed to use the SDK.
//!
//! Each program exits non-zero when what it shows is wrong: [`check`] turns a wrong answer
//! into an error that `main` returns. Some programs also ask the mock Connectly that
//! `make test-docs` runs what it received, or have it fail on demand, over its control
//! protocol ([`mock_control`]).

use std::error::Error;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use serde_json::Value;

/// What a guide program returns from `main`.
pub type Outcome<T = ()> = Result<T, Box<dyn Error>>;

/// `Ok` when `holds`, else an error saying what was wrong (so `main` exits non-zero).
pub fn check(holds: bool, what: impl std::fmt::Display) -> Outcome {
    if holds {
        Ok(())
    } else {
        Err(format!("wrong answer: {what}").into())
    }
}

/// An environment variable the runner sets, or an error naming it.
pub fn env(name: &str) -> Outcome<String> {
    std::env::var(name).map_err(|_| format!("{name} is not set").into())
}

/// The message id a send's answer carries (`body.id`), or an error when it has none.
pub fn message_id(sent: &connectly::Response) -> Outcome<String> {
    match sent.body["id"].as_str() {
        Some(id) if !id.is_empty() => Ok(id.to_owned()),
        _ => Err(format!("the answer has no message id: {}", sent.body).into()),
    }
}

/// Calls the running mock's control protocol (`/_mock/...` at `CONNECTLY_BASE_URL`, with
/// the mock's `X-API-Key`) and gives its JSON answer; an answer other than 200 is an error.
///
/// A plain HTTP/1.1 request over a socket, so it can be called from any program, inside an
/// async runtime or not (it blocks for the few milliseconds the local mock takes).
pub fn mock_control(method: &str, path: &str, body: Option<&Value>) -> Outcome<Value> {
    let base = env("CONNECTLY_BASE_URL")?;
    let key = env("CONNECTLY_API_KEY")?;
    let authority = base
        .strip_prefix("http://")
        .and_then(|rest| rest.split('/').next())
        .ok_or("CONNECTLY_BASE_URL is not the local mock's http:// address")?;
    let body = body.map(Value::to_string).unwrap_or_default();
    let mut stream = TcpStream::connect(authority)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nhost: {authority}\r\nx-api-key: {key}\r\n\
         content-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer)?;
    let answer = String::from_utf8(answer)?;
    let (head, payload) = answer
        .split_once("\r\n\r\n")
        .ok_or("the mock's answer has no end of head")?;
    let status = head.split(' ').nth(1).unwrap_or_default();
    let chunked = head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked");
    let payload = if chunked {
        dechunk(payload)?
    } else {
        payload.to_owned()
    };
    if status != "200" {
        return Err(format!("the mock answered {method} {path} with {status}: {payload}").into());
    }
    Ok(serde_json::from_str(&payload)?)
}

/// The body of a chunked HTTP/1.1 answer.
fn dechunk(mut rest: &str) -> Outcome<String> {
    let mut body = String::new();
    loop {
        let (size, after) = rest.split_once("\r\n").ok_or("a cut chunk")?;
        let size = usize::from_str_radix(size.split(';').next().unwrap_or("").trim(), 16)?;
        if size == 0 {
            return Ok(body);
        }
        body.push_str(after.get(..size).ok_or("a short chunk")?);
        rest = after.get(size + 2..).ok_or("a chunk without its end")?;
    }
}

/// How many sends (session and template messages) the mock has accepted so far.
pub fn mock_accepted_count() -> Outcome<usize> {
    let messages = mock_control("GET", "/_mock/messages", None)?;
    Ok(messages.as_array().map_or(0, Vec::len))
}

/// Queues failures the mock plays on its next API requests, one each, in order (see
/// `connectly_mock`'s control protocol: `{"status": 503}`, `{"delay_ms": 2000}`, ...).
pub fn mock_fail_next(failures: Value) -> Outcome {
    mock_control("POST", "/_mock/fail", Some(&failures)).map(drop)
}

/// How many API requests (anything outside `/_mock/`) the mock has recorded so far.
pub fn mock_request_count() -> Outcome<usize> {
    let requests = mock_control("GET", "/_mock/requests", None)?;
    Ok(requests.as_array().map_or(0, Vec::len))
}
