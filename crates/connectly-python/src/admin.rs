//! What webhook management, template listing and campaigns return and take:
//! `connectly.WebhookInfo`, `connectly.TemplateInfo`, `connectly.CampaignEntry` and
//! `connectly.CampaignResult`. The core reads the replies; these classes only convert.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyMapping};
use pyo3::PyTypeInfo;

use super::json;
use super::show::Repr;

/// An optional JSON value as a Python object (`None` when absent).
fn optional_json(py: Python<'_>, value: Option<&serde_json::Value>) -> PyResult<Py<PyAny>> {
    match value {
        Some(value) => Ok(json::to_py(py, value)?.unbind()),
        None => Ok(py.None()),
    }
}

/// One webhook registration, as ``Client.list_webhooks`` lists it: ``id``, ``topic``,
/// ``address``, ``configuration`` (a dict) and ``raw`` (the entry as the API listed it);
/// a field the entry lacks is ``None``.
#[pyclass(frozen, module = "connectly._connectly")]
pub(crate) struct WebhookInfo {
    /// The registration's id (opaque), for ``update_webhook`` and ``delete_webhook``.
    #[pyo3(get)]
    id: String,
    /// ``messages`` or ``delivery_status``, when listed.
    #[pyo3(get)]
    topic: Option<String>,
    /// Where the events go, when listed.
    #[pyo3(get)]
    address: Option<String>,
    /// The configuration (a dict), when listed.
    #[pyo3(get)]
    configuration: Py<PyAny>,
    /// The entry as the API listed it.
    #[pyo3(get)]
    raw: Py<PyAny>,
}

#[pymethods]
impl WebhookInfo {
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(Repr::new(py, "WebhookInfo")
            .field("id", &self.id)?
            .field("topic", self.topic.as_deref())?
            .field("address", self.address.as_deref())?
            .finish())
    }
}

impl WebhookInfo {
    /// The Python object for a listed registration.
    pub(crate) fn from_core(py: Python<'_>, info: connectly::WebhookInfo) -> PyResult<Self> {
        Ok(Self {
            configuration: optional_json(py, info.configuration.as_ref())?,
            raw: json::to_py(py, &info.raw)?.unbind(),
            id: info.id,
            topic: info.topic,
            address: info.address,
        })
    }
}

/// One template in one language, as ``Client.list_templates`` lists it: ``name`` (what
/// ``send_template`` takes), ``group`` (the group's id), ``language`` (``en``, ...),
/// ``status`` (``MESSAGE_TEMPLATE_STATUS_APPROVED``, ...), ``category``,
/// ``rejection_reason`` (wherever the provider put it) and ``raw`` (the entry as listed);
/// a field the entry lacks is ``None``.
#[pyclass(frozen, module = "connectly._connectly")]
pub(crate) struct TemplateInfo {
    /// The template's name.
    #[pyo3(get)]
    name: Option<String>,
    /// The template group's id.
    #[pyo3(get)]
    group: Option<String>,
    /// The language code.
    #[pyo3(get)]
    language: Option<String>,
    /// The review status, as the API wrote it.
    #[pyo3(get)]
    status: Option<String>,
    /// The category, as the API wrote it.
    #[pyo3(get)]
    category: Option<String>,
    /// Why the template was rejected, when it was.
    #[pyo3(get)]
    rejection_reason: Option<String>,
    /// The template entry as the API listed it.
    #[pyo3(get)]
    raw: Py<PyAny>,
}

#[pymethods]
impl TemplateInfo {
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(Repr::new(py, "TemplateInfo")
            .field("name", self.name.as_deref())?
            .field("language", self.language.as_deref())?
            .field("status", self.status.as_deref())?
            .optional("rejection_reason", self.rejection_reason.as_deref())?
            .finish())
    }
}

impl TemplateInfo {
    /// The Python object for a listed template.
    pub(crate) fn from_core(py: Python<'_>, info: connectly::TemplateInfo) -> PyResult<Self> {
        Ok(Self {
            raw: json::to_py(py, &info.raw)?.unbind(),
            name: info.name,
            group: info.group,
            language: info.language,
            status: info.status,
            category: info.category,
            rejection_reason: info.rejection_reason,
        })
    }
}

/// One recipient of a campaign: ``CampaignEntry(client, campaign_name, *, variables=None,
/// version=None, sender=None, scheduled_at=None)``; ``variables`` a dict of strings,
/// ``scheduled_at`` ISO 8601 text. Checked when sent.
#[pyclass(frozen, module = "connectly._connectly")]
pub(crate) struct CampaignEntry {
    /// The recipient's number (or ``bsuid:<id>``).
    #[pyo3(get)]
    client: String,
    /// The campaign, as published in Connectly.
    #[pyo3(get)]
    campaign_name: String,
    variables: Option<serde_json::Value>,
    /// The campaign version.
    #[pyo3(get)]
    version: Option<String>,
    /// The business number that sends it.
    #[pyo3(get)]
    sender: Option<String>,
    /// When to send it (ISO 8601).
    #[pyo3(get)]
    scheduled_at: Option<String>,
}

