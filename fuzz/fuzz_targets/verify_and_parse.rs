//! Verify-and-parse: the input is `<signature header>\n<body>`. Verifying must never panic;
//! the body's own signature must verify, and then parsing fails only as `InvalidPayload`.
#![no_main]

use connectly::{Webhook, WebhookError};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let split = data.iter().position(|&b| b == b'\n').unwrap_or(data.len());
    let (header, body) = data.split_at(split);
    let body = body.get(1..).unwrap_or(&[]);
    let header = String::from_utf8_lossy(header);
    let Ok(webhook) = Webhook::with_secrets(["fuzz-secret", "older-secret"]) else {
        return;
    };
    let verified = webhook.verify(body, Some(header.as_ref()));
    let parsed = webhook.verify_event(body, Some(header.as_ref()));
    // Both entry points agree on the signature checks.
    if let Err(e) = &verified {
        assert_eq!(parsed.as_ref().err(), Some(e));
    }
    let signature = webhook.sign(body);
    assert_eq!(webhook.verify(body, signature.as_str()), Ok(()));
    match webhook.verify_event(body, signature.as_str()) {
        Ok(event) => assert!(event.raw.get().starts_with('{')),
        Err(WebhookError::InvalidPayload(_)) => {}
        Err(other) => panic!("a correctly signed body failed with {other:?}"),
    }
    // A tolerance turns on the timestamp check; it must not panic on any timestamp.
    let strict = webhook.with_tolerance(std::time::Duration::from_secs(300));
    let _ = strict.verify(body, signature.as_str());
});
