//! `connectly.Client` and `connectly.Response`.

use std::time::Duration;

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString, PyTuple};

use super::args::{self, Secret};
use super::{admin, bulk, errors, fleet, guard, json, logs, message, operation, signals};
use connectly::{ClientBuilder, Message, NewWebhook, Recipient, WebhookUpdate};

/// A Connectly API client: one connection pool, safe to share between threads.
///
/// ``Client(api_key=None, business_id=None, *, base_url=None, timeout=30.0, max_retries=2,
/// rate_limiter=None)``; ``None`` reads ``CONNECTLY_API_KEY``, ``CONNECTLY_BUSINESS_ID`` and
/// ``CONNECTLY_BASE_URL``.
///
/// Every send request (each attempt, in every call) first waits its turn in the client's
/// send budget. ``rate_limiter=None`` (the default) is a ``LocalRateLimiter`` of the
/// client's own at 200/s (Connectly's documented limit) for the Connectly API, and none for
/// another base URL (the mock, a proxy); a ``LocalRateLimiter`` or ``RedisRateLimiter`` is
/// that budget (shared with every client given the same one: a ``RedisRateLimiter`` with
/// every process using the same Redis); ``False`` sends without any (429s are still
/// retried).
/// Every input is validated before anything is sent; the GIL is released during requests.
/// On the main thread, Ctrl-C (any signal handler's exception) stops a call that waits to
/// retry, or a ``send_many``, within about 50 ms: no new request is made, a request in
/// flight finishes, and the handler's exception (``KeyboardInterrupt``) is raised.
/// Its calls' log records go to ``logging.getLogger("connectly")``, each naming ``id``.
#[pyclass(frozen, module = "connectly._connectly")]
pub(crate) struct Client {
    inner: connectly::Client,
    timeout: f64,
    max_retries: u32,
}

/// A successful reply: ``status_code``, ``data`` (the JSON body; ``{}`` when empty),
/// ``attempts``, ``trace_id`` (the provider's ``cntTraceId``, when it sent one) and ``id``.
#[pyclass(frozen, module = "connectly._connectly")]
pub(crate) struct Response {
    /// The HTTP status (2xx).
    #[pyo3(get)]
    status_code: u16,
    /// The JSON body the API answered with (``{}`` when it was empty).
    #[pyo3(get)]
    data: Py<PyAny>,
    /// How many attempts the call took (1 when the first one succeeded).
    #[pyo3(get)]
    attempts: u32,
    /// The provider's trace id (``cntTraceId``), when the body carried one.
    #[pyo3(get)]
    trace_id: Option<String>,
    /// The ``id`` the reply carries, when it has one: a template send's message id (the id
    /// its delivery statuses name), a created webhook's id.
    #[pyo3(get)]
    id: Option<String>,
}

#[pymethods]
impl Response {
    fn __repr__(&self) -> String {
        format!(
            "Response(status_code={}, attempts={}, trace_id={})",
            self.status_code,
            self.attempts,
            self.trace_id
                .as_deref()
                .map_or_else(|| "None".to_owned(), |t| format!("{t:?}"))
        )
    }
}

/// Converts a core reply to a `Response`.
pub(super) fn response(py: Python<'_>, reply: connectly::Response) -> PyResult<Response> {
    let data = match &reply.body {
        serde_json::Value::Null => PyDict::new(py).into_any().unbind(),
        body => json::to_py(py, body)?.unbind(),
    };
    Ok(Response {
        status_code: reply.status,
        data,
        attempts: reply.attempts,
        id: reply.id().map(str::to_owned),
        trace_id: reply.trace_id,
    })
}

/// An optional JSON argument (``None`` is absent), as the core's JSON.
fn json_option(
    value: Option<&Bound<'_, PyAny>>,
    field: &'static str,
) -> PyResult<Option<serde_json::Value>> {
    value
        .filter(|value| !value.is_none())
        .map(|value| json::from_py(value, field))
        .transpose()
}

/// A `str` argument, or a `TypeError` naming it.
fn text(value: &Bound<'_, PyAny>, what: &str) -> PyResult<String> {
    match value.cast::<PyString>() {
        Ok(s) => Ok(s.to_cow()?.into_owned()),
        Err(_) => Err(PyTypeError::new_err(format!(
            "template parameter {what} must be str, not {}",
            value.get_type().name()?
        ))),
    }
}

