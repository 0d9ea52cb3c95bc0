#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The rest of the API (full sends, webhook management, templates, campaigns), driven over
//! plain HTTP.

mod support;

use connectly_mock::{default_templates, Failure, MockServer};
use serde_json::{json, Value};
use support::{call, control, error_code, http, post, text_message};

const SEND: &str = "/send/messages";
const TEMPLATE: &str = "/send/whatsapp_templated_messages";
const CREATE: &str = "/create/webhooks";
const LIST: &str = "/webhooks";
const TEMPLATES: &str = "/get/templates";
const CAMPAIGNS: &str = "/send/campaigns";

const SHAPE: &str = "ERROR_CODE_INVALID_REQUEST_BODY";

fn session(message: Value) -> Value {
    json!({"recipient": {"channelType": "whatsapp", "id": "+15555555555"}, "message": message})
}

#[test]
fn session_messages_of_every_content_are_accepted_and_kept() {
    let mock = MockServer::start().unwrap();
    let list = json!({
        "header": {"text": "Menu"}, "footer": {"text": "Pick one"}, "button": {"text": "View options"},
        "sections": [
            {"title": "Drinks", "rows": [{"id": "r1", "text": "Tea", "description": "hot"}, {"id": "r2", "text": "Coffee"}]},
            {"title": "Food", "rows": [{"id": "r3", "text": "Cake"}]}
        ]
    });
    let buttons = json!({"header": {"text": "Question"}, "footer": {"text": "f"},
        "buttons": [{"id": "b1", "text": "Yes"}, {"id": "b2", "text": "No"}, {"id": "b3", "text": "Maybe"}]});
    let contents = [
        json!({"id": "01FPW47QF69Y5JZH24605VAKQB", "text": "hello!"}),
        json!({"attachments": [{"type": "image", "url": "https://cdn.example.com/a.png", "caption": "look"}]}),
        json!({"attachments": [{"type": "document", "url": "https://cdn.example.com/a.pdf", "filename": "a.pdf"}]}),
        json!({"attachments": [{"type": "video", "url": "https://cdn.example.com/a.mp4"}]}),
        json!({"attachments": [{"type": "audio", "url": "https://cdn.example.com/a.ogg"}]}),
        json!({"location": {"latitude": 37.48, "longitude": -122.15, "name": "HQ", "address": "1 Main St"}}),
        json!({"location": {"latitude": -90, "longitude": 180}}),
        json!({"text": "Choose", "listMessage": list}),
        json!({"text": "Well?", "replyButtonMessage": buttons}),
        json!({"singleProductMessage": {"catalogId": "c1", "productId": "p1"}}),
        json!({"multiProductMessage": {"catalogId": "c1", "sections": []}}),
    ];
    let mut ids = Vec::new();
    for content in &contents {
        let answer = post(&mock, SEND, &session(content.clone()));
        assert_eq!(answer.status, 200, "{content}: {}", answer.body);
        assert!(answer.body["cntTraceId"].is_string());
        ids.push(answer.body["id"].as_str().unwrap().to_owned());
    }
    // The full envelope: a sender object, a recipient name, a BSUID recipient.
    let full = json!({
        "sender": {"id": "+14151111234", "channelType": "whatsapp"},
        "recipient": {"id": "bsuid:US.1349120865", "channelType": "whatsapp", "name": "Ada"},
        "message": {"text": "hi"}
    });
    let answer = post(&mock, SEND, &full);
    assert_eq!(answer.status, 200, "{}", answer.body);
    ids.push(answer.body["id"].as_str().unwrap().to_owned());

    let kept = mock.messages();
    assert_eq!(
        kept.iter().map(|m| m.id.clone()).collect::<Vec<_>>(),
        ids,
        "every accepted send is kept, in order"
    );
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len());
    assert_ne!(
        ids[0], "01FPW47QF69Y5JZH24605VAKQB",
        "the mock mints its own id"
    );
    let last = kept.last().unwrap();
    assert_eq!(last.path, "/v1/businesses/mock-business/send/messages");
    assert_eq!(last.recipient, "bsuid:US.1349120865");
    assert_eq!(last.sender.as_deref(), Some("+14151111234"));
    assert_eq!(last.callback_data, None);
    assert_eq!(kept[0].sender, None);
}

