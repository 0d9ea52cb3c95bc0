//! Thin public wrappers over private parsers, for the fuzz targets (`fuzz/`) and the property
//! tests. Not part of the SDK's API: hidden from the docs, and may change at any time.

use std::time::{Duration, SystemTime};

use crate::error::{ApiError, ValidationError};

/// Reads a `Retry-After` value (delay-seconds or an HTTP date) as the client does.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    crate::retry::parse_retry_after(value, now)
}

/// Reads an error reply's body as the client does (after one attempt).
pub fn api_error_from_reply(status: u16, body: &[u8]) -> ApiError {
    ApiError::from_reply(status, body, 1)
}

/// Checks a webhook address as [`Client::create_webhook`](crate::Client::create_webhook) does.
pub fn validate_webhook_address(address: &str) -> Result<(), ValidationError> {
    crate::validate::webhook_address(address)
}
