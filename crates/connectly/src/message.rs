//! Session messages (`POST /send/messages`): text, one attachment, a location, a list or
//! reply buttons, checked before any byte is sent and written in the API's camelCase shape.

use serde::Serialize;
use serde_json::Value;

use crate::error::ValidationError;
use crate::recipient::Recipient;
use crate::validate;

/// The most reply buttons WhatsApp shows on one message.
pub const MAX_BUTTONS: usize = 3;
/// The most rows a list message holds, over all its sections.
pub const MAX_LIST_ROWS: usize = 10;

type Result<T = ()> = std::result::Result<T, ValidationError>;

/// What kind of file an [`Attachment`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AttachmentType {
    /// A picture.
    Image,
    /// A video.
    Video,
    /// A sound file or voice note.
    Audio,
    /// Any other file, shown with its filename.
    Document,
}

impl AttachmentType {
    /// Every type, in the order the API lists them.
    pub const ALL: [AttachmentType; 4] = [
        AttachmentType::Image,
        AttachmentType::Video,
        AttachmentType::Audio,
        AttachmentType::Document,
    ];

    /// The name the API uses: `image`, `video`, `audio` or `document`.
    pub fn name(self) -> &'static str {
        match self {
            AttachmentType::Image => "image",
            AttachmentType::Video => "video",
            AttachmentType::Audio => "audio",
            AttachmentType::Document => "document",
        }
    }

    /// The type the API names `name`; refused with field `attachment type` otherwise.
    pub fn parse(name: &str) -> std::result::Result<Self, ValidationError> {
        Self::ALL
            .into_iter()
            .find(|t| t.name() == name)
            .ok_or_else(|| {
                ValidationError::new(
                    "attachment type",
                    "must be one of image, video, audio or document",
                )
            })
    }
}

/// One file sent with a message, fetched by Connectly from a public https URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attachment {
    #[serde(rename = "type")]
    kind: AttachmentType,
    url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    caption: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    filename: Option<String>,
}

impl Attachment {
    /// An attachment of any type.
    pub fn new(kind: AttachmentType, url: impl Into<String>) -> Self {
        Self {
            kind,
            url: url.into(),
            caption: None,
            filename: None,
        }
    }

    /// An image at `url`.
    pub fn image(url: impl Into<String>) -> Self {
        Self::new(AttachmentType::Image, url)
    }

    /// A video at `url`.
    pub fn video(url: impl Into<String>) -> Self {
        Self::new(AttachmentType::Video, url)
    }

    /// An audio file at `url`.
    pub fn audio(url: impl Into<String>) -> Self {
        Self::new(AttachmentType::Audio, url)
    }

    /// A document at `url`.
    pub fn document(url: impl Into<String>) -> Self {
        Self::new(AttachmentType::Document, url)
    }

    /// The text shown under the file.
    pub fn caption(mut self, caption: impl Into<String>) -> Self {
        self.caption = Some(caption.into());
        self
    }

    /// The file's name as the recipient sees it (documents only).
    pub fn filename(mut self, filename: impl Into<String>) -> Self {
        self.filename = Some(filename.into());
        self
    }

    /// The attachment's type.
    pub fn kind(&self) -> AttachmentType {
        self.kind
    }

    /// Where Connectly fetches the file.
    pub fn url(&self) -> &str {
        &self.url
    }

    fn validate(&self) -> Result {
        validate::public_https_url("attachment url", &self.url)?;
        if let Some(caption) = &self.caption {
            validate::text_field("attachment caption", caption)?;
        }
        if let Some(filename) = &self.filename {
            if self.kind != AttachmentType::Document {
                return Err(ValidationError::new(
                    "attachment filename",
                    "is only sent with documents",
                ));
            }
            validate::name("attachment filename", filename)?;
        }
        Ok(())
    }
}

/// A place on the map.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Location {
    latitude: f64,
    longitude: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    address: Option<String>,
}