#[test]
fn session_message_errors_have_fitting_codes() {
    let mock = MockServer::start().unwrap();
    let image = json!({"type": "image", "url": "https://cdn.example.com/a.png"});
    let rows = |n: usize| -> Vec<Value> {
        (0..n)
            .map(|i| json!({"id": format!("r{i}"), "text": "row"}))
            .collect()
    };
    let list = |sections: Value| json!({"button": {"text": "b"}, "sections": sections});
    let cases: Vec<(Value, &str)> = vec![
        (session(json!({})), "ERROR_CODE_MESSAGE_CONTENT_MISSING"),
        (
            session(json!({"id": "01FPW"})),
            "ERROR_CODE_MESSAGE_CONTENT_MISSING",
        ),
        (
            session(json!({"text": "  "})),
            "ERROR_CODE_MESSAGE_TEXT_EMPTY",
        ),
        (
            session(json!({"text": "", "attachments": [image.clone()]})),
            "ERROR_CODE_MESSAGE_TEXT_EMPTY",
        ),
        (session(json!({"id": "", "text": "a"})), SHAPE),
        (session(json!({"id": 7, "text": "a"})), SHAPE),
        (session(json!({"text": null})), SHAPE),
        (session(json!({"list_message": {}})), SHAPE),
        (
            session(json!({"attachments": [image.clone(), image.clone()]})),
            "ERROR_CODE_MESSAGE_ATTACHMENTS_NUMBER_INVALID",
        ),
        (
            session(json!({"attachments": []})),
            "ERROR_CODE_MESSAGE_ATTACHMENTS_NUMBER_INVALID",
        ),
        (session(json!({"attachments": image.clone()})), SHAPE),
        (
            session(json!({"attachments": [{"type": "sticker", "url": "https://e.com/s"}]})),
            "ERROR_CODE_MESSAGE_ATTACHMENT_INVALID",
        ),
        (
            session(json!({"attachments": [{"type": "image", "url": "http://e.com/a.png"}]})),
            "ERROR_CODE_MESSAGE_ATTACHMENT_INVALID",
        ),
        (
            session(json!({"attachments": [{"type": "image", "url": "/a.png"}]})),
            "ERROR_CODE_MESSAGE_ATTACHMENT_INVALID",
        ),
        (
            session(
                json!({"attachments": [{"type": "image", "url": "https://e.com/a", "filename": "a.png"}]}),
            ),
            "ERROR_CODE_MESSAGE_ATTACHMENT_INVALID",
        ),
        (
            session(
                json!({"attachments": [{"type": "image", "url": "https://e.com/a", "size": 1}]}),
            ),
            SHAPE,
        ),
        (
            session(json!({"location": {"latitude": 90.5, "longitude": 0}})),
            "ERROR_CODE_MESSAGE_LOCATION_INVALID",
        ),
        (
            session(json!({"location": {"latitude": 0, "longitude": 181}})),
            "ERROR_CODE_MESSAGE_LOCATION_INVALID",
        ),
        (
            session(json!({"location": {"latitude": "37.4", "longitude": 0}})),
            SHAPE,
        ),
        (session(json!({"location": {"latitude": 1}})), SHAPE),
        (
            session(json!({"listMessage": list(json!([]))})),
            "ERROR_CODE_MESSAGE_LIST_INVALID",
        ),
        (
            session(json!({"listMessage": list(json!([{"title": "t", "rows": []}]))})),
            "ERROR_CODE_MESSAGE_LIST_INVALID",
        ),
        (
            session(json!({"listMessage": list(json!([{"title": "t", "rows": rows(11)}]))})),
            "ERROR_CODE_MESSAGE_LIST_INVALID",
        ),
        (
            session(
                json!({"listMessage": list(json!([{"title": "a", "rows": rows(1)}, {"title": "b", "rows": rows(1)}]))}),
            ),
            "ERROR_CODE_MESSAGE_LIST_INVALID",
        ),
        (
            session(
                json!({"listMessage": {"button": {"text": " "}, "sections": [{"title": "t", "rows": rows(1)}]}}),
            ),
            "ERROR_CODE_MESSAGE_LIST_INVALID",
        ),
        (
            session(json!({"listMessage": {"sections": [{"title": "t", "rows": rows(1)}]}})),
            SHAPE,
        ),
        (
            session(json!({"replyButtonMessage": {"buttons": []}})),
            "ERROR_CODE_MESSAGE_REPLY_BUTTONS_INVALID",
        ),
        (
            session(
                json!({"replyButtonMessage": {"buttons": [{"id": "1", "text": "a"}, {"id": "2", "text": "b"}, {"id": "3", "text": "c"}, {"id": "4", "text": "d"}]}}),
            ),
            "ERROR_CODE_MESSAGE_REPLY_BUTTONS_INVALID",
        ),
        (
            session(
                json!({"replyButtonMessage": {"buttons": [{"id": "1", "text": "a"}, {"id": "1", "text": "b"}]}}),
            ),
            "ERROR_CODE_MESSAGE_REPLY_BUTTONS_INVALID",
        ),
        (
            session(json!({"replyButtonMessage": {"buttons": [{"id": "1", "title": "a"}]}})),
            SHAPE,
        ),
        (session(json!({"singleProductMessage": []})), SHAPE),
        (
            json!({"sender": {"id": "+1", "channelType": "whatsapp"}, "recipient": {"channelType": "whatsapp", "id": "+15555555555"}, "message": {"text": "a"}}),
            "ERROR_CODE_INVALID_SENDER_ID",
        ),
        (
            json!({"sender": "+14151111234", "recipient": {"channelType": "whatsapp", "id": "+15555555555"}, "message": {"text": "a"}}),
            SHAPE,
        ),
        (
            json!({"sender": {"id": "+14151111234"}, "recipient": {"channelType": "whatsapp", "id": "+15555555555"}, "message": {"text": "a"}}),
            SHAPE,
        ),
        (
            json!({"recipient": {"channelType": "whatsapp", "id": "+15555555555", "name": 1}, "message": {"text": "a"}}),
            SHAPE,
        ),
        (
            json!({"recipient": {"channelType": "whatsapp", "id": "bsuid:"}, "message": {"text": "a"}}),
            "ERROR_CODE_PHONE_NUMBER_BAD_FORMAT",
        ),
    ];
    for (body, expected) in &cases {
        let answer = post(&mock, SEND, body);
        assert_eq!(&error_code(&answer, 400), expected, "{body}");
    }
    assert!(mock.messages().is_empty(), "refused sends are not kept");
}

