//! The bodies of webhook events, in the shapes WIRE.md documents, written compactly with
//! their keys in the documented order.

use serde_json::Value;

use super::errors;
use super::state::AcceptedMessage;

/// A JSON object written with its keys in the order they are added (serde_json's own map
/// sorts them).
pub(crate) struct Object(String);

impl Object {
    pub(crate) fn new() -> Object {
        Object(String::from("{"))
    }

    /// Adds a key and a value given as JSON text.
    fn raw(mut self, key: &str, json: &str) -> Object {
        if self.0.len() > 1 {
            self.0.push(',');
        }
        self.0.push_str(&Value::from(key).to_string());
        self.0.push(':');
        self.0.push_str(json);
        self
    }

    fn value(self, key: &str, value: &Value) -> Object {
        self.raw(key, &value.to_string())
    }

    fn string(self, key: &str, value: &str) -> Object {
        self.value(key, &Value::from(value))
    }

    /// Adds `key` with a string value when there is one.
    fn maybe(self, key: &str, value: Option<&str>) -> Object {
        match value {
            Some(value) => self.string(key, value),
            None => self,
        }
    }

    fn object(self, key: &str, value: Object) -> Object {
        self.raw(key, &value.finish())
    }

    pub(crate) fn finish(mut self) -> String {
        self.0.push('}');
        self.0
    }
}

/// Where a `delivery_status` event names the message's campaign; the provider's pages
/// show both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CampaignNamePlace {
    /// Top-level `"metadata": {"campaign_name": "…"}` (the default).
    #[default]
    Metadata,
    /// `"statusUpdate": {…, "metadata": {"campaignName": "…"}}`, with top-level
    /// `"metadata": null`.
    StatusUpdate,
}

/// The three shapes of a button reply the provider's pages show.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ButtonReply {
    /// `"message": {"text": "Yes", "isButtonResponse": true}`.
    Flagged {
        /// The button's text.
        text: String,
    },
    /// Top-level `"buttonResponse": {"text", "payload"}` with
    /// `"context": {"replyToId": "…"}`.
    WithContext {
        /// The button's text.
        text: String,
        /// The button's payload.
        payload: String,
        /// The id of the message whose button was pressed.
        reply_to_id: String,
    },
    /// Top-level `"buttonResponse": {"text", "id", "payload"}`.
    WithId {
        /// The button's text.
        text: String,
        /// The id of the message whose button was pressed.
        id: String,
        /// The button's payload.
        payload: String,
    },
}

/// A Click-to-WhatsApp referral (`message.referral`); the fields that are `None` are left
/// out of the event.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Referral {
    /// `ctwaClid`.
    pub ctwa_clid: Option<String>,
    /// `sourceUrl`.
    pub source_url: Option<String>,
    /// `sourceId`.
    pub source_id: Option<String>,
    /// `sourceType` (`ad`, `post`).
    pub source_type: Option<String>,
    /// `headline`.
    pub headline: Option<String>,
    /// `body`.
    pub body: Option<String>,
    /// `mediaType` (`image`, `video`).
    pub media_type: Option<String>,
    /// `imageUrl`.
    pub image_url: Option<String>,
    /// `videoUrl`.
    pub video_url: Option<String>,
    /// `thumbnailUrl`.
    pub thumbnail_url: Option<String>,
}

impl Referral {
    /// The referral as JSON text, in the documented key order.
    pub(crate) fn to_json(&self) -> String {
        Object::new()
            .maybe("ctwaClid", self.ctwa_clid.as_deref())
            .maybe("sourceUrl", self.source_url.as_deref())
            .maybe("sourceId", self.source_id.as_deref())
            .maybe("sourceType", self.source_type.as_deref())
            .maybe("headline", self.headline.as_deref())
            .maybe("body", self.body.as_deref())
            .maybe("mediaType", self.media_type.as_deref())
            .maybe("imageUrl", self.image_url.as_deref())
            .maybe("videoUrl", self.video_url.as_deref())
            .maybe("thumbnailUrl", self.thumbnail_url.as_deref())
            .finish()
    }
}

/// What an inbound (`messages`) event says.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Inbound {
    Text(String),
    Media {
        kind: String,
        url: String,
        caption: Option<String>,
    },
    Location {
        latitude: f64,
        longitude: f64,
        name: Option<String>,
        address: Option<String>,
    },
    Button(ButtonReply),
    /// The mock's own shape (WIRE.md shows none): top-level
    /// `"listResponse": {"id", "text", "description"?}`.
    List {
        id: String,
        text: String,
        description: Option<String>,
    },
    Quoted {
        text: String,
        reply_to_id: String,
    },
    /// `referral` is the referral object as JSON text.
    Referral {
        text: String,
        referral: String,
    },
}

/// `{"id": …, "channelType": …}`.
fn party(id: &str, channel: &str) -> Object {
    Object::new()
        .string("id", id)
        .string("channelType", channel)
}

