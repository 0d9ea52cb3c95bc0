//! A parsed webhook delivery, typed by its topic.
//!
//! An [`Event`] is only ever built from a body whose signature matched: the one way to get
//! one from bytes is [`Webhook::verify_event`](crate::Webhook::verify_event), which checks the
//! MAC first. The parser itself is private to the crate on purpose.

use std::collections::HashMap;

use serde_json::value::RawValue;
use serde_json::Value;

use crate::webhook::WebhookError;

/// One side of a message: who sent it or who received it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Party {
    /// The id: an E.164 number or a provider-scoped user id (BSUID).
    pub id: String,
    /// The channel, such as `whatsapp` or `sms`, passed through as Connectly wrote it.
    pub channel_type: String,
    /// The display name, when the delivery carries one.
    pub name: Option<String>,
    /// The provider-scoped user id (`userId`) of a customer known by a BSUID.
    pub user_id: Option<String>,
    /// The customer's phone number (`phoneNumber`; `""` when a BSUID customer has none).
    pub phone_number: Option<String>,
}

/// What every delivery carries, whatever its topic.
///
/// Only ever built from a body whose signature matched; fields the SDK does not model are
/// not lost: [`RawEvent::body`] holds the exact signed bytes, [`RawEvent::raw`] the same
/// JSON text, unparsed, for your own types.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RawEvent {
    /// The topic: `messages` (also when absent, as in older deliveries), `delivery_status`,
    /// or any other the provider adds.
    pub topic: String,
    /// When Connectly produced the event, in Unix seconds. The delivery carries it as a string
    /// of decimal digits (a JSON integer is accepted too).
    pub timestamp: i64,
    /// Who sent the message: the customer for `messages`, the business for statuses.
    pub sender: Party,
    /// Who received it.
    pub recipient: Party,
    /// The `callbackData` the message this event is about was sent with, as JSON.
    pub callback_data: Option<Value>,
    /// The whole delivery as JSON text exactly as it was signed (numbers, key order and
    /// escapes untouched); `serde_json::from_str(event.raw().get())` parses it into any type.
    pub raw: Box<RawValue>,
    /// The exact bytes that were signed and verified, to store or forward as they came.
    pub body: Vec<u8>,
}

/// A file a customer sent.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct InboundAttachment {
    /// `image`, `video`, `audio`, `document`, or another type as the provider wrote it.
    pub kind: String,
    /// Where to download it (the MIME type comes with the download).
    pub url: String,
    /// The caption, when there is one.
    pub caption: Option<String>,
    /// The file's name, when there is one.
    pub filename: Option<String>,
}

/// A location a customer shared.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct InboundLocation {
    /// Degrees north.
    pub latitude: f64,
    /// Degrees east.
    pub longitude: f64,
    /// The place's name, when given.
    pub name: Option<String>,
    /// The place's address, when given.
    pub address: Option<String>,
}

/// A tap on a reply button, in any of the three shapes deliveries use.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ButtonReply {
    /// The button's label.
    pub text: Option<String>,
    /// The payload the button carried.
    pub payload: Option<String>,
    /// The reply's id, in the shape that has one.
    pub id: Option<String>,
}

/// A row picked from a list message.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ListReply {
    /// The row's id.
    pub id: String,
    /// The row's text.
    pub text: Option<String>,
    /// The row's description.
    pub description: Option<String>,
}

/// A message a customer sent to the business (topic `messages`).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct InboundMessage {
    /// The fields every delivery has.
    pub base: RawEvent,
    /// `message.text`, when there is one.
    pub text: Option<String>,
    /// The first of `message.attachments`.
    pub attachment: Option<InboundAttachment>,
    /// `message.location`.
    pub location: Option<InboundLocation>,
    /// A button reply: `buttonResponse`, or `message.isButtonResponse` with the text.
    pub button_reply: Option<ButtonReply>,
    /// A list reply: `message.listReply`, or `listResponse`.
    pub list_reply: Option<ListReply>,
    /// The id of the message this one quotes (`context.replyToId`).
    pub reply_to_id: Option<String>,
    /// A Click-to-WhatsApp referral (`message.referral`), as JSON.
    pub referral: Option<Value>,
}

/// How far a message the business sent has come.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MessageStatus {
    /// `sent`: WhatsApp has it.
    Sent,
    /// `delivered`: on the customer's device.
    Delivered,
    /// `read`: the customer opened it.
    Read,
    /// `delivery_failed` (also spelled `delivery_failure`): final.
    Failed,
    /// Any other status, as the provider wrote it.
    Other(String),
}

