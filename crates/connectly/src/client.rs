//! The API client: configuration, validation, the retry loop, and the three calls.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
use reqwest::header::{HeaderMap, HeaderValue, ACCEPT};
use serde::Serialize;

use crate::clock::{Clock, Jitter, RandomJitter, RuntimeSleeper, Sleeper, SystemClock};
use crate::engine::Engine;
use crate::error::{ApiError, Error, ValidationError};
use crate::fleet::local::LocalRateLimiter;
use crate::interrupt::{Interrupt, INTERRUPT_INTERVAL};
use crate::message::Message;
use crate::progress::Attempt;
use crate::rate_limit::RateLimiter;
use crate::recipient::Recipient;
use crate::response::Response;
use crate::retry::{self, Repeat};
use crate::template::TemplateMessage;
use crate::transport::{self, Broken, Reply, Request};
use crate::validate;
use crate::webhook_admin::NewWebhook;
use reqwest::Method;

/// The API's address when none is configured.
pub const DEFAULT_BASE_URL: &str = "https://api.connectly.ai";
/// The time each attempt may take when none is configured.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// The time a whole call, retries and waits included, may take when none is configured.
pub const DEFAULT_TOTAL_TIMEOUT: Duration = Duration::from_secs(120);
/// How many times a failed attempt is retried when nothing else is configured.
pub const DEFAULT_MAX_RETRIES: u32 = 2;
/// The time allowed to establish a connection (TCP and TLS).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// The most retries a client may be configured with.
pub const MAX_RETRIES_LIMIT: u32 = retry::MAX_RETRIES_LIMIT;

/// Characters escaped in a path segment (the business id, a webhook id).
pub(crate) const PATH_SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'\\')
    .add(b'^')
    .add(b'|');

/// A Connectly API client whose calls block the calling thread.
///
/// Cheap to clone: clones share one connection pool and one runtime. `Send + Sync`, so one
/// client serves every thread. Its calls cannot be made from inside an async runtime; there,
/// use [`AsyncClient`](crate::AsyncClient) (`client.to_async()`), which shares both.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
    /// Asked on the calling thread while a call waits; see [`Client::with_interrupt`].
    interrupt: Option<Arc<dyn Interrupt>>,
}

/// The next client's [`Client::id`].
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

#[derive(Clone)]
pub(crate) struct Inner {
    /// Names this client (and its clones) in log records.
    id: u64,
    /// The runtime every request runs on, and its connection pool.
    engine: Arc<Engine>,
    http: reqwest::Client,
    api_key: HeaderValue,
    business_id: String,
    /// `{base}/v1/businesses/{business id}`, every path's start.
    prefix: String,
    timeout: Duration,
    total_timeout: Duration,
    max_retries: u32,
    clock: Arc<dyn Clock>,
    sleeper: Arc<dyn Sleeper>,
    jitter: Arc<dyn Jitter>,
    /// The budget each send request waits on first.
    rate_limiter: Option<Arc<dyn RateLimiter>>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        f.debug_struct("Client")
            .field("api_key", &"[REDACTED]")
            .field("business_id", &inner.business_id)
            .field("timeout", &inner.timeout)
            .field("total_timeout", &inner.total_timeout)
            .field("max_retries", &inner.max_retries)
            .field("rate_limiter", &inner.rate_limiter)
            .field("interrupt", &self.interrupt)
            .finish_non_exhaustive()
    }
}

/// Configures a [`Client`]. Every setting is checked by [`build`](ClientBuilder::build).
#[derive(Clone)]
pub struct ClientBuilder {
    api_key: Option<String>,
    business_id: Option<String>,
    base_url: Option<String>,
    timeout: Duration,
    total_timeout: Duration,
    max_retries: u32,
    root_certificates: Vec<Vec<u8>>,
    clock: Arc<dyn Clock>,
    sleeper: Arc<dyn Sleeper>,
    jitter: Arc<dyn Jitter>,
    rate_limiter: Limiting,
}