impl Location {
    /// A point: latitude from -90 to 90, longitude from -180 to 180, in degrees.
    pub fn new(latitude: f64, longitude: f64) -> Self {
        Self {
            latitude,
            longitude,
            name: None,
            address: None,
        }
    }

    /// The place's name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The place's address.
    pub fn address(mut self, address: impl Into<String>) -> Self {
        self.address = Some(address.into());
        self
    }

    fn validate(&self) -> Result {
        if !(self.latitude.is_finite() && (-90.0..=90.0).contains(&self.latitude)) {
            return Err(ValidationError::new(
                "location latitude",
                "must be a number from -90 to 90",
            ));
        }
        if !(self.longitude.is_finite() && (-180.0..=180.0).contains(&self.longitude)) {
            return Err(ValidationError::new(
                "location longitude",
                "must be a number from -180 to 180",
            ));
        }
        if let Some(name) = &self.name {
            validate::text_field("location name", name)?;
        }
        if let Some(address) = &self.address {
            validate::text_field("location address", address)?;
        }
        Ok(())
    }
}

/// A short text in a header, footer or button, as the API wraps it: `{"text": "..."}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct Label {
    text: String,
}

fn label(text: Option<String>) -> Option<Label> {
    text.map(|text| Label { text })
}

/// A header and footer, when given, are not blank.
fn validate_labels(header: Option<&Label>, footer: Option<&Label>) -> Result {
    if let Some(header) = header {
        validate::text_field("header", &header.text)?;
    }
    if let Some(footer) = footer {
        validate::text_field("footer", &footer.text)?;
    }
    Ok(())
}

/// One choice in a [`ListSection`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListRow {
    id: String,
    text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
}

impl ListRow {
    /// A row: the id a reply carries back, and the text shown.
    pub fn new(id: impl Into<String>, text: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            text: text.into(),
            description: None,
        }
    }

    /// A second line under the row's text.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }
}

/// A titled group of rows in a [`ListMessage`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListSection {
    title: String,
    rows: Vec<ListRow>,
}

impl ListSection {
    /// A section with its rows.
    pub fn new(title: impl Into<String>, rows: impl IntoIterator<Item = ListRow>) -> Self {
        Self {
            title: title.into(),
            rows: rows.into_iter().collect(),
        }
    }
}

/// A list the recipient opens with a button and picks one row from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListMessage {
    #[serde(skip_serializing_if = "Option::is_none")]
    header: Option<Label>,
    #[serde(skip_serializing_if = "Option::is_none")]
    footer: Option<Label>,
    button: Label,
    sections: Vec<ListSection>,
}

impl ListMessage {
    /// A list opened by a button labelled `button`; 1 to 10 rows in all.
    pub fn new(button: impl Into<String>, sections: impl IntoIterator<Item = ListSection>) -> Self {
        Self {
            header: None,
            footer: None,
            button: Label {
                text: button.into(),
            },
            sections: sections.into_iter().collect(),
        }
    }

    /// A header above the message.
    pub fn header(mut self, header: impl Into<String>) -> Self {
        self.header = label(Some(header.into()));
        self
    }

    /// A footer below the message.
    pub fn footer(mut self, footer: impl Into<String>) -> Self {
        self.footer = label(Some(footer.into()));
        self
    }

    fn validate(&self) -> Result {
        validate_labels(self.header.as_ref(), self.footer.as_ref())?;
        validate::text_field("list button", &self.button.text)?;
        let mut ids = std::collections::HashSet::new();
        let mut rows = 0;
        for section in &self.sections {
            validate::text_field("section title", &section.title)?;
            if section.rows.is_empty() {
                return Err(ValidationError::new("list rows", "a section has no rows"));
            }
            for row in &section.rows {
                validate::name("row id", &row.id)?;
                if !ids.insert(row.id.as_str()) {
                    return Err(ValidationError::new(
                        "row id",
                        format!("'{}' appears more than once", row.id),
                    ));
                }
                validate::text_field("row text", &row.text)?;
                if let Some(description) = &row.description {
                    validate::text_field("row description", description)?;
                }
                rows += 1;
            }
        }
        if !(1..=MAX_LIST_ROWS).contains(&rows) {
            return Err(ValidationError::new(
                "list rows",
                format!("a list holds 1 to {MAX_LIST_ROWS} rows in all"),
            ));
        }
        Ok(())
    }
}