impl MessageStatus {
    /// The status a delivery names; `delivery_failure` is read as `delivery_failed`.
    pub fn parse(name: &str) -> Self {
        match name {
            "sent" => MessageStatus::Sent,
            "delivered" => MessageStatus::Delivered,
            "read" => MessageStatus::Read,
            "delivery_failed" | "delivery_failure" => MessageStatus::Failed,
            other => MessageStatus::Other(other.to_owned()),
        }
    }

    /// The name: `sent`, `delivered`, `read`, `delivery_failed`, or the other status.
    pub fn as_str(&self) -> &str {
        match self {
            MessageStatus::Sent => "sent",
            MessageStatus::Delivered => "delivered",
            MessageStatus::Read => "read",
            MessageStatus::Failed => "delivery_failed",
            MessageStatus::Other(name) => name,
        }
    }

    /// Its place in a message's life: sent < delivered < read < failed (final); statuses the
    /// SDK does not know come before all of them.
    pub(crate) fn rank(&self) -> u8 {
        match self {
            MessageStatus::Other(_) => 0,
            MessageStatus::Sent => 1,
            MessageStatus::Delivered => 2,
            MessageStatus::Read => 3,
            MessageStatus::Failed => 4,
        }
    }
}

/// The API error a failed delivery status carries (`statusUpdate.error`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ErrorDetail {
    /// The error code, such as `ERROR_CODE_...`.
    pub code: Option<String>,
    /// The error type (`type`).
    pub kind: Option<String>,
    /// The message.
    pub message: Option<String>,
    /// The provider's trace id (`cntTraceId`).
    pub trace_id: Option<String>,
}

/// What became of a message the business sent (topic `delivery_status`).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct DeliveryStatus {
    /// The fields every delivery has.
    pub base: RawEvent,
    /// The message's id: the `id` its send answered (`statusUpdate.id`).
    pub message_id: String,
    /// The status.
    pub status: MessageStatus,
    /// Why it failed, when it did.
    pub error: Option<ErrorDetail>,
    /// The campaign: `metadata.campaign_name`, or `statusUpdate.metadata.campaignName`.
    pub campaign_name: Option<String>,
}

/// A verified webhook delivery, typed by its topic.
///
/// The documented inbound message looks like this:
///
/// ```json
/// { "timestamp": "1639083206",
///   "sender": { "id": "+16315555500", "channelType": "whatsapp" },
///   "recipient": { "id": "123456123", "channelType": "whatsapp" },
///   "message": { "text": "TEST 11" } }
/// ```
///
/// Get one with [`Webhook::verify_event`](crate::Webhook::verify_event).
#[derive(Debug, Clone)]
#[non_exhaustive]
// One event per delivery, matched by value: boxing a variant would cost an allocation each.
#[allow(clippy::large_enum_variant)]
pub enum Event {
    /// Topic `messages`: a customer wrote.
    Message(InboundMessage),
    /// Topic `delivery_status`: what became of a message the business sent.
    DeliveryStatus(DeliveryStatus),
    /// Any other topic: the shared fields only.
    Other(RawEvent),
}

impl PartialEq for Event {
    /// Two events are equal when their signed bytes are: every other field derives from them.
    fn eq(&self, other: &Self) -> bool {
        self.body() == other.body()
    }
}

/// A JSON object whose member values are kept unparsed: only the members the SDK reads are
/// ever converted, so a number no `f64` holds elsewhere in a delivery cannot refuse it.
type Members<'a> = HashMap<String, &'a RawValue>;

/// The members of `raw` when it is a JSON object.
fn members(raw: &RawValue) -> Option<Members<'_>> {
    serde_json::from_str(raw.get()).ok()
}

/// The value of a member the SDK reads (absent and `null` are both `None`).
fn member(object: &Members<'_>, key: &str) -> Option<Value> {
    let value: Value = serde_json::from_str(object.get(key)?.get()).ok()?;
    (!value.is_null()).then_some(value)
}

/// A member that is a string.
fn text_member(object: &Members<'_>, key: &str) -> Option<String> {
    match member(object, key) {
        Some(Value::String(text)) => Some(text),
        _ => None,
    }
}

/// A member that is an object, with its own members unparsed.
fn object_member<'a>(object: &Members<'a>, key: &str) -> Option<Members<'a>> {
    members(object.get(key)?)
}

