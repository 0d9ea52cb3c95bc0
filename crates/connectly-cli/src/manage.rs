//! `connectly webhooks ...` and `connectly templates list`: managing the business's webhook
//! registrations, and listing its templates.

use std::io::Write;

use clap::{Args, Subcommand};

use super::api::{self, json_flag, WebhookArgs};
use super::{Connection, Outcome};
use connectly::{TemplateInfo, WebhookInfo, WebhookUpdate};

/// `connectly webhooks`.
#[derive(Debug, Subcommand)]
pub(super) enum WebhooksAction {
    /// List the registrations: one line each, id, topic, address and configuration.
    List {
        #[command(flatten)]
        connection: Connection,
        #[command(flatten)]
        output: Output,
    },
    /// Register the address Connectly delivers a topic's events to.
    Create {
        #[command(flatten)]
        connection: Connection,
        #[command(flatten)]
        webhook: WebhookArgs,
    },
    /// Change a registration's address, configuration, or both.
    Update {
        #[command(flatten)]
        connection: Connection,
        /// The registration's id, as `webhooks list` shows it.
        id: String,
        /// The new https address.
        #[arg(long)]
        address: Option<String>,
        /// The new configuration object as JSON.
        #[arg(long, value_name = "JSON")]
        configuration: Option<String>,
    },
    /// Remove a registration.
    Delete {
        #[command(flatten)]
        connection: Connection,
        /// The registration's id, as `webhooks list` shows it.
        id: String,
    },
    /// Make an address the topic's registration: create it, or update the topic's
    /// registration when Connectly answers that one exists (409).
    Upsert {
        #[command(flatten)]
        connection: Connection,
        /// The https address to deliver to.
        #[arg(long)]
        address: String,
        /// The topic: messages or delivery_status.
        #[arg(long, default_value = "messages")]
        topic: String,
        /// The configuration object as JSON.
        #[arg(long, value_name = "JSON")]
        configuration: Option<String>,
    },
}

/// `connectly templates`.
#[derive(Debug, Subcommand)]
pub(super) enum TemplatesAction {
    /// List the templates: one line each, name, language, status, category and the
    /// rejection reason, if any.
    List {
        #[command(flatten)]
        connection: Connection,
        #[command(flatten)]
        output: Output,
    },
}

/// How a listing is printed.
#[derive(Debug, Args)]
pub(super) struct Output {
    /// Print one JSON object per line (the typed fields and `raw`, the entry as the API
    /// listed it) instead of tab-separated columns.
    #[arg(long)]
    json: bool,
}

/// A column of a tab-separated line: `-` when absent, quoted when it holds a tab, a newline
/// or another control character, so each entry stays one line of its columns.
fn column(value: Option<&str>) -> String {
    match value {
        None => "-".to_owned(),
        Some(v) if v.is_empty() || v.chars().any(char::is_control) => format!("{v:?}"),
        Some(v) => v.to_owned(),
    }
}

/// Prints `lines`, or tells standard error there is nothing when there are none.
fn print_lines(lines: impl IntoIterator<Item = String>, none: &str) -> Outcome {
    let mut out = std::io::stdout().lock();
    let mut printed = false;
    for line in lines {
        writeln!(out, "{line}")?;
        printed = true;
    }
    if !printed {
        eprintln!("{none}");
    }
    Ok(())
}

fn webhook_line(webhook: &WebhookInfo, json: bool) -> String {
    if json {
        return serde_json::json!({
            "id": webhook.id,
            "topic": webhook.topic,
            "address": webhook.address,
            "configuration": webhook.configuration,
            "raw": webhook.raw,
        })
        .to_string();
    }
    let mut line = [
        column(Some(&webhook.id)),
        column(webhook.topic.as_deref()),
        column(webhook.address.as_deref()),
    ]
    .join("\t");
    if let Some(configuration) = &webhook.configuration {
        line.push('\t');
        line.push_str(&configuration.to_string());
    }
    line
}

fn template_line(template: &TemplateInfo, json: bool) -> String {
    if json {
        return serde_json::json!({
            "name": template.name,
            "group": template.group,
            "language": template.language,
            "status": template.status,
            "category": template.category,
            "rejection_reason": template.rejection_reason,
            "raw": template.raw,
        })
        .to_string();
    }
    let mut columns = vec![
        column(template.name.as_deref()),
        column(template.language.as_deref()),
        column(template.status.as_deref()),
        column(template.category.as_deref()),
    ];
    if let Some(reason) = &template.rejection_reason {
        columns.push(column(Some(reason)));
    }
    columns.join("\t")
}

/// `connectly webhooks ...`.
pub(super) fn webhooks(action: WebhooksAction) -> Outcome {
    match action {
        WebhooksAction::List { connection, output } => {
            let webhooks = connection.client()?.list_webhooks()?;
            print_lines(
                webhooks.iter().map(|w| webhook_line(w, output.json)),
                "no webhooks are registered",
            )
        }
        WebhooksAction::Create {
            connection,
            webhook,
        } => api::create_webhook(&connection.client()?, &webhook),
        WebhooksAction::Update {
            connection,
            id,
            address,
            configuration,
        } => {
            let client = connection.client()?;
            let mut update = WebhookUpdate::new();
            if let Some(address) = address {
                update = update.address(address);
            }
            if let Some(configuration) = configuration {
                update = update.configuration(json_flag("configuration", &configuration)?);
            }
            api::print(&client.update_webhook(&id, &update)?)
        }
        WebhooksAction::Delete { connection, id } => {
            api::print(&connection.client()?.delete_webhook(&id)?)
        }
        WebhooksAction::Upsert {
            connection,
            address,
            topic,
            configuration,
        } => {
            let client = connection.client()?;
            let configuration = configuration
                .map(|c| json_flag("configuration", &c))
                .transpose()?;
            api::print(&client.upsert_webhook(&address, &topic, configuration)?)
        }
    }
}

/// `connectly templates ...`.
pub(super) fn templates(action: TemplatesAction) -> Outcome {
    match action {
        TemplatesAction::List { connection, output } => {
            let templates = connection.client()?.list_templates()?;
            print_lines(
                templates.iter().map(|t| template_line(t, output.json)),
                "no templates",
            )
        }
    }
}