/// Which send budget a client's sends wait on.
#[derive(Debug, Clone)]
enum Limiting {
    /// [`LocalRateLimiter`] at 200/s for the Connectly API; none for another base URL.
    Default,
    /// None at all.
    Off,
    /// This one.
    Given(Arc<dyn RateLimiter>),
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("api_key", &self.api_key.as_ref().map(|_| "[REDACTED]"))
            .field("business_id", &self.business_id)
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .field("total_timeout", &self.total_timeout)
            .field("max_retries", &self.max_retries)
            .field("rate_limiter", &self.rate_limiter)
            .finish_non_exhaustive()
    }
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            api_key: None,
            business_id: None,
            base_url: None,
            timeout: DEFAULT_TIMEOUT,
            total_timeout: DEFAULT_TOTAL_TIMEOUT,
            max_retries: DEFAULT_MAX_RETRIES,
            root_certificates: Vec::new(),
            clock: Arc::new(SystemClock),
            sleeper: Arc::new(RuntimeSleeper),
            jitter: Arc::new(RandomJitter),
            rate_limiter: Limiting::Default,
        }
    }
}

fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

impl ClientBuilder {
    /// A builder preset from `CONNECTLY_API_KEY`, `CONNECTLY_BUSINESS_ID` and
    /// `CONNECTLY_BASE_URL` (each only when set and not empty).
    pub fn from_env() -> Self {
        Self {
            api_key: env_var("CONNECTLY_API_KEY"),
            business_id: env_var("CONNECTLY_BUSINESS_ID"),
            base_url: env_var("CONNECTLY_BASE_URL"),
            ..Self::default()
        }
    }

    /// The API key, sent as `X-API-Key`. Required.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// The business id every path is under. Required.
    pub fn business_id(mut self, id: impl Into<String>) -> Self {
        self.business_id = Some(id.into());
        self
    }

    /// The API's address, default `https://api.connectly.ai`; the SDK adds
    /// `/v1/businesses/{id}`. Plain `http` is accepted only for loopback hosts.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The time each attempt may take, default 30 s. Zero is refused.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The time a whole call may take, retries and waits included, default 120 s.
    /// No wait between retries runs past it.
    pub fn total_timeout(mut self, timeout: Duration) -> Self {
        self.total_timeout = timeout;
        self
    }

    /// How many times a failed attempt may be retried, default 2, at most 10.
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// Makes every send request (each attempt) wait its turn in `limiter`'s budget first,
    /// such as a [`RedisRateLimiter`](crate::RedisRateLimiter) shared by a fleet. Share one
    /// limiter between clients to share its budget.
    ///
    /// Without this, a client for the Connectly API waits on a
    /// [`LocalRateLimiter`](crate::LocalRateLimiter) of its own at 200 sends per second (the
    /// documented limit), and a client for another base URL (the mock, a proxy) on none.
    pub fn rate_limiter(mut self, limiter: Arc<dyn RateLimiter>) -> Self {
        self.rate_limiter = Limiting::Given(limiter);
        self
    }

    /// Sends without any rate limiter, also to the Connectly API (which answers 429 above
    /// its limit; 429s are still retried).
    pub fn no_rate_limiter(mut self) -> Self {
        self.rate_limiter = Limiting::Off;
        self
    }

