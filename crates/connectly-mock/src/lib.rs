//! A local mock of the Connectly API: a real HTTP/1.1 server on `127.0.0.1` that speaks the
//! documented endpoints, records what it receives, fails on demand and delivers signed
//! webhooks.
//!
//! ```no_run
//! use connectly_mock::{Failure, MockServer};
//!
//! let mock = MockServer::start()?; // ephemeral port, default credentials
//! // Point a client at `mock.url()` with `mock.api_key()` and `mock.business_id()`.
//! mock.fail_next([Failure::status(429).retry_after("1")]);
//! // ... run the code under test ...
//! for request in mock.requests() {
//!     println!("{} {} {:?}", request.method, request.path, request.json());
//! }
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! # The API it serves
//!
//! All under `/v1/businesses/{business_id}`, all `POST`:
//!
//! | path | body |
//! |---|---|
//! | `/send/messages` | `{"recipient":{"channelType":"whatsapp","id":"+15555555555"},"message":{"text":"hello!"}}` |
//! | `/send/whatsapp_templated_messages` | `{"parameters":[{"name":"var1","value":"value1"}],"number":"+15555555555","templateName":"welcome"}` |
//! | `/create/webhooks` | `{"topic":"messages","address":"https://example.com/webhook"}` |
//!
//! Checks, in this order; each failure answers with an error in Connectly's documented
//! format, `{"message", "type", "code", "userTitle", "userMessage", "cntTraceId", "details"}`:
//!
//! | check | status | `type` / `code` |
//! |---|---|---|
//! | path is not one of the three | 404 | `ERROR_TYPE_INVALID_REQUEST` / `ERROR_CODE_NOT_FOUND`* |
//! | method is not `POST` | 405 (with `Allow: POST`) | `ERROR_TYPE_INVALID_REQUEST` / `ERROR_CODE_METHOD_NOT_ALLOWED`* |
//! | `X-API-Key` missing or wrong | 401 | `ERROR_TYPE_AUTHENTICATION` / `ERROR_CODE_API_KEY_INVALID`* |
//! | business id is not the mock's | 404 | `ERROR_TYPE_INVALID_REQUEST` / `ERROR_CODE_BUSINESS_NOT_FOUND`* |
//! | `Content-Type` is not `application/json` (parameters allowed) | 415 | `ERROR_TYPE_INVALID_REQUEST` / `ERROR_CODE_CONTENT_TYPE_INVALID`* |
//! | body is not a JSON object of the exact shape: unknown or missing field, wrong type | 400 | `ERROR_TYPE_INVALID_REQUEST` / `ERROR_CODE_INVALID_REQUEST_BODY`* |
//! | `message.text` empty or blank | 400 | `…` / `ERROR_CODE_MESSAGE_TEXT_EMPTY` |
//! | an id or number starting with `+` that is not `+` and 8–15 digits; an empty one | 400 | `…` / `ERROR_CODE_PHONE_NUMBER_BAD_FORMAT` |
//! | `parameters` not a list of `{name, value}` strings, empty name or value, repeated name | 400 | `…` / `ERROR_CODE_MESSAGE_TEMPLATE_INPUT_INVALID` |
//! | `templateName` empty | 400 | `…` / `ERROR_CODE_MESSAGE_TEMPLATE_NOT_FOUND` |
//! | `topic` not `messages` or `delivery_status` | 400 | `…` / `ERROR_CODE_WEBHOOK_TOPIC_INVALID`* |
//! | `address` not an absolute `http(s)` URL | 400 | `…` / `ERROR_CODE_WEBHOOK_ADDRESS_INVALID`* |
//!
//! Codes marked * are the mock's own: Connectly documents none for these cases.
//!
//! Success answers 200. Connectly does not document its success bodies; the mock answers
//! `{"id":"<unique id>","cntTraceId":"<digits>"}` to a send and
//! `{"topic":"...","address":"..."}` to a webhook registration (which replaces the address
//! registered for that topic, if any). Code under test should not rely on these bodies.
//!
//! # Recording and scripted failures
//!
//! Every request outside `/_mock/` is an API request: it is recorded (see
//! [`MockServer::requests`]; the newest 100 000 are kept by default) and pops one
//! [`Failure`] from the queue filled by [`MockServer::fail_next`]. A failure applies before
//! any check. A `Status` failure without a body answers the documented format with:
//! 401/403 `ERROR_TYPE_AUTHENTICATION`/`ERROR_CODE_API_KEY_INVALID`, 408/504
//! `ERROR_TYPE_DEADLINE_EXCEEDED`/`ERROR_CODE_DEADLINE_EXCEEDED`, 429
//! `ERROR_TYPE_RATE_LIMITED`/`ERROR_CODE_BUSINESS_REACHED_LIMITS`, other 5xx
//! `ERROR_TYPE_INTERNAL`/`ERROR_CODE_INTERNAL`, anything else `ERROR_TYPE_INVALID_REQUEST`.
//! A request answered by a failure registers no webhook (a delayed one does).
//!
//! # Webhook deliveries
//!
//! [`MockServer::deliver_inbound`] POSTs to the address registered for topic `messages`:
//!
//! ```text
//! content-type: text/plain; charset=utf-8
//! x-connectly-hmac-sha256: <base64 HMAC-SHA256 of the exact body, keyed with the webhook secret>
//! user-agent: connectly-mock/<crate version>
//!
//! {"timestamp":"<unix secs>","sender":{"id":"<from>","channelType":"whatsapp"},"recipient":{"id":"<business phone>","channelType":"whatsapp"},"message":{"text":"<text>"}}
//! ```
//!
//! The body has the fields and order of the documented example, written compactly. The
//! business phone defaults to the business id ([`MockBuilder::business_phone`]).
//! Deliveries follow no redirects, use no proxy and time out after 10 s. Call them from a
//! plain thread, not from inside an async runtime.
//!
//! # The control protocol
//!
//! So that other processes (the CLI, test suites in other languages) can drive a mock, it
//! serves these paths on the same port. They are not recorded and pop no failure. Every one
//! requires the mock's `X-API-Key` (else 401); an unknown path is 404, a wrong method 405, a
//! bad body 400 (errors in the documented format). Bodies are JSON.
//!
//! | request | answer (200) |
//! |---|---|
//! | `GET /_mock/requests` | `[{"method", "path", "headers": [[name, value], …], "body": <UTF-8 text or null>, "body_base64", "json": <parsed body or null>}, …]` in arrival order |
//! | `POST /_mock/reset` | clears the recorded requests and the failure queue (not the webhooks); `{"ok": true}` |
//! | `POST /_mock/fail` with a list (or one) of `{"status": 429, "retry_after": "1", "body": "…"}`, `{"delay_ms": 200}`, `{"drop": true}`, `{"drop_before_read": true}`, `{"reset_mid_body": true}`, `{"half_written": true}`, `{"dribble_bytes_per_sec": 1}`, `{"huge_bytes": 209715200, "chunked": true}`, `{"invalid_json": true}` | queues them; `{"queued": <queue length>}` |
//! | `GET /_mock/fail` | the queue, in the same form |
//! | `GET /_mock/webhooks` | `[{"topic", "address"}, …]` |
//! | `GET /_mock/config` | `{"business_id", "webhook_secret", "business_phone"}` |
//! | `POST /_mock/deliver` with `{"from": "+1…", "text": "…"}` | delivers to the `messages` webhook: `{"ok": true, "address", "status", "body", "signature", "response"}` |
//! | `POST /_mock/deliver_raw` with `{"topic": "messages", "body": "…" (or "body_base64"), "signature": "…" or null}` | POSTs that body as is; the same answer, whatever status the receiver gave (`ok` is `status == 200`) |
//!
//! A delivery that fails answers `{"ok": false, "error": "no_webhook" | "transport" |
//! "rejected", "message", "response": {"status", "body"} or null}` with status 409 (no
//! webhook) or 502.
//!
//! # HTTP
//!
//! HTTP/1.1 (hyper, on two threads of the mock's own, each running a single-threaded tokio
//! runtime) with keep-alive and pipelining; `Content-Length` and chunked request bodies up
//! to 10 MiB (larger: 413); `Expect: 100-continue`; `Connection: close`; HTTP/1.0 is
//! answered in HTTP/1.0 and closes unless it asks for keep-alive. Recorded header names
//! are lower-cased. A malformed request is answered 400
//! and the connection closed; requests the HTTP layer refuses (400, 413, 431) never reach
//! the mock and are not recorded. The server stops on [`MockServer::shutdown`] or drop: the
//! port is released and open connections are closed.

