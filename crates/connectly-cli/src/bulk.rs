//! `connectly bulk`: send every message in a CSV or JSON-lines file, with a progress bar.
//!
//! JSON lines: one object per line, either a text `{"to": "+1...", "text": "...",
//! "channel": "whatsapp"}` (`channel` optional) or a template `{"to": "+1...", "template":
//! "name", "params": {"var1": "value1"}}` (`params` optional; an array of `[name, value]`
//! pairs keeps any order). CSV: a header row naming `to` and either `text` (and optionally
//! `channel`) or `template`, with each further `param.NAME` column a template parameter, in
//! column order.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use clap::{Args, ValueEnum};
use serde_json::Value;

use super::{Exit, Failed, Outcome};
use connectly::{BulkOptions, Client, Outgoing, Progress, Recipient};

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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Csv,
    Jsonl,
}

fn invalid(line: usize, reason: impl std::fmt::Display) -> Failed {
    Failed::new(Exit::Invalid, format!("line {line}: {reason}"))
}

fn str_field<'a>(row: &'a Value, name: &str, line: usize) -> Result<Option<&'a str>, Failed> {
    match row.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(invalid(line, format!("`{name}` must be a string"))),
    }
}

fn json_params(value: Option<&Value>, line: usize) -> Result<Vec<(String, String)>, Failed> {
    let bad = || {
        invalid(
            line,
            "`params` must be an object or a list of [name, value] pairs",
        )
    };
    match value {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Object(map)) => map
            .iter()
            .map(|(k, v)| Ok((k.clone(), v.as_str().ok_or_else(bad)?.to_owned())))
            .collect(),
        Some(Value::Array(pairs)) => pairs
            .iter()
            .map(|pair| match pair.as_array().map(Vec::as_slice) {
                Some([Value::String(n), Value::String(v)]) => Ok((n.clone(), v.clone())),
                _ => Err(bad()),
            })
            .collect(),
        Some(_) => Err(bad()),
    }
}

/// One message from its fields; `params` only for templates.
fn message(
    line: usize,
    to: Option<&str>,
    text: Option<&str>,
    channel: Option<&str>,
    template: Option<&str>,
    params: Vec<(String, String)>,
) -> Result<Outgoing, Failed> {
    let to = to
        .ok_or_else(|| invalid(line, "`to` is missing"))?
        .to_owned();
    match (text, template) {
        (Some(text), None) => Ok(Outgoing::text(
            Recipient::new(channel.unwrap_or("whatsapp"), to),
            text,
        )),
        (None, Some(template)) => Ok(Outgoing::template(to, template, params)),
        _ => Err(invalid(line, "give exactly one of `text` and `template`")),
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
        let row: Value =
            serde_json::from_str(raw).map_err(|_| invalid(line, "not a JSON object"))?;
        if !row.is_object() {
            return Err(invalid(line, "not a JSON object"));
        }
        messages.push(message(
            line,
            str_field(&row, "to", line)?,
            str_field(&row, "text", line)?,
            str_field(&row, "channel", line)?,
            str_field(&row, "template", line)?,
            json_params(row.get("params"), line)?,
        )?);
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
    let (to, text, channel, template) = (
        column("to"),
        column("text"),
        column("channel"),
        column("template"),
    );
    let params: Vec<(usize, String)> = headers
        .iter()
        .enumerate()
        .filter_map(|(i, h)| Some((i, h.trim().strip_prefix("param.")?.to_owned())))
        .collect();
    let mut messages = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let line = index + 2;
        let record = record.map_err(|e| invalid(line, e))?;
        let cell = |i: Option<usize>| i.and_then(|i| record.get(i));
        let row_params = params
            .iter()
            .map(|(i, name)| (name.clone(), record.get(*i).unwrap_or("").to_owned()))
            .collect();
        messages.push(message(
            line,
            cell(to),
            cell(text),
            cell(channel),
            cell(template),
            row_params,
        )?);
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
        connectly::BulkOptions::check_rate_limit(rate).map_err(connectly::Error::from)?;
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
    let mut first_failure = None;
    for (index, result) in results.into_iter().enumerate() {
        let shown = match result {
            Ok(r) => serde_json::json!({
                "index": index, "status": r.status, "attempts": r.attempts,
                "trace_id": r.trace_id, "body": r.body,
            }),
            Err(e) => {
                failed += 1;
                let shown = serde_json::json!({
                    "index": index,
                    "error": {"kind": e.kind_name(), "message": e.to_string(), "status": e.status()},
                });
                first_failure.get_or_insert(e);
                shown
            }
        };
        writeln!(out, "{shown}")?;
    }
    eprintln!(
        "\nsent {} of {total} message(s), {failed} failed, in {:.2} s",
        total - failed,
        elapsed.as_secs_f64()
    );
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
