//! Reply bodies: a whole one, or one that misbehaves on purpose (cut half-way, dribbled,
//! huge and made on the fly).

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use hyper::body::{Body, Bytes, Frame, SizeHint};
use tokio::time::Sleep;

use super::socket::Cut;

/// How many bytes of a made-up body are sent at a time.
const BLOCK: usize = 64 * 1024;

/// What a made-up body is made of.
static SPACES: [u8; BLOCK] = [b' '; BLOCK];

/// One body frame.
type Polled = Poll<Option<Result<Frame<Bytes>, Infallible>>>;

/// A reply body.
#[derive(Debug)]
pub(super) enum ReplyBody {
    /// The whole body, sent at once (`None` once sent).
    Whole(Option<Bytes>),
    /// Part of the body (the head announces all of it), then the connection is cut.
    Cut {
        /// What is sent before the cut (`None` once sent).
        part: Option<Bytes>,
        /// Where the cut is asked for.
        cut: Arc<Cut>,
        /// Cut with a reset (RST) instead of a clean close.
        reset: bool,
    },
    /// The body a piece at a time, one piece a second.
    Dribble {
        /// What is still to be sent.
        rest: Bytes,
        /// How many bytes a piece has.
        step: usize,
        /// The wait before the next piece.
        pause: Option<Pin<Box<Sleep>>>,
    },
    /// `left` more spaces, made as they are sent, never held in memory.
    Spaces {
        /// How many are still to be sent.
        left: u64,
        /// Whether the head announces the length (else the body is sent chunked).
        sized: bool,
    },
}

impl ReplyBody {
    /// Sends `data`, then asks for the connection to be cut.
    fn cut(part: &mut Option<Bytes>, cut: &Cut, reset: bool) -> Polled {
        match part.take() {
            Some(data) if !data.is_empty() => Poll::Ready(Some(Ok(Frame::data(data)))),
            // hyper flushes what it holds when the body has nothing more for now; the
            // socket carries the cut out on that flush, which ends the connection.
            _ => {
                cut.request(reset);
                Poll::Pending
            }
        }
    }

    /// Sends the next piece once the pause after the previous one is over.
    fn dribble(
        rest: &mut Bytes,
        step: usize,
        pause: &mut Option<Pin<Box<Sleep>>>,
        cx: &mut Context<'_>,
    ) -> Polled {
        if let Some(sleep) = pause {
            ready!(sleep.as_mut().poll(cx));
        }
        if rest.is_empty() {
            return Poll::Ready(None);
        }
        let piece = rest.split_to(step.min(rest.len()));
        *pause = Some(Box::pin(tokio::time::sleep(Duration::from_secs(1))));
        Poll::Ready(Some(Ok(Frame::data(piece))))
    }

    /// Sends the next block of spaces.
    fn spaces(left: &mut u64) -> Polled {
        let n = usize::try_from(*left).map_or(BLOCK, |left| left.min(BLOCK));
        if n == 0 {
            return Poll::Ready(None);
        }
        *left -= n as u64;
        let block = Bytes::from_static(&SPACES).slice(..n);
        Poll::Ready(Some(Ok(Frame::data(block))))
    }
}

impl Body for ReplyBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Polled {
        match self.get_mut() {
            ReplyBody::Whole(data) => Poll::Ready(data.take().map(|data| Ok(Frame::data(data)))),
            ReplyBody::Cut { part, cut, reset } => ReplyBody::cut(part, cut, *reset),
            ReplyBody::Dribble { rest, step, pause } => ReplyBody::dribble(rest, *step, pause, cx),
            ReplyBody::Spaces { left, .. } => ReplyBody::spaces(left),
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            ReplyBody::Whole(data) => data.as_ref().is_none_or(Bytes::is_empty),
            ReplyBody::Cut { .. } => false,
            ReplyBody::Dribble { rest, .. } => rest.is_empty(),
            ReplyBody::Spaces { left, .. } => *left == 0,
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            ReplyBody::Whole(data) => {
                SizeHint::with_exact(data.as_ref().map_or(0, |d| d.len() as u64))
            }
            ReplyBody::Dribble { rest, .. } => SizeHint::with_exact(rest.len() as u64),
            ReplyBody::Spaces { left, sized: true } => SizeHint::with_exact(*left),
            // The cut body's length is in its head; a chunked one is announced by none.
            ReplyBody::Cut { .. } | ReplyBody::Spaces { sized: false, .. } => SizeHint::default(),
        }
    }
}
