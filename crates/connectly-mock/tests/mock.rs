#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The mock Connectly server, driven over real HTTP.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use connectly::Webhook;
use connectly_mock::{Failure, MockError, MockServer};
use serde_json::{json, Value};

const TEXT: &str = "/send/messages";
const TEMPLATE: &str = "/send/whatsapp_templated_messages";
const WEBHOOKS: &str = "/create/webhooks";

fn http() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

fn json_of(response: reqwest::blocking::Response) -> Value {
    serde_json::from_slice(&response.bytes().unwrap()).unwrap()
}

fn endpoint(mock: &MockServer, path: &str) -> String {
    format!("{}/v1/businesses/{}{path}", mock.url(), mock.business_id())
}

/// POSTs `body` as JSON with the mock's key; returns the status, headers and parsed body.
fn post(mock: &MockServer, path: &str, body: &Value) -> (u16, reqwest::header::HeaderMap, Value) {
    let response = http()
        .post(endpoint(mock, path))
        .header("X-API-Key", mock.api_key())
        .header("Content-Type", "application/json")
        .header("Accept", "application/json")
        .body(body.to_string())
        .send()
        .unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().unwrap();
    let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, headers, value)
}

fn text_body(id: &str, text: &str) -> Value {
    json!({"recipient": {"channelType": "whatsapp", "id": id}, "message": {"text": text}})
}

fn is_digits(value: &Value) -> bool {
    value
        .as_str()
        .is_some_and(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
}

/// Asserts the documented error format, and returns the code.
fn error_code(status: u16, body: &Value, expected_status: u16, expected_type: &str) -> String {
    assert_eq!(status, expected_status, "{body}");
    for field in ["message", "userTitle", "userMessage"] {
        assert!(body[field].is_string(), "{field} in {body}");
    }
    assert!(is_digits(&body["cntTraceId"]), "{body}");
    assert_eq!(body["details"], json!({}));
    assert_eq!(body["type"], expected_type, "{body}");
    body["code"].as_str().unwrap().to_owned()
}

/// Writes raw bytes on a new connection and reads until the server closes it.
fn raw_exchange(mock: &MockServer, request: &[u8]) -> String {
    let mut stream = TcpStream::connect(mock.addr()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    stream.write_all(request).unwrap();
    let mut out = Vec::new();
    stream.read_to_end(&mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// Reads one response with a Content-Length body: (status line, headers, body).
fn read_response(reader: &mut impl BufRead) -> (String, Vec<(String, String)>, String) {
    let mut status = String::new();
    reader.read_line(&mut status).unwrap();
    let (headers, body) = read_headers_and_body(reader);
    (
        status.trim_end().to_owned(),
        headers,
        String::from_utf8(body).unwrap(),
    )
}

/// Reads the header lines after a start line (names lower-cased), then a Content-Length body.
fn read_headers_and_body(reader: &mut impl BufRead) -> (Vec<(String, String)>, Vec<u8>) {
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':').unwrap();
        headers.push((name.to_ascii_lowercase(), value.trim().to_owned()));
    }
    let len: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .map_or(0, |(_, v)| v.parse().unwrap());
    let mut body = vec![0; len];
    reader.read_exact(&mut body).unwrap();
    (headers, body)
}

/// What a test receiver saw: headers (lower-case names) and the body.
type Received = (Vec<(String, String)>, Vec<u8>);

/// A one-request-per-connection webhook receiver answering `status`; reports what it got.
fn receiver(status: u16) -> (String, mpsc::Receiver<Received>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            if reader.read_line(&mut line).is_err() {
                continue;
            }
            let (headers, body) = read_headers_and_body(&mut reader);
            let mut stream = stream;
            let answer = if status == 200 { "ok" } else { "bad signature" };
            write!(
                stream,
                "HTTP/1.1 {status} X\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
                answer.len()
            )
            .unwrap();
            if tx.send((headers, body)).is_err() {
                return;
            }
        }
    });
    (url, rx)
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

#[test]
fn send_text_succeeds_and_is_recorded() {
    let mock = MockServer::start().unwrap();
    assert_eq!(mock.api_key(), "mock-api-key");
    assert_eq!(mock.business_id(), "mock-business");
    assert_eq!(mock.webhook_secret(), "mock-webhook-secret");
    assert!(mock.url().starts_with("http://127.0.0.1:"));
    let body = text_body("+15555555555", "hello!");
    let (status, _, answer) = post(&mock, TEXT, &body);
    assert_eq!(status, 200, "{answer}");
    assert!(answer["id"].as_str().is_some_and(|s| !s.is_empty()));
    assert!(is_digits(&answer["cntTraceId"]));
    let (_, _, second) = post(&mock, TEXT, &body);
    assert_ne!(second["id"], answer["id"], "ids are unique");

    let requests = mock.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(mock.request_count(), 2);
    let first = &requests[0];
    assert_eq!(first.method, "POST");
    assert_eq!(first.path, "/v1/businesses/mock-business/send/messages");
    assert_eq!(first.header("x-api-key"), Some("mock-api-key"));
    assert_eq!(first.header("CONTENT-TYPE"), Some("application/json"));
    assert_eq!(first.json(), Some(body));
    mock.clear_requests();
    assert!(mock.requests().is_empty());
    assert_eq!(mock.request_count(), 0);
}

