//! Managing webhook registrations: create (with a type and configuration), list, update,
//! delete, and upsert whichever way the provider answers a second registration of a topic.

use percent_encoding::utf8_percent_encode;
use reqwest::Method;
use serde::Serialize;
use serde_json::Value;

use crate::client::{Call, Client, PATH_SEGMENT};
use crate::error::{Error, ValidationError};
use crate::response::Response;
use crate::validate;

/// A registration for [`Client::create_webhook_with`]: where a topic's events go, and how.
#[derive(Debug, Clone, PartialEq)]
pub struct NewWebhook {
    address: String,
    topic: String,
    kind: Option<String>,
    configuration: Option<Value>,
}

impl NewWebhook {
    /// Deliver `topic`'s events (`messages` or `delivery_status`) to `address` (https).
    pub fn new(address: impl Into<String>, topic: impl Into<String>) -> Self {
        Self {
            address: address.into(),
            topic: topic.into(),
            kind: None,
            configuration: None,
        }
    }

    /// The integration type: `custom` (Connectly's default), `zapier`, `webengage` or
    /// `integromat_make`; passed through as given.
    pub fn webhook_type(mut self, kind: impl Into<String>) -> Self {
        self.kind = Some(kind.into());
        self
    }

    /// The configuration object, such as
    /// `{"echo": false, "channelTypes": ["whatsapp"], "filters": [...]}`.
    pub fn configuration(mut self, configuration: Value) -> Self {
        self.configuration = Some(configuration);
        self
    }

    fn validate(&self) -> Result<(), ValidationError> {
        validate::webhook_address(&self.address)?;
        validate::name("topic", &self.topic)?;
        if let Some(kind) = &self.kind {
            validate::name("webhook type", kind)?;
        }
        configuration(self.configuration.as_ref())
    }
}

/// What [`Client::update_webhook`] changes: the address, the configuration, or both.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WebhookUpdate {
    address: Option<String>,
    configuration: Option<Value>,
}

impl WebhookUpdate {
    /// An update that changes nothing yet (at least one field must be set before sending).
    pub fn new() -> Self {
        Self::default()
    }

    /// The new address.
    pub fn address(mut self, address: impl Into<String>) -> Self {
        self.address = Some(address.into());
        self
    }

    /// The new configuration object.
    pub fn configuration(mut self, configuration: Value) -> Self {
        self.configuration = Some(configuration);
        self
    }

    fn validate(&self) -> Result<(), ValidationError> {
        if self.address.is_none() && self.configuration.is_none() {
            return Err(ValidationError::new(
                "webhook update",
                "changes nothing: give an address, a configuration or both",
            ));
        }
        if let Some(address) = &self.address {
            validate::webhook_address(address)?;
        }
        configuration(self.configuration.as_ref())
    }
}

/// A configuration, when given, is a JSON object.
fn configuration(value: Option<&Value>) -> Result<(), ValidationError> {
    match value {
        Some(value) if !value.is_object() => Err(ValidationError::new(
            "configuration",
            "must be a JSON object",
        )),
        _ => Ok(()),
    }
}

#[derive(Serialize)]
struct CreateBody<'a> {
    topic: &'a str,
    address: &'a str,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    kind: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    configuration: Option<&'a Value>,
}

#[derive(Serialize)]
struct UpdateBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    address: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    configuration: Option<&'a Value>,
}

/// One registration, as `GET /webhooks` lists it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct WebhookInfo {
    /// The registration's id (opaque: ULIDs, UUIDs and `wh_` ids all occur).
    pub id: String,
    /// The topic, `messages` or `delivery_status`, when listed.
    pub topic: Option<String>,
    /// Where events go, when listed.
    pub address: Option<String>,
    /// The configuration object, when listed.
    pub configuration: Option<Value>,
    /// The entry as the API listed it.
    pub raw: Value,
}

impl WebhookInfo {
    /// The registrations in a `GET /webhooks` reply: `entity.webhooks`, skipping entries
    /// without a string `id`; none when the reply lists none.
    pub(crate) fn list_from(body: &Value) -> Vec<WebhookInfo> {
        let entries = body
            .pointer("/entity/webhooks")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        entries
            .iter()
            .filter_map(|entry| {
                Some(WebhookInfo {
                    id: entry.get("id")?.as_str()?.to_owned(),
                    topic: string(entry, "topic"),
                    address: string(entry, "address"),
                    configuration: entry.get("configuration").filter(|c| !c.is_null()).cloned(),
                    raw: entry.clone(),
                })
            })
            .collect()
    }
}

/// `object[key]` when it is a string.
pub(crate) fn string(object: &Value, key: &str) -> Option<String> {
    object.get(key)?.as_str().map(str::to_owned)
}

impl Client {
    /// Registers an address for a topic with a type and configuration (`POST
    /// /create/webhooks`). Retried on 5xx and timeouts too: the provider either replaces the
    /// registration or answers 409, so a repeat never registers twice.
    pub fn create_webhook_with(&self, webhook: &NewWebhook) -> Result<Response, Error> {
        self.run(&self.create_webhook_call(webhook)?)
    }

