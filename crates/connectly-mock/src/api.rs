//! The Connectly API endpoints: routing, the checks a request must pass, and the answers.

use serde_json::{Map, Value};

use super::errors::{self, Kind};
use super::failure::Failure;
use super::http::{Reply, Request};
use super::state::{RecordedRequest, State};

/// The base every API path starts with, before the business id.
const PREFIX: &str = "/v1/businesses/";

/// The webhook topics Connectly accepts.
pub(crate) const TOPICS: [&str; 2] = ["messages", "delivery_status"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Endpoint {
    SendMessage,
    SendTemplate,
    CreateWebhook,
}

/// Why a request is refused: the error kind and a message.
type Reject = (Kind, String);

/// The normal answer to a request, and the webhook it registers if it is applied.
struct Outcome {
    reply: Reply,
    register: Option<(String, String)>,
}

impl From<Reject> for Outcome {
    fn from((kind, message): Reject) -> Outcome {
        Outcome {
            reply: errors::reply(kind, &message),
            register: None,
        }
    }
}

/// Answers a request to an API path (anything outside `/_mock/`): checks it, records it and
/// plays the next scripted failure, if one is queued.
pub(crate) fn handle(state: &State, request: Request) -> Reply {
    let outcome = evaluate(state, &request).unwrap_or_else(Outcome::from);
    let recorded = RecordedRequest {
        method: request.method,
        path: request.path,
        headers: request.headers,
        body: request.body,
    };
    match state.record(recorded, outcome.register) {
        None => outcome.reply,
        Some(Failure::Delay(delay)) => outcome.reply.delayed(delay),
        Some(Failure::Status {
            status,
            body,
            retry_after,
        }) => Failure::status_reply(status, body.as_deref(), retry_after.as_deref()),
        Some(Failure::Drop | Failure::DropBeforeRead) => Reply::drop_connection(),
        Some(other) => other.apply(outcome.reply),
    }
}

fn evaluate(state: &State, request: &Request) -> Result<Outcome, Reject> {
    let not_found = || {
        (
            errors::NOT_FOUND,
            format!("no such endpoint: {}", request.path_only()),
        )
    };
    let rest = request
        .path_only()
        .strip_prefix(PREFIX)
        .ok_or_else(not_found)?;
    let (business, endpoint) = rest.split_once('/').ok_or_else(not_found)?;
    let endpoint = match endpoint {
        "send/messages" => Endpoint::SendMessage,
        "send/whatsapp_templated_messages" => Endpoint::SendTemplate,
        "create/webhooks" => Endpoint::CreateWebhook,
        _ => return Err(not_found()),
    };
    if request.method != "POST" {
        return Ok(Outcome {
            reply: errors::reply(
                errors::METHOD,
                &format!("method {} is not allowed; use POST", request.method),
            )
            .header("allow", "POST"),
            register: None,
        });
    }
    match request.header("x-api-key") {
        None => return Err(reject(errors::UNAUTHENTICATED, "missing X-API-Key header")),
        Some(key) if key != state.config.api_key => {
            return Err(reject(errors::UNAUTHENTICATED, "invalid API key"))
        }
        Some(_) => {}
    }
    let business = percent_encoding::percent_decode_str(business).decode_utf8_lossy();
    if business != state.config.business_id {
        return Err((
            errors::BUSINESS_NOT_FOUND,
            format!("business {business:?} not found"),
        ));
    }
    check_content_type(request.header("content-type"))?;
    let body: Value = serde_json::from_slice(&request.body)
        .map_err(|e| (errors::BAD_BODY, format!("the body is not valid JSON: {e}")))?;
    let body = body
        .as_object()
        .ok_or_else(|| reject(errors::BAD_BODY, "the body must be a JSON object"))?;
    match endpoint {
        Endpoint::SendMessage => {
            check_message(body)?;
            Ok(sent(state))
        }
        Endpoint::SendTemplate => {
            check_template(body)?;
            Ok(sent(state))
        }
        Endpoint::CreateWebhook => {
            let (topic, address) = check_webhook(body)?;
            let answer = serde_json::json!({ "topic": topic, "address": address });
            Ok(Outcome {
                reply: Reply::json(200, answer.to_string()),
                register: Some((topic.to_owned(), address.to_owned())),
            })
        }
    }
}

fn reject(kind: Kind, message: &str) -> Reject {
    (kind, message.to_owned())
}

/// The answer to an accepted send.
fn sent(state: &State) -> Outcome {
    let body = format!(
        "{{\"id\":\"{}\",\"cntTraceId\":\"{}\"}}",
        state.message_id(),
        errors::trace_id()
    );
    Outcome {
        reply: Reply::json(200, body),
        register: None,
    }
}

fn check_content_type(value: Option<&str>) -> Result<(), Reject> {
    let media = value.and_then(|v| v.split(';').next()).map(str::trim);
    match media {
        Some(m) if m.eq_ignore_ascii_case("application/json") => Ok(()),
        Some(m) => Err((
            errors::CONTENT_TYPE,
            format!("Content-Type must be application/json, not {m:?}"),
        )),
        None => Err(reject(
            errors::CONTENT_TYPE,
            "Content-Type must be application/json",
        )),
    }
}

/// `{"recipient":{"channelType":"whatsapp","id":"+15555555555"},"message":{"text":"hello!"}}`
fn check_message(body: &Map<String, Value>) -> Result<(), Reject> {
    exact(body, "the body", &["recipient", "message"])?;
    let recipient = object(body, "recipient", "recipient")?;
    exact(recipient, "recipient", &["channelType", "id"])?;
    let channel = string(recipient, "channelType", "recipient.channelType")?;
    if channel.trim().is_empty() {
        return Err(reject(errors::BAD_BODY, "recipient.channelType is empty"));
    }
    let id = string(recipient, "id", "recipient.id")?;
    check_number(id, "recipient.id")?;
    let message = object(body, "message", "message")?;
    exact(message, "message", &["text"])?;
    let text = string(message, "text", "message.text")?;
    if text.trim().is_empty() {
        return Err(reject(errors::TEXT_EMPTY, "message.text is empty"));
    }
    Ok(())
}

/// `{"parameters":[{"name":"var1","value":"value1"}],"number":"+15555555555","templateName":"welcome"}`
fn check_template(body: &Map<String, Value>) -> Result<(), Reject> {
    exact(body, "the body", &["parameters", "number", "templateName"])?;
    let number = string(body, "number", "number")?;
    check_number(number, "number")?;
    let name = string(body, "templateName", "templateName")?;
    if name.trim().is_empty() {
        return Err(reject(errors::TEMPLATE_NOT_FOUND, "templateName is empty"));
    }
    let bad = |message: String| (errors::TEMPLATE_INPUT, message);
    let parameters = body
        .get("parameters")
        .and_then(Value::as_array)
        .ok_or_else(|| bad("parameters must be a list".to_owned()))?;
    let mut names: Vec<&str> = Vec::with_capacity(parameters.len());
    for (i, parameter) in parameters.iter().enumerate() {
        let what = format!("parameters[{i}]");
        let parameter = parameter
            .as_object()
            .ok_or_else(|| bad(format!("{what} must be an object")))?;
        exact(parameter, &what, &["name", "value"]).map_err(|(_, m)| bad(m))?;
        let name = parameter
            .get("name")
            .and_then(Value::as_str)
            .ok_or_else(|| bad(format!("{what}.name must be a string")))?;
        let value = parameter
            .get("value")
            .and_then(Value::as_str)
            .ok_or_else(|| bad(format!("{what}.value must be a string")))?;
        if name.trim().is_empty() {
            return Err(bad(format!("{what}.name is empty")));
        }
        if value.is_empty() {
            return Err(bad(format!("{what}.value is empty")));
        }
        if names.contains(&name) {
            return Err(bad(format!("parameter {name:?} is given twice")));
        }
        names.push(name);
    }
    Ok(())
}

/// `{"topic":"messages","address":"https://example.com/webhook"}`
fn check_webhook(body: &Map<String, Value>) -> Result<(&str, &str), Reject> {
    exact(body, "the body", &["topic", "address"])?;
    let topic = string(body, "topic", "topic")?;
    if !TOPICS.contains(&topic) {
        return Err((
            errors::WEBHOOK_TOPIC,
            format!("unknown topic {topic:?}; use one of {TOPICS:?}"),
        ));
    }
    let address = string(body, "address", "address")?;
    let valid = url::Url::parse(address)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
    if valid.is_none() {
        return Err(reject(
            errors::WEBHOOK_ADDRESS,
            "address must be an absolute http(s) URL",
        ));
    }
    Ok((topic, address))
}

/// A number starting with `+` must be `+` and 8 to 15 digits; other ids pass, unless empty.
fn check_number(id: &str, what: &str) -> Result<(), Reject> {
    let valid = match id.strip_prefix('+') {
        Some(digits) => {
            (8..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
        }
        None => !id.trim().is_empty(),
    };
    if valid {
        Ok(())
    } else {
        Err((
            errors::PHONE_BAD_FORMAT,
            format!("{what} {id:?} is not a valid phone number (+ and 8 to 15 digits)"),
        ))
    }
}

/// Refuses unknown fields and missing ones.
fn exact(object: &Map<String, Value>, what: &str, fields: &[&str]) -> Result<(), Reject> {
    if let Some(unknown) = object.keys().find(|k| !fields.contains(&k.as_str())) {
        return Err((
            errors::BAD_BODY,
            format!("unknown field {unknown:?} in {what}"),
        ));
    }
    if let Some(missing) = fields.iter().find(|f| !object.contains_key(**f)) {
        return Err((
            errors::BAD_BODY,
            format!("missing field {missing:?} in {what}"),
        ));
    }
    Ok(())
}

fn object<'a>(
    object: &'a Map<String, Value>,
    key: &str,
    what: &str,
) -> Result<&'a Map<String, Value>, Reject> {
    object
        .get(key)
        .and_then(Value::as_object)
        .ok_or_else(|| (errors::BAD_BODY, format!("{what} must be an object")))
}

