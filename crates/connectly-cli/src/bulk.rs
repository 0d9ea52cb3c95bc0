//! `connectly bulk`: send every message in a CSV or JSON-lines file, with a progress bar.
//!
//! JSON lines: one object per line with `to` and exactly one of
//! - `text`: a text message (`channel` optional, default `whatsapp`);
//! - `message`: a session message of any kind, in the API's `message` shape (as
//!   `send-message --json` reads it);
//! - `template`: a template, with `params` (an object, or an array of `[name, value]` pairs
//!   to keep any order) and optionally `language`, `callback_data` (any JSON) and
//!   `campaign_name`.
//!
//! Session messages may also have `recipient_name`; both kinds `sender`.
//!
//! CSV: a header row naming `to` and either `text` or `template`, with each further
//! `param.NAME` column a template parameter, in column order; optional columns `channel`,
//! `recipient_name`, `sender`, `language`, `callback_data` (JSON text) and `campaign_name`.
//! An empty optional cell is no value.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use clap::{Args, ValueEnum};
use serde_json::Value;

use super::input::{shape, Object};
use super::message::message_parts;
use super::{Exit, Failed, Outcome};
use connectly::{BulkOptions, Client, Message, Outgoing, Progress, Recipient, TemplateMessage};

/// `connectly bulk`.
#[derive(Debug, Args)]
pub(super) struct BulkArgs {
    /// The messages: a .csv file or a JSON-lines file (.jsonl, .ndjson).
    file: PathBuf,
    /// The file's format; by default taken from its extension.
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Messages in flight at once (1 to 64).
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
    /// Start at most this many messages per second (Connectly allows 200; at least 0.01).
    #[arg(long, value_name = "PER_SECOND")]
    rate: Option<f64>,
    /// Show the progress bar even when standard error is not a terminal.
    #[arg(long)]
    progress: bool,
    /// Record each message's outcome in this file; run again with the same file and
    /// messages to send only what never left (messages that may have reached the server
    /// are listed, not resent).
    #[arg(long, value_name = "PATH")]
    journal: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Csv,
    Jsonl,
}

fn invalid(line: usize, reason: impl std::fmt::Display) -> Failed {
    Failed::new(Exit::Invalid, format!("line {line}: {reason}"))
}

/// What a session message is made of: a text, or the API's `message` object.
enum Content {
    Text(String),
    Message(Message),
}

/// One row of the file, whatever its format.
#[derive(Default)]
struct Row {
    to: Option<String>,
    channel: Option<String>,
    recipient_name: Option<String>,
    sender: Option<String>,
    text: Option<String>,
    message: Option<Message>,
    template: Option<String>,
    params: Vec<(String, String)>,
    language: Option<String>,
    callback_data: Option<Value>,
    campaign_name: Option<String>,
}

impl Row {
    /// The message the row describes.
    fn outgoing(mut self, line: usize) -> Result<Outgoing, Failed> {
        let to = self
            .to
            .take()
            .ok_or_else(|| invalid(line, "`to` is missing"))?;
        let content = match (self.text.take(), self.message.take(), &self.template) {
            (Some(text), None, None) => Some(Content::Text(text)),
            (None, Some(message), None) => Some(Content::Message(message)),
            (None, None, Some(_)) => None,
            _ => {
                return Err(invalid(
                    line,
                    "give exactly one of `text`, `message` and `template`",
                ))
            }
        };
        let Some(content) = content else {
            return self.template_row(to, line);
        };
        for (name, given) in [
            ("language", self.language.is_some()),
            ("callback_data", self.callback_data.is_some()),
            ("campaign_name", self.campaign_name.is_some()),
        ] {
            if given {
                return Err(invalid(line, format!("`{name}` goes with `template` only")));
            }
        }
        let mut recipient = Recipient::new(self.channel.as_deref().unwrap_or("whatsapp"), to);
        if let Some(name) = self.recipient_name {
            recipient = recipient.with_name(name);
        }
        let mut message = match content {
            Content::Text(text) => Message::text(text),
            Content::Message(message) => message,
        };
        if let Some(sender) = self.sender {
            message = message.sender(sender);
        }
        Ok(Outgoing::message(recipient, message))
    }

