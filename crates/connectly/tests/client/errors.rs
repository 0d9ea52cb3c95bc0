//! Every kind of reply maps to its error, with the provider's fields.

use std::time::Duration;

use connectly::{Client, Error, Recipient};
use connectly_mock::{Failure, MockServer};

use crate::support::builder;

fn send(client: &Client) -> Error {
    client
        .send_text(&Recipient::whatsapp("+15555555555"), "hello!")
        .unwrap_err()
}

fn documented_body(code: &str, kind: &str) -> String {
    serde_json::json!({
        "message": "phone number is badly formatted",
        "type": kind,
        "code": code,
        "userTitle": "Bad number",
        "userMessage": "Check the number",
        "cntTraceId": "11824978358485860716",
        "details": {}
    })
    .to_string()
}

fn scripted(status: u16, body: Option<String>) -> (MockServer, Client) {
    let mock = MockServer::start().unwrap();
    mock.fail_next([Failure::Status {
        status,
        body,
        retry_after: None,
    }]);
    let client = builder(&mock).max_retries(0).build().unwrap();
    (mock, client)
}

#[test]
fn documented_error_body_is_parsed() {
    let (_mock, client) = scripted(
        400,
        Some(documented_body(
            "ERROR_CODE_PHONE_NUMBER_BAD_FORMAT",
            "ERROR_TYPE_INVALID_REQUEST",
        )),
    );
    let err = send(&client);
    let Error::Api(api) = &err else {
        panic!("expected Api, got {err:?}")
    };
    assert_eq!(api.status, 400);
    assert_eq!(
        api.code.as_deref(),
        Some("ERROR_CODE_PHONE_NUMBER_BAD_FORMAT")
    );
    assert_eq!(
        api.error_type.as_deref(),
        Some("ERROR_TYPE_INVALID_REQUEST")
    );
    assert_eq!(
        api.message.as_deref(),
        Some("phone number is badly formatted")
    );
    assert_eq!(api.trace_id.as_deref(), Some("11824978358485860716"));
    assert_eq!(api.body["userTitle"], "Bad number");
    assert_eq!(err.trace_id(), Some("11824978358485860716"));
    assert_eq!(err.status(), Some(400));
    assert_eq!(err.kind_name(), "Api");
    let text = err.to_string();
    for part in [
        "400",
        "ERROR_CODE_PHONE_NUMBER_BAD_FORMAT",
        "phone number is badly formatted",
        "11824978358485860716",
    ] {
        assert!(text.contains(part), "{text:?} lacks {part:?}");
    }
}

#[test]
fn unknown_codes_pass_through() {
    let (_mock, client) = scripted(
        409,
        Some(documented_body(
            "ERROR_CODE_SOMETHING_NEW",
            "ERROR_TYPE_NEW",
        )),
    );
    let err = send(&client);
    assert_eq!(
        err.api_error().unwrap().code.as_deref(),
        Some("ERROR_CODE_SOMETHING_NEW")
    );
    assert!(matches!(err, Error::Api(_)));
}

#[test]
fn non_json_error_body_still_gives_a_useful_error() {
    let (_mock, client) = scripted(
        502,
        Some("<html><body>\n  Bad   Gateway\n</body></html>".into()),
    );
    let err = send(&client);
    let Error::Server(api) = &err else {
        panic!("expected Server, got {err:?}")
    };
    assert_eq!(api.status, 502);
    assert_eq!(api.code, None);
    assert_eq!(
        api.message.as_deref(),
        Some("<html><body> Bad Gateway </body></html>")
    );
    assert!(err.to_string().contains("502"));
}

#[test]
fn empty_error_body() {
    let (_mock, client) = scripted(404, Some(String::new()));
    let err = send(&client);
    assert!(matches!(&err, Error::Api(api) if api.status == 404 && api.message.is_none()));
}

