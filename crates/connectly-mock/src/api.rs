//! The Connectly API endpoints: routing, the checks every request must pass, and the
//! answers (the body checks are in `checks`).

use std::sync::Arc;

use serde_json::{json, Map, Value};

use super::checks::{self, reject, CampaignEntry, NewMessage, NewWebhook, Reject, WebhookUpdate};
use super::errors;
use super::http::{Reply, Request};
use super::state::{AcceptedMessage, RecordedRequest, State, WebhookRegistration, World};
use super::statuses::{self, StatusOrder};

/// The base every API path starts with, before the business id.
const PREFIX: &str = "/v1/businesses/";

/// What the documented 409 of a second registration of a topic says.
pub(crate) const CONFLICT_MESSAGE: &str =
    "an endpoint is already registered for this topic \u{2014} use update";

#[derive(Debug, Clone, PartialEq, Eq)]
enum Endpoint {
    SendMessage,
    SendTemplate,
    CreateWebhook,
    ListWebhooks,
    UpdateWebhook(String),
    DeleteWebhook(String),
    GetTemplates,
    SendCampaign,
}

impl Endpoint {
    /// The endpoint a path (after the business id) names.
    fn parse(path: &str) -> Option<Endpoint> {
        let id = |rest: &str| {
            let valid = !rest.is_empty() && !rest.contains('/');
            valid.then(|| {
                percent_encoding::percent_decode_str(rest)
                    .decode_utf8_lossy()
                    .into_owned()
            })
        };
        Some(match path {
            "send/messages" => Endpoint::SendMessage,
            "send/whatsapp_templated_messages" => Endpoint::SendTemplate,
            "create/webhooks" => Endpoint::CreateWebhook,
            "webhooks" => Endpoint::ListWebhooks,
            "get/templates" => Endpoint::GetTemplates,
            "send/campaigns" => Endpoint::SendCampaign,
            _ => {
                if let Some(rest) = path.strip_prefix("update/webhooks/") {
                    Endpoint::UpdateWebhook(id(rest)?)
                } else {
                    Endpoint::DeleteWebhook(id(path.strip_prefix("delete/webhooks/")?)?)
                }
            }
        })
    }

    fn method(&self) -> &'static str {
        match self {
            Endpoint::ListWebhooks => "GET",
            Endpoint::UpdateWebhook(_) => "PUT",
            Endpoint::DeleteWebhook(_) => "DELETE",
            _ => "POST",
        }
    }

    /// Whether the endpoint takes no body (an empty one needs no `Content-Type`).
    fn bodiless(&self) -> bool {
        matches!(
            self,
            Endpoint::ListWebhooks | Endpoint::DeleteWebhook(_) | Endpoint::GetTemplates
        )
    }
}

/// What a request that passed the checks does; it is applied under the state's lock.
#[derive(Debug)]
enum Action {
    Send(NewMessage),
    CreateWebhook(NewWebhook),
    ListWebhooks,
    UpdateWebhook(String, WebhookUpdate),
    DeleteWebhook(String),
    GetTemplates,
    SendCampaign(Vec<CampaignEntry>),
}

/// Answers a request to an API path (anything outside `/_mock/`): checks it, records it,
/// plays the next scripted failure, if one is queued, and otherwise applies it.
pub(crate) fn handle(state: &Arc<State>, request: Request) -> Reply {
    let planned = evaluate(state, &request);
    let path = request.path_only().to_owned();
    let recorded = RecordedRequest {
        method: request.method,
        path: request.path,
        headers: request.headers,
        body: request.body,
        received_unix_ms: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
    };
    let (failure, normal) = state.record(recorded, |world, commit| match planned {
        Ok(action) => apply(state, world, action, &path, commit),
        Err(reply) => (reply, None),
    });
    let Some((reply, accepted)) = normal else {
        return Reply::drop_connection();
    };
    if let Some((message, order)) = accepted {
        statuses::enqueue(state, message, order);
    }
    match failure {
        None => reply,
        Some(failure) => failure.apply(reply),
    }
}

