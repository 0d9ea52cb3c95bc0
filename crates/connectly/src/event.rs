//! A parsed webhook delivery.
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
pub struct Party {
    /// The id: an E.164 number or a provider-scoped user id.
    pub id: String,
    /// The channel, such as `whatsapp` or `sms`, passed through as Connectly wrote it.
    pub channel_type: String,
}

/// An inbound message delivered to a webhook (topic `messages`).
///
/// The documented delivery looks like this:
///
/// ```json
/// { "timestamp": "1639083206",
///   "sender": { "id": "+16315555500", "channelType": "whatsapp" },
///   "recipient": { "id": "123456123", "channelType": "whatsapp" },
///   "message": { "text": "TEST 11" } }
/// ```
///
/// Get one with [`Webhook::verify_event`](crate::Webhook::verify_event). Fields the SDK does
/// not model yet are not lost: [`Event::body`] holds the exact signed bytes, and
/// [`Event::raw`] the same JSON text, unparsed, for your own types.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Event {
    /// When Connectly produced the event, in Unix seconds. The delivery carries it as a string
    /// of decimal digits (a JSON integer is accepted too).
    pub timestamp: i64,
    /// Who sent the message.
    pub sender: Party,
    /// Who received it (the business).
    pub recipient: Party,
    /// The message text (`message.text`), when there is one.
    pub text: Option<String>,
    /// The whole delivery as JSON text exactly as it was signed (numbers, key order and
    /// escapes untouched); `serde_json::from_str(event.raw.get())` parses it into any type.
    pub raw: Box<RawValue>,
    /// The exact bytes that were signed and verified, to store or forward as they came.
    pub body: Vec<u8>,
}

impl PartialEq for Event {
    /// Two events are equal when their signed bytes are: every other field derives from them.
    fn eq(&self, other: &Self) -> bool {
        self.body == other.body
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

impl Event {
    /// Parses a delivery body whose signature has ALREADY been verified.
    ///
    /// Every failure is [`WebhookError::InvalidPayload`] with a fixed phrase: the messages
    /// never quote the body (serde_json's own messages can, so they are dropped).
    pub(crate) fn from_verified_body(body: &[u8]) -> Result<Self, WebhookError> {
        let raw: Box<RawValue> = serde_json::from_slice(body)
            .map_err(|_| WebhookError::InvalidPayload("the body is not valid JSON"))?;
        let object = members(&raw).ok_or(WebhookError::InvalidPayload(
            "the body is not a JSON object",
        ))?;
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
        let text = message_text(&object)?;
        Ok(Self {
            timestamp,
            sender,
            recipient,
            text,
            raw,
            body: body.to_vec(),
        })
    }

    /// The delivery parsed into a `serde_json::Value` (a convenience over [`Event::raw`]).
    /// Fails only for what serde_json cannot hold, such as a number beyond `f64`'s range.
    pub fn to_value(&self) -> Result<Value, serde_json::Error> {
        serde_json::from_str(self.raw.get())
    }
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
    })
}

/// `message.text`: optional. A missing or `null` message or text is `None`; a message that
/// is not an object, or a text that is not a string, is refused.
fn message_text(object: &Members<'_>) -> Result<Option<String>, WebhookError> {
    let message = match object.get("message") {
        None => return Ok(None),
        Some(raw) if raw.get() == "null" => return Ok(None),
        Some(raw) => {
            members(raw).ok_or(WebhookError::InvalidPayload("`message` is not an object"))?
        }
    };
    match member(&message, "text") {
        None => Ok(None),
        Some(Value::String(text)) => Ok(Some(text)),
        Some(_) => Err(WebhookError::InvalidPayload(
            "`message.text` is not a string",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOCUMENTED: &str = r#"{ "timestamp": "1639083206", "sender": { "id": "+16315555500", "channelType": "whatsapp" }, "recipient": { "id": "123456123", "channelType": "whatsapp" }, "message": { "text": "TEST 11" } }"#;

    #[test]
    fn parses_the_documented_body() {
        let event = Event::from_verified_body(DOCUMENTED.as_bytes()).unwrap();
        assert_eq!(event.timestamp, 1_639_083_206);
        assert_eq!(event.sender.id, "+16315555500");
        assert_eq!(event.sender.channel_type, "whatsapp");
        assert_eq!(event.recipient.id, "123456123");
        assert_eq!(event.text.as_deref(), Some("TEST 11"));
        assert_eq!(event.raw.get(), DOCUMENTED);
        assert_eq!(event.body, DOCUMENTED.as_bytes());
    }

    #[test]
    fn integer_timestamp_and_no_message() {
        let body = br#"{"timestamp":5,"sender":{"id":"a","channelType":"sms"},"recipient":{"id":"b","channelType":"sms"},"extra":[1]}"#;
        let event = Event::from_verified_body(body).unwrap();
        assert_eq!(event.timestamp, 5);
        assert_eq!(event.text, None);
        assert_eq!(event.to_value().unwrap()["extra"][0], 1);
    }

    #[test]
    fn numbers_no_f64_holds_and_key_order_survive() {
        let body = br#"{"z":1e400,"big":123456789012345678901234567890,"timestamp":"1","sender":{"id":"a","channelType":"sms","n":-1e999},"recipient":{"id":"b","channelType":"sms"},"message":{"text":"t","x":1e400}}"#;
        let event = Event::from_verified_body(body).unwrap();
        assert_eq!(event.raw.get().as_bytes(), body);
        assert_eq!(event.text.as_deref(), Some("t"));
        assert_eq!(event.body, body);
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
