//! The `connectly` binary: each command, its output, and its exit codes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use connectly::Webhook;
use connectly_mock::{Failure, MockServer};

const BIN: &str = env!("CARGO_BIN_EXE_connectly");

/// A command with a clean environment: only what the test sets.
fn cli() -> Command {
    let mut cmd = Command::new(BIN);
    for var in [
        "CONNECTLY_API_KEY",
        "CONNECTLY_BUSINESS_ID",
        "CONNECTLY_BASE_URL",
        "CONNECTLY_WEBHOOK_SECRET",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

fn against(mock: &MockServer) -> Command {
    let mut cmd = cli();
    cmd.env("CONNECTLY_API_KEY", mock.api_key())
        .env("CONNECTLY_BUSINESS_ID", mock.business_id())
        .env("CONNECTLY_BASE_URL", mock.url());
    cmd
}

fn run_with_stdin(mut cmd: Command, stdin: &[u8]) -> Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

fn code(output: &Output) -> i32 {
    output.status.code().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Kills a background child when the test ends, however it ends.
struct Background(Child);

impl Drop for Background {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn wait_for_file(path: &Path) -> String {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(20) {
        if let Ok(contents) = std::fs::read_to_string(path) {
            if !contents.is_empty() {
                return contents;
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("{} was not written", path.display());
}

#[test]
fn help_and_version() {
    let out = cli().arg("--help").output().unwrap();
    assert_eq!(code(&out), 0);
    assert!(text(&out.stdout).contains("send-text"));
    let out = cli().arg("--version").output().unwrap();
    assert!(text(&out.stdout).contains(connectly::VERSION));
    let out = cli().arg("no-such-command").output().unwrap();
    assert_eq!(code(&out), 2);
}

#[test]
fn send_commands_print_the_response() {
    let mock = MockServer::start().unwrap();
    let out = against(&mock)
        .args(["send-text", "--to", "+15555555555", "--text", "hello!"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    let shown: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(shown["status"], 200);
    assert_eq!(shown["attempts"], 1);

    let out = against(&mock)
        .args([
            "send-template",
            "--to",
            "+15555555555",
            "--template",
            "welcome",
        ])
        .args(["--param", "var1=value1", "--param", "var2=a=b"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    let out = against(&mock)
        .args(["create-webhook", "--address", "https://example.com/hook"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));

    let reqs = mock.requests();
    assert_eq!(reqs.len(), 3);
    assert_eq!(
        reqs[1].json().unwrap()["parameters"],
        serde_json::json!([{"name":"var1","value":"value1"},{"name":"var2","value":"a=b"}])
    );
    assert_eq!(reqs[2].json().unwrap()["topic"], "messages");
}

#[test]
fn exit_codes_name_the_failure() {
    let mock = MockServer::start().unwrap();
    let send = |cmd: &mut Command| {
        cmd.args([
            "send-text",
            "--max-retries",
            "0",
            "--to",
            "+15555555555",
            "--text",
            "hi",
        ])
        .output()
        .unwrap()
    };
    let out = against(&mock)
        .args(["send-text", "--to", "+1", "--text", "hi"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 3, "invalid input");
    assert!(text(&out.stderr).contains("recipient id"));
    assert_eq!(mock.request_count(), 0);

    let out = send(cli().env("CONNECTLY_API_KEY", "k"));
    assert_eq!(code(&out), 3, "missing business id");

    let out = send(against(&mock).env("CONNECTLY_API_KEY", "CANARY-wrong-key"));
    assert_eq!(code(&out), 4, "authentication");
    assert!(!text(&out.stderr).contains("CANARY-wrong-key"));
    assert!(!text(&out.stdout).contains("CANARY-wrong-key"));

    for (status, expected) in [(429, 5), (400, 6), (404, 6), (500, 7)] {
        mock.fail_next([Failure::Status {
            status,
            body: None,
            retry_after: None,
        }]);
        let out = send(&mut against(&mock));
        assert_eq!(
            code(&out),
            expected,
            "status {status}: {}",
            text(&out.stderr)
        );
    }

    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let out = send(against(&mock).env("CONNECTLY_BASE_URL", format!("http://{closed}")));
    assert_eq!(code(&out), 8, "network");
    let err = text(&out.stderr);
    assert!(
        err.contains("nothing reached the API") && !err.contains("may have"),
        "{err}"
    );

    // A connection dropped after the request was read: it may have arrived.
    mock.fail_next([Failure::Drop]);
    let out = send(&mut against(&mock));
    assert_eq!(code(&out), 8, "network");
    let err = text(&out.stderr);
    assert!(err.contains("may have received the request"), "{err}");
    assert!(!err.contains("nothing reached the API"), "{err}");
}

#[test]
fn sign_and_verify() {
    let body = br#"{"timestamp":"1639083206","sender":{"id":"+16315555500","channelType":"whatsapp"},"recipient":{"id":"123456123","channelType":"whatsapp"},"message":{"text":"TEST 11"}}"#;
    let secret = "CANARY-cli-secret";
    let expected = Webhook::new(secret).unwrap().sign(body);

    let mut cmd = cli();
    cmd.env("CONNECTLY_WEBHOOK_SECRET", secret).arg("sign");
    let out = run_with_stdin(cmd, body);
    assert_eq!(code(&out), 0);
    assert_eq!(text(&out.stdout).trim(), expected);

    let mut cmd = cli();
    cmd.env("CONNECTLY_WEBHOOK_SECRET", secret)
        .args(["verify", "--signature", &expected]);
    let out = run_with_stdin(cmd, body);
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    let event: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(event["message"]["text"], "TEST 11");

    let dir = tempdir();
    let file = dir.join("body.json");
    std::fs::write(&file, body).unwrap();
    let out = cli()
        .env("CONNECTLY_WEBHOOK_SECRET", secret)
        .args(["verify", "--signature-only", "--signature", &expected])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!((code(&out), text(&out.stdout).trim()), (0, "valid"));

    let forged = Webhook::new("other").unwrap().sign(body);
    let mut cmd = cli();
    cmd.env("CONNECTLY_WEBHOOK_SECRET", secret)
        .args(["verify", "--signature", &forged]);
    let out = run_with_stdin(cmd, body);
    assert_eq!(code(&out), 9);
    let err = text(&out.stderr);
    assert!(err.contains("InvalidSignature"), "{err}");
    for leaked in [secret, forged.as_str(), "TEST 11"] {
        assert!(!err.contains(leaked), "{err}");
    }

    let mut cmd = cli();
    cmd.env("CONNECTLY_WEBHOOK_SECRET", secret)
        .args(["verify", "--signature", "not base64!"]);
    assert_eq!(code(&run_with_stdin(cmd, body)), 9);

    let out = cli().args(["sign"]).output().unwrap();
    assert_eq!(code(&out), 2, "the secret is required");
}

fn tempdir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "connectly-cli-test-{}-{}",
        std::process::id(),
        fastrand::u64(..)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn mock_listen_and_deliver_end_to_end() {
    let dir = tempdir();
    let env_file = dir.join("mock.env");
    let _mock = Background(
        cli()
            .args(["mock", "--api-key", "cli-key", "--env-file"])
            .arg(&env_file)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let settings = wait_for_file(&env_file);
    let vars: Vec<(String, String)> = settings
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let get = |k: &str| vars.iter().find(|(n, _)| n == k).unwrap().1.clone();
    assert_eq!(get("CONNECTLY_API_KEY"), "cli-key");
    assert!(get("CONNECTLY_BASE_URL").starts_with("http://127.0.0.1:"));

    let with_env = || {
        let mut cmd = cli();
        cmd.envs(vars.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        cmd
    };

    let out = with_env()
        .args(["mock", "deliver", "--text", "nobody listens"])
        .output()
        .unwrap();
    assert_ne!(code(&out), 0, "no webhook is registered yet");

    let url_file = dir.join("listen.url");
    let listen_out = dir.join("listen.out");
    let _listener = Background(
        with_env()
            .args(["listen", "--url-file"])
            .arg(&url_file)
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&listen_out).unwrap())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let receiver = wait_for_file(&url_file);

    let out = with_env()
        .args(["create-webhook", "--address", &receiver])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    let out = with_env()
        .args([
            "mock",
            "deliver",
            "--from",
            "+16315555500",
            "--text",
            "Hello there",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));

    let printed = std::fs::read_to_string(&listen_out).unwrap();
    assert!(
        printed.contains("verified delivery: +16315555500 on whatsapp")
            && printed.contains("\"Hello there\""),
        "{printed}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bulk_sends_a_jsonl_or_csv_file_in_order() {
    let mock = MockServer::start().unwrap();
    let dir = tempdir();
    let jsonl = dir.join("messages.jsonl");
    let mut lines: Vec<String> = (0..30)
        .map(|i| format!(r#"{{"to":"+15555555555","text":"bulk {i}"}}"#))
        .collect();
    lines.push(
        r#"{"to":"+15555555555","template":"welcome","params":[["b","2"],["a","1"]]}"#.into(),
    );
    lines.push(r#"{"to":"+15555555555","text":"by sms","channel":"sms"}"#.into());
    std::fs::write(&jsonl, lines.join("\n") + "\n\n").unwrap();
    let out = against(&mock)
        .args(["bulk", "--concurrency", "4"])
        .arg(&jsonl)
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    let results: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(results.len(), 32);
    for (i, r) in results.iter().enumerate() {
        assert_eq!(r["index"], i);
        assert_eq!(r["status"], 200);
    }
    let reqs = mock.requests();
    assert_eq!(reqs.len(), 32);
    let template = reqs
        .iter()
        .find(|r| r.path.ends_with("whatsapp_templated_messages"))
        .unwrap();
    assert_eq!(
        template.json().unwrap()["parameters"],
        serde_json::json!([{"name":"b","value":"2"},{"name":"a","value":"1"}])
    );

    mock.clear_requests();
    let csv = dir.join("messages.csv");
    std::fs::write(
        &csv,
        "to,template,param.name,param.order\n+15555555555,order_update,Ada,\"10,42\"\n+1,order_update,Bob,7\n",
    )
    .unwrap();
    let out = against(&mock).arg("bulk").arg(&csv).output().unwrap();
    assert_eq!(code(&out), 3, "the invalid row fails validation");
    assert!(text(&out.stderr).contains("1 of 2 messages failed"));
    let results: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(results[0]["status"], 200);
    assert_eq!(results[1]["error"]["kind"], "Validation");
    assert_eq!(mock.request_count(), 1);
    assert_eq!(
        mock.requests()[0].json().unwrap()["parameters"],
        serde_json::json!([{"name":"name","value":"Ada"},{"name":"order","value":"10,42"}])
    );

    let bad = dir.join("bad.jsonl");
    std::fs::write(&bad, "{\"to\":\"+15555555555\"}\n").unwrap();
    let out = against(&mock).arg("bulk").arg(&bad).output().unwrap();
    assert_eq!(code(&out), 3);
    assert!(text(&out.stderr).contains("line 1"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Asserts `path` is a regular file (not a link) readable and writable by its owner only.
fn assert_private_file(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::symlink_metadata(path).unwrap();
    assert!(
        meta.file_type().is_file(),
        "{} is not a plain file",
        path.display()
    );
    assert_eq!(
        meta.permissions().mode() & 0o777,
        0o600,
        "{}",
        path.display()
    );
}

#[test]
fn credential_files_are_private_and_a_planted_link_is_not_followed() {
    let dir = tempdir();
    let victim = dir.join("victim");
    std::fs::write(&victim, "untouched").unwrap();
    let env_file = dir.join("mock.env");
    let url_file = dir.join("listen.url");
    // The name the tool once wrote through: a link there must not be followed.
    for file in [&env_file, &url_file] {
        let mut planted = file.clone().into_os_string();
        planted.push(".tmp");
        std::os::unix::fs::symlink(&victim, planted).unwrap();
    }

    let _mock = Background(
        cli()
            .args(["mock", "--env-file"])
            .arg(&env_file)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let settings = wait_for_file(&env_file);
    assert!(settings.contains("CONNECTLY_API_KEY="), "{settings}");
    assert_private_file(&env_file);

    let _listener = Background(
        cli()
            .env("CONNECTLY_WEBHOOK_SECRET", "cli-secret")
            .args(["listen", "--url-file"])
            .arg(&url_file)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    assert!(wait_for_file(&url_file).starts_with("http://127.0.0.1:"));
    assert_private_file(&url_file);

    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "untouched");
    let mut left: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(
        left,
        [
            "listen.url",
            "listen.url.tmp",
            "mock.env",
            "mock.env.tmp",
            "victim"
        ],
        "no temporary file is left behind"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bulk_refuses_a_rate_it_cannot_pace_before_sending() {
    let mock = MockServer::start().unwrap();
    let dir = tempdir();
    let jsonl = dir.join("messages.jsonl");
    std::fs::write(&jsonl, "{\"to\":\"+15555555555\",\"text\":\"hi\"}\n").unwrap();
    for rate in ["0", "-1", "1e-19", "NaN", "inf"] {
        let out = against(&mock)
            .args(["bulk", &format!("--rate={rate}")])
            .arg(&jsonl)
            .output()
            .unwrap();
        assert_eq!(code(&out), 3, "--rate {rate}: {}", text(&out.stderr));
        assert!(
            text(&out.stderr).contains("rate limit"),
            "{}",
            text(&out.stderr)
        );
    }
    assert_eq!(mock.request_count(), 0);
    let out = against(&mock)
        .args(["bulk", "--rate", "0.01"])
        .arg(&jsonl)
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    assert_eq!(mock.request_count(), 1);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_oversized_reply_reports_its_status_and_warns_it_may_have_been_sent() {
    let mock = MockServer::start().unwrap();
    mock.fail_next([Failure::Huge {
        bytes: 11 * 1024 * 1024,
        chunked: false,
    }]);
    let out = against(&mock)
        .args(["send-text", "--to", "+15555555555", "--text", "hi"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 8);
    let err = text(&out.stderr);
    assert!(
        err.contains("HTTP 200") && err.contains("may have"),
        "{err}"
    );
    assert!(!err.contains("CONNECTLY_BASE_URL"), "{err}");
    assert_eq!(mock.request_count(), 1);
}

/// Starts `connectly listen` with `secret` and a body limit; its URL once it listens.
fn listen(secret: &str, max_body_size: u64, dir: &Path) -> (Background, String) {
    let url_file = dir.join(format!("listen-{max_body_size}.url"));
    let child = cli()
        .args(["listen", "--port", "0", "--max-body-size"])
        .arg(max_body_size.to_string())
        .arg("--url-file")
        .arg(&url_file)
        .env("CONNECTLY_WEBHOOK_SECRET", secret)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let guard = Background(child);
    (guard, wait_for_file(&url_file))
}

/// `connectly listen` answers every row of the shared `receiving.json` over real HTTP as
/// the receiving policy says (the core runs the same rows in `tests/conformance.rs`).
#[test]
fn listen_answers_every_receiving_vector() {
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine as _;
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/vectors/receiving.json"
    );
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let secret = doc["secret"].as_str().unwrap();
    let rows = doc["vectors"].as_array().unwrap();
    let dir = tempdir();
    let http = reqwest::blocking::Client::builder()
        .no_proxy()
        .build()
        .unwrap();
    let mut listeners = std::collections::HashMap::new();
    for row in rows {
        let name = row["name"].as_str().unwrap();
        let limit = row["max_body_size"]
            .as_u64()
            .unwrap_or(connectly::Webhook::DEFAULT_MAX_BODY_SIZE as u64);
        let (_, url) = listeners
            .entry(limit)
            .or_insert_with(|| listen(secret, limit, &dir));
        let method = reqwest::Method::from_bytes(row["method"].as_str().unwrap().as_bytes());
        let body = STANDARD.decode(row["body_b64"].as_str().unwrap()).unwrap();
        let mut request = http.request(method.unwrap(), url.trim()).body(body);
        if let Some(encoding) = row["content_encoding"].as_str() {
            request = request.header("content-encoding", encoding);
        }
        if let Some(signature) = row["signature"].as_str() {
            request = request.header(connectly::SIGNATURE_HEADER, signature);
        }
        let response = request.send().unwrap();
        assert_eq!(
            u64::from(response.status().as_u16()),
            row["expected_status"].as_u64().unwrap(),
            "{name}"
        );
        if response.status() == 405 {
            assert_eq!(response.headers()["allow"], "POST", "{name}");
        }
    }
}