/// The checks, in the documented order; a refusal is the error answer.
fn evaluate(state: &State, request: &Request) -> Result<Action, Reply> {
    let not_found = || {
        errors::reply(
            errors::NOT_FOUND,
            &format!("no such endpoint: {}", request.path_only()),
        )
    };
    let rest = request
        .path_only()
        .strip_prefix(PREFIX)
        .ok_or_else(not_found)?;
    let (business, endpoint) = rest.split_once('/').ok_or_else(not_found)?;
    let endpoint = Endpoint::parse(endpoint).ok_or_else(not_found)?;
    let method = endpoint.method();
    if request.method != method {
        let message = format!("method {} is not allowed; use {method}", request.method);
        return Err(errors::reply(errors::METHOD, &message).header("allow", method));
    }
    let refuse = |(kind, message): Reject| errors::reply(kind, &message);
    match request.header("x-api-key") {
        None => {
            return Err(refuse(reject(
                errors::UNAUTHENTICATED,
                "missing X-API-Key header",
            )))
        }
        Some(key) if key != state.config.api_key => {
            return Err(refuse(reject(errors::UNAUTHENTICATED, "invalid API key")))
        }
        Some(_) => {}
    }
    let business = percent_encoding::percent_decode_str(business).decode_utf8_lossy();
    if business != state.config.business_id {
        return Err(refuse((
            errors::BUSINESS_NOT_FOUND,
            format!("business {business:?} not found"),
        )));
    }
    let empty = Map::new();
    let parsed;
    let body = if endpoint.bodiless() && request.body.is_empty() {
        &empty
    } else {
        check_content_type(request.header("content-type")).map_err(refuse)?;
        parsed = serde_json::from_slice::<Value>(&request.body)
            .map_err(|e| refuse((errors::BAD_BODY, format!("the body is not valid JSON: {e}"))))?;
        parsed
            .as_object()
            .ok_or_else(|| refuse(reject(errors::BAD_BODY, "the body must be a JSON object")))?
    };
    let action = match endpoint {
        Endpoint::SendMessage => checks::check_message(body).map(Action::Send),
        Endpoint::SendTemplate => checks::check_template(body).map(Action::Send),
        Endpoint::CreateWebhook => checks::check_webhook(body).map(Action::CreateWebhook),
        Endpoint::UpdateWebhook(id) => {
            checks::check_webhook_update(body).map(|update| Action::UpdateWebhook(id, update))
        }
        Endpoint::SendCampaign => checks::check_campaign(body).map(Action::SendCampaign),
        Endpoint::ListWebhooks => checks::check_no_fields(body).map(|()| Action::ListWebhooks),
        Endpoint::DeleteWebhook(id) => {
            checks::check_no_fields(body).map(|()| Action::DeleteWebhook(id))
        }
        Endpoint::GetTemplates => checks::check_no_fields(body).map(|()| Action::GetTemplates),
    };
    action.map_err(refuse)
}

/// The answer to an accepted request, and the message whose statuses are then to be
/// delivered automatically.
type Applied = (Reply, Option<(AcceptedMessage, StatusOrder)>);

