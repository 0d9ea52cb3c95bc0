//! Writes the seed corpora of the fuzz targets from the shared vectors in `tests/vectors/`:
//! `cargo run --example seed` (run by `make fuzz`). Existing files are kept.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

fn load(dir: &Path, file: &str) -> Value {
    let text = fs::read_to_string(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn rows(doc: &Value) -> Vec<Value> {
    doc["vectors"].as_array().cloned().unwrap_or_default()
}

fn hex(text: &str) -> Vec<u8> {
    (0..text.len() / 2)
        .filter_map(|i| u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok())
        .collect()
}

/// A webhook row's body, not repeated (the seeds stay small).
fn body(row: &Value) -> Vec<u8> {
    match (row["body"].as_str(), row["body_hex"].as_str()) {
        (Some(text), _) => text.as_bytes().to_vec(),
        (None, Some(h)) => hex(h),
        _ => Vec::new(),
    }
}

struct Corpus {
    root: PathBuf,
    written: usize,
}

impl Corpus {
    fn add(&mut self, target: &str, name: &str, data: &[u8]) {
        let dir = self.root.join(target);
        fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        let path = dir.join(format!("seed-{name}"));
        if !path.exists() {
            fs::write(&path, data).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            self.written += 1;
        }
    }
}

fn main() {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let vectors = here.join("../tests/vectors");
    let mut corpus = Corpus {
        root: here.join("corpus"),
        written: 0,
    };
    for file in ["webhooks.json", "webhook_errors.json"] {
        for row in rows(&load(&vectors, file)) {
            let name = row["name"].as_str().unwrap_or("row").to_owned();
            let body = body(&row);
            let signature = row["signature"].as_str().unwrap_or("");
            let mut input = signature.as_bytes().to_vec();
            input.push(b'\n');
            input.extend_from_slice(&body);
            corpus.add("verify_and_parse", &name, &input);
            corpus.add("event_parse", &name, &body);
        }
    }
    let api = load(&vectors, "api_errors.json");
    for row in rows(&api) {
        let name = row["name"].as_str().unwrap_or("row").to_owned();
        let reply = &row["reply"];
        let status = reply["status"].as_u64().and_then(|s| u16::try_from(s).ok());
        let mut input = status.unwrap_or(500).to_be_bytes().to_vec();
        input.extend_from_slice(reply["body"].as_str().unwrap_or("").as_bytes());
        corpus.add("error_body", &name, &input);
        if let Some(value) = reply["retry_after"].as_str() {
            corpus.add("retry_after", &name, value.as_bytes());
        }
    }
    for (name, value) in [
        ("date", "Wed, 21 Oct 2015 07:28:00 GMT"),
        ("rfc850", "Wednesday, 21-Oct-15 07:28:00 GMT"),
        ("asctime", "Wed Oct 21 07:28:00 2015"),
        ("huge", "99999999999999999999999"),
    ] {
        corpus.add("retry_after", name, value.as_bytes());
    }
    let mut addresses: Vec<String> = Vec::new();
    for file in ["api_errors.json", "retries.json"] {
        if let Some(a) = load(&vectors, file)["calls"]["create_webhook"]["address"].as_str() {
            addresses.push(a.to_owned());
        }
    }
    addresses.extend(
        [
            "http://127.0.0.1:8080/hook",
            "http://[::1]:80/hook",
            "http://localhost/hook",
            "http://example.com/hook",
            "https://user:pw@example.com/hook",
            "https://xn--bcher-kva.example/h?q=1#f",
            "ftp://example.com/hook",
        ]
        .map(str::to_owned),
    );
    for (i, address) in addresses.iter().enumerate() {
        corpus.add("webhook_address", &i.to_string(), address.as_bytes());
    }
    println!(
        "seeded {} new file(s) under {}",
        corpus.written,
        corpus.root.display()
    );
}
