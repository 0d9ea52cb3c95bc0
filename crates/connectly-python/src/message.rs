//! The value classes of session messages (`connectly.Attachment`, `Location`, `ListMessage`,
//! `ListSection`, `ListRow`, `ReplyButtons`, `Button`), `connectly.MessageRequest`, and their
//! conversion into the core's `Message`. Every rule (types, URLs, ranges, counts, ids) is the
//! core's: these classes only hold what they were given.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::pyclass::boolean_struct::True;
use pyo3::PyClass;

use super::errors;
use super::show::Repr;
use connectly::{AttachmentType, Message, MessageParts, Recipient, ValidationError};

/// The items of `iterable`, each an instance of `T` (else a `TypeError` naming `what`).
fn items<T>(iterable: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<T>>
where
    T: PyClass<Frozen = True> + Sync + Clone,
{
    let mut found = Vec::new();
    for item in iterable.try_iter()? {
        let item = item?;
        match item.cast::<T>() {
            Ok(value) => found.push(value.get().clone()),
            Err(_) => {
                return Err(PyTypeError::new_err(format!(
                    "{what}, not {}",
                    item.get_type().name()?
                )))
            }
        }
    }
    Ok(found)
}

/// One file sent with a message: ``Attachment(type, url, *, caption=None, filename=None)``,
/// ``type`` one of ``image``, ``video``, ``audio``, ``document`` (else ``ValidationError``).
/// Connectly fetches the file from ``url`` (public ``https``); ``filename`` is for documents.
#[pyclass(frozen, eq, hash, module = "connectly._connectly")]
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct Attachment {
    kind: AttachmentType,
    url: String,
    caption: Option<String>,
    filename: Option<String>,
}

#[pymethods]
impl Attachment {
    #[new]
    #[pyo3(signature = (r#type, url, *, caption=None, filename=None))]
    fn new(
        py: Python<'_>,
        r#type: &str,
        url: String,
        caption: Option<String>,
        filename: Option<String>,
    ) -> PyResult<Self> {
        let kind = AttachmentType::parse(r#type).map_err(|err| errors::client(py, &err.into()))?;
        Ok(Self {
            kind,
            url,
            caption,
            filename,
        })
    }

    /// ``image``, ``video``, ``audio`` or ``document``.
    #[getter(r#type)]
    fn kind(&self) -> &'static str {
        self.kind.name()
    }

    /// Where Connectly fetches the file.
    #[getter]
    fn url(&self) -> &str {
        &self.url
    }

    /// The text shown under the file.
    #[getter]
    fn caption(&self) -> Option<&str> {
        self.caption.as_deref()
    }

    /// The file's name as the recipient sees it (documents).
    #[getter]
    fn filename(&self) -> Option<&str> {
        self.filename.as_deref()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(Repr::new(py, "Attachment")
            .arg(self.kind.name())?
            .arg(&self.url)?
            .optional("caption", self.caption.as_deref())?
            .optional("filename", self.filename.as_deref())?
            .finish())
    }
}

impl Attachment {
    fn core(&self) -> connectly::Attachment {
        let mut attachment = connectly::Attachment::new(self.kind, self.url.clone());
        if let Some(caption) = &self.caption {
            attachment = attachment.caption(caption.clone());
        }
        if let Some(filename) = &self.filename {
            attachment = attachment.filename(filename.clone());
        }
        attachment
    }
}

/// A place on the map: ``Location(latitude, longitude, *, name=None, address=None)``, in
/// degrees (latitude -90 to 90, longitude -180 to 180, checked when sent).
#[pyclass(frozen, eq, hash, module = "connectly._connectly")]
#[derive(Clone, PartialEq)]
pub(crate) struct Location {
    /// Degrees north.
    #[pyo3(get)]
    latitude: f64,
    /// Degrees east.
    #[pyo3(get)]
    longitude: f64,
    /// The place's name.
    #[pyo3(get)]
    name: Option<String>,
    /// The place's address.
    #[pyo3(get)]
    address: Option<String>,
}

#[pymethods]
impl Location {
    #[new]
    #[pyo3(signature = (latitude, longitude, *, name=None, address=None))]
    fn new(latitude: f64, longitude: f64, name: Option<String>, address: Option<String>) -> Self {
        Self {
            latitude,
            longitude,
            name,
            address,
        }
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(Repr::new(py, "Location")
            .arg(self.latitude)?
            .arg(self.longitude)?
            .optional("name", self.name.as_deref())?
            .optional("address", self.address.as_deref())?
            .finish())
    }
}

impl std::hash::Hash for Location {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        hash_float(self.latitude, state);
        hash_float(self.longitude, state);
        self.name.hash(state);
        self.address.hash(state);
    }
}

