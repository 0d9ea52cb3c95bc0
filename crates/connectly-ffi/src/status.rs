//! The status codes every fallible export returns, and the one place errors map onto them.

use std::os::raw::{c_char, c_uint};

use sdk::{Error, ErrorKind, RefusalKind};

/// The outcome of a call: `CONNECTLY_OK` (0) or the kind of failure.
///
/// The numbers are part of the ABI and never change; new kinds get new numbers. After a
/// failure, `connectly_last_error_message()` gives the calling thread's error text.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum connectly_status {
    /// Success.
    CONNECTLY_OK = 0,
    /// A required pointer argument was NULL (nothing was done).
    CONNECTLY_ERROR_NULL_ARGUMENT = 1,
    /// An argument was unusable: a string that is not UTF-8, a buffer too small, ...
    CONNECTLY_ERROR_INVALID_ARGUMENT = 2,
    /// An input was refused by validation before anything was sent.
    CONNECTLY_ERROR_VALIDATION = 3,
    /// The client could not be configured (credentials, base URL, timeout, retries).
    CONNECTLY_ERROR_CONFIG = 4,
    /// The API refused the API key (HTTP 401 or 403).
    CONNECTLY_ERROR_AUTHENTICATION = 5,
    /// The API answered 429 and no attempt was left.
    CONNECTLY_ERROR_RATE_LIMITED = 6,
    /// The API refused the request with another 4xx status.
    CONNECTLY_ERROR_API = 7,
    /// The API failed with a 5xx status (the message may or may not have been sent).
    CONNECTLY_ERROR_SERVER = 8,
    /// The API answered with a redirect, which is never followed.
    CONNECTLY_ERROR_REDIRECT = 9,
    /// No answer came within the timeout (the message may or may not have been sent).
    CONNECTLY_ERROR_TIMEOUT = 10,
    /// The connection failed or broke.
    CONNECTLY_ERROR_TRANSPORT = 11,
    /// The TLS handshake failed.
    CONNECTLY_ERROR_TLS = 12,
    /// The API's response body exceeded the SDK's limit.
    CONNECTLY_ERROR_RESPONSE_TOO_LARGE = 13,
    /// The call was stopped before it finished: a submission cancelled with
    /// `connectly_cancel` (or whose queue was freed first) completes with it. Blocking calls
    /// never return it (the C ABI sets no interruption hook).
    CONNECTLY_ERROR_CANCELLED = 14,
    /// Webhook: the signature header was absent (NULL), empty or blank.
    CONNECTLY_ERROR_MISSING_SIGNATURE = 20,
    /// Webhook: the signature is not standard padded base64 of 32 bytes.
    CONNECTLY_ERROR_MALFORMED_SIGNATURE = 21,
    /// Webhook: the signature matches none of the secrets.
    CONNECTLY_ERROR_INVALID_SIGNATURE = 22,
    /// Webhook: the body is over the size limit; it was not hashed.
    CONNECTLY_ERROR_PAYLOAD_TOO_LARGE = 23,
    /// Webhook: the body is signed but is not the event JSON expected.
    CONNECTLY_ERROR_INVALID_PAYLOAD = 24,
    /// Webhook: a secret is empty, or the number of secrets is not 1 to 8.
    CONNECTLY_ERROR_INVALID_SECRET = 25,
    /// Webhook: a tolerance is set and the body's timestamp is outside it.
    CONNECTLY_ERROR_TIMESTAMP_OUTSIDE_TOLERANCE = 26,
    /// Receiving: the request's method was not POST (answer 405 with `Allow: POST`).
    CONNECTLY_ERROR_METHOD_NOT_ALLOWED = 27,
    /// Receiving: the `Content-Encoding` is not none, identity, gzip or x-gzip (answer 415).
    CONNECTLY_ERROR_UNSUPPORTED_ENCODING = 28,
    /// Receiving: the body claims gzip but is not valid gzip (answer 400).
    CONNECTLY_ERROR_MALFORMED_ENCODING = 29,
    /// A bug: the library caught a panic or met an impossible state. Please report it.
    CONNECTLY_ERROR_INTERNAL = 99,
}

use connectly_status as S;