#[test]
fn send_template_and_user_ids_succeed() {
    let mock = MockServer::start().unwrap();
    let body = json!({
        "parameters": [{"name": "var1", "value": "value1"}, {"name": "var2", "value": "value2"}],
        "number": "+15555555555",
        "templateName": "welcome"
    });
    let (status, _, answer) = post(&mock, TEMPLATE, &body);
    assert_eq!(status, 200, "{answer}");
    assert!(is_digits(&answer["cntTraceId"]));
    let no_params = json!({"parameters": [], "number": "+15555555555", "templateName": "hi"});
    assert_eq!(post(&mock, TEMPLATE, &no_params).0, 200);
    // Provider-scoped ids and other channels pass through.
    let sms =
        json!({"recipient": {"channelType": "sms", "id": "user-42"}, "message": {"text": "x"}});
    assert_eq!(post(&mock, TEXT, &sms).0, 200);
}

#[test]
fn webhooks_register_and_replace_per_topic() {
    let mock = MockServer::start().unwrap();
    let create = |topic: &str, address: &str| {
        let (status, _, answer) = post(
            &mock,
            WEBHOOKS,
            &json!({"topic": topic, "address": address}),
        );
        assert_eq!(status, 200, "{answer}");
        assert_eq!(
            (&answer["topic"], &answer["address"]),
            (&json!(topic), &json!(address))
        );
        assert!(
            answer["id"].as_str().is_some_and(|id| !id.is_empty()),
            "{answer}"
        );
    };
    create("messages", "https://example.com/a");
    create("delivery_status", "https://example.com/b");
    create("messages", "https://example.com/c");
    assert_eq!(
        mock.webhooks(),
        vec![
            ("messages".to_owned(), "https://example.com/c".to_owned()),
            (
                "delivery_status".to_owned(),
                "https://example.com/b".to_owned()
            ),
        ]
    );
}

#[test]
fn authentication_business_method_and_path_are_checked() {
    let mock = MockServer::start().unwrap();
    let body = text_body("+15555555555", "hi").to_string();
    let client = http();
    let send = |request: reqwest::blocking::RequestBuilder| {
        let response = request.send().unwrap();
        let status = response.status().as_u16();
        let allow = response
            .headers()
            .get("allow")
            .map(|v| v.to_str().unwrap().to_owned());
        (status, json_of(response), allow)
    };
    let json_post = |url: String| {
        client
            .post(url)
            .header("Content-Type", "application/json")
            .body(body.clone())
    };

    let (status, answer, _) = send(json_post(endpoint(&mock, TEXT)));
    let code = error_code(status, &answer, 401, "ERROR_TYPE_AUTHENTICATION");
    assert_eq!(code, "ERROR_CODE_API_KEY_INVALID");
    let (status, answer, _) = send(json_post(endpoint(&mock, TEXT)).header("X-API-Key", "nope"));
    error_code(status, &answer, 401, "ERROR_TYPE_AUTHENTICATION");

    let other = format!("{}/v1/businesses/someone-else{TEXT}", mock.url());
    let (status, answer, _) = send(json_post(other).header("X-API-Key", mock.api_key()));
    let code = error_code(status, &answer, 404, "ERROR_TYPE_INVALID_REQUEST");
    assert_eq!(code, "ERROR_CODE_BUSINESS_NOT_FOUND");

    let (status, answer, allow) = send(
        client
            .get(endpoint(&mock, TEXT))
            .header("X-API-Key", mock.api_key()),
    );
    error_code(status, &answer, 405, "ERROR_TYPE_INVALID_REQUEST");
    assert_eq!(allow.as_deref(), Some("POST"));

    for path in [
        "/v1/businesses/mock-business/send/nothing",
        "/v2/x",
        "/",
        "/v1/businesses/mock-business",
    ] {
        let url = format!("{}{path}", mock.url());
        let (status, answer, _) = send(json_post(url).header("X-API-Key", mock.api_key()));
        let code = error_code(status, &answer, 404, "ERROR_TYPE_INVALID_REQUEST");
        assert_eq!(code, "ERROR_CODE_NOT_FOUND", "{path}");
    }
    // Everything outside /_mock/ is recorded, refused or not.
    assert_eq!(mock.request_count(), 8);
}

