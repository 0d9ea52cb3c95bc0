//! One exchange: hyper's request read into a [`Request`] (the body capped at
//! [`MAX_BODY`]), handed to the [`Service`], and its [`Reply`] made into hyper's response.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use http_body_util::BodyExt;
use hyper::body::{Body, Bytes, Incoming};
use hyper::header::{HeaderName, HeaderValue, CONNECTION, CONTENT_LENGTH, EXPECT};
use hyper::{HeaderMap, StatusCode, Uri};

use super::body::ReplyBody;
use super::socket::Cut;
use super::{Action, Reply, Request, Service, MAX_BODY};

/// How long the rest of a refused request's body is still read and thrown away, so that a
/// client still sending it reads the refusal instead of a reset.
const LINGER: Duration = Duration::from_millis(500);

/// The response a reply becomes.
pub(super) type Response = hyper::Response<ReplyBody>;

/// The request gets no answer: the connection is dropped instead.
#[derive(Debug)]
pub(super) struct Dropped;

impl fmt::Display for Dropped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the connection is dropped without an answer")
    }
}

impl std::error::Error for Dropped {}

/// Answers one request on a connection whose cuts `cut` carries.
pub(super) async fn answer(
    service: Arc<dyn Service>,
    cut: Arc<Cut>,
    request: hyper::Request<Incoming>,
) -> Result<Response, Dropped> {
    let (head, body) = request.into_parts();
    let path = target(&head.uri);
    if !service.on_head(head.method.as_str(), &path) {
        return Err(Dropped);
    }
    let expects_continue = head
        .headers
        .get(EXPECT)
        .is_some_and(|expect| expect.as_bytes().eq_ignore_ascii_case(b"100-continue"));
    let body = match read_body(body, expects_continue).await {
        Ok(body) => body,
        Err(refusal) => return response(refusal, cut),
    };
    let blocks = service.may_block(&path);
    let request = Request {
        method: head.method.as_str().to_owned(),
        path,
        headers: pairs(&head.headers),
        body,
    };
    let reply = if blocks {
        tokio::task::spawn_blocking(move || service.call(request))
            .await
            .map_err(|_| Dropped)?
    } else {
        service.call(request)
    };
    if let Some(delay) = reply.delay {
        tokio::time::sleep(delay).await;
    }
    response(reply, cut)
}

/// The request target as sent: the path and query, or the whole absolute URL.
fn target(uri: &Uri) -> String {
    match (uri.scheme(), uri.path_and_query()) {
        (None, Some(path)) => path.as_str().to_owned(),
        _ => uri.to_string(),
    }
}

/// The headers as pairs, in arrival order (repeats of a name follow its first occurrence).
fn pairs(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
            (name.as_str().to_owned(), value)
        })
        .collect()
}

/// Reads a body of at most [`MAX_BODY`] bytes, or the reply refusing it: 413 when it is
/// larger (the rest is drained), 400 when its chunked framing is broken.
async fn read_body(mut body: Incoming, expects_continue: bool) -> Result<Vec<u8>, Reply> {
    let refuse = |status, why: &str| Reply {
        close: true,
        ..Reply::text(status, format!("{why}\n"))
    };
    let too_large = || refuse(413, "request body too large");
    let declared = usize::try_from(body.size_hint().lower()).unwrap_or(usize::MAX);
    if declared > MAX_BODY {
        // A client waiting for `100 Continue` sends nothing more: there is nothing to drain.
        if !expects_continue {
            drain(body);
        }
        return Err(too_large());
    }
    let mut data = Vec::with_capacity(declared);
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else {
            return Err(refuse(400, "malformed request body"));
        };
        let Ok(chunk) = frame.into_data() else {
            continue;
        };
        if data.len() + chunk.len() > MAX_BODY {
            drain(body);
            return Err(too_large());
        }
        data.extend_from_slice(&chunk);
    }
    Ok(data)
}

/// Reads and throws away the rest of a refused body, for a short while.
fn drain(mut body: Incoming) {
    tokio::spawn(async move {
        let mut left = 2 * MAX_BODY;
        let discard = async {
            while let Some(Ok(frame)) = body.frame().await {
                let size = frame.data_ref().map_or(0, Bytes::len);
                left = left.saturating_sub(size);
                if left == 0 {
                    break;
                }
            }
        };
        let _ = tokio::time::timeout(LINGER, discard).await;
    });
}

/// The response for `reply`, whose faults play on the connection `cut` belongs to.
fn response(reply: Reply, cut: Arc<Cut>) -> Result<Response, Dropped> {
    let status = StatusCode::from_u16(reply.status).map_err(|_| Dropped)?;
    let length = reply.body.len();
    let data = Bytes::from(reply.body);
    let body = match reply.action {
        Action::Respond => ReplyBody::Whole(Some(data)),
        Action::Close => return Err(Dropped),
        Action::Truncate { reset } => ReplyBody::Cut {
            part: Some(data.slice(..length / 2)),
            cut,
            reset,
        },
        Action::Dribble { bytes_per_second } => ReplyBody::Dribble {
            rest: data,
            step: usize::try_from(bytes_per_second.max(1)).unwrap_or(usize::MAX),
            pause: None,
        },
        Action::Stream { bytes, chunked } => ReplyBody::Spaces {
            left: bytes,
            sized: !chunked,
        },
    };
    let mut response = hyper::Response::new(body);
    *response.status_mut() = status;
    let headers = response.headers_mut();
    for (name, value) in reply.headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::try_from(value),
        ) {
            headers.append(name, value);
        }
    }
    if let Action::Truncate { .. } = reply.action {
        headers.insert(CONTENT_LENGTH, HeaderValue::from(length));
    }
    if reply.close || reply.action != Action::Respond {
        headers.insert(CONNECTION, HeaderValue::from_static("close"));
    }
    Ok(response)
}