/// Hashes a float as `==` compares it: `0.0` and `-0.0` alike (NaN equals nothing, so any
/// hash does).
pub(crate) fn hash_float<H: std::hash::Hasher>(value: f64, state: &mut H) {
    std::hash::Hash::hash(&(value + 0.0).to_bits(), state);
}

impl Location {
    fn core(&self) -> connectly::Location {
        let mut location = connectly::Location::new(self.latitude, self.longitude);
        if let Some(name) = &self.name {
            location = location.name(name.clone());
        }
        if let Some(address) = &self.address {
            location = location.address(address.clone());
        }
        location
    }
}

/// One choice of a list: ``ListRow(id, text, *, description=None)``; a reply carries ``id``.
#[pyclass(frozen, eq, hash, module = "connectly._connectly")]
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct ListRow {
    /// The id a reply carries back.
    #[pyo3(get)]
    id: String,
    /// The text shown.
    #[pyo3(get)]
    text: String,
    /// A second line under the text.
    #[pyo3(get)]
    description: Option<String>,
}

#[pymethods]
impl ListRow {
    #[new]
    #[pyo3(signature = (id, text, *, description=None))]
    fn new(id: String, text: String, description: Option<String>) -> Self {
        Self {
            id,
            text,
            description,
        }
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(Repr::new(py, "ListRow")
            .arg(&self.id)?
            .arg(&self.text)?
            .optional("description", self.description.as_deref())?
            .finish())
    }
}

impl ListRow {
    fn core(&self) -> connectly::ListRow {
        let row = connectly::ListRow::new(self.id.clone(), self.text.clone());
        match &self.description {
            Some(description) => row.description(description.clone()),
            None => row,
        }
    }
}

/// A titled group of rows: ``ListSection(title, rows)``, ``rows`` an iterable of ``ListRow``.
#[pyclass(frozen, eq, hash, module = "connectly._connectly")]
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct ListSection {
    /// The section's title.
    #[pyo3(get)]
    title: String,
    rows: Vec<ListRow>,
}

#[pymethods]
impl ListSection {
    #[new]
    fn new(title: String, rows: &Bound<'_, PyAny>) -> PyResult<Self> {
        let rows = items(rows, "a list section's rows must be ListRow objects")?;
        Ok(Self { title, rows })
    }

    /// The rows, in order.
    #[getter]
    fn rows(&self) -> Vec<ListRow> {
        self.rows.clone()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(Repr::new(py, "ListSection")
            .arg(&self.title)?
            .arg(self.rows.clone())?
            .finish())
    }
}

/// A list the recipient opens with a button and picks one row from:
/// ``ListMessage(button, sections, *, header=None, footer=None)``, ``sections`` an iterable of
/// ``ListSection`` (1 to 10 rows in all, ids unique). The message's ``text`` is its body.
#[pyclass(frozen, eq, hash, module = "connectly._connectly")]
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct ListMessage {
    /// The label of the button that opens the list.
    #[pyo3(get)]
    button: String,
    sections: Vec<ListSection>,
    /// A header above the message.
    #[pyo3(get)]
    header: Option<String>,
    /// A footer below the message.
    #[pyo3(get)]
    footer: Option<String>,
}

#[pymethods]
impl ListMessage {
    #[new]
    #[pyo3(signature = (button, sections, *, header=None, footer=None))]
    fn new(
        button: String,
        sections: &Bound<'_, PyAny>,
        header: Option<String>,
        footer: Option<String>,
    ) -> PyResult<Self> {
        let sections = items(
            sections,
            "a list message's sections must be ListSection objects",
        )?;
        Ok(Self {
            button,
            sections,
            header,
            footer,
        })
    }

    /// The sections, in order.
    #[getter]
    fn sections(&self) -> Vec<ListSection> {
        self.sections.clone()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(Repr::new(py, "ListMessage")
            .arg(&self.button)?
            .arg(self.sections.clone())?
            .optional("header", self.header.as_deref())?
            .optional("footer", self.footer.as_deref())?
            .finish())
    }
}

