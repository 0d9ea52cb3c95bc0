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
//! All under `/v1/businesses/{business_id}`:
//!
//! | method and path | body | answer (200) |
//! |---|---|---|
//! | `POST /send/messages` | `{"sender"?: {"id", "channelType"}, "recipient": {"id", "channelType", "name"?}, "message": {"id"?, "text"?, "attachments"?, "location"?, "listMessage"?, "replyButtonMessage"?, "singleProductMessage"?, "multiProductMessage"?}}` | `{"id": "<unique id>", "cntTraceId": "<digits>"}` |
//! | `POST /send/whatsapp_templated_messages` | `{"parameters": [{"name", "value"}, …], "number", "templateName", "language"?, "sender"? (a string), "callbackData"? (any JSON), "campaignName"?}` | `{"id", "cntTraceId"}` |
//! | `POST /create/webhooks` | `{"topic", "address", "type"?, "configuration"?: {"echo"?, "channelTypes"?, "filters"?: [{"field", "expression"}]}}` | `{"id": "wh_…", "topic", "address"}` |
//! | `GET /webhooks` | none | `{"entity": {"businessId", "webhooks": [{"id", "topic", "address", "configuration"}, …]}}` |
//! | `PUT /update/webhooks/{webhookId}` | `{"address"?, "configuration"?}` (at least one; `"topic"` only if unchanged) | `{"id", "topic", "address", "configuration"}` as updated |
//! | `DELETE /delete/webhooks/{webhookId}` | none | `{}` |
//! | `POST /get/templates` | none | `{"entity": {"templateGroups": […]}}` |
//! | `POST /send/campaigns` | `{"entries": [{"client", "campaignName", "campaignVersion"?, "variables"? (strings), "sender"?, "scheduledAt"?}, …]}` | `{"data": [{"acceptedCount", "rejectedCount", "error": null}]}` |
//!
//! `?` marks an optional field; an optional field is left out, not `null`. In a session
//! message, `attachments` holds exactly one `{"type": "image"|"video"|"audio"|"document",
//! "url": "https://…", "caption"?, "filename"? (documents only)}`; `location` is
//! `{"latitude", "longitude", "name"?, "address"?}`; `listMessage` is `{"header"?: {"text"},
//! "footer"?: {"text"}, "button": {"text"}, "sections": [{"title", "rows": [{"id", "text",
//! "description"?}]}]}` (1 to 10 rows in all, ids unique); `replyButtonMessage` is
//! `{"header"?, "footer"?, "buttons": [{"id", "text"}]}` (1 to 3, ids unique); the product
//! messages are any JSON object. Contents may be combined (text beside a list, say); at
//! least one is needed. A `number`, `recipient.id` or `client` may be `bsuid:<id>` or any
//! other id not starting with `+`.
//!
//! Checks, in this order; each failure answers with an error in Connectly's documented
//! format, `{"message", "type", "code", "userTitle", "userMessage", "cntTraceId", "details"}`:
//!
//! | check | status | `type` / `code` |
//! |---|---|---|
//! | path is not one of the above | 404 | `ERROR_TYPE_INVALID_REQUEST` / `ERROR_CODE_NOT_FOUND`* |
//! | method is not the path's | 405 (with `Allow: POST`, `GET`, `PUT` or `DELETE`) | `ERROR_TYPE_INVALID_REQUEST` / `ERROR_CODE_METHOD_NOT_ALLOWED`* |
//! | `X-API-Key` missing or wrong | 401 | `ERROR_TYPE_AUTHENTICATION` / `ERROR_CODE_API_KEY_INVALID`* |
//! | business id is not the mock's | 404 | `ERROR_TYPE_INVALID_REQUEST` / `ERROR_CODE_BUSINESS_NOT_FOUND`* |
//! | `Content-Type` is not `application/json` (parameters allowed); not checked when a bodiless call (list, delete, templates) has an empty body | 415 | `ERROR_TYPE_INVALID_REQUEST` / `ERROR_CODE_CONTENT_TYPE_INVALID`* |
//! | body is not a JSON object of the exact shape: unknown or missing field, wrong type, `null`, an empty `message.id`, `language`, `campaignName` or `channelType`; a bodiless call's body other than empty or `{}`; an update with neither `address` nor `configuration`; no campaign entries | 400 | `ERROR_TYPE_INVALID_REQUEST` / `ERROR_CODE_INVALID_REQUEST_BODY`* |
//! | `message.text` empty or blank | 400 | `…` / `ERROR_CODE_MESSAGE_TEXT_EMPTY` |
//! | `message.attachments` not exactly one item | 400 | `…` / `ERROR_CODE_MESSAGE_ATTACHMENTS_NUMBER_INVALID` |
//! | attachment `type` unknown, `url` not absolute `https`, `filename` on a non-document or empty | 400 | `…` / `ERROR_CODE_MESSAGE_ATTACHMENT_INVALID`* |
//! | `latitude` outside -90..90, `longitude` outside -180..180 | 400 | `…` / `ERROR_CODE_MESSAGE_LOCATION_INVALID`* |
//! | list message: no section, a section without rows, more than 10 rows, a blank header/footer/button text or row id/text, a repeated row id | 400 | `…` / `ERROR_CODE_MESSAGE_LIST_INVALID`* |
//! | reply buttons: not 1 to 3, a blank header/footer text or button id/text, a repeated id | 400 | `…` / `ERROR_CODE_MESSAGE_REPLY_BUTTONS_INVALID`* |
//! | a message with no content (nothing but `id`) | 400 | `…` / `ERROR_CODE_MESSAGE_CONTENT_MISSING`* |
//! | an id or number starting with `+` that is not `+` and 8–15 digits; `bsuid:` alone; an empty one | 400 | `…` / `ERROR_CODE_PHONE_NUMBER_BAD_FORMAT` |
//! | a `sender` (session `sender.id`, template or campaign `sender`) failing the same rule | 400 | `…` / `ERROR_CODE_INVALID_SENDER_ID` |
//! | `parameters` not a list of `{name, value}` strings, empty name or value, repeated name | 400 | `…` / `ERROR_CODE_MESSAGE_TEMPLATE_INPUT_INVALID` |
//! | `templateName` empty | 400 | `…` / `ERROR_CODE_MESSAGE_TEMPLATE_NOT_FOUND` |
//! | `callbackData` longer than 1024 bytes as serde_json writes it compactly | 400 | `…` / `ERROR_CODE_CALLBACK_DATA_TOO_LARGE`* |
//! | `topic` not `messages` or `delivery_status` | 400 | `…` / `ERROR_CODE_WEBHOOK_TOPIC_INVALID`* |
//! | `address` not an absolute `http(s)` URL | 400 | `…` / `ERROR_CODE_WEBHOOK_ADDRESS_INVALID`* |
//! | `type` not `custom`, `zapier`, `webengage` or `integromat_make` | 400 | `…` / `ERROR_CODE_WEBHOOK_TYPE_INVALID`* |
//! | creating a webhook for a topic that has one, in conflict mode | 409 | `…` / `ERROR_CODE_WEBHOOK_ALREADY_EXISTS`*, message "an endpoint is already registered for this topic — use update" |
//! | updating or deleting an unknown `webhookId` (percent-decoded) | 404 | `…` / `ERROR_CODE_WEBHOOK_NOT_FOUND`* |
//! | an update whose `topic` differs from the webhook's | 400 | `…` / `ERROR_CODE_WEBHOOK_TOPIC_IMMUTABLE`* |
//! | a campaign entry naming an unpublished campaign | 409 | `…` / `ERROR_CODE_CAMPAIGN_NOT_PUBLISHED`* |
//!
//! Codes marked * are the mock's own: Connectly documents none for these cases.
//!
//! Connectly documents few success bodies; the mock's are those above, and code under test
//! should rely on no more than the documented `id` (and, for campaigns, `data[0]`'s counts).
//!
//! - Sends: every accepted send (session or template) is kept (see
//!   [`MockServer::messages`]) with its id, path, recipient, sender, `callbackData` and
//!   `campaignName`, for status events. A `message.id` in the request is not echoed: the
//!   mock mints its own id.
//! - Webhooks: one per topic. Creating one for a topic that has one replaces it (a new id,
//!   type and configuration; the same place in the list), unless conflict mode is on
//!   ([`MockBuilder::webhook_conflicts`]): then it answers 409. A webhook created without a
//!   `configuration` lists `{}`. An update changes only the fields sent.
//! - Templates: [`default_templates`] unless seeded ([`MockBuilder::templates`],
//!   [`MockServer::set_templates`]); template sends do not check the name against them.
//! - Campaigns: every campaign is published unless named by
//!   [`MockBuilder::unpublished_campaign`]; if any entry names an unpublished one the whole
//!   request answers 409. Otherwise entries whose `client` fails the number rule are
//!   counted as rejected, the others as accepted.
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
//! A request answered by a failure changes nothing (registers, updates or deletes no
//! webhook, keeps no message, triggers no automatic status); a delayed one does.
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
//! business phone defaults to the business id ([`MockBuilder::business_phone`]). The other
//! inbound kinds keep `timestamp`, `sender` and `recipient` and replace `message`:
//!
//! | method | what follows `recipient` |
//! |---|---|
//! | [`MockServer::deliver_media`] | `"message":{"attachments":[{"type","url","caption"?}]}` |
//! | [`MockServer::deliver_location`] | `"message":{"location":{"latitude","longitude","name"?,"address"?}}` |
//! | [`MockServer::deliver_button_reply`], [`ButtonReply::Flagged`] | `"message":{"text","isButtonResponse":true}` |
//! | … [`ButtonReply::WithContext`] | `"buttonResponse":{"text","payload"},"context":{"replyToId"}` |
//! | … [`ButtonReply::WithId`] | `"buttonResponse":{"text","id","payload"}` |
//! | [`MockServer::deliver_list_reply`] (the mock's own shape) | `"listResponse":{"id","text","description"?}` |
//! | [`MockServer::deliver_quoted_reply`] | `"message":{"text"},"context":{"replyToId"}` |
//! | [`MockServer::deliver_referral`] | `"message":{"text","referral":{"ctwaClid",…}}` |
//!
//! [`MockServer::deliver_status`] POSTs to the `delivery_status` webhook, about a message
//! the mock accepted:
//!
//! ```text
//! {"topic":"delivery_status","timestamp":"<unix secs>","sender":{"id":"<the send's sender, or the business phone>","channelType":"<recipient's>"},
//!  "recipient":{"id":"<recipient>","channelType":"…"},"statusUpdate":{"id":"<message id>","status":"<status>","error":null},
//!  "metadata":{"campaign_name":"<campaignName>"},"callbackData":<callbackData>}
//! ```
//!
//! `metadata` is `null` without a campaign name; with [`CampaignNamePlace::StatusUpdate`]
//! it is `null` and the name is in `statusUpdate.metadata.campaignName`. `callbackData` is
//! there only if the send had one. For `delivery_failed` (and `delivery_failure`),
//! `statusUpdate.error` is an error in the documented format with code
//! `ERROR_CODE_MESSAGE_OUTSIDE_OF_ELIGIBILITY_WINDOW`. [`MockServer::deliver_event`] sends
//! any JSON, signed.
//!
//! With automatic statuses on ([`MockBuilder::auto_statuses`],
//! [`MockServer::set_auto_statuses`]), every accepted send is followed by `sent`,
//! `delivered` and `read` for its id ([`StatusOrder::InOrder`], or shuffled), delivered as
//! above from one background thread, message after message, to the `delivery_status`
//! webhook registered when each is made; failed ones (no webhook, a receiver answering
//! other than 200) are dropped. They may arrive before the client has read the send's
//! answer, and stop when the mock stops.
//!
//! Deliveries follow no redirects, use no proxy and time out after 10 s. Call them from a
//! plain thread, not from inside an async runtime. A receiver answering other than 200 is a
//! [`MockError::Rejected`] (except for [`MockServer::deliver_raw`]).
//!
//! # The control protocol
//!
//! So that other processes (the CLI, test suites in other languages) can drive a mock, it
//! serves these paths on the same port. They are not recorded and pop no failure. Every one
//! requires the mock's `X-API-Key` (else 401); an unknown path is 404, a wrong method 405
//! (with `Allow`), a bad body 400 (errors in the documented format). Bodies are JSON
//! (`Content-Type` is not checked); unknown fields are refused.
//!
//! | request | answer (200) |
//! |---|---|
//! | `GET /_mock/requests` | `[{"method", "path", "headers": [[name, value], …], "body": <UTF-8 text or null>, "body_base64", "json": <parsed body or null>, "received_unix_ms": <arrival time, ms since the Unix epoch>}, …]` in arrival order |
//! | `POST /_mock/reset` | clears the recorded requests, the failure queue and the accepted messages (not the webhooks nor the switches below); `{"ok": true}` |
//! | `POST /_mock/fail` with a list (or one) of `{"status": 429, "retry_after": "1", "body": "…"}`, `{"delay_ms": 200}`, `{"drop": true}`, `{"drop_before_read": true}`, `{"reset_mid_body": true}`, `{"half_written": true}`, `{"dribble_bytes_per_sec": 1}`, `{"huge_bytes": 209715200, "chunked": true}`, `{"invalid_json": true}` | queues them; `{"queued": <queue length>}` |
//! | `GET /_mock/fail` | the queue, in the same form |
//! | `GET /_mock/webhooks` | `[{"id", "topic", "address", "type", "configuration"}, …]` |
//! | `GET /_mock/config` | `{"business_id", "webhook_secret", "business_phone"}` |
//! | `GET /_mock/messages` | the accepted sends, oldest first: `[{"id", "path", "recipient", "channel_type", "sender": <string or null>, "callback_data": <JSON or null>, "campaign_name": <string or null>}, …]` |
//! | `POST /_mock/webhook_conflicts` with `{"enabled": true}` | conflict mode on or off; `{"enabled": <bool>}` (`GET` answers the same) |
//! | `POST /_mock/templates` with any JSON (the `templateGroups` array) | served verbatim from now on; `{"ok": true}` (`GET` answers the current `templateGroups`) |
//! | `POST /_mock/unpublished_campaigns` with `["name", …]` | replaces the unpublished campaigns (`[]` publishes all); `{"unpublished": [names, sorted]}` (`GET` answers the same) |
//! | `POST /_mock/statuses` with `{"auto": "off" \| "in_order" \| "shuffled"}` | automatic statuses; `{"auto": …}` (`GET` answers the same) |
//! | `POST /_mock/deliver` with `{"from": "+1…", "text": "…"}`, or a `"kind"` and its fields (below) | delivers to the `messages` webhook: `{"ok": true, "address", "status", "body", "signature", "response"}` |
//! | `POST /_mock/deliver_event` with `{"topic": "messages", "event": <any JSON>}` | delivers the event, written compactly and signed; the same answer |
//! | `POST /_mock/deliver_status` with `{"message_id", "status", "campaign_name_place"?: "metadata" \| "status_update"}` | delivers a status event about an accepted send; the same answer |
//! | `POST /_mock/deliver_raw` with `{"topic": "messages", "body": "…" (or "body_base64"), "signature": "…" or null}` | POSTs that body as is; the same answer, whatever status the receiver gave (`ok` is `status == 200`) |
//!
//! The kinds of `POST /_mock/deliver` (`from` is required in all; `?` marks optional
//! fields; all values are strings but `latitude` and `longitude`, numbers):
//!
//! | `"kind"` | fields |
//! |---|---|
//! | `"text"` (or no kind) | `text` |
//! | `"media"` | `type`, `url`, `caption`? |
//! | `"location"` | `latitude`, `longitude`, `name`?, `address`? |
//! | `"button_reply"` | `"shape": "flagged"` with `text`; `"shape": "with_context"` with `text`, `payload`, `reply_to_id`; `"shape": "with_id"` with `text`, `id`, `payload` |
//! | `"list_reply"` | `id`, `text`, `description`? |
//! | `"quoted_reply"` | `text`, `reply_to_id` |
//! | `"referral"` | `text`, `referral` (a JSON object, sent as given) |
//!
//! A delivery that fails answers `{"ok": false, "error": "no_webhook" | "unknown_message" |
//! "transport" | "rejected", "message", "response": {"status", "body"} or null}` with
//! status 409 (no webhook), 404 (`deliver_status` for an id the mock did not accept) or
//! 502 (could not connect, or the receiver answered other than 200).
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
mod checks;
mod control;
mod deliver;
mod errors;
mod events;
mod failure;
mod http;
mod state;
mod statuses;
mod templates;