    /// Trusts one more root certificate (PEM), for example a corporate proxy's, besides the
    /// built-in roots. Certificates are always verified.
    pub fn add_root_certificate_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.root_certificates.push(pem.into());
        self
    }

    /// Replaces the clock used for deadlines and `Retry-After` dates (for tests).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Replaces how the client waits between retries (for tests).
    pub fn sleeper(mut self, sleeper: Arc<dyn Sleeper>) -> Self {
        self.sleeper = sleeper;
        self
    }

    /// Replaces the random source of retry jitter (for tests).
    pub fn jitter(mut self, jitter: Arc<dyn Jitter>) -> Self {
        self.jitter = jitter;
        self
    }

    /// Checks the configuration and builds the client.
    pub fn build(self) -> Result<Client, Error> {
        let api_key = self
            .api_key
            .ok_or_else(|| Error::Config("no API key: set CONNECTLY_API_KEY or pass one".into()))?;
        let business_id = self.business_id.ok_or_else(|| {
            Error::Config("no business id: set CONNECTLY_BUSINESS_ID or pass one".into())
        })?;
        validate::credential("api key", &api_key)?;
        validate::business_id(&business_id)?;
        if self.timeout.is_zero() {
            return Err(Error::Config(
                "the timeout must be greater than zero".into(),
            ));
        }
        if self.total_timeout.is_zero() {
            return Err(Error::Config(
                "the total timeout must be greater than zero".into(),
            ));
        }
        if self.max_retries > retry::MAX_RETRIES_LIMIT {
            return Err(Error::Config(format!(
                "max retries must be at most {}",
                retry::MAX_RETRIES_LIMIT
            )));
        }
        let base = base_url(self.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL))?;
        let loopback = validate::is_loopback(&base);
        let rate_limiter = match self.rate_limiter {
            Limiting::Given(limiter) => Some(limiter),
            Limiting::Off => None,
            Limiting::Default if base == base_url(DEFAULT_BASE_URL)? => Some(Arc::new(
                LocalRateLimiter::new(LocalRateLimiter::DEFAULT_RATE)?,
            )
                as Arc<dyn RateLimiter>),
            Limiting::Default => None,
        };
        let prefix = format!(
            "{}/v1/businesses/{}",
            base.as_str().trim_end_matches('/'),
            utf8_percent_encode(&business_id, PATH_SEGMENT)
        );
        reqwest::Url::parse(&format!("{prefix}/send/messages"))
            .map_err(|_| Error::Config("the base URL cannot take the API paths".into()))?;
        let mut api_key = HeaderValue::from_str(&api_key)
            .map_err(|_| ValidationError::new("api key", "is not a valid header value"))?;
        api_key.set_sensitive(true);

        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        let mut http = reqwest::Client::builder()
            .use_rustls_tls()
            .user_agent(format!("connectly-sdk-rust/{}", crate::VERSION))
            .default_headers(headers)
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(CONNECT_TIMEOUT)
            .pool_idle_timeout(Duration::from_secs(60));
        if loopback {
            http = http.no_proxy();
        }
        for pem in &self.root_certificates {
            let certs = reqwest::Certificate::from_pem_bundle(pem)
                .ok()
                .filter(|certs| !certs.is_empty())
                .ok_or_else(|| {
                    Error::Config("an extra root certificate is not valid PEM".into())
                })?;
            for cert in certs {
                http = http.add_root_certificate(cert);
            }
        }
        let http = http
            .build()
            .map_err(|_| Error::Config("the HTTP client could not be initialised".into()))?;
        Ok(Client {
            inner: Arc::new(Inner {
                id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
                engine: Arc::new(Engine::start()?),
                http,
                api_key,
                prefix,
                business_id,
                timeout: self.timeout,
                total_timeout: self.total_timeout,
                max_retries: self.max_retries,
                clock: self.clock,
                sleeper: self.sleeper,
                jitter: self.jitter,
                rate_limiter,
            }),
            interrupt: None,
        })
    }
}

/// Parses and checks the base URL: https (http on loopback), no user-info, query or fragment.
fn base_url(value: &str) -> Result<url::Url, Error> {
    let url = validate::secure_url("base URL", value)?;
    if url.query().is_some() || url.fragment().is_some() {
        return Err(ValidationError::new("base URL", "must not have a query or fragment").into());
    }
    Ok(url)
}

pub(crate) fn to_json(body: &impl Serialize) -> Result<Vec<u8>, Error> {
    serde_json::to_vec(body).map_err(|_| Error::Config("the request could not be encoded".into()))
}