impl ListMessage {
    fn core(&self) -> connectly::ListMessage {
        let sections = self.sections.iter().map(|section| {
            connectly::ListSection::new(
                section.title.clone(),
                section.rows.iter().map(ListRow::core),
            )
        });
        let mut list = connectly::ListMessage::new(self.button.clone(), sections);
        if let Some(header) = &self.header {
            list = list.header(header.clone());
        }
        if let Some(footer) = &self.footer {
            list = list.footer(footer.clone());
        }
        list
    }
}

/// One quick-reply button: ``Button(id, text)``; a reply carries ``id``.
#[pyclass(frozen, eq, hash, module = "connectly._connectly")]
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct Button {
    /// The id a reply carries back.
    #[pyo3(get)]
    id: String,
    /// The label.
    #[pyo3(get)]
    text: String,
}

#[pymethods]
impl Button {
    #[new]
    fn new(id: String, text: String) -> Self {
        Self { id, text }
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(Repr::new(py, "Button")
            .arg(&self.id)?
            .arg(&self.text)?
            .finish())
    }
}

/// One to three quick-reply buttons under the message's text:
/// ``ReplyButtons(buttons, *, header=None, footer=None)``, ``buttons`` an iterable of
/// ``Button`` with unique ids.
#[pyclass(frozen, eq, hash, module = "connectly._connectly")]
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct ReplyButtons {
    buttons: Vec<Button>,
    /// A header above the message.
    #[pyo3(get)]
    header: Option<String>,
    /// A footer below the message.
    #[pyo3(get)]
    footer: Option<String>,
}

#[pymethods]
impl ReplyButtons {
    #[new]
    #[pyo3(signature = (buttons, *, header=None, footer=None))]
    fn new(
        buttons: &Bound<'_, PyAny>,
        header: Option<String>,
        footer: Option<String>,
    ) -> PyResult<Self> {
        let buttons = items(buttons, "reply buttons must be Button objects")?;
        Ok(Self {
            buttons,
            header,
            footer,
        })
    }

    /// The buttons, in order.
    #[getter]
    fn buttons(&self) -> Vec<Button> {
        self.buttons.clone()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(Repr::new(py, "ReplyButtons")
            .arg(self.buttons.clone())?
            .optional("header", self.header.as_deref())?
            .optional("footer", self.footer.as_deref())?
            .finish())
    }
}

impl ReplyButtons {
    fn core(&self) -> connectly::ReplyButtons {
        let buttons = self
            .buttons
            .iter()
            .map(|b| connectly::Button::new(b.id.clone(), b.text.clone()));
        let mut reply = connectly::ReplyButtons::new(buttons);
        if let Some(header) = &self.header {
            reply = reply.header(header.clone());
        }
        if let Some(footer) = &self.footer {
            reply = reply.footer(footer.clone());
        }
        reply
    }
}

/// The keywords of ``send_message`` (and ``MessageRequest``), as given.
#[derive(Clone, PartialEq)]
pub(crate) struct Draft {
    pub(crate) to: String,
    pub(crate) channel: String,
    pub(crate) recipient_name: Option<String>,
    pub(crate) text: Option<String>,
    pub(crate) attachment: Option<Attachment>,
    pub(crate) location: Option<Location>,
    pub(crate) list: Option<ListMessage>,
    pub(crate) buttons: Option<ReplyButtons>,
    pub(crate) sender: Option<String>,
    pub(crate) message_id: Option<String>,
}

impl Draft {
    /// The parts as `send_message`'s keywords give them (also `MessageRequest`'s and the
    /// async client's).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        to: String,
        text: Option<String>,
        attachment: Option<PyRef<'_, Attachment>>,
        location: Option<PyRef<'_, Location>>,
        list: Option<PyRef<'_, ListMessage>>,
        buttons: Option<PyRef<'_, ReplyButtons>>,
        channel: String,
        sender: Option<String>,
        message_id: Option<String>,
        recipient_name: Option<String>,
    ) -> Self {
        Self {
            to,
            channel,
            recipient_name,
            text,
            attachment: attachment.map(|a| a.clone()),
            location: location.map(|l| l.clone()),
            list: list.map(|l| l.clone()),
            buttons: buttons.map(|b| b.clone()),
            sender,
            message_id,
        }
    }

    /// The core's recipient and message: [`Message::from_parts`] refuses more than one kind
    /// of content; everything else is checked when it is sent.
    pub(crate) fn build(&self) -> Result<(Recipient, Message), ValidationError> {
        let mut recipient = Recipient::new(self.channel.clone(), self.to.clone());
        if let Some(name) = &self.recipient_name {
            recipient = recipient.with_name(name.clone());
        }
        let message = Message::from_parts(MessageParts {
            text: self.text.clone(),
            attachment: self.attachment.as_ref().map(Attachment::core),
            location: self.location.as_ref().map(Location::core),
            list: self.list.as_ref().map(ListMessage::core),
            buttons: self.buttons.as_ref().map(ReplyButtons::core),
            product: None,
            id: self.message_id.clone(),
            sender: self.sender.clone(),
        })?;
        Ok((recipient, message))
    }

    /// The names of the parts given, for a repr that does not show the message's content.
    fn parts(&self) -> Vec<&'static str> {
        [
            ("text", self.text.is_some()),
            ("attachment", self.attachment.is_some()),
            ("location", self.location.is_some()),
            ("list", self.list.is_some()),
            ("buttons", self.buttons.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, given)| given.then_some(name))
        .collect()
    }
}

