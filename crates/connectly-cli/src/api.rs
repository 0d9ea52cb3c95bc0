//! The commands that send one request and print its response: `send-text`,
//! `send-template` and `create-webhook` (also `webhooks create`).

use clap::Args;

use super::{Failed, Outcome};
use connectly::{Client, NewWebhook, Recipient, Response, TemplateMessage};

/// Prints a response as one JSON line: status, attempts, trace id and body.
pub(super) fn print(response: &Response) -> Outcome {
    let shown = serde_json::json!({
        "status": response.status,
        "attempts": response.attempts,
        "trace_id": response.trace_id,
        "body": response.body,
    });
    println!("{shown}");
    Ok(())
}

/// A JSON argument given on the command line, parsed by the core as `field`.
pub(super) fn json_flag(field: &'static str, text: &str) -> Result<serde_json::Value, Failed> {
    Ok(connectly::json_argument(field, text)?)
}

/// `connectly send-text`.
pub(super) fn send_text(client: &Client, channel: &str, to: &str, text: &str) -> Outcome {
    print(&client.send_text(&Recipient::new(channel, to), text)?)
}

/// `connectly send-template`.
#[derive(Debug, Args)]
pub(super) struct TemplateArgs {
    /// The recipient's WhatsApp number, such as +15555555555 (or bsuid:<id>).
    #[arg(long)]
    to: String,
    /// The template's name.
    #[arg(long)]
    template: String,
    /// A template parameter as NAME=VALUE; repeat in order.
    #[arg(long = "param", value_name = "NAME=VALUE", value_parser = super::param)]
    params: Vec<(String, String)>,
    /// The template's language code, such as en or pt_BR.
    #[arg(long)]
    language: Option<String>,
    /// JSON Connectly echoes in the events about this message (at most 1024 bytes).
    #[arg(long, value_name = "JSON")]
    callback_data: Option<String>,
    /// The business number that sends it.
    #[arg(long, value_name = "NUMBER")]
    sender: Option<String>,
    /// The campaign this message counts towards.
    #[arg(long, value_name = "NAME")]
    campaign_name: Option<String>,
}

/// `connectly send-template`.
pub(super) fn send_template(client: &Client, args: &TemplateArgs) -> Outcome {
    let mut message =
        TemplateMessage::new(&args.to, &args.template).params(args.params.iter().cloned());
    if let Some(language) = &args.language {
        message = message.language(language);
    }
    if let Some(data) = &args.callback_data {
        message = message.callback_data(json_flag("callback data", data)?);
    }
    if let Some(sender) = &args.sender {
        message = message.sender(sender);
    }
    if let Some(campaign) = &args.campaign_name {
        message = message.campaign_name(campaign);
    }
    print(&client.send_template_message(&message)?)
}

/// `connectly create-webhook` and `connectly webhooks create`.
#[derive(Debug, Args)]
pub(super) struct WebhookArgs {
    /// The https address to deliver to.
    #[arg(long)]
    address: String,
    /// The topic: messages or delivery_status.
    #[arg(long, default_value = "messages")]
    topic: String,
    /// The integration type: custom (Connectly's default), zapier, webengage,
    /// integromat_make.
    #[arg(long = "type", value_name = "TYPE")]
    webhook_type: Option<String>,
    /// The configuration object as JSON, such as
    /// '{"echo": false, "channelTypes": ["whatsapp"]}'.
    #[arg(long, value_name = "JSON")]
    configuration: Option<String>,
}

/// `connectly create-webhook` and `connectly webhooks create`.
pub(super) fn create_webhook(client: &Client, args: &WebhookArgs) -> Outcome {
    let mut webhook = NewWebhook::new(&args.address, &args.topic);
    if let Some(kind) = &args.webhook_type {
        webhook = webhook.webhook_type(kind);
    }
    if let Some(configuration) = &args.configuration {
        webhook = webhook.configuration(json_flag("configuration", configuration)?);
    }
    print(&client.create_webhook_with(&webhook)?)
}