#[test]
fn content_type_must_be_json() {
    let mock = MockServer::start().unwrap();
    let body = text_body("+15555555555", "hi").to_string();
    let with = |content_type: Option<&str>| {
        let mut request = http()
            .post(endpoint(&mock, TEXT))
            .header("X-API-Key", mock.api_key())
            .body(body.clone());
        if let Some(content_type) = content_type {
            request = request.header("Content-Type", content_type);
        }
        let response = request.send().unwrap();
        (response.status().as_u16(), json_of(response))
    };
    assert_eq!(with(Some("application/json; charset=utf-8")).0, 200);
    assert_eq!(with(Some("Application/JSON")).0, 200);
    for content_type in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        None,
    ] {
        let (status, answer) = with(content_type);
        let code = error_code(status, &answer, 415, "ERROR_TYPE_INVALID_REQUEST");
        assert_eq!(code, "ERROR_CODE_CONTENT_TYPE_INVALID");
    }
}

#[test]
fn body_shape_errors_have_fitting_codes() {
    let mock = MockServer::start().unwrap();
    let shape = "ERROR_CODE_INVALID_REQUEST_BODY";
    let phone = "ERROR_CODE_PHONE_NUMBER_BAD_FORMAT";
    let template = "ERROR_CODE_MESSAGE_TEMPLATE_INPUT_INVALID";
    let cases: Vec<(&str, Value, &str)> = vec![
        (TEXT, json!([1, 2]), shape),
        (TEXT, json!("text"), shape),
        (TEXT, json!({}), shape),
        (
            TEXT,
            json!({"recipient": {"channelType": "whatsapp", "id": "+15555555555"}}),
            shape,
        ),
        (
            TEXT,
            json!({"recipient": {"channelType": "whatsapp", "id": "+15555555555"}, "message": {"text": "a"}, "extra": 1}),
            shape,
        ),
        (
            TEXT,
            json!({"recipient": {"id": "+15555555555"}, "message": {"text": "a"}}),
            shape,
        ),
        (
            TEXT,
            json!({"recipient": {"channelType": "whatsapp", "id": 15555555555u64}, "message": {"text": "a"}}),
            shape,
        ),
        (
            TEXT,
            json!({"recipient": {"channelType": "", "id": "+15555555555"}, "message": {"text": "a"}}),
            shape,
        ),
        (
            TEXT,
            json!({"recipient": {"channelType": "whatsapp", "id": "+15555555555"}, "message": {"text": "a", "media": "x"}}),
            shape,
        ),
        (
            TEXT,
            json!({"recipient": {"channelType": "whatsapp", "id": "+15555555555"}, "message": "a"}),
            shape,
        ),
        (
            TEXT,
            text_body("+15555555555", ""),
            "ERROR_CODE_MESSAGE_TEXT_EMPTY",
        ),
        (
            TEXT,
            text_body("+15555555555", "  \n"),
            "ERROR_CODE_MESSAGE_TEXT_EMPTY",
        ),
        (TEXT, text_body("+1555555", "a"), phone),
        (TEXT, text_body("+1555555555555555", "a"), phone),
        (TEXT, text_body("+1555-555-5555", "a"), phone),
        (TEXT, text_body("+", "a"), phone),
        (TEXT, text_body("", "a"), phone),
        (
            TEMPLATE,
            json!({"number": "+15555555555", "templateName": "t"}),
            shape,
        ),
        (
            TEMPLATE,
            json!({"parameters": [], "number": "+15555555555", "templateName": "t", "locale": "en"}),
            shape,
        ),
        (
            TEMPLATE,
            json!({"parameters": [], "number": 1, "templateName": "t"}),
            shape,
        ),
        (
            TEMPLATE,
            json!({"parameters": [], "number": "+12", "templateName": "t"}),
            phone,
        ),
        (
            TEMPLATE,
            json!({"parameters": [], "number": "+15555555555", "templateName": ""}),
            "ERROR_CODE_MESSAGE_TEMPLATE_NOT_FOUND",
        ),
        (
            TEMPLATE,
            json!({"parameters": {"var1": "x"}, "number": "+15555555555", "templateName": "t"}),
            template,
        ),
        (
            TEMPLATE,
            json!({"parameters": ["x"], "number": "+15555555555", "templateName": "t"}),
            template,
        ),
        (
            TEMPLATE,
            json!({"parameters": [{"name": "a"}], "number": "+15555555555", "templateName": "t"}),
            template,
        ),
        (
            TEMPLATE,
            json!({"parameters": [{"name": "a", "value": 1}], "number": "+15555555555", "templateName": "t"}),
            template,
        ),
        (
            TEMPLATE,
            json!({"parameters": [{"name": "", "value": "1"}], "number": "+15555555555", "templateName": "t"}),
            template,
        ),
        (
            TEMPLATE,
            json!({"parameters": [{"name": "a", "value": "1", "x": 1}], "number": "+15555555555", "templateName": "t"}),
            template,
        ),
        (
            TEMPLATE,
            json!({"parameters": [{"name": "a", "value": "1"}, {"name": "a", "value": "2"}], "number": "+15555555555", "templateName": "t"}),
            template,
        ),
        (WEBHOOKS, json!({"topic": "messages"}), shape),
        (
            WEBHOOKS,
            json!({"topic": "messages", "address": "https://e.com", "secret": "x"}),
            shape,
        ),
        (
            WEBHOOKS,
            json!({"topic": 1, "address": "https://e.com"}),
            shape,
        ),
        (
            WEBHOOKS,
            json!({"topic": "orders", "address": "https://e.com"}),
            "ERROR_CODE_WEBHOOK_TOPIC_INVALID",
        ),
        (
            WEBHOOKS,
            json!({"topic": "messages", "address": "not a url"}),
            "ERROR_CODE_WEBHOOK_ADDRESS_INVALID",
        ),
        (
            WEBHOOKS,
            json!({"topic": "messages", "address": "ftp://e.com/x"}),
            "ERROR_CODE_WEBHOOK_ADDRESS_INVALID",
        ),
    ];
    for (path, body, expected) in &cases {
        let (status, _, answer) = post(&mock, path, body);
        let code = error_code(status, &answer, 400, "ERROR_TYPE_INVALID_REQUEST");
        assert_eq!(&code, expected, "{path} {body}");
    }
    // Not JSON at all.
    let response = http()
        .post(endpoint(&mock, TEXT))
        .header("X-API-Key", mock.api_key())
        .header("Content-Type", "application/json")
        .body("{not json")
        .send()
        .unwrap();
    let status = response.status().as_u16();
    let code = error_code(
        status,
        &json_of(response),
        400,
        "ERROR_TYPE_INVALID_REQUEST",
    );
    assert_eq!(code, shape);
    assert!(mock.webhooks().is_empty());
    assert_eq!(mock.request_count(), cases.len() + 1);
}

