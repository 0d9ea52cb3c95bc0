//! Input checks that run before any byte is sent.

use std::net::IpAddr;
use std::time::Duration;

use crate::error::ValidationError;

/// The longest webhook address accepted.
pub(crate) const MAX_ADDRESS_LEN: usize = 2048;

type Result<T = ()> = std::result::Result<T, ValidationError>;

/// An API key or business id: non-empty visible ASCII, so it cannot split a header.
/// The reason never quotes the value.
pub(crate) fn credential(field: &'static str, value: &str) -> Result {
    if value.is_empty() {
        return Err(ValidationError::new(field, "is empty"));
    }
    if !value.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ValidationError::new(
            field,
            "must be visible ASCII (no spaces, control characters, CR, LF or NUL)",
        ));
    }
    Ok(())
}

/// The business id: a credential that is also a path segment, so `.` and `..` (which URL
/// normalisation would resolve, leaving the business's path) are refused.
pub(crate) fn business_id(value: &str) -> Result {
    credential("business id", value)?;
    if value == "." || value == ".." {
        return Err(ValidationError::new(
            "business id",
            "must not be `.` or `..` (it is a path segment)",
        ));
    }
    Ok(())
}

/// A bulk rate limit, in messages per second: finite and at least
/// [`BulkOptions::MIN_RATE_LIMIT`](crate::BulkOptions::MIN_RATE_LIMIT). Gives the interval
/// between message starts.
pub(crate) fn rate_limit(per_second: f64) -> Result<Duration> {
    let min = crate::BulkOptions::MIN_RATE_LIMIT;
    let refused = || {
        ValidationError::new(
            "rate limit",
            format!(
                "must be a finite number of messages per second, at least {min} \
                 (one message every {} s)",
                1.0 / min
            ),
        )
    };
    // NaN fails both tests.
    if !per_second.is_finite() || per_second < min {
        return Err(refused());
    }
    Duration::try_from_secs_f64(1.0 / per_second).map_err(|_| refused())
}

/// An id sent as a path segment: a name that is not `.` or `..` (which URL normalisation
/// would resolve, leaving the intended path).
pub(crate) fn path_segment(field: &'static str, value: &str) -> Result {
    name(field, value)?;
    if value == "." || value == ".." {
        return Err(ValidationError::new(
            field,
            "must not be `.` or `..` (it is a path segment)",
        ));
    }
    Ok(())
}

/// A name-like value: non-empty, not only whitespace, no control characters.
pub(crate) fn name(field: &'static str, value: &str) -> Result {
    if value.trim().is_empty() {
        return Err(ValidationError::new(field, "is empty"));
    }
    no_control(field, value)
}

fn no_control(field: &'static str, value: &str) -> Result {
    if value.chars().any(char::is_control) {
        return Err(ValidationError::new(field, "contains a control character"));
    }
    Ok(())
}

/// A recipient id: an E.164 number when it starts with `+`, any other id passed through.
pub(crate) fn recipient_id(field: &'static str, id: &str) -> Result {
    name(field, id)?;
    if let Some(digits) = id.strip_prefix('+') {
        let ok = (8..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit());
        if !ok {
            return Err(ValidationError::new(
                field,
                "a number starting with '+' must be E.164: '+' and 8 to 15 digits",
            ));
        }
    }
    Ok(())
}

/// A message text: not empty or only whitespace.
pub(crate) fn text(value: &str) -> Result {
    if value.trim().is_empty() {
        return Err(ValidationError::new("text", "is empty or only whitespace"));
    }
    Ok(())
}

/// A text shown to the recipient (a caption, a label, a row): not empty or only whitespace.
pub(crate) fn text_field(field: &'static str, value: &str) -> Result {
    if value.trim().is_empty() {
        return Err(ValidationError::new(field, "is empty or only whitespace"));
    }
    Ok(())
}

/// A URL Connectly fetches from the internet: `https` (never plain http, not even on
/// loopback: Connectly, not this machine, reads it), with a host and no user-info.
pub(crate) fn public_https_url(field: &'static str, value: &str) -> Result {
    no_control(field, value)?;
    let url = secure_url(field, value)?;
    if url.scheme() != "https" {
        return Err(ValidationError::new(field, "must be an https URL"));
    }
    Ok(())
}

/// A JSON argument given as text by a binding (C strings, Go's `json.RawMessage`, Python's
/// `json.dumps`: `callback data`, `configuration`, `product`, `variables`): parsed,
/// or refused as `field` without quoting it.
pub fn json_argument(field: &'static str, text: &str) -> Result<serde_json::Value> {
    serde_json::from_str(text).map_err(|_| ValidationError::new(field, "is not valid JSON"))
}

