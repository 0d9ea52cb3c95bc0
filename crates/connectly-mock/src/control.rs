//! The control endpoints under `/_mock/`, so other processes can drive a mock.
//! The protocol is described in the [crate] docs.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::{json, Map, Value};

use super::deliver::{self, Delivery, MockError};
use super::errors;
use super::events::{ButtonReply, CampaignNamePlace, Inbound};
use super::failure::Failure;
use super::http::{Reply, Request};
use super::state::{RecordedRequest, State};
use super::statuses::StatusOrder;

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
    let allowed: &[&str] = match name {
        "requests" | "webhooks" | "config" | "messages" => &["GET"],
        "reset" | "deliver" | "deliver_raw" | "deliver_event" | "deliver_status" => &["POST"],
        "fail" | "webhook_conflicts" | "templates" | "unpublished_campaigns" | "statuses" => {
            &["GET", "POST"]
        }
        _ => return errors::reply(errors::NOT_FOUND, &format!("no such control path: {path}")),
    };
    if !allowed.contains(&method) {
        let allow = allowed.join(", ");
        return errors::reply(
            errors::METHOD,
            &format!("{path} takes {allow}, not {method}"),
        )
        .header("allow", &allow);
    }
    let body = &request.body;
    let result = match (name, method) {
        ("requests", _) => Ok(requests(state)),
        ("webhooks", _) => Ok(webhooks(state)),
        ("config", _) => Ok(config(state)),
        ("messages", _) => Ok(messages(state)),
        ("reset", _) => {
            state.reset();
            Ok(json!({ "ok": true }))
        }
        ("fail", "GET") => Ok(pending(state)),
        ("fail", _) => fail(state, body),
        ("webhook_conflicts", "GET") => Ok(conflicts(state)),
        ("webhook_conflicts", _) => set_conflicts(state, body),
        ("templates", "GET") => Ok(state.settings().templates),
        ("templates", _) => set_templates(state, body),
        ("unpublished_campaigns", "GET") => Ok(unpublished(state)),
        ("unpublished_campaigns", _) => set_unpublished(state, body),
        ("statuses", "GET") => Ok(auto_statuses(state)),
        ("statuses", _) => set_auto_statuses(state, body),
        _ => return deliver(state, name, body),
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
        "received_unix_ms": request.received_unix_ms,
    })
}

fn webhooks(state: &State) -> Value {
    let list: Vec<Value> = state
        .webhooks()
        .into_iter()
        .map(|w| {
            json!({
                "id": w.id,
                "topic": w.topic,
                "address": w.address,
                "type": w.kind,
                "configuration": w.configuration,
            })
        })
        .collect();
    Value::Array(list)
}