#[pymethods]
impl CampaignEntry {
    #[new]
    #[pyo3(signature = (
        client, campaign_name, *, variables=None, version=None, sender=None, scheduled_at=None
    ))]
    fn new(
        client: String,
        campaign_name: String,
        variables: Option<&Bound<'_, PyAny>>,
        version: Option<String>,
        sender: Option<String>,
        scheduled_at: Option<String>,
    ) -> PyResult<Self> {
        let variables = variables
            .filter(|v| !v.is_none())
            .map(|v| json::from_py(v, "variables"))
            .transpose()?;
        Ok(Self {
            client,
            campaign_name,
            variables,
            version,
            sender,
            scheduled_at,
        })
    }

    /// The campaign's variables for this recipient (a dict), or ``None``.
    #[getter]
    fn variables<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.variables
            .as_ref()
            .map(|v| json::to_py(py, v))
            .transpose()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(Repr::new(py, "CampaignEntry")
            .arg(&self.client)?
            .arg(&self.campaign_name)?
            .optional("version", self.version.as_deref())?
            .finish())
    }
}

impl CampaignEntry {
    /// The core's entry.
    fn core(&self) -> connectly::CampaignEntry {
        let mut entry = connectly::CampaignEntry::new(&self.client, &self.campaign_name);
        if let Some(variables) = &self.variables {
            entry = entry.variables(variables.clone());
        }
        if let Some(version) = &self.version {
            entry = entry.version(version);
        }
        if let Some(sender) = &self.sender {
            entry = entry.sender(sender);
        }
        if let Some(at) = &self.scheduled_at {
            entry = entry.scheduled_at(at);
        }
        entry
    }
}

/// The core's entries from an iterable of `CampaignEntry` objects or mappings with the same
/// keys (``{"client": ..., "campaign_name": ..., "variables": ...}``).
pub(crate) fn entries(entries: &Bound<'_, PyAny>) -> PyResult<Vec<connectly::CampaignEntry>> {
    let py = entries.py();
    let mut found = Vec::new();
    for item in entries.try_iter()? {
        let item = item?;
        if let Ok(entry) = item.cast::<CampaignEntry>() {
            found.push(entry.get().core());
        } else if let Ok(mapping) = item.cast::<PyMapping>() {
            let keywords = PyDict::new(py);
            for key in mapping.keys()?.iter() {
                keywords.set_item(&key, mapping.get_item(&key)?)?;
            }
            let made = CampaignEntry::type_object(py).call((), Some(&keywords))?;
            found.push(made.cast::<CampaignEntry>()?.get().core());
        } else {
            return Err(PyTypeError::new_err(format!(
                "campaign entries must be CampaignEntry objects or dicts, not {}",
                item.get_type().name()?
            )));
        }
    }
    Ok(found)
}

/// What ``Client.send_campaign`` got back: ``accepted`` and ``rejected`` (the counts, when
/// the reply carries them), ``error`` (the reply's error, parsed, or ``None``), ``raw`` (the
/// whole JSON body), ``status_code``, ``attempts`` and ``trace_id``.
#[pyclass(frozen, module = "connectly._connectly")]
pub(crate) struct CampaignResult {
    /// How many entries were accepted, when the reply says.
    #[pyo3(get)]
    accepted: Option<u64>,
    /// How many entries were rejected, when the reply says.
    #[pyo3(get)]
    rejected: Option<u64>,
    /// The reply's error (parsed JSON), or ``None``.
    #[pyo3(get)]
    error: Py<PyAny>,
    /// The whole JSON body (``{}`` when empty).
    #[pyo3(get)]
    raw: Py<PyAny>,
    /// The HTTP status (2xx).
    #[pyo3(get)]
    status_code: u16,
    /// How many attempts the call took.
    #[pyo3(get)]
    attempts: u32,
    /// The provider's trace id (``cntTraceId``), when the body carried one.
    #[pyo3(get)]
    trace_id: Option<String>,
}

#[pymethods]
impl CampaignResult {
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(Repr::new(py, "CampaignResult")
            .field("accepted", self.accepted)?
            .field("rejected", self.rejected)?
            .field("status_code", self.status_code)?
            .field("attempts", self.attempts)?
            .finish())
    }
}

impl CampaignResult {
    /// The Python object for the core's result.
    pub(crate) fn from_core(py: Python<'_>, result: connectly::CampaignResult) -> PyResult<Self> {
        let reply = result.response;
        let raw = match &reply.body {
            serde_json::Value::Null => PyDict::new(py).into_any().unbind(),
            body => json::to_py(py, body)?.unbind(),
        };
        Ok(Self {
            accepted: result.accepted,
            rejected: result.rejected,
            error: optional_json(py, result.error.as_ref())?,
            raw,
            status_code: reply.status,
            attempts: reply.attempts,
            trace_id: reply.trace_id,
        })
    }
}