/// The body of an inbound-message event from `from` to the business `to`: `timestamp`,
/// `sender`, `recipient`, then what the variant adds, as in the documented example.
pub(crate) fn inbound_body(from: &str, to: &str, inbound: &Inbound, timestamp: u64) -> Vec<u8> {
    let event = Object::new()
        .string("timestamp", &timestamp.to_string())
        .object("sender", party(from, "whatsapp"))
        .object("recipient", party(to, "whatsapp"));
    let event = match inbound {
        Inbound::Text(text) => event.object("message", Object::new().string("text", text)),
        Inbound::Media { kind, url, caption } => {
            let attachment = Object::new()
                .string("type", kind)
                .string("url", url)
                .maybe("caption", caption.as_deref())
                .finish();
            let message = Object::new().raw("attachments", &format!("[{attachment}]"));
            event.object("message", message)
        }
        Inbound::Location {
            latitude,
            longitude,
            name,
            address,
        } => {
            let location = Object::new()
                .value("latitude", &Value::from(*latitude))
                .value("longitude", &Value::from(*longitude))
                .maybe("name", name.as_deref())
                .maybe("address", address.as_deref());
            event.object("message", Object::new().object("location", location))
        }
        Inbound::Button(ButtonReply::Flagged { text }) => {
            let message = Object::new()
                .string("text", text)
                .raw("isButtonResponse", "true");
            event.object("message", message)
        }
        Inbound::Button(ButtonReply::WithContext {
            text,
            payload,
            reply_to_id,
        }) => {
            let response = Object::new()
                .string("text", text)
                .string("payload", payload);
            event
                .object("buttonResponse", response)
                .object("context", Object::new().string("replyToId", reply_to_id))
        }
        Inbound::Button(ButtonReply::WithId { text, id, payload }) => {
            let response = Object::new()
                .string("text", text)
                .string("id", id)
                .string("payload", payload);
            event.object("buttonResponse", response)
        }
        Inbound::List {
            id,
            text,
            description,
        } => {
            let response = Object::new()
                .string("id", id)
                .string("text", text)
                .maybe("description", description.as_deref());
            event.object("listResponse", response)
        }
        Inbound::Quoted { text, reply_to_id } => event
            .object("message", Object::new().string("text", text))
            .object("context", Object::new().string("replyToId", reply_to_id)),
        Inbound::Referral { text, referral } => {
            let message = Object::new().string("text", text).raw("referral", referral);
            event.object("message", message)
        }
    };
    event.finish().into_bytes()
}

/// Whether a status means the message could not be delivered (one page spells it
/// `delivery_failure`).
fn failed(status: &str) -> bool {
    matches!(status, "delivery_failed" | "delivery_failure")
}

