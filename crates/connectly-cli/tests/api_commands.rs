//! The commands of the rest of the API against the mock: `send-message`, `send-template`'s
//! new flags, `webhooks ...`, `templates list`, `campaign send` and `bulk`'s new rows. Each
//! checks the exact request the mock recorded, or that a refusal sent nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use connectly_mock::{Failure, MockServer, RecordedRequest};
use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_connectly");

/// A command pointed at `mock`, with nothing else from the environment.
fn against(mock: &MockServer) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.env_remove("CONNECTLY_WEBHOOK_SECRET")
        .env("CONNECTLY_API_KEY", mock.api_key())
        .env("CONNECTLY_BUSINESS_ID", mock.business_id())
        .env("CONNECTLY_BASE_URL", mock.url())
        .stdin(Stdio::null());
    cmd
}

/// Runs `connectly ARGS` against `mock`.
fn run(mock: &MockServer, args: &[&str]) -> Output {
    against(mock).args(args).output().unwrap()
}

fn code(output: &Output) -> i32 {
    output.status.code().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Asserts the command succeeded.
fn ok(output: &Output) {
    assert_eq!(code(output), 0, "{}", stderr(output));
}

/// A fresh directory for input files.
fn tempdir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "connectly-cli-api-{}-{}",
        std::process::id(),
        fastrand::u64(..)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes `contents` to `name` in `dir`; its path as a string.
fn file(dir: &Path, name: &str, contents: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path.to_str().unwrap().to_owned()
}

/// The one request the mock recorded since it was last cleared, then clears it.
fn only_request(mock: &MockServer) -> RecordedRequest {
    let mut requests = mock.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    mock.clear_requests();
    requests.remove(0)
}

/// Asserts the request's method, path under the business, and JSON body (`Null`: none).
fn assert_request(
    mock: &MockServer,
    request: &RecordedRequest,
    method: &str,
    path: &str,
    body: &Value,
) {
    assert_eq!(request.method, method);
    assert_eq!(
        request.path,
        format!("/v1/businesses/{}{path}", mock.business_id())
    );
    if body.is_null() {
        assert!(request.body.is_empty(), "{:?}", request.body_text());
    } else {
        assert_eq!(&request.json().unwrap(), body);
    }
}

/// Asserts a refusal: exit code `expected`, `needle` in the error, nothing sent.
fn assert_refused(mock: &MockServer, args: &[&str], expected: i32, needle: &str) {
    let out = run(mock, args);
    assert_eq!(code(&out), expected, "{args:?}: {}", stderr(&out));
    assert!(stderr(&out).contains(needle), "{args:?}: {}", stderr(&out));
    assert!(stdout(&out).is_empty(), "{args:?}: {}", stdout(&out));
    assert_eq!(mock.request_count(), 0, "{args:?} sent a request");
}

const TO: &str = "+15555555555";

#[test]
fn help_lists_the_new_commands() {
    let out = Command::new(BIN).arg("--help").output().unwrap();
    ok(&out);
    for command in ["send-message", "webhooks", "templates", "campaign"] {
        assert!(stdout(&out).contains(command), "{command}");
    }
}

#[test]
fn send_message_from_flags_sends_the_exact_body() {
    let mock = MockServer::start().unwrap();
    let send = |args: &[&str]| {
        let out = run(&mock, &[&["send-message", "--to", TO], args].concat());
        ok(&out);
        let shown: Value = serde_json::from_str(&stdout(&out)).unwrap();
        assert_eq!(shown["status"], 200);
        let request = only_request(&mock);
        assert_eq!(request.method, "POST");
        assert!(request.path.ends_with("/send/messages"), "{}", request.path);
        request.json().unwrap()
    };
    let recipient = json!({"channelType": "whatsapp", "id": TO});

    assert_eq!(
        send(&[
            "--recipient-name",
            "Ada",
            "--sender",
            "+14151111234",
            "--message-id",
            "01FPW47QF69Y5JZH24605VAKQB",
            "--attachment-type",
            "document",
            "--attachment-url",
            "https://example.com/a.pdf",
            "--caption",
            "Invoice",
            "--filename",
            "a.pdf",
        ]),
        json!({
            "sender": {"channelType": "whatsapp", "id": "+14151111234"},
            "recipient": {"channelType": "whatsapp", "id": TO, "name": "Ada"},
            "message": {"id": "01FPW47QF69Y5JZH24605VAKQB", "attachments": [{
                "type": "document", "url": "https://example.com/a.pdf",
                "caption": "Invoice", "filename": "a.pdf"}]}
        })
    );
    assert_eq!(
        send(&[
            "--attachment-type",
            "image",
            "--attachment-url",
            "https://example.com/a.jpg"
        ]),
        json!({"recipient": recipient, "message": {"attachments": [
            {"type": "image", "url": "https://example.com/a.jpg"}]}})
    );
    assert_eq!(
        send(&[
            "--latitude",
            "37.48",
            "--longitude",
            "-122.15",
            "--location-name",
            "HQ",
            "--address",
            "1 Main St",
        ]),
        json!({"recipient": recipient, "message": {"location": {
            "latitude": 37.48, "longitude": -122.15, "name": "HQ", "address": "1 Main St"}}})
    );
    assert_eq!(
        send(&[
            "--text",
            "Did it arrive?",
            "--button",
            "y=Yes",
            "--button",
            "n=No=never",
            "--header",
            "Delivery",
            "--footer",
            "Thanks",
        ]),
        json!({"recipient": recipient, "message": {"text": "Did it arrive?",
            "replyButtonMessage": {"header": {"text": "Delivery"}, "footer": {"text": "Thanks"},
                "buttons": [{"id": "y", "text": "Yes"}, {"id": "n", "text": "No=never"}]}}})
    );
    assert_eq!(
        send(&["--channel", "sms", "--text", "hi"]),
        json!({"recipient": {"channelType": "sms", "id": TO}, "message": {"text": "hi"}})
    );
}

#[test]
fn send_message_reads_a_list_or_a_whole_message_from_json() {
    let mock = MockServer::start().unwrap();
    let dir = tempdir();
    let send = |args: &[&str]| {
        let out = run(&mock, &[&["send-message", "--to", TO], args].concat());
        ok(&out);
        only_request(&mock).json().unwrap()["message"].clone()
    };
    let wire_list = json!({
        "header": {"text": "Menu"},
        "footer": {"text": "Pick one"},
        "button": {"text": "View options"},
        "sections": [
            {"title": "Drinks", "rows": [{"id": "r1", "text": "Tea", "description": "hot"}]},
            {"title": "Food", "rows": [{"id": "r2", "text": "Cake"}]}
        ]
    });
    let wire = file(&dir, "wire-list.json", &wire_list.to_string());
    assert_eq!(
        send(&["--text", "What would you like?", "--list", &wire]),
        json!({"text": "What would you like?", "listMessage": wire_list})
    );

    // The SDK's shape: plain strings for the labels; --header and --footer set them too.
    let sdk = file(
        &dir,
        "sdk-list.json",
        r#"{"button": "Open", "header": "old",
            "sections": [{"title": "S", "rows": [{"id": "a", "text": "A"}]}]}"#,
    );
    assert_eq!(
        send(&["--text", "pick", "--list", &sdk, "--header", "New", "--footer", "Foot"]),
        json!({"text": "pick", "listMessage": {"header": {"text": "New"}, "footer": {"text": "Foot"},
            "button": {"text": "Open"},
            "sections": [{"title": "S", "rows": [{"id": "a", "text": "A"}]}]}})
    );

    let whole = json!({
        "id": "m-1",
        "text": "Yes or no?",
        "replyButtonMessage": {"buttons": [{"id": "y", "text": "Yes"}, {"id": "n", "text": "No"}]}
    });
    let path = file(&dir, "message.json", &whole.to_string());
    assert_eq!(send(&["--json", &path]), whole);

    let product = json!({"singleProductMessage": {"catalogId": "c1", "productId": "p1"}});
    let path = file(&dir, "product.json", &product.to_string());
    assert_eq!(send(&["--json", &path]), product);

    // `-` reads standard input; the envelope flags still apply.
    let media = json!({"attachments": [{"type": "audio", "url": "https://example.com/a.ogg"}]});
    let mut child = against(&mock)
        .args([
            "send-message",
            "--to",
            TO,
            "--sender",
            "+14151111234",
            "--json",
            "-",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(media.to_string().as_bytes())
        .unwrap();
    ok(&child.wait_with_output().unwrap());
    let body = only_request(&mock).json().unwrap();
    assert_eq!(body["message"], media);
    assert_eq!(
        body["sender"],
        json!({"channelType": "whatsapp", "id": "+14151111234"})
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn send_message_refusals_send_nothing() {
    let mock = MockServer::start().unwrap();
    let dir = tempdir();
    let refused = |args: &[&str], expected: i32, needle: &str| {
        assert_refused(
            &mock,
            &[&["send-message", "--to", TO], args].concat(),
            expected,
            needle,
        );
    };
    let url = "https://example.com/a.jpg";

    // The core's rules: exit 3, the field named.
    refused(&[], 3, "invalid message: has no content");
    refused(
        &["--text", "hi", "--latitude", "1", "--longitude", "2"],
        3,
        "invalid message: a text cannot go",
    );
    refused(
        &[
            "--attachment-type",
            "image",
            "--attachment-url",
            url,
            "--latitude",
            "1",
            "--longitude",
            "2",
        ],
        3,
        "invalid message: carries one of",
    );
    refused(
        &["--attachment-type", "gif", "--attachment-url", url],
        3,
        "invalid attachment type",
    );
    refused(
        &[
            "--attachment-type",
            "image",
            "--attachment-url",
            "http://example.com/a.jpg",
        ],
        3,
        "invalid attachment url",
    );
    refused(
        &[
            "--attachment-type",
            "image",
            "--attachment-url",
            url,
            "--filename",
            "a.jpg",
        ],
        3,
        "invalid attachment filename",
    );
    refused(
        &["--latitude", "90.5", "--longitude", "0"],
        3,
        "invalid location latitude",
    );
    refused(
        &["--latitude", "NaN", "--longitude", "0"],
        3,
        "invalid location latitude",
    );
    refused(
        &["--latitude", "0", "--longitude", "-180.01"],
        3,
        "invalid location longitude",
    );
    refused(
        &[
            "--text", "?", "--button", "a=A", "--button", "b=B", "--button", "c=C", "--button",
            "d=D",
        ],
        3,
        "invalid buttons",
    );
    refused(
        &["--text", "?", "--button", "a=A", "--button", "a=B"],
        3,
        "invalid button id",
    );
    refused(&["--button", "a=A"], 3, "invalid text");
    refused(
        &["--text", "hi", "--recipient-name", " "],
        3,
        "invalid recipient name",
    );
    refused(&["--text", "hi", "--sender", "+1"], 3, "invalid sender");
    refused(
        &["--text", "hi", "--message-id", ""],
        3,
        "invalid message id",
    );
    let rows: Vec<Value> = (0..11)
        .map(|i| json!({"id": format!("r{i}"), "text": "row"}))
        .collect();
    let eleven = file(
        &dir,
        "eleven.json",
        &json!({"button": "Open", "sections": [{"title": "S", "rows": rows}]}).to_string(),
    );
    refused(
        &["--text", "pick", "--list", &eleven],
        3,
        "invalid list rows",
    );
    let two = file(
        &dir,
        "two-contents.json",
        r#"{"location": {"latitude": 1, "longitude": 2},
            "attachments": [{"type": "image", "url": "https://example.com/a.jpg"}]}"#,
    );
    refused(&["--json", &two], 3, "invalid message: carries one of");

    // The files' shapes: exit 3, the file and the field named.
    let not_json = file(&dir, "not.json", "{\"button\":");
    refused(
        &["--text", "pick", "--list", &not_json],
        3,
        "not.json: invalid list: is not valid JSON",
    );
    let bad_row = file(
        &dir,
        "bad-row.json",
        r#"{"button": "Open", "sections": [{"title": "S", "rows": [{"id": 1, "text": "A"}]}]}"#,
    );
    refused(
        &["--text", "pick", "--list", &bad_row],
        3,
        "`sections[0].rows[0].id` must be a string",
    );
    let no_button = file(&dir, "no-button.json", r#"{"sections": []}"#);
    refused(
        &["--text", "pick", "--list", &no_button],
        3,
        "`button` is missing",
    );
    let snake = file(&dir, "snake.json", r#"{"text": "hi", "list_message": {}}"#);
    refused(
        &["--json", &snake],
        3,
        "`list_message` is not a known field",
    );
    let attachments = file(
        &dir,
        "attachments.json",
        r#"{"attachments": [{"type": "image", "url": "https://example.com/a.jpg"},
                            {"type": "image", "url": "https://example.com/b.jpg"}]}"#,
    );
    refused(
        &["--json", &attachments],
        3,
        "holds more than one attachment",
    );
    let latitude = file(
        &dir,
        "latitude.json",
        r#"{"location": {"latitude": "1", "longitude": 2}}"#,
    );
    refused(
        &["--json", &latitude],
        3,
        "`location.latitude` must be a number",
    );

    // Usage: exit 2, before anything is read.
    refused(
        &["--text", "hi", "--header", "H"],
        2,
        "<--button <ID=TEXT>|--list <FILE>>",
    );
    refused(&["--text", "hi", "--json", &two], 2, "--json");
    refused(&["--attachment-url", url], 2, "--attachment-type");
    refused(
        &["--latitude", "north", "--longitude", "0"],
        2,
        "--latitude",
    );
    refused(
        &["--text", "?", "--button", "no-equals-sign"],
        2,
        "expected ID=TEXT",
    );

    // A file that cannot be read: exit 1.
    let missing = dir.join("missing.json");
    refused(&["--json", missing.to_str().unwrap()], 1, "cannot read");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn send_template_sends_every_field() {
    let mock = MockServer::start().unwrap();
    let out = run(
        &mock,
        &[
            "send-template",
            "--to",
            TO,
            "--template",
            "order_update",
            "--param",
            "body_1=Ada",
            "--language",
            "en_US",
            "--callback-data",
            r#"{"orderId": 42, "tags": ["a"]}"#,
            "--sender",
            "+14151111234",
            "--campaign-name",
            "autumn",
        ],
    );
    ok(&out);
    let request = only_request(&mock);
    assert_request(
        &mock,
        &request,
        "POST",
        "/send/whatsapp_templated_messages",
        &json!({"number": TO, "templateName": "order_update", "language": "en_US",
            "parameters": [{"name": "body_1", "value": "Ada"}], "sender": "+14151111234",
            "callbackData": {"orderId": 42, "tags": ["a"]}, "campaignName": "autumn"}),
    );
    let shown: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(shown["body"]["id"], mock.messages()[0].id.as_str());

    // Any JSON is callback data, a bare string too.
    ok(&run(
        &mock,
        &[
            "send-template",
            "--to",
            "bsuid:US.1",
            "--template",
            "t",
            "--callback-data",
            "\"x\"",
        ],
    ));
    assert_eq!(
        only_request(&mock).json().unwrap(),
        json!({"number": "bsuid:US.1", "templateName": "t", "parameters": [], "callbackData": "x"})
    );

    let base = ["send-template", "--to", TO, "--template", "t"];
    let refused = |args: &[&str], needle: &str| {
        assert_refused(&mock, &[&base[..], args].concat(), 3, needle);
    };
    refused(
        &["--callback-data", "{not json"],
        "invalid callback data: is not valid JSON",
    );
    let big = format!("\"{}\"", "x".repeat(1023));
    refused(
        &["--callback-data", &big],
        "invalid callback data: is 1025 bytes",
    );
    refused(&["--language", " "], "invalid language");
    refused(&["--sender", "+12"], "invalid sender");
    refused(&["--campaign-name", ""], "invalid campaign name");
    refused(
        &["--param", "a=1", "--param", "a=2"],
        "invalid template parameter name",
    );
    let exactly = format!("\"{}\"", "x".repeat(1022));
    ok(&run(
        &mock,
        &[&base[..], &["--callback-data", &exactly]].concat(),
    ));
    assert_eq!(
        mock.request_count(),
        1,
        "1024 bytes of callback data are sent"
    );
}

/// The id of the mock's registration for `topic`.
fn webhook_id(mock: &MockServer, topic: &str) -> String {
    mock.webhook_registrations()
        .into_iter()
        .find(|w| w.topic == topic)
        .unwrap()
        .id
}

/// A line of `webhooks list`: id, topic, address, and the configuration parsed.
fn columns(line: &str) -> (String, String, String, Value) {
    let columns: Vec<&str> = line.split('\t').collect();
    let [id, topic, address, configuration] = columns[..] else {
        panic!("{line:?} does not have four columns");
    };
    (
        id.to_owned(),
        topic.to_owned(),
        address.to_owned(),
        serde_json::from_str(configuration).unwrap(),
    )
}

/// `webhooks list`, its lines sorted.
fn listed(mock: &MockServer, json: bool) -> Vec<String> {
    let out = run(
        mock,
        if json {
            &["webhooks", "list", "--json"]
        } else {
            &["webhooks", "list"]
        },
    );
    ok(&out);
    let request = only_request(mock);
    assert_request(mock, &request, "GET", "/webhooks", &Value::Null);
    let mut lines: Vec<String> = stdout(&out).lines().map(str::to_owned).collect();
    lines.sort();
    lines
}

#[test]
fn webhooks_create_list_update_delete_and_upsert_when_a_second_create_replaces() {
    let mock = MockServer::start().unwrap();
    let out = run(&mock, &["webhooks", "list"]);
    ok(&out);
    assert_eq!(stdout(&out), "");
    assert!(stderr(&out).contains("no webhooks are registered"));
    mock.clear_requests();

    ok(&run(
        &mock,
        &[
            "webhooks",
            "create",
            "--address",
            "https://example.com/in",
            "--type",
            "custom",
            "--configuration",
            r#"{"echo": false, "channelTypes": ["whatsapp"]}"#,
        ],
    ));
    assert_request(
        &mock,
        &only_request(&mock),
        "POST",
        "/create/webhooks",
        &json!({"topic": "messages", "address": "https://example.com/in", "type": "custom",
            "configuration": {"echo": false, "channelTypes": ["whatsapp"]}}),
    );
    ok(&run(
        &mock,
        &[
            "create-webhook",
            "--topic",
            "delivery_status",
            "--address",
            "https://example.com/st",
        ],
    ));
    assert_request(
        &mock,
        &only_request(&mock),
        "POST",
        "/create/webhooks",
        &json!({"topic": "delivery_status", "address": "https://example.com/st"}),
    );
    let (messages, statuses) = (
        webhook_id(&mock, "messages"),
        webhook_id(&mock, "delivery_status"),
    );
    let mut expected = vec![
        (
            messages.clone(),
            "messages".to_owned(),
            "https://example.com/in".to_owned(),
            json!({"echo": false, "channelTypes": ["whatsapp"]}),
        ),
        (
            statuses.clone(),
            "delivery_status".to_owned(),
            "https://example.com/st".to_owned(),
            json!({}),
        ),
    ];
    expected.sort_by(|a, b| a.0.cmp(&b.0));
    let lines: Vec<_> = listed(&mock, false).iter().map(|l| columns(l)).collect();
    assert_eq!(lines, expected);
    let lines: Vec<Value> = listed(&mock, true)
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let entry = lines.iter().find(|l| l["id"] == messages.as_str()).unwrap();
    assert_eq!(entry["topic"], "messages");
    assert_eq!(entry["address"], "https://example.com/in");
    assert_eq!(entry["raw"]["configuration"], entry["configuration"]);

    ok(&run(
        &mock,
        &[
            "webhooks",
            "update",
            &messages,
            "--address",
            "https://example.com/new",
        ],
    ));
    assert_request(
        &mock,
        &only_request(&mock),
        "PUT",
        &format!("/update/webhooks/{messages}"),
        &json!({"address": "https://example.com/new"}),
    );
    ok(&run(
        &mock,
        &[
            "webhooks",
            "update",
            &statuses,
            "--configuration",
            r#"{"echo": true}"#,
        ],
    ));
    assert_request(
        &mock,
        &only_request(&mock),
        "PUT",
        &format!("/update/webhooks/{statuses}"),
        &json!({"configuration": {"echo": true}}),
    );

    // A second create replaces: upsert is that one request.
    ok(&run(
        &mock,
        &["webhooks", "upsert", "--address", "https://example.com/up"],
    ));
    assert_request(
        &mock,
        &only_request(&mock),
        "POST",
        "/create/webhooks",
        &json!({"topic": "messages", "address": "https://example.com/up"}),
    );
    let messages = webhook_id(&mock, "messages");
    assert!(mock
        .webhooks()
        .contains(&("messages".into(), "https://example.com/up".into())));

    ok(&run(&mock, &["webhooks", "delete", &messages]));
    assert_request(
        &mock,
        &only_request(&mock),
        "DELETE",
        &format!("/delete/webhooks/{messages}"),
        &Value::Null,
    );
    assert_eq!(
        mock.webhooks(),
        [(
            "delivery_status".to_owned(),
            "https://example.com/st".to_owned()
        )]
    );

    // Unknown ids are the API's 404: refused, exit 6.
    let out = run(&mock, &["webhooks", "delete", &messages]);
    assert_eq!(code(&out), 6, "{}", stderr(&out));
    assert!(stderr(&out).contains("404"), "{}", stderr(&out));
    mock.clear_requests();
    let out = run(
        &mock,
        &[
            "webhooks",
            "update",
            "wh/1 2%",
            "--address",
            "https://example.com/x",
        ],
    );
    assert_eq!(code(&out), 6, "{}", stderr(&out));
    assert_eq!(
        only_request(&mock).path,
        format!(
            "/v1/businesses/{}/update/webhooks/wh%2F1%202%25",
            mock.business_id()
        )
    );

    // The core's rules: exit 3, nothing sent.
    assert_refused(
        &mock,
        &["webhooks", "update", &statuses],
        3,
        "invalid webhook update",
    );
    assert_refused(
        &mock,
        &[
            "webhooks",
            "update",
            "..",
            "--address",
            "https://example.com/x",
        ],
        3,
        "invalid webhook id",
    );
    assert_refused(&mock, &["webhooks", "delete", ""], 3, "invalid webhook id");
    assert_refused(
        &mock,
        &["webhooks", "create", "--address", "http://example.com/in"],
        3,
        "invalid webhook address",
    );
    assert_refused(
        &mock,
        &[
            "webhooks",
            "create",
            "--address",
            "https://example.com/in",
            "--configuration",
            "[1]",
        ],
        3,
        "invalid configuration: must be a JSON object",
    );
    assert_refused(
        &mock,
        &[
            "webhooks",
            "upsert",
            "--address",
            "https://example.com/in",
            "--configuration",
            "{",
        ],
        3,
        "invalid configuration: is not valid JSON",
    );
    assert_refused(
        &mock,
        &[
            "webhooks",
            "create",
            "--address",
            "https://example.com/in",
            "--type",
            "",
        ],
        3,
        "invalid webhook type",
    );
    assert_refused(
        &mock,
        &["webhooks", "update", "--address", "https://example.com/x"],
        2,
        "<ID>",
    );
}

#[test]
fn webhooks_upsert_updates_when_a_second_create_is_refused_with_409() {
    let mock = MockServer::builder()
        .webhook_conflicts(true)
        .start()
        .unwrap();
    ok(&run(
        &mock,
        &[
            "webhooks",
            "create",
            "--address",
            "https://example.com/first",
        ],
    ));
    mock.clear_requests();
    let id = webhook_id(&mock, "messages");

    let out = run(
        &mock,
        &[
            "webhooks",
            "create",
            "--address",
            "https://example.com/second",
        ],
    );
    assert_eq!(
        code(&out),
        6,
        "a second create is refused: {}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("409"), "{}", stderr(&out));
    mock.clear_requests();

    let out = run(
        &mock,
        &[
            "webhooks",
            "upsert",
            "--address",
            "https://example.com/second",
            "--configuration",
            r#"{"echo": true}"#,
        ],
    );
    ok(&out);
    let requests = mock.requests();
    assert_eq!(requests.len(), 3, "{requests:?}");
    assert_request(
        &mock,
        &requests[0],
        "POST",
        "/create/webhooks",
        &json!({"topic": "messages", "address": "https://example.com/second", "configuration": {"echo": true}}),
    );
    assert_request(&mock, &requests[1], "GET", "/webhooks", &Value::Null);
    assert_request(
        &mock,
        &requests[2],
        "PUT",
        &format!("/update/webhooks/{id}"),
        &json!({"address": "https://example.com/second", "configuration": {"echo": true}}),
    );
    let shown: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(shown["status"], 200);
    assert_eq!(shown["body"]["address"], "https://example.com/second");
    mock.clear_requests();
    let lines: Vec<_> = listed(&mock, false).iter().map(|l| columns(l)).collect();
    assert_eq!(
        lines,
        [(
            id.clone(),
            "messages".to_owned(),
            "https://example.com/second".to_owned(),
            json!({"echo": true})
        )]
    );

    // Update and delete act on the one registration the same way in this mode.
    ok(&run(
        &mock,
        &[
            "webhooks",
            "update",
            &id,
            "--address",
            "https://example.com/third",
        ],
    ));
    assert_request(
        &mock,
        &only_request(&mock),
        "PUT",
        &format!("/update/webhooks/{id}"),
        &json!({"address": "https://example.com/third"}),
    );
    ok(&run(&mock, &["webhooks", "delete", &id]));
    assert_request(
        &mock,
        &only_request(&mock),
        "DELETE",
        &format!("/delete/webhooks/{id}"),
        &Value::Null,
    );
    assert!(mock.webhooks().is_empty());

    // With nothing registered, upsert is a plain create.
    ok(&run(
        &mock,
        &[
            "webhooks",
            "upsert",
            "--topic",
            "delivery_status",
            "--address",
            "https://example.com/st",
        ],
    ));
    assert_request(
        &mock,
        &only_request(&mock),
        "POST",
        "/create/webhooks",
        &json!({"topic": "delivery_status", "address": "https://example.com/st"}),
    );
}

#[test]
fn templates_list_prints_one_line_per_template_and_language() {
    let mock = MockServer::start().unwrap();
    let groups = json!([
        {"id": "g1", "name": "order_update", "category": "UTILITY", "templates": [
            {"id": "t1", "language": {"code": "en_US"}, "status": "MESSAGE_TEMPLATE_STATUS_APPROVED"},
            {"id": "t2", "language": {"code": "pt_BR"}, "status": "MESSAGE_TEMPLATE_STATUS_PENDING"}
        ]},
        {"id": "g2", "name": "summer_sale", "templates": [
            {"id": "t3", "language": "en", "status": "MESSAGE_TEMPLATE_STATUS_REJECTED",
             "rejectionReason": "PROMOTIONAL"}
        ]},
        {"id": "g3", "name": "account_alert", "category": "UTILITY", "templates": [
            {"id": "t4", "language": {"code": "en"}, "status": "MESSAGE_TEMPLATE_STATUS_REJECTED",
             "externalTemplate": {"whatsapp": {"rejectedReason": "INVALID\tFORMAT"}}}
        ]}
    ]);
    mock.set_templates(groups.clone());
    let out = run(&mock, &["templates", "list"]);
    ok(&out);
    assert_request(
        &mock,
        &only_request(&mock),
        "POST",
        "/get/templates",
        &Value::Null,
    );
    assert_eq!(
        stdout(&out),
        "order_update\ten_US\tMESSAGE_TEMPLATE_STATUS_APPROVED\tUTILITY\n\
         order_update\tpt_BR\tMESSAGE_TEMPLATE_STATUS_PENDING\tUTILITY\n\
         summer_sale\ten\tMESSAGE_TEMPLATE_STATUS_REJECTED\t-\tPROMOTIONAL\n\
         account_alert\ten\tMESSAGE_TEMPLATE_STATUS_REJECTED\tUTILITY\t\"INVALID\\tFORMAT\"\n"
    );

    let out = run(&mock, &["templates", "list", "--json"]);
    ok(&out);
    let lines: Vec<Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(
        lines[2],
        json!({"name": "summer_sale", "group": "g2", "language": "en",
            "status": "MESSAGE_TEMPLATE_STATUS_REJECTED", "category": null,
            "rejection_reason": "PROMOTIONAL", "raw": groups[1]["templates"][0]})
    );
    assert_eq!(lines[3]["rejection_reason"], "INVALID\tFORMAT");

    mock.set_templates(json!([]));
    let out = run(&mock, &["templates", "list"]);
    ok(&out);
    assert_eq!(stdout(&out), "");
    assert!(stderr(&out).contains("no templates"));

    // Failures map to their exit codes.
    let out = against(&mock)
        .env("CONNECTLY_API_KEY", "wrong")
        .args(["templates", "list"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 4, "{}", stderr(&out));
    mock.fail_next([Failure::server_error()]);
    let out = run(&mock, &["templates", "list", "--max-retries", "0"]);
    assert_eq!(code(&out), 7, "{}", stderr(&out));
}

#[test]
fn campaign_send_prints_the_counts() {
    let mock = MockServer::builder()
        .unpublished_campaign("draft")
        .start()
        .unwrap();
    let dir = tempdir();
    let jsonl = file(
        &dir,
        "entries.jsonl",
        concat!(
            r#"{"client": "+15555555555", "campaign_name": "autumn", "variables": {"name": "Ada"}}"#,
            "\n\n",
            r#"{"client": "+15555555556", "campaignName": "autumn", "variables": [["b", "2"], ["a", "1"]], "campaignVersion": "v2", "sender": "+14151111234", "scheduledAt": "2030-01-01T00:00:00Z"}"#,
            "\n",
            r#"{"client": "bsuid:US.7", "version": "v3", "scheduled_at": "2030-01-02T00:00:00Z"}"#,
            "\n",
        ),
    );
    let out = run(
        &mock,
        &["campaign", "send", &jsonl, "--campaign-name", "spring"],
    );
    ok(&out);
    assert_eq!(
        stdout(&out),
        "sent 3 entries: 3 accepted, 0 rejected (HTTP 200, 1 attempt(s))\n"
    );
    assert_request(
        &mock,
        &only_request(&mock),
        "POST",
        "/send/campaigns",
        &json!({"entries": [
            {"client": "+15555555555", "campaignName": "autumn", "variables": {"name": "Ada"}},
            {"client": "+15555555556", "campaignName": "autumn", "campaignVersion": "v2",
             "variables": {"b": "2", "a": "1"}, "sender": "+14151111234",
             "scheduledAt": "2030-01-01T00:00:00Z"},
            {"client": "bsuid:US.7", "campaignName": "spring", "campaignVersion": "v3",
             "scheduledAt": "2030-01-02T00:00:00Z"}
        ]}),
    );

    // A JSON file: a list, or {"entries": [...]}; --json prints the whole result.
    let list = file(
        &dir,
        "list.json",
        r#"[{"client": "+15555555555", "campaign_name": "autumn"}]"#,
    );
    let out = run(&mock, &["campaign", "send", &list, "--json"]);
    ok(&out);
    let shown: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        (
            shown["entries"].clone(),
            shown["accepted"].clone(),
            shown["rejected"].clone(),
            shown["error"].clone(),
            shown["status"].clone()
        ),
        (json!(1), json!(1), json!(0), Value::Null, json!(200))
    );
    assert_eq!(shown["body"]["data"][0]["acceptedCount"], 1);
    let request = only_request(&mock);
    assert_eq!(
        request.json().unwrap(),
        json!({"entries": [{"client": "+15555555555", "campaignName": "autumn"}]})
    );
    let wrapped = file(
        &dir,
        "wrapped.json",
        r#"{"entries": [{"client": "+15555555555", "campaignName": "autumn"}]}"#,
    );
    ok(&run(&mock, &["campaign", "send", &wrapped]));
    assert_eq!(only_request(&mock).json().unwrap(), request.json().unwrap());

    // Counts and an error as the reply gives them; a reply without counts says so.
    mock.fail_next([Failure::status(200).with_body(
        r#"{"data": [{"acceptedCount": 1, "rejectedCount": 2, "error": {"message": "2 numbers opted out"}}], "cntTraceId": "77"}"#,
    )]);
    let out = run(
        &mock,
        &["campaign", "send", &jsonl, "--campaign-name", "spring"],
    );
    ok(&out);
    assert_eq!(
        stdout(&out),
        "sent 3 entries: 1 accepted, 2 rejected (HTTP 200, 1 attempt(s), trace id 77)\n\
         the reply reports an error: {\"message\":\"2 numbers opted out\"}\n"
    );
    mock.fail_next([Failure::status(200).with_body("{}")]);
    let out = run(&mock, &["campaign", "send", &list]);
    ok(&out);
    assert_eq!(
        stdout(&out),
        "sent 1 entry: the reply carries no counts (HTTP 200, 1 attempt(s))\n"
    );

    // An unpublished campaign is the API's 409.
    mock.clear_requests();
    let draft = file(
        &dir,
        "draft.jsonl",
        r#"{"client": "+15555555555", "campaign_name": "draft"}"#,
    );
    let out = run(&mock, &["campaign", "send", &draft]);
    assert_eq!(code(&out), 6, "{}", stderr(&out));
    assert!(stderr(&out).contains("409"), "{}", stderr(&out));
    mock.clear_requests();

    let refused = |contents: &str, name: &str, expected: i32, needle: &str| {
        let path = file(&dir, name, contents);
        assert_refused(&mock, &["campaign", "send", &path], expected, needle);
    };
    refused(
        r#"{"client": "+1", "campaign_name": "autumn"}"#,
        "short.jsonl",
        3,
        "invalid client",
    );
    refused("\n", "empty.jsonl", 3, "invalid campaign entries: is empty");
    refused("[]", "empty.json", 3, "invalid campaign entries: is empty");
    refused(
        r#"{"client": "+15555555555", "campaign_name": ""}"#,
        "blank.jsonl",
        3,
        "invalid campaign name",
    );
    refused(
        r#"{"client": "+15555555555", "campaign_name": "a", "variables": [["x", "1"], ["x", "2"]]}"#,
        "twice.jsonl",
        3,
        "invalid variables",
    );
    refused(
        "{\"client\": \"+15555555555\", \"campaign_name\": \"a\"}\n{\"client\": \"+15555555556\"}\n",
        "unnamed.jsonl",
        3,
        "unnamed.jsonl, line 2: `campaign_name` is missing",
    );
    refused(
        r#"{"client": "+15555555555", "campaign_name": "a", "variables": {"n": 1}}"#,
        "number.jsonl",
        3,
        "`variables` must be an object of strings",
    );
    refused(
        r#"{"client": "+15555555555", "campaign_name": "a", "campaignName": "b"}"#,
        "both.jsonl",
        3,
        "`campaignName` and `campaign_name` are the same field",
    );
    refused(
        r#"[{"client": "+15555555555", "campaign": "a"}]"#,
        "typo.json",
        3,
        "`[0].campaign` is not a known field",
    );
    refused(
        r#"{"client": "+15555555555"}"#,
        "one.json",
        3,
        "must hold a list of entries",
    );
    refused("not json\n", "bad.jsonl", 3, "line 1: is not a JSON object");
    refused(
        "[",
        "bad.json",
        3,
        "invalid campaign entries: is not valid JSON",
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bulk_sends_rows_of_every_kind() {
    let mock = MockServer::start().unwrap();
    let dir = tempdir();
    let jsonl = file(
        &dir,
        "rows.jsonl",
        concat!(
            r#"{"to": "+15555555555", "message": {"attachments": [{"type": "image", "url": "https://example.com/a.jpg", "caption": "Ada"}]}, "recipient_name": "Ada", "sender": "+14151111234"}"#,
            "\n",
            r#"{"to": "+15555555555", "template": "order_update", "params": [["body_1", "Ada"]], "language": "en_US", "callback_data": {"orderId": 42}, "campaign_name": "autumn", "sender": "+14151111234"}"#,
            "\n",
            r#"{"to": "+15555555555", "text": "hi", "channel": "sms"}"#,
            "\n",
        ),
    );
    let out = run(&mock, &["bulk", "--concurrency", "1", &jsonl]);
    ok(&out);
    let requests = mock.requests();
    assert_eq!(requests.len(), 3);
    let body = |path: &str| {
        requests
            .iter()
            .find(|r| {
                r.path.ends_with(path)
                    && (path != "/send/messages"
                        || r.json().unwrap()["recipient"]["channelType"] == "whatsapp")
            })
            .unwrap()
            .json()
            .unwrap()
    };
    assert_eq!(
        body("/send/messages"),
        json!({"sender": {"channelType": "whatsapp", "id": "+14151111234"},
            "recipient": {"channelType": "whatsapp", "id": "+15555555555", "name": "Ada"},
            "message": {"attachments": [{"type": "image", "url": "https://example.com/a.jpg", "caption": "Ada"}]}})
    );
    assert_eq!(
        body("/send/whatsapp_templated_messages"),
        json!({"number": "+15555555555", "templateName": "order_update", "language": "en_US",
            "parameters": [{"name": "body_1", "value": "Ada"}], "sender": "+14151111234",
            "callbackData": {"orderId": 42}, "campaignName": "autumn"})
    );
    mock.clear_requests();

    let csv = file(
        &dir,
        "rows.csv",
        "to,template,language,sender,callback_data,param.name\n\
         +15555555555,welcome,en,,\"{\"\"a\"\":1}\",Ada\n\
         +15555555556,welcome,,+14151111234,,Bob\n",
    );
    ok(&run(&mock, &["bulk", "--concurrency", "1", &csv]));
    let mut bodies: Vec<Value> = mock.requests().iter().map(|r| r.json().unwrap()).collect();
    bodies.sort_by_key(|b| b["number"].as_str().unwrap().to_owned());
    assert_eq!(
        bodies,
        [
            json!({"number": "+15555555555", "templateName": "welcome", "language": "en",
                "parameters": [{"name": "name", "value": "Ada"}], "callbackData": {"a": 1}}),
            json!({"number": "+15555555556", "templateName": "welcome", "sender": "+14151111234",
                "parameters": [{"name": "name", "value": "Bob"}]}),
        ]
    );
    mock.clear_requests();

    let refused = |contents: &str, name: &str, needle: &str| {
        let path = file(&dir, name, contents);
        assert_refused(&mock, &["bulk", &path], 3, needle);
    };
    refused(
        r#"{"to": "+15555555555", "text": "hi", "language": "en"}"#,
        "language.jsonl",
        "line 1: `language` goes with `template` only",
    );
    refused(
        r#"{"to": "+15555555555", "text": "hi", "message": {"text": "hi"}}"#,
        "both.jsonl",
        "line 1: give exactly one of `text`, `message` and `template`",
    );
    refused(
        r#"{"to": "+15555555555", "message": {"attachments": [{"type": "gif", "url": "https://example.com/a"}]}}"#,
        "gif.jsonl",
        "line 1: `message.attachments[0].type`: invalid attachment type",
    );
    refused(
        r#"{"to": "+15555555555", "message": {"attachments": {"type": "image"}}}"#,
        "shape.jsonl",
        "line 1: `message.attachments` must be a list",
    );
    refused(
        "to,template,callback_data\n+15555555555,welcome,{oops\n",
        "data.csv",
        "line 2: invalid callback data: is not valid JSON",
    );
    let _ = std::fs::remove_dir_all(&dir);
}
