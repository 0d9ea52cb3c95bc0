//! `events.json`: signed deliveries and the typed event each gives.

use connectly::{Event, Party, Webhook, WebhookError};
use serde_json::{json, Value};

use crate::{load, report, same};

fn party(p: &Party) -> Value {
    json!({
        "id": p.id,
        "channel_type": p.channel_type,
        "name": p.name,
        "user_id": p.user_id,
        "phone_number": p.phone_number,
    })
}

/// The event as the file writes it: every typed field, `null` when absent.
fn typed(event: &Event) -> Value {
    let mut out = json!({
        "topic": event.topic(),
        "timestamp": event.timestamp(),
        "sender": party(event.sender()),
        "recipient": party(event.recipient()),
        "callback_data": event.callback_data(),
    });
    let fields = match event {
        Event::Message(m) => json!({
            "kind": "message",
            "text": m.text,
            "attachment": m.attachment.as_ref().map(|a| json!({
                "type": a.kind, "url": a.url, "caption": a.caption, "filename": a.filename,
            })),
            "location": m.location.as_ref().map(|l| json!({
                "latitude": l.latitude, "longitude": l.longitude,
                "name": l.name, "address": l.address,
            })),
            "button_reply": m.button_reply.as_ref().map(|b| json!({
                "text": b.text, "payload": b.payload, "id": b.id,
            })),
            "list_reply": m.list_reply.as_ref().map(|l| json!({
                "id": l.id, "text": l.text, "description": l.description,
            })),
            "reply_to_id": m.reply_to_id,
            "referral": m.referral,
        }),
        Event::DeliveryStatus(s) => json!({
            "kind": "delivery_status",
            "message_id": s.message_id,
            "status": s.status.as_str(),
            "error": s.error.as_ref().map(|e| json!({
                "code": e.code, "type": e.kind, "message": e.message, "trace_id": e.trace_id,
            })),
            "campaign_name": s.campaign_name,
        }),
        Event::Other(_) => json!({"kind": "other"}),
        _ => panic!("an event kind this runner does not know"),
    };
    let object = out.as_object_mut().unwrap();
    object.extend(fields.as_object().unwrap().clone());
    out
}

#[test]
fn events_json() {
    let (doc, rows) = load("events.json");
    let webhook = Webhook::new(doc["secret"].as_str().unwrap()).unwrap();
    let mut ran = 0;
    for row in &rows {
        let name = row["name"].as_str().unwrap();
        let body = row["body"].as_str().unwrap().as_bytes();
        let signature = row["signature"].as_str().unwrap();
        let result = webhook.verify_event(body, signature);
        let expect = &row["expect"];
        if expect.get("kind").is_none() {
            assert_eq!(expect["error"], "invalid_payload", "{name}");
            assert!(
                matches!(result, Err(WebhookError::InvalidPayload(_))),
                "{name}: {result:?}"
            );
        } else {
            let event = result.unwrap_or_else(|e| panic!("{name}: {e:?}"));
            let got = typed(&event);
            assert!(same(&got, expect), "{name}:\n got {got}\nwant {expect}");
            assert_eq!(event.body(), body, "{name}");
        }
        ran += 1;
    }
    report("events.json", ran, rows.len());
}