impl Event {
    /// Parses a delivery body whose signature has ALREADY been verified.
    ///
    /// Every failure is [`WebhookError::InvalidPayload`] with a fixed phrase: the messages
    /// never quote the body (serde_json's own messages can, so they are dropped).
    pub(crate) fn from_verified_body(body: &[u8]) -> Result<Self, WebhookError> {
        let raw: Box<RawValue> = serde_json::from_slice(body)
            .map_err(|_| WebhookError::InvalidPayload("the body is not valid JSON"))?;
        // Borrowed from `body`, not `raw`, so that `raw` can move into the event.
        let object: Members<'_> = serde_json::from_slice(body)
            .map_err(|_| WebhookError::InvalidPayload("the body is not a JSON object"))?;
        let timestamp = timestamp_field(&object)?;
        let sender = party(
            &object,
            "sender",
            "`sender` is missing or not an object",
            "`sender.id` is missing or not a string",
            "`sender.channelType` is missing or not a string",
        )?;
        let recipient = party(
            &object,
            "recipient",
            "`recipient` is missing or not an object",
            "`recipient.id` is missing or not a string",
            "`recipient.channelType` is missing or not a string",
        )?;
        let status_update = object_member(&object, "statusUpdate");
        let topic = match member(&object, "topic") {
            Some(Value::String(topic)) => topic,
            None if status_update.is_some() => "delivery_status".to_owned(),
            None => "messages".to_owned(),
            Some(_) => return Err(WebhookError::InvalidPayload("`topic` is not a string")),
        };
        let message = message_members(&object)?;
        let base = RawEvent {
            topic,
            timestamp,
            sender,
            recipient,
            callback_data: member(&object, "callbackData"),
            body: body.to_vec(),
            raw,
        };
        Ok(match base.topic.as_str() {
            "messages" => Event::Message(inbound(base, &object, message.as_ref())),
            "delivery_status" => {
                Event::DeliveryStatus(delivery_status(base, &object, status_update)?)
            }
            _ => Event::Other(base),
        })
    }

    /// The fields every delivery has.
    pub fn base(&self) -> &RawEvent {
        match self {
            Event::Message(m) => &m.base,
            Event::DeliveryStatus(s) => &s.base,
            Event::Other(raw) => raw,
        }
    }

    /// The topic: `messages`, `delivery_status`, or another.
    pub fn topic(&self) -> &str {
        &self.base().topic
    }

    /// When Connectly produced the event, in Unix seconds.
    pub fn timestamp(&self) -> i64 {
        self.base().timestamp
    }

    /// Who sent the message.
    pub fn sender(&self) -> &Party {
        &self.base().sender
    }

    /// Who received it.
    pub fn recipient(&self) -> &Party {
        &self.base().recipient
    }

    /// An inbound message's text (`message.text`); `None` for other topics.
    pub fn text(&self) -> Option<&str> {
        match self {
            Event::Message(m) => m.text.as_deref(),
            _ => None,
        }
    }

    /// The `callbackData` echoed with the event, when there is one.
    pub fn callback_data(&self) -> Option<&Value> {
        self.base().callback_data.as_ref()
    }

    /// The whole delivery as JSON text exactly as it was signed.
    pub fn raw(&self) -> &RawValue {
        &self.base().raw
    }

    /// The exact bytes that were signed and verified.
    pub fn body(&self) -> &[u8] {
        &self.base().body
    }

    /// The inbound message, when the topic is `messages`.
    pub fn as_message(&self) -> Option<&InboundMessage> {
        match self {
            Event::Message(m) => Some(m),
            _ => None,
        }
    }

    /// The delivery status, when the topic is `delivery_status`.
    pub fn as_status(&self) -> Option<&DeliveryStatus> {
        match self {
            Event::DeliveryStatus(s) => Some(s),
            _ => None,
        }
    }

    /// The delivery parsed into a `serde_json::Value` (a convenience over [`Event::raw`]).
    /// Fails only for what serde_json cannot hold, such as a number beyond `f64`'s range.
    pub fn to_value(&self) -> Result<Value, serde_json::Error> {
        serde_json::from_str(self.raw().get())
    }
}

/// `message`'s members: absent or `null` is `None`; anything else but an object, or a
/// `text` that is not a string, is refused (as since the first release).
fn message_members<'a>(object: &Members<'a>) -> Result<Option<Members<'a>>, WebhookError> {
    let message = match object.get("message") {
        None => return Ok(None),
        Some(raw) if raw.get() == "null" => return Ok(None),
        Some(raw) => {
            members(raw).ok_or(WebhookError::InvalidPayload("`message` is not an object"))?
        }
    };
    match member(&message, "text") {
        None | Some(Value::String(_)) => Ok(Some(message)),
        Some(_) => Err(WebhookError::InvalidPayload(
            "`message.text` is not a string",
        )),
    }
}

