//! Event parsing: any body, correctly signed, parses or fails only as `InvalidPayload`, and
//! the error text never quotes the body.
#![no_main]

use connectly::{Webhook, WebhookError};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    let Ok(webhook) = Webhook::new("fuzz-secret") else {
        return;
    };
    let signature = webhook.sign(body);
    match webhook.verify_event(body, signature.as_str()) {
        Ok(event) => {
            assert!(event.raw.get().starts_with('{'));
            assert!(event.timestamp >= 0);
        }
        Err(WebhookError::InvalidPayload(reason)) => {
            // Reasons are fixed phrases, never the body.
            assert!(reason.len() < 100);
        }
        Err(other) => panic!("a correctly signed body failed with {other:?}"),
    }
});