/// Template parameters from a mapping (its items, in order) or an iterable of pairs.
pub(super) fn template_params(params: &Bound<'_, PyAny>) -> PyResult<Vec<(String, String)>> {
    let items = match params.cast::<PyDict>() {
        Ok(dict) => dict.items().into_any(),
        Err(_) if params.hasattr("items")? && !params.is_instance_of::<PyString>() => {
            params.call_method0("items")?
        }
        Err(_) => params.clone(),
    };
    if items.is_instance_of::<PyString>() {
        return Err(PyTypeError::new_err(
            "template params must be a dict or a list of (name, value) pairs, not str",
        ));
    }
    let mut pairs = Vec::new();
    for item in items.try_iter()? {
        let item = item?;
        let pair = item.cast::<PyTuple>().ok().filter(|t| t.len() == 2);
        let pair = match pair {
            Some(pair) => (pair.get_item(0)?, pair.get_item(1)?),
            None => {
                let seq: Vec<Bound<'_, PyAny>> = match item.extract() {
                    Ok(seq) if !item.is_instance_of::<PyString>() => seq,
                    _ => Vec::new(),
                };
                match <[Bound<'_, PyAny>; 2]>::try_from(seq) {
                    Ok([name, value]) => (name, value),
                    Err(_) => {
                        return Err(PyTypeError::new_err(
                            "each template parameter must be a (name, value) pair",
                        ))
                    }
                }
            }
        };
        pairs.push((text(&pair.0, "names")?, text(&pair.1, "values")?));
    }
    Ok(pairs)
}