fn string<'a>(object: &'a Map<String, Value>, key: &str, what: &str) -> Result<&'a str, Reject> {
    object
        .get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| (errors::BAD_BODY, format!("{what} must be a string")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn code(result: Result<(), Reject>) -> &'static str {
        result.err().map_or("OK", |(kind, _)| kind.code)
    }

    fn map(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap()
    }

    #[test]
    fn message_shapes() {
        let ok = json!({"recipient":{"channelType":"whatsapp","id":"+15555555555"},"message":{"text":"hi"}});
        assert_eq!(code(check_message(&map(ok))), "OK");
        let user_id =
            json!({"recipient":{"channelType":"sms","id":"user-1"},"message":{"text":"hi"}});
        assert_eq!(code(check_message(&map(user_id))), "OK");
        let cases = [
            (
                json!({"recipient":{"channelType":"whatsapp","id":"+1555"},"message":{"text":"hi"}}),
                "ERROR_CODE_PHONE_NUMBER_BAD_FORMAT",
            ),
            (
                json!({"recipient":{"channelType":"whatsapp","id":"+1555555555x"},"message":{"text":"hi"}}),
                "ERROR_CODE_PHONE_NUMBER_BAD_FORMAT",
            ),
            (
                json!({"recipient":{"channelType":"whatsapp","id":"+15555555555"},"message":{"text":" "}}),
                "ERROR_CODE_MESSAGE_TEXT_EMPTY",
            ),
            (
                json!({"recipient":{"channelType":"whatsapp","id":"+15555555555"},"message":{"text":1}}),
                "ERROR_CODE_INVALID_REQUEST_BODY",
            ),
            (
                json!({"recipient":{"channelType":"whatsapp","id":"+15555555555"}}),
                "ERROR_CODE_INVALID_REQUEST_BODY",
            ),
            (
                json!({"recipient":{"channelType":"whatsapp","id":"+15555555555","x":1},"message":{"text":"a"}}),
                "ERROR_CODE_INVALID_REQUEST_BODY",
            ),
            (
                json!({"recipient":"+15555555555","message":{"text":"a"}}),
                "ERROR_CODE_INVALID_REQUEST_BODY",
            ),
        ];
        for (body, expected) in cases {
            assert_eq!(code(check_message(&map(body.clone()))), expected, "{body}");
        }
    }

    #[test]
    fn template_and_webhook_shapes() {
        let ok = json!({"parameters":[{"name":"a","value":"1"}],"number":"+15555555555","templateName":"t"});
        assert_eq!(code(check_template(&map(ok))), "OK");
        let cases = [
            (
                json!({"parameters":[{"name":"a","value":"1"},{"name":"a","value":"2"}],"number":"+15555555555","templateName":"t"}),
                "ERROR_CODE_MESSAGE_TEMPLATE_INPUT_INVALID",
            ),
            (
                json!({"parameters":{"a":"1"},"number":"+15555555555","templateName":"t"}),
                "ERROR_CODE_MESSAGE_TEMPLATE_INPUT_INVALID",
            ),
            (
                json!({"parameters":[{"name":"a"}],"number":"+15555555555","templateName":"t"}),
                "ERROR_CODE_MESSAGE_TEMPLATE_INPUT_INVALID",
            ),
            (
                json!({"parameters":[],"number":"+1","templateName":"t"}),
                "ERROR_CODE_PHONE_NUMBER_BAD_FORMAT",
            ),
            (
                json!({"parameters":[],"number":"+15555555555","templateName":""}),
                "ERROR_CODE_MESSAGE_TEMPLATE_NOT_FOUND",
            ),
            (
                json!({"number":"+15555555555","templateName":"t"}),
                "ERROR_CODE_INVALID_REQUEST_BODY",
            ),
        ];
        for (body, expected) in cases {
            assert_eq!(code(check_template(&map(body.clone()))), expected, "{body}");
        }
        let webhook = |v: Value| code(check_webhook(&map(v)).map(|_| ()));
        assert_eq!(
            webhook(json!({"topic":"messages","address":"https://e.com/h"})),
            "OK"
        );
        assert_eq!(
            webhook(json!({"topic":"nope","address":"https://e.com/h"})),
            "ERROR_CODE_WEBHOOK_TOPIC_INVALID"
        );
        assert_eq!(
            webhook(json!({"topic":"messages","address":"/relative"})),
            "ERROR_CODE_WEBHOOK_ADDRESS_INVALID"
        );
    }

    #[test]
    fn content_types() {
        assert!(check_content_type(Some("application/json")).is_ok());
        assert!(check_content_type(Some("Application/JSON; charset=utf-8")).is_ok());
        assert!(check_content_type(Some("text/plain")).is_err());
        assert!(check_content_type(None).is_err());
    }
}