impl Client {
    /// A builder for a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from `CONNECTLY_API_KEY`, `CONNECTLY_BUSINESS_ID` and
    /// `CONNECTLY_BASE_URL`, with default timeouts and retries.
    pub fn from_env() -> Result<Client, Error> {
        ClientBuilder::from_env().build()
    }

    /// Sends a free-form text message (`POST /send/messages`): shorthand for
    /// [`send_message`](Client::send_message) with [`Message::text`].
    ///
    /// On WhatsApp, a text can only be sent inside a conversation the user opened; otherwise
    /// send a template first. Retried only when it provably did not reach the server, or
    /// on 429.
    pub fn send_text(&self, to: &Recipient, text: &str) -> Result<Response, Error> {
        self.send_message(to, &Message::text(text))
    }

    /// Sends a session message of any kind (`POST /send/messages`): a text, an attachment,
    /// a location, a list or reply buttons. Everything is checked before a byte is sent.
    /// Retried only when it provably did not reach the server, or on 429.
    pub fn send_message(&self, to: &Recipient, message: &Message) -> Result<Response, Error> {
        self.run(&self.send_message_call(to, message)?)
    }

    /// The checked call [`send_message`](Client::send_message) makes.
    pub(crate) fn send_message_call(
        &self,
        to: &Recipient,
        message: &Message,
    ) -> Result<Call, Error> {
        to.validate()?;
        message.validate()?;
        Ok(Call::unsafe_to_repeat(
            self.post("/send/messages", &message.body(to))?,
        ))
    }

    /// Sends a WhatsApp template message (`POST /send/whatsapp_templated_messages`), with its
    /// parameters in the order given: shorthand for
    /// [`send_template_message`](Client::send_template_message).
    pub fn send_template<N: AsRef<str>, V: AsRef<str>>(
        &self,
        number: &str,
        template_name: &str,
        params: &[(N, V)],
    ) -> Result<Response, Error> {
        let message = TemplateMessage::new(number, template_name)
            .params(params.iter().map(|(n, v)| (n.as_ref(), v.as_ref())));
        self.send_template_message(&message)
    }

    /// Sends a WhatsApp template message with every field (`POST
    /// /send/whatsapp_templated_messages`). The reply's `id` is the one delivery-status
    /// events carry. Retried only when it provably did not reach the server, or on 429.
    pub fn send_template_message(&self, message: &TemplateMessage) -> Result<Response, Error> {
        self.run(&self.send_template_call(message)?)
    }

    /// The checked call [`send_template_message`](Client::send_template_message) makes.
    pub(crate) fn send_template_call(&self, message: &TemplateMessage) -> Result<Call, Error> {
        message.validate()?;
        Ok(Call::unsafe_to_repeat(self.post(
            "/send/whatsapp_templated_messages",
            &message.body(),
        )?))
    }

    /// Registers the address Connectly delivers a topic's events to (`POST /create/webhooks`).
    /// Registering a topic again replaces its address, so this call is retried on 5xx and
    /// timeouts too.
    pub fn create_webhook(&self, address: &str, topic: &str) -> Result<Response, Error> {
        self.create_webhook_with(&NewWebhook::new(address, topic))
    }

    /// A request to `path` under the business, without a body.
    pub(crate) fn request(&self, method: Method, path: &str) -> Result<Request, Error> {
        let url = reqwest::Url::parse(&format!("{}{path}", self.inner.prefix))
            .map_err(|_| Error::Config("the base URL cannot take the API paths".into()))?;
        Ok(Request {
            method,
            url,
            body: None,
        })
    }

    /// A `POST` of `body` as JSON to `path` under the business.
    pub(crate) fn post(&self, path: &str, body: &impl Serialize) -> Result<Request, Error> {
        let mut request = self.request(Method::POST, path)?;
        request.body = Some(to_json(body)?);
        Ok(request)
    }

