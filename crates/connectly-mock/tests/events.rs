#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Webhook events of every kind, delivery statuses, and automatic statuses, as a receiver
//! sees them on the wire.

mod support;

use std::collections::BTreeMap;
use std::sync::mpsc;

use connectly_mock::{
    ButtonReply, CampaignNamePlace, MockError, MockServer, Referral, StatusOrder,
};
use serde_json::{json, Value};
use support::{control, next, post, receiver, register, text_message, Received};

const TEMPLATE: &str = "/send/whatsapp_templated_messages";
const SECRET: &str = "events-secret";

fn mock() -> MockServer {
    MockServer::builder()
        .webhook_secret(SECRET)
        .business_phone("+16044441234")
        .start()
        .unwrap()
}

/// What every inbound event starts with.
fn inbound(from: &str, rest: Value) -> Value {
    let mut event = json!({
        "sender": {"id": from, "channelType": "whatsapp"},
        "recipient": {"id": "+16044441234", "channelType": "whatsapp"},
    });
    for (key, value) in rest.as_object().unwrap() {
        event[key] = value.clone();
    }
    event
}

/// Checks a received inbound event: signed, a current timestamp, the expected content, and
/// `timestamp`, `sender`, `recipient` first.
fn check_inbound(received: &Received, expected: &Value) {
    received.assert_signed(SECRET);
    let mut event = received.json();
    let timestamp: u64 = event["timestamp"].as_str().unwrap().parse().unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert!(timestamp <= now && timestamp + 60 >= now);
    event.as_object_mut().unwrap().remove("timestamp");
    assert_eq!(&event, expected);
    let text = String::from_utf8(received.body.clone()).unwrap();
    assert!(
        text.starts_with("{\"timestamp\":\"") && text.contains("},\"recipient\":{"),
        "{text}"
    );
}

#[test]
fn every_inbound_kind_arrives_signed_in_its_documented_shape() {
    let mock = mock();
    let (url, seen) = receiver();
    register(&mock, "messages", &url);
    let from = "+16315555500";
    let referral = Referral {
        ctwa_clid: Some("ARAkLkA8rmlFeiCktEJQ".into()),
        source_url: Some("https://fb.me/3cr4Wqqkv".into()),
        source_id: Some("23849843".into()),
        source_type: Some("ad".into()),
        headline: Some("Summer sale".into()),
        body: Some("Tap to chat".into()),
        media_type: Some("image".into()),
        image_url: Some("https://cdn.example.com/ad.png".into()),
        video_url: None,
        thumbnail_url: None,
    };
    let cases: Vec<(Result<connectly_mock::Delivery, MockError>, Value)> = vec![
        (
            mock.deliver_media(
                from,
                "audio",
                "https://cdn.connectly.ai/46b6/46b6725c",
                None,
            ),
            json!({"message": {"attachments": [{"type": "audio", "url": "https://cdn.connectly.ai/46b6/46b6725c"}]}}),
        ),
        (
            mock.deliver_media(
                from,
                "document",
                "https://cdn.connectly.ai/d",
                Some("the bill"),
            ),
            json!({"message": {"attachments": [{"type": "document", "url": "https://cdn.connectly.ai/d", "caption": "the bill"}]}}),
        ),
        (
            mock.deliver_location(from, 37.48, -122.15, Some("HQ"), Some("1 Main St")),
            json!({"message": {"location": {"latitude": 37.48, "longitude": -122.15, "name": "HQ", "address": "1 Main St"}}}),
        ),
        (
            mock.deliver_location(from, -33.9, 18.4, None, None),
            json!({"message": {"location": {"latitude": -33.9, "longitude": 18.4}}}),
        ),
        (
            mock.deliver_button_reply(from, &ButtonReply::Flagged { text: "Yes".into() }),
            json!({"message": {"text": "Yes", "isButtonResponse": true}}),
        ),
        (
            mock.deliver_button_reply(
                from,
                &ButtonReply::WithContext {
                    text: "Yes".into(),
                    payload: "1".into(),
                    reply_to_id: "018d62f2-2524-10fa-f857-091ab99c14c8".into(),
                },
            ),
            json!({"buttonResponse": {"text": "Yes", "payload": "1"},
                   "context": {"replyToId": "018d62f2-2524-10fa-f857-091ab99c14c8"}}),
        ),
        (
            mock.deliver_button_reply(
                from,
                &ButtonReply::WithId {
                    text: "Yes".into(),
                    id: "01GB6MZR50BY04MDAQH6TVYN40".into(),
                    payload: "1".into(),
                },
            ),
            json!({"buttonResponse": {"text": "Yes", "id": "01GB6MZR50BY04MDAQH6TVYN40", "payload": "1"}}),
        ),
        (
            mock.deliver_list_reply(from, "r2", "Coffee", Some("hot")),
            json!({"listResponse": {"id": "r2", "text": "Coffee", "description": "hot"}}),
        ),
        (
            mock.deliver_list_reply(from, "r3", "Cake", None),
            json!({"listResponse": {"id": "r3", "text": "Cake"}}),
        ),
        (
            mock.deliver_quoted_reply(from, "about this one", "mock-1"),
            json!({"message": {"text": "about this one"}, "context": {"replyToId": "mock-1"}}),
        ),
        (
            mock.deliver_referral(from, "Hello!", &referral),
            json!({"message": {"text": "Hello!", "referral": {
                "ctwaClid": "ARAkLkA8rmlFeiCktEJQ", "sourceUrl": "https://fb.me/3cr4Wqqkv",
                "sourceId": "23849843", "sourceType": "ad", "headline": "Summer sale",
                "body": "Tap to chat", "mediaType": "image", "imageUrl": "https://cdn.example.com/ad.png"}}}),
        ),
        (
            mock.deliver_inbound(from, "plain"),
            json!({"message": {"text": "plain"}}),
        ),
    ];
    for (delivery, expected) in cases {
        let delivery = delivery.unwrap();
        assert_eq!(delivery.status, 200);
        let received = next(&seen);
        assert_eq!(delivery.body, received.body);
        assert_eq!(
            delivery.signature.as_deref(),
            received.header("x-connectly-hmac-sha256")
        );
        check_inbound(&received, &inbound(from, expected));
    }
}

