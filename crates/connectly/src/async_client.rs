//! The async face of the client: the same calls as `async fn`, for tokio programs (axum,
//! actix), run on the client's own runtime and connection pool.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use serde_json::Value;
use tokio::task::JoinHandle;

use crate::campaign::{CampaignEntry, CampaignResult};
use crate::cancel::CancelToken;
use crate::client::{Call, Client, ClientBuilder};
use crate::error::Error;
use crate::message::Message;
use crate::progress::Progress;
use crate::recipient::Recipient;
use crate::response::Response;
use crate::template::TemplateMessage;
use crate::template_list::TemplateInfo;
use crate::webhook_admin::{NewWebhook, WebhookInfo, WebhookUpdate};

/// A Connectly API client whose calls are `async fn`, usable inside any tokio runtime.
///
/// Every call is checked on the calling task before anything is sent (bad input fails at
/// once), then runs on the client's own runtime, so a call never holds a thread while it
/// waits, and any number of calls are in flight at once over one connection pool.
/// **Dropping a call's future cancels it**: a request not yet written is never sent; one
/// being written or awaited is abandoned and its connection closed (the server may have
/// received it). To hear back from a cancelled call (and whether its request may have
/// reached the server), cancel it through a [`CancelToken`] instead
/// ([`AsyncClient::cancelled_by`]). Retries, deadlines and validation are [`Client`]'s,
/// unchanged.
///
/// ```no_run
/// # async fn demo() -> Result<(), connectly::Error> {
/// use connectly::{AsyncClient, Recipient};
///
/// let client = AsyncClient::from_env()?;
/// let sent = client.send_text(&Recipient::whatsapp("+15555555555"), "hello!").await?;
/// println!("HTTP {}", sent.status);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct AsyncClient {
    client: Client,
    /// What cancels this client's calls, besides dropping them.
    cancel: Option<CancelToken>,
}

impl ClientBuilder {
    /// Checks the configuration and builds an [`AsyncClient`].
    pub fn build_async(self) -> Result<AsyncClient, Error> {
        self.build().map(|client| client.to_async())
    }
}

impl Client {
    /// The async face of this client, sharing its runtime, connection pool and settings.
    pub fn to_async(&self) -> AsyncClient {
        AsyncClient {
            client: self.clone(),
            cancel: None,
        }
    }
}

/// A call running on the client's runtime; dropping it, or its client's [`CancelToken`],
/// aborts the call.
struct Running<T> {
    task: JoinHandle<Result<T, Error>>,
    progress: Progress,
    /// Completes when the client's token is cancelled; `None` without a token, or once fired.
    cancel: Option<Pin<Box<dyn Future<Output = ()> + Send>>>,
}

impl<T> Future for Running<T> {
    type Output = Result<T, Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        if this
            .cancel
            .as_mut()
            .is_some_and(|c| c.as_mut().poll(cx).is_ready())
        {
            this.cancel = None;
            // A task that finished first keeps its result; an aborted one joins as cancelled.
            this.task.abort();
        }
        let progress = this.progress.clone();
        Pin::new(&mut this.task)
            .poll(cx)
            .map(|joined| match joined {
                Ok(result) => result,
                Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
                // Aborted: its runtime shut down under it.
                Err(_) => Err(progress.cancelled()),
            })
    }
}

impl<T> Drop for Running<T> {
    fn drop(&mut self) {
        if !self.task.is_finished() {
            self.task.abort();
            // Recorded (a warning when a request was in flight); no one awaits the error.
            let _ = self.progress.cancelled();
        }
    }
}

impl AsyncClient {
    /// A client configured from `CONNECTLY_API_KEY`, `CONNECTLY_BUSINESS_ID` and
    /// `CONNECTLY_BASE_URL`, with default timeouts and retries.
    pub fn from_env() -> Result<AsyncClient, Error> {
        ClientBuilder::from_env().build_async()
    }

    /// The blocking face of this client, sharing its runtime and connection pool.
    pub fn to_blocking(&self) -> Client {
        self.client.clone()
    }

    /// A client whose calls end within `limit` (see [`Client::with_timeout`]).
    pub fn with_timeout(&self, limit: Duration) -> Result<AsyncClient, Error> {
        self.client.with_timeout(limit).map(|client| AsyncClient {
            client,
            cancel: self.cancel.clone(),
        })
    }

    /// A client sharing this one's runtime, connection pool and settings whose calls
    /// `token` cancels: once it is cancelled, a call in progress stops and returns
    /// [`Error::Cancelled`] (`possibly_sent` when its request had been written), and a new
    /// call returns it at once, having sent nothing.
    pub fn cancelled_by(&self, token: &CancelToken) -> AsyncClient {
        AsyncClient {
            client: self.client.clone(),
            cancel: Some(token.clone()),
        }
    }

