//! `connectly send-message`: a session message of any kind, from flags or from a JSON file
//! in the API's `message` shape; and the reading of that shape, which `bulk` shares.

use clap::{ArgGroup, Args};
use serde_json::Value;

use super::input::{file_name, read_json, Object};
use super::{api, Failed, Outcome};
use connectly::{
    Attachment, AttachmentType, Button, Client, ListMessage, ListRow, ListSection, Location,
    Message, MessageParts, ProductKind, Recipient, ReplyButtons,
};

/// `connectly send-message`.
#[derive(Debug, Args)]
#[command(
    group(ArgGroup::new("interactive").args(["buttons", "list"]).multiple(true)),
    group(ArgGroup::new("content").multiple(true).args([
        "text", "attachment_type", "attachment_url", "caption", "filename", "latitude",
        "longitude", "location_name", "address", "buttons", "header", "footer", "list",
        "message_id",
    ])),
)]
pub(super) struct MessageArgs {
    /// The channel: whatsapp, sms, or any other the API knows.
    #[arg(long, default_value = "whatsapp")]
    channel: String,
    /// The recipient: an E.164 number such as +15555555555, or a channel user id.
    #[arg(long)]
    to: String,
    /// The recipient's name (`recipient.name`).
    #[arg(long, value_name = "NAME")]
    recipient_name: Option<String>,
    /// Which of the business's numbers sends it, when it has several.
    #[arg(long, value_name = "NUMBER")]
    sender: Option<String>,
    /// The message's own id (`message.id`), such as a ULID.
    #[arg(long, value_name = "ID")]
    message_id: Option<String>,
    /// The text; with --button or --list, the message's body.
    #[arg(long)]
    text: Option<String>,
    /// The attachment's type: image, video, audio or document.
    #[arg(long, value_name = "TYPE", requires = "attachment_url")]
    attachment_type: Option<String>,
    /// The public https URL Connectly fetches the attachment from.
    #[arg(long, value_name = "URL", requires = "attachment_type")]
    attachment_url: Option<String>,
    /// The text shown under the attachment.
    #[arg(long, requires = "attachment_url")]
    caption: Option<String>,
    /// The document's file name, as the recipient sees it.
    #[arg(long, requires = "attachment_url")]
    filename: Option<String>,
    /// The location's latitude, in degrees (-90 to 90).
    #[arg(long, requires = "longitude", allow_negative_numbers = true)]
    latitude: Option<f64>,
    /// The location's longitude, in degrees (-180 to 180).
    #[arg(long, requires = "latitude", allow_negative_numbers = true)]
    longitude: Option<f64>,
    /// The location's name.
    #[arg(long, value_name = "NAME", requires = "latitude")]
    location_name: Option<String>,
    /// The location's address.
    #[arg(long, requires = "latitude")]
    address: Option<String>,
    /// A reply button as ID=TEXT; repeat for each, in order (1 to 3).
    #[arg(long = "button", value_name = "ID=TEXT", value_parser = button)]
    buttons: Vec<(String, String)>,
    /// A header above the buttons or the list.
    #[arg(long, requires = "interactive")]
    header: Option<String>,
    /// A footer below the buttons or the list.
    #[arg(long, requires = "interactive")]
    footer: Option<String>,
    /// A list message from a JSON file (`-`: standard input), in the API's `listMessage`
    /// shape (`{"button": {"text": "..."}, "sections": [...]}`) or with plain strings for
    /// the button, header and footer.
    #[arg(long, value_name = "FILE")]
    list: Option<String>,
    /// The whole message from a JSON file (`-`: standard input), in the API's `message`
    /// shape: `{"id", "text", "attachments", "location", "listMessage",
    /// "replyButtonMessage", "singleProductMessage", "multiProductMessage"}`.
    #[arg(long, value_name = "FILE", conflicts_with = "content")]
    json: Option<String>,
}

/// Parses a button's `ID=TEXT`.
fn button(value: &str) -> Result<(String, String), String> {
    value
        .split_once('=')
        .map(|(id, text)| (id.to_string(), text.to_string()))
        .ok_or_else(|| "expected ID=TEXT".to_string())
}

/// The keys of the API's `message` object.
const MESSAGE_KEYS: [&str; 8] = [
    "id",
    "text",
    "attachments",
    "location",
    "listMessage",
    "replyButtonMessage",
    "singleProductMessage",
    "multiProductMessage",
];

/// A message in the API's `message` shape, read into the core's parts; `source` names
/// where it came from in errors. The core decides whether the parts make a message.
pub(crate) fn message_parts(
    value: &Value,
    source: &str,
    at: String,
) -> Result<MessageParts, Failed> {
    let message = Object::new(value, source, at)?;
    message.only(&MESSAGE_KEYS)?;
    let attachments = message.objects("attachments")?;
    if attachments.len() > 1 {
        return Err(message.refuse(
            "attachments",
            "holds more than one attachment; a message carries at most one",
        ));
    }
    let attachment = attachments.first().map(attachment).transpose()?;
    let location = message
        .object(&["location"])?
        .map(|l| location(&l))
        .transpose()?;
    let list = message
        .object(&["listMessage"])?
        .map(|l| list(&l))
        .transpose()?;
    let buttons = message
        .object(&["replyButtonMessage"])?
        .map(|b| buttons(&b))
        .transpose()?;
    let product = match (
        message.get(&["singleProductMessage"])?,
        message.get(&["multiProductMessage"])?,
    ) {
        (Some(_), Some(_)) => {
            return Err(message.refuse(
                "multiProductMessage",
                "and `singleProductMessage` cannot both be given",
            ))
        }
        (Some((_, p)), None) => Some((ProductKind::Single, p.clone())),
        (None, Some((_, p))) => Some((ProductKind::Multi, p.clone())),
        (None, None) => None,
    };
    Ok(MessageParts {
        text: message.string(&["text"])?,
        attachment,
        location,
        list,
        buttons,
        product,
        id: message.string(&["id"])?,
        sender: None,
    })
}