#[test]
fn statuses_map_to_kinds() {
    for (status, kind) in [
        (400, "Api"),
        (401, "Authentication"),
        (403, "Authentication"),
        (404, "Api"),
        (409, "Api"),
        (422, "Api"),
        (500, "Server"),
        (503, "Server"),
        (429, "RateLimited"),
        (301, "Redirect"),
        (302, "Redirect"),
        (307, "Redirect"),
    ] {
        let (mock, client) = scripted(status, None);
        let err = send(&client);
        assert_eq!(err.kind_name(), kind, "status {status}: {err:?}");
        assert_eq!(err.status(), Some(status));
        assert_eq!(err.attempts(), 1);
        assert_eq!(mock.request_count(), 1);
    }
}

#[test]
fn wrong_api_key_is_an_authentication_error() {
    let mock = MockServer::start().unwrap();
    let client = Client::builder()
        .api_key("not-the-key")
        .business_id(mock.business_id())
        .base_url(mock.url())
        .build()
        .unwrap();
    let err = send(&client);
    let Error::Authentication(api) = &err else {
        panic!("expected Authentication, got {err:?}")
    };
    assert_eq!(api.status, 401);
    assert_eq!(api.error_type.as_deref(), Some("ERROR_TYPE_AUTHENTICATION"));
    assert!(api.trace_id.is_some());
}

#[test]
fn oversized_response_is_refused() {
    let (_mock, client) = scripted(200, Some("x".repeat(10 * 1024 * 1024 + 1)));
    let err = send(&client);
    assert!(
        matches!(err, Error::ResponseTooLarge { limit, .. } if limit == 10 * 1024 * 1024),
        "{err:?}"
    );
}

#[test]
fn response_at_the_cap_is_accepted() {
    let body = format!("\"{}\"", "x".repeat(10 * 1024 * 1024 - 2));
    let (_mock, client) = scripted(200, Some(body));
    let r = client
        .send_text(&Recipient::whatsapp("+15555555555"), "hello!")
        .unwrap();
    assert_eq!(r.body.as_str().map(str::len), Some(10 * 1024 * 1024 - 2));
}

#[test]
fn non_json_success_body_is_kept_as_a_string() {
    let (_mock, client) = scripted(200, Some("OK".into()));
    let r = client
        .send_text(&Recipient::whatsapp("+15555555555"), "hello!")
        .unwrap();
    assert_eq!(r.body, serde_json::Value::String("OK".into()));
    let (_mock, client) = scripted(204, Some(String::new()));
    let r = client
        .send_text(&Recipient::whatsapp("+15555555555"), "hello!")
        .unwrap();
    assert_eq!((r.status, r.body), (204, serde_json::Value::Null));
}

#[test]
fn timeout_is_its_own_kind() {
    let mock = MockServer::start().unwrap();
    mock.fail_next([Failure::Delay(Duration::from_millis(1500))]);
    let client = builder(&mock)
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let err = send(&client);
    assert!(
        matches!(err, Error::Timeout { attempts: 1, .. }) && err.possibly_sent(),
        "{err:?}"
    );
    assert!(err
        .to_string()
        .contains("the server may have received the request"));
}

#[test]
fn untrusted_certificate_is_a_tls_error() {
    // The mock speaks plain HTTP, so a TLS handshake with it fails before any request.
    let mock = MockServer::start().unwrap();
    let client = Client::builder()
        .api_key(mock.api_key())
        .business_id(mock.business_id())
        .base_url(mock.url().replace("http://", "https://"))
        .max_retries(0)
        .build()
        .unwrap();
    let err = send(&client);
    assert!(matches!(err, Error::Tls { .. }), "{err:?}");
    assert_eq!(mock.request_count(), 0);
}

#[test]
fn canary_secrets_never_appear_in_errors() {
    const KEY: &str = "CANARY-KEY-7f3a9c";
    let mock = MockServer::builder().api_key(KEY).start().unwrap();
    let mut errors: Vec<Error> = Vec::new();
    let client = builder(&mock).max_retries(0).build().unwrap();
    assert!(!format!("{client:?}").contains(KEY));
    assert!(!format!("{:?}", builder(&mock)).contains(KEY));
    for status in [400, 401, 403, 404, 429, 500, 302] {
        mock.fail_next([Failure::Status {
            status,
            body: Some(format!("{{\"message\":\"echo {KEY}\",\"code\":\"{KEY}\"}}")),
            retry_after: None,
        }]);
        errors.push(send(&client));
    }
    mock.fail_next([Failure::Drop]);
    errors.push(send(&client));
    let refused = Client::builder()
        .api_key(KEY)
        .business_id("b")
        .base_url("http://127.0.0.1:9")
        .max_retries(0)
        .build()
        .unwrap();
    errors.push(send(&refused));
    errors.push(
        Client::builder()
            .api_key(format!("{KEY}\n"))
            .business_id("b")
            .build()
            .unwrap_err(),
    );
    for err in &errors {
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains(KEY), "{shown}");
        assert!(!shown.contains("127.0.0.1"), "URL in error: {shown}");
    }
}