/// The typed fields of topic `messages`; anything malformed among them is left out.
fn inbound(base: RawEvent, object: &Members<'_>, message: Option<&Members<'_>>) -> InboundMessage {
    let text = message.and_then(|m| text_member(m, "text"));
    let attachment = message
        .and_then(|m| m.get("attachments"))
        .and_then(|raw| serde_json::from_str::<Vec<&RawValue>>(raw.get()).ok())
        .and_then(|items| members(items.first()?))
        .and_then(|a| {
            Some(InboundAttachment {
                kind: text_member(&a, "type")?,
                url: text_member(&a, "url")?,
                caption: text_member(&a, "caption"),
                filename: text_member(&a, "filename"),
            })
        });
    let location = message
        .and_then(|m| object_member(m, "location"))
        .and_then(|l| {
            Some(InboundLocation {
                latitude: member(&l, "latitude")?.as_f64()?,
                longitude: member(&l, "longitude")?.as_f64()?,
                name: text_member(&l, "name"),
                address: text_member(&l, "address"),
            })
        });
    let button_reply = object_member(object, "buttonResponse")
        .map(|b| ButtonReply {
            text: text_member(&b, "text"),
            payload: text_member(&b, "payload"),
            id: text_member(&b, "id"),
        })
        .or_else(|| {
            let pressed = message.and_then(|m| member(m, "isButtonResponse"));
            (pressed == Some(Value::Bool(true))).then(|| ButtonReply {
                text: text.clone(),
                payload: None,
                id: None,
            })
        });
    let list_reply = message
        .and_then(|m| object_member(m, "listReply"))
        .or_else(|| object_member(object, "listResponse"))
        .and_then(|l| {
            Some(ListReply {
                id: text_member(&l, "id")?,
                text: text_member(&l, "text"),
                description: text_member(&l, "description"),
            })
        });
    InboundMessage {
        base,
        reply_to_id: object_member(object, "context").and_then(|c| text_member(&c, "replyToId")),
        referral: message
            .and_then(|m| member(m, "referral"))
            .filter(Value::is_object),
        text,
        attachment,
        location,
        button_reply,
        list_reply,
    }
}

/// The typed fields of topic `delivery_status`: `statusUpdate` with a string `id` and
/// `status` is required.
fn delivery_status(
    base: RawEvent,
    object: &Members<'_>,
    update: Option<Members<'_>>,
) -> Result<DeliveryStatus, WebhookError> {
    let update = update.ok_or(WebhookError::InvalidPayload(
        "`statusUpdate` is missing or not an object",
    ))?;
    let message_id = text_member(&update, "id").ok_or(WebhookError::InvalidPayload(
        "`statusUpdate.id` is missing or not a string",
    ))?;
    let status = text_member(&update, "status").ok_or(WebhookError::InvalidPayload(
        "`statusUpdate.status` is missing or not a string",
    ))?;
    let error = object_member(&update, "error").map(|e| ErrorDetail {
        code: text_member(&e, "code"),
        kind: text_member(&e, "type"),
        message: text_member(&e, "message"),
        trace_id: text_member(&e, "cntTraceId"),
    });
    let campaign_name = object_member(object, "metadata")
        .and_then(|m| text_member(&m, "campaign_name"))
        .or_else(|| {
            object_member(&update, "metadata").and_then(|m| text_member(&m, "campaignName"))
        });
    Ok(DeliveryStatus {
        base,
        message_id,
        status: MessageStatus::parse(&status),
        error,
        campaign_name,
    })
}

/// Reads only the `timestamp` of a verified body (used by `Webhook::verify` when a tolerance is
/// set, so that bodies of other topics need not have a sender or recipient).
pub(crate) fn timestamp_of_verified_body(body: &[u8]) -> Result<i64, WebhookError> {
    let raw: Box<RawValue> = serde_json::from_slice(body)
        .map_err(|_| WebhookError::InvalidPayload("the body is not valid JSON"))?;
    let object = members(&raw).ok_or(WebhookError::InvalidPayload(
        "the body is not a JSON object",
    ))?;
    timestamp_field(&object)
}

