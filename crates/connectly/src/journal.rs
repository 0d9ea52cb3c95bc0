//! A bulk send's journal: each message's outcome written to a local file as it happens, so
//! that a rerun after a crash, a deploy or Ctrl-C sends only what never left.
//!
//! The file is an append-only log of text lines. The first names the batch:
//! `connectly-journal 1 <SHA-256 of the batch's requests> <count>`; then, per message (its
//! position in the batch), `S <i>` just before its request is made (written and fsync'd
//! first: a message is never sent without its `S` being durable), then one of `D <i> <status>
//! <base64 body>` (confirmed sent), `F <i>` (failed without reaching the server: sendable
//! again) or `U <i>` (failed after its request may have reached the server). A line cut short
//! by a crash is ignored. On a rerun, a message with `D` is skipped (its response read back),
//! one with `S` or `U` but no `D` is reported as possibly sent and not sent again, and the
//! others are sent.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::Path;
use std::sync::{Mutex, PoisonError};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use sha2::{Digest, Sha256};

use crate::error::{Error, ValidationError};
use crate::response::Response;

const MAGIC: &str = "connectly-journal 1";

/// What an earlier run did with one message.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Earlier {
    /// Nothing that reached the server: send it.
    Unsent,
    /// Sent and confirmed, with this answer.
    Sent { status: u16, body: Vec<u8> },
    /// Its request may have reached the server: report it, do not send it again.
    Unsure,
}

/// An open journal.
#[derive(Debug)]
pub(crate) struct Journal {
    file: Mutex<File>,
    earlier: Vec<Earlier>,
}

/// The batch's fingerprint: the SHA-256 of every message's request (path and body) in order.
pub(crate) fn fingerprint<'a>(requests: impl Iterator<Item = (&'a str, &'a [u8])>) -> String {
    let mut hash = Sha256::new();
    for (path, body) in requests {
        hash.update(path.as_bytes());
        hash.update([0]);
        hash.update((body.len() as u64).to_be_bytes());
        hash.update(body);
    }
    hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

fn refused(reason: impl Into<String>) -> Error {
    Error::Validation(ValidationError::new("journal", reason))
}

fn io(path: &Path, error: &std::io::Error) -> Error {
    Error::Config(format!("journal {}: {error}", path.display()))
}

impl Journal {
    /// Opens (or creates) the journal at `path` for a batch of `count` messages with
    /// `fingerprint`; refuses one written for another batch.
    pub(crate) fn open(path: &Path, fingerprint: &str, count: usize) -> Result<Self, Error> {
        let header = format!("{MAGIC} {fingerprint} {count}");
        let mut earlier = vec![Earlier::Unsent; count];
        let text = match std::fs::read(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(io(path, &e)),
        };
        let fresh = text.is_empty();
        // A last line without its newline was cut short by a crash: it is not read.
        let whole = text.ends_with(b"\n");
        if !fresh {
            let mut lines: Vec<&[u8]> = text.split(|&b| b == b'\n').collect();
            if !whole {
                lines.pop();
            }
            if lines.first().copied() != Some(header.as_bytes()) {
                return Err(refused(format!(
                    "{} was written for a different batch of messages; use a new journal \
                     file for this one (or the same messages as before)",
                    path.display()
                )));
            }
            for line in &lines[1..] {
                read_record(line, &mut earlier);
            }
        }
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| io(path, &e))?;
        if fresh {
            writeln!(file, "{header}")
                .and_then(|()| file.sync_all())
                .map_err(|e| io(path, &e))?;
        } else if !whole {
            // End the cut-short line, so the next record starts on its own.
            file.write_all(b"\n").map_err(|e| io(path, &e))?;
        }
        Ok(Self {
            file: Mutex::new(file),
            earlier,
        })
    }

    /// What an earlier run did with message `index`.
    pub(crate) fn earlier(&self, index: usize) -> &Earlier {
        self.earlier.get(index).unwrap_or(&Earlier::Unsent)
    }

    fn append(&self, line: &str, durable: bool) -> Result<(), Error> {
        let mut file = self.file.lock().unwrap_or_else(PoisonError::into_inner);
        file.write_all(line.as_bytes())
            .and_then(|()| if durable { file.sync_data() } else { Ok(()) })
            .map_err(|e| Error::Config(format!("the journal could not be written: {e}")))
    }

    /// Records that message `index` is about to be sent; durable when it returns.
    pub(crate) fn started(&self, index: usize) -> Result<(), Error> {
        self.append(&format!("S {index}\n"), true)
    }

    /// Records how message `index` ended (written, not fsync'd: a crash that loses it leaves
    /// the `S`, which a rerun reports as possibly sent, never resends).
    pub(crate) fn finished(&self, index: usize, result: &Result<Response, Error>) {
        let line = match result {
            Ok(response) => format!(
                "D {index} {} {}\n",
                response.status,
                STANDARD.encode(response.body.to_string())
            ),
            Err(error) if error.possibly_sent() => format!("U {index}\n"),
            Err(_) => format!("F {index}\n"),
        };
        // A failure to record the end leaves the `S`: the message is reported, not resent.
        let _ = self.append(&line, false);
    }
}

/// Applies one record line; an unreadable one is ignored.
fn read_record(line: &[u8], earlier: &mut [Earlier]) {
    let Ok(line) = std::str::from_utf8(line) else {
        return;
    };
    let mut parts = line.split(' ');
    let (Some(kind), Some(index)) = (parts.next(), parts.next()) else {
        return;
    };
    let Some(slot) = index.parse::<usize>().ok().and_then(|i| earlier.get_mut(i)) else {
        return;
    };
    match kind {
        "S" | "U" if *slot == Earlier::Unsent => *slot = Earlier::Unsure,
        "D" => {
            let status = parts.next().and_then(|s| s.parse().ok());
            let body = parts.next().and_then(|b| STANDARD.decode(b).ok());
            if let (Some(status), Some(body)) = (status, body) {
                *slot = Earlier::Sent { status, body };
            }
        }
        "F" if *slot == Earlier::Unsure => *slot = Earlier::Unsent,
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_read_back_and_a_cut_line_is_ignored() {
        let mut earlier = vec![Earlier::Unsent; 4];
        read_record(b"S 0", &mut earlier);
        read_record(b"S 1", &mut earlier);
        read_record(b"D 1 200 eyJpZCI6IngifQ==", &mut earlier);
        read_record(b"S 2", &mut earlier);
        read_record(b"F 2", &mut earlier);
        read_record(b"S 9", &mut earlier);
        read_record(b"D 3 20", &mut earlier);
        assert_eq!(earlier[0], Earlier::Unsure);
        assert_eq!(
            earlier[1],
            Earlier::Sent {
                status: 200,
                body: br#"{"id":"x"}"#.to_vec()
            }
        );
        assert_eq!(earlier[2], Earlier::Unsent);
        assert_eq!(earlier[3], Earlier::Unsent);
    }
}