#[pymethods]
impl Client {
    #[new]
    #[pyo3(signature = (
        api_key=None,
        business_id=None,
        *,
        base_url=None,
        timeout=connectly::DEFAULT_TIMEOUT.as_secs_f64(),
        max_retries=i64::from(connectly::DEFAULT_MAX_RETRIES),
        rate_limiter=None
    ))]
    fn new(
        py: Python<'_>,
        api_key: Option<&Bound<'_, PyAny>>,
        business_id: Option<&Bound<'_, PyAny>>,
        base_url: Option<&Bound<'_, PyAny>>,
        timeout: f64,
        max_retries: i64,
        rate_limiter: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        guard(py, || {
            // Read without pyo3's own conversion, whose error quotes a str it cannot encode.
            let api_key = args::optional_secret(api_key, "api_key", Secret::Config)?;
            let business_id = args::optional_secret(business_id, "business_id", Secret::Config)?;
            let base_url = args::optional_secret(base_url, "base_url", Secret::Config)?;
            let limiter = fleet::rate_limiter_choice(rate_limiter)?;
            let config =
                |message: &str| errors::client(py, &connectly::Error::Config(message.to_owned()));
            if !(timeout.is_finite() && timeout > 0.0) {
                return Err(config("the timeout must be a positive number of seconds"));
            }
            let duration = Duration::try_from_secs_f64(timeout)
                .map_err(|_| config("the timeout is out of range"))?;
            let retries = u32::try_from(max_retries)
                .map_err(|_| config("max retries must be between 0 and 10"))?;
            let mut builder = ClientBuilder::from_env()
                .timeout(duration)
                .max_retries(retries);
            if let Some(key) = api_key {
                builder = builder.api_key(key);
            }
            if let Some(id) = business_id {
                builder = builder.business_id(id);
            }
            if let Some(url) = base_url {
                builder = builder.base_url(url);
            }
            builder = match limiter {
                None => builder,
                Some(None) => builder.no_rate_limiter(),
                Some(Some(limiter)) => builder.rate_limiter(limiter),
            };
            let inner = builder.build().map_err(|err| errors::client(py, &err))?;
            logs::start(py)?;
            Ok(Client {
                inner,
                timeout,
                max_retries: retries,
            })
        })
    }

    /// Sends a free-form text message (``POST /send/messages``) to ``to`` on ``channel``.
    #[pyo3(
        signature = (to, text, channel=String::from("whatsapp")),
        text_signature = "(self, to, text, channel='whatsapp')"
    )]
    fn send_text(
        &self,
        py: Python<'_>,
        to: String,
        text: String,
        channel: String,
    ) -> PyResult<Py<PyAny>> {
        guard(py, || {
            self.perform(py, self.text_operation(py, to, text, channel)?)
        })
    }

    /// Sends a session message of any kind (``POST /send/messages``): a ``text``, one
    /// ``attachment``, a ``location``, a ``list`` or reply ``buttons`` (the last two with a
    /// ``text``, their body), with an optional ``sender`` (one of the business's numbers),
    /// ``message_id`` and ``recipient_name``. Everything is checked before a byte is sent.
    #[pyo3(
        signature = (
            to, *, text=None, attachment=None, location=None, list=None, buttons=None,
            channel=String::from("whatsapp"), sender=None, message_id=None, recipient_name=None
        ),
        text_signature = "(self, to, *, text=None, attachment=None, location=None, list=None, \
            buttons=None, channel='whatsapp', sender=None, message_id=None, recipient_name=None)"
    )]
    #[allow(clippy::too_many_arguments)]
    fn send_message(
        &self,
        py: Python<'_>,
        to: String,
        text: Option<String>,
        attachment: Option<PyRef<'_, message::Attachment>>,
        location: Option<PyRef<'_, message::Location>>,
        list: Option<PyRef<'_, message::ListMessage>>,
        buttons: Option<PyRef<'_, message::ReplyButtons>>,
        channel: String,
        sender: Option<String>,
        message_id: Option<String>,
        recipient_name: Option<String>,
    ) -> PyResult<Py<PyAny>> {
        guard(py, || {
            let draft = message::Draft::new(
                to,
                text,
                attachment,
                location,
                list,
                buttons,
                channel,
                sender,
                message_id,
                recipient_name,
            );
            self.perform(py, self.message_operation(py, &draft)?)
        })
    }

    /// Sends a WhatsApp template message: ``params`` in order (a dict, or a list of
    /// ``(name, value)`` pairs), the template's ``language``, the ``sender`` number,
    /// ``callback_data`` (any JSON-serialisable value, at most 1024 bytes of JSON; Connectly
    /// echoes it in the events about the message) and the ``campaign_name``.
    #[pyo3(
        signature = (
            number, template_name, params=None, *, language=None, sender=None,
            callback_data=None, campaign_name=None
        ),
        text_signature = "(self, number, template_name, params=(), *, language=None, \
            sender=None, callback_data=None, campaign_name=None)"
    )]
    #[allow(clippy::too_many_arguments)]
    fn send_template(
        &self,
        py: Python<'_>,
        number: String,
        template_name: String,
        params: Option<&Bound<'_, PyAny>>,
        language: Option<String>,
        sender: Option<String>,
        callback_data: Option<&Bound<'_, PyAny>>,
        campaign_name: Option<String>,
    ) -> PyResult<Py<PyAny>> {
        guard(py, || {
            let message = bulk::TemplateMessage::new(
                number,
                template_name,
                params,
                language,
                sender,
                callback_data,
                campaign_name,
            )?;
            self.perform(py, self.template_operation(py, &message)?)
        })
    }

    /// Registers the address Connectly delivers ``topic``'s events to (``messages`` or
    /// ``delivery_status``), with the integration ``type`` (``custom``, ``zapier``, ...) and
    /// a ``configuration`` dict when given. Safe to repeat, so retried on 5xx and timeouts.
    #[pyo3(
        signature = (address, topic=String::from("messages"), *, r#type=None, configuration=None),
        text_signature = "(self, address, topic='messages', *, type=None, configuration=None)"
    )]
    fn create_webhook(
        &self,
        py: Python<'_>,
        address: String,
        topic: String,
        r#type: Option<String>,
        configuration: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        guard(py, || {
            let operation =
                self.create_webhook_operation(py, address, topic, r#type, configuration)?;
            self.perform(py, operation)
        })
    }

    /// The business's webhook registrations (``GET /webhooks``), as ``WebhookInfo``
    /// objects; empty when it has none.
    fn list_webhooks(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        guard(py, || self.perform(py, self.list_webhooks_operation(py)?))
    }

    /// Changes a registration's ``address``, its ``configuration`` (a dict), or both
    /// (``PUT /update/webhooks/{id}``); an unknown id is an ``APIError`` (404).
    #[pyo3(
        signature = (webhook_id, *, address=None, configuration=None),
        text_signature = "(self, webhook_id, *, address=None, configuration=None)"
    )]
    fn update_webhook(
        &self,
        py: Python<'_>,
        webhook_id: String,
        address: Option<String>,
        configuration: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        guard(py, || {
            let operation =
                self.update_webhook_operation(py, &webhook_id, address, configuration)?;
            self.perform(py, operation)
        })
    }

    /// Removes a registration (``DELETE /delete/webhooks/{id}``); an unknown id is an
    /// ``APIError`` (404).
    fn delete_webhook(&self, py: Python<'_>, webhook_id: String) -> PyResult<Py<PyAny>> {
        guard(py, || {
            self.perform(py, self.delete_webhook_operation(py, &webhook_id)?)
        })
    }

    /// Makes ``address`` the registration for ``topic``, whichever way Connectly answers a
    /// second registration of a topic: replacing it, or 409, after which the registration
    /// is found and updated.
    #[pyo3(
        signature = (address, topic=String::from("messages"), *, configuration=None),
        text_signature = "(self, address, topic='messages', *, configuration=None)"
    )]
    fn upsert_webhook(
        &self,
        py: Python<'_>,
        address: String,
        topic: String,
        configuration: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        guard(py, || {
            let operation = self.upsert_webhook_operation(py, &address, &topic, configuration)?;
            self.perform(py, operation)
        })
    }

    /// The business's WhatsApp templates (``POST /get/templates``), one ``TemplateInfo``
    /// per template and language.
    fn list_templates(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        guard(py, || self.perform(py, self.list_templates_operation(py)?))
    }

    /// Sends a published campaign (``POST /send/campaigns``) to each entry: a
    /// ``CampaignEntry`` or a dict with the same keys. An unpublished campaign is an
    /// ``APIError`` (409). Retried like a send.
    fn send_campaign(&self, py: Python<'_>, entries: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        guard(py, || {
            self.perform(py, self.campaign_operation(py, entries)?)
        })
    }

    /// Sends every message (``TextMessage``, ``MessageRequest`` or ``TemplateMessage``) with at most
    /// ``concurrency`` in flight and, if set, at most ``rate_limit`` starts per second;
    /// returns one ``SendResult`` per message, in input order. None is dropped or sent twice.
    /// ``on_progress(done, failed, total)`` is called after each message.
    ///
    /// Interrupted on the main thread (Ctrl-C), it starts no new message, lets the ones in
    /// flight finish, and raises the signal handler's exception (``KeyboardInterrupt``) with
    /// ``results``: one ``SendResult`` per message as above, those never started failed
    /// with ``CancelledError``. Resend only those.
    ///
    /// ``journal`` (a path): each message's outcome is written to that file as it happens
    /// (its start made durable before its request), so that the same call with the same
    /// messages and journal, after a crash, a deploy or Ctrl-C, sends only what never left.
    /// A message confirmed sent is not sent again: its result is the response recorded, with
    /// ``attempts`` 0. A message whose request may have reached the server (in flight when
    /// the earlier run stopped, or failed with ``possibly_sent`` true) is not sent again: it
    /// fails with ``CancelledError`` whose ``possibly_sent`` is true, for you to check. A journal written for other messages is refused: every message fails with
    /// ``ValidationError`` (``field`` ``"journal"``) and nothing is sent.
    #[pyo3(
        signature = (
            messages, *, concurrency=connectly::DEFAULT_CONCURRENCY, rate_limit=None,
            on_progress=None, journal=None
        ),
        text_signature = "(self, messages, *, concurrency=8, rate_limit=None, on_progress=None, \
            journal=None)"
    )]
    fn send_many(
        &self,
        py: Python<'_>,
        messages: &Bound<'_, PyAny>,
        concurrency: usize,
        rate_limit: Option<f64>,
        on_progress: Option<Py<PyAny>>,
        journal: Option<std::path::PathBuf>,
    ) -> PyResult<Vec<bulk::SendResult>> {
        guard(py, || {
            bulk::send_many(
                py,
                &self.inner,
                messages,
                bulk::Batch {
                    concurrency,
                    rate_limit,
                    on_progress,
                    journal,
                },
            )
        })
    }

    /// The business id this client sends for.
    #[getter]
    fn business_id(&self) -> &str {
        self.inner.business_id()
    }

    /// The time each attempt may take, in seconds.
    #[getter]
    fn timeout(&self) -> f64 {
        self.timeout
    }

    /// How many times a failed attempt may be retried.
    #[getter]
    fn max_retries(&self) -> u32 {
        self.max_retries
    }

    /// A number naming this client in the SDK's log records (their ``connectly_client``).
    #[getter]
    fn id(&self) -> u64 {
        self.inner.id()
    }

    fn __repr__(&self) -> String {
        format!(
            "connectly.Client(business_id={:?}, api_key='[REDACTED]', timeout={:?}, max_retries={})",
            self.inner.business_id(),
            self.timeout,
            self.max_retries
        )
    }
}