use std::collections::BTreeSet;
use std::net::{SocketAddr, TcpListener};
use std::sync::atomic::Ordering;
use std::sync::Arc;

pub use deliver::{Delivery, MockError};
pub use events::{ButtonReply, CampaignNamePlace, Referral};
pub use failure::Failure;
pub use state::{AcceptedMessage, RecordedRequest, WebhookRegistration};
pub use statuses::StatusOrder;
pub use templates::default_templates;

use events::Inbound;
use http::{HttpServer, Reply, Request, Service};
use state::{Config, Settings, State};

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
    /// Declared first, so the status thread stops delivering as soon as the mock stops.
    _stop: StopStatuses,
    /// Declared before `state`, so it is dropped first: its threads, and their share of
    /// the state, are gone before the last share is dropped here, off the server's threads.
    server: HttpServer,
    state: Arc<State>,
}

/// Tells the automatic status deliveries to stop, when dropped.
struct StopStatuses(Arc<State>);

impl Drop for StopStatuses {
    fn drop(&mut self) {
        self.0.stopped.store(true, Ordering::Release);
    }
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
    webhook_conflicts: bool,
    templates: Option<serde_json::Value>,
    unpublished: BTreeSet<String>,
    auto_statuses: Option<StatusOrder>,
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
            webhook_conflicts: false,
            templates: None,
            unpublished: BTreeSet::new(),
            auto_statuses: None,
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