#[test]
fn template_messages_take_every_documented_field() {
    let mock = MockServer::start().unwrap();
    let full = json!({
        "number": "+15555555555", "templateName": "order_update", "language": "en_US",
        "parameters": [{"name": "body_1", "value": "Ada"}], "sender": "+14151111234",
        "callbackData": {"orderId": 42}, "campaignName": "autumn"
    });
    let answer = post(&mock, TEMPLATE, &full);
    assert_eq!(answer.status, 200, "{}", answer.body);
    let id = answer.body["id"].as_str().unwrap();
    let bsuid = json!({"number": "bsuid:US.13491208655302741918", "templateName": "welcome",
        "parameters": [], "callbackData": "plain string"});
    assert_eq!(post(&mock, TEMPLATE, &bsuid).status, 200);
    // callbackData up to 1024 bytes serialised, whatever its JSON type.
    let at_limit = "x".repeat(1022);
    let limit = json!({"number": "+15555555555", "templateName": "t", "parameters": [], "callbackData": at_limit});
    assert_eq!(post(&mock, TEMPLATE, &limit).status, 200);

    let kept = mock.messages();
    assert_eq!(kept.len(), 3);
    assert_eq!(kept[0].id, id);
    assert_eq!(
        kept[0].path,
        "/v1/businesses/mock-business/send/whatsapp_templated_messages"
    );
    assert_eq!(kept[0].recipient, "+15555555555");
    assert_eq!(kept[0].channel_type, "whatsapp");
    assert_eq!(kept[0].sender.as_deref(), Some("+14151111234"));
    assert_eq!(kept[0].callback_data, Some(json!({"orderId": 42})));
    assert_eq!(kept[0].campaign_name.as_deref(), Some("autumn"));
    assert_eq!(kept[1].callback_data, Some(json!("plain string")));
    assert_eq!(kept[1].campaign_name, None);

    let base = || json!({"number": "+15555555555", "templateName": "t", "parameters": []});
    let with = |key: &str, value: Value| {
        let mut body = base();
        body[key] = value;
        body
    };
    let too_large = "x".repeat(1023);
    let cases = [
        (
            with("callbackData", json!(too_large)),
            "ERROR_CODE_CALLBACK_DATA_TOO_LARGE",
        ),
        (
            with("callbackData", json!({"k": "y".repeat(1020)})),
            "ERROR_CODE_CALLBACK_DATA_TOO_LARGE",
        ),
        (
            with(
                "sender",
                json!({"id": "+14151111234", "channelType": "whatsapp"}),
            ),
            SHAPE,
        ),
        (with("sender", json!("+1")), "ERROR_CODE_INVALID_SENDER_ID"),
        (with("language", json!({"code": "en"})), SHAPE),
        (with("language", json!("")), SHAPE),
        (with("campaignName", json!(7)), SHAPE),
        (with("campaignName", json!("")), SHAPE),
        (with("locale", json!("en")), SHAPE),
        (
            with("number", json!("bsuid:")),
            "ERROR_CODE_PHONE_NUMBER_BAD_FORMAT",
        ),
    ];
    for (body, expected) in &cases {
        let answer = post(&mock, TEMPLATE, body);
        assert_eq!(&error_code(&answer, 400), expected, "{body}");
    }
    assert_eq!(mock.messages().len(), 3);
}

