//! The HTTP server behind `connectly listen`: hyper's HTTP/1.1 on a single-threaded tokio
//! runtime, answering each request with a function of its method, headers and body.

use std::convert::Infallible;
use std::io;
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use http::header::{HeaderValue, CONNECTION};
use http::{HeaderMap, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;

/// How long the rest of a body beyond the limit is still read and thrown away, so that a
/// client still sending it reads the answer instead of a reset.
const LINGER: Duration = Duration::from_millis(500);

/// Serves on `listener` until the process ends, answering each request with
/// `answer(method, headers, body)`, where `body` is the first `limit` bytes of the body.
pub(super) fn serve<F>(listener: TcpListener, limit: usize, answer: F) -> io::Result<Infallible>
where
    F: Fn(&str, &HeaderMap, &[u8]) -> Response<String> + Send + Sync + 'static,
{
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    listener.set_nonblocking(true)?;
    let answer = Arc::new(answer);
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener)?;
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                // Out of file descriptors and the like: back off instead of spinning.
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            };
            let answer = Arc::clone(&answer);
            let service = service_fn(move |request| respond(Arc::clone(&answer), limit, request));
            tokio::spawn(http1::Builder::new().serve_connection(TokioIo::new(stream), service));
        }
    })
}

/// Reads up to `limit` bytes of the request's body and answers with `answer`. A longer body
/// is drained a while and the connection closed; a malformed one is answered 400.
async fn respond<F>(
    answer: Arc<F>,
    limit: usize,
    request: hyper::Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible>
where
    F: Fn(&str, &HeaderMap, &[u8]) -> Response<String>,
{
    let (head, mut body) = request.into_parts();
    let mut data = Vec::new();
    let response = loop {
        let Some(frame) = body.frame().await else {
            break answer(head.method.as_str(), &head.headers, &data);
        };
        let Ok(frame) = frame else {
            let mut refusal = Response::new("malformed request body\n".to_owned());
            *refusal.status_mut() = StatusCode::BAD_REQUEST;
            break closing(refusal);
        };
        let Ok(chunk) = frame.into_data() else {
            continue;
        };
        let room = limit.saturating_sub(data.len());
        if chunk.len() > room {
            data.extend_from_slice(chunk.get(..room).unwrap_or_default());
            tokio::spawn(async move {
                let discard = async { while let Some(Ok(_)) = body.frame().await {} };
                let _ = tokio::time::timeout(LINGER, discard).await;
            });
            break closing(answer(head.method.as_str(), &head.headers, &data));
        }
        data.extend_from_slice(&chunk);
    };
    Ok(response.map(|text| Full::new(Bytes::from(text))))
}

/// `response`, closing the connection after it.
fn closing(mut response: Response<String>) -> Response<String> {
    let close = HeaderValue::from_static("close");
    response.headers_mut().insert(CONNECTION, close);
    response
}
