//! The control endpoints under `/_mock/`, so other processes can drive a mock.
//! The protocol is described in the module docs of [`connectly_mock`].

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::{json, Map, Value};

use super::deliver::{self, Delivery, MockError};
use super::errors;
use super::failure::Failure;
use super::http::{Reply, Request};
use super::state::{RecordedRequest, State};

/// The prefix of every control path.
pub(crate) const PREFIX: &str = "/_mock/";

/// Whether a request target is a control path.
pub(crate) fn is_control(target: &str) -> bool {
    target.starts_with(PREFIX)
}

/// Answers a control request.
pub(crate) fn handle(state: &State, request: &Request) -> Reply {
    match request.header("x-api-key") {
        Some(key) if key == state.config.api_key => {}
        Some(_) => return errors::reply(errors::UNAUTHENTICATED, "invalid API key"),
        None => return errors::reply(errors::UNAUTHENTICATED, "missing X-API-Key header"),
    }
    let path = request.path_only();
    let name = path.strip_prefix(PREFIX).unwrap_or(path);
    let method = request.method.as_str();
    let allowed = match name {
        "requests" | "webhooks" | "config" => "GET",
        "reset" | "fail" | "deliver" | "deliver_raw" => "POST",
        _ => return errors::reply(errors::NOT_FOUND, &format!("no such control path: {path}")),
    };
    if method != allowed && !(name == "fail" && method == "GET") {
        return errors::reply(
            errors::METHOD,
            &format!("{path} takes {allowed}, not {method}"),
        )
        .header("allow", allowed);
    }
    let result = match (name, method) {
        ("requests", _) => Ok(requests(state)),
        ("webhooks", _) => Ok(webhooks(state)),
        ("config", _) => Ok(config(state)),
        ("reset", _) => {
            state.reset();
            Ok(json!({ "ok": true }))
        }
        ("fail", "GET") => Ok(pending(state)),
        ("fail", _) => fail(state, &request.body),
        ("deliver", _) => return deliver(state, &request.body, false),
        _ => return deliver(state, &request.body, true),
    };
    match result {
        Ok(value) => Reply::json(200, value.to_string()),
        Err(message) => errors::reply(errors::BAD_BODY, &message),
    }
}

fn requests(state: &State) -> Value {
    Value::Array(state.requests().iter().map(request_json).collect())
}

fn request_json(request: &RecordedRequest) -> Value {
    let headers: Vec<Value> = request
        .headers
        .iter()
        .map(|(name, value)| json!([name, value]))
        .collect();
    json!({
        "method": request.method,
        "path": request.path,
        "headers": headers,
        "body": request.body_text(),
        "body_base64": STANDARD.encode(&request.body),
        "json": request.json(),
    })
}

fn webhooks(state: &State) -> Value {
    let list: Vec<Value> = state
        .webhooks()
        .into_iter()
        .map(|(topic, address)| json!({ "topic": topic, "address": address }))
        .collect();
    Value::Array(list)
}

fn config(state: &State) -> Value {
    json!({
        "business_id": state.config.business_id,
        "webhook_secret": state.config.webhook_secret,
        "business_phone": state.config.business_phone,
    })
}

fn pending(state: &State) -> Value {
    Value::Array(
        state
            .pending_failures()
            .iter()
            .map(Failure::to_json)
            .collect(),
    )
}

fn fail(state: &State, body: &[u8]) -> Result<Value, String> {
    let value: Value =
        serde_json::from_slice(body).map_err(|e| format!("the body is not valid JSON: {e}"))?;
    let failures = match &value {
        Value::Array(items) => items
            .iter()
            .map(Failure::from_json)
            .collect::<Result<Vec<_>, _>>()?,
        Value::Object(_) => vec![Failure::from_json(&value)?],
        _ => return Err("the body must be a list of failures".to_owned()),
    };
    state.queue_failures(failures);
    Ok(json!({ "queued": state.pending_failures().len() }))
}

/// `deliver`: `{"from": "+1...", "text": "..."}`;
/// `deliver_raw`: `{"topic": "messages", "body": "...", "signature": "..." | null}` (or
/// `"body_base64"` instead of `"body"`).
fn deliver(state: &State, body: &[u8], raw: bool) -> Reply {
    let parsed = serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| v.as_object().cloned());
    let Some(args) = parsed else {
        return errors::reply(errors::BAD_BODY, "the body must be a JSON object");
    };
    let result = if raw {
        match raw_args(&args) {
            Ok((topic, body, signature)) => deliver::raw(state, &topic, body, signature.as_deref()),
            Err(message) => return errors::reply(errors::BAD_BODY, &message),
        }
    } else {
        let only_known = args.keys().all(|k| k == "from" || k == "text");
        match (str_arg(&args, "from"), str_arg(&args, "text")) {
            (Ok(Some(from)), Ok(Some(text))) if only_known => deliver::inbound(state, from, text),
            _ => {
                return errors::reply(
                    errors::BAD_BODY,
                    "deliver takes {\"from\": string, \"text\": string}",
                )
            }
        }
    };
    match result {
        Ok(delivery) => Reply::json(200, delivery_json(&delivery).to_string()),
        Err(error) => {
            let (status, kind, extra) = match &error {
                MockError::NoWebhook { .. } => (409, "no_webhook", Value::Null),
                MockError::Transport { .. } => (502, "transport", Value::Null),
                MockError::Rejected { status, body, .. } => (
                    502,
                    "rejected",
                    json!({ "status": status, "body": String::from_utf8_lossy(body) }),
                ),
            };
            let answer = json!({
                "ok": false,
                "error": kind,
                "message": error.to_string(),
                "response": extra,
            });
            Reply::json(status, answer.to_string())
        }
    }
}

type RawArgs = (String, Vec<u8>, Option<String>);

fn raw_args(args: &Map<String, Value>) -> Result<RawArgs, String> {
    let known = ["topic", "body", "body_base64", "signature"];
    if let Some(key) = args.keys().find(|k| !known.contains(&k.as_str())) {
        return Err(format!("unexpected field {key:?}"));
    }
    let topic = str_arg(args, "topic")?.unwrap_or("messages").to_owned();
    let body = match (str_arg(args, "body")?, str_arg(args, "body_base64")?) {
        (Some(text), None) => text.as_bytes().to_vec(),
        (None, Some(encoded)) => STANDARD
            .decode(encoded)
            .map_err(|_| "\"body_base64\" is not base64".to_owned())?,
        _ => return Err("give exactly one of \"body\" and \"body_base64\"".to_owned()),
    };
    let signature = str_arg(args, "signature")?.map(str::to_owned);
    Ok((topic, body, signature))
}

fn str_arg<'a>(args: &'a Map<String, Value>, key: &str) -> Result<Option<&'a str>, String> {
    match args.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(format!("{key:?} must be a string")),
    }
}

fn delivery_json(delivery: &Delivery) -> Value {
    json!({
        "ok": delivery.status == 200,
        "address": delivery.address,
        "status": delivery.status,
        "body": String::from_utf8_lossy(&delivery.body),
        "signature": delivery.signature,
        "response": String::from_utf8_lossy(&delivery.response),
    })
}