fn messages(state: &State) -> Value {
    let list: Vec<Value> = state
        .messages()
        .into_iter()
        .map(|m| {
            json!({
                "id": m.id,
                "path": m.path,
                "recipient": m.recipient,
                "channel_type": m.channel_type,
                "sender": m.sender,
                "callback_data": m.callback_data,
                "campaign_name": m.campaign_name,
            })
        })
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

/// The body as JSON.
fn parse(body: &[u8]) -> Result<Value, String> {
    serde_json::from_slice(body).map_err(|e| format!("the body is not valid JSON: {e}"))
}

/// The body as a JSON object with only the `known` fields.
fn arguments(body: &[u8], known: &[&str]) -> Result<Map<String, Value>, String> {
    let Value::Object(args) = parse(body)? else {
        return Err("the body must be a JSON object".to_owned());
    };
    only(&args, known)?;
    Ok(args)
}

/// Refuses fields not in `known`.
fn only(args: &Map<String, Value>, known: &[&str]) -> Result<(), String> {
    match args.keys().find(|k| !known.contains(&k.as_str())) {
        Some(key) => Err(format!("unexpected field {key:?}")),
        None => Ok(()),
    }
}

fn fail(state: &State, body: &[u8]) -> Result<Value, String> {
    let value = parse(body)?;
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

fn conflicts(state: &State) -> Value {
    json!({ "enabled": state.settings().webhook_conflicts })
}

/// `{"enabled": bool}`
fn set_conflicts(state: &State, body: &[u8]) -> Result<Value, String> {
    let args = arguments(body, &["enabled"])?;
    let Some(enabled) = args.get("enabled").and_then(Value::as_bool) else {
        return Err("webhook_conflicts takes {\"enabled\": true or false}".to_owned());
    };
    state.change_settings(|s| s.webhook_conflicts = enabled);
    Ok(conflicts(state))
}

/// Any JSON: the `templateGroups` to serve, verbatim.
fn set_templates(state: &State, body: &[u8]) -> Result<Value, String> {
    let templates = parse(body)?;
    state.change_settings(|s| s.templates = templates);
    Ok(json!({ "ok": true }))
}

fn unpublished(state: &State) -> Value {
    json!({ "unpublished": state.settings().unpublished })
}

/// A list of campaign names: they replace the unpublished ones.
fn set_unpublished(state: &State, body: &[u8]) -> Result<Value, String> {
    let names = match parse(body)? {
        Value::Array(names) => names
            .into_iter()
            .map(|n| match n {
                Value::String(name) => Ok(name),
                _ => Err("each campaign name must be a string".to_owned()),
            })
            .collect::<Result<_, _>>()?,
        _ => return Err("the body must be a list of campaign names".to_owned()),
    };
    state.change_settings(|s| s.unpublished = names);
    Ok(unpublished(state))
}

fn auto_statuses(state: &State) -> Value {
    let name = state
        .settings()
        .auto_statuses
        .map_or("off", StatusOrder::name);
    json!({ "auto": name })
}

/// `{"auto": "off" | "in_order" | "shuffled"}`
fn set_auto_statuses(state: &State, body: &[u8]) -> Result<Value, String> {
    let args = arguments(body, &["auto"])?;
    let Some(name) = args.get("auto").and_then(Value::as_str) else {
        return Err("statuses takes {\"auto\": \"off\" | \"in_order\" | \"shuffled\"}".to_owned());
    };
    let order = StatusOrder::parse(name)?;
    state.change_settings(|s| s.auto_statuses = order);
    Ok(auto_statuses(state))
}

/// The delivery paths: `deliver` (an inbound message, by `kind`), `deliver_raw`,
/// `deliver_event` and `deliver_status`.
fn deliver(state: &State, name: &str, body: &[u8]) -> Reply {
    let args = match parse(body) {
        Ok(Value::Object(args)) => args,
        _ => return errors::reply(errors::BAD_BODY, "the body must be a JSON object"),
    };
    let attempt = match name {
        "deliver" => {
            inbound_args(&args).map(|(from, inbound)| deliver::inbound(state, &from, &inbound))
        }
        "deliver_raw" => raw_args(&args).map(|(topic, body, signature)| {
            deliver::raw(state, &topic, body, signature.as_deref())
        }),
        "deliver_event" => event_args(&args)
            .map(|(topic, event)| deliver::signed(state, &topic, event.into_bytes())),
        _ => status_args(&args)
            .map(|(id, status, place)| deliver::status(state, &id, &status, place)),
    };
    let result = match attempt {
        Ok(result) => result,
        Err(message) => return errors::reply(errors::BAD_BODY, &message),
    };
    match result {
        Ok(delivery) => Reply::json(200, delivery_json(&delivery).to_string()),
        Err(error) => {
            let (status, kind, extra) = match &error {
                MockError::NoWebhook { .. } => (409, "no_webhook", Value::Null),
                MockError::UnknownMessage { .. } => (404, "unknown_message", Value::Null),
                MockError::Rejected { status, body, .. } => (
                    502,
                    "rejected",
                    json!({ "status": status, "body": String::from_utf8_lossy(body) }),
                ),
                MockError::Transport { .. } => (502, "transport", Value::Null),
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

/// `deliver`: `{"kind"?, "from", …}`, the fields of the kind (see the docs of
/// the [crate]).
fn inbound_args(args: &Map<String, Value>) -> Result<(String, Inbound), String> {
    let kind = str_arg(args, "kind")?.unwrap_or("text");
    let from = required(args, "from")?;
    let (fields, inbound): (&[&str], Inbound) = match kind {
        "text" => (&["text"], Inbound::Text(required(args, "text")?)),
        "media" => (
            &["type", "url", "caption"],
            Inbound::Media {
                kind: required(args, "type")?,
                url: required(args, "url")?,
                caption: optional(args, "caption")?,
            },
        ),
        "location" => (
            &["latitude", "longitude", "name", "address"],
            Inbound::Location {
                latitude: number(args, "latitude")?,
                longitude: number(args, "longitude")?,
                name: optional(args, "name")?,
                address: optional(args, "address")?,
            },
        ),
        "button_reply" => button_args(args)?,
        "list_reply" => (
            &["id", "text", "description"],
            Inbound::List {
                id: required(args, "id")?,
                text: required(args, "text")?,
                description: optional(args, "description")?,
            },
        ),
        "quoted_reply" => (
            &["text", "reply_to_id"],
            Inbound::Quoted {
                text: required(args, "text")?,
                reply_to_id: required(args, "reply_to_id")?,
            },
        ),
        "referral" => {
            let Some(referral @ Value::Object(_)) = args.get("referral") else {
                return Err("\"referral\" must be a JSON object".to_owned());
            };
            (
                &["text", "referral"],
                Inbound::Referral {
                    text: required(args, "text")?,
                    referral: referral.to_string(),
                },
            )
        }
        other => {
            return Err(format!(
                "unknown kind {other:?}; use text, media, location, button_reply, \
                 list_reply, quoted_reply or referral"
            ))
        }
    };
    let mut known = vec!["kind", "from"];
    known.extend_from_slice(fields);
    if kind == "button_reply" {
        known.push("shape");
    }
    only(args, &known)?;
    Ok((from, inbound))
}

/// `{"kind": "button_reply", "from", "shape": "flagged" | "with_context" | "with_id", …}`
fn button_args(args: &Map<String, Value>) -> Result<(&'static [&'static str], Inbound), String> {
    let reply = match required(args, "shape")?.as_str() {
        "flagged" => (
            &["text"][..],
            ButtonReply::Flagged {
                text: required(args, "text")?,
            },
        ),
        "with_context" => (
            &["text", "payload", "reply_to_id"][..],
            ButtonReply::WithContext {
                text: required(args, "text")?,
                payload: required(args, "payload")?,
                reply_to_id: required(args, "reply_to_id")?,
            },
        ),
        "with_id" => (
            &["text", "id", "payload"][..],
            ButtonReply::WithId {
                text: required(args, "text")?,
                id: required(args, "id")?,
                payload: required(args, "payload")?,
            },
        ),
        other => {
            return Err(format!(
                "unknown shape {other:?}; use flagged, with_context or with_id"
            ))
        }
    };
    Ok((reply.0, Inbound::Button(reply.1)))
}

/// `deliver_event`: `{"topic", "event": <any JSON>}`; the event is sent compactly.
fn event_args(args: &Map<String, Value>) -> Result<(String, String), String> {
    only(args, &["topic", "event"])?;
    let topic = required(args, "topic")?;
    let event = args
        .get("event")
        .ok_or_else(|| "deliver_event takes {\"topic\": string, \"event\": JSON}".to_owned())?;
    Ok((topic, event.to_string()))
}

/// `deliver_status`: `{"message_id", "status", "campaign_name_place"?: "metadata" |
/// "status_update"}`.
fn status_args(args: &Map<String, Value>) -> Result<(String, String, CampaignNamePlace), String> {
    only(args, &["message_id", "status", "campaign_name_place"])?;
    let place = match str_arg(args, "campaign_name_place")? {
        None | Some("metadata") => CampaignNamePlace::Metadata,
        Some("status_update") => CampaignNamePlace::StatusUpdate,
        Some(other) => {
            return Err(format!(
                "\"campaign_name_place\" must be \"metadata\" or \"status_update\", not {other:?}"
            ))
        }
    };
    Ok((
        required(args, "message_id")?,
        required(args, "status")?,
        place,
    ))
}

fn required(args: &Map<String, Value>, key: &str) -> Result<String, String> {
    str_arg(args, key)?
        .map(str::to_owned)
        .ok_or_else(|| format!("{key:?} is required (a string)"))
}

fn optional(args: &Map<String, Value>, key: &str) -> Result<Option<String>, String> {
    Ok(str_arg(args, key)?.map(str::to_owned))
}

fn number(args: &Map<String, Value>, key: &str) -> Result<f64, String> {
    args.get(key)
        .and_then(Value::as_f64)
        .ok_or_else(|| format!("{key:?} is required (a number)"))
}

type RawArgs = (String, Vec<u8>, Option<String>);

fn raw_args(args: &Map<String, Value>) -> Result<RawArgs, String> {
    only(args, &["topic", "body", "body_base64", "signature"])?;
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