#[test]
fn webhooks_are_created_listed_updated_and_deleted() {
    let mock = MockServer::start().unwrap();
    // A GET with no body and no content type.
    let list = || {
        let response = http()
            .get(support::endpoint(&mock, LIST))
            .header("X-API-Key", mock.api_key())
            .send()
            .unwrap();
        assert_eq!(response.status().as_u16(), 200);
        let body: Value = serde_json::from_slice(&response.bytes().unwrap()).unwrap();
        assert_eq!(body["entity"]["businessId"], "mock-business");
        body["entity"]["webhooks"].clone()
    };
    assert_eq!(list(), json!([]));

    let configuration = json!({"echo": true, "channelTypes": ["whatsapp"],
        "filters": [{"field": "campaign_name", "expression": "summer-*"}]});
    let created = post(
        &mock,
        CREATE,
        &json!({"topic": "delivery_status", "address": "https://example.com/status",
            "type": "zapier", "configuration": configuration}),
    );
    assert_eq!(created.status, 200, "{}", created.body);
    let status_id = created.body["id"].as_str().unwrap().to_owned();
    assert!(status_id.starts_with("wh_"), "{status_id}");
    let created = post(
        &mock,
        CREATE,
        &json!({"topic": "messages", "address": "https://example.com/in"}),
    );
    let messages_id = created.body["id"].as_str().unwrap().to_owned();
    assert_ne!(messages_id, status_id);
    assert_eq!(
        list(),
        json!([
            {"id": status_id, "topic": "delivery_status", "address": "https://example.com/status", "configuration": configuration},
            {"id": messages_id, "topic": "messages", "address": "https://example.com/in", "configuration": {}}
        ])
    );
    let registrations = mock.webhook_registrations();
    assert_eq!(registrations[0].kind, "zapier");
    assert_eq!(registrations[1].kind, "custom");

    // Only the fields sent change.
    let update =
        |id: &str, body: Value| call(&mock, "PUT", &format!("/update/webhooks/{id}"), Some(&body));
    let updated = update(
        &status_id,
        json!({"address": "https://example.com/status2"}),
    );
    assert_eq!(updated.status, 200, "{}", updated.body);
    assert_eq!(updated.body["id"], status_id);
    assert_eq!(updated.body["address"], "https://example.com/status2");
    assert_eq!(updated.body["configuration"], configuration);
    let updated = update(&messages_id, json!({"configuration": {"echo": false}}));
    assert_eq!(updated.status, 200, "{}", updated.body);
    // The same topic may be sent; the id may be percent-encoded.
    let encoded: String = messages_id.bytes().map(|b| format!("%{b:02X}")).collect();
    let updated = update(
        &encoded,
        json!({"topic": "messages", "address": "https://example.com/in2"}),
    );
    assert_eq!(updated.status, 200, "{}", updated.body);
    assert_eq!(
        list(),
        json!([
            {"id": status_id, "topic": "delivery_status", "address": "https://example.com/status2", "configuration": configuration},
            {"id": messages_id, "topic": "messages", "address": "https://example.com/in2", "configuration": {"echo": false}}
        ])
    );
    assert_eq!(
        mock.webhooks(),
        vec![
            (
                "delivery_status".to_owned(),
                "https://example.com/status2".to_owned()
            ),
            ("messages".to_owned(), "https://example.com/in2".to_owned()),
        ]
    );

    // Refusals.
    let refused = update(
        &messages_id,
        json!({"topic": "delivery_status", "address": "https://e.com"}),
    );
    assert_eq!(
        error_code(&refused, 400),
        "ERROR_CODE_WEBHOOK_TOPIC_IMMUTABLE"
    );
    assert_eq!(error_code(&update(&messages_id, json!({})), 400), SHAPE);
    assert_eq!(
        error_code(
            &update(
                &messages_id,
                json!({"type": "zapier", "address": "https://e.com"})
            ),
            400
        ),
        SHAPE
    );
    assert_eq!(
        error_code(&update(&messages_id, json!({"address": "nope"})), 400),
        "ERROR_CODE_WEBHOOK_ADDRESS_INVALID"
    );
    assert_eq!(
        error_code(
            &update(&messages_id, json!({"configuration": {"echo": 1}})),
            400
        ),
        SHAPE
    );
    assert_eq!(
        error_code(
            &update("wh_unknown", json!({"address": "https://e.com"})),
            404
        ),
        "ERROR_CODE_WEBHOOK_NOT_FOUND"
    );
    assert_eq!(list()[1]["address"], "https://example.com/in2");

    // Delete.
    let deleted = call(
        &mock,
        "DELETE",
        &format!("/delete/webhooks/{status_id}"),
        None,
    );
    assert_eq!((deleted.status, deleted.body), (200, json!({})));
    assert_eq!(list().as_array().unwrap().len(), 1);
    let again = call(
        &mock,
        "DELETE",
        &format!("/delete/webhooks/{status_id}"),
        None,
    );
    assert_eq!(error_code(&again, 404), "ERROR_CODE_WEBHOOK_NOT_FOUND");
    let deleted = call(
        &mock,
        "DELETE",
        &format!("/delete/webhooks/{encoded}"),
        None,
    );
    assert_eq!(deleted.status, 200);
    assert_eq!(list(), json!([]));
    assert!(mock.webhooks().is_empty());
}