/// `callbackData`: at most [`MAX_CALLBACK_DATA_BYTES`](crate::MAX_CALLBACK_DATA_BYTES) of
/// compact JSON.
pub(crate) fn callback_data(value: &serde_json::Value) -> Result {
    let limit = crate::MAX_CALLBACK_DATA_BYTES;
    let size = serde_json::to_vec(value).map_or(usize::MAX, |v| v.len());
    if size > limit {
        return Err(ValidationError::new(
            "callback data",
            format!("is {size} bytes of JSON; at most {limit} are sent"),
        ));
    }
    Ok(())
}

/// Template parameters: names non-empty, without control characters, and unique.
pub(crate) fn template_params<'a>(names: impl Iterator<Item = &'a str>) -> Result {
    let mut seen = std::collections::HashSet::new();
    for param in names {
        name("template parameter name", param)?;
        if !seen.insert(param) {
            return Err(ValidationError::new(
                "template parameter name",
                format!("'{param}' appears more than once"),
            ));
        }
    }
    Ok(())
}

/// Whether a URL's host is a loopback address (127.0.0.0/8, ::1, or `localhost`).
pub(crate) fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// An `https` URL (plain `http` only for loopback hosts) without user-info.
/// `what` names the input in errors, which never quote the URL (it may hold a secret).
pub(crate) fn secure_url(field: &'static str, value: &str) -> Result<url::Url> {
    let url = url::Url::parse(value)
        .map_err(|_| ValidationError::new(field, "is not an absolute URL"))?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => {
            return Err(ValidationError::new(
                field,
                "must use https (plain http is allowed only for loopback hosts)",
            ))
        }
        _ => return Err(ValidationError::new(field, "must be an https URL")),
    }
    if url.host().is_none() {
        return Err(ValidationError::new(field, "has no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(ValidationError::new(
            field,
            "must not contain a user name or password",
        ));
    }
    Ok(url)
}

/// A webhook address Connectly will deliver to.
pub(crate) fn webhook_address(value: &str) -> Result {
    if value.len() > MAX_ADDRESS_LEN {
        return Err(ValidationError::new(
            "webhook address",
            format!("is longer than {MAX_ADDRESS_LEN} characters"),
        ));
    }
    no_control("webhook address", value)?;
    secure_url("webhook address", value).map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn e164_bounds() {
        assert!(recipient_id("to", "+1234567").is_err());
        assert!(recipient_id("to", "+12345678").is_ok());
        assert!(recipient_id("to", "+123456789012345").is_ok());
        assert!(recipient_id("to", "+1234567890123456").is_err());
        assert!(recipient_id("to", "+1555 555 5555").is_err());
        assert!(recipient_id("to", "user-123").is_ok());
        assert!(recipient_id("to", "user\n123").is_err());
        assert!(recipient_id("to", "  ").is_err());
    }

    #[test]
    fn credentials() {
        assert!(credential("api key", "abc-DEF_123").is_ok());
        for bad in ["", "a b", "a\r\nX-Injected: 1", "a\0", "ключ"] {
            assert!(credential("api key", bad).is_err(), "{bad:?}");
        }
        let err = credential("api key", "secret value").unwrap_err();
        assert!(!err.to_string().contains("secret"));
    }

    #[test]
    fn business_ids() {
        for ok in ["biz", "...", ".a", "a.b", "a..", "%2e%2e"] {
            assert!(business_id(ok).is_ok(), "{ok:?}");
        }
        for bad in [".", "..", "", "a b"] {
            assert!(business_id(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn rate_limits() {
        assert_eq!(rate_limit(0.01), Ok(Duration::from_secs(100)));
        assert_eq!(rate_limit(200.0), Ok(Duration::from_millis(5)));
        assert_eq!(rate_limit(f64::MAX), Ok(Duration::ZERO));
        for bad in [
            1e-19,
            1e-300,
            f64::MIN_POSITIVE,
            5e-324,
            0.009_999,
            0.0,
            -0.0,
            -1.0,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ] {
            let err = rate_limit(bad).unwrap_err();
            assert_eq!(err.field, "rate limit", "{bad}");
        }
    }

    #[test]
    fn addresses() {
        assert!(webhook_address("https://example.com/webhook").is_ok());
        assert!(webhook_address("http://127.0.0.1:8080/hook").is_ok());
        assert!(webhook_address("http://127.9.9.9/hook").is_ok());
        assert!(webhook_address("http://[::1]:80/hook").is_ok());
        assert!(webhook_address("http://localhost/hook").is_ok());
        assert!(webhook_address("http://example.com/hook").is_err());
        assert!(webhook_address("ftp://example.com/hook").is_err());
        assert!(webhook_address("https://user:pw@example.com/hook").is_err());
        assert!(webhook_address("https://user@example.com/hook").is_err());
        assert!(webhook_address("/relative").is_err());
        let long = format!("https://example.com/{}", "a".repeat(MAX_ADDRESS_LEN));
        assert!(webhook_address(&long).is_err());
    }

    #[test]
    fn params() {
        assert!(template_params(["a", "b"].into_iter()).is_ok());
        assert!(template_params(["a", "a"].into_iter()).is_err());
        assert!(template_params(["a", ""].into_iter()).is_err());
    }
}
