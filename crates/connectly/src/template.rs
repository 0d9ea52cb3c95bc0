//! WhatsApp template messages (`POST /send/whatsapp_templated_messages`) with every field.

use serde::Serialize;
use serde_json::Value;

use crate::error::ValidationError;
use crate::validate;

/// The most bytes `callbackData` may take, serialised as compact JSON.
pub const MAX_CALLBACK_DATA_BYTES: usize = 1024;

/// A WhatsApp template message: the recipient's number, the template's name, its
/// parameters in order, and the optional language, sender, callback data and campaign.
///
/// ```
/// use connectly::TemplateMessage;
///
/// let order = TemplateMessage::new("+15555555555", "order_update")
///     .language("en_US")
///     .param("body_1", "Ada")
///     .callback_data(serde_json::json!({"orderId": 42}));
/// # let _ = order;
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateMessage {
    number: String,
    template_name: String,
    params: Vec<(String, String)>,
    language: Option<String>,
    sender: Option<String>,
    callback_data: Option<Value>,
    campaign_name: Option<String>,
}

impl TemplateMessage {
    /// A template for `number` (E.164, or `bsuid:<id>` for a customer known only by a BSUID).
    pub fn new(number: impl Into<String>, template_name: impl Into<String>) -> Self {
        Self {
            number: number.into(),
            template_name: template_name.into(),
            params: Vec::new(),
            language: None,
            sender: None,
            callback_data: None,
            campaign_name: None,
        }
    }

    /// Adds a parameter; they are sent in the order added.
    pub fn param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.params.push((name.into(), value.into()));
        self
    }

    /// Adds parameters, in order.
    pub fn params<N: Into<String>, V: Into<String>>(
        mut self,
        params: impl IntoIterator<Item = (N, V)>,
    ) -> Self {
        self.params
            .extend(params.into_iter().map(|(n, v)| (n.into(), v.into())));
        self
    }

    /// The template's language code, such as `en` or `pt_BR`.
    pub fn language(mut self, language: impl Into<String>) -> Self {
        self.language = Some(language.into());
        self
    }

    /// The business number that sends it (a string on this endpoint).
    pub fn sender(mut self, sender: impl Into<String>) -> Self {
        self.sender = Some(sender.into());
        self
    }

    /// Any JSON, at most [`MAX_CALLBACK_DATA_BYTES`] serialised; Connectly echoes it in the
    /// webhook events about this message (delivery statuses, replies).
    pub fn callback_data(mut self, data: Value) -> Self {
        self.callback_data = Some(data);
        self
    }

    /// The campaign this message counts towards.
    pub fn campaign_name(mut self, name: impl Into<String>) -> Self {
        self.campaign_name = Some(name.into());
        self
    }

    /// The recipient's number.
    pub fn number(&self) -> &str {
        &self.number
    }

    /// The template's name.
    pub fn template_name(&self) -> &str {
        &self.template_name
    }

    /// Checks everything before any byte is sent.
    pub(crate) fn validate(&self) -> Result<(), ValidationError> {
        validate::recipient_id("number", &self.number)?;
        validate::name("template name", &self.template_name)?;
        validate::template_params(self.params.iter().map(|(n, _)| n.as_str()))?;
        if let Some(language) = &self.language {
            validate::name("language", language)?;
        }
        if let Some(sender) = &self.sender {
            validate::recipient_id("sender", sender)?;
        }
        if let Some(data) = &self.callback_data {
            validate::callback_data(data)?;
        }
        if let Some(campaign) = &self.campaign_name {
            validate::name("campaign name", campaign)?;
        }
        Ok(())
    }

    /// The request body, already validated.
    pub(crate) fn body(&self) -> TemplateRequest<'_> {
        TemplateRequest {
            number: &self.number,
            template_name: &self.template_name,
            parameters: self
                .params
                .iter()
                .map(|(name, value)| ParamBody { name, value })
                .collect(),
            language: self.language.as_deref(),
            sender: self.sender.as_deref(),
            callback_data: self.callback_data.as_ref(),
            campaign_name: self.campaign_name.as_deref(),
        }
    }
}

/// The body of `POST /send/whatsapp_templated_messages`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TemplateRequest<'a> {
    // The getting-started page's order, which earlier releases sent.
    parameters: Vec<ParamBody<'a>>,
    number: &'a str,
    template_name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    language: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sender: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    callback_data: Option<&'a Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    campaign_name: Option<&'a str>,
}

#[derive(Serialize)]
struct ParamBody<'a> {
    name: &'a str,
    value: &'a str,
}
