//! `connectly campaign send FILE`: send a published campaign to the entries of a JSON or
//! JSON-lines file, in one request.
//!
//! Each entry is an object: `client` (the recipient), `campaign_name` (or `campaignName`;
//! `--campaign-name` for entries without one), and optionally `variables` (an object of
//! strings, or a list of `[name, value]` pairs), `version` (or `campaign_version`,
//! `campaignVersion`), `sender`, `scheduled_at` (or `scheduledAt`). A JSON file holds a list
//! of entries or `{"entries": [...]}`; a JSON-lines file one entry per line.

use std::path::Path;

use clap::{Args, Subcommand, ValueEnum};
use serde_json::Value;

use super::input::{file_name, read_json, read_text, shape, Object};
use super::{Connection, Failed, Outcome};
use connectly::{CampaignEntry, CampaignResult};

/// `connectly campaign`.
#[derive(Debug, Subcommand)]
pub(super) enum CampaignAction {
    /// Send a published campaign to every entry of a file; print the accepted and rejected
    /// counts (the exit code is 0 whenever the API took the request, whatever the counts).
    Send {
        #[command(flatten)]
        connection: Connection,
        #[command(flatten)]
        args: SendArgs,
    },
}

/// `connectly campaign send`.
#[derive(Debug, Args)]
pub(super) struct SendArgs {
    /// The entries: a .json file (a list, or {"entries": [...]}) or a JSON-lines file
    /// (.jsonl, .ndjson); `-` reads standard input.
    file: String,
    /// The file's format; by default .json is JSON and anything else JSON lines.
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// The campaign of the entries that name none.
    #[arg(long, value_name = "NAME")]
    campaign_name: Option<String>,
    /// Print the result as one JSON object (counts, error, status, attempts, trace id,
    /// body) instead of a sentence.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Json,
    Jsonl,
}

/// The fields an entry may have.
const ENTRY_KEYS: [&str; 10] = [
    "client",
    "campaign_name",
    "campaignName",
    "variables",
    "version",
    "campaign_version",
    "campaignVersion",
    "sender",
    "scheduled_at",
    "scheduledAt",
];

/// One entry of the file, as the core builds it.
fn entry(object: &Object<'_>, campaign_name: Option<&str>) -> Result<CampaignEntry, Failed> {
    object.only(&ENTRY_KEYS)?;
    let client = object.required_string(&["client"])?;
    let name = match object.string(&["campaign_name", "campaignName"])? {
        Some(name) => name,
        None => campaign_name.map(str::to_owned).ok_or_else(|| {
            object.refuse("campaign_name", "is missing (or give --campaign-name)")
        })?,
    };
    let mut entry = CampaignEntry::new(client, name);
    for (name, value) in object.pairs(&["variables"])? {
        entry = entry.variable(name, value);
    }
    if let Some(version) = object.string(&["version", "campaign_version", "campaignVersion"])? {
        entry = entry.version(version);
    }
    if let Some(sender) = object.string(&["sender"])? {
        entry = entry.sender(sender);
    }
    if let Some(at) = object.string(&["scheduled_at", "scheduledAt"])? {
        entry = entry.scheduled_at(at);
    }
    Ok(entry)
}

fn read_entries(args: &SendArgs) -> Result<Vec<CampaignEntry>, Failed> {
    let path = args.file.as_str();
    let source = file_name(path);
    let format =
        args.format.unwrap_or_else(
            || match Path::new(path).extension().and_then(|e| e.to_str()) {
                Some(ext) if ext.eq_ignore_ascii_case("json") => Format::Json,
                _ => Format::Jsonl,
            },
        );
    let name = args.campaign_name.as_deref();
    let mut entries = Vec::new();
    match format {
        Format::Jsonl => {
            for (index, line) in read_text(path)?.lines().enumerate() {
                if line.trim().is_empty() {
                    continue;
                }
                let source = format!("{source}, line {}", index + 1);
                let value: Value = serde_json::from_str(line)
                    .map_err(|_| shape(&source, "", "is not a JSON object"))?;
                entries.push(entry(&Object::new(&value, &source, String::new())?, name)?);
            }
        }
        Format::Json => {
            let value = read_json(path, "campaign entries")?;
            if let Value::Array(list) = &value {
                for (index, value) in list.iter().enumerate() {
                    entries.push(entry(
                        &Object::new(value, source, format!("[{index}]"))?,
                        name,
                    )?);
                }
            } else if value.get("entries").is_some() {
                let file = Object::new(&value, source, String::new())?;
                file.only(&["entries"])?;
                for value in file.objects("entries")? {
                    entries.push(entry(&value, name)?);
                }
            } else {
                return Err(shape(
                    source,
                    "",
                    "must hold a list of entries or {\"entries\": [...]}",
                ));
            }
        }
    }
    Ok(entries)
}

fn count(n: Option<u64>) -> String {
    n.map_or_else(|| "?".to_owned(), |n| n.to_string())
}

fn print(result: &CampaignResult, entries: usize, json: bool) {
    let response = &result.response;
    if json {
        let shown = serde_json::json!({
            "entries": entries,
            "accepted": result.accepted,
            "rejected": result.rejected,
            "error": result.error,
            "status": response.status,
            "attempts": response.attempts,
            "trace_id": response.trace_id,
            "body": response.body,
        });
        println!("{shown}");
        return;
    }
    let counts = if result.accepted.is_none() && result.rejected.is_none() {
        "the reply carries no counts".to_owned()
    } else {
        format!(
            "{} accepted, {} rejected",
            count(result.accepted),
            count(result.rejected)
        )
    };
    println!(
        "sent {entries} entr{}: {counts} (HTTP {}, {} attempt(s){})",
        if entries == 1 { "y" } else { "ies" },
        response.status,
        response.attempts,
        response
            .trace_id
            .as_deref()
            .map_or_else(String::new, |t| format!(", trace id {t}")),
    );
    if let Some(error) = &result.error {
        println!("the reply reports an error: {error}");
    }
}

/// `connectly campaign ...`.
pub(super) fn campaign(action: CampaignAction) -> Outcome {
    match action {
        CampaignAction::Send { connection, args } => {
            let client = connection.client()?;
            let entries = read_entries(&args)?;
            let result = client.send_campaign(&entries)?;
            print(&result, entries.len(), args.json);
            Ok(())
        }
    }
}
