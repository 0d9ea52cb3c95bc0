#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The control protocol's newer paths: methods, bodies, and what reset keeps.

mod support;

use connectly_mock::{MockServer, StatusOrder};
use serde_json::json;
use support::{control, http, post, text_message};

#[test]
fn new_control_paths_check_methods_keys_and_bodies() {
    let mock = MockServer::start().unwrap();
    for name in [
        "webhook_conflicts",
        "templates",
        "unpublished_campaigns",
        "statuses",
        "messages",
        "deliver_event",
        "deliver_status",
    ] {
        let response = http()
            .get(format!("{}/_mock/{name}", mock.url()))
            .send()
            .unwrap();
        assert_eq!(response.status().as_u16(), 401, "{name}");
    }
    for (method, name, allow) in [
        ("PUT", "webhook_conflicts", "GET, POST"),
        ("DELETE", "templates", "GET, POST"),
        ("PUT", "unpublished_campaigns", "GET, POST"),
        ("PUT", "statuses", "GET, POST"),
        ("PUT", "fail", "GET, POST"),
        ("POST", "messages", "GET"),
        ("GET", "deliver_event", "POST"),
        ("GET", "deliver_status", "POST"),
    ] {
        let answer = control(&mock, method, name, Some(&json!({})));
        assert_eq!(answer.status, 405, "{method} {name}");
        assert_eq!(answer.allow.as_deref(), Some(allow), "{method} {name}");
    }
    for (name, body) in [
        ("webhook_conflicts", json!({"enabled": "yes"})),
        ("webhook_conflicts", json!({"enabled": true, "mode": 1})),
        ("webhook_conflicts", json!([true])),
        ("unpublished_campaigns", json!({"names": ["a"]})),
        ("unpublished_campaigns", json!([1])),
        ("statuses", json!({"auto": "in_order", "delay_ms": 5})),
    ] {
        let answer = control(&mock, "POST", name, Some(&body));
        assert_eq!(answer.status, 400, "{name} {body}");
        assert_eq!(answer.body["code"], "ERROR_CODE_INVALID_REQUEST_BODY");
    }
    let response = http()
        .post(format!("{}/_mock/templates", mock.url()))
        .header("X-API-Key", mock.api_key())
        .body("[not json")
        .send()
        .unwrap();
    assert_eq!(response.status().as_u16(), 400);
    assert_eq!(
        control(&mock, "GET", "unpublished_campaigns", None).body,
        json!({"unpublished": []})
    );
    assert_eq!(
        control(&mock, "GET", "webhook_conflicts", None).body,
        json!({"enabled": false})
    );
}

#[test]
fn webhooks_list_their_ids_types_and_configurations_and_reset_keeps_the_switches() {
    let mock = MockServer::builder()
        .webhook_conflicts(true)
        .auto_statuses(StatusOrder::Shuffled)
        .unpublished_campaign("draft")
        .templates(json!([]))
        .start()
        .unwrap();
    let configuration = json!({"channelTypes": ["whatsapp", "sms"]});
    let created = post(
        &mock,
        "/create/webhooks",
        &json!({"topic": "messages", "address": "https://example.com/in",
            "type": "webengage", "configuration": configuration}),
    );
    let id = created.body["id"].as_str().unwrap();
    assert_eq!(
        control(&mock, "GET", "webhooks", None).body,
        json!([{"id": id, "topic": "messages", "address": "https://example.com/in",
            "type": "webengage", "configuration": configuration}])
    );
    assert_eq!(
        post(&mock, "/send/messages", &text_message("hi")).status,
        200
    );
    assert_eq!(mock.messages().len(), 1);

    assert_eq!(control(&mock, "POST", "reset", None).status, 200);
    assert!(mock.messages().is_empty());
    assert_eq!(control(&mock, "GET", "messages", None).body, json!([]));
    assert_eq!(mock.webhook_registrations().len(), 1);
    assert_eq!(
        control(&mock, "GET", "webhook_conflicts", None).body,
        json!({"enabled": true})
    );
    assert_eq!(
        control(&mock, "GET", "statuses", None).body,
        json!({"auto": "shuffled"})
    );
    assert_eq!(
        control(&mock, "GET", "unpublished_campaigns", None).body,
        json!({"unpublished": ["draft"]})
    );
    assert_eq!(control(&mock, "GET", "templates", None).body, json!([]));
}
