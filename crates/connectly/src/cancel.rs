//! Cancelling async calls and hearing back what each one had done: the token an
//! [`AsyncClient`](crate::AsyncClient) made with
//! [`cancelled_by`](crate::AsyncClient::cancelled_by) watches.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use tokio::sync::Notify;

/// A signal that cancels every call of the clients made with
/// [`AsyncClient::cancelled_by`](crate::AsyncClient::cancelled_by) and it. Clones share one
/// signal; once cancelled it stays cancelled.
///
/// Unlike dropping a call's future, which cancels it silently, a call cancelled through a
/// token still returns: [`Error::Cancelled`](crate::Error::Cancelled), whose
/// `possibly_sent` says whether its request had been written and so may have reached
/// Connectly. A call that had already finished keeps its own result.
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use connectly::{AsyncClient, CancelToken, Error, Recipient};
///
/// let token = CancelToken::new();
/// let client = AsyncClient::from_env()?.cancelled_by(&token);
/// let call = tokio::spawn(async move {
///     client.send_text(&Recipient::whatsapp("+15555555555"), "hello!").await
/// });
/// token.cancel(); // say, the customer closed the page
/// if let Err(Error::Cancelled { possibly_sent: true, .. }) = call.await? {
///     println!("it was in flight: check before sending it again");
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Default)]
pub struct CancelToken {
    shared: Arc<Shared>,
}

#[derive(Debug, Default)]
struct Shared {
    cancelled: AtomicBool,
    notify: Notify,
}

impl CancelToken {
    /// A token not cancelled yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Cancels every call watching this token, now and from now on. Safe from any thread,
    /// any number of times.
    pub fn cancel(&self) {
        self.shared.cancelled.store(true, Ordering::Release);
        self.shared.notify.notify_waiters();
    }

    /// Whether [`cancel`](Self::cancel) has been called.
    pub fn is_cancelled(&self) -> bool {
        self.shared.cancelled.load(Ordering::Acquire)
    }

    /// Completes once the token is cancelled (at once when it already is).
    pub(crate) fn cancelled(&self) -> impl Future<Output = ()> + Send + 'static {
        let shared = Arc::clone(&self.shared);
        async move {
            loop {
                let notified = shared.notify.notified();
                tokio::pin!(notified);
                // Registered before the flag is read, so a cancel in between is not missed.
                notified.as_mut().enable();
                if shared.cancelled.load(Ordering::Acquire) {
                    return;
                }
                notified.await;
            }
        }
    }
}