#[test]
fn webhook_creation_errors() {
    let mock = MockServer::start().unwrap();
    let cases = [
        (
            json!({"topic": "messages", "address": "https://e.com", "type": "slack"}),
            "ERROR_CODE_WEBHOOK_TYPE_INVALID",
        ),
        (
            json!({"topic": "messages", "address": "https://e.com", "type": 1}),
            SHAPE,
        ),
        (
            json!({"topic": "messages", "address": "https://e.com", "configuration": []}),
            SHAPE,
        ),
        (
            json!({"topic": "messages", "address": "https://e.com", "configuration": {"channelTypes": "whatsapp"}}),
            SHAPE,
        ),
        (
            json!({"topic": "messages", "address": "https://e.com", "configuration": {"filters": [{"field": "a", "expression": "b", "x": 1}]}}),
            SHAPE,
        ),
        (
            json!({"topic": "messages", "address": "https://e.com", "configuration": {"secret": "s"}}),
            SHAPE,
        ),
    ];
    for (body, expected) in &cases {
        assert_eq!(
            &error_code(&post(&mock, CREATE, body), 400),
            expected,
            "{body}"
        );
    }
    for kind in ["custom", "zapier", "webengage", "integromat_make"] {
        let body = json!({"topic": "messages", "address": "https://e.com", "type": kind});
        assert_eq!(post(&mock, CREATE, &body).status, 200, "{kind}");
    }
    assert_eq!(mock.webhook_registrations()[0].kind, "integromat_make");
}