/// A session message of any kind for ``Client.send_many``:
/// ``MessageRequest(to, *, text=None, attachment=None, location=None, list=None, buttons=None,
/// channel="whatsapp", sender=None, message_id=None, recipient_name=None)``, the keywords of
/// ``Client.send_message``. More than one of attachment, location, list and buttons is a
/// ``ValidationError`` here; the rest is checked when it is sent.
#[pyclass(frozen, eq, module = "connectly._connectly")]
#[derive(PartialEq)]
pub(crate) struct MessageRequest {
    draft: Draft,
    recipient: Recipient,
    message: Message,
}

#[pymethods]
impl MessageRequest {
    #[new]
    #[pyo3(
        signature = (
            to, *, text=None, attachment=None, location=None, list=None, buttons=None,
            channel=String::from("whatsapp"), sender=None, message_id=None, recipient_name=None
        ),
        text_signature = "(to, *, text=None, attachment=None, location=None, list=None, \
            buttons=None, channel='whatsapp', sender=None, message_id=None, recipient_name=None)"
    )]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        to: String,
        text: Option<String>,
        attachment: Option<PyRef<'_, Attachment>>,
        location: Option<PyRef<'_, Location>>,
        list: Option<PyRef<'_, ListMessage>>,
        buttons: Option<PyRef<'_, ReplyButtons>>,
        channel: String,
        sender: Option<String>,
        message_id: Option<String>,
        recipient_name: Option<String>,
    ) -> PyResult<Self> {
        let draft = Draft::new(
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
        let (recipient, message) = draft
            .build()
            .map_err(|err| errors::client(py, &err.into()))?;
        Ok(Self {
            draft,
            recipient,
            message,
        })
    }

    /// The recipient's number or channel user id.
    #[getter]
    fn to(&self) -> &str {
        &self.draft.to
    }

    /// The channel, such as ``whatsapp`` or ``sms``.
    #[getter]
    fn channel(&self) -> &str {
        &self.draft.channel
    }

    /// The recipient's name, when given.
    #[getter]
    fn recipient_name(&self) -> Option<&str> {
        self.draft.recipient_name.as_deref()
    }

    /// The text: the message, or the body of a list or button message.
    #[getter]
    fn text(&self) -> Option<&str> {
        self.draft.text.as_deref()
    }

    /// The attachment, when given.
    #[getter]
    fn attachment(&self) -> Option<Attachment> {
        self.draft.attachment.clone()
    }

    /// The location, when given.
    #[getter]
    fn location(&self) -> Option<Location> {
        self.draft.location.clone()
    }

    /// The list, when given.
    #[getter]
    fn list(&self) -> Option<ListMessage> {
        self.draft.list.clone()
    }

    /// The reply buttons, when given.
    #[getter]
    fn buttons(&self) -> Option<ReplyButtons> {
        self.draft.buttons.clone()
    }

    /// The business number that sends it, when given.
    #[getter]
    fn sender(&self) -> Option<&str> {
        self.draft.sender.as_deref()
    }

    /// The message's own id, when given.
    #[getter]
    fn message_id(&self) -> Option<&str> {
        self.draft.message_id.as_deref()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(Repr::new(py, "MessageRequest")
            .arg(&self.draft.to)?
            .field("channel", &self.draft.channel)?
            .field("parts", self.draft.parts())?
            .finish())
    }
}

impl MessageRequest {
    /// The core's recipient and message.
    pub(crate) fn outgoing(&self) -> connectly::Outgoing {
        connectly::Outgoing::message(self.recipient.clone(), self.message.clone())
    }
}
