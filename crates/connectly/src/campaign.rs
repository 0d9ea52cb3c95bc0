//! Sending a published campaign to its recipients (`POST /send/campaigns`).

use serde::Serialize;
use serde_json::Value;

use crate::client::{Call, Client};
use crate::error::{Error, ValidationError};
use crate::response::Response;
use crate::validate;

/// One recipient of a campaign, with the campaign's variables for them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CampaignEntry {
    client: String,
    campaign_name: String,
    /// The variables in order; values are checked to be strings when sent.
    variables: Vec<(String, Value)>,
    /// Set when [`CampaignEntry::variables`] was given something other than an object.
    variables_not_object: bool,
    version: Option<String>,
    sender: Option<String>,
    scheduled_at: Option<String>,
}

impl CampaignEntry {
    /// Sends campaign `campaign_name` (published in Connectly's UI) to `client`.
    pub fn new(client: impl Into<String>, campaign_name: impl Into<String>) -> Self {
        Self {
            client: client.into(),
            campaign_name: campaign_name.into(),
            variables: Vec::new(),
            variables_not_object: false,
            version: None,
            sender: None,
            scheduled_at: None,
        }
    }

    /// Sets one of the campaign's variables for this recipient.
    pub fn variable(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.variables
            .push((name.into(), Value::String(value.into())));
        self
    }

    /// Sets the variables from a JSON object of strings, as bindings receive them (a
    /// dictionary, a map); anything else is refused when sent (field `variables`).
    pub fn variables(mut self, variables: Value) -> Self {
        match variables {
            Value::Object(map) => self.variables.extend(map),
            _ => self.variables_not_object = true,
        }
        self
    }

    /// The campaign version (`campaignVersion`).
    pub fn version(mut self, version: impl Into<String>) -> Self {
        self.version = Some(version.into());
        self
    }

    /// The business number that sends it.
    pub fn sender(mut self, sender: impl Into<String>) -> Self {
        self.sender = Some(sender.into());
        self
    }

    /// When to send it, ISO 8601 (`scheduledAt`; alpha in the provider's API).
    pub fn scheduled_at(mut self, at: impl Into<String>) -> Self {
        self.scheduled_at = Some(at.into());
        self
    }

    fn validate(&self) -> Result<(), ValidationError> {
        validate::recipient_id("client", &self.client)?;
        validate::name("campaign name", &self.campaign_name)?;
        if self.variables_not_object {
            return Err(ValidationError::new(
                "variables",
                "must be an object of strings",
            ));
        }
        let mut seen = std::collections::HashSet::new();
        for (name, value) in &self.variables {
            validate::name("variables", name)?;
            if !value.is_string() {
                return Err(ValidationError::new(
                    "variables",
                    format!("'{name}' is not a string"),
                ));
            }
            if !seen.insert(name.as_str()) {
                return Err(ValidationError::new(
                    "variables",
                    format!("'{name}' appears more than once"),
                ));
            }
        }
        if let Some(version) = &self.version {
            validate::name("campaign version", version)?;
        }
        if let Some(sender) = &self.sender {
            validate::recipient_id("sender", sender)?;
        }
        if let Some(at) = &self.scheduled_at {
            validate::name("scheduled at", at)?;
        }
        Ok(())
    }
}

#[derive(Serialize)]
struct CampaignBody<'a> {
    entries: Vec<EntryBody<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct EntryBody<'a> {
    client: &'a str,
    campaign_name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    campaign_version: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    variables: Option<serde_json::Map<String, Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sender: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scheduled_at: Option<&'a str>,
}

/// What [`Client::send_campaign`] got back. The provider does not document the body; the
/// counts are read from `data[0]` where real clients find them, when present.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct CampaignResult {
    /// `data[0].acceptedCount`, when the reply carries it.
    pub accepted: Option<u64>,
    /// `data[0].rejectedCount`, when the reply carries it.
    pub rejected: Option<u64>,
    /// `data[0].error`, when the reply carries one that is not null.
    pub error: Option<Value>,
    /// The whole reply: status, raw JSON body, attempts, trace id.
    pub response: Response,
}

impl CampaignResult {
    pub(crate) fn from_response(response: Response) -> Self {
        let first = response.body.pointer("/data/0");
        let count = |key: &str| first.and_then(|f| f.get(key)).and_then(Value::as_u64);
        Self {
            accepted: count("acceptedCount"),
            rejected: count("rejectedCount"),
            error: first
                .and_then(|f| f.get("error"))
                .filter(|e| !e.is_null())
                .cloned(),
            response,
        }
    }
}

impl Client {
    /// Sends a campaign to each entry (`POST /send/campaigns`). The campaign must be
    /// published (else 409, [`Error::Api`]). Retried like a send: only when the request
    /// provably did not reach the server, or on 429.
    pub fn send_campaign(&self, entries: &[CampaignEntry]) -> Result<CampaignResult, Error> {
        self.run(&self.send_campaign_call(entries)?)
            .map(CampaignResult::from_response)
    }

    /// The checked call [`send_campaign`](Client::send_campaign) makes.
    pub(crate) fn send_campaign_call(&self, entries: &[CampaignEntry]) -> Result<Call, Error> {
        if entries.is_empty() {
            return Err(ValidationError::new("campaign entries", "is empty").into());
        }
        for entry in entries {
            entry.validate()?;
        }
        let body = CampaignBody {
            entries: entries
                .iter()
                .map(|e| EntryBody {
                    client: &e.client,
                    campaign_name: &e.campaign_name,
                    campaign_version: e.version.as_deref(),
                    variables: (!e.variables.is_empty()).then(|| {
                        e.variables
                            .iter()
                            .map(|(n, v)| (n.clone(), v.clone()))
                            .collect()
                    }),
                    sender: e.sender.as_deref(),
                    scheduled_at: e.scheduled_at.as_deref(),
                })
                .collect(),
        };
        Ok(Call::unsafe_to_repeat(self.post("/send/campaigns", &body)?))
    }
}
