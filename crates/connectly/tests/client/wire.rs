//! Every call puts exactly the documented request on the wire.

use connectly::{Client, Recipient};
use connectly_mock::MockServer;

use crate::support::builder;

fn client(mock: &MockServer) -> Client {
    builder(mock).build().unwrap()
}

fn assert_common_headers(req: &connectly_mock::RecordedRequest, mock: &MockServer) {
    assert_eq!(req.method, "POST");
    assert_eq!(req.header("x-api-key"), Some(mock.api_key()));
    assert_eq!(req.header("content-type"), Some("application/json"));
    assert_eq!(req.header("accept"), Some("application/json"));
    let agent = req.header("user-agent").unwrap();
    assert_eq!(agent, format!("connectly-sdk-rust/{}", connectly::VERSION));
}

#[test]
fn send_text_is_the_documented_request() {
    let mock = MockServer::start().unwrap();
    let response = client(&mock)
        .send_text(&Recipient::whatsapp("+15555555555"), "hello!")
        .unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(response.attempts, 1);
    assert!(response.body.is_object());
    let reqs = mock.requests();
    assert_eq!(reqs.len(), 1);
    assert_common_headers(&reqs[0], &mock);
    assert_eq!(reqs[0].path, "/v1/businesses/mock-business/send/messages");
    assert_eq!(
        String::from_utf8(reqs[0].body.clone()).unwrap(),
        r#"{"recipient":{"channelType":"whatsapp","id":"+15555555555"},"message":{"text":"hello!"}}"#
    );
}

#[test]
fn send_text_passes_any_channel_through() {
    let mock = MockServer::start().unwrap();
    let client = client(&mock);
    client
        .send_text(&Recipient::sms("+15555555555"), "hi")
        .unwrap();
    client
        .send_text(&Recipient::new("instagram", "user-42"), "hi \"there\" ✓\n")
        .unwrap();
    let bodies: Vec<serde_json::Value> =
        mock.requests().iter().map(|r| r.json().unwrap()).collect();
    assert_eq!(bodies[0]["recipient"]["channelType"], "sms");
    assert_eq!(bodies[1]["recipient"]["channelType"], "instagram");
    assert_eq!(bodies[1]["recipient"]["id"], "user-42");
    assert_eq!(bodies[1]["message"]["text"], "hi \"there\" ✓\n");
}

#[test]
fn send_template_keeps_parameter_order() {
    let mock = MockServer::start().unwrap();
    client(&mock)
        .send_template(
            "+15555555555",
            "welcome",
            &[("var1", "value1"), ("var2", "value2")],
        )
        .unwrap();
    let reqs = mock.requests();
    assert_common_headers(&reqs[0], &mock);
    assert_eq!(
        reqs[0].path,
        "/v1/businesses/mock-business/send/whatsapp_templated_messages"
    );
    assert_eq!(
        String::from_utf8(reqs[0].body.clone()).unwrap(),
        r#"{"parameters":[{"name":"var1","value":"value1"},{"name":"var2","value":"value2"}],"number":"+15555555555","templateName":"welcome"}"#
    );

    let many: Vec<(String, String)> = (0..20)
        .rev()
        .map(|i| (format!("p{i}"), format!("v{i}")))
        .collect();
    client(&mock)
        .send_template("+15555555555", "t", &many)
        .unwrap();
    let sent = mock.requests()[1].json().unwrap();
    let names: Vec<&str> = sent["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    let expected: Vec<String> = (0..20).rev().map(|i| format!("p{i}")).collect();
    assert_eq!(names, expected);
}

#[test]
fn send_template_without_parameters() {
    let mock = MockServer::start().unwrap();
    let none: &[(&str, &str)] = &[];
    client(&mock)
        .send_template("+15555555555", "hello_world", none)
        .unwrap();
    assert_eq!(
        String::from_utf8(mock.requests()[0].body.clone()).unwrap(),
        r#"{"parameters":[],"number":"+15555555555","templateName":"hello_world"}"#
    );
}

#[test]
fn create_webhook_is_the_documented_request() {
    let mock = MockServer::start().unwrap();
    client(&mock)
        .create_webhook("https://example.com/webhook", "messages")
        .unwrap();
    let reqs = mock.requests();
    assert_common_headers(&reqs[0], &mock);
    assert_eq!(reqs[0].path, "/v1/businesses/mock-business/create/webhooks");
    assert_eq!(
        String::from_utf8(reqs[0].body.clone()).unwrap(),
        r#"{"topic":"messages","address":"https://example.com/webhook"}"#
    );
    assert_eq!(
        mock.webhooks(),
        vec![(
            "messages".to_string(),
            "https://example.com/webhook".to_string()
        )]
    );
}

#[test]
fn business_id_is_percent_encoded_in_the_path() {
    let mock = MockServer::builder()
        .business_id("acme/eu?1#%")
        .start()
        .unwrap();
    client(&mock)
        .send_text(&Recipient::whatsapp("+15555555555"), "hi")
        .unwrap();
    assert_eq!(
        mock.requests()[0].path,
        "/v1/businesses/acme%2Feu%3F1%23%25/send/messages"
    );
}

#[test]
fn base_url_with_a_path_prefix_and_trailing_slash() {
    let mock = MockServer::start().unwrap();
    let c = Client::builder()
        .api_key(mock.api_key())
        .business_id(mock.business_id())
        .base_url(format!("{}/", mock.url()))
        .build()
        .unwrap();
    c.send_text(&Recipient::whatsapp("+15555555555"), "hi")
        .unwrap();
    assert_eq!(
        mock.requests()[0].path,
        "/v1/businesses/mock-business/send/messages"
    );
}

#[test]
fn one_client_many_threads_one_pool() {
    let mock = MockServer::start().unwrap();
    let client = client(&mock);
    std::thread::scope(|s| {
        for t in 0..8 {
            let client = client.clone();
            s.spawn(move || {
                for i in 0..25 {
                    client
                        .send_text(&Recipient::whatsapp("+15555555555"), &format!("t{t} m{i}"))
                        .unwrap();
                }
            });
        }
    });
    let mut texts: Vec<String> = mock
        .requests()
        .iter()
        .map(|r| {
            r.json().unwrap()["message"]["text"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    texts.sort();
    texts.dedup();
    assert_eq!(texts.len(), 200);
}

#[test]
fn client_is_send_sync_clone() {
    fn check<T: Send + Sync + Clone + 'static>() {}
    check::<Client>();
}

#[test]
fn trace_id_is_read_from_the_body() {
    let mock = MockServer::start().unwrap();
    let r = client(&mock)
        .send_text(&Recipient::whatsapp("+15555555555"), "hi")
        .unwrap();
    assert_eq!(
        r.trace_id.as_deref(),
        r.body.get("cntTraceId").and_then(|v| v.as_str())
    );
}