#[test]
fn keep_alive_serves_several_requests_on_one_connection() {
    let mock = MockServer::start().unwrap();
    let body = text_body("+15555555555", "hi").to_string();
    let request = format!(
        "POST /v1/businesses/mock-business/send/messages HTTP/1.1\r\nHost: x\r\n\
         X-API-Key: mock-api-key\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let stream = TcpStream::connect(mock.addr()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    // One, then two pipelined in a single write, then one more.
    writer.write_all(request.as_bytes()).unwrap();
    let (status, headers, _) = read_response(&mut reader);
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert!(header(&headers, "connection").is_none());
    writer
        .write_all(format!("{request}{request}").as_bytes())
        .unwrap();
    for _ in 0..2 {
        assert_eq!(read_response(&mut reader).0, "HTTP/1.1 200 OK");
    }
    // The last one asks to close.
    let closing = request.replacen("Host: x\r\n", "Host: x\r\nConnection: close\r\n", 1);
    writer.write_all(closing.as_bytes()).unwrap();
    let (status, headers, _) = read_response(&mut reader);
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert_eq!(header(&headers, "connection"), Some("close"));
    let mut rest = Vec::new();
    reader.read_to_end(&mut rest).unwrap();
    assert!(rest.is_empty(), "the server closed the connection");
    assert_eq!(mock.request_count(), 4);
}

#[test]
fn chunked_bodies_are_read() {
    let mock = MockServer::start().unwrap();
    let body = text_body("+15555555555", "chunked hello").to_string();
    let (a, b) = body.split_at(10);
    let request = format!(
        "POST /v1/businesses/mock-business/send/messages HTTP/1.1\r\nHost: x\r\n\
         X-API-Key: mock-api-key\r\nContent-Type: application/json\r\n\
         Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n\
         {:x}\r\n{a}\r\n{:X};ext=1\r\n{b}\r\n0\r\n\r\n",
        a.len(),
        b.len()
    );
    let answer = raw_exchange(&mock, request.as_bytes());
    assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
    let requests = mock.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].body, body.as_bytes());
}