/// A 44-character API key with a quote and a backslash, which JSON text escapes.
const ECHOED_KEY: &str = r#"CANARY"key\with-quote"and\backslash-01234567"#;

/// Every string in `value`, object keys included.
fn strings(value: &serde_json::Value) -> Vec<String> {
    match value {
        serde_json::Value::String(s) => vec![s.clone()],
        serde_json::Value::Array(items) => items.iter().flat_map(strings).collect(),
        serde_json::Value::Object(map) => map
            .iter()
            .flat_map(|(k, v)| std::iter::once(k.clone()).chain(strings(v)))
            .collect(),
        other => vec![other.to_string()],
    }
}

/// Asserts no 8 consecutive characters of `key` are in the error's text, its `Debug`, or
/// its API reply's message or body.
fn assert_no_part_of(key: &str, err: &Error) {
    let mut shown = vec![err.to_string(), format!("{err:?}")];
    if let Some(api) = err.api_error() {
        shown.extend(api.message.clone());
        shown.push(api.body.to_string());
        shown.extend(strings(&api.body));
    }
    for window in key.as_bytes().windows(8) {
        let window = std::str::from_utf8(window).unwrap();
        for text in &shown {
            assert!(!text.contains(window), "{window:?} survives in {text:?}");
        }
    }
}

#[test]
fn an_echoed_api_key_straddling_the_excerpt_cut_is_removed_at_every_offset() {
    assert_eq!(ECHOED_KEY.len(), 44);
    let mock = MockServer::builder().api_key(ECHOED_KEY).start().unwrap();
    let client = builder(&mock).max_retries(0).build().unwrap();
    for offset in 0..=260 {
        let page = format!(
            "{}{ECHOED_KEY} bad gateway {}",
            "p".repeat(offset),
            "z".repeat(300)
        );
        mock.fail_next([Failure::status(502).with_body(page)]);
        let err = send(&client);
        assert!(matches!(err, Error::Server(_)), "{err:?}");
        assert_no_part_of(ECHOED_KEY, &err);
    }
}

#[test]
fn an_echoed_api_key_with_quotes_and_backslashes_is_removed_from_a_json_body() {
    let mock = MockServer::builder().api_key(ECHOED_KEY).start().unwrap();
    let client = builder(&mock).max_retries(0).build().unwrap();
    let documented = serde_json::json!({
        "message": format!("bad key {ECHOED_KEY}"),
        "code": ECHOED_KEY,
        "cntTraceId": ECHOED_KEY,
        "details": {ECHOED_KEY: [ECHOED_KEY, {"echo": ECHOED_KEY}]},
    });
    // Without `message`, the message is an excerpt of the body.
    let undocumented = serde_json::json!({"error": {"echo": format!("{ECHOED_KEY}!")}});
    for (status, body) in [(400, &documented), (500, &documented), (502, &undocumented)] {
        mock.fail_next([Failure::status(status).with_body(body.to_string())]);
        let err = send(&client);
        assert_eq!(err.status(), Some(status));
        assert_no_part_of(ECHOED_KEY, &err);
        // The rest of the body is kept.
        let api = err.api_error().unwrap();
        assert!(api.body.is_object(), "{api:?}");
    }
    mock.fail_next([Failure::status(400).with_body(documented.to_string())]);
    let api = send(&client).api_error().unwrap().clone();
    assert_eq!(api.message.as_deref(), Some("bad key [REDACTED]"));
    assert_eq!(api.body["details"]["[REDACTED]"][1]["echo"], "[REDACTED]");
}