#[test]
fn every_inbound_kind_can_be_delivered_over_the_control_protocol() {
    let mock = mock();
    let (url, seen) = receiver();
    register(&mock, "messages", &url);
    let from = "+16315555500";
    let cases = [
        (
            json!({"from": from, "text": "hi"}),
            json!({"message": {"text": "hi"}}),
        ),
        (
            json!({"kind": "text", "from": from, "text": "hi"}),
            json!({"message": {"text": "hi"}}),
        ),
        (
            json!({"kind": "media", "from": from, "type": "image", "url": "https://cdn.example.com/p.jpg", "caption": "c"}),
            json!({"message": {"attachments": [{"type": "image", "url": "https://cdn.example.com/p.jpg", "caption": "c"}]}}),
        ),
        (
            json!({"kind": "location", "from": from, "latitude": 1.5, "longitude": -2, "name": "n"}),
            json!({"message": {"location": {"latitude": 1.5, "longitude": -2.0, "name": "n"}}}),
        ),
        (
            json!({"kind": "button_reply", "shape": "flagged", "from": from, "text": "No"}),
            json!({"message": {"text": "No", "isButtonResponse": true}}),
        ),
        (
            json!({"kind": "button_reply", "shape": "with_context", "from": from, "text": "No", "payload": "2", "reply_to_id": "m9"}),
            json!({"buttonResponse": {"text": "No", "payload": "2"}, "context": {"replyToId": "m9"}}),
        ),
        (
            json!({"kind": "button_reply", "shape": "with_id", "from": from, "text": "No", "id": "m9", "payload": "2"}),
            json!({"buttonResponse": {"text": "No", "id": "m9", "payload": "2"}}),
        ),
        (
            json!({"kind": "list_reply", "from": from, "id": "r1", "text": "Tea", "description": "hot"}),
            json!({"listResponse": {"id": "r1", "text": "Tea", "description": "hot"}}),
        ),
        (
            json!({"kind": "quoted_reply", "from": from, "text": "this", "reply_to_id": "m1"}),
            json!({"message": {"text": "this"}, "context": {"replyToId": "m1"}}),
        ),
        (
            json!({"kind": "referral", "from": from, "text": "Hello!", "referral": {"ctwaClid": "c", "sourceType": "ad"}}),
            json!({"message": {"text": "Hello!", "referral": {"ctwaClid": "c", "sourceType": "ad"}}}),
        ),
    ];
    for (request, expected) in cases {
        let answer = control(&mock, "POST", "deliver", Some(&request));
        assert_eq!(answer.status, 200, "{request}: {}", answer.body);
        assert_eq!(answer.body["ok"], true);
        let received = next(&seen);
        assert_eq!(
            answer.body["body"],
            String::from_utf8(received.body.clone()).unwrap()
        );
        assert_eq!(
            answer.body["signature"].as_str(),
            received.header("x-connectly-hmac-sha256")
        );
        check_inbound(&received, &inbound(from, expected));
    }
    for bad in [
        json!({"kind": "media", "from": from, "url": "https://e.com"}),
        json!({"kind": "media", "from": from, "type": "image", "url": "https://e.com", "text": "x"}),
        json!({"kind": "location", "from": from, "latitude": "1", "longitude": 2}),
        json!({"kind": "button_reply", "from": from, "text": "x"}),
        json!({"kind": "button_reply", "shape": "other", "from": from, "text": "x"}),
        json!({"kind": "button_reply", "shape": "flagged", "from": from, "text": "x", "payload": "1"}),
        json!({"kind": "referral", "from": from, "text": "x", "referral": "ad"}),
        json!({"kind": "sticker", "from": from}),
        json!({"kind": "text", "text": "no sender"}),
    ] {
        assert_eq!(
            control(&mock, "POST", "deliver", Some(&bad)).status,
            400,
            "{bad}"
        );
    }
}