mod api;
mod control;
mod deliver;
mod errors;
mod failure;
mod http;
mod state;

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;

pub use deliver::{Delivery, MockError};
pub use failure::Failure;
pub use state::RecordedRequest;

use http::{HttpServer, Reply, Request, Service};
use state::{Config, State};

/// The API key a mock accepts unless told otherwise.
pub const DEFAULT_API_KEY: &str = "mock-api-key";
/// The business id a mock serves unless told otherwise.
pub const DEFAULT_BUSINESS_ID: &str = "mock-business";
/// The secret a mock signs deliveries with unless told otherwise.
pub const DEFAULT_WEBHOOK_SECRET: &str = "mock-webhook-secret";
/// How many requests a mock keeps unless told otherwise.
pub const DEFAULT_RECORD_LIMIT: usize = 100_000;

/// A running mock Connectly. It stops when dropped or on [`MockServer::shutdown`].
pub struct MockServer {
    /// Declared before `state`, so it is dropped first: its threads, and their share of
    /// the state, are gone before the last share is dropped here, off the server's threads.
    server: HttpServer,
    state: Arc<State>,
}

impl std::fmt::Debug for MockServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockServer")
            .field("url", &self.url())
            .field("business_id", &self.business_id())
            .finish_non_exhaustive()
    }
}