    /// A client sharing this one's connection pool and settings, whose calls end within
    /// `limit`: each attempt and the whole call, retries included, take at most `limit`
    /// (never more than this client allows). For a caller's deadline, such as a Go context's.
    /// A zero `limit` is refused.
    pub fn with_timeout(&self, limit: Duration) -> Result<Client, Error> {
        if limit.is_zero() {
            return Err(Error::Config(
                "the timeout must be greater than zero".into(),
            ));
        }
        let mut inner = (*self.inner).clone();
        inner.timeout = inner.timeout.min(limit);
        inner.total_timeout = inner.total_timeout.min(limit);
        Ok(Client {
            inner: Arc::new(inner),
            interrupt: self.interrupt.clone(),
        })
    }

    /// A client sharing this one's connection pool and settings whose calls ask `interrupt`,
    /// on the calling thread, whether to stop: before each attempt after the first, about
    /// every [`INTERRUPT_INTERVAL`] while waiting to retry (the wait is slept in slices that
    /// long), and, in [`send_many`](Client::send_many), about every [`INTERRUPT_INTERVAL`]
    /// until every message is done (the calling thread then only watches; the workers send).
    /// Once it says yes, no new request is made, requests in flight finish, and what was
    /// stopped fails with [`Error::Cancelled`]. Cheap: nothing is copied but two pointers.
    pub fn with_interrupt(&self, interrupt: Arc<dyn Interrupt>) -> Client {
        Client {
            inner: self.inner.clone(),
            interrupt: Some(interrupt),
        }
    }

    /// The business id this client sends for.
    pub fn business_id(&self) -> &str {
        &self.inner.business_id
    }

    /// The clock the client reads deadlines from.
    pub(crate) fn clock(&self) -> &dyn Clock {
        &*self.inner.clock
    }

    /// The interruption hook its calls ask, if it has one.
    pub(crate) fn interrupt(&self) -> Option<&dyn Interrupt> {
        self.interrupt.as_deref()
    }

    /// Whether the interruption hook, if there is one, says to stop.
    pub(crate) fn interrupted(&self) -> bool {
        self.interrupt().is_some_and(Interrupt::interrupted)
    }

    /// Waits `wait` through the sleeper, on the calling thread (for bulk sending); false when
    /// the interruption hook said to stop. See [`Client::pause_async`].
    pub(crate) fn pause(&self, wait: Duration) -> bool {
        self.inner
            .engine
            .block_on(async { Ok(self.pause_async(wait).await) })
            .unwrap_or(false)
    }

    /// Waits `wait` through the sleeper. With an interruption hook, the wait is slept in
    /// slices of at most [`INTERRUPT_INTERVAL`], the hook asked before each; false when it
    /// said to stop (the rest of the wait is not slept).
    pub(crate) async fn pause_async(&self, wait: Duration) -> bool {
        let Some(interrupt) = self.interrupt() else {
            if !wait.is_zero() {
                self.inner.sleeper.sleep(wait).await;
            }
            return true;
        };
        let mut left = wait;
        while !left.is_zero() {
            if interrupt.interrupted() {
                return false;
            }
            let slice = left.min(INTERRUPT_INTERVAL);
            self.inner.sleeper.sleep(slice).await;
            left -= slice;
        }
        true
    }

    /// Performs a call on the calling thread, blocking it until the call ends.
    pub(crate) fn run(&self, call: &Call) -> Result<Response, Error> {
        self.inner.engine.block_on(self.perform(call))
    }

    /// Runs `future` on the client's runtime, blocking the calling thread until it ends.
    pub(crate) fn block_on<T>(
        &self,
        future: impl std::future::Future<Output = Result<T, Error>>,
    ) -> Result<T, Error> {
        self.inner.engine.block_on(future)
    }