#[test]
fn any_event_can_be_delivered_signed() {
    let mock = mock();
    let (url, seen) = receiver();
    register(&mock, "delivery_status", &url);
    let event = json!({"topic": "delivery_status", "statusUpdate": {"id": "x", "status": "pending"}, "extra": [1, 2]});
    let delivery = mock
        .deliver_event("delivery_status", event.clone())
        .unwrap();
    let received = next(&seen);
    received.assert_signed(SECRET);
    assert_eq!(received.json(), event);
    assert_eq!(delivery.body, event.to_string().into_bytes());

    let answer = control(
        &mock,
        "POST",
        "deliver_event",
        Some(&json!({"topic": "delivery_status", "event": ["not", "an", "object"]})),
    );
    assert_eq!(answer.status, 200, "{}", answer.body);
    let received = next(&seen);
    received.assert_signed(SECRET);
    assert_eq!(received.body, b"[\"not\",\"an\",\"object\"]");

    assert_eq!(
        mock.deliver_event("messages", json!({})).unwrap_err(),
        MockError::NoWebhook {
            topic: "messages".into()
        }
    );
    let answer = control(
        &mock,
        "POST",
        "deliver_event",
        Some(&json!({"topic": "messages", "event": {}})),
    );
    assert_eq!(
        (answer.status, &answer.body["error"]),
        (409, &json!("no_webhook"))
    );
    for bad in [
        json!({"topic": "messages"}),
        json!({"event": {}}),
        json!({"topic": "messages", "event": {}, "signature": "x"}),
    ] {
        assert_eq!(
            control(&mock, "POST", "deliver_event", Some(&bad)).status,
            400,
            "{bad}"
        );
    }
}

/// Sends a template message with callback data and a campaign; returns its id.
fn send_template(mock: &MockServer, campaign: Option<&str>) -> String {
    let mut body = json!({"number": "+16044551234", "templateName": "order_update",
        "parameters": [], "callbackData": {"orderId": 42}});
    if let Some(campaign) = campaign {
        body["campaignName"] = campaign.into();
    }
    let answer = post(mock, TEMPLATE, &body);
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.body["id"].as_str().unwrap().to_owned()
}

