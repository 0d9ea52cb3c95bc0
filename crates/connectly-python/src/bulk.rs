//! `Client.send_many` and its message and result types.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

use pyo3::exceptions::PyTypeError;
use pyo3::intern;
use pyo3::prelude::*;

use super::client::{response, template_params, Response};
use super::message::MessageRequest;
use super::{errors, json, signals};
use connectly::{BulkOptions, Outgoing, Progress, Recipient};

/// A free-form text for ``Client.send_many``: ``TextMessage(to, text, channel="whatsapp")``.
#[pyclass(frozen, module = "connectly._connectly")]
pub(crate) struct TextMessage {
    /// The recipient's number or channel user id.
    #[pyo3(get)]
    to: String,
    /// The message text.
    #[pyo3(get)]
    text: String,
    /// The channel, such as ``whatsapp`` or ``sms``.
    #[pyo3(get)]
    channel: String,
}

#[pymethods]
impl TextMessage {
    #[new]
    #[pyo3(
        signature = (to, text, channel=String::from("whatsapp")),
        text_signature = "(to, text, channel='whatsapp')"
    )]
    fn new(to: String, text: String, channel: String) -> Self {
        Self { to, text, channel }
    }

    fn __repr__(&self) -> String {
        format!("TextMessage(to={:?}, channel={:?})", self.to, self.channel)
    }
}

/// A WhatsApp template for ``Client.send_many`` (``Client.send_template`` sends one too):
/// ``TemplateMessage(number, template_name, params=(), *, language=None, sender=None,
/// callback_data=None, campaign_name=None)``, params and keywords as for ``send_template``.
#[pyclass(frozen, module = "connectly._connectly")]
pub(crate) struct TemplateMessage {
    /// The recipient's WhatsApp number (or ``bsuid:<id>``).
    #[pyo3(get)]
    number: String,
    /// The template's name.
    #[pyo3(get)]
    template_name: String,
    params: Vec<(String, String)>,
    /// The template's language code, such as ``en`` or ``pt_BR``.
    #[pyo3(get)]
    language: Option<String>,
    /// The business number that sends it.
    #[pyo3(get)]
    sender: Option<String>,
    callback_data: Option<serde_json::Value>,
    /// The campaign the message counts towards.
    #[pyo3(get)]
    campaign_name: Option<String>,
}

#[pymethods]
impl TemplateMessage {
    #[new]
    #[pyo3(signature = (
        number, template_name, params=None, *, language=None, sender=None, callback_data=None,
        campaign_name=None
    ))]
    pub(crate) fn new(
        number: String,
        template_name: String,
        params: Option<&Bound<'_, PyAny>>,
        language: Option<String>,
        sender: Option<String>,
        callback_data: Option<&Bound<'_, PyAny>>,
        campaign_name: Option<String>,
    ) -> PyResult<Self> {
        let params = params.map(template_params).transpose()?.unwrap_or_default();
        let callback_data = callback_data
            .filter(|data| !data.is_none())
            .map(|data| json::from_py(data, "callback data"))
            .transpose()?;
        Ok(Self {
            number,
            template_name,
            params,
            language,
            sender,
            callback_data,
            campaign_name,
        })
    }

    /// The parameters, in order, as ``(name, value)`` pairs.
    #[getter]
    fn params(&self) -> Vec<(String, String)> {
        self.params.clone()
    }

    /// The callback data (parsed JSON), or ``None``.
    #[getter]
    fn callback_data<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.callback_data
            .as_ref()
            .map(|data| json::to_py(py, data))
            .transpose()
    }

    fn __repr__(&self) -> String {
        format!(
            "TemplateMessage(number={:?}, template_name={:?}, params=[{} pair(s)])",
            self.number,
            self.template_name,
            self.params.len()
        )
    }
}

