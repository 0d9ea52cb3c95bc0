//! Property tests of the parsers that read untrusted input, the `make test` counterparts of
//! the fuzz targets in `fuzz/` (the webhook signature properties are in tests/webhook.rs):
//! `Retry-After`, error bodies, webhook addresses and event parsing. Crashes found by
//! fuzzing become regression tests at the end of this file.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, SystemTime};

use connectly::__fuzz::{api_error_from_reply, parse_retry_after, validate_webhook_address};
use connectly::{Webhook, WebhookError};
use proptest::prelude::*;
use serde_json::json;

fn now() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000)
}

/// What the fuzz target `error_body` asserts, for any status and body.
fn check_error_body(status: u16, body: &[u8]) {
    let error = api_error_from_reply(status, body);
    assert_eq!(error.status, status);
    if !error.body.is_object() {
        if let Some(message) = &error.message {
            assert!(message.chars().count() <= 200, "{message:?}");
            assert!(!message.contains('\n'));
            assert!(!message.is_empty());
        }
    }
    let _ = error.to_string();
}

/// What the fuzz target `webhook_address` asserts, for any text.
fn check_address(address: &str) {
    if validate_webhook_address(address).is_ok() {
        assert!(address.len() <= 2048);
        assert!(!address.chars().any(char::is_control));
        let url = url::Url::parse(address).unwrap();
        assert!(matches!(url.scheme(), "https" | "http"), "{address:?}");
        assert!(url.host().is_some());
        assert!(url.username().is_empty() && url.password().is_none());
        if url.scheme() == "http" {
            let host = url.host_str().unwrap();
            assert!(
                host == "localhost" || host.starts_with("127.") || host == "[::1]",
                "{address:?}"
            );
        }
    }
}

/// What the fuzz target `event_parse` asserts, for any body.
fn check_event(body: &[u8]) {
    let webhook = Webhook::new("property-secret").unwrap();
    let signature = webhook.sign(body);
    match webhook.verify_event(body, signature.as_str()) {
        Ok(event) => assert!(event.raw().get().starts_with('{') && event.timestamp() >= 0),
        Err(WebhookError::InvalidPayload(reason)) => assert!(reason.len() < 100),
        Err(other) => panic!("a correctly signed body failed with {other:?}"),
    }
}

fn label() -> impl Strategy<Value = String> {
    "[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?"
}

