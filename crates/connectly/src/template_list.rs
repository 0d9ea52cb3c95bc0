//! Listing the business's WhatsApp templates (`POST /get/templates`), one entry per
//! template and language.

use reqwest::Method;
use serde_json::Value;

use crate::client::{Call, Client};
use crate::error::Error;
use crate::webhook_admin::string;

/// One template in one language, as `POST /get/templates` lists it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct TemplateInfo {
    /// The template's name (its group's `name`), what [`Client::send_template`] takes.
    pub name: Option<String>,
    /// The group's id.
    pub group: Option<String>,
    /// The language code, such as `en` (`language.code`, or `language` when a string).
    pub language: Option<String>,
    /// The review status, such as `MESSAGE_TEMPLATE_STATUS_APPROVED`, as the API wrote it.
    pub status: Option<String>,
    /// The group's category, as the API wrote it.
    pub category: Option<String>,
    /// Why it was rejected: `rejectionReason`, or the older
    /// `externalTemplate.whatsapp.rejectedReason`.
    pub rejection_reason: Option<String>,
    /// The template entry as the API listed it.
    pub raw: Value,
}

impl TemplateInfo {
    /// The templates in a reply: every `entity.templateGroups[].templates[]`.
    pub(crate) fn list_from(body: &Value) -> Vec<TemplateInfo> {
        let groups = body
            .pointer("/entity/templateGroups")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let mut templates = Vec::new();
        for group in groups {
            let entries = group
                .get("templates")
                .and_then(Value::as_array)
                .map(Vec::as_slice)
                .unwrap_or_default();
            for entry in entries {
                let language = entry.get("language").and_then(|l| match l {
                    Value::String(code) => Some(code.clone()),
                    other => string(other, "code"),
                });
                let rejection_reason = string(entry, "rejectionReason").or_else(|| {
                    entry
                        .pointer("/externalTemplate/whatsapp/rejectedReason")
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                });
                templates.push(TemplateInfo {
                    name: string(group, "name"),
                    group: string(group, "id"),
                    language,
                    status: string(entry, "status"),
                    category: string(group, "category"),
                    rejection_reason,
                    raw: entry.clone(),
                });
            }
        }
        templates
    }
}

impl Client {
    /// The business's templates, one entry per template and language (`POST /get/templates`,
    /// sent without a body). Safe to repeat, so retried like
    /// [`create_webhook`](Client::create_webhook).
    pub fn list_templates(&self) -> Result<Vec<TemplateInfo>, Error> {
        let response = self.run(&self.list_templates_call()?)?;
        Ok(TemplateInfo::list_from(&response.body))
    }

    /// The call [`list_templates`](Client::list_templates) makes.
    pub(crate) fn list_templates_call(&self) -> Result<Call, Error> {
        Ok(Call::safe_to_repeat(
            self.request(Method::POST, "/get/templates")?,
        ))
    }
}
