//! The logging bridge: the SDK's records reach the queue with their fields, never a secret,
//! and a full queue drops (and counts) instead of blocking a call.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use connectly::{log_queue, Client, LogLevel, Recipient, LOG_CAPACITY};
use connectly_mock::{Failure, MockServer};

const KEY: &str = "sk-live-CANARY-7f3a9b";

#[test]
fn records_arrive_in_order_without_secrets_and_a_full_queue_drops_them() {
    let queue = log_queue().expect("no other subscriber in this test binary");
    let mock = MockServer::builder().api_key(KEY).start().unwrap();
    let client = Client::builder()
        .api_key(KEY)
        .business_id(mock.business_id())
        .base_url(mock.url())
        .build()
        .unwrap();
    queue.wait(Duration::ZERO);

    mock.fail_next([Failure::status(503)]);
    client.list_webhooks().unwrap();
    let records = queue.wait(Duration::from_secs(5));
    let messages: Vec<&str> = records.iter().map(|r| r.message.as_str()).collect();
    assert_eq!(messages, ["sending", "retrying", "sending", "answered"]);
    assert_eq!(records[1].level, LogLevel::Warn);
    assert!(
        records[1].fields.contains(&("error", "Server".into())),
        "{records:?}"
    );
    assert!(records[3].fields.contains(&("status", "200".into())));
    assert!(
        records.iter().all(|r| r.client == client.id()),
        "{records:?}"
    );
    assert_eq!(
        records[0].to_string(),
        "sending method=GET path=/v1/businesses/mock-business/webhooks attempt=1"
    );

    let refused = client.send_text(&Recipient::whatsapp("+15555555555"), "  ");
    assert!(refused.is_err());
    assert!(
        queue.wait(Duration::from_millis(50)).is_empty(),
        "nothing is sent, nothing logged"
    );

    // Calls go on at full speed while nobody drains: the queue keeps its capacity and
    // counts the rest.
    let dropped = queue.dropped();
    for _ in 0..LOG_CAPACITY {
        client
            .send_text(&Recipient::whatsapp("+15555555555"), "hi")
            .unwrap();
    }
    let kept = queue.wait(Duration::ZERO);
    assert_eq!(queue.dropped() - dropped, LOG_CAPACITY as u64);
    // The drops are reported once, first, then the records kept.
    assert_eq!(kept.len(), LOG_CAPACITY + 1);
    assert_eq!(kept[0].level, LogLevel::Warn);
    assert_eq!(
        kept[0].to_string(),
        format!("records dropped count={LOG_CAPACITY}")
    );
    assert_eq!(kept[0].client, 0);
    assert_eq!(kept[1].message, "sending");
    client
        .send_text(&Recipient::whatsapp("+15555555555"), "hi")
        .unwrap();
    let after = queue.wait(Duration::from_secs(5));
    assert_eq!(after[0].message, "sending", "reported once: {after:?}");
    for record in records.iter().chain(&kept) {
        assert!(!record.to_string().contains("CANARY"), "{record}");
    }
}
