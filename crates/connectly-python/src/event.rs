//! Verified webhook events, typed by topic: `connectly.WebhookEvent` (every topic),
//! `connectly.InboundMessage` and `connectly.DeliveryStatus` (its subclasses), and the
//! classes of their fields. The core parses every delivery; this module only converts.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyBytes;
use pyo3::PyClass;

use super::json;
use super::message::hash_float;
use super::show::Repr;
use connectly::Event;

/// One side of a message: ``id``, ``channel_type``, and ``name``, ``user_id`` and
/// ``phone_number`` when the delivery carries them.
#[pyclass(frozen, eq, hash, module = "connectly._connectly")]
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct Party {
    /// The id: an E.164 number or a provider-scoped user id (BSUID).
    #[pyo3(get)]
    id: String,
    /// The channel, such as ``whatsapp`` or ``sms``.
    #[pyo3(get)]
    channel_type: String,
    /// The display name, when the delivery carries one.
    #[pyo3(get)]
    name: Option<String>,
    /// The provider-scoped user id (``userId``) of a customer known by a BSUID.
    #[pyo3(get)]
    user_id: Option<String>,
    /// The customer's phone number (``phoneNumber``), when given.
    #[pyo3(get)]
    phone_number: Option<String>,
}

#[pymethods]
impl Party {
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(Repr::new(py, "Party")
            .field("id", &self.id)?
            .field("channel_type", &self.channel_type)?
            .optional("name", self.name.as_deref())?
            .optional("user_id", self.user_id.as_deref())?
            .optional("phone_number", self.phone_number.as_deref())?
            .finish())
    }
}

impl From<&connectly::Party> for Party {
    fn from(party: &connectly::Party) -> Self {
        Party {
            id: party.id.clone(),
            channel_type: party.channel_type.clone(),
            name: party.name.clone(),
            user_id: party.user_id.clone(),
            phone_number: party.phone_number.clone(),
        }
    }
}

/// A verified webhook delivery. ``verify_event`` (and ``receive``, and the framework
/// helpers) give an ``InboundMessage`` for topic ``messages``, a ``DeliveryStatus`` for
/// ``delivery_status``, and this class itself for any other topic.
///
/// Every event has ``topic``, ``timestamp`` (Unix seconds), ``sender``, ``recipient``,
/// ``callback_data`` (parsed JSON, or ``None``), ``text`` (the message's text; ``None``
/// but for messages), ``body`` (the exact bytes that were signed) and ``raw``
/// (``json.loads(body)``: the whole delivery).
#[pyclass(subclass, frozen, module = "connectly._connectly")]
pub(crate) struct WebhookEvent {
    /// ``messages``, ``delivery_status``, or another topic.
    #[pyo3(get)]
    topic: String,
    /// When Connectly produced the event, in Unix seconds.
    #[pyo3(get)]
    timestamp: i64,
    /// Who sent the message (the customer; the business for a status).
    #[pyo3(get)]
    sender: Py<Party>,
    /// Who received it.
    #[pyo3(get)]
    recipient: Py<Party>,
    /// The message's text, when there is one (``None`` for other topics).
    #[pyo3(get)]
    text: Option<String>,
    /// The ``callbackData`` of the message the event is about, as parsed JSON, or ``None``.
    #[pyo3(get)]
    callback_data: Py<PyAny>,
    /// The exact bytes that were signed and verified (after removing a transport gzip).
    #[pyo3(get)]
    body: Py<PyBytes>,
    /// `json.loads(body)`, made on first use.
    raw: PyOnceLock<Py<PyAny>>,
    /// The core's `delivery_key`, taken when the event was received.
    delivery_key: String,
}

impl WebhookEvent {
    /// The key a `Deduplicator` claims this delivery under.
    pub(crate) fn delivery_key(&self) -> &str {
        &self.delivery_key
    }
}

/// Python's `json.loads`, looked up once per process.
static JSON_LOADS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