/// One quick-reply button of [`ReplyButtons`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Button {
    id: String,
    text: String,
}

impl Button {
    /// A button: the id a reply carries back, and its label.
    pub fn new(id: impl Into<String>, text: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            text: text.into(),
        }
    }
}

/// One to three quick-reply buttons under the message's text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReplyButtons {
    #[serde(skip_serializing_if = "Option::is_none")]
    header: Option<Label>,
    #[serde(skip_serializing_if = "Option::is_none")]
    footer: Option<Label>,
    buttons: Vec<Button>,
}

impl ReplyButtons {
    /// The buttons, 1 to 3, with unique ids.
    pub fn new(buttons: impl IntoIterator<Item = Button>) -> Self {
        Self {
            header: None,
            footer: None,
            buttons: buttons.into_iter().collect(),
        }
    }

    /// A header above the message.
    pub fn header(mut self, header: impl Into<String>) -> Self {
        self.header = label(Some(header.into()));
        self
    }

    /// A footer below the message.
    pub fn footer(mut self, footer: impl Into<String>) -> Self {
        self.footer = label(Some(footer.into()));
        self
    }

    fn validate(&self) -> Result {
        validate_labels(self.header.as_ref(), self.footer.as_ref())?;
        if !(1..=MAX_BUTTONS).contains(&self.buttons.len()) {
            return Err(ValidationError::new(
                "buttons",
                format!("a message has 1 to {MAX_BUTTONS} reply buttons"),
            ));
        }
        let mut ids = std::collections::HashSet::new();
        for button in &self.buttons {
            validate::name("button id", &button.id)?;
            if !ids.insert(button.id.as_str()) {
                return Err(ValidationError::new(
                    "button id",
                    format!("'{}' appears more than once", button.id),
                ));
            }
            validate::text_field("button text", &button.text)?;
        }
        Ok(())
    }
}

/// Which catalog message a product payload is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProductKind {
    /// `singleProductMessage`: one product of the catalog.
    Single,
    /// `multiProductMessage`: several products, in sections.
    Multi,
}

/// The one content a message carries besides its text.
#[derive(Debug, Clone, PartialEq)]
enum Content {
    Attachment(Attachment),
    Location(Location),
    List(ListMessage),
    Buttons(ReplyButtons),
    Product(ProductKind, Value),
}

/// A message's parts given separately, for [`Message::from_parts`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MessageParts {
    /// The text, or the body of a list or button message.
    pub text: Option<String>,
    /// One file.
    pub attachment: Option<Attachment>,
    /// A location.
    pub location: Option<Location>,
    /// A list message.
    pub list: Option<ListMessage>,
    /// Reply buttons.
    pub buttons: Option<ReplyButtons>,
    /// A catalog product payload.
    pub product: Option<(ProductKind, Value)>,
    /// The message's own id.
    pub id: Option<String>,
    /// The business number that sends it.
    pub sender: Option<String>,
}

/// A session message's content: a text, one attachment, a location, a list or reply buttons
/// (the last two with a text, their body), and optionally its own id and the business number
/// that sends it.
///
/// ```
/// use connectly::{Attachment, Button, Message, ReplyButtons};
///
/// let photo = Message::attachment(Attachment::image("https://example.com/a.jpg").caption("Ada"));
/// let question = Message::buttons(ReplyButtons::new([Button::new("y", "Yes"), Button::new("n", "No")]))
///     .with_text("Did it arrive?")
///     .id("01FPW47QF69Y5JZH24605VAKQB");
/// # let _ = (photo, question);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    text: Option<String>,
    content: Option<Content>,
    id: Option<String>,
    sender: Option<String>,
}

impl Message {
    fn of(text: Option<String>, content: Option<Content>) -> Self {
        Self {
            text,
            content,
            id: None,
            sender: None,
        }
    }

