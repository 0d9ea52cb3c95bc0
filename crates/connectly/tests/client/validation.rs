//! Bad input is refused with a typed error before any byte is sent.

use connectly::{Client, Error, Recipient};
use connectly_mock::MockServer;

use crate::support::builder;

fn assert_refused<T: std::fmt::Debug>(result: Result<T, Error>, field: &str) {
    match result {
        Err(Error::Validation(v)) => assert_eq!(v.field, field, "{v}"),
        other => panic!("expected a validation error for {field}, got {other:?}"),
    }
}

#[test]
fn bad_messages_send_nothing() {
    let mock = MockServer::start().unwrap();
    let c = builder(&mock).build().unwrap();
    let wa = |id: &str| Recipient::whatsapp(id);
    assert_refused(c.send_text(&wa("+15555555555"), ""), "text");
    assert_refused(c.send_text(&wa("+15555555555"), " \n\t "), "text");
    assert_refused(c.send_text(&wa(""), "hi"), "recipient id");
    assert_refused(c.send_text(&wa("+1234567"), "hi"), "recipient id");
    assert_refused(c.send_text(&wa("+1234567890123456"), "hi"), "recipient id");
    assert_refused(c.send_text(&wa("+1555-555-5555"), "hi"), "recipient id");
    assert_refused(c.send_text(&wa("user\r\nid"), "hi"), "recipient id");
    assert_refused(
        c.send_text(&Recipient::new("", "+15555555555"), "hi"),
        "channel",
    );
    assert_refused(
        c.send_text(&Recipient::new("what\u{7}sapp", "+15555555555"), "hi"),
        "channel",
    );

    let none: &[(&str, &str)] = &[];
    assert_refused(c.send_template("+15555555555", "", none), "template name");
    assert_refused(
        c.send_template("+15555555555", "we\u{0}lcome", none),
        "template name",
    );
    assert_refused(c.send_template("12345", "", none), "template name");
    assert_refused(c.send_template("+155", "welcome", none), "number");
    assert_refused(c.send_template("", "welcome", none), "number");
    assert_refused(
        c.send_template("+15555555555", "welcome", &[("", "v")]),
        "template parameter name",
    );
    assert_refused(
        c.send_template(
            "+15555555555",
            "welcome",
            &[("a", "1"), ("b", "2"), ("a", "3")],
        ),
        "template parameter name",
    );
    assert_refused(
        c.send_template("+15555555555", "welcome", &[("a\nb", "1")]),
        "template parameter name",
    );

    assert_refused(
        c.create_webhook("http://example.com/hook", "messages"),
        "webhook address",
    );
    assert_refused(
        c.create_webhook("https://user:pw@example.com/hook", "messages"),
        "webhook address",
    );
    assert_refused(c.create_webhook("not a url", "messages"), "webhook address");
    let long = format!("https://example.com/{}", "a".repeat(2040));
    assert_refused(c.create_webhook(&long, "messages"), "webhook address");
    assert_refused(c.create_webhook("https://example.com/hook", ""), "topic");
    assert_refused(
        c.create_webhook("https://example.com/hook", "mess\nages"),
        "topic",
    );

    assert_eq!(mock.request_count(), 0, "nothing may reach the server");
}

#[test]
fn accepted_edge_cases() {
    let mock = MockServer::start().unwrap();
    let c = builder(&mock).build().unwrap();
    c.send_text(&Recipient::whatsapp("+12345678"), "x").unwrap();
    c.send_text(&Recipient::whatsapp("+123456789012345"), "x")
        .unwrap();
    c.create_webhook("http://127.0.0.1:9/hook", "messages")
        .unwrap();
    c.create_webhook("http://localhost/hook", "delivery_status")
        .unwrap();
    let exact = format!(
        "https://example.com/{}",
        "a".repeat(2048 - "https://example.com/".len())
    );
    assert_eq!(exact.len(), 2048);
    c.create_webhook(&exact, "messages").unwrap();
}

#[test]
fn bad_configuration_is_refused() {
    let ok = || Client::builder().api_key("key").business_id("biz");
    assert!(ok().build().is_ok());
    assert_refused(ok().api_key("").build(), "api key");
    for bad in ["a\rb", "a\nb", "a\0b", "a b", "k\u{e9}y", "\u{7f}"] {
        assert_refused(ok().api_key(bad).build(), "api key");
        assert_refused(ok().business_id(bad).build(), "business id");
    }
    assert!(matches!(
        Client::builder().business_id("b").build(),
        Err(Error::Config(_))
    ));
    assert!(matches!(
        Client::builder().api_key("k").build(),
        Err(Error::Config(_))
    ));
    assert!(matches!(
        ok().timeout(std::time::Duration::ZERO).build(),
        Err(Error::Config(_))
    ));
    assert_refused(ok().base_url("http://api.connectly.ai").build(), "base URL");
    assert_refused(ok().base_url("ftp://127.0.0.1").build(), "base URL");
    assert_refused(
        ok().base_url("https://u:p@api.connectly.ai").build(),
        "base URL",
    );
    assert_refused(
        ok().base_url("https://api.connectly.ai/?x=1").build(),
        "base URL",
    );
    assert!(ok().base_url("http://127.0.0.1:8080").build().is_ok());
    assert!(ok()
        .base_url("https://proxy.example.com/connectly")
        .build()
        .is_ok());
    let root = include_bytes!("../data/test-root.pem");
    assert!(ok().add_root_certificate_pem(root.to_vec()).build().is_ok());
    assert!(matches!(
        ok().add_root_certificate_pem(b"not a certificate".to_vec())
            .build(),
        Err(Error::Config(_))
    ));
}

#[test]
fn from_env_reads_the_documented_variables() {
    // The only test that touches the process environment.
    std::env::remove_var("CONNECTLY_API_KEY");
    std::env::set_var("CONNECTLY_BUSINESS_ID", "env-biz");
    assert!(matches!(Client::from_env(), Err(Error::Config(_))));
    std::env::set_var("CONNECTLY_API_KEY", "env-key");
    std::env::set_var("CONNECTLY_BASE_URL", "http://127.0.0.1:1");
    let client = Client::from_env().unwrap();
    assert_eq!(client.business_id(), "env-biz");
    for name in [
        "CONNECTLY_API_KEY",
        "CONNECTLY_BUSINESS_ID",
        "CONNECTLY_BASE_URL",
    ] {
        std::env::remove_var(name);
    }
}

#[test]
fn a_business_id_that_is_a_dot_segment_is_refused() {
    let ok = || Client::builder().api_key("key");
    for bad in [".", ".."] {
        assert_refused(ok().business_id(bad).build(), "business id");
    }
    // Only the bare dot segments leave the path; these stay one escaped segment.
    let mock = MockServer::start().unwrap();
    for fine in ["...", ".a", "a.", "%2e%2e", "a/.."] {
        let client = ok().business_id(fine).base_url(mock.url()).build().unwrap();
        let _ = client.send_text(&Recipient::whatsapp("+15555555555"), "hi");
    }
    for request in mock.requests() {
        assert!(
            request.path.starts_with("/v1/businesses/") && request.path.ends_with("/send/messages"),
            "{}",
            request.path
        );
        assert!(
            !request.path.contains("/../") && !request.path.contains("/./"),
            "{}",
            request.path
        );
    }
    assert_eq!(mock.request_count(), 5);
}