/// Every status, in numeric order (for `connectly_status_name` and tests).
pub(crate) const ALL: [connectly_status; 26] = [
    S::CONNECTLY_OK,
    S::CONNECTLY_ERROR_NULL_ARGUMENT,
    S::CONNECTLY_ERROR_INVALID_ARGUMENT,
    S::CONNECTLY_ERROR_VALIDATION,
    S::CONNECTLY_ERROR_CONFIG,
    S::CONNECTLY_ERROR_AUTHENTICATION,
    S::CONNECTLY_ERROR_RATE_LIMITED,
    S::CONNECTLY_ERROR_API,
    S::CONNECTLY_ERROR_SERVER,
    S::CONNECTLY_ERROR_REDIRECT,
    S::CONNECTLY_ERROR_TIMEOUT,
    S::CONNECTLY_ERROR_TRANSPORT,
    S::CONNECTLY_ERROR_TLS,
    S::CONNECTLY_ERROR_RESPONSE_TOO_LARGE,
    S::CONNECTLY_ERROR_CANCELLED,
    S::CONNECTLY_ERROR_MISSING_SIGNATURE,
    S::CONNECTLY_ERROR_MALFORMED_SIGNATURE,
    S::CONNECTLY_ERROR_INVALID_SIGNATURE,
    S::CONNECTLY_ERROR_PAYLOAD_TOO_LARGE,
    S::CONNECTLY_ERROR_INVALID_PAYLOAD,
    S::CONNECTLY_ERROR_INVALID_SECRET,
    S::CONNECTLY_ERROR_TIMESTAMP_OUTSIDE_TOLERANCE,
    S::CONNECTLY_ERROR_METHOD_NOT_ALLOWED,
    S::CONNECTLY_ERROR_UNSUPPORTED_ENCODING,
    S::CONNECTLY_ERROR_MALFORMED_ENCODING,
    S::CONNECTLY_ERROR_INTERNAL,
];

impl connectly_status {
    /// The status's name as a NUL-terminated static string.
    pub(crate) fn name_nul(self) -> &'static str {
        match self {
            S::CONNECTLY_OK => "CONNECTLY_OK\0",
            S::CONNECTLY_ERROR_NULL_ARGUMENT => "CONNECTLY_ERROR_NULL_ARGUMENT\0",
            S::CONNECTLY_ERROR_INVALID_ARGUMENT => "CONNECTLY_ERROR_INVALID_ARGUMENT\0",
            S::CONNECTLY_ERROR_VALIDATION => "CONNECTLY_ERROR_VALIDATION\0",
            S::CONNECTLY_ERROR_CONFIG => "CONNECTLY_ERROR_CONFIG\0",
            S::CONNECTLY_ERROR_AUTHENTICATION => "CONNECTLY_ERROR_AUTHENTICATION\0",
            S::CONNECTLY_ERROR_RATE_LIMITED => "CONNECTLY_ERROR_RATE_LIMITED\0",
            S::CONNECTLY_ERROR_API => "CONNECTLY_ERROR_API\0",
            S::CONNECTLY_ERROR_SERVER => "CONNECTLY_ERROR_SERVER\0",
            S::CONNECTLY_ERROR_REDIRECT => "CONNECTLY_ERROR_REDIRECT\0",
            S::CONNECTLY_ERROR_TIMEOUT => "CONNECTLY_ERROR_TIMEOUT\0",
            S::CONNECTLY_ERROR_TRANSPORT => "CONNECTLY_ERROR_TRANSPORT\0",
            S::CONNECTLY_ERROR_TLS => "CONNECTLY_ERROR_TLS\0",
            S::CONNECTLY_ERROR_RESPONSE_TOO_LARGE => "CONNECTLY_ERROR_RESPONSE_TOO_LARGE\0",
            S::CONNECTLY_ERROR_CANCELLED => "CONNECTLY_ERROR_CANCELLED\0",
            S::CONNECTLY_ERROR_MISSING_SIGNATURE => "CONNECTLY_ERROR_MISSING_SIGNATURE\0",
            S::CONNECTLY_ERROR_MALFORMED_SIGNATURE => "CONNECTLY_ERROR_MALFORMED_SIGNATURE\0",
            S::CONNECTLY_ERROR_INVALID_SIGNATURE => "CONNECTLY_ERROR_INVALID_SIGNATURE\0",
            S::CONNECTLY_ERROR_PAYLOAD_TOO_LARGE => "CONNECTLY_ERROR_PAYLOAD_TOO_LARGE\0",
            S::CONNECTLY_ERROR_INVALID_PAYLOAD => "CONNECTLY_ERROR_INVALID_PAYLOAD\0",
            S::CONNECTLY_ERROR_INVALID_SECRET => "CONNECTLY_ERROR_INVALID_SECRET\0",
            S::CONNECTLY_ERROR_TIMESTAMP_OUTSIDE_TOLERANCE => {
                "CONNECTLY_ERROR_TIMESTAMP_OUTSIDE_TOLERANCE\0"
            }
            S::CONNECTLY_ERROR_METHOD_NOT_ALLOWED => "CONNECTLY_ERROR_METHOD_NOT_ALLOWED\0",
            S::CONNECTLY_ERROR_UNSUPPORTED_ENCODING => "CONNECTLY_ERROR_UNSUPPORTED_ENCODING\0",
            S::CONNECTLY_ERROR_MALFORMED_ENCODING => "CONNECTLY_ERROR_MALFORMED_ENCODING\0",
            S::CONNECTLY_ERROR_INTERNAL => "CONNECTLY_ERROR_INTERNAL\0",
        }
    }

    /// The status for a core error: the one mapping of `connectly::Error` kinds.
    pub(crate) fn of_error(error: &Error) -> Self {
        Self::of_error_kind(error.kind())
    }

    /// The status for each kind of client error.
    pub(crate) fn of_error_kind(kind: ErrorKind) -> Self {
        match kind {
            ErrorKind::Validation => S::CONNECTLY_ERROR_VALIDATION,
            ErrorKind::Config => S::CONNECTLY_ERROR_CONFIG,
            ErrorKind::Authentication => S::CONNECTLY_ERROR_AUTHENTICATION,
            ErrorKind::RateLimited => S::CONNECTLY_ERROR_RATE_LIMITED,
            ErrorKind::Api => S::CONNECTLY_ERROR_API,
            ErrorKind::Server => S::CONNECTLY_ERROR_SERVER,
            ErrorKind::Redirect => S::CONNECTLY_ERROR_REDIRECT,
            ErrorKind::Timeout => S::CONNECTLY_ERROR_TIMEOUT,
            ErrorKind::Transport => S::CONNECTLY_ERROR_TRANSPORT,
            ErrorKind::Tls => S::CONNECTLY_ERROR_TLS,
            ErrorKind::ResponseTooLarge => S::CONNECTLY_ERROR_RESPONSE_TOO_LARGE,
            ErrorKind::Cancelled => S::CONNECTLY_ERROR_CANCELLED,
        }
    }

    /// The status for each kind of refused delivery or webhook error.
    pub(crate) fn of_refusal_kind(kind: RefusalKind) -> Self {
        match kind {
            RefusalKind::MethodNotAllowed => S::CONNECTLY_ERROR_METHOD_NOT_ALLOWED,
            RefusalKind::UnsupportedEncoding => S::CONNECTLY_ERROR_UNSUPPORTED_ENCODING,
            RefusalKind::MalformedEncoding => S::CONNECTLY_ERROR_MALFORMED_ENCODING,
            RefusalKind::MissingSignature => S::CONNECTLY_ERROR_MISSING_SIGNATURE,
            RefusalKind::MalformedSignature => S::CONNECTLY_ERROR_MALFORMED_SIGNATURE,
            RefusalKind::InvalidSignature => S::CONNECTLY_ERROR_INVALID_SIGNATURE,
            RefusalKind::PayloadTooLarge => S::CONNECTLY_ERROR_PAYLOAD_TOO_LARGE,
            RefusalKind::InvalidPayload => S::CONNECTLY_ERROR_INVALID_PAYLOAD,
            RefusalKind::InvalidSecret => S::CONNECTLY_ERROR_INVALID_SECRET,
            RefusalKind::TimestampOutsideTolerance => {
                S::CONNECTLY_ERROR_TIMESTAMP_OUTSIDE_TOLERANCE
            }
        }
    }
}