    /// A text message.
    pub fn text(text: impl Into<String>) -> Self {
        Self::of(Some(text.into()), None)
    }

    /// A file: an image, video, audio or document.
    pub fn attachment(attachment: Attachment) -> Self {
        Self::of(None, Some(Content::Attachment(attachment)))
    }

    /// A location.
    pub fn location(location: Location) -> Self {
        Self::of(None, Some(Content::Location(location)))
    }

    /// A list message; give it its body with [`with_text`](Message::with_text).
    pub fn list(list: ListMessage) -> Self {
        Self::of(None, Some(Content::List(list)))
    }

    /// A reply-button message; give it its body with [`with_text`](Message::with_text).
    pub fn buttons(buttons: ReplyButtons) -> Self {
        Self::of(None, Some(Content::Buttons(buttons)))
    }

    /// A catalog product message, passed through as the JSON object given (the SDK does not
    /// model catalogs).
    pub fn product(kind: ProductKind, payload: Value) -> Self {
        Self::of(None, Some(Content::Product(kind, payload)))
    }

    /// A message from parts given separately, as keyword arguments and C setters give them:
    /// more than one of attachment, location, list, buttons and product is refused (field
    /// `message`); the rest is checked when it is sent.
    pub fn from_parts(parts: MessageParts) -> std::result::Result<Self, ValidationError> {
        let MessageParts {
            text,
            attachment,
            location,
            list,
            buttons,
            product,
            id,
            sender,
        } = parts;
        let mut contents = [
            attachment.map(Content::Attachment),
            location.map(Content::Location),
            list.map(Content::List),
            buttons.map(Content::Buttons),
            product.map(|(kind, payload)| Content::Product(kind, payload)),
        ]
        .into_iter()
        .flatten();
        let content = contents.next();
        if contents.next().is_some() {
            return Err(ValidationError::new(
                "message",
                "carries one of an attachment, a location, a list, buttons or a product, \
                 not several",
            ));
        }
        Ok(Self {
            text,
            content,
            id,
            sender,
        })
    }

    /// Sets the text: the message itself, or the body of a list or button message.
    pub fn with_text(mut self, text: impl Into<String>) -> Self {
        self.text = Some(text.into());
        self
    }

    /// A client-chosen id for the message (`message.id`). Connectly does not document
    /// whether it deduplicates on it or echoes it.
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// Which of the business's numbers sends the message, when it has several.
    pub fn sender(mut self, sender: impl Into<String>) -> Self {
        self.sender = Some(sender.into());
        self
    }

    /// The message's text, if it has one.
    pub fn text_body(&self) -> Option<&str> {
        self.text.as_deref()
    }

    /// Checks everything the API would refuse, before any byte is sent.
    pub(crate) fn validate(&self) -> Result {
        if let Some(id) = &self.id {
            validate::name("message id", id)?;
        }
        if let Some(sender) = &self.sender {
            validate::recipient_id("sender", sender)?;
        }
        if let Some(text) = &self.text {
            validate::text(text)?;
        }
        match &self.content {
            None if self.text.is_none() => Err(ValidationError::new(
                "message",
                "has no content: give it a text, an attachment, a location, a list or buttons",
            )),
            None => Ok(()),
            Some(Content::Attachment(_) | Content::Location(_)) if self.text.is_some() => {
                Err(ValidationError::new(
                    "message",
                    "a text cannot go with an attachment or a location (an attachment's \
                     caption is its text)",
                ))
            }
            Some(Content::List(_) | Content::Buttons(_)) if self.text.is_none() => Err(
                ValidationError::new("text", "a list or button message needs a text, its body"),
            ),
            Some(Content::Attachment(a)) => a.validate(),
            Some(Content::Location(l)) => l.validate(),
            Some(Content::List(l)) => l.validate(),
            Some(Content::Buttons(b)) => b.validate(),
            Some(Content::Product(_, payload)) => {
                if payload.is_object() {
                    Ok(())
                } else {
                    Err(ValidationError::new("product", "must be a JSON object"))
                }
            }
        }
    }