    /// A number naming this client in log records ([`LogRecord::client`](crate::LogRecord));
    /// its clones and the clients derived from it share it.
    pub fn id(&self) -> u64 {
        self.inner.id
    }

    /// The runtime the client's requests run on.
    pub(crate) fn engine(&self) -> &Engine {
        &self.inner.engine
    }

    /// Runs attempts until one succeeds, fails for good, or the policy or deadline ends them.
    /// Dropping the future abandons the attempt in flight (its connection is closed).
    pub(crate) async fn perform(&self, call: &Call) -> Result<Response, Error> {
        let Call { request, repeat } = call;
        let repeat = *repeat;
        let inner = &*self.inner;
        let deadline = inner.clock.now() + inner.total_timeout;
        let max_attempts = inner.max_retries + 1;
        let mut attempt = 0;
        loop {
            attempt += 1;
            // Asked here and in `pause_async`, never while a request is in flight: a
            // request that was written is not abandoned.
            if attempt > 1 && self.interrupted() {
                return Err(Error::Cancelled {
                    attempts: attempt - 1,
                    possibly_sent: false,
                });
            }
            let remaining = deadline.saturating_duration_since(inner.clock.now());
            if remaining.is_zero() {
                return Err(Error::Timeout {
                    attempts: attempt - 1,
                    possibly_sent: false,
                });
            }
            if let Some(limiter) = inner.rate_limiter.as_deref().filter(|_| repeat.is_send()) {
                let wait = limiter.reserve(&inner.business_id).await;
                if !wait.is_zero() {
                    if !fits(inner.clock.now(), wait, deadline) {
                        return logged(
                            inner.id,
                            Err(Error::Timeout {
                                attempts: attempt - 1,
                                possibly_sent: false,
                            }),
                        );
                    }
                    if !self.pause_async(wait).await {
                        return logged(
                            inner.id,
                            Err(Error::Cancelled {
                                attempts: attempt - 1,
                                possibly_sent: false,
                            }),
                        );
                    }
                }
            }
            tracing::debug!(
                target: "connectly",
                client = inner.id,
                method = %request.method,
                path = request.url.path(),
                attempt,
                "sending"
            );
            let flight = Attempt::start(attempt);
            let outcome = transport::send(
                &inner.http,
                request,
                &inner.api_key,
                inner.timeout.min(remaining),
            )
            .await;
            flight.ended();
            let (error, retry_after) = match self.judge(outcome, attempt, repeat) {
                Verdict::Done(result) => return logged(inner.id, result),
                Verdict::Retry { error, retry_after } => (error, retry_after),
            };
            if attempt >= max_attempts {
                return logged(inner.id, Err(error));
            }
            let wait = retry::wait(attempt, retry_after, &*inner.jitter);
            if let (Some(limiter), Error::RateLimited { .. }) = (&inner.rate_limiter, &error) {
                // The whole budget backs off, not only this call.
                limiter
                    .throttled(&inner.business_id, retry_after.unwrap_or(wait))
                    .await;
            }
            if !fits(inner.clock.now(), wait, deadline) {
                return logged(inner.id, Err(error));
            }
            tracing::warn!(
                target: "connectly",
                client = inner.id,
                attempt,
                error = error.kind().name(),
                wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                "retrying"
            );
            if !self.pause_async(wait).await {
                return logged(
                    inner.id,
                    Err(Error::Cancelled {
                        attempts: attempt,
                        possibly_sent: false,
                    }),
                );
            }
        }
    }