#[pymethods]
impl WebhookEvent {
    /// The whole delivery as ``json.loads(event.body)`` gives it (integers exact, key order
    /// kept, ``1e400`` as ``inf``), parsed on first use.
    #[getter]
    fn raw(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let raw = self.raw.get_or_try_init(py, || {
            let loads = JSON_LOADS.get_or_try_init(py, || {
                py.import("json")?.getattr("loads").map(Bound::unbind)
            })?;
            loads.call1(py, (self.body.clone_ref(py),))
        })?;
        Ok(raw.clone_ref(py))
    }

    /// The key a ``Deduplicator`` claims this delivery under: its message id and status for
    /// a delivery status, the SHA-256 of the signed body for anything else (inbound messages
    /// carry no id).
    #[getter(delivery_key)]
    fn get_delivery_key(&self) -> &str {
        &self.delivery_key
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(Repr::new(py, "WebhookEvent")
            .field("topic", &self.topic)?
            .field("timestamp", self.timestamp)?
            .field("sender", self.sender.bind(py))?
            .finish())
    }
}

/// A file a customer sent: ``type`` (``image``, ``video``, ``audio``, ``document``, or
/// another as the provider wrote it), ``url`` (where to download it), ``caption``,
/// ``filename``.
#[pyclass(frozen, eq, hash, module = "connectly._connectly")]
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct InboundAttachment {
    /// The type, as the provider wrote it.
    #[pyo3(get, name = "type")]
    kind: String,
    /// Where to download the file.
    #[pyo3(get)]
    url: String,
    /// The caption, when there is one.
    #[pyo3(get)]
    caption: Option<String>,
    /// The file's name, when there is one.
    #[pyo3(get)]
    filename: Option<String>,
}

#[pymethods]
impl InboundAttachment {
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(Repr::new(py, "InboundAttachment")
            .field("type", &self.kind)?
            .field("url", &self.url)?
            .optional("caption", self.caption.as_deref())?
            .optional("filename", self.filename.as_deref())?
            .finish())
    }
}

/// A location a customer shared: ``latitude``, ``longitude``, ``name``, ``address``.
#[pyclass(frozen, eq, hash, module = "connectly._connectly")]
#[derive(Clone, PartialEq)]
pub(crate) struct InboundLocation {
    /// Degrees north.
    #[pyo3(get)]
    latitude: f64,
    /// Degrees east.
    #[pyo3(get)]
    longitude: f64,
    /// The place's name, when given.
    #[pyo3(get)]
    name: Option<String>,
    /// The place's address, when given.
    #[pyo3(get)]
    address: Option<String>,
}

impl std::hash::Hash for InboundLocation {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        hash_float(self.latitude, state);
        hash_float(self.longitude, state);
        self.name.hash(state);
        self.address.hash(state);
    }
}

#[pymethods]
impl InboundLocation {
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(Repr::new(py, "InboundLocation")
            .field("latitude", self.latitude)?
            .field("longitude", self.longitude)?
            .optional("name", self.name.as_deref())?
            .optional("address", self.address.as_deref())?
            .finish())
    }
}

/// A tap on a reply button (any of the three shapes deliveries use): ``text`` (the label),
/// ``payload`` and ``id``, each ``None`` when the delivery has none.
#[pyclass(frozen, eq, hash, module = "connectly._connectly")]
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct ButtonReply {
    /// The button's label.
    #[pyo3(get)]
    text: Option<String>,
    /// The payload the button carried.
    #[pyo3(get)]
    payload: Option<String>,
    /// The reply's id, in the shape that has one.
    #[pyo3(get)]
    id: Option<String>,
}

#[pymethods]
impl ButtonReply {
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(Repr::new(py, "ButtonReply")
            .field("text", self.text.as_deref())?
            .field("payload", self.payload.as_deref())?
            .field("id", self.id.as_deref())?
            .finish())
    }
}

/// A row picked from a list message: ``id``, ``text``, ``description``.
#[pyclass(frozen, eq, hash, module = "connectly._connectly")]
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct ListReply {
    /// The row's id.
    #[pyo3(get)]
    id: String,
    /// The row's text.
    #[pyo3(get)]
    text: Option<String>,
    /// The row's description.
    #[pyo3(get)]
    description: Option<String>,
}

#[pymethods]
impl ListReply {
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(Repr::new(py, "ListReply")
            .field("id", &self.id)?
            .optional("text", self.text.as_deref())?
            .optional("description", self.description.as_deref())?
            .finish())
    }
}

