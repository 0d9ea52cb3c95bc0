//! Webhook-address validation: never panics, and what it accepts is an absolute https URL
//! (http only on loopback) without user-info, at most 2048 bytes, without control characters.
#![no_main]

use connectly::__fuzz::validate_webhook_address;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(address) = std::str::from_utf8(data) else {
        return;
    };
    if validate_webhook_address(address).is_ok() {
        assert!(address.len() <= 2048);
        assert!(!address.chars().any(char::is_control));
        let url = url::Url::parse(address).expect("an accepted address parses");
        assert!(matches!(url.scheme(), "https" | "http"), "{address:?}");
        assert!(url.host().is_some(), "{address:?}");
        assert!(
            url.username().is_empty() && url.password().is_none(),
            "{address:?}"
        );
    }
});