    fn template_row(self, to: String, line: usize) -> Result<Outgoing, Failed> {
        for (name, given) in [
            ("channel", self.channel.is_some()),
            ("recipient_name", self.recipient_name.is_some()),
        ] {
            if given {
                return Err(invalid(
                    line,
                    format!("`{name}` does not go with `template`"),
                ));
            }
        }
        let name = self.template.unwrap_or_default();
        let mut template = TemplateMessage::new(to, name).params(self.params);
        if let Some(language) = self.language {
            template = template.language(language);
        }
        if let Some(sender) = self.sender {
            template = template.sender(sender);
        }
        if let Some(data) = self.callback_data {
            template = template.callback_data(data);
        }
        if let Some(campaign) = self.campaign_name {
            template = template.campaign_name(campaign);
        }
        Ok(Outgoing::Template(template))
    }
}

fn read_jsonl(path: &Path) -> Result<Vec<Outgoing>, Failed> {
    let contents = std::fs::read_to_string(path).map_err(|e| {
        Failed::new(
            Exit::Failure,
            format!("cannot read {}: {e}", path.display()),
        )
    })?;
    let mut messages = Vec::new();
    for (index, raw) in contents.lines().enumerate() {
        let line = index + 1;
        if raw.trim().is_empty() {
            continue;
        }
        let source = format!("line {line}");
        let value: Value =
            serde_json::from_str(raw).map_err(|_| shape(&source, "", "not a JSON object"))?;
        let row = Object::new(&value, &source, String::new())?;
        let message = row
            .get(&["message"])?
            .map(|(key, value)| {
                let parts = message_parts(value, &source, key.to_owned())?;
                Message::from_parts(parts).map_err(|e| Failed::from(e).context(&source))
            })
            .transpose()?;
        messages.push(
            Row {
                to: row.string(&["to"])?,
                channel: row.string(&["channel"])?,
                recipient_name: row.string(&["recipient_name"])?,
                sender: row.string(&["sender"])?,
                text: row.string(&["text"])?,
                message,
                template: row.string(&["template"])?,
                params: row.pairs(&["params"])?,
                language: row.string(&["language"])?,
                callback_data: row.get(&["callback_data"])?.map(|(_, v)| v.clone()),
                campaign_name: row.string(&["campaign_name"])?,
            }
            .outgoing(line)?,
        );
    }
    Ok(messages)
}

fn read_csv(path: &Path) -> Result<Vec<Outgoing>, Failed> {
    let mut reader = csv::Reader::from_path(path).map_err(|e| {
        Failed::new(
            Exit::Failure,
            format!("cannot read {}: {e}", path.display()),
        )
    })?;
    let headers = reader
        .headers()
        .map_err(|e| invalid(1, format!("bad header row: {e}")))?
        .clone();
    let column = |name: &str| headers.iter().position(|h| h.trim() == name);
    let [to, text, channel, template, recipient_name, sender, language, callback_data, campaign_name] =
        [
            "to",
            "text",
            "channel",
            "template",
            "recipient_name",
            "sender",
            "language",
            "callback_data",
            "campaign_name",
        ]
        .map(column);
    let params: Vec<(usize, String)> = headers
        .iter()
        .enumerate()
        .filter_map(|(i, h)| Some((i, h.trim().strip_prefix("param.")?.to_owned())))
        .collect();
    let mut messages = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let line = index + 2;
        let record = record.map_err(|e| invalid(line, e))?;
        let cell = |i: Option<usize>| i.and_then(|i| record.get(i)).map(str::to_owned);
        // An empty optional cell is no value; `to`, `text` and `template` keep theirs.
        let optional = |i: Option<usize>| cell(i).filter(|v| !v.is_empty());
        let callback_data = optional(callback_data)
            .map(|data| connectly::json_argument("callback data", &data))
            .transpose()
            .map_err(|e| invalid(line, e))?;
        messages.push(
            Row {
                to: cell(to),
                channel: optional(channel),
                recipient_name: optional(recipient_name),
                sender: optional(sender),
                text: cell(text),
                message: None,
                template: cell(template),
                params: params
                    .iter()
                    .map(|(i, name)| (name.clone(), record.get(*i).unwrap_or("").to_owned()))
                    .collect(),
                language: optional(language),
                callback_data,
                campaign_name: optional(campaign_name),
            }
            .outgoing(line)?,
        );
    }
    Ok(messages)
}