#[test]
fn conflict_mode_answers_409_and_upsert_works_through_list_and_update() {
    let mock = MockServer::builder()
        .webhook_conflicts(true)
        .start()
        .unwrap();
    let first = json!({"topic": "messages", "address": "https://example.com/a"});
    let second = json!({"topic": "messages", "address": "https://example.com/b"});
    let created = post(&mock, CREATE, &first);
    assert_eq!(created.status, 200);
    let conflict = post(&mock, CREATE, &second);
    assert_eq!(
        error_code(&conflict, 409),
        "ERROR_CODE_WEBHOOK_ALREADY_EXISTS"
    );
    assert_eq!(
        conflict.body["message"],
        "an endpoint is already registered for this topic \u{2014} use update"
    );
    // Another topic is no conflict.
    let other = json!({"topic": "delivery_status", "address": "https://example.com/s"});
    assert_eq!(post(&mock, CREATE, &other).status, 200);
    // The upsert: list, find the topic, update.
    let listed = call(&mock, "GET", LIST, None);
    let id = listed.body["entity"]["webhooks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["topic"] == "messages")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(id, created.body["id"].as_str().unwrap());
    let updated = call(
        &mock,
        "PUT",
        &format!("/update/webhooks/{id}"),
        Some(&json!({"address": "https://example.com/b"})),
    );
    assert_eq!(updated.status, 200);
    assert_eq!(mock.webhooks()[0].1, "https://example.com/b");

    // Switched off (by Rust, then by the control protocol): a second create replaces.
    mock.set_webhook_conflicts(false);
    let replaced = post(&mock, CREATE, &first);
    assert_eq!(replaced.status, 200);
    assert_ne!(
        replaced.body["id"],
        json!(id),
        "a replacement is a new registration"
    );
    assert_eq!(mock.webhooks()[0].1, "https://example.com/a");
    let on = control(
        &mock,
        "POST",
        "webhook_conflicts",
        Some(&json!({"enabled": true})),
    );
    assert_eq!((on.status, on.body), (200, json!({"enabled": true})));
    assert_eq!(post(&mock, CREATE, &second).status, 409);
    assert_eq!(
        control(&mock, "GET", "webhook_conflicts", None).body,
        json!({"enabled": true})
    );
    assert_eq!(mock.webhooks().len(), 2);
}

#[test]
fn methods_auth_and_bodies_are_checked_per_path() {
    let mock = MockServer::start().unwrap();
    let expect_405 = |method: &str, path: &str, allow: &str| {
        let answer = call(&mock, method, path, Some(&json!({})));
        assert_eq!(error_code(&answer, 405), "ERROR_CODE_METHOD_NOT_ALLOWED");
        assert_eq!(answer.allow.as_deref(), Some(allow), "{method} {path}");
    };
    expect_405("GET", SEND, "POST");
    expect_405("GET", TEMPLATES, "POST");
    expect_405("PUT", CAMPAIGNS, "POST");
    expect_405("POST", LIST, "GET");
    expect_405("DELETE", LIST, "GET");
    expect_405("POST", "/update/webhooks/wh_1", "PUT");
    expect_405("GET", "/delete/webhooks/wh_1", "DELETE");
    for path in [
        "/update/webhooks",
        "/update/webhooks/",
        "/update/webhooks/a/b",
        "/delete/webhooks",
        "/webhooks/x",
        "/get/templates/x",
    ] {
        let answer = call(&mock, "PUT", path, Some(&json!({})));
        assert_eq!(error_code(&answer, 404), "ERROR_CODE_NOT_FOUND", "{path}");
    }
    // Authentication and the business, on the new paths too.
    let response = http().get(support::endpoint(&mock, LIST)).send().unwrap();
    assert_eq!(response.status().as_u16(), 401);
    let response = http()
        .get(format!("{}/v1/businesses/other{LIST}", mock.url()))
        .header("X-API-Key", mock.api_key())
        .send()
        .unwrap();
    assert_eq!(response.status().as_u16(), 404);

    // A bodiless call takes no body, or `{}`; a body needs the JSON content type.
    let templates = |body: Option<&str>, content_type: Option<&str>| {
        let mut request = http()
            .post(support::endpoint(&mock, TEMPLATES))
            .header("X-API-Key", mock.api_key());
        if let Some(body) = body {
            request = request.body(body.to_owned());
        }
        if let Some(content_type) = content_type {
            request = request.header("Content-Type", content_type);
        }
        let response = request.send().unwrap();
        response.status().as_u16()
    };
    assert_eq!(templates(None, None), 200);
    assert_eq!(templates(None, Some("application/json")), 200);
    assert_eq!(templates(Some("{}"), Some("application/json")), 200);
    assert_eq!(templates(Some("{\"x\":1}"), Some("application/json")), 400);
    assert_eq!(templates(Some("{}"), None), 415);
    assert_eq!(templates(Some("nope"), Some("application/json")), 400);
    let listed = call(&mock, "GET", LIST, Some(&json!({"page": 1})));
    assert_eq!(error_code(&listed, 400), SHAPE);
    // A body-taking call still needs its content type.
    let response = http()
        .post(support::endpoint(&mock, CAMPAIGNS))
        .header("X-API-Key", mock.api_key())
        .body("{}")
        .send()
        .unwrap();
    assert_eq!(response.status().as_u16(), 415);
}

#[test]
fn templates_default_and_seeded() {
    let mock = MockServer::start().unwrap();
    let fetched = call(&mock, "POST", TEMPLATES, None);
    assert_eq!(fetched.status, 200);
    let groups = fetched.body["entity"]["templateGroups"].clone();
    assert_eq!(groups, default_templates());
    assert_eq!(mock.templates(), default_templates());
    let templates: Vec<&Value> = groups
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["templates"].as_array().unwrap())
        .collect();
    let with_status = |status: &str| {
        templates
            .iter()
            .filter(|t| t["status"] == status)
            .copied()
            .collect::<Vec<_>>()
    };
    assert!(!with_status("MESSAGE_TEMPLATE_STATUS_APPROVED").is_empty());
    assert_eq!(with_status("MESSAGE_TEMPLATE_STATUS_PENDING").len(), 1);
    let rejected = with_status("MESSAGE_TEMPLATE_STATUS_REJECTED");
    assert_eq!(rejected.len(), 2);
    assert!(rejected
        .iter()
        .any(|t| t["rejectionReason"].is_string() && t.get("externalTemplate").is_none()));
    assert!(rejected.iter().any(|t| t.get("rejectionReason").is_none()
        && t["externalTemplate"]["whatsapp"]["rejectedReason"].is_string()));
    assert!(groups.as_array().unwrap().iter().any(|g| {
        let languages: Vec<&Value> = g["templates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| &t["language"]["code"])
            .collect();
        languages.len() == 2 && languages[0] != languages[1]
    }));
    for group in groups.as_array().unwrap() {
        for key in ["id", "name", "category"] {
            assert!(group[key].is_string(), "{key} in {group}");
        }
        for template in group["templates"].as_array().unwrap() {
            for key in ["id", "status", "createdAt", "updatedAt"] {
                assert!(template[key].is_string(), "{key} in {template}");
            }
            assert!(template["templateComponents"].is_array());
        }
    }

    // Seeded by the builder, by Rust, by the control protocol.
    let one = json!([{"id": "g1", "name": "only", "category": "UTILITY", "templates": []}]);
    let seeded = MockServer::builder()
        .templates(one.clone())
        .start()
        .unwrap();
    let fetched = call(&seeded, "POST", TEMPLATES, None);
    assert_eq!(fetched.body, json!({"entity": {"templateGroups": one}}));
    mock.set_templates(json!([]));
    assert_eq!(
        call(&mock, "POST", TEMPLATES, None).body,
        json!({"entity": {"templateGroups": []}})
    );
    let set = control(&mock, "POST", "templates", Some(&one));
    assert_eq!((set.status, set.body), (200, json!({"ok": true})));
    assert_eq!(control(&mock, "GET", "templates", None).body, one);
    assert_eq!(
        call(&mock, "POST", TEMPLATES, None).body["entity"]["templateGroups"],
        one
    );
}

#[test]
fn campaigns_count_entries_and_refuse_unpublished_ones() {
    let mock = MockServer::builder()
        .unpublished_campaign("draft")
        .start()
        .unwrap();
    let entries = json!({"entries": [
        {"client": "+15555555555", "campaignName": "autumn", "campaignVersion": "v2",
         "variables": {"name": "Ada"}, "sender": "+14151111234", "scheduledAt": "2030-01-01T09:00:00Z"},
        {"client": "+15555555556", "campaignName": "autumn"},
        {"client": "bsuid:US.1", "campaignName": "autumn"},
        {"client": "+1", "campaignName": "autumn"},
        {"client": "+1555-555", "campaignName": "autumn"}
    ]});
    let answer = post(&mock, CAMPAIGNS, &entries);
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(
        answer.body,
        json!({"data": [{"acceptedCount": 3, "rejectedCount": 2, "error": null}]})
    );

    let draft = json!({"entries": [
        {"client": "+15555555555", "campaignName": "autumn"},
        {"client": "+15555555555", "campaignName": "draft"}
    ]});
    let refused = post(&mock, CAMPAIGNS, &draft);
    assert_eq!(
        error_code(&refused, 409),
        "ERROR_CODE_CAMPAIGN_NOT_PUBLISHED"
    );
    assert!(refused.body["message"].as_str().unwrap().contains("draft"));

    // Published by Rust; unpublished again by the control protocol.
    mock.set_unpublished_campaigns(Vec::<String>::new());
    assert_eq!(post(&mock, CAMPAIGNS, &draft).status, 200);
    let set = control(
        &mock,
        "POST",
        "unpublished_campaigns",
        Some(&json!(["winter", "draft"])),
    );
    assert_eq!(
        (set.status, set.body),
        (200, json!({"unpublished": ["draft", "winter"]}))
    );
    assert_eq!(post(&mock, CAMPAIGNS, &draft).status, 409);
    assert_eq!(
        control(&mock, "GET", "unpublished_campaigns", None).body,
        json!({"unpublished": ["draft", "winter"]})
    );
    mock.set_unpublished_campaigns(["autumn"]);
    assert_eq!(post(&mock, CAMPAIGNS, &entries).status, 409);
    mock.set_unpublished_campaigns(Vec::<String>::new());

    let entry = |extra: Value| {
        let mut entry = json!({"client": "+15555555555", "campaignName": "autumn"});
        for (k, v) in extra.as_object().unwrap() {
            entry[k] = v.clone();
        }
        json!({"entries": [entry]})
    };
    let cases = [
        (json!({"entries": []}), SHAPE),
        (json!({"entries": {}}), SHAPE),
        (json!({"entries": [{"client": "+15555555555"}]}), SHAPE),
        (json!({"entries": [{"campaignName": "autumn"}]}), SHAPE),
        (json!({"entries": ["+15555555555"]}), SHAPE),
        (json!({"entries": [], "campaignName": "x"}), SHAPE),
        (entry(json!({"campaignName": ""})), SHAPE),
        (entry(json!({"variables": {"n": 1}})), SHAPE),
        (entry(json!({"variables": ["Ada"]})), SHAPE),
        (entry(json!({"campaignVersion": 2})), SHAPE),
        (entry(json!({"scheduledAt": ""})), SHAPE),
        (entry(json!({"priority": "high"})), SHAPE),
        (entry(json!({"sender": {"id": "+14151111234"}})), SHAPE),
        (
            entry(json!({"sender": "+1"})),
            "ERROR_CODE_INVALID_SENDER_ID",
        ),
    ];
    for (body, expected) in &cases {
        assert_eq!(
            &error_code(&post(&mock, CAMPAIGNS, body), 400),
            expected,
            "{body}"
        );
    }
}

#[test]
fn a_request_answered_by_a_failure_changes_nothing() {
    let mock = MockServer::start().unwrap();
    let hook = json!({"topic": "messages", "address": "https://example.com/a"});
    let id = support::register(&mock, "messages", "https://example.com/a");
    let update = format!("/update/webhooks/{id}");
    let delete = format!("/delete/webhooks/{id}");

    mock.fail_next([Failure::status(500)]);
    let changed = json!({"address": "https://example.com/b"});
    assert_eq!(call(&mock, "PUT", &update, Some(&changed)).status, 500);
    mock.fail_next([Failure::Drop]);
    assert!(http()
        .delete(support::endpoint(&mock, &delete))
        .header("X-API-Key", mock.api_key())
        .send()
        .is_err());
    mock.fail_next([Failure::HalfWritten]);
    let send = http()
        .post(support::endpoint(&mock, SEND))
        .header("X-API-Key", mock.api_key())
        .header("Content-Type", "application/json")
        .body(text_message("lost").to_string())
        .send()
        .and_then(|r| r.bytes());
    assert!(send.is_err(), "the answer is cut short");
    assert_eq!(
        mock.webhooks(),
        vec![("messages".to_owned(), "https://example.com/a".to_owned())]
    );
    assert!(mock.messages().is_empty());

    // A delayed request is applied.
    mock.fail_next([Failure::delay(std::time::Duration::from_millis(10))]);
    assert_eq!(call(&mock, "PUT", &update, Some(&changed)).status, 200);
    assert_eq!(mock.webhooks()[0].1, "https://example.com/b");
    mock.fail_next([Failure::delay(std::time::Duration::from_millis(10))]);
    assert_eq!(post(&mock, SEND, &text_message("kept")).status, 200);
    assert_eq!(mock.messages().len(), 1);
    // Recording is unchanged: every API request counts.
    assert_eq!(mock.request_count(), 6);
    assert_eq!(post(&mock, CREATE, &hook).status, 200);
}
