//! Operations: any call checked and built once, then performed blocking, awaited, or handed
//! to a [`CompletionQueue`](crate::CompletionQueue) (the libcurl easy-handle model).

use serde_json::Value;

use crate::campaign::{CampaignEntry, CampaignResult};
use crate::client::{Call, Client};
use crate::error::Error;
use crate::message::Message;
use crate::recipient::Recipient;
use crate::response::Response;
use crate::template::TemplateMessage;
use crate::template_list::TemplateInfo;
use crate::webhook_admin::{NewWebhook, Upsert, WebhookInfo, WebhookUpdate};

/// A call checked and built, not yet made. Every input was validated when it was built, so
/// performing it can fail only on the way to the server or at the server.
#[derive(Debug)]
pub struct Operation {
    kind: Kind,
}

#[derive(Debug)]
enum Kind {
    /// A call answered with its response.
    Plain(Call),
    /// `GET /webhooks`.
    ListWebhooks(Call),
    /// `POST /get/templates`.
    ListTemplates(Call),
    /// `POST /send/campaigns`.
    Campaign(Call),
    /// Create, and on 409 list and update.
    Upsert(Upsert),
}

/// What a performed [`Operation`] gives back, by the kind of call it was.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Outcome {
    /// A send or a webhook change: the API's reply.
    Response(Response),
    /// The business's webhook registrations.
    Webhooks(Vec<WebhookInfo>),
    /// The business's templates.
    Templates(Vec<TemplateInfo>),
    /// A campaign's reply, with its counts.
    Campaign(CampaignResult),
}

impl Outcome {
    /// The API's reply, for the operations that give one.
    pub fn response(&self) -> Option<&Response> {
        match self {
            Outcome::Response(response) => Some(response),
            Outcome::Campaign(result) => Some(&result.response),
            Outcome::Webhooks(_) | Outcome::Templates(_) => None,
        }
    }
}

impl Client {
    /// [`send_message`](Client::send_message), checked and built.
    pub fn send_message_operation(
        &self,
        to: &Recipient,
        message: &Message,
    ) -> Result<Operation, Error> {
        Ok(Operation::plain(self.send_message_call(to, message)?))
    }

    /// [`send_template_message`](Client::send_template_message), checked and built.
    pub fn send_template_operation(&self, message: &TemplateMessage) -> Result<Operation, Error> {
        Ok(Operation::plain(self.send_template_call(message)?))
    }

    /// [`create_webhook_with`](Client::create_webhook_with), checked and built.
    pub fn create_webhook_operation(&self, webhook: &NewWebhook) -> Result<Operation, Error> {
        Ok(Operation::plain(self.create_webhook_call(webhook)?))
    }

    /// [`update_webhook`](Client::update_webhook), checked and built.
    pub fn update_webhook_operation(
        &self,
        id: &str,
        update: &WebhookUpdate,
    ) -> Result<Operation, Error> {
        Ok(Operation::plain(self.update_webhook_call(id, update)?))
    }

    /// [`delete_webhook`](Client::delete_webhook), checked and built.
    pub fn delete_webhook_operation(&self, id: &str) -> Result<Operation, Error> {
        Ok(Operation::plain(self.delete_webhook_call(id)?))
    }

    /// [`upsert_webhook`](Client::upsert_webhook), checked and built.
    pub fn upsert_webhook_operation(
        &self,
        address: &str,
        topic: &str,
        configuration: Option<Value>,
    ) -> Result<Operation, Error> {
        Ok(Operation {
            kind: Kind::Upsert(self.upsert_call(address, topic, configuration)?),
        })
    }

    /// [`list_webhooks`](Client::list_webhooks), built.
    pub fn list_webhooks_operation(&self) -> Result<Operation, Error> {
        Ok(Operation {
            kind: Kind::ListWebhooks(self.list_webhooks_call()?),
        })
    }

    /// [`list_templates`](Client::list_templates), built.
    pub fn list_templates_operation(&self) -> Result<Operation, Error> {
        Ok(Operation {
            kind: Kind::ListTemplates(self.list_templates_call()?),
        })
    }

    /// [`send_campaign`](Client::send_campaign), checked and built.
    pub fn send_campaign_operation(&self, entries: &[CampaignEntry]) -> Result<Operation, Error> {
        Ok(Operation {
            kind: Kind::Campaign(self.send_campaign_call(entries)?),
        })
    }

    /// Performs an operation, blocking the calling thread until it ends.
    pub fn perform_operation(&self, operation: &Operation) -> Result<Outcome, Error> {
        self.block_on(self.operate(operation))
    }

    /// Performs an operation as a future (on whatever runtime polls it).
    pub(crate) async fn operate(&self, operation: &Operation) -> Result<Outcome, Error> {
        Ok(match &operation.kind {
            Kind::Plain(call) => Outcome::Response(self.perform(call).await?),
            Kind::ListWebhooks(call) => {
                Outcome::Webhooks(WebhookInfo::list_from(&self.perform(call).await?.body))
            }
            Kind::ListTemplates(call) => {
                Outcome::Templates(TemplateInfo::list_from(&self.perform(call).await?.body))
            }
            Kind::Campaign(call) => {
                Outcome::Campaign(CampaignResult::from_response(self.perform(call).await?))
            }
            Kind::Upsert(upsert) => Outcome::Response(self.upsert(upsert.clone()).await?),
        })
    }
}

impl Operation {
    fn plain(call: Call) -> Self {
        Self {
            kind: Kind::Plain(call),
        }
    }
}