#[test]
fn http10_malformed_and_oversized_requests() {
    let mock = MockServer::start().unwrap();
    // HTTP/1.0 without keep-alive: answered (in HTTP/1.0, where closing is the default, so
    // without a `connection: close`), then closed.
    let answer = raw_exchange(&mock, b"GET /nothing HTTP/1.0\r\n\r\n");
    assert!(answer.starts_with("HTTP/1.0 404 "), "{answer}");
    // Malformed: 400, then closed.
    let answer = raw_exchange(&mock, b"this is not http\r\n\r\n");
    assert!(answer.starts_with("HTTP/1.1 400 "), "{answer}");
    let answer = raw_exchange(
        &mock,
        b"POST /x HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
    );
    assert!(answer.starts_with("HTTP/1.1 400 "), "{answer}");
    let answer = raw_exchange(
        &mock,
        b"POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    );
    assert!(answer.starts_with("HTTP/1.1 400 "), "{answer}");
    // Too large: 413 without reading the body.
    let answer = raw_exchange(
        &mock,
        b"POST /x HTTP/1.1\r\nContent-Length: 10485761\r\n\r\n",
    );
    assert!(answer.starts_with("HTTP/1.1 413 "), "{answer}");
    // Unanswerable requests are not recorded; the 404 is.
    assert_eq!(mock.request_count(), 1);
}

#[test]
fn scripted_status_failures() {
    let mock = MockServer::start().unwrap();
    mock.fail_next([
        Failure::status(429).retry_after("2"),
        Failure::status(503).with_body("<html>unavailable</html>"),
        Failure::server_error(),
    ]);
    assert_eq!(mock.pending_failures().len(), 3);
    let body = text_body("+15555555555", "hi");
    let (status, headers, answer) = post(&mock, TEXT, &body);
    assert_eq!(headers.get("retry-after").unwrap(), "2");
    let code = error_code(status, &answer, 429, "ERROR_TYPE_RATE_LIMITED");
    assert_eq!(code, "ERROR_CODE_BUSINESS_REACHED_LIMITS");
    let (status, headers, answer) = post(&mock, TEXT, &body);
    assert_eq!(status, 503);
    assert!(headers.get("retry-after").is_none());
    assert!(headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    assert_eq!(answer, json!("<html>unavailable</html>"));
    let (status, _, answer) = post(&mock, TEXT, &body);
    let code = error_code(status, &answer, 500, "ERROR_TYPE_INTERNAL");
    assert_eq!(code, "ERROR_CODE_INTERNAL");
    // Queue empty: normal again.
    assert_eq!(post(&mock, TEXT, &body).0, 200);
    assert_eq!(mock.request_count(), 4);
    // A failed webhook registration registers nothing.
    mock.fail_next([Failure::status(500)]);
    let hook = json!({"topic": "messages", "address": "https://example.com/x"});
    assert_eq!(post(&mock, WEBHOOKS, &hook).0, 500);
    assert!(mock.webhooks().is_empty());
    // Failures apply before any check, even authentication.
    mock.fail_next([Failure::status(409)]);
    let response = http().post(endpoint(&mock, TEXT)).send().unwrap();
    assert_eq!(response.status().as_u16(), 409);
    mock.fail_next([Failure::status(429), Failure::status(429)]);
    mock.reset();
    assert!(mock.pending_failures().is_empty());
    assert_eq!(mock.request_count(), 0);
}

#[test]
fn scripted_delay_then_normal_answer() {
    let mock = MockServer::start().unwrap();
    mock.fail_next([Failure::delay(Duration::from_millis(300))]);
    let started = Instant::now();
    let hook = json!({"topic": "messages", "address": "https://example.com/x"});
    let (status, _, _) = post(&mock, WEBHOOKS, &hook);
    assert_eq!(status, 200);
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(mock.webhooks().len(), 1);
    // A client that gives up first sees a timeout.
    mock.fail_next([Failure::delay(Duration::from_secs(5))]);
    let error = reqwest::blocking::Client::builder()
        .no_proxy()
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap()
        .post(endpoint(&mock, TEXT))
        .send()
        .unwrap_err();
    assert!(error.is_timeout(), "{error}");
}

#[test]
fn scripted_drops() {
    let mock = MockServer::start().unwrap();
    let body = text_body("+15555555555", "dropped");
    // Drop: read, recorded once, no answer.
    mock.fail_next([Failure::Drop]);
    let client = http();
    let error = client
        .post(endpoint(&mock, TEXT))
        .header("X-API-Key", mock.api_key())
        .header("Content-Type", "application/json")
        .body(body.to_string())
        .send()
        .unwrap_err();
    assert!(!error.is_status(), "{error}");
    let requests = mock.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].json(), Some(body.clone()));

    // Drop before read: not recorded.
    mock.fail_next([Failure::DropBeforeRead]);
    let error = client
        .post(endpoint(&mock, TEXT))
        .header("X-API-Key", mock.api_key())
        .header("Content-Type", "application/json")
        .body(body.to_string())
        .send()
        .unwrap_err();
    assert!(!error.is_status(), "{error}");
    assert_eq!(mock.request_count(), 1);
    assert!(mock.pending_failures().is_empty());
    // And then normal service, with the same client.
    assert_eq!(post(&mock, TEXT, &body).0, 200);
    assert_eq!(mock.request_count(), 2);
}