    /// The business id this client sends for.
    pub fn business_id(&self) -> &str {
        self.client.business_id()
    }

    /// Runs `work` on the client's runtime.
    fn spawn<T, F>(&self, work: impl FnOnce(Client) -> F) -> Running<T>
    where
        T: Send + 'static,
        F: Future<Output = Result<T, Error>> + Send + 'static,
    {
        let progress = Progress::new(self.client.id());
        let tracked = progress.track(work(self.client.clone()));
        let engine = self.client.engine();
        let task = match self.cancel.clone() {
            // A call of a cancelled token sends nothing, even before its caller polls again.
            Some(token) => {
                let stopped = progress.clone();
                engine.spawn(async move {
                    if token.is_cancelled() {
                        return Err(stopped.cancelled());
                    }
                    tracked.await
                })
            }
            None => engine.spawn(tracked),
        };
        let cancel = self.cancel.as_ref().map(|token| {
            let fired: Pin<Box<dyn Future<Output = ()> + Send>> = Box::pin(token.cancelled());
            fired
        });
        Running {
            task,
            progress,
            cancel,
        }
    }

    /// Makes a checked call on the client's runtime.
    async fn run(&self, call: Call) -> Result<Response, Error> {
        self.spawn(|client| async move { client.perform(&call).await })
            .await
    }

    /// [`Client::send_text`], as an `async fn`.
    pub async fn send_text(&self, to: &Recipient, text: &str) -> Result<Response, Error> {
        self.send_message(to, &Message::text(text)).await
    }

    /// [`Client::send_message`], as an `async fn`.
    pub async fn send_message(&self, to: &Recipient, message: &Message) -> Result<Response, Error> {
        self.run(self.client.send_message_call(to, message)?).await
    }

    /// [`Client::send_template`], as an `async fn`.
    pub async fn send_template<N: AsRef<str>, V: AsRef<str>>(
        &self,
        number: &str,
        template_name: &str,
        params: &[(N, V)],
    ) -> Result<Response, Error> {
        let message = TemplateMessage::new(number, template_name)
            .params(params.iter().map(|(n, v)| (n.as_ref(), v.as_ref())));
        self.send_template_message(&message).await
    }

    /// [`Client::send_template_message`], as an `async fn`.
    pub async fn send_template_message(
        &self,
        message: &TemplateMessage,
    ) -> Result<Response, Error> {
        self.run(self.client.send_template_call(message)?).await
    }

    /// [`Client::create_webhook`], as an `async fn`.
    pub async fn create_webhook(&self, address: &str, topic: &str) -> Result<Response, Error> {
        self.create_webhook_with(&NewWebhook::new(address, topic))
            .await
    }

    /// [`Client::create_webhook_with`], as an `async fn`.
    pub async fn create_webhook_with(&self, webhook: &NewWebhook) -> Result<Response, Error> {
        self.run(self.client.create_webhook_call(webhook)?).await
    }

    /// [`Client::list_webhooks`], as an `async fn`.
    pub async fn list_webhooks(&self) -> Result<Vec<WebhookInfo>, Error> {
        let response = self.run(self.client.list_webhooks_call()?).await?;
        Ok(WebhookInfo::list_from(&response.body))
    }

    /// [`Client::update_webhook`], as an `async fn`.
    pub async fn update_webhook(
        &self,
        id: &str,
        update: &WebhookUpdate,
    ) -> Result<Response, Error> {
        self.run(self.client.update_webhook_call(id, update)?).await
    }

    /// [`Client::delete_webhook`], as an `async fn`.
    pub async fn delete_webhook(&self, id: &str) -> Result<Response, Error> {
        self.run(self.client.delete_webhook_call(id)?).await
    }

    /// [`Client::upsert_webhook`], as an `async fn`.
    pub async fn upsert_webhook(
        &self,
        address: &str,
        topic: &str,
        configuration: Option<Value>,
    ) -> Result<Response, Error> {
        let upsert = self.client.upsert_call(address, topic, configuration)?;
        self.spawn(|client| async move { client.upsert(upsert).await })
            .await
    }

    /// [`Client::list_templates`], as an `async fn`.
    pub async fn list_templates(&self) -> Result<Vec<TemplateInfo>, Error> {
        let response = self.run(self.client.list_templates_call()?).await?;
        Ok(TemplateInfo::list_from(&response.body))
    }

    /// [`Client::send_campaign`], as an `async fn`.
    pub async fn send_campaign(&self, entries: &[CampaignEntry]) -> Result<CampaignResult, Error> {
        self.run(self.client.send_campaign_call(entries)?)
            .await
            .map(CampaignResult::from_response)
    }
}