/// Settings for a [`MockServer`]; from [`MockServer::builder`].
#[derive(Debug, Clone)]
#[must_use]
pub struct MockBuilder {
    port: u16,
    api_key: String,
    business_id: String,
    webhook_secret: String,
    business_phone: Option<String>,
    record_limit: usize,
}

impl Default for MockBuilder {
    fn default() -> Self {
        MockBuilder {
            port: 0,
            api_key: DEFAULT_API_KEY.to_owned(),
            business_id: DEFAULT_BUSINESS_ID.to_owned(),
            webhook_secret: DEFAULT_WEBHOOK_SECRET.to_owned(),
            business_phone: None,
            record_limit: DEFAULT_RECORD_LIMIT,
        }
    }
}

impl MockBuilder {
    /// The port to listen on (on 127.0.0.1); 0, the default, picks a free one.
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// The API key to accept (default [`DEFAULT_API_KEY`]).
    pub fn api_key(mut self, api_key: impl Into<String>) -> Self {
        self.api_key = api_key.into();
        self
    }

    /// The business id to serve (default [`DEFAULT_BUSINESS_ID`]).
    pub fn business_id(mut self, business_id: impl Into<String>) -> Self {
        self.business_id = business_id.into();
        self
    }

    /// The secret to sign deliveries with (default [`DEFAULT_WEBHOOK_SECRET`]).
    pub fn webhook_secret(mut self, secret: impl Into<String>) -> Self {
        self.webhook_secret = secret.into();
        self
    }

    /// The id deliveries name as their recipient (default: the business id).
    pub fn business_phone(mut self, phone: impl Into<String>) -> Self {
        self.business_phone = Some(phone.into());
        self
    }

    /// How many requests to keep; older ones are forgotten (default
    /// [`DEFAULT_RECORD_LIMIT`]; 0 keeps none).
    pub fn record_limit(mut self, limit: usize) -> Self {
        self.record_limit = limit;
        self
    }