    /// Decides what one attempt's outcome means: a final result, or a retry.
    fn judge(&self, outcome: Result<Reply, Broken>, attempts: u32, repeat: Repeat) -> Verdict {
        let reply = match outcome {
            Ok(reply) => reply,
            Err(broken) => {
                let retry = match &broken {
                    // A certificate or TLS protocol failure will fail the same way again;
                    // only I/O failures before the request was sent are worth repeating.
                    Broken::NotConnected { tls, .. } => !tls,
                    Broken::TimedOut => repeat.retries_timeout(),
                    Broken::Interrupted { .. } | Broken::TooLarge { .. } => false,
                };
                let error = broken.into_error(attempts);
                return if retry {
                    Verdict::Retry {
                        error,
                        retry_after: None,
                    }
                } else {
                    Verdict::Done(Err(error))
                };
            }
        };
        let status = reply.status;
        if (200..300).contains(&status) {
            return Verdict::Done(Ok(Response::from_reply_redacting(
                status,
                &reply.body,
                attempts,
                self.inner.api_key.to_str().ok(),
            )));
        }
        if (300..400).contains(&status) {
            return Verdict::Done(Err(Error::Redirect { status, attempts }));
        }
        // The API key is removed from the reply, should a proxy ever echo it back.
        let api = Box::new(ApiError::from_reply_redacting(
            status,
            &reply.body,
            attempts,
            self.inner.api_key.to_str().ok(),
        ));
        if status == 429 {
            let now = self.inner.clock.system_time();
            let retry_after = reply
                .retry_after
                .as_deref()
                .and_then(|v| retry::parse_retry_after(v, now));
            let too_long = retry_after.is_some_and(|d| d > retry::MAX_RETRY_AFTER);
            let error = Error::RateLimited {
                retry_after,
                error: api,
            };
            return if too_long {
                Verdict::Done(Err(error))
            } else {
                Verdict::Retry { error, retry_after }
            };
        }
        let error = match status {
            401 | 403 => Error::Authentication(api),
            500..=599 => Error::Server(api),
            _ => Error::Api(api),
        };
        if repeat.retries_status(status) {
            Verdict::Retry {
                error,
                retry_after: None,
            }
        } else {
            Verdict::Done(Err(error))
        }
    }
}

/// A call checked and built, not yet made: its request, and whether repeating it can have an
/// effect twice. Made blocking ([`Client::run`]) or on the runtime ([`AsyncClient`]).
///
/// [`AsyncClient`]: crate::AsyncClient
#[derive(Debug, Clone)]
pub(crate) struct Call {
    request: Request,
    repeat: Repeat,
}

impl Call {
    /// What the call sends: its path and body (empty when it has none).
    pub(crate) fn identity(&self) -> (String, Vec<u8>) {
        (
            self.request.url.path().to_owned(),
            self.request.body.clone().unwrap_or_default(),
        )
    }

    /// A send: retried only when it provably did not reach the server, or on 429.
    pub(crate) fn unsafe_to_repeat(request: Request) -> Self {
        Self {
            request,
            repeat: Repeat::Unsafe,
        }
    }

    /// A call whose repeat has the effect of one: also retried on 5xx and timeouts.
    pub(crate) fn safe_to_repeat(request: Request) -> Self {
        Self {
            request,
            repeat: Repeat::Safe,
        }
    }
}

/// What one attempt's outcome means for the call.
enum Verdict {
    Done(Result<Response, Error>),
    Retry {
        error: Error,
        /// How long the server asked to wait, when it said.
        retry_after: Option<Duration>,
    },
}

/// Records a call's end (never its error's text, which may quote the provider), and passes
/// the result on.
fn logged(client: u64, result: Result<Response, Error>) -> Result<Response, Error> {
    match &result {
        Ok(response) => tracing::info!(
            target: "connectly",
            client,
            status = response.status,
            attempts = response.attempts,
            trace_id = response.trace_id.as_deref().unwrap_or(""),
            "answered"
        ),
        Err(error) => tracing::warn!(
            target: "connectly",
            client,
            error = error.kind().name(),
            status = error.status().unwrap_or(0),
            "failed"
        ),
    }
    result
}

/// Whether waiting `wait` from `now` still ends before `deadline`.
fn fits(now: Instant, wait: Duration, deadline: Instant) -> bool {
    now.checked_add(wait).is_some_and(|end| end < deadline)
}
