//! Error-body parsing: any status and body give an error reply; a message taken from a
//! non-JSON body is one line of at most 200 characters.
#![no_main]

use connectly::__fuzz::api_error_from_reply;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (status, body) = match data {
        [a, b, rest @ ..] => (u16::from_be_bytes([*a, *b]), rest),
        _ => (500, data),
    };
    let error = api_error_from_reply(status, body);
    assert_eq!(error.status, status);
    if !error.body.is_object() {
        if let Some(message) = &error.message {
            assert!(message.chars().count() <= 200);
            assert!(!message.contains('\n'));
            assert!(!message.is_empty());
        }
    }
    let _ = error.to_string();
});