/// `timestamp`: a string of decimal digits, or a non-negative JSON integer, in Unix seconds.
fn timestamp_field(object: &Members<'_>) -> Result<i64, WebhookError> {
    const BAD: WebhookError = WebhookError::InvalidPayload(
        "`timestamp` is missing or not Unix seconds (a string of digits or an integer)",
    );
    match member(object, "timestamp") {
        Some(Value::String(text)) => {
            if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
                return Err(BAD);
            }
            text.parse::<i64>().map_err(|_| BAD)
        }
        Some(Value::Number(number)) => match number.as_i64() {
            Some(seconds) if seconds >= 0 => Ok(seconds),
            _ => Err(BAD),
        },
        _ => Err(BAD),
    }
}

/// A `{ "id": "...", "channelType": "..." }` object under `key`.
fn party(
    object: &Members<'_>,
    key: &str,
    not_object: &'static str,
    bad_id: &'static str,
    bad_channel: &'static str,
) -> Result<Party, WebhookError> {
    let inner = object
        .get(key)
        .and_then(|raw| members(raw))
        .ok_or(WebhookError::InvalidPayload(not_object))?;
    let text = |field: &str, bad: &'static str| match member(&inner, field) {
        Some(Value::String(text)) => Ok(text),
        _ => Err(WebhookError::InvalidPayload(bad)),
    };
    Ok(Party {
        id: text("id", bad_id)?,
        channel_type: text("channelType", bad_channel)?,
        name: text_member(&inner, "name"),
        user_id: text_member(&inner, "userId"),
        phone_number: text_member(&inner, "phoneNumber"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOCUMENTED: &str = r#"{ "timestamp": "1639083206", "sender": { "id": "+16315555500", "channelType": "whatsapp" }, "recipient": { "id": "123456123", "channelType": "whatsapp" }, "message": { "text": "TEST 11" } }"#;

    #[test]
    fn parses_the_documented_body() {
        let event = Event::from_verified_body(DOCUMENTED.as_bytes()).unwrap();
        assert_eq!(event.timestamp(), 1_639_083_206);
        assert_eq!(event.sender().id, "+16315555500");
        assert_eq!(event.sender().channel_type, "whatsapp");
        assert_eq!(event.recipient().id, "123456123");
        assert_eq!(event.text(), Some("TEST 11"));
        assert_eq!(event.raw().get(), DOCUMENTED);
        assert_eq!(event.body(), DOCUMENTED.as_bytes());
    }

    #[test]
    fn integer_timestamp_and_no_message() {
        let body = br#"{"timestamp":5,"sender":{"id":"a","channelType":"sms"},"recipient":{"id":"b","channelType":"sms"},"extra":[1]}"#;
        let event = Event::from_verified_body(body).unwrap();
        assert_eq!(event.timestamp(), 5);
        assert_eq!(event.text(), None);
        assert_eq!(event.to_value().unwrap()["extra"][0], 1);
    }

    #[test]
    fn numbers_no_f64_holds_and_key_order_survive() {
        let body = br#"{"z":1e400,"big":123456789012345678901234567890,"timestamp":"1","sender":{"id":"a","channelType":"sms","n":-1e999},"recipient":{"id":"b","channelType":"sms"},"message":{"text":"t","x":1e400}}"#;
        let event = Event::from_verified_body(body).unwrap();
        assert_eq!(event.raw().get().as_bytes(), body);
        assert_eq!(event.text(), Some("t"));
        assert_eq!(event.body(), body);
    }

    #[test]
    fn refusals_use_fixed_phrases() {
        let cases: &[&[u8]] = &[
            b"not json",
            b"[1]",
            br#"{"timestamp":"-1"}"#,
            br#"{"timestamp":"+1"}"#,
            br#"{"timestamp":"99999999999999999999"}"#,
            br#"{"timestamp":1.5}"#,
            br#"{"timestamp":"1","sender":{"id":1,"channelType":"x"}}"#,
            br#"{"timestamp":"1","sender":{"id":"a","channelType":"x"},"recipient":"r"}"#,
            br#"{"timestamp":"1","sender":{"id":"a","channelType":"x"},"recipient":{"id":"b","channelType":"y"},"message":"m"}"#,
            br#"{"timestamp":"1","sender":{"id":"a","channelType":"x"},"recipient":{"id":"b","channelType":"y"},"message":{"text":7}}"#,
        ];
        for body in cases {
            match Event::from_verified_body(body) {
                Err(WebhookError::InvalidPayload(_)) => {}
                other => panic!("{:?}: {other:?}", String::from_utf8_lossy(body)),
            }
        }
    }
}