    /// Binds 127.0.0.1 and starts serving. Fails if the port is taken or a credential is
    /// empty.
    pub fn start(self) -> std::io::Result<MockServer> {
        let invalid = |what: &str| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("the mock's {what} must not be empty"),
            )
        };
        if self.api_key.is_empty() {
            return Err(invalid("API key"));
        }
        if self.business_id.is_empty() {
            return Err(invalid("business id"));
        }
        let signer =
            connectly::Webhook::new(&self.webhook_secret).map_err(|_| invalid("webhook secret"))?;
        let listener = TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, self.port))?;
        let business_phone = self
            .business_phone
            .unwrap_or_else(|| self.business_id.clone());
        let state = Arc::new(State::new(
            Config {
                api_key: self.api_key,
                business_id: self.business_id,
                webhook_secret: self.webhook_secret,
                business_phone,
                record_limit: self.record_limit,
            },
            signer,
        ));
        let server = HttpServer::serve(
            listener,
            MockService {
                state: Arc::clone(&state),
            },
        )?;
        Ok(MockServer { server, state })
    }
}

impl MockServer {
    /// Starts a mock on a free port with the default credentials.
    pub fn start() -> std::io::Result<MockServer> {
        MockServer::builder().start()
    }

    /// Settings for a mock.
    pub fn builder() -> MockBuilder {
        MockBuilder::default()
    }

    /// The base URL a client takes: `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.server.addr())
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.server.addr()
    }

    /// The API key it accepts.
    pub fn api_key(&self) -> &str {
        &self.state.config.api_key
    }

    /// The business id it serves.
    pub fn business_id(&self) -> &str {
        &self.state.config.business_id
    }

    /// The secret it signs deliveries with.
    pub fn webhook_secret(&self) -> &str {
        &self.state.config.webhook_secret
    }

    /// The requests received on API paths, oldest first, including those a scripted failure
    /// answered or dropped (not those dropped before reading).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state.requests()
    }

    /// How many API requests arrived since the start or the last clear (this counts
    /// requests beyond the record limit too).
    pub fn request_count(&self) -> usize {
        self.state.request_count()
    }

    /// Forgets the recorded requests.
    pub fn clear_requests(&self) {
        self.state.clear_requests();
    }

    /// Forgets the recorded requests and the queued failures (not the webhooks).
    pub fn reset(&self) {
        self.state.reset();
    }

    /// Queues failures: each API request pops one and plays it; once the queue is empty the
    /// mock behaves normally again.
    pub fn fail_next(&self, failures: impl IntoIterator<Item = Failure>) {
        self.state.queue_failures(failures);
    }

    /// The failures still queued.
    pub fn pending_failures(&self) -> Vec<Failure> {
        self.state.pending_failures()
    }

    /// The registered webhooks as `(topic, address)`, one per topic.
    pub fn webhooks(&self) -> Vec<(String, String)> {
        self.state.webhooks()
    }

    /// Delivers an inbound WhatsApp message from `from` to the `messages` webhook, signed
    /// with the webhook secret. The receiver must answer 200.
    pub fn deliver_inbound(&self, from: &str, text: &str) -> Result<Delivery, MockError> {
        deliver::inbound(&self.state, from, text)
    }

    /// POSTs `body` as is to the webhook registered for `topic`, with `signature` as the
    /// signature header (none if `None`), to test how a receiver treats bad deliveries.
    /// Any status the receiver answers with is returned in the `Delivery`.
    pub fn deliver_raw(
        &self,
        topic: &str,
        body: impl Into<Vec<u8>>,
        signature: Option<&str>,
    ) -> Result<Delivery, MockError> {
        deliver::raw(&self.state, topic, body.into(), signature)
    }

    /// Stops the server: the port is released, open connections are shut down, and the
    /// server's threads have ended when this returns.
    pub fn shutdown(self) {
        self.server.shutdown();
    }
}

/// Routes a request to the API or the control endpoints.
struct MockService {
    state: Arc<State>,
}

impl Service for MockService {
    fn on_head(&self, _method: &str, target: &str) -> bool {
        control::is_control(target) || !self.state.take_drop_before_read()
    }

    /// Control requests may deliver webhooks, over blocking HTTP.
    fn may_block(&self, target: &str) -> bool {
        control::is_control(target)
    }

    fn call(&self, request: Request) -> Reply {
        if control::is_control(&request.path) {
            control::handle(&self.state, &request)
        } else {
            api::handle(&self.state, request)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<MockServer>();
        check::<MockBuilder>();
        check::<Failure>();
        check::<MockError>();
    }
}