/// The body of a `delivery_status` event about `message`, sent by `business` (when the
/// message named no sender).
pub(crate) fn status_body(
    message: &AcceptedMessage,
    business: &str,
    status: &str,
    place: CampaignNamePlace,
    timestamp: u64,
) -> Vec<u8> {
    let error = if failed(status) {
        errors::value(
            errors::UNDELIVERABLE,
            "the message could not be delivered: more than 24 hours have passed since the \
             customer last wrote",
        )
        .to_string()
    } else {
        "null".to_owned()
    };
    let mut update = Object::new()
        .string("id", &message.id)
        .string("status", status)
        .raw("error", &error);
    let mut metadata = "null".to_owned();
    match (message.campaign_name.as_deref(), place) {
        (Some(name), CampaignNamePlace::Metadata) => {
            metadata = Object::new().string("campaign_name", name).finish();
        }
        (Some(name), CampaignNamePlace::StatusUpdate) => {
            update = update.object("metadata", Object::new().string("campaignName", name));
        }
        (None, _) => {}
    }
    let sender = message.sender.as_deref().unwrap_or(business);
    let mut event = Object::new()
        .string("topic", "delivery_status")
        .string("timestamp", &timestamp.to_string())
        .object("sender", party(sender, &message.channel_type))
        .object(
            "recipient",
            party(&message.recipient, &message.channel_type),
        )
        .object("statusUpdate", update)
        .raw("metadata", &metadata);
    if let Some(data) = &message.callback_data {
        event = event.value("callbackData", data);
    }
    event.finish().into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn text(body: Vec<u8>) -> String {
        String::from_utf8(body).unwrap()
    }

    #[test]
    fn text_matches_the_documented_example() {
        let body = inbound_body(
            "+16315555500",
            "123456123",
            &Inbound::Text("TEST 11".into()),
            1639083206,
        );
        assert_eq!(
            text(body),
            "{\"timestamp\":\"1639083206\",\"sender\":{\"id\":\"+16315555500\",\
             \"channelType\":\"whatsapp\"},\"recipient\":{\"id\":\"123456123\",\
             \"channelType\":\"whatsapp\"},\"message\":{\"text\":\"TEST 11\"}}"
        );
        let escaped = inbound_body("+1", "b", &Inbound::Text("say \"hi\"\n".into()), 1);
        let value: Value = serde_json::from_slice(&escaped).unwrap();
        assert_eq!(value["message"]["text"], "say \"hi\"\n");
    }

    #[test]
    fn variants_have_their_documented_shapes() {
        let head = "{\"timestamp\":\"1\",\"sender\":{\"id\":\"+1\",\"channelType\":\"whatsapp\"},\
                    \"recipient\":{\"id\":\"b\",\"channelType\":\"whatsapp\"},";
        let cases = [
            (
                Inbound::Media {
                    kind: "audio".into(),
                    url: "https://cdn.connectly.ai/46b6".into(),
                    caption: None,
                },
                "\"message\":{\"attachments\":[{\"type\":\"audio\",\"url\":\"https://cdn.connectly.ai/46b6\"}]}}",
            ),
            (
                Inbound::Location {
                    latitude: 37.48,
                    longitude: -122.15,
                    name: Some("HQ".into()),
                    address: None,
                },
                "\"message\":{\"location\":{\"latitude\":37.48,\"longitude\":-122.15,\"name\":\"HQ\"}}}",
            ),
            (
                Inbound::Button(ButtonReply::Flagged { text: "Yes".into() }),
                "\"message\":{\"text\":\"Yes\",\"isButtonResponse\":true}}",
            ),
            (
                Inbound::Button(ButtonReply::WithContext {
                    text: "Yes".into(),
                    payload: "1".into(),
                    reply_to_id: "018d".into(),
                }),
                "\"buttonResponse\":{\"text\":\"Yes\",\"payload\":\"1\"},\"context\":{\"replyToId\":\"018d\"}}",
            ),
            (
                Inbound::Button(ButtonReply::WithId {
                    text: "Yes".into(),
                    id: "01GB".into(),
                    payload: "1".into(),
                }),
                "\"buttonResponse\":{\"text\":\"Yes\",\"id\":\"01GB\",\"payload\":\"1\"}}",
            ),
            (
                Inbound::List {
                    id: "r1".into(),
                    text: "One".into(),
                    description: Some("first".into()),
                },
                "\"listResponse\":{\"id\":\"r1\",\"text\":\"One\",\"description\":\"first\"}}",
            ),
            (
                Inbound::Quoted {
                    text: "this".into(),
                    reply_to_id: "m1".into(),
                },
                "\"message\":{\"text\":\"this\"},\"context\":{\"replyToId\":\"m1\"}}",
            ),
            (
                Inbound::Referral {
                    text: "Hello!".into(),
                    referral: Referral {
                        ctwa_clid: Some("c".into()),
                        source_type: Some("ad".into()),
                        ..Referral::default()
                    }
                    .to_json(),
                },
                "\"message\":{\"text\":\"Hello!\",\"referral\":{\"ctwaClid\":\"c\",\"sourceType\":\"ad\"}}}",
            ),
        ];
        for (inbound, tail) in cases {
            assert_eq!(
                text(inbound_body("+1", "b", &inbound, 1)),
                format!("{head}{tail}")
            );
        }
    }

    #[test]
    fn status_events() {
        let mut message = AcceptedMessage {
            id: "m1".into(),
            path: "/v1/businesses/b/send/whatsapp_templated_messages".into(),
            recipient: "+15555555555".into(),
            channel_type: "whatsapp".into(),
            sender: None,
            callback_data: None,
            campaign_name: None,
        };
        let plain = status_body(
            &message,
            "+1604",
            "delivered",
            CampaignNamePlace::Metadata,
            7,
        );
        assert_eq!(
            text(plain),
            "{\"topic\":\"delivery_status\",\"timestamp\":\"7\",\
             \"sender\":{\"id\":\"+1604\",\"channelType\":\"whatsapp\"},\
             \"recipient\":{\"id\":\"+15555555555\",\"channelType\":\"whatsapp\"},\
             \"statusUpdate\":{\"id\":\"m1\",\"status\":\"delivered\",\"error\":null},\
             \"metadata\":null}"
        );
        message.campaign_name = Some("autumn".into());
        message.callback_data = Some(json!({"orderId": 42}));
        message.sender = Some("+14151111234".into());
        let top = status_body(&message, "+1604", "read", CampaignNamePlace::Metadata, 7);
        let top: Value = serde_json::from_slice(&top).unwrap();
        assert_eq!(top["metadata"], json!({"campaign_name": "autumn"}));
        assert_eq!(top["callbackData"], json!({"orderId": 42}));
        assert_eq!(top["sender"]["id"], "+14151111234");
        let inner = status_body(
            &message,
            "+1604",
            "delivery_failed",
            CampaignNamePlace::StatusUpdate,
            7,
        );
        let inner: Value = serde_json::from_slice(&inner).unwrap();
        assert_eq!(inner["metadata"], Value::Null);
        assert_eq!(
            inner["statusUpdate"]["metadata"],
            json!({"campaignName": "autumn"})
        );
        let error = &inner["statusUpdate"]["error"];
        assert_eq!(
            error["code"],
            "ERROR_CODE_MESSAGE_OUTSIDE_OF_ELIGIBILITY_WINDOW"
        );
        assert_eq!(error["type"], "ERROR_TYPE_INVALID_REQUEST");
        assert!(error["cntTraceId"].is_string());
    }
}