/// Each call checked and built into the core's operation, once for both faces: the blocking
/// methods above perform it, `connectly.AsyncClient` submits it (see [`operation`]). Every
/// validation error is raised here, before anything is sent.
impl Client {
    /// The core client, which an operation is submitted on.
    pub(crate) fn core(&self) -> &connectly::Client {
        &self.inner
    }

    /// Performs an operation with the GIL released (on the main thread, Ctrl-C stops it:
    /// see [`signals::blocking`]), and converts what it gives back.
    fn perform(&self, py: Python<'_>, op: connectly::Operation) -> PyResult<Py<PyAny>> {
        let (result, raised) =
            signals::blocking(py, &self.inner, |client| client.perform_operation(&op))?;
        match raised {
            Some(err) => Err(err),
            None => operation::outcome(py, result),
        }
    }

    /// `send_text`'s operation.
    pub(crate) fn text_operation(
        &self,
        py: Python<'_>,
        to: String,
        text: String,
        channel: String,
    ) -> PyResult<connectly::Operation> {
        let recipient = Recipient::new(channel, to);
        built(
            py,
            self.inner
                .send_message_operation(&recipient, &Message::text(text)),
        )
    }

    /// `send_message`'s operation.
    pub(crate) fn message_operation(
        &self,
        py: Python<'_>,
        draft: &message::Draft,
    ) -> PyResult<connectly::Operation> {
        let (recipient, message) = draft
            .build()
            .map_err(|err| errors::client(py, &err.into()))?;
        built(py, self.inner.send_message_operation(&recipient, &message))
    }