#[test]
fn status_events_carry_the_message_its_callback_data_and_campaign() {
    let mock = mock();
    let (url, seen) = receiver();
    register(&mock, "delivery_status", &url);
    let id = send_template(&mock, Some("autumn"));

    mock.deliver_status(&id, "delivered").unwrap();
    let received = next(&seen);
    received.assert_signed(SECRET);
    let event = received.json();
    let timestamp = event["timestamp"].as_str().unwrap();
    assert!(timestamp.bytes().all(|b| b.is_ascii_digit()));
    assert_eq!(
        event,
        json!({
            "topic": "delivery_status",
            "timestamp": timestamp,
            "sender": {"id": "+16044441234", "channelType": "whatsapp"},
            "recipient": {"id": "+16044551234", "channelType": "whatsapp"},
            "statusUpdate": {"id": id, "status": "delivered", "error": null},
            "metadata": {"campaign_name": "autumn"},
            "callbackData": {"orderId": 42}
        })
    );
    let text = String::from_utf8(received.body).unwrap();
    assert!(
        text.starts_with("{\"topic\":\"delivery_status\",\"timestamp\":"),
        "{text}"
    );

    // The campaign name in the other place.
    mock.deliver_status_with(&id, "read", CampaignNamePlace::StatusUpdate)
        .unwrap();
    let event = next(&seen).json();
    assert_eq!(event["metadata"], Value::Null);
    assert_eq!(
        event["statusUpdate"],
        json!({"id": id, "status": "read", "error": null, "metadata": {"campaignName": "autumn"}})
    );

    // A failure carries an error in the documented format.
    mock.deliver_status(&id, "delivery_failed").unwrap();
    let event = next(&seen).json();
    let error = &event["statusUpdate"]["error"];
    assert_eq!(
        error["code"],
        "ERROR_CODE_MESSAGE_OUTSIDE_OF_ELIGIBILITY_WINDOW"
    );
    for key in ["message", "type", "userTitle", "userMessage", "cntTraceId"] {
        assert!(error[key].is_string(), "{key} in {error}");
    }
    assert_eq!(error["details"], json!({}));

    // A session message: no callback data, no campaign, its own sender and channel.
    let session = json!({"sender": {"id": "+14151111234", "channelType": "sms"},
        "recipient": {"id": "+16044551234", "channelType": "sms"}, "message": {"text": "hi"}});
    let answer = post(&mock, "/send/messages", &session);
    let session_id = answer.body["id"].as_str().unwrap().to_owned();
    mock.deliver_status(&session_id, "sent").unwrap();
    let event = next(&seen).json();
    assert_eq!(
        event["sender"],
        json!({"id": "+14151111234", "channelType": "sms"})
    );
    assert_eq!(
        event["recipient"],
        json!({"id": "+16044551234", "channelType": "sms"})
    );
    assert_eq!(event["metadata"], Value::Null);
    assert!(event.get("callbackData").is_none());

    // Unknown ids are refused; over the control protocol too.
    assert_eq!(
        mock.deliver_status("nope", "sent").unwrap_err(),
        MockError::UnknownMessage { id: "nope".into() }
    );
    let answer = control(
        &mock,
        "POST",
        "deliver_status",
        Some(&json!({"message_id": "nope", "status": "sent"})),
    );
    assert_eq!(
        (answer.status, &answer.body["error"]),
        (404, &json!("unknown_message"))
    );

    let answer = control(
        &mock,
        "POST",
        "deliver_status",
        Some(
            &json!({"message_id": id, "status": "delivery_failure", "campaign_name_place": "status_update"}),
        ),
    );
    assert_eq!(answer.status, 200, "{}", answer.body);
    let received = next(&seen);
    received.assert_signed(SECRET);
    assert_eq!(
        answer.body["body"],
        String::from_utf8(received.body.clone()).unwrap()
    );
    let event = received.json();
    assert_eq!(event["statusUpdate"]["status"], "delivery_failure");
    assert!(event["statusUpdate"]["error"].is_object());
    assert_eq!(event["statusUpdate"]["metadata"]["campaignName"], "autumn");
    for bad in [
        json!({"message_id": id}),
        json!({"message_id": id, "status": "read", "campaign_name_place": "elsewhere"}),
        json!({"message_id": id, "status": "read", "error": "x"}),
    ] {
        assert_eq!(
            control(&mock, "POST", "deliver_status", Some(&bad)).status,
            400,
            "{bad}"
        );
    }
    // Reset forgets the messages.
    assert_eq!(control(&mock, "POST", "reset", None).status, 200);
    assert!(mock.messages().is_empty());
    assert!(matches!(
        mock.deliver_status(&id, "read"),
        Err(MockError::UnknownMessage { .. })
    ));
}

/// Collects status events until each of `ids` has `count` of them.
fn statuses_of(
    seen: &mpsc::Receiver<Received>,
    ids: &[String],
    count: usize,
) -> BTreeMap<String, Vec<Value>> {
    let mut by_id: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    while ids
        .iter()
        .any(|id| by_id.get(id).map_or(0, Vec::len) < count)
    {
        let received = next(seen);
        received.assert_signed(SECRET);
        let event = received.json();
        let id = event["statusUpdate"]["id"].as_str().unwrap().to_owned();
        by_id.entry(id).or_default().push(event);
    }
    by_id
}