/// A status as received from C, where any integer may arrive. Printed as `connectly_status`
/// in the header; taking the raw integer keeps an out-of-range value from being undefined
/// behaviour on the Rust side.
#[repr(transparent)]
#[derive(Debug, Clone, Copy)]
pub struct StatusArg(pub c_uint);

/// The name of a status as a static string, such as `"CONNECTLY_ERROR_TIMEOUT"`.
///
/// Never returns NULL: a value that is not a `connectly_status` gives
/// `"CONNECTLY_UNKNOWN_STATUS"`. The string is static: never free it. Thread-safe.
#[no_mangle]
pub extern "C" fn connectly_status_name(status: StatusArg) -> *const c_char {
    const UNKNOWN: &str = "CONNECTLY_UNKNOWN_STATUS\0";
    let name = super::boundary::value(UNKNOWN, || {
        ALL.iter()
            .find(|s| **s as c_uint == status.0)
            .map_or(UNKNOWN, |s| s.name_nul())
    });
    name.as_ptr().cast()
}

/// The library's version, such as `"0.1.0"`, as a static string.
///
/// Never returns NULL; never free it. Thread-safe.
#[no_mangle]
pub extern "C" fn connectly_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    #[test]
    fn names_match_variants_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for status in ALL {
            // SAFETY: `connectly_status_name` returns a static NUL-terminated string.
            let name =
                unsafe { CStr::from_ptr(connectly_status_name(StatusArg(status as c_uint))) };
            let name = name.to_str().unwrap();
            assert_eq!(name, format!("{status:?}"));
            assert!(seen.insert(status as c_uint));
        }
        // SAFETY: as above.
        let unknown = unsafe { CStr::from_ptr(connectly_status_name(StatusArg(12345))) };
        assert_eq!(unknown.to_str().unwrap(), "CONNECTLY_UNKNOWN_STATUS");
    }

    /// The header's version macros are literal (cbindgen.toml's `after_includes`: cbindgen
    /// emits no string constants); a version bump that forgets them fails here.
    #[test]
    fn header_version_macros_match_the_crate() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../include/connectly.h");
        let header = std::fs::read_to_string(path).unwrap();
        let macro_value = |name: &str| -> String {
            let prefix = format!("#define {name} ");
            let line = header.lines().find(|l| l.starts_with(&prefix));
            line.unwrap_or_else(|| panic!("{name} is not defined in {path}"))[prefix.len()..]
                .trim()
                .to_owned()
        };
        assert_eq!(
            macro_value("CONNECTLY_VERSION_MAJOR"),
            env!("CARGO_PKG_VERSION_MAJOR")
        );
        assert_eq!(
            macro_value("CONNECTLY_VERSION_MINOR"),
            env!("CARGO_PKG_VERSION_MINOR")
        );
        assert_eq!(
            macro_value("CONNECTLY_VERSION_PATCH"),
            env!("CARGO_PKG_VERSION_PATCH")
        );
        assert_eq!(
            macro_value("CONNECTLY_VERSION"),
            format!("\"{}\"", env!("CARGO_PKG_VERSION"))
        );
        // The limits C code sizes things by are the core's own.
        assert_eq!(
            macro_value("CONNECTLY_DEFAULT_MAX_BODY_SIZE"),
            sdk::Webhook::DEFAULT_MAX_BODY_SIZE.to_string()
        );
        assert_eq!(
            macro_value("CONNECTLY_MAX_SECRETS"),
            sdk::Webhook::MAX_SECRETS.to_string()
        );
        let core_limits = [
            (
                "CONNECTLY_DEFAULT_TIMEOUT_MS",
                sdk::DEFAULT_TIMEOUT.as_millis().to_string(),
            ),
            (
                "CONNECTLY_DEFAULT_MAX_RETRIES",
                sdk::DEFAULT_MAX_RETRIES.to_string(),
            ),
            (
                "CONNECTLY_MAX_RETRIES_LIMIT",
                sdk::MAX_RETRIES_LIMIT.to_string(),
            ),
            (
                "CONNECTLY_DEFAULT_CONCURRENCY",
                sdk::DEFAULT_CONCURRENCY.to_string(),
            ),
            (
                "CONNECTLY_MAX_CONCURRENCY",
                sdk::MAX_CONCURRENCY.to_string(),
            ),
        ];
        for (name, value) in core_limits {
            assert_eq!(macro_value(name), value, "{name}");
        }
        assert_eq!(
            macro_value("CONNECTLY_SIGNATURE_BUFFER_SIZE"),
            crate::webhook::CONNECTLY_SIGNATURE_BUFFER_SIZE.to_string()
        );
        // SAFETY: `connectly_version` returns a static NUL-terminated string.
        let version = unsafe { CStr::from_ptr(connectly_version()) };
        assert_eq!(version.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
    }

    /// Every kind of failure has its own status, named after it: the mapping the header
    /// documents, checked for every kind the core has.
    #[test]
    fn every_kind_maps_to_the_status_named_after_it() {
        let screaming = |name: &str| {
            let mut out = String::from("CONNECTLY_ERROR_");
            for (i, c) in name.chars().enumerate() {
                if c.is_ascii_uppercase() && i > 0 {
                    out.push('_');
                }
                out.push(c.to_ascii_uppercase());
            }
            out
        };
        let mut seen = std::collections::HashSet::new();
        let statuses = ErrorKind::ALL
            .iter()
            .map(|k| (k.name(), connectly_status::of_error_kind(*k)))
            .chain(
                RefusalKind::ALL
                    .iter()
                    .map(|k| (k.name(), connectly_status::of_refusal_kind(*k))),
            );
        for (name, status) in statuses {
            assert_eq!(format!("{status:?}"), screaming(name));
            assert!(seen.insert(status), "{name} shares its status");
        }
        assert_eq!(seen.len(), ErrorKind::ALL.len() + RefusalKind::ALL.len());
    }

    #[test]
    fn size_is_a_c_int() {
        assert_eq!(
            std::mem::size_of::<connectly_status>(),
            std::mem::size_of::<c_uint>()
        );
    }
}