#[test]
fn deliver_inbound_signs_the_exact_body() {
    let mock = MockServer::builder()
        .webhook_secret("s3cret")
        .business_phone("123456123")
        .start()
        .unwrap();
    let (url, seen) = receiver(200);
    let hook = json!({"topic": "messages", "address": url});
    assert_eq!(post(&mock, WEBHOOKS, &hook).0, 200);

    let before = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let delivery = mock.deliver_inbound("+16315555500", "TEST \"11\"").unwrap();
    let (headers, body) = seen.recv_timeout(Duration::from_secs(5)).unwrap();
    assert_eq!(delivery.status, 200);
    assert_eq!(delivery.address, url);
    assert_eq!(delivery.body, body);
    assert_eq!(delivery.response, b"ok");

    let signature = header(&headers, "x-connectly-hmac-sha256").unwrap();
    assert_eq!(delivery.signature.as_deref(), Some(signature));
    assert_eq!(Webhook::new("s3cret").unwrap().sign(&body), signature);
    assert_ne!(Webhook::new("other").unwrap().sign(&body), signature);
    assert_eq!(
        header(&headers, "content-type"),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(
        header(&headers, "user-agent"),
        Some(concat!("connectly-mock/", env!("CARGO_PKG_VERSION")))
    );
    assert_eq!(
        header(&headers, "content-length"),
        Some(body.len().to_string().as_str())
    );

    let event: Value = serde_json::from_slice(&body).unwrap();
    let timestamp: u64 = event["timestamp"].as_str().unwrap().parse().unwrap();
    assert!(timestamp >= before && timestamp <= before + 60);
    assert_eq!(
        event,
        json!({
            "timestamp": timestamp.to_string(),
            "sender": {"id": "+16315555500", "channelType": "whatsapp"},
            "recipient": {"id": "123456123", "channelType": "whatsapp"},
            "message": {"text": "TEST \"11\""}
        })
    );
    // Key order as documented.
    let text = String::from_utf8(body).unwrap();
    let order: Vec<usize> = ["timestamp", "sender", "recipient", "message"]
        .iter()
        .map(|k| text.find(&format!("\"{k}\"")).unwrap())
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{text}");
    // Deliveries are not API requests.
    assert_eq!(mock.request_count(), 1);
}

#[test]
fn delivery_errors_are_typed() {
    let mock = MockServer::start().unwrap();
    assert_eq!(
        mock.deliver_inbound("+16315555500", "hi").unwrap_err(),
        MockError::NoWebhook {
            topic: "messages".to_owned()
        }
    );
    let (url, _seen) = receiver(403);
    let hook = json!({"topic": "messages", "address": url});
    assert_eq!(post(&mock, WEBHOOKS, &hook).0, 200);
    match mock.deliver_inbound("+16315555500", "hi").unwrap_err() {
        MockError::Rejected { status, body, .. } => {
            assert_eq!(status, 403);
            assert_eq!(body, b"bad signature");
        }
        other => panic!("{other:?}"),
    }
    // A raw delivery reports any status.
    let delivery = mock
        .deliver_raw("messages", b"{\"x\":1}".to_vec(), Some("AAAA"))
        .unwrap();
    assert_eq!(delivery.status, 403);
    assert_eq!(delivery.signature.as_deref(), Some("AAAA"));

    // Nobody listening.
    let closed = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let hook = json!({"topic": "messages", "address": format!("http://{closed}/hook")});
    assert_eq!(post(&mock, WEBHOOKS, &hook).0, 200);
    let error = mock.deliver_inbound("+16315555500", "hi").unwrap_err();
    assert!(matches!(error, MockError::Transport { .. }), "{error:?}");
}

#[test]
fn deliver_raw_sends_the_given_signature_or_none() {
    let mock = MockServer::start().unwrap();
    let (url, seen) = receiver(200);
    let hook = json!({"topic": "delivery_status", "address": url});
    assert_eq!(post(&mock, WEBHOOKS, &hook).0, 200);
    let delivery = mock
        .deliver_raw("delivery_status", "raw body", None)
        .unwrap();
    assert_eq!(delivery.status, 200);
    let (headers, body) = seen.recv_timeout(Duration::from_secs(5)).unwrap();
    assert_eq!(body, b"raw body");
    assert!(header(&headers, "x-connectly-hmac-sha256").is_none());
    mock.deliver_raw("delivery_status", "b", Some("sig"))
        .unwrap();
    let (headers, _) = seen.recv_timeout(Duration::from_secs(5)).unwrap();
    assert_eq!(header(&headers, "x-connectly-hmac-sha256"), Some("sig"));
}

fn control(mock: &MockServer, method: &str, name: &str, body: Option<Value>) -> (u16, Value) {
    let url = format!("{}/_mock/{name}", mock.url());
    let mut request = http()
        .request(method.parse().unwrap(), url)
        .header("X-API-Key", mock.api_key());
    if let Some(body) = body {
        request = request
            .header("Content-Type", "application/json")
            .body(body.to_string());
    }
    let response = request.send().unwrap();
    (response.status().as_u16(), json_of(response))
}

#[test]
fn control_endpoints() {
    let mock = MockServer::start().unwrap();
    // Authentication is required.
    let response = http()
        .get(format!("{}/_mock/requests", mock.url()))
        .send()
        .unwrap();
    assert_eq!(response.status().as_u16(), 401);
    assert_eq!(control(&mock, "GET", "nothing", None).0, 404);
    assert_eq!(control(&mock, "POST", "requests", None).0, 405);

    // Failures, queued over HTTP.
    let (status, answer) = control(
        &mock,
        "POST",
        "fail",
        Some(json!([{"status": 429, "retry_after": "1"}, {"drop": true}, {"delay_ms": 10}])),
    );
    assert_eq!((status, answer), (200, json!({"queued": 3})));
    let (_, pending) = control(&mock, "GET", "fail", None);
    assert_eq!(
        pending,
        json!([{"status": 429, "retry_after": "1"}, {"drop": true}, {"delay_ms": 10}])
    );
    assert_eq!(
        control(&mock, "POST", "fail", Some(json!([{"bogus": 1}]))).0,
        400
    );
    let body = text_body("+15555555555", "hi");
    let (status, headers, _) = post(&mock, TEXT, &body);
    assert_eq!(
        (status, headers["retry-after"].to_str().unwrap()),
        (429, "1")
    );
    assert!(http()
        .post(endpoint(&mock, TEXT))
        .header("X-API-Key", mock.api_key())
        .header("Content-Type", "application/json")
        .body(body.to_string())
        .send()
        .is_err());
    assert_eq!(post(&mock, TEXT, &body).0, 200);

    // The requests, with a non-UTF-8 one.
    http()
        .post(endpoint(&mock, TEXT))
        .body(vec![0xff, 0xfe])
        .send()
        .unwrap();
    let (status, requests) = control(&mock, "GET", "requests", None);
    assert_eq!(status, 200);
    let requests = requests.as_array().unwrap();
    assert_eq!(requests.len(), 4, "control requests are not recorded");
    assert_eq!(requests[0]["method"], "POST");
    assert_eq!(
        requests[0]["path"],
        "/v1/businesses/mock-business/send/messages"
    );
    assert_eq!(requests[0]["json"], body);
    assert_eq!(requests[0]["body"], body.to_string());
    assert!(requests[0]["headers"]
        .as_array()
        .unwrap()
        .iter()
        .any(
            |h| h[0].as_str().unwrap().eq_ignore_ascii_case("x-api-key") && h[1] == "mock-api-key"
        ));
    assert_eq!(requests[3]["body"], Value::Null);
    assert_eq!(requests[3]["body_base64"], "//4=");

    // Webhooks and deliveries.
    let (url, seen) = receiver(200);
    assert_eq!(
        post(
            &mock,
            WEBHOOKS,
            &json!({"topic": "messages", "address": url})
        )
        .0,
        200
    );
    let (_, hooks) = control(&mock, "GET", "webhooks", None);
    let id = mock.webhook_registrations()[0].id.clone();
    assert_eq!(
        hooks,
        json!([{"id": id, "topic": "messages", "address": url, "type": "custom", "configuration": {}}])
    );
    let (status, delivered) = control(
        &mock,
        "POST",
        "deliver",
        Some(json!({"from": "+16315555500", "text": "over http"})),
    );
    assert_eq!(status, 200, "{delivered}");
    assert_eq!(delivered["ok"], true);
    assert_eq!(delivered["status"], 200);
    let (headers, received) = seen.recv_timeout(Duration::from_secs(5)).unwrap();
    assert_eq!(
        delivered["body"],
        String::from_utf8(received.clone()).unwrap()
    );
    let signature = header(&headers, "x-connectly-hmac-sha256").unwrap();
    assert_eq!(delivered["signature"], signature);
    assert_eq!(
        Webhook::new(mock.webhook_secret()).unwrap().sign(&received),
        signature
    );
    let (status, delivered) = control(
        &mock,
        "POST",
        "deliver_raw",
        Some(json!({"topic": "messages", "body": "x", "signature": null})),
    );
    assert_eq!((status, delivered["status"].clone()), (200, json!(200)));
    assert_eq!(seen.recv_timeout(Duration::from_secs(5)).unwrap().1, b"x");
    assert_eq!(
        control(&mock, "POST", "deliver", Some(json!({"from": "+1"}))).0,
        400
    );
    let (status, answer) = control(
        &mock,
        "POST",
        "deliver_raw",
        Some(json!({"topic": "delivery_status", "body": "x"})),
    );
    assert_eq!(
        (status, answer["error"].clone()),
        (409, json!("no_webhook"))
    );

    let (_, config) = control(&mock, "GET", "config", None);
    assert_eq!(config["business_id"], "mock-business");
    assert_eq!(config["webhook_secret"], "mock-webhook-secret");

    // Reset clears requests and failures, not webhooks.
    mock.fail_next([Failure::Drop]);
    assert_eq!(
        control(&mock, "POST", "reset", None),
        (200, json!({"ok": true}))
    );
    assert_eq!(mock.request_count(), 0);
    assert!(mock.pending_failures().is_empty());
    assert_eq!(mock.webhooks().len(), 1);
}

#[test]
fn custom_credentials_and_port() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let mock = MockServer::builder()
        .port(port)
        .api_key("k")
        .business_id("biz 1")
        .start()
        .unwrap();
    assert_eq!(mock.addr().port(), port);
    assert_eq!(mock.url(), format!("http://127.0.0.1:{port}"));
    let response = http()
        .post(format!(
            "{}/v1/businesses/biz%201/send/messages",
            mock.url()
        ))
        .header("X-API-Key", "k")
        .header("Content-Type", "application/json")
        .body(text_body("+15555555555", "hi").to_string())
        .send()
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    // The port is taken while it runs.
    assert!(MockServer::builder().port(port).start().is_err());
    assert!(MockServer::builder().api_key("").start().is_err());
    assert!(MockServer::builder().webhook_secret("").start().is_err());
}

