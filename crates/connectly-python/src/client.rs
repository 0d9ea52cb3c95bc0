//! `connectly.Client` and `connectly.Response`.

use std::time::Duration;

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString, PyTuple};

use super::args::{self, Secret};
use super::{bulk, errors, guard, json, signals};
use connectly::{ClientBuilder, Recipient};

/// A Connectly API client: one connection pool, safe to share between threads.
///
/// ``Client(api_key=None, business_id=None, *, base_url=None, timeout=30.0, max_retries=2)``;
/// ``None`` reads ``CONNECTLY_API_KEY``, ``CONNECTLY_BUSINESS_ID`` and ``CONNECTLY_BASE_URL``.
/// Every input is validated before anything is sent; the GIL is released during requests.
/// On the main thread, Ctrl-C (any signal handler's exception) stops a call that waits to
/// retry, or a ``send_many``, within about 50 ms: no new request is made, a request in
/// flight finishes, and the handler's exception (``KeyboardInterrupt``) is raised.
#[pyclass(frozen, module = "connectly._connectly")]
pub(crate) struct Client {
    inner: connectly::Client,
    timeout: f64,
    max_retries: u32,
}

/// A successful reply: ``status_code``, ``data`` (the JSON body; ``{}`` when empty),
/// ``attempts`` and ``trace_id`` (the provider's ``cntTraceId``, when it sent one).
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

/// Converts a core result: a `Response`, or the matching exception.
pub(super) fn response(
    py: Python<'_>,
    result: Result<connectly::Response, connectly::Error>,
) -> PyResult<Response> {
    let reply = result.map_err(|err| errors::client(py, &err))?;
    let data = match &reply.body {
        serde_json::Value::Null => PyDict::new(py).into_any().unbind(),
        body => json::to_py(py, body)?.unbind(),
    };
    Ok(Response {
        status_code: reply.status,
        data,
        attempts: reply.attempts,
        trace_id: reply.trace_id,
    })
}

/// Converts the result of a blocking call (see [`signals::blocking`]): the exception a
/// signal handler raised while it waited, if one did, else the call's own result.
fn interruptible_response(
    py: Python<'_>,
    (result, raised): (Result<connectly::Response, connectly::Error>, Option<PyErr>),
) -> PyResult<Response> {
    match raised {
        Some(err) => Err(err),
        None => response(py, result),
    }
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
        max_retries=i64::from(connectly::DEFAULT_MAX_RETRIES)
    ))]
    fn new(
        py: Python<'_>,
        api_key: Option<&Bound<'_, PyAny>>,
        business_id: Option<&Bound<'_, PyAny>>,
        base_url: Option<&Bound<'_, PyAny>>,
        timeout: f64,
        max_retries: i64,
    ) -> PyResult<Self> {
        guard(py, || {
            // Read without pyo3's own conversion, whose error quotes a str it cannot encode.
            let api_key = args::optional_secret(api_key, "api_key", Secret::Config)?;
            let business_id = args::optional_secret(business_id, "business_id", Secret::Config)?;
            let base_url = args::optional_secret(base_url, "base_url", Secret::Config)?;
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
            let inner = builder.build().map_err(|err| errors::client(py, &err))?;
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
    ) -> PyResult<Response> {
        guard(py, || {
            let recipient = Recipient::new(channel, to);
            let result = signals::blocking(py, &self.inner, |client| {
                client.send_text(&recipient, &text)
            })?;
            interruptible_response(py, result)
        })
    }

    /// Sends a WhatsApp template message with its parameters in order: a dict, or a list
    /// of ``(name, value)`` pairs.
    fn send_template(
        &self,
        py: Python<'_>,
        number: String,
        template_name: String,
        params: &Bound<'_, PyAny>,
    ) -> PyResult<Response> {
        guard(py, || {
            let params = template_params(params)?;
            let result = signals::blocking(py, &self.inner, |client| {
                client.send_template(&number, &template_name, &params)
            })?;
            interruptible_response(py, result)
        })
    }

    /// Registers the address Connectly delivers ``topic``'s events to.
    #[pyo3(
        signature = (address, topic=String::from("messages")),
        text_signature = "(self, address, topic='messages')"
    )]
    fn create_webhook(&self, py: Python<'_>, address: String, topic: String) -> PyResult<Response> {
        guard(py, || {
            let result = signals::blocking(py, &self.inner, |client| {
                client.create_webhook(&address, &topic)
            })?;
            interruptible_response(py, result)
        })
    }

    /// Sends every message (``TextMessage`` or ``TemplateMessage``) with at most
    /// ``concurrency`` in flight and, if set, at most ``rate_limit`` starts per second;
    /// returns one ``SendResult`` per message, in input order. None is dropped or sent twice.
    /// ``on_progress(done, failed, total)`` is called after each message.
    ///
    /// Interrupted on the main thread (Ctrl-C), it starts no new message, lets the ones in
    /// flight finish, and raises the signal handler's exception (``KeyboardInterrupt``) with
    /// ``results``: one ``SendResult`` per message as above, those never started failed
    /// with ``CancelledError``. Resend only those.
    #[pyo3(
        signature = (messages, *, concurrency=connectly::DEFAULT_CONCURRENCY, rate_limit=None, on_progress=None),
        text_signature = "(self, messages, *, concurrency=8, rate_limit=None, on_progress=None)"
    )]
    fn send_many(
        &self,
        py: Python<'_>,
        messages: &Bound<'_, PyAny>,
        concurrency: usize,
        rate_limit: Option<f64>,
        on_progress: Option<Py<PyAny>>,
    ) -> PyResult<Vec<bulk::SendResult>> {
        guard(py, || {
            bulk::send_many(
                py,
                &self.inner,
                messages,
                concurrency,
                rate_limit,
                on_progress,
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

    fn __repr__(&self) -> String {
        format!(
            "connectly.Client(business_id={:?}, api_key='[REDACTED]', timeout={:?}, max_retries={})",
            self.inner.business_id(),
            self.timeout,
            self.max_retries
        )
    }
}