/// The API error a failed delivery status carries: ``code``, ``type``, ``message`` and
/// ``trace_id`` (the provider's ``cntTraceId``), each ``None`` when absent.
#[pyclass(
    frozen,
    eq,
    hash,
    module = "connectly._connectly",
    name = "APIErrorDetail"
)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct ApiErrorDetail {
    /// The error code, such as ``ERROR_CODE_...``.
    #[pyo3(get)]
    code: Option<String>,
    /// The error type.
    #[pyo3(get, name = "type")]
    kind: Option<String>,
    /// The provider's message.
    #[pyo3(get)]
    message: Option<String>,
    /// The provider's trace id (``cntTraceId``).
    #[pyo3(get)]
    trace_id: Option<String>,
}

#[pymethods]
impl ApiErrorDetail {
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(Repr::new(py, "APIErrorDetail")
            .field("code", self.code.as_deref())?
            .field("type", self.kind.as_deref())?
            .field("message", self.message.as_deref())?
            .field("trace_id", self.trace_id.as_deref())?
            .finish())
    }
}

/// A message a customer sent (topic ``messages``): besides the shared fields, ``text``,
/// ``attachment`` (``InboundAttachment``), ``location`` (``InboundLocation``),
/// ``button_reply`` (``ButtonReply``), ``list_reply`` (``ListReply``), ``reply_to_id`` (the
/// id of the message it quotes) and ``referral`` (a Click-to-WhatsApp referral, a dict);
/// each ``None`` when the delivery has none.
#[pyclass(extends = WebhookEvent, frozen, module = "connectly._connectly")]
pub(crate) struct InboundMessage {
    /// The first attachment, when there is one.
    #[pyo3(get)]
    attachment: Option<Py<InboundAttachment>>,
    /// The shared location, when there is one.
    #[pyo3(get)]
    location: Option<Py<InboundLocation>>,
    /// The reply-button tap, when it is one.
    #[pyo3(get)]
    button_reply: Option<Py<ButtonReply>>,
    /// The list row picked, when it is one.
    #[pyo3(get)]
    list_reply: Option<Py<ListReply>>,
    /// The id of the message this one quotes.
    #[pyo3(get)]
    reply_to_id: Option<String>,
    /// The Click-to-WhatsApp referral (a dict), or ``None``.
    #[pyo3(get)]
    referral: Py<PyAny>,
}

#[pymethods]
impl InboundMessage {
    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        let py = slf.py();
        let base = slf.as_super().get();
        let me = slf.get();
        let kind = [
            ("attachment", me.attachment.is_some()),
            ("location", me.location.is_some()),
            ("button_reply", me.button_reply.is_some()),
            ("list_reply", me.list_reply.is_some()),
        ]
        .into_iter()
        .find_map(|(name, present)| present.then_some(name));
        Ok(Repr::new(py, "InboundMessage")
            .field("timestamp", base.timestamp)?
            .field("sender", base.sender.bind(py))?
            .field("text", base.text.as_deref())?
            .optional("has", kind)?
            .finish())
    }
}

/// What became of a message the business sent (topic ``delivery_status``): besides the
/// shared fields, ``message_id`` (the ``id`` its send answered), ``status`` (``sent``,
/// ``delivered``, ``read``, ``delivery_failed``, or another string as the provider wrote
/// it), ``error`` (``APIErrorDetail`` or ``None``) and ``campaign_name``.
#[pyclass(extends = WebhookEvent, frozen, module = "connectly._connectly")]
pub(crate) struct DeliveryStatus {
    /// The message's id: the ``id`` its send answered.
    #[pyo3(get)]
    message_id: String,
    /// ``sent``, ``delivered``, ``read``, ``delivery_failed``, or another status.
    #[pyo3(get)]
    status: String,
    /// Why it failed, when it did.
    #[pyo3(get)]
    error: Option<Py<ApiErrorDetail>>,
    /// The campaign the message belongs to, when named.
    #[pyo3(get)]
    campaign_name: Option<String>,
}