    /// Whether a second registration of a topic answers 409 (`ERROR_CODE_WEBHOOK_ALREADY_EXISTS`)
    /// instead of replacing the first, as one of the provider's pages says (default: it
    /// replaces).
    pub fn webhook_conflicts(mut self, enabled: bool) -> Self {
        self.webhook_conflicts = enabled;
        self
    }

    /// The `templateGroups` `POST /get/templates` answers with, verbatim (default
    /// [`default_templates`]).
    pub fn templates(mut self, template_groups: serde_json::Value) -> Self {
        self.templates = Some(template_groups);
        self
    }

    /// Marks a campaign as not published: `POST /send/campaigns` naming it answers 409
    /// (every other campaign is published). Call it once per campaign.
    pub fn unpublished_campaign(mut self, name: impl Into<String>) -> Self {
        self.unpublished.insert(name.into());
        self
    }

    /// Follows every accepted send with deliveries of `sent`, `delivered` and `read` for
    /// its id to the `delivery_status` webhook, in `order` (default: no automatic
    /// statuses).
    pub fn auto_statuses(mut self, order: StatusOrder) -> Self {
        self.auto_statuses = Some(order);
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
            Settings {
                webhook_conflicts: self.webhook_conflicts,
                templates: self.templates.unwrap_or_else(default_templates),
                unpublished: self.unpublished,
                auto_statuses: self.auto_statuses,
            },
        ));
        let server = HttpServer::serve(
            listener,
            MockService {
                state: Arc::clone(&state),
            },
        )?;
        Ok(MockServer {
            _stop: StopStatuses(Arc::clone(&state)),
            server,
            state,
        })
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

    /// Forgets the recorded requests, the queued failures and the accepted messages (not
    /// the webhooks, nor the switches: conflicts, templates, campaigns, automatic statuses).
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
        self.state
            .webhooks()
            .into_iter()
            .map(|w| (w.topic, w.address))
            .collect()
    }

    /// The registered webhooks with their ids, types and configurations, one per topic.
    pub fn webhook_registrations(&self) -> Vec<WebhookRegistration> {
        self.state.webhooks()
    }

    /// Whether a second registration of a topic answers 409 instead of replacing the first
    /// (see [`MockBuilder::webhook_conflicts`]).
    pub fn set_webhook_conflicts(&self, enabled: bool) {
        self.state
            .change_settings(|s| s.webhook_conflicts = enabled);
    }

    /// The `templateGroups` `POST /get/templates` answers with.
    pub fn templates(&self) -> serde_json::Value {
        self.state.settings().templates
    }

    /// Replaces the `templateGroups` `POST /get/templates` answers with (stored verbatim,
    /// so a test may serve odd shapes too).
    pub fn set_templates(&self, template_groups: serde_json::Value) {
        self.state
            .change_settings(|s| s.templates = template_groups);
    }

    /// Replaces the campaigns that are not published (`POST /send/campaigns` answers 409
    /// for them); an empty list publishes all.
    pub fn set_unpublished_campaigns<I, S>(&self, names: I)
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let names: BTreeSet<String> = names.into_iter().map(Into::into).collect();
        self.state.change_settings(|s| s.unpublished = names);
    }

    /// Switches automatic status deliveries on (in an order) or off (`None`); see
    /// [`MockBuilder::auto_statuses`]. Messages accepted before stay as they were.
    pub fn set_auto_statuses(&self, order: Option<StatusOrder>) {
        self.state.change_settings(|s| s.auto_statuses = order);
    }

    /// The messages the mock accepted (session and template sends), oldest first; the
    /// newest [`MockBuilder::record_limit`] are kept.
    pub fn messages(&self) -> Vec<AcceptedMessage> {
        self.state.messages()
    }

    /// Delivers an inbound WhatsApp message from `from` to the `messages` webhook, signed
    /// with the webhook secret. The receiver must answer 200.
    pub fn deliver_inbound(&self, from: &str, text: &str) -> Result<Delivery, MockError> {
        deliver::inbound(&self.state, from, &Inbound::Text(text.to_owned()))
    }

    /// Delivers an inbound media message: `"message": {"attachments": [{"type": kind,
    /// "url", "caption"?}]}` (`kind`: `image`, `video`, `audio`, `document`, or any other
    /// string). The receiver must answer 200.
    pub fn deliver_media(
        &self,
        from: &str,
        kind: &str,
        url: &str,
        caption: Option<&str>,
    ) -> Result<Delivery, MockError> {
        let inbound = Inbound::Media {
            kind: kind.to_owned(),
            url: url.to_owned(),
            caption: caption.map(str::to_owned),
        };
        deliver::inbound(&self.state, from, &inbound)
    }

    /// Delivers an inbound location: `"message": {"location": {"latitude", "longitude",
    /// "name"?, "address"?}}`. The receiver must answer 200.
    pub fn deliver_location(
        &self,
        from: &str,
        latitude: f64,
        longitude: f64,
        name: Option<&str>,
        address: Option<&str>,
    ) -> Result<Delivery, MockError> {
        let inbound = Inbound::Location {
            latitude,
            longitude,
            name: name.map(str::to_owned),
            address: address.map(str::to_owned),
        };
        deliver::inbound(&self.state, from, &inbound)
    }

    /// Delivers a button reply in one of its three documented shapes. The receiver must
    /// answer 200.
    pub fn deliver_button_reply(
        &self,
        from: &str,
        reply: &ButtonReply,
    ) -> Result<Delivery, MockError> {
        deliver::inbound(&self.state, from, &Inbound::Button(reply.clone()))
    }

    /// Delivers a list reply: top-level `"listResponse": {"id", "text", "description"?}`
    /// (the mock's own shape: the provider documents none). The receiver must answer 200.
    pub fn deliver_list_reply(
        &self,
        from: &str,
        row_id: &str,
        text: &str,
        description: Option<&str>,
    ) -> Result<Delivery, MockError> {
        let inbound = Inbound::List {
            id: row_id.to_owned(),
            text: text.to_owned(),
            description: description.map(str::to_owned),
        };
        deliver::inbound(&self.state, from, &inbound)
    }

    /// Delivers a text quoting an earlier message: `"message": {"text"}` and
    /// `"context": {"replyToId"}`. The receiver must answer 200.
    pub fn deliver_quoted_reply(
        &self,
        from: &str,
        text: &str,
        reply_to_id: &str,
    ) -> Result<Delivery, MockError> {
        let inbound = Inbound::Quoted {
            text: text.to_owned(),
            reply_to_id: reply_to_id.to_owned(),
        };
        deliver::inbound(&self.state, from, &inbound)
    }

    /// Delivers a text that came from a Click-to-WhatsApp ad: `"message": {"text",
    /// "referral": {…}}`. The receiver must answer 200.
    pub fn deliver_referral(
        &self,
        from: &str,
        text: &str,
        referral: &Referral,
    ) -> Result<Delivery, MockError> {
        let inbound = Inbound::Referral {
            text: text.to_owned(),
            referral: referral.to_json(),
        };
        deliver::inbound(&self.state, from, &inbound)
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

    /// Delivers `event`, written compactly and signed, to the webhook registered for
    /// `topic`: any event, in any shape. The receiver must answer 200.
    pub fn deliver_event(
        &self,
        topic: &str,
        event: serde_json::Value,
    ) -> Result<Delivery, MockError> {
        deliver::signed(&self.state, topic, event.to_string().into_bytes())
    }

    /// Delivers a `delivery_status` event saying `status` (`sent`, `delivered`, `read`,
    /// `delivery_failed`, or any other string) about the accepted message `message_id`,
    /// with its `callbackData` at the top level and its campaign name in top-level
    /// `metadata.campaign_name`; `delivery_failed` (and `delivery_failure`) carry an error
    /// in `statusUpdate.error`. The receiver must answer 200.
    pub fn deliver_status(&self, message_id: &str, status: &str) -> Result<Delivery, MockError> {
        self.deliver_status_with(message_id, status, CampaignNamePlace::Metadata)
    }

    /// [`MockServer::deliver_status`], with the campaign name where `place` says.
    pub fn deliver_status_with(
        &self,
        message_id: &str,
        status: &str,
        place: CampaignNamePlace,
    ) -> Result<Delivery, MockError> {
        deliver::status(&self.state, message_id, status, place)
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
        check::<AcceptedMessage>();
        check::<WebhookRegistration>();
        check::<ButtonReply>();
        check::<Referral>();
        check::<StatusOrder>();
        check::<CampaignNamePlace>();
    }
}