    /// `send_template`'s operation.
    pub(crate) fn template_operation(
        &self,
        py: Python<'_>,
        message: &bulk::TemplateMessage,
    ) -> PyResult<connectly::Operation> {
        built(py, self.inner.send_template_operation(&message.core()))
    }

    /// `create_webhook`'s operation.
    pub(crate) fn create_webhook_operation(
        &self,
        py: Python<'_>,
        address: String,
        topic: String,
        kind: Option<String>,
        configuration: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<connectly::Operation> {
        let mut webhook = NewWebhook::new(address, topic);
        if let Some(kind) = kind {
            webhook = webhook.webhook_type(kind);
        }
        if let Some(configuration) = json_option(configuration, "configuration")? {
            webhook = webhook.configuration(configuration);
        }
        built(py, self.inner.create_webhook_operation(&webhook))
    }

    /// `list_webhooks`' operation.
    pub(crate) fn list_webhooks_operation(&self, py: Python<'_>) -> PyResult<connectly::Operation> {
        built(py, self.inner.list_webhooks_operation())
    }

    /// `update_webhook`'s operation.
    pub(crate) fn update_webhook_operation(
        &self,
        py: Python<'_>,
        webhook_id: &str,
        address: Option<String>,
        configuration: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<connectly::Operation> {
        let mut update = WebhookUpdate::new();
        if let Some(address) = address {
            update = update.address(address);
        }
        if let Some(configuration) = json_option(configuration, "configuration")? {
            update = update.configuration(configuration);
        }
        built(py, self.inner.update_webhook_operation(webhook_id, &update))
    }

    /// `delete_webhook`'s operation.
    pub(crate) fn delete_webhook_operation(
        &self,
        py: Python<'_>,
        webhook_id: &str,
    ) -> PyResult<connectly::Operation> {
        built(py, self.inner.delete_webhook_operation(webhook_id))
    }

    /// `upsert_webhook`'s operation.
    pub(crate) fn upsert_webhook_operation(
        &self,
        py: Python<'_>,
        address: &str,
        topic: &str,
        configuration: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<connectly::Operation> {
        let configuration = json_option(configuration, "configuration")?;
        built(
            py,
            self.inner
                .upsert_webhook_operation(address, topic, configuration),
        )
    }

    /// `list_templates`' operation.
    pub(crate) fn list_templates_operation(
        &self,
        py: Python<'_>,
    ) -> PyResult<connectly::Operation> {
        built(py, self.inner.list_templates_operation())
    }

    /// `send_campaign`'s operation.
    pub(crate) fn campaign_operation(
        &self,
        py: Python<'_>,
        entries: &Bound<'_, PyAny>,
    ) -> PyResult<connectly::Operation> {
        let entries = admin::entries(entries)?;
        built(py, self.inner.send_campaign_operation(&entries))
    }
}

/// An operation the core built, or the exception for its refusal.
fn built(
    py: Python<'_>,
    result: Result<connectly::Operation, connectly::Error>,
) -> PyResult<connectly::Operation> {
    result.map_err(|err| errors::client(py, &err))
}