proptest! {
    #[test]
    fn retry_after_never_panics(value in any::<String>()) {
        let _ = parse_retry_after(&value, now());
    }

    #[test]
    fn retry_after_seconds_are_exact(secs in any::<u64>(), pad in "[ \t]{0,2}") {
        let value = format!("{pad}{secs}{pad}");
        prop_assert_eq!(parse_retry_after(&value, now()), Some(Duration::from_secs(secs)));
    }

    #[test]
    fn retry_after_dates_are_relative_to_now(offset in -100_000i64..100_000) {
        let when = if offset >= 0 {
            now() + Duration::from_secs(offset.unsigned_abs())
        } else {
            now() - Duration::from_secs(offset.unsigned_abs())
        };
        let value = httpdate::fmt_http_date(when);
        let expected = Duration::from_secs(u64::try_from(offset.max(0)).unwrap());
        prop_assert_eq!(parse_retry_after(&value, now()), Some(expected));
    }

    #[test]
    fn retry_after_signs_and_words_are_unreadable(value in "[-+][0-9]{1,5}|[a-z]{1,8}") {
        prop_assert_eq!(parse_retry_after(&value, now()), None);
    }

    #[test]
    fn error_bodies_never_panic(status in any::<u16>(), body in proptest::collection::vec(any::<u8>(), 0..600)) {
        check_error_body(status, &body);
    }

    #[test]
    fn error_text_bodies_become_one_line_excerpts(status in 400u16..600, body in "[ -~\n\t]{0,400}") {
        check_error_body(status, body.as_bytes());
        let error = api_error_from_reply(status, body.as_bytes());
        if serde_json::from_str::<serde_json::Value>(&body).is_err() {
            let words: Vec<&str> = body.split_whitespace().collect();
            let expected: String = words.join(" ").chars().take(200).collect();
            prop_assert_eq!(error.message, (!expected.is_empty()).then_some(expected));
            prop_assert_eq!(error.code, None);
        }
    }

    #[test]
    fn documented_error_fields_round_trip(
        status in 400u16..600,
        message in ".{1,50}",
        code in "ERROR_CODE_[A-Z_]{1,20}",
        trace in "[0-9]{1,20}",
        numeric_trace in any::<bool>(),
    ) {
        let trace_value = if numeric_trace {
            json!(trace.parse::<u64>().unwrap_or(1))
        } else {
            json!(trace)
        };
        let body = json!({"message": message, "type": "ERROR_TYPE_X", "code": code, "cntTraceId": trace_value});
        let error = api_error_from_reply(status, body.to_string().as_bytes());
        prop_assert_eq!(error.message.as_deref(), Some(message.as_str()));
        prop_assert_eq!(error.code.as_deref(), Some(code.as_str()));
        prop_assert_eq!(error.error_type.as_deref(), Some("ERROR_TYPE_X"));
        let expected_trace = if numeric_trace { trace.parse::<u64>().unwrap_or(1).to_string() } else { trace };
        prop_assert_eq!(error.trace_id, Some(expected_trace));
    }

    #[test]
    fn addresses_never_panic(address in any::<String>()) {
        check_address(&address);
    }

    #[test]
    fn url_like_addresses_hold_the_invariants(
        scheme in "https?|ftp|HTTPS",
        user in "([a-z]{1,5}(:[a-z]{1,5})?@)?",
        host in "[a-z0-9.\\[\\]:-]{1,20}",
        rest in "[ -~]{0,30}",
    ) {
        check_address(&format!("{scheme}://{user}{host}{rest}"));
    }

    #[test]
    fn public_https_addresses_are_accepted(
        labels in proptest::collection::vec(label(), 1..4),
        tld in "[a-z]{2,6}",
        path in "(/[a-zA-Z0-9._~-]{0,10}){0,4}",
    ) {
        let host = format!("{}.{tld}", labels.join("."));
        let secure = format!("https://{host}{path}");
        let plain = format!("http://{host}{path}");
        let with_user = format!("https://me@{host}{path}");
        prop_assert!(validate_webhook_address(&secure).is_ok(), "{}", secure);
        // Plain http only on loopback, never with user-info.
        prop_assert!(validate_webhook_address(&plain).is_err(), "{}", plain);
        prop_assert!(validate_webhook_address(&with_user).is_err(), "{}", with_user);
    }

    #[test]
    fn signed_bytes_parse_or_are_invalid_payload(body in proptest::collection::vec(any::<u8>(), 0..300)) {
        check_event(&body);
    }

    #[test]
    fn generated_events_parse_back(
        timestamp in any::<u32>(),
        as_number in any::<bool>(),
        sender in any::<String>(),
        recipient in "[0-9]{1,15}",
        channel in "[a-z]{1,10}",
        text in proptest::option::of(any::<String>()),
    ) {
        let mut body = json!({
            "timestamp": if as_number { json!(timestamp) } else { json!(timestamp.to_string()) },
            "sender": {"id": sender, "channelType": channel},
            "recipient": {"id": recipient, "channelType": channel},
        });
        if let Some(text) = &text {
            body["message"] = json!({"text": text});
        }
        let bytes = body.to_string().into_bytes();
        check_event(&bytes);
        let webhook = Webhook::new("property-secret").unwrap();
        let event = webhook.verify_event(&bytes, webhook.sign(&bytes).as_str()).unwrap();
        prop_assert_eq!(event.timestamp(), i64::from(timestamp));
        prop_assert_eq!(&event.sender().id, &sender);
        prop_assert_eq!(&event.recipient().id, &recipient);
        prop_assert_eq!(&event.sender().channel_type, &channel);
        prop_assert_eq!(event.text(), text.as_deref());
    }
}

/// Inputs the fuzzers found interesting, kept as fixed cases (and every crash, should one be
/// found, with the date it was found).
#[test]
fn fuzz_regressions() {
    for value in [
        "",
        " ",
        "0",
        "-0",
        "+1",
        "1.5",
        "1e3",
        "Wed, 21 Oct 2015 07:28:00 GMT",
    ] {
        let _ = parse_retry_after(value, now());
    }
    for body in [
        &b""[..],
        b"{",
        b"\xff\xfe",
        b"{\"message\":null}",
        b"[]",
        b"\"text\"",
    ] {
        check_error_body(429, body);
        check_event(body);
    }
    for address in [
        "https:",
        "https://",
        "http://127.0.0.1",
        "http://0x7f.1/",
        "http://[::ffff:127.0.0.1]/",
        "https://a@",
        "https:\\\\user@host",
        "HTTP://LOCALHOST/",
    ] {
        check_address(address);
    }
}