fn status_names(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .map(|e| e["statusUpdate"]["status"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn automatic_statuses_in_order() {
    let mock = MockServer::builder()
        .webhook_secret(SECRET)
        .auto_statuses(StatusOrder::InOrder)
        .start()
        .unwrap();
    let (url, seen) = receiver();
    register(&mock, "delivery_status", &url);
    let template = send_template(&mock, Some("autumn"));
    let answer = post(&mock, "/send/messages", &text_message("hello"));
    let session = answer.body["id"].as_str().unwrap().to_owned();
    let ids = [template.clone(), session.clone()];
    let by_id = statuses_of(&seen, &ids, 3);
    assert_eq!(by_id.len(), 2, "only the two sends have statuses");
    for id in &ids {
        assert_eq!(
            status_names(&by_id[id]),
            ["sent", "delivered", "read"],
            "{id}"
        );
    }
    for event in &by_id[&template] {
        assert_eq!(event["callbackData"], json!({"orderId": 42}));
        assert_eq!(event["metadata"], json!({"campaign_name": "autumn"}));
    }
    for event in &by_id[&session] {
        assert!(event.get("callbackData").is_none());
    }
    assert_eq!(
        control(&mock, "GET", "statuses", None).body,
        json!({"auto": "in_order"})
    );
}

#[test]
fn automatic_statuses_shuffled_and_switched_over_the_control_protocol() {
    let mock = MockServer::builder()
        .webhook_secret(SECRET)
        .start()
        .unwrap();
    let (url, seen) = receiver();
    register(&mock, "delivery_status", &url);
    assert_eq!(
        control(&mock, "GET", "statuses", None).body,
        json!({"auto": "off"})
    );
    // Off: nothing is queued for this one.
    let quiet = send_template(&mock, None);
    let on = control(
        &mock,
        "POST",
        "statuses",
        Some(&json!({"auto": "shuffled"})),
    );
    assert_eq!((on.status, on.body), (200, json!({"auto": "shuffled"})));
    let ids: Vec<String> = (0..8).map(|_| send_template(&mock, None)).collect();
    // One thread delivers message after message: once all of these arrived, any status
    // of the earlier send would have arrived before them.
    let by_id = statuses_of(&seen, &ids, 3);
    assert!(!by_id.contains_key(&quiet), "no statuses while off");
    let mut orders = Vec::new();
    for id in &ids {
        let mut names = status_names(&by_id[id]);
        orders.push(names.clone());
        names.sort();
        assert_eq!(
            names,
            ["delivered", "read", "sent"],
            "all three arrive for {id}"
        );
        for event in &by_id[id] {
            assert_eq!(event["callbackData"], json!({"orderId": 42}));
        }
    }
    // 8 messages, each in one of 6 orders: the chance all are in order is 6^-8.
    assert!(
        orders.iter().any(|o| o != &["sent", "delivered", "read"]),
        "{orders:?}"
    );

    // Off again, by Rust this time; then on in order by the control protocol.
    mock.set_auto_statuses(None);
    let quiet = send_template(&mock, None);
    mock.set_auto_statuses(Some(StatusOrder::InOrder));
    let last = send_template(&mock, None);
    let by_id = statuses_of(&seen, std::slice::from_ref(&last), 3);
    assert!(!by_id.contains_key(&quiet));
    assert_eq!(status_names(&by_id[&last]), ["sent", "delivered", "read"]);
    for bad in [
        json!({"auto": "sometimes"}),
        json!({"auto": true}),
        json!({}),
    ] {
        assert_eq!(
            control(&mock, "POST", "statuses", Some(&bad)).status,
            400,
            "{bad}"
        );
    }
    // The accepted messages, over the control protocol.
    let listed = control(&mock, "GET", "messages", None);
    assert_eq!(listed.status, 200);
    let listed = listed.body.as_array().unwrap().clone();
    assert_eq!(listed.len(), 11);
    assert_eq!(
        listed[1],
        json!({
            "id": ids[0], "path": "/v1/businesses/mock-business/send/whatsapp_templated_messages",
            "recipient": "+16044551234", "channel_type": "whatsapp", "sender": null,
            "callback_data": {"orderId": 42}, "campaign_name": null
        })
    );
}