/// Draws a one-line progress bar on standard error.
fn draw(progress: Progress, started: Instant) {
    const WIDTH: usize = 30;
    let filled = (progress.done * WIDTH)
        .checked_div(progress.total)
        .unwrap_or(WIDTH);
    let rate = progress.done as f64 / started.elapsed().as_secs_f64().max(1e-9);
    let mut err = std::io::stderr().lock();
    let _ = write!(
        err,
        "\r[{}{}] {}/{} ({} failed) {rate:.0}/s ",
        "#".repeat(filled),
        "-".repeat(WIDTH - filled),
        progress.done,
        progress.total,
        progress.failed,
    );
    let _ = err.flush();
}

pub(super) fn bulk(client: &Client, args: &BulkArgs) -> Outcome {
    // A bad rate would fail every message: refuse it before reading the file.
    if let Some(rate) = args.rate {
        connectly::BulkOptions::check_rate_limit(rate)?;
    }
    let format =
        args.format
            .unwrap_or_else(|| match args.file.extension().and_then(|e| e.to_str()) {
                Some(ext) if ext.eq_ignore_ascii_case("csv") => Format::Csv,
                _ => Format::Jsonl,
            });
    let messages = match format {
        Format::Csv => read_csv(&args.file)?,
        Format::Jsonl => read_jsonl(&args.file)?,
    };
    let mut options = BulkOptions::new().concurrency(args.concurrency);
    if let Some(rate) = args.rate {
        options = options.rate_limit(rate);
    }
    if let Some(journal) = &args.journal {
        options = options.journal(journal);
    }
    let started = Instant::now();
    if args.progress || std::io::stderr().is_terminal() {
        // Redraw at most ~20 times a second, and always on the last message.
        let last_draw = Mutex::new(started);
        options = options.on_progress(move |p| {
            let mut last = last_draw.lock().unwrap_or_else(|e| e.into_inner());
            if p.done == p.total || last.elapsed().as_millis() >= 50 {
                *last = Instant::now();
                draw(p, started);
            }
        });
    }
    let results = client.send_many(&messages, &options);
    let elapsed = started.elapsed();
    let total = results.len();
    let mut out = std::io::stdout().lock();
    let mut failed = 0;
    let mut earlier = 0;
    let mut unsure = Vec::new();
    let mut first_failure = None;
    for (index, result) in results.into_iter().enumerate() {
        let shown = match result {
            Ok(r) => {
                // Attempts 0: read back from the journal, sent by an earlier run.
                earlier += usize::from(r.attempts == 0);
                serde_json::json!({
                    "index": index, "status": r.status, "attempts": r.attempts,
                    "trace_id": r.trace_id, "body": r.body, "earlier_run": r.attempts == 0,
                })
            }
            Err(e) => {
                failed += 1;
                if e.possibly_sent() {
                    unsure.push(index);
                }
                let shown = serde_json::json!({
                    "index": index,
                    "error": {"kind": e.kind_name(), "message": e.to_string(), "status": e.status(),
                              "possibly_sent": e.possibly_sent()},
                });
                first_failure.get_or_insert(e);
                shown
            }
        };
        writeln!(out, "{shown}")?;
    }
    eprintln!(
        "\nsent {} of {total} message(s) ({earlier} by an earlier run), {failed} failed, in {:.2} s",
        total - failed,
        elapsed.as_secs_f64()
    );
    if !unsure.is_empty() {
        let listed: Vec<String> = unsure.iter().map(ToString::to_string).collect();
        eprintln!(
            "{} message(s) may have reached the server and were not sent again; check them: \
             index {}",
            unsure.len(),
            listed.join(", ")
        );
    }
    match first_failure {
        None => Ok(()),
        Some(err) => {
            let mut failure = Failed::from(err);
            failure.message = format!(
                "{failed} of {total} messages failed; the first: {}",
                failure.message
            );
            Err(failure)
        }
    }
}