#[test]
fn shutdown_frees_the_port_and_closes_connections() {
    let mock = MockServer::start().unwrap();
    let addr = mock.addr();
    // An idle keep-alive connection and one stuck in a long delay.
    let idle = TcpStream::connect(addr).unwrap();
    idle.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    mock.fail_next([Failure::delay(Duration::from_secs(30))]);
    let url = endpoint(&mock, TEXT);
    let delayed = thread::spawn(move || http().post(url).send());
    thread::sleep(Duration::from_millis(200));
    let started = Instant::now();
    mock.shutdown();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(delayed.join().unwrap().is_err());
    let mut buf = [0u8; 1];
    assert_eq!((&idle).read(&mut buf).unwrap_or(0), 0);
    TcpListener::bind(addr).unwrap();

    // Dropping stops it too.
    let mock = MockServer::start().unwrap();
    let addr = mock.addr();
    drop(mock);
    TcpListener::bind(addr).unwrap();
}

#[test]
fn concurrent_clients_are_all_recorded() {
    let mock = MockServer::start().unwrap();
    thread::scope(|scope| {
        for t in 0..8 {
            let mock = &mock;
            scope.spawn(move || {
                let client = http();
                for i in 0..200 {
                    let body = text_body("+15555555555", &format!("{t}-{i}"));
                    let response = client
                        .post(endpoint(mock, TEXT))
                        .header("X-API-Key", mock.api_key())
                        .header("Content-Type", "application/json")
                        .body(body.to_string())
                        .send()
                        .unwrap();
                    assert_eq!(response.status().as_u16(), 200);
                }
            });
        }
    });
    assert_eq!(mock.request_count(), 1600);
    let requests = mock.requests();
    assert_eq!(requests.len(), 1600);
    let mut texts: Vec<String> = requests
        .iter()
        .map(|r| {
            r.json().unwrap()["message"]["text"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    // Each thread's requests are in its order.
    for t in 0..8 {
        let mine: Vec<&String> = texts
            .iter()
            .filter(|s| s.starts_with(&format!("{t}-")))
            .collect();
        let expected: Vec<String> = (0..200).map(|i| format!("{t}-{i}")).collect();
        assert_eq!(mine, expected.iter().collect::<Vec<_>>());
    }
    texts.sort();
    texts.dedup();
    assert_eq!(texts.len(), 1600);
}

#[test]
fn record_limit_keeps_the_newest() {
    let mock = MockServer::builder().record_limit(2).start().unwrap();
    for text in ["a", "b", "c"] {
        post(&mock, TEXT, &text_body("+15555555555", text));
    }
    assert_eq!(mock.request_count(), 3);
    let texts: Vec<Value> = mock
        .requests()
        .iter()
        .map(|r| r.json().unwrap()["message"]["text"].clone())
        .collect();
    assert_eq!(texts, vec![json!("b"), json!("c")]);
}

/// Throughput with 8 keep-alive connections; run with
/// `cargo test --release --test mock -- --ignored --nocapture throughput`.
#[test]
#[ignore = "a benchmark"]
fn throughput() {
    let mock = MockServer::start().unwrap();
    let body = text_body("+15555555555", "hello!").to_string();
    let request = format!(
        "POST /v1/businesses/mock-business/send/messages HTTP/1.1\r\nHost: x\r\n\
         X-API-Key: mock-api-key\r\nContent-Type: application/json\r\n\
         Accept: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let per_connection = 20_000;
    let started = Instant::now();
    thread::scope(|scope| {
        for _ in 0..8 {
            let (mock, request) = (&mock, request.as_bytes());
            scope.spawn(move || {
                let stream = TcpStream::connect(mock.addr()).unwrap();
                stream.set_nodelay(true).unwrap();
                let mut writer = stream.try_clone().unwrap();
                let mut reader = BufReader::new(stream);
                for _ in 0..per_connection {
                    writer.write_all(request).unwrap();
                    let (status, _, _) = read_response(&mut reader);
                    assert_eq!(status, "HTTP/1.1 200 OK");
                }
            });
        }
    });
    let elapsed = started.elapsed();
    let total = 8 * per_connection;
    assert_eq!(mock.request_count(), total);
    println!(
        "{total} requests in {elapsed:?}: {:.0} req/s",
        total as f64 / elapsed.as_secs_f64()
    );
}