fn attachment(object: &Object<'_>) -> Result<Attachment, Failed> {
    object.only(&["type", "url", "caption", "filename"])?;
    let kind = AttachmentType::parse(&object.required_string(&["type"])?)
        .map_err(|e| object.refused_value("type", e))?;
    let mut attachment = Attachment::new(kind, object.required_string(&["url"])?);
    if let Some(caption) = object.string(&["caption"])? {
        attachment = attachment.caption(caption);
    }
    if let Some(filename) = object.string(&["filename"])? {
        attachment = attachment.filename(filename);
    }
    Ok(attachment)
}

fn location(object: &Object<'_>) -> Result<Location, Failed> {
    object.only(&["latitude", "longitude", "name", "address"])?;
    let mut location = Location::new(
        object.required_number("latitude")?,
        object.required_number("longitude")?,
    );
    if let Some(name) = object.string(&["name"])? {
        location = location.name(name);
    }
    if let Some(address) = object.string(&["address"])? {
        location = location.address(address);
    }
    Ok(location)
}

/// A list in the API's `listMessage` shape, or with plain strings for its labels.
fn list(object: &Object<'_>) -> Result<ListMessage, Failed> {
    object.only(&["button", "header", "footer", "sections"])?;
    let button = object
        .label("button")?
        .ok_or_else(|| object.refuse("button", "is missing"))?;
    let mut sections = Vec::new();
    for section in object.objects("sections")? {
        section.only(&["title", "rows"])?;
        let mut rows = Vec::new();
        for row in section.objects("rows")? {
            row.only(&["id", "text", "description"])?;
            let mut list_row = ListRow::new(
                row.required_string(&["id"])?,
                row.required_string(&["text"])?,
            );
            if let Some(description) = row.string(&["description"])? {
                list_row = list_row.description(description);
            }
            rows.push(list_row);
        }
        sections.push(ListSection::new(section.required_string(&["title"])?, rows));
    }
    let mut list = ListMessage::new(button, sections);
    if let Some(header) = object.label("header")? {
        list = list.header(header);
    }
    if let Some(footer) = object.label("footer")? {
        list = list.footer(footer);
    }
    Ok(list)
}

/// Reply buttons in the API's `replyButtonMessage` shape.
fn buttons(object: &Object<'_>) -> Result<ReplyButtons, Failed> {
    object.only(&["buttons", "header", "footer"])?;
    let mut buttons = Vec::new();
    for button in object.objects("buttons")? {
        button.only(&["id", "text"])?;
        buttons.push(Button::new(
            button.required_string(&["id"])?,
            button.required_string(&["text"])?,
        ));
    }
    let mut buttons = ReplyButtons::new(buttons);
    if let Some(header) = object.label("header")? {
        buttons = buttons.header(header);
    }
    if let Some(footer) = object.label("footer")? {
        buttons = buttons.footer(footer);
    }
    Ok(buttons)
}

impl MessageArgs {
    /// The message the flags (or the --json file) describe, as the core builds it.
    fn message(&self) -> Result<Message, Failed> {
        let mut parts = match &self.json {
            Some(path) => {
                message_parts(&read_json(path, "message")?, file_name(path), String::new())?
            }
            None => self.parts()?,
        };
        parts.sender.clone_from(&self.sender);
        Ok(Message::from_parts(parts)?)
    }

    /// The parts the content flags give.
    fn parts(&self) -> Result<MessageParts, Failed> {
        let attachment = match (&self.attachment_type, &self.attachment_url) {
            (Some(kind), Some(url)) => {
                let kind = AttachmentType::parse(kind)?;
                let mut attachment = Attachment::new(kind, url);
                if let Some(caption) = &self.caption {
                    attachment = attachment.caption(caption);
                }
                if let Some(filename) = &self.filename {
                    attachment = attachment.filename(filename);
                }
                Some(attachment)
            }
            // clap requires the type and the URL together.
            _ => None,
        };
        let location = match (self.latitude, self.longitude) {
            (Some(latitude), Some(longitude)) => {
                let mut location = Location::new(latitude, longitude);
                if let Some(name) = &self.location_name {
                    location = location.name(name);
                }
                if let Some(address) = &self.address {
                    location = location.address(address);
                }
                Some(location)
            }
            _ => None,
        };
        let buttons = (!self.buttons.is_empty()).then(|| {
            let mut buttons =
                ReplyButtons::new(self.buttons.iter().map(|(id, text)| Button::new(id, text)));
            if let Some(header) = &self.header {
                buttons = buttons.header(header);
            }
            if let Some(footer) = &self.footer {
                buttons = buttons.footer(footer);
            }
            buttons
        });
        let list = match &self.list {
            Some(path) => {
                let value = read_json(path, "list")?;
                let mut list = list(&Object::new(&value, file_name(path), String::new())?)?;
                if let Some(header) = &self.header {
                    list = list.header(header);
                }
                if let Some(footer) = &self.footer {
                    list = list.footer(footer);
                }
                Some(list)
            }
            None => None,
        };
        Ok(MessageParts {
            text: self.text.clone(),
            attachment,
            location,
            list,
            buttons,
            product: None,
            id: self.message_id.clone(),
            sender: None,
        })
    }
}

/// `connectly send-message`.
pub(super) fn send_message(client: &Client, args: &MessageArgs) -> Outcome {
    let mut to = Recipient::new(&args.channel, &args.to);
    if let Some(name) = &args.recipient_name {
        to = to.with_name(name);
    }
    api::print(&client.send_message(&to, &args.message()?)?)
}