    /// The request body for `to`, already validated.
    pub(crate) fn body<'a>(&'a self, to: &'a Recipient) -> MessageRequest<'a> {
        let mut content = ContentBody {
            id: self.id.as_deref(),
            text: self.text.as_deref(),
            ..ContentBody::default()
        };
        match &self.content {
            None => {}
            Some(Content::Attachment(a)) => content.attachments = Some([a]),
            Some(Content::Location(l)) => content.location = Some(l),
            Some(Content::List(l)) => content.list_message = Some(l),
            Some(Content::Buttons(b)) => content.reply_button_message = Some(b),
            Some(Content::Product(ProductKind::Single, p)) => {
                content.single_product_message = Some(p)
            }
            Some(Content::Product(ProductKind::Multi, p)) => {
                content.multi_product_message = Some(p)
            }
        }
        MessageRequest {
            sender: self.sender.as_deref().map(|id| PartyBody {
                id,
                channel_type: to.channel(),
                name: None,
            }),
            recipient: PartyBody {
                id: to.id(),
                channel_type: to.channel(),
                name: to.name(),
            },
            message: content,
        }
    }
}

/// The body of `POST /send/messages`.
#[derive(Serialize)]
pub(crate) struct MessageRequest<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    sender: Option<PartyBody<'a>>,
    recipient: PartyBody<'a>,
    message: ContentBody<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PartyBody<'a> {
    // The getting-started page's order, which earlier releases sent.
    channel_type: &'a str,
    id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
}

#[derive(Serialize, Default)]
#[serde(rename_all = "camelCase")]
struct ContentBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    attachments: Option<[&'a Attachment; 1]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<&'a Location>,
    #[serde(skip_serializing_if = "Option::is_none")]
    list_message: Option<&'a ListMessage>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reply_button_message: Option<&'a ReplyButtons>,
    #[serde(skip_serializing_if = "Option::is_none")]
    single_product_message: Option<&'a Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    multi_product_message: Option<&'a Value>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(message: &Message, to: &Recipient) -> Value {
        serde_json::to_value(message.body(to)).unwrap()
    }

    #[test]
    fn an_attachment_is_a_list_of_one_in_camel_case() {
        let to = Recipient::whatsapp("+15555555555").with_name("Ada");
        let message = Message::attachment(
            Attachment::document("https://example.com/a.pdf")
                .caption("Invoice")
                .filename("a.pdf"),
        )
        .sender("+14151111234")
        .id("m1");
        message.validate().unwrap();
        assert_eq!(
            json(&message, &to),
            serde_json::json!({
                "sender": {"id": "+14151111234", "channelType": "whatsapp"},
                "recipient": {"id": "+15555555555", "channelType": "whatsapp", "name": "Ada"},
                "message": {"id": "m1", "attachments": [{"type": "document",
                    "url": "https://example.com/a.pdf", "caption": "Invoice", "filename": "a.pdf"}]}
            })
        );
    }

    #[test]
    fn list_and_button_limits() {
        let rows = |n: usize| (0..n).map(|i| ListRow::new(format!("r{i}"), "row"));
        let list = |n| Message::list(ListMessage::new("Open", [ListSection::new("S", rows(n))]));
        assert!(list(10).with_text("pick").validate().is_ok());
        assert_eq!(
            list(11).with_text("pick").validate().unwrap_err().field,
            "list rows"
        );
        assert_eq!(
            list(0).with_text("pick").validate().unwrap_err().field,
            "list rows"
        );
        assert_eq!(list(1).validate().unwrap_err().field, "text");
        let buttons = |n: usize| {
            Message::buttons(ReplyButtons::new(
                (0..n).map(|i| Button::new(format!("b{i}"), "B")),
            ))
            .with_text("?")
        };
        assert!(buttons(3).validate().is_ok());
        assert_eq!(buttons(4).validate().unwrap_err().field, "buttons");
        assert_eq!(buttons(0).validate().unwrap_err().field, "buttons");
    }
}