#[pymethods]
impl DeliveryStatus {
    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        let py = slf.py();
        let base = slf.as_super().get();
        let me = slf.get();
        Ok(Repr::new(py, "DeliveryStatus")
            .field("timestamp", base.timestamp)?
            .field("message_id", &me.message_id)?
            .field("status", &me.status)?
            .optional("campaign_name", me.campaign_name.as_deref())?
            .optional("error", me.error.as_ref().map(|e| e.bind(py)))?
            .finish())
    }
}

/// An optional value as a Python object (`None` when absent).
fn optional<T: PyClass + Into<PyClassInitializer<T>>>(
    py: Python<'_>,
    value: Option<T>,
) -> PyResult<Option<Py<T>>> {
    value.map(|value| Py::new(py, value)).transpose()
}

/// The Python object for a verified event: an `InboundMessage`, a `DeliveryStatus`, or a
/// plain `WebhookEvent`.
/// A received event with its [`connectly::delivery_key`], taken where the event was (with the
/// GIL released for a large body): the SHA-256 of the body, for most events.
pub(crate) fn keyed(event: Event) -> (Event, String) {
    let key = connectly::delivery_key(&event);
    (event, key)
}

/// Converts a received event and its key (see [`keyed`]).
pub(crate) fn to_py(py: Python<'_>, (event, delivery_key): (Event, String)) -> PyResult<Py<PyAny>> {
    let base_of = |raw: &connectly::RawEvent, text: Option<String>| -> PyResult<WebhookEvent> {
        Ok(WebhookEvent {
            topic: raw.topic.clone(),
            timestamp: raw.timestamp,
            sender: Py::new(py, Party::from(&raw.sender))?,
            recipient: Py::new(py, Party::from(&raw.recipient))?,
            text,
            callback_data: match &raw.callback_data {
                Some(data) => json::to_py(py, data)?.unbind(),
                None => py.None(),
            },
            body: PyBytes::new(py, &raw.body).unbind(),
            raw: PyOnceLock::new(),
            delivery_key: delivery_key.clone(),
        })
    };
    match event {
        Event::Message(message) => {
            let base = base_of(&message.base, message.text.clone())?;
            let typed = InboundMessage {
                attachment: optional(
                    py,
                    message.attachment.map(|a| InboundAttachment {
                        kind: a.kind,
                        url: a.url,
                        caption: a.caption,
                        filename: a.filename,
                    }),
                )?,
                location: optional(
                    py,
                    message.location.map(|l| InboundLocation {
                        latitude: l.latitude,
                        longitude: l.longitude,
                        name: l.name,
                        address: l.address,
                    }),
                )?,
                button_reply: optional(
                    py,
                    message.button_reply.map(|b| ButtonReply {
                        text: b.text,
                        payload: b.payload,
                        id: b.id,
                    }),
                )?,
                list_reply: optional(
                    py,
                    message.list_reply.map(|l| ListReply {
                        id: l.id,
                        text: l.text,
                        description: l.description,
                    }),
                )?,
                reply_to_id: message.reply_to_id,
                referral: match &message.referral {
                    Some(referral) => json::to_py(py, referral)?.unbind(),
                    None => py.None(),
                },
            };
            let init = PyClassInitializer::from(base).add_subclass(typed);
            Ok(Py::new(py, init)?.into_any())
        }
        Event::DeliveryStatus(status) => {
            let base = base_of(&status.base, None)?;
            let typed = DeliveryStatus {
                message_id: status.message_id,
                status: status.status.as_str().to_owned(),
                error: optional(
                    py,
                    status.error.map(|e| ApiErrorDetail {
                        code: e.code,
                        kind: e.kind,
                        message: e.message,
                        trace_id: e.trace_id,
                    }),
                )?,
                campaign_name: status.campaign_name,
            };
            let init = PyClassInitializer::from(base).add_subclass(typed);
            Ok(Py::new(py, init)?.into_any())
        }
        Event::Other(raw) => Ok(Py::new(py, base_of(&raw, None)?)?.into_any()),
        // A kind added to the core later: its shared fields, with the text the core gives.
        other => {
            let text = other.text().map(str::to_owned);
            Ok(Py::new(py, base_of(other.base(), text)?)?.into_any())
        }
    }
}
