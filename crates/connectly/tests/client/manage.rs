//! Webhook management, template listing and campaigns against the mock: the requests, the
//! state they act on, and the answers typed.

use connectly::{CampaignEntry, Error, ErrorKind, NewWebhook, WebhookUpdate};
use connectly_mock::{Failure, MockServer};
use serde_json::json;

use crate::support::{builder, fake_client, FakeTime};

#[test]
fn webhooks_are_created_listed_updated_and_deleted() {
    let mock = MockServer::start().unwrap();
    let client = builder(&mock).build().unwrap();
    assert!(client.list_webhooks().unwrap().is_empty());
    let configuration = json!({"echo": true, "channelTypes": ["whatsapp"]});
    client
        .create_webhook_with(
            &NewWebhook::new("https://example.com/status", "delivery_status")
                .webhook_type("custom")
                .configuration(configuration.clone()),
        )
        .unwrap();
    client
        .create_webhook("https://example.com/messages", "messages")
        .unwrap();
    let listed = client.list_webhooks().unwrap();
    assert_eq!(listed.len(), 2);
    let status = listed
        .iter()
        .find(|w| w.topic.as_deref() == Some("delivery_status"))
        .unwrap();
    assert_eq!(
        status.address.as_deref(),
        Some("https://example.com/status")
    );
    assert_eq!(status.configuration.as_ref(), Some(&configuration));

    client
        .update_webhook(
            &status.id,
            &WebhookUpdate::new().address("https://example.com/moved"),
        )
        .unwrap();
    let moved = client.list_webhooks().unwrap();
    let status_now = moved.iter().find(|w| w.id == status.id).unwrap();
    assert_eq!(
        status_now.address.as_deref(),
        Some("https://example.com/moved")
    );
    assert_eq!(status_now.configuration.as_ref(), Some(&configuration));

    client.delete_webhook(&status.id).unwrap();
    assert_eq!(client.list_webhooks().unwrap().len(), 1);
    let gone = client.delete_webhook(&status.id).unwrap_err();
    assert!(
        matches!(&gone, Error::Api(api) if api.status == 404),
        "{gone:?}"
    );
    let unknown = client
        .update_webhook(
            "wh_unknown",
            &WebhookUpdate::new().address("https://e.com/x"),
        )
        .unwrap_err();
    assert_eq!(unknown.kind(), ErrorKind::Api);
}

#[test]
fn upsert_works_whether_a_second_registration_replaces_or_conflicts() {
    for conflicts in [false, true] {
        let mock = MockServer::builder()
            .webhook_conflicts(conflicts)
            .start()
            .unwrap();
        let client = builder(&mock).build().unwrap();
        client
            .upsert_webhook("https://example.com/one", "messages", None)
            .unwrap();
        mock.clear_requests();
        client
            .upsert_webhook(
                "https://example.com/two",
                "messages",
                Some(json!({"echo": false})),
            )
            .unwrap();
        let calls: Vec<String> = mock
            .requests()
            .iter()
            .map(|r| {
                format!(
                    "{} {}",
                    r.method,
                    r.path.trim_start_matches("/v1/businesses/mock-business")
                )
            })
            .collect();
        if conflicts {
            assert_eq!(calls.len(), 3, "{calls:?}");
            assert_eq!(calls[..2], ["POST /create/webhooks", "GET /webhooks"]);
            assert!(calls[2].starts_with("PUT /update/webhooks/wh"), "{calls:?}");
        } else {
            assert_eq!(calls, ["POST /create/webhooks"]);
        }
        let listed = client.list_webhooks().unwrap();
        assert_eq!(listed.len(), 1, "conflicts: {conflicts}");
        assert_eq!(
            listed[0].address.as_deref(),
            Some("https://example.com/two")
        );
        assert_eq!(listed[0].configuration, Some(json!({"echo": false})));
    }
}

#[test]
fn management_calls_are_retried_on_5xx_and_sends_are_not() {
    let mock = MockServer::start().unwrap();
    let time = FakeTime::new();
    let client = fake_client(&mock, &time);
    mock.fail_next([Failure::status(503)]);
    client.list_webhooks().unwrap();
    mock.fail_next([Failure::status(503)]);
    client.list_templates().unwrap();
    mock.fail_next([Failure::status(503)]);
    let err = client
        .send_campaign(&[CampaignEntry::new("+15555555555", "autumn")])
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Server);
    assert_eq!(
        time.sleeps().len(),
        2,
        "one wait per retried call, none for the campaign"
    );
}

#[test]
fn templates_are_listed_typed_with_the_rejection_reason_from_either_place() {
    let mock = MockServer::start().unwrap();
    let client = builder(&mock).build().unwrap();
    mock.set_templates(json!([{
        "id": "g1", "name": "order_update", "category": "UTILITY",
        "templates": [
            {"id": "t1", "language": {"code": "en"}, "status": "MESSAGE_TEMPLATE_STATUS_APPROVED"},
            {"id": "t2", "language": {"code": "pt_BR"}, "status": "MESSAGE_TEMPLATE_STATUS_REJECTED",
             "rejectionReason": "INVALID_FORMAT"},
            {"id": "t3", "language": {"code": "es"}, "status": "MESSAGE_TEMPLATE_STATUS_REJECTED",
             "externalTemplate": {"whatsapp": {"rejectedReason": "TAG_CONTENT_MISMATCH"}}}
        ]
    }]));
    let templates = client.list_templates().unwrap();
    assert_eq!(templates.len(), 3);
    assert!(templates
        .iter()
        .all(|t| t.name.as_deref() == Some("order_update")));
    assert!(templates.iter().all(|t| t.group.as_deref() == Some("g1")));
    assert!(templates
        .iter()
        .all(|t| t.category.as_deref() == Some("UTILITY")));
    let languages: Vec<_> = templates
        .iter()
        .map(|t| t.language.clone().unwrap())
        .collect();
    assert_eq!(languages, ["en", "pt_BR", "es"]);
    assert_eq!(templates[0].rejection_reason, None);
    assert_eq!(
        templates[1].rejection_reason.as_deref(),
        Some("INVALID_FORMAT")
    );
    assert_eq!(
        templates[2].rejection_reason.as_deref(),
        Some("TAG_CONTENT_MISMATCH")
    );
    assert_eq!(templates[2].raw["id"], "t3");
    let request = &mock.requests()[0];
    assert_eq!(request.method, "POST");
    assert!(request.body.is_empty());
}

#[test]
fn campaigns_report_counts_and_an_unpublished_one_is_a_409() {
    let mock = MockServer::builder()
        .unpublished_campaign("draft")
        .start()
        .unwrap();
    let client = builder(&mock).build().unwrap();
    let result = client
        .send_campaign(&[
            CampaignEntry::new("+15555555555", "autumn").variable("name", "Ada"),
            CampaignEntry::new("bsuid:abc", "autumn"),
        ])
        .unwrap();
    assert_eq!(result.accepted.unwrap() + result.rejected.unwrap(), 2);
    assert_eq!(result.response.status, 200);
    let err = client
        .send_campaign(&[CampaignEntry::new("+15555555555", "draft")])
        .unwrap_err();
    assert!(
        matches!(&err, Error::Api(api) if api.status == 409),
        "{err:?}"
    );
}