    /// The checked call [`create_webhook_with`](Client::create_webhook_with) makes.
    pub(crate) fn create_webhook_call(&self, webhook: &NewWebhook) -> Result<Call, Error> {
        webhook.validate()?;
        Ok(Call::safe_to_repeat(self.post(
            "/create/webhooks",
            &CreateBody {
                topic: &webhook.topic,
                address: &webhook.address,
                kind: webhook.kind.as_deref(),
                configuration: webhook.configuration.as_ref(),
            },
        )?))
    }

    /// The business's registrations (`GET /webhooks`); empty when it has none.
    pub fn list_webhooks(&self) -> Result<Vec<WebhookInfo>, Error> {
        let response = self.run(&self.list_webhooks_call()?)?;
        Ok(WebhookInfo::list_from(&response.body))
    }

    /// The call [`list_webhooks`](Client::list_webhooks) makes.
    pub(crate) fn list_webhooks_call(&self) -> Result<Call, Error> {
        Ok(Call::safe_to_repeat(
            self.request(Method::GET, "/webhooks")?,
        ))
    }

    /// Changes a registration's address or configuration (`PUT /update/webhooks/{id}`);
    /// only the fields given change. Unknown ids answer 404 ([`Error::Api`]). Retried like
    /// [`create_webhook`](Client::create_webhook): the same update twice is one update.
    pub fn update_webhook(&self, id: &str, update: &WebhookUpdate) -> Result<Response, Error> {
        self.run(&self.update_webhook_call(id, update)?)
    }

    /// The checked call [`update_webhook`](Client::update_webhook) makes.
    pub(crate) fn update_webhook_call(
        &self,
        id: &str,
        update: &WebhookUpdate,
    ) -> Result<Call, Error> {
        validate::path_segment("webhook id", id)?;
        update.validate()?;
        let mut request = self.request(Method::PUT, &webhook_path("/update/webhooks/", id))?;
        request.body = Some(crate::client::to_json(&UpdateBody {
            address: update.address.as_deref(),
            configuration: update.configuration.as_ref(),
        })?);
        Ok(Call::safe_to_repeat(request))
    }

    /// Removes a registration (`DELETE /delete/webhooks/{id}`). Retried like
    /// [`create_webhook`](Client::create_webhook); a retry after an attempt that did delete
    /// it answers 404.
    pub fn delete_webhook(&self, id: &str) -> Result<Response, Error> {
        self.run(&self.delete_webhook_call(id)?)
    }

    /// The checked call [`delete_webhook`](Client::delete_webhook) makes.
    pub(crate) fn delete_webhook_call(&self, id: &str) -> Result<Call, Error> {
        validate::path_segment("webhook id", id)?;
        Ok(Call::safe_to_repeat(self.request(
            Method::DELETE,
            &webhook_path("/delete/webhooks/", id),
        )?))
    }

    /// Makes `address` the registration for `topic`, whichever way the provider answers a
    /// second registration: a create that replaces it is the answer; a create answered 409
    /// finds the topic's registration with [`list_webhooks`](Client::list_webhooks) and
    /// updates it. When the list has no such topic, the 409 is returned.
    pub fn upsert_webhook(
        &self,
        address: &str,
        topic: &str,
        configuration: Option<Value>,
    ) -> Result<Response, Error> {
        let create = self.upsert_call(address, topic, configuration)?;
        self.block_on(self.upsert(create))
    }

    /// The checked first call of [`upsert_webhook`](Client::upsert_webhook).
    pub(crate) fn upsert_call(
        &self,
        address: &str,
        topic: &str,
        configuration: Option<Value>,
    ) -> Result<Upsert, Error> {
        let mut webhook = NewWebhook::new(address, topic);
        webhook.configuration = configuration;
        Ok(Upsert {
            create: self.create_webhook_call(&webhook)?,
            webhook,
        })
    }

    /// The rest of an upsert, from its create: on 409, the list, then the update.
    pub(crate) async fn upsert(&self, upsert: Upsert) -> Result<Response, Error> {
        let conflict = match self.perform(&upsert.create).await {
            Err(Error::Api(api)) if api.status == 409 => Error::Api(api),
            other => return other,
        };
        let listed = self.perform(&self.list_webhooks_call()?).await?;
        let topic = Some(upsert.webhook.topic.as_str());
        let Some(existing) = WebhookInfo::list_from(&listed.body)
            .into_iter()
            .find(|w| w.topic.as_deref() == topic)
        else {
            return Err(conflict);
        };
        let update = WebhookUpdate {
            address: Some(upsert.webhook.address),
            configuration: upsert.webhook.configuration,
        };
        self.perform(&self.update_webhook_call(&existing.id, &update)?)
            .await
    }
}

/// An upsert checked and built: its create, and what to update on a 409.
#[derive(Debug, Clone)]
pub(crate) struct Upsert {
    create: Call,
    webhook: NewWebhook,
}

/// `prefix` followed by `id` as one percent-encoded path segment.
fn webhook_path(prefix: &str, id: &str) -> String {
    format!("{prefix}{}", utf8_percent_encode(id, PATH_SEGMENT))
}
