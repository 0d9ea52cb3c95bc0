//! Messages of every kind on the wire, and what the mock delivers back arriving typed:
//! delivery statuses for the messages it accepted, media, button and list replies.

use connectly::{
    Attachment, Button, Event, ListMessage, ListRow, ListSection, Location, Message, MessageStatus,
    Recipient, ReplyButtons, StatusTracker, TemplateMessage, Webhook,
};
use connectly_mock::{ButtonReply, MockServer, StatusOrder};
use serde_json::{json, Value};

use crate::support::{builder, Receiver};

fn last_body(mock: &MockServer) -> Value {
    serde_json::from_slice(&mock.requests().last().unwrap().body).unwrap()
}

#[test]
fn every_message_kind_is_the_documented_body() {
    let mock = MockServer::start().unwrap();
    let client = builder(&mock).build().unwrap();
    let to = Recipient::whatsapp("+15555555555").with_name("Ada");
    client
        .send_message(
            &to,
            &Message::attachment(Attachment::image("https://example.com/a.jpg").caption("Hi"))
                .sender("+14151111234"),
        )
        .unwrap();
    assert_eq!(
        last_body(&mock),
        json!({"sender": {"id": "+14151111234", "channelType": "whatsapp"},
               "recipient": {"id": "+15555555555", "channelType": "whatsapp", "name": "Ada"},
               "message": {"attachments": [{"type": "image", "url": "https://example.com/a.jpg", "caption": "Hi"}]}})
    );
    client
        .send_message(
            &to,
            &Message::location(Location::new(37.48, -122.15).name("HQ")),
        )
        .unwrap();
    assert_eq!(
        last_body(&mock)["message"],
        json!({"location": {"latitude": 37.48, "longitude": -122.15, "name": "HQ"}})
    );
    let list = ListMessage::new(
        "View options",
        [ListSection::new(
            "Sizes",
            [ListRow::new("s", "Small").description("8 in")],
        )],
    )
    .header("Menu");
    client
        .send_message(&to, &Message::list(list).with_text("Pick one").id("m-1"))
        .unwrap();
    assert_eq!(
        last_body(&mock)["message"],
        json!({"id": "m-1", "text": "Pick one", "listMessage": {"header": {"text": "Menu"},
               "button": {"text": "View options"},
               "sections": [{"title": "Sizes", "rows": [{"id": "s", "text": "Small", "description": "8 in"}]}]}})
    );
    let buttons = ReplyButtons::new([Button::new("y", "Yes"), Button::new("n", "No")]).footer("f");
    client
        .send_message(&to, &Message::buttons(buttons).with_text("OK?"))
        .unwrap();
    assert_eq!(
        last_body(&mock)["message"],
        json!({"text": "OK?", "replyButtonMessage": {"footer": {"text": "f"},
               "buttons": [{"id": "y", "text": "Yes"}, {"id": "n", "text": "No"}]}})
    );
    assert_eq!(mock.requests().len(), 4);
}

#[test]
fn a_template_with_callback_data_gets_its_statuses_back_typed_and_in_order() {
    for order in [StatusOrder::InOrder, StatusOrder::Shuffled] {
        let mock = MockServer::builder().auto_statuses(order).start().unwrap();
        let client = builder(&mock).build().unwrap();
        let receiver = Receiver::start();
        client
            .create_webhook(&receiver.address, "delivery_status")
            .unwrap();
        let response = client
            .send_template_message(
                &TemplateMessage::new("+15555555555", "order_update")
                    .language("en_US")
                    .param("body_1", "Ada")
                    .callback_data(json!({"orderId": 42}))
                    .campaign_name("autumn"),
            )
            .unwrap();
        let id = response.body["id"].as_str().unwrap().to_owned();
        let webhook = Webhook::new(mock.webhook_secret()).unwrap();
        let tracker = StatusTracker::new();
        let mut seen = Vec::new();
        for _ in 0..3 {
            let (body, signature) = receiver.next();
            let event = webhook.verify_event(&body, signature.as_str()).unwrap();
            let Event::DeliveryStatus(status) = &event else {
                panic!("not a status: {event:?}")
            };
            assert_eq!(status.message_id, id);
            assert_eq!(event.callback_data(), Some(&json!({"orderId": 42})));
            assert_eq!(status.campaign_name.as_deref(), Some("autumn"));
            tracker.advance(&status.message_id, &status.status);
            seen.push(status.status.clone());
        }
        if order == StatusOrder::InOrder {
            assert_eq!(
                seen,
                [
                    MessageStatus::Sent,
                    MessageStatus::Delivered,
                    MessageStatus::Read
                ]
            );
        }
        assert_eq!(tracker.status(&id), Some(MessageStatus::Read), "{order:?}");
    }
}

#[test]
fn media_and_replies_arrive_typed() {
    let mock = MockServer::start().unwrap();
    let client = builder(&mock).build().unwrap();
    let receiver = Receiver::start();
    client
        .create_webhook(&receiver.address, "messages")
        .unwrap();
    let webhook = Webhook::new(mock.webhook_secret()).unwrap();
    let next = || {
        let (body, signature) = receiver.next();
        webhook.verify_event(&body, signature.as_str()).unwrap()
    };
    mock.deliver_media(
        "+15555550100",
        "document",
        "https://cdn.example.com/f",
        Some("Invoice"),
    )
    .unwrap();
    let event = next();
    let message = event.as_message().unwrap();
    let attachment = message.attachment.as_ref().unwrap();
    assert_eq!(attachment.kind, "document");
    assert_eq!(attachment.url, "https://cdn.example.com/f");
    assert_eq!(attachment.caption.as_deref(), Some("Invoice"));
    assert_eq!(event.sender().id, "+15555550100");

    let reply = ButtonReply::WithContext {
        text: "Yes".into(),
        payload: "1".into(),
        reply_to_id: "018d62f2".into(),
    };
    mock.deliver_button_reply("+15555550100", &reply).unwrap();
    let event = next();
    let message = event.as_message().unwrap();
    let reply = message.button_reply.as_ref().unwrap();
    assert_eq!(reply.text.as_deref(), Some("Yes"));
    assert_eq!(reply.payload.as_deref(), Some("1"));
    assert_eq!(message.reply_to_id.as_deref(), Some("018d62f2"));
}