/// Answers a checked request from the state, changing it only when `commit`.
fn apply(state: &State, world: &mut World, action: Action, path: &str, commit: bool) -> Applied {
    let ok = |value: Value| (Reply::json(200, value.to_string()), None);
    let refused = |kind, message: &str| (errors::reply(kind, message), None);
    let unknown = |id: &str| {
        refused(
            errors::WEBHOOK_NOT_FOUND,
            &format!("no webhook has id {id:?}"),
        )
    };
    match action {
        Action::Send(new) => {
            let id = state.message_id();
            let reply = Reply::json(
                200,
                format!(
                    "{{\"id\":{},\"cntTraceId\":\"{}\"}}",
                    Value::from(id.as_str()),
                    errors::trace_id()
                ),
            );
            if !commit {
                return (reply, None);
            }
            let message = AcceptedMessage {
                id,
                path: path.to_owned(),
                recipient: new.recipient,
                channel_type: new.channel_type,
                sender: new.sender,
                callback_data: new.callback_data,
                campaign_name: new.campaign_name,
            };
            let auto = world
                .settings
                .auto_statuses
                .map(|order| (message.clone(), order));
            state.keep_message(world, message);
            (reply, auto)
        }
        Action::CreateWebhook(new) => {
            let existing = world.webhooks.iter().position(|w| w.topic == new.topic);
            if existing.is_some() && world.settings.webhook_conflicts {
                return refused(errors::WEBHOOK_CONFLICT, CONFLICT_MESSAGE);
            }
            let registration = WebhookRegistration {
                id: state.webhook_id(),
                topic: new.topic,
                address: new.address,
                kind: new.kind,
                configuration: new.configuration,
            };
            let answer = json!({
                "id": registration.id,
                "topic": registration.topic,
                "address": registration.address,
            });
            if commit {
                match existing.and_then(|i| world.webhooks.get_mut(i)) {
                    Some(slot) => *slot = registration,
                    None => world.webhooks.push(registration),
                }
            }
            ok(answer)
        }
        Action::ListWebhooks => {
            let webhooks: Vec<Value> = world.webhooks.iter().map(listed).collect();
            ok(json!({"entity": {
                "businessId": state.config.business_id,
                "webhooks": webhooks,
            }}))
        }
        Action::UpdateWebhook(id, update) => {
            let Some(webhook) = world.webhooks.iter_mut().find(|w| w.id == id) else {
                return unknown(&id);
            };
            if update.topic.as_ref().is_some_and(|t| *t != webhook.topic) {
                return refused(
                    errors::WEBHOOK_TOPIC_CHANGE,
                    "the topic of a webhook cannot change; delete it and create another",
                );
            }
            let mut updated = webhook.clone();
            if let Some(address) = update.address {
                updated.address = address;
            }
            if let Some(configuration) = update.configuration {
                updated.configuration = configuration;
            }
            let answer = listed(&updated);
            if commit {
                *webhook = updated;
            }
            ok(answer)
        }
        Action::DeleteWebhook(id) => {
            let Some(index) = world.webhooks.iter().position(|w| w.id == id) else {
                return unknown(&id);
            };
            if commit {
                world.webhooks.remove(index);
            }
            ok(json!({}))
        }
        Action::GetTemplates => ok(json!({"entity": {
            "templateGroups": world.settings.templates,
        }})),
        Action::SendCampaign(entries) => {
            let unpublished = entries
                .iter()
                .find(|e| world.settings.unpublished.contains(&e.campaign));
            if let Some(entry) = unpublished {
                return refused(
                    errors::CAMPAIGN_UNPUBLISHED,
                    &format!(
                        "campaign {:?} is not published; publish it first",
                        entry.campaign
                    ),
                );
            }
            let accepted = entries.iter().filter(|e| e.valid_client).count();
            ok(json!({"data": [{
                "acceptedCount": accepted,
                "rejectedCount": entries.len() - accepted,
                "error": null,
            }]}))
        }
    }
}

/// A webhook as `GET /webhooks` lists it.
fn listed(webhook: &WebhookRegistration) -> Value {
    json!({
        "id": webhook.id,
        "topic": webhook.topic,
        "address": webhook.address,
        "configuration": webhook.configuration,
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types() {
        assert!(check_content_type(Some("application/json")).is_ok());
        assert!(check_content_type(Some("Application/JSON; charset=utf-8")).is_ok());
        assert!(check_content_type(Some("text/plain")).is_err());
        assert!(check_content_type(None).is_err());
    }

    #[test]
    fn routes() {
        assert_eq!(
            Endpoint::parse("update/webhooks/wh%5F1"),
            Some(Endpoint::UpdateWebhook("wh_1".into()))
        );
        assert_eq!(
            Endpoint::parse("delete/webhooks/a%2Fb"),
            Some(Endpoint::DeleteWebhook("a/b".into()))
        );
        for path in [
            "update/webhooks/",
            "update/webhooks",
            "delete/webhooks/a/b",
            "get/template",
        ] {
            assert_eq!(Endpoint::parse(path), None, "{path}");
        }
    }
}