impl TemplateMessage {
    /// The core's template message.
    pub(crate) fn core(&self) -> connectly::TemplateMessage {
        let mut message = connectly::TemplateMessage::new(&self.number, &self.template_name)
            .params(self.params.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        if let Some(language) = &self.language {
            message = message.language(language);
        }
        if let Some(sender) = &self.sender {
            message = message.sender(sender);
        }
        if let Some(data) = &self.callback_data {
            message = message.callback_data(data.clone());
        }
        if let Some(campaign) = &self.campaign_name {
            message = message.campaign_name(campaign);
        }
        message
    }
}

/// One message's outcome in ``Client.send_many``: ``ok``, and either ``response`` or
/// ``error`` (the exception ``send_text``/``send_template`` would have raised).
#[pyclass(frozen, module = "connectly._connectly")]
pub(crate) struct SendResult {
    /// The message's position in the input.
    #[pyo3(get)]
    index: usize,
    /// The reply, when the message was sent.
    #[pyo3(get)]
    response: Option<Py<Response>>,
    /// The exception, when it was not.
    #[pyo3(get)]
    error: Option<Py<PyAny>>,
}

#[pymethods]
impl SendResult {
    /// Whether the message was sent.
    #[getter]
    fn ok(&self) -> bool {
        self.response.is_some()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(match &self.error {
            None => format!("SendResult(index={}, ok=True)", self.index),
            Some(error) => format!(
                "SendResult(index={}, ok=False, error={})",
                self.index,
                error.bind(py).repr()?
            ),
        })
    }
}

/// A message from a `TextMessage`, `MessageRequest` or `TemplateMessage`.
fn message(item: &Bound<'_, PyAny>) -> PyResult<Outgoing> {
    if let Ok(text) = item.cast::<TextMessage>() {
        let text = text.get();
        return Ok(Outgoing::text(
            Recipient::new(text.channel.clone(), text.to.clone()),
            text.text.clone(),
        ));
    }
    if let Ok(template) = item.cast::<TemplateMessage>() {
        return Ok(Outgoing::Template(template.get().core()));
    }
    if let Ok(request) = item.cast::<MessageRequest>() {
        return Ok(request.get().outgoing());
    }
    Err(PyTypeError::new_err(format!(
        "send_many takes TextMessage, MessageRequest and TemplateMessage items, not {}",
        item.get_type().name()?
    )))
}

/// `send_many`'s options, as given.
pub(crate) struct Batch {
    pub(crate) concurrency: usize,
    pub(crate) rate_limit: Option<f64>,
    pub(crate) on_progress: Option<Py<PyAny>>,
    pub(crate) journal: Option<PathBuf>,
}

/// Sends every message with the core's `send_many`, the GIL released while they are in
/// flight; the progress callback, if any, is called with the GIL held. Interrupted (see
/// [`signals::blocking`]), it raises the signal handler's exception with the results as its
/// `results` attribute.
pub(crate) fn send_many(
    py: Python<'_>,
    client: &connectly::Client,
    messages: &Bound<'_, PyAny>,
    batch: Batch,
) -> PyResult<Vec<SendResult>> {
    let messages = messages
        .try_iter()?
        .map(|item| message(&item?))
        .collect::<PyResult<Vec<Outgoing>>>()?;
    let mut options = BulkOptions::new().concurrency(batch.concurrency);
    if let Some(rate) = batch.rate_limit {
        options = options.rate_limit(rate);
    }
    if let Some(journal) = batch.journal {
        options = options.journal(journal);
    }
    if let Some(callback) = batch.on_progress {
        // The core calls this one call at a time, `done` increasing. A callback that raises
        // is reported once, as unraisable, and not called again; the messages keep going
        // either way, and the results still come back.
        let broken = AtomicBool::new(false);
        options = options.on_progress(move |p: Progress| {
            if broken.load(Ordering::Relaxed) {
                return;
            }
            Python::attach(|py| {
                if let Err(err) = callback.call1(py, (p.done, p.failed, p.total)) {
                    broken.store(true, Ordering::Relaxed);
                    err.write_unraisable(py, Some(callback.bind(py)));
                }
            });
        });
    }
    let (results, raised) =
        signals::blocking(py, client, |client| client.send_many(&messages, &options))?;
    let results = results
        .into_iter()
        .enumerate()
        .map(|(index, result)| {
            Ok(match result {
                Ok(reply) => SendResult {
                    index,
                    response: Some(Py::new(py, response(py, reply)?)?),
                    error: None,
                },
                Err(err) => SendResult {
                    index,
                    response: None,
                    error: Some(errors::client(py, &err).into_value(py).into_any()),
                },
            })
        })
        .collect::<PyResult<Vec<SendResult>>>()?;
    match raised {
        None => Ok(results),
        Some(err) => {
            // Every exception instance takes attributes; should this one not, the
            // interruption is still raised, without them.
            let _ = err.value(py).setattr(intern!(py, "results"), results);
            Err(err)
        }
    }
}
