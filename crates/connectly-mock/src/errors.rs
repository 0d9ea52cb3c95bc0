//! Error answers in Connectly's documented format:
//! `{"message", "type", "code", "userTitle", "userMessage", "cntTraceId", "details"}`.

use serde_json::{json, Value};

use super::http::Reply;

/// A type and code from Connectly's documentation, or the mock's own where it documents none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Kind {
    pub status: u16,
    pub kind: &'static str,
    pub code: &'static str,
    pub title: &'static str,
}

pub(crate) const INVALID_REQUEST: &str = "ERROR_TYPE_INVALID_REQUEST";
pub(crate) const AUTHENTICATION: &str = "ERROR_TYPE_AUTHENTICATION";

/// A shape error: malformed JSON, unknown or missing field, wrong type (mock's own code).
pub(crate) const BAD_BODY: Kind = invalid("ERROR_CODE_INVALID_REQUEST_BODY");
pub(crate) const TEXT_EMPTY: Kind = invalid("ERROR_CODE_MESSAGE_TEXT_EMPTY");
pub(crate) const PHONE_BAD_FORMAT: Kind = invalid("ERROR_CODE_PHONE_NUMBER_BAD_FORMAT");
pub(crate) const TEMPLATE_INPUT: Kind = invalid("ERROR_CODE_MESSAGE_TEMPLATE_INPUT_INVALID");
pub(crate) const TEMPLATE_NOT_FOUND: Kind = invalid("ERROR_CODE_MESSAGE_TEMPLATE_NOT_FOUND");
pub(crate) const WEBHOOK_TOPIC: Kind = invalid("ERROR_CODE_WEBHOOK_TOPIC_INVALID");
pub(crate) const WEBHOOK_ADDRESS: Kind = invalid("ERROR_CODE_WEBHOOK_ADDRESS_INVALID");
pub(crate) const WEBHOOK_TYPE: Kind = invalid("ERROR_CODE_WEBHOOK_TYPE_INVALID");
pub(crate) const WEBHOOK_TOPIC_CHANGE: Kind = invalid("ERROR_CODE_WEBHOOK_TOPIC_IMMUTABLE");
pub(crate) const INVALID_SENDER: Kind = invalid("ERROR_CODE_INVALID_SENDER_ID");
pub(crate) const ATTACHMENTS_NUMBER: Kind =
    invalid("ERROR_CODE_MESSAGE_ATTACHMENTS_NUMBER_INVALID");
pub(crate) const ATTACHMENT: Kind = invalid("ERROR_CODE_MESSAGE_ATTACHMENT_INVALID");
pub(crate) const LOCATION: Kind = invalid("ERROR_CODE_MESSAGE_LOCATION_INVALID");
pub(crate) const LIST: Kind = invalid("ERROR_CODE_MESSAGE_LIST_INVALID");
pub(crate) const BUTTONS: Kind = invalid("ERROR_CODE_MESSAGE_REPLY_BUTTONS_INVALID");
pub(crate) const CONTENT_MISSING: Kind = invalid("ERROR_CODE_MESSAGE_CONTENT_MISSING");
pub(crate) const CALLBACK_DATA: Kind = invalid("ERROR_CODE_CALLBACK_DATA_TOO_LARGE");
pub(crate) const WEBHOOK_CONFLICT: Kind = Kind {
    status: 409,
    kind: INVALID_REQUEST,
    code: "ERROR_CODE_WEBHOOK_ALREADY_EXISTS",
    title: "Conflict",
};
pub(crate) const CAMPAIGN_UNPUBLISHED: Kind = Kind {
    status: 409,
    kind: INVALID_REQUEST,
    code: "ERROR_CODE_CAMPAIGN_NOT_PUBLISHED",
    title: "Conflict",
};
pub(crate) const WEBHOOK_NOT_FOUND: Kind = Kind {
    status: 404,
    kind: INVALID_REQUEST,
    code: "ERROR_CODE_WEBHOOK_NOT_FOUND",
    title: "Not found",
};
/// What a `delivery_failed` status event carries in `statusUpdate.error`.
pub(crate) const UNDELIVERABLE: Kind = invalid("ERROR_CODE_MESSAGE_OUTSIDE_OF_ELIGIBILITY_WINDOW");
pub(crate) const CONTENT_TYPE: Kind = Kind {
    status: 415,
    ..invalid("ERROR_CODE_CONTENT_TYPE_INVALID")
};
pub(crate) const UNAUTHENTICATED: Kind = Kind {
    status: 401,
    kind: AUTHENTICATION,
    code: "ERROR_CODE_API_KEY_INVALID",
    title: "Authentication failed",
};
pub(crate) const BUSINESS_NOT_FOUND: Kind = Kind {
    status: 404,
    kind: INVALID_REQUEST,
    code: "ERROR_CODE_BUSINESS_NOT_FOUND",
    title: "Not found",
};
pub(crate) const NOT_FOUND: Kind = Kind {
    status: 404,
    kind: INVALID_REQUEST,
    code: "ERROR_CODE_NOT_FOUND",
    title: "Not found",
};
pub(crate) const METHOD: Kind = Kind {
    status: 405,
    kind: INVALID_REQUEST,
    code: "ERROR_CODE_METHOD_NOT_ALLOWED",
    title: "Method not allowed",
};

const fn invalid(code: &'static str) -> Kind {
    Kind {
        status: 400,
        kind: INVALID_REQUEST,
        code,
        title: "Invalid request",
    }
}

/// The type and code a scripted failure with this status and no body answers with.
pub(crate) fn for_status(status: u16) -> Kind {
    let (kind, code, title) = match status {
        401 | 403 => (
            AUTHENTICATION,
            "ERROR_CODE_API_KEY_INVALID",
            "Authentication failed",
        ),
        404 => (INVALID_REQUEST, "ERROR_CODE_NOT_FOUND", "Not found"),
        408 | 504 => (
            "ERROR_TYPE_DEADLINE_EXCEEDED",
            "ERROR_CODE_DEADLINE_EXCEEDED",
            "Timed out",
        ),
        409 => (INVALID_REQUEST, "ERROR_CODE_CONFLICT", "Conflict"),
        429 => (
            "ERROR_TYPE_RATE_LIMITED",
            "ERROR_CODE_BUSINESS_REACHED_LIMITS",
            "Too many requests",
        ),
        500..=599 => (
            "ERROR_TYPE_INTERNAL",
            "ERROR_CODE_INTERNAL",
            "Something went wrong",
        ),
        _ => (
            INVALID_REQUEST,
            "ERROR_CODE_INVALID_REQUEST_BODY",
            "Invalid request",
        ),
    };
    Kind {
        status,
        kind,
        code,
        title,
    }
}

/// A fresh trace id: decimal digits, like Connectly's.
pub(crate) fn trace_id() -> String {
    fastrand::u64(1_000_000_000_000_000_000..).to_string()
}

/// The documented error body.
pub(crate) fn body(kind: Kind, message: &str) -> Vec<u8> {
    value(kind, message).to_string().into_bytes()
}

/// The documented error object.
pub(crate) fn value(kind: Kind, message: &str) -> Value {
    json!({
        "message": message,
        "type": kind.kind,
        "code": kind.code,
        "userTitle": kind.title,
        "userMessage": message,
        "cntTraceId": trace_id(),
        "details": {},
    })
}

/// An error answer.
pub(crate) fn reply(kind: Kind, message: &str) -> Reply {
    Reply::json(kind.status, body(kind, message))
}
