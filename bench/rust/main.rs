//! Rust benchmarks, each side by side with its peer in the same run. Prints one JSON object
//! per line: `{"group", "name", "peer", "ours_ns", "peer_ns", "ratio", ...}`, where `ratio` is
//! peer time / our time (above 1: we are faster).
//!
//! `cargo bench --bench rust` (add `-- quick` for a short run; `-- verify-only` prints only
//! the webhook verify lines, which bench/c/run sets beside the C call's timings).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use connectly::{BulkOptions, Client, Outgoing, Recipient, Webhook};
use connectly_mock::MockServer;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The documented delivery body (167 bytes).
const PAYLOAD: &[u8] = br#"{"timestamp":"1639083206","sender":{"id":"+16315555500","channelType":"whatsapp"},"recipient":{"id":"123456123","channelType":"whatsapp"},"message":{"text":"TEST 11"}}"#;

/// The POST body `send_text(whatsapp +15555555555, "hello!")` sends: what the bare peers send.
const TEXT_BODY: &[u8] =
    br#"{"recipient":{"channelType":"whatsapp","id":"+15555555555"},"message":{"text":"hello!"}}"#;

struct Settings {
    /// Time spent per measurement round.
    round: Duration,
    /// Rounds per measurement; the median is reported.
    rounds: usize,
    /// Requests per send measurement.
    sends: usize,
}

/// Median nanoseconds per call of `f`, over rounds of about `round` each.
fn time_per_call(settings: &Settings, mut f: impl FnMut()) -> f64 {
    let mut batch = 1u64;
    loop {
        let start = Instant::now();
        for _ in 0..batch {
            f();
        }
        if start.elapsed() >= settings.round / 10 {
            break;
        }
        batch *= 2;
    }
    let per_round = batch * 10;
    let mut samples: Vec<f64> = (0..settings.rounds)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..per_round {
                f();
            }
            start.elapsed().as_nanos() as f64 / per_round as f64
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

/// Median nanoseconds per call of `ours` and `peer`, run in alternating blocks of 50 calls.
fn interleaved(settings: &Settings, mut ours: impl FnMut(), mut peer: impl FnMut()) -> (f64, f64) {
    const BLOCK: usize = 50;
    let blocks = (settings.sends / BLOCK).max(1);
    let mut ours_ns = Vec::new();
    let mut peer_ns = Vec::new();
    for _ in 0..settings.rounds {
        let (mut o, mut p) = (Duration::ZERO, Duration::ZERO);
        for block in 0..blocks {
            let run = |f: &mut dyn FnMut(), total: &mut Duration| {
                let start = Instant::now();
                for _ in 0..BLOCK {
                    f();
                }
                *total += start.elapsed();
            };
            if block % 2 == 0 {
                run(&mut ours, &mut o);
                run(&mut peer, &mut p);
            } else {
                run(&mut peer, &mut p);
                run(&mut ours, &mut o);
            }
        }
        let calls = (blocks * BLOCK) as f64;
        ours_ns.push(o.as_nanos() as f64 / calls);
        peer_ns.push(p.as_nanos() as f64 / calls);
    }
    ours_ns.sort_by(f64::total_cmp);
    peer_ns.sort_by(f64::total_cmp);
    (ours_ns[ours_ns.len() / 2], peer_ns[peer_ns.len() / 2])
}

fn report(
    group: &str,
    name: &str,
    peer: &str,
    ours_ns: f64,
    peer_ns: f64,
    extra: serde_json::Value,
) {
    let mut line = serde_json::json!({
        "group": group, "name": name, "peer": peer,
        "ours_ns": ours_ns, "peer_ns": peer_ns, "ratio": peer_ns / ours_ns,
    });
    if let (Some(line), Some(extra)) = (line.as_object_mut(), extra.as_object()) {
        line.extend(extra.clone());
    }
    println!("{line}");
}

fn verify(settings: &Settings) {
    let secret = b"mock-webhook-secret";
    let webhook = Webhook::new(secret).unwrap();
    let prepared = Hmac::<Sha256>::new_from_slice(secret).unwrap();
    for (name, body) in [
        ("167 B", PAYLOAD.to_vec()),
        ("4 KiB", vec![b'x'; 4096]),
        ("1 MiB", vec![b'x'; 1 << 20]),
    ] {
        let signature = webhook.sign(&body);
        let ours = time_per_call(settings, || {
            webhook
                .verify(black_box(&body), black_box(signature.as_str()))
                .unwrap();
        });
        let bare = time_per_call(settings, || {
            let mut mac = prepared.clone();
            mac.update(black_box(&body));
            black_box(mac.finalize().into_bytes());
        });
        let mb_per_s = body.len() as f64 / ours * 1e3;
        report(
            "webhook verify",
            name,
            "bare prepared-key HMAC-SHA256 (hmac crate)",
            ours,
            bare,
            serde_json::json!({"bytes": body.len(), "ours_mb_per_s": mb_per_s}),
        );
    }
}

/// The same POST with a bare reqwest client: the floor our client's layers are measured
/// against.
fn bare_post(http: &reqwest::blocking::Client, url: &str, key: &str) {
    let response = http
        .post(url)
        .header("X-API-Key", key)
        .header("Content-Type", "application/json")
        .header("Accept", "application/json")
        .body(TEXT_BODY)
        .send()
        .unwrap();
    assert!(response.status().is_success());
    black_box(response.bytes().unwrap());
}

/// [`bare_post`] with the async reqwest client: the peer of the concurrent rows.
async fn bare_post_async(http: &reqwest::Client, url: &str, key: &str) {
    let response = http
        .post(url)
        .header("X-API-Key", key)
        .header("Content-Type", "application/json")
        .header("Accept", "application/json")
        .body(TEXT_BODY)
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success());
    black_box(response.bytes().await.unwrap());
}

/// A client for the mock, with default settings.
fn client_for(mock: &MockServer) -> Client {
    Client::builder()
        .api_key(mock.api_key())
        .business_id(mock.business_id())
        .base_url(mock.url())
        .build()
        .unwrap()
}

/// One trial: a fresh mock, our client and a bare reqwest client, measured interleaved.
/// `ours_first` decides which client (and its runtime thread and mock connection) is made
/// first: on 2 cores the one made second was consistently ~25% faster, whichever it was.
fn send_trial(settings: &Settings, ours_first: bool) -> (f64, f64) {
    let mock = MockServer::builder().record_limit(0).start().unwrap();
    let bare = || {
        reqwest::blocking::Client::builder()
            .no_proxy()
            .build()
            .unwrap()
    };
    let (client, http) = if ours_first {
        let client = client_for(&mock);
        (client, bare())
    } else {
        let http = bare();
        (client_for(&mock), http)
    };
    let url = format!(
        "{}/v1/businesses/{}/send/messages",
        mock.url(),
        mock.business_id()
    );
    let to = Recipient::whatsapp("+15555555555");
    // Warm both connections up.
    for _ in 0..200 {
        client.send_text(&to, "hello!").unwrap();
        bare_post(&http, &url, mock.api_key());
    }
    // Alternate small blocks so drift (frequency, scheduling) falls on both sides alike.
    interleaved(
        settings,
        || client.send_text(&to, "hello!").map(drop).unwrap(),
        || bare_post(&http, &url, mock.api_key()),
    )
}

fn sending(settings: &Settings) {
    // Each client has its own runtime thread and the mock a thread per connection, all on
    // 2 cores: how those threads land decides a trial more than the code does (the client
    // made second won by ~25%, whichever it was). So every trial starts everything afresh,
    // trials alternate which client is made first, and the medians over trials are reported.
    let trials = if settings.rounds < 5 { 4 } else { 10 };
    let trial_settings = Settings {
        round: settings.round,
        rounds: 1,
        sends: settings.sends / 2,
    };
    let mut ours = Vec::new();
    let mut peer = Vec::new();
    let mut ratios = Vec::new();
    for trial in 0..trials {
        let (o, p) = send_trial(&trial_settings, trial % 2 == 0);
        ours.push(o);
        peer.push(p);
        ratios.push(p / o);
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    // The two orders bias a trial by about the same factor in opposite directions, so the
    // geometric mean of the per-trial ratios cancels the bias out.
    let ratio = (ratios.iter().map(|r| r.ln()).sum::<f64>() / ratios.len() as f64).exp();
    let (o, p) = (median(&mut ours), median(&mut peer));
    let mut line = serde_json::json!({
        "group": "send_text, one thread, keep-alive, loopback mock",
        "name": "Client::send_text",
        "peer": "bare reqwest::blocking::Client POST of the same bytes",
        "ours_ns": o, "peer_ns": p, "ratio": ratio,
        "ours_per_s": 1e9 / o, "peer_per_s": 1e9 / p,
        "trials": trials, "trial_ratios": ratios,
    });
    if let Some(line) = line.as_object_mut() {
        line.insert(
            "method".into(),
            "geometric mean of per-trial ratios; trials alternate which client is made first"
                .into(),
        );
    }
    println!("{line}");
}

fn bulk(settings: &Settings) {
    let mock = MockServer::builder().record_limit(0).start().unwrap();
    let client = client_for(&mock);
    let messages: Vec<Outgoing> = (0..10_000)
        .map(|i| Outgoing::text(Recipient::whatsapp("+15555555555"), format!("bulk {i}")))
        .collect();
    let start = Instant::now();
    let results = client.send_many(&messages, &BulkOptions::new());
    let elapsed = start.elapsed();
    assert!(results.iter().all(Result::is_ok));
    assert_eq!(mock.request_count(), messages.len());
    println!(
        "{}",
        serde_json::json!({"group": "send_many", "name": "10,000 texts, concurrency 8, no limit",
            "messages": messages.len(), "seconds": elapsed.as_secs_f64(),
            "per_s": messages.len() as f64 / elapsed.as_secs_f64()})
    );

    let limited = &messages[..settings.sends.min(2000)];
    let start = Instant::now();
    let results = client.send_many(limited, &BulkOptions::new().rate_limit(200.0));
    let elapsed = start.elapsed();
    assert!(results.iter().all(Result::is_ok));
    // n messages at 200/s: the last starts (n-1)/200 s after the first.
    let achieved = (limited.len() - 1) as f64 / elapsed.as_secs_f64();
    println!(
        "{}",
        serde_json::json!({"group": "send_many", "name": "rate limit 200/s",
            "messages": limited.len(), "seconds": elapsed.as_secs_f64(),
            "per_s": achieved, "target_per_s": 200.0})
    );
}

/// Wall time of `CALLS` concurrent sends against a mock that answers each after `LATENCY`:
/// `AsyncClient` beside a bare async reqwest client, both with 2 runtime threads.
/// The fleet's costs: a send through each rate limiter beside one through none (at a rate
/// so high that nobody waits: the cost of asking), and a delivery's claim and completion in
/// each deduplicator beside verifying it alone. Redis is `CONNECTLY_TEST_REDIS_URL` (`make
/// bench` starts one); without it, only the local rows.
fn fleet(settings: &Settings) {
    use connectly::{
        admit_once, Admission, DedupTtls, Deduplicator, LocalRateLimiter, MemoryDeduplicator,
        RateLimiter, RedisDeduplicator, RedisRateLimiter,
    };
    use std::sync::Arc;
    let redis = std::env::var("CONNECTLY_TEST_REDIS_URL").ok();
    let mock = MockServer::builder().record_limit(0).start().unwrap();
    let to = Recipient::whatsapp("+15555555555");
    let plain = client_for(&mock);
    let mut limiters: Vec<(&str, Arc<dyn RateLimiter>)> = vec![(
        "LocalRateLimiter",
        Arc::new(LocalRateLimiter::new(1e9).unwrap()),
    )];
    if let Some(url) = &redis {
        limiters.push((
            "RedisRateLimiter",
            Arc::new(RedisRateLimiter::new(url, 1e9).unwrap()),
        ));
    }
    for (name, limiter) in limiters {
        let limited = Client::builder()
            .api_key(mock.api_key())
            .business_id(mock.business_id())
            .base_url(mock.url())
            .rate_limiter(limiter)
            .build()
            .unwrap();
        for _ in 0..200 {
            limited.send_text(&to, "hello!").unwrap();
            plain.send_text(&to, "hello!").unwrap();
        }
        let (o, p) = interleaved(
            settings,
            || limited.send_text(&to, "hello!").map(drop).unwrap(),
            || plain.send_text(&to, "hello!").map(drop).unwrap(),
        );
        println!(
            "{}",
            serde_json::json!({
                "group": "rate limiter, per send", "name": name,
                "peer": "the same send without a limiter",
                "ours_ns": o, "peer_ns": p, "ratio": p / o,
            })
        );
    }

    // The journal: send_many of the same batch with and without one (a fresh file each run:
    // each start is fsync'd before its request).
    let batch: Vec<Outgoing> = (0..if settings.rounds < 5 { 300 } else { 2000 })
        .map(|i| Outgoing::text(to.clone(), format!("journal {i}")))
        .collect();
    let options = BulkOptions::new();
    let dir = std::env::temp_dir().join(format!("connectly-bench-journal-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (mut with, mut without) = (Vec::new(), Vec::new());
    for round in 0..3 {
        let start = Instant::now();
        plain.send_many(&batch, &options);
        without.push(start.elapsed().as_secs_f64());
        let journaled = options
            .clone()
            .journal(dir.join(format!("run-{round}.journal")));
        let start = Instant::now();
        let results = plain.send_many(&batch, &journaled);
        with.push(start.elapsed().as_secs_f64());
        assert!(results.iter().all(Result::is_ok));
    }
    let _ = std::fs::remove_dir_all(&dir);
    let (o, p) = (
        with.iter().copied().fold(f64::MAX, f64::min),
        without.iter().copied().fold(f64::MAX, f64::min),
    );
    println!(
        "{}",
        serde_json::json!({
            "group": "journal", "name": format!("send_many of {} texts, concurrency 8, with a journal", batch.len()),
            "peer": "the same send_many without a journal",
            "ours_per_s": batch.len() as f64 / o, "peer_per_s": batch.len() as f64 / p, "ratio": p / o,
        })
    );

    let webhook = Webhook::new("bench-secret").unwrap();
    let mut stores: Vec<(&str, Arc<dyn Deduplicator>)> = vec![(
        "MemoryDeduplicator",
        Arc::new(MemoryDeduplicator::default()),
    )];
    if let Some(url) = &redis {
        stores.push((
            "RedisDeduplicator",
            Arc::new(RedisDeduplicator::new(url).unwrap()),
        ));
    }
    for (name, store) in stores {
        let mut n = 0u64;
        let mut body = || {
            n += 1;
            format!(
                r#"{{"timestamp":"1639083206","sender":{{"id":"+16315555500","channelType":"whatsapp"}},"recipient":{{"id":"123456123","channelType":"whatsapp"}},"message":{{"text":"{name} {n}"}}}}"#
            )
        };
        let deliveries: Vec<(String, String)> = (0..settings.sends * 2 + 400)
            .map(|_| {
                let b = body();
                let signature = webhook.sign(b.as_bytes());
                (b, signature)
            })
            .collect();
        let mut next = deliveries.iter().cycle();
        let mut verify_only = deliveries.iter().cycle();
        let (o, p) = interleaved(
            settings,
            || {
                let (b, signature) = next.next().unwrap();
                let event = webhook
                    .verify_event(b.as_bytes(), signature.as_str())
                    .unwrap();
                if let Admission::Run(claim) =
                    admit_once(&store, &event, DedupTtls::default()).unwrap()
                {
                    claim.complete().unwrap();
                }
            },
            || {
                let (b, signature) = verify_only.next().unwrap();
                black_box(
                    webhook
                        .verify_event(b.as_bytes(), signature.as_str())
                        .unwrap(),
                );
            },
        );
        println!(
            "{}",
            serde_json::json!({
                "group": "deduplication, per delivery", "name": name,
                "peer": "verifying and parsing the delivery alone",
                "ours_ns": o, "peer_ns": p, "ratio": p / o, "added_ns": o - p,
            })
        );
    }
}

/// What the silent server saw on a connection.
enum Seen {
    /// The whole request had been read.
    Arrived,
    /// The client closed the connection, at that moment.
    Closed(Instant),
}

/// A loopback server that reads a request on each connection and never answers; it reports
/// when the request arrived and when the client closed the connection.
fn silent_server() -> (String, std::sync::mpsc::Receiver<Seen>) {
    use std::io::Read;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (report, reports) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let report = report.clone();
            std::thread::spawn(move || {
                let mut seen = Vec::new();
                let mut buf = [0u8; 4096];
                loop {
                    match stream.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => {
                            let had = seen.ends_with(b"}}");
                            seen.extend_from_slice(&buf[..n]);
                            if !had && seen.ends_with(b"}}") {
                                let _ = report.send(Seen::Arrived);
                            }
                        }
                    }
                }
                let _ = report.send(Seen::Closed(Instant::now()));
            });
        }
    });
    (url, reports)
}

fn cancellation(settings: &Settings) {
    let trials = if settings.rounds < 5 { 5 } else { 20 };
    let (url, reports) = silent_server();
    let client = Client::builder()
        .api_key("bench-key")
        .business_id("bench")
        .base_url(&url)
        .max_retries(0)
        .build_async()
        .unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut latencies = Vec::new();
    for _ in 0..trials {
        let call = {
            let client = client.clone();
            runtime.spawn(async move {
                client
                    .send_text(&Recipient::whatsapp("+15555555555"), "cancel me")
                    .await
            })
        };
        // Drive the caller's runtime until the server has read the whole request.
        runtime.block_on(async {
            loop {
                match reports.try_recv() {
                    Ok(Seen::Arrived) => break,
                    Ok(Seen::Closed(_)) => panic!("closed before the request arrived"),
                    Err(_) => tokio::time::sleep(Duration::from_millis(1)).await,
                }
            }
        });
        let cancelled = Instant::now();
        call.abort();
        // The caller's runtime drops the aborted call, which aborts the request.
        runtime.block_on(async {
            assert!(call.await.unwrap_err().is_cancelled());
        });
        let closed = match reports.recv_timeout(Duration::from_secs(10)).unwrap() {
            Seen::Closed(at) => at,
            Seen::Arrived => panic!("a second request arrived"),
        };
        latencies.push(closed.saturating_duration_since(cancelled).as_secs_f64() * 1e3);
    }
    latencies.sort_by(f64::total_cmp);
    let median = latencies[latencies.len() / 2];
    println!(
        "{}",
        serde_json::json!({
            "group": "cancellation",
            "name": "rust: AsyncClient call dropped, to the server seeing the connection closed",
            "ms": median, "max_ms": latencies[latencies.len() - 1], "trials": trials,
        })
    );
}

fn concurrent(settings: &Settings) {
    const CALLS: usize = 1000;
    const LATENCY: Duration = Duration::from_millis(200);
    let trials = if settings.rounds < 5 { 2 } else { 5 };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (mut ours, mut peer) = (Vec::new(), Vec::new());
    for _ in 0..trials {
        let mock = MockServer::builder().record_limit(0).start().unwrap();
        let client = client_for(&mock).to_async();
        let http = reqwest::Client::builder().no_proxy().build().unwrap();
        let url = format!(
            "{}/v1/businesses/{}/send/messages",
            mock.url(),
            mock.business_id()
        );
        let key = mock.api_key().to_owned();
        mock.fail_next((0..CALLS).map(|_| connectly_mock::Failure::delay(LATENCY)));
        let start = Instant::now();
        runtime.block_on(async {
            let to = Recipient::whatsapp("+15555555555");
            let calls: Vec<_> = (0..CALLS)
                .map(|_| {
                    let (client, to) = (client.clone(), to.clone());
                    tokio::spawn(async move { client.send_text(&to, "hello!").await })
                })
                .collect();
            for call in calls {
                call.await.unwrap().unwrap();
            }
        });
        ours.push(start.elapsed().as_secs_f64() * 1e9);
        mock.fail_next((0..CALLS).map(|_| connectly_mock::Failure::delay(LATENCY)));
        let start = Instant::now();
        runtime.block_on(async {
            let calls: Vec<_> = (0..CALLS)
                .map(|_| {
                    let (http, url, key) = (http.clone(), url.clone(), key.clone());
                    tokio::spawn(async move { bare_post_async(&http, &url, &key).await })
                })
                .collect();
            for call in calls {
                call.await.unwrap();
            }
        });
        peer.push(start.elapsed().as_secs_f64() * 1e9);
    }
    ours.sort_by(f64::total_cmp);
    peer.sort_by(f64::total_cmp);
    let (o, p) = (ours[ours.len() / 2], peer[peer.len() / 2]);
    report(
        "AsyncClient, 1,000 concurrent sends, server answers after 0.2 s",
        "AsyncClient::send_text x 1,000 at once (wall time)",
        "bare async reqwest::Client, the same 1,000 POSTs at once",
        o,
        p,
        serde_json::json!({"calls": CALLS, "latency_ms": LATENCY.as_millis(), "trials": trials}),
    );
}

/// How a side of [`in_flight`] sends `calls` requests, eight at a time.
type InFlight<'a> = Box<dyn FnMut(usize) + 'a>;

/// Eight sends kept in flight on one client, the load of the Go row (8 goroutines), beside
/// bare async reqwest (8 tasks on a 1-thread tokio runtime): the SDK's two ways in, the
/// AsyncClient (8 tasks on the caller's 1-thread runtime, each call handed to the client's
/// runtime) and the completion queue (one thread keeping 8 submissions in flight and waiting
/// with `wait`: the C ABI's path and the Go package's, without Go). Against the mock
/// Connectly of the Go row when CONNECTLY_BASE_URL and the rest are set (bench/run.py sets
/// them), else against one of its own.
fn in_flight(settings: &Settings) {
    const IN_FLIGHT: usize = 8;
    const BLOCK: usize = 200;
    let own;
    let (base, key, business) = match (
        std::env::var("CONNECTLY_BASE_URL"),
        std::env::var("CONNECTLY_API_KEY"),
        std::env::var("CONNECTLY_BUSINESS_ID"),
    ) {
        (Ok(base), Ok(key), Ok(business)) => (base, key, business),
        _ => {
            own = MockServer::builder().record_limit(0).start().unwrap();
            (
                own.url().to_owned(),
                own.api_key().to_owned(),
                own.business_id().to_owned(),
            )
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let client = Client::builder()
        .api_key(key.as_str())
        .business_id(business.as_str())
        .base_url(base.as_str())
        .build()
        .unwrap();
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let url = format!("{base}/v1/businesses/{business}/send/messages");
    let to = Recipient::whatsapp("+15555555555");
    let message = connectly::Message::text("hello!");
    let queue = connectly::CompletionQueue::new().unwrap();
    // Eight tasks, each started by `start`, run to their end.
    let tasks = |start: &dyn Fn() -> tokio::task::JoinHandle<()>| {
        runtime.block_on(async {
            let tasks: Vec<_> = (0..IN_FLIGHT).map(|_| start()).collect();
            for task in tasks {
                task.await.unwrap();
            }
        });
    };
    let bare: InFlight = Box::new(|calls| {
        let share = calls / IN_FLIGHT;
        tasks(&|| {
            let (http, url, key) = (http.clone(), url.clone(), key.clone());
            tokio::spawn(async move {
                for _ in 0..share {
                    bare_post_async(&http, &url, &key).await;
                }
            })
        });
    });
    let asynchronous = client.to_async();
    let async_client: InFlight = Box::new(|calls| {
        let share = calls / IN_FLIGHT;
        tasks(&|| {
            let (client, to) = (asynchronous.clone(), to.clone());
            tokio::spawn(async move {
                for _ in 0..share {
                    black_box(client.send_text(&to, "hello!").await.unwrap());
                }
            })
        });
    });
    let mut next_tag = 0u64;
    let queued: InFlight = Box::new(|calls| {
        let mut submit = || {
            next_tag += 1;
            let operation = client.send_message_operation(&to, &message).unwrap();
            queue.submit(&client, operation, next_tag);
        };
        for _ in 0..IN_FLIGHT.min(calls) {
            submit();
        }
        let (mut submitted, mut done) = (IN_FLIGHT.min(calls), 0);
        while done < calls {
            for completion in queue.wait(Duration::from_secs(30)) {
                black_box(completion.result.unwrap());
                done += 1;
                if submitted < calls {
                    submit();
                    submitted += 1;
                }
            }
        }
    });
    let mut sides = [bare, async_client, queued];
    for side in sides.iter_mut() {
        side(BLOCK * 2); // Connections open, pools full.
    }
    // Blocks in rotating order within each round, so drift falls on every side alike.
    let blocks = (settings.sends / BLOCK).max(3);
    let mut rates: [Vec<f64>; 3] = Default::default();
    for _ in 0..settings.rounds {
        let mut spent = [Duration::ZERO; 3];
        for block in 0..blocks {
            for turn in 0..3 {
                let side = (block + turn) % 3;
                let start = Instant::now();
                sides[side](BLOCK);
                spent[side] += start.elapsed();
            }
        }
        for (side, time) in spent.iter().enumerate() {
            rates[side].push((blocks * BLOCK) as f64 / time.as_secs_f64());
        }
    }
    let [bare_rate, async_rate, queue_rate] = rates.map(|mut r| {
        r.sort_by(f64::total_cmp);
        r[r.len() / 2]
    });
    let group = "8 sends in flight on one client (the Go row's load)";
    let peer = "bare async reqwest::Client, 8 tasks on a 1-thread tokio runtime";
    for (name, rate) in [
        (
            "AsyncClient::send_text, 8 tasks on the caller's 1-thread runtime",
            async_rate,
        ),
        (
            "CompletionQueue: one thread keeps 8 submitted, waits with wait()",
            queue_rate,
        ),
    ] {
        println!(
            "{}",
            serde_json::json!({"group": group, "name": name, "peer": peer,
                "ours_per_s": rate, "peer_per_s": bare_rate, "ratio": rate / bare_rate,
                "rounds": settings.rounds})
        );
    }
}

/// Resident memory in KiB, from /proc.
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn memory(settings: &Settings) {
    let mock = MockServer::builder().record_limit(0).start().unwrap();
    let client = client_for(&mock);
    let to = Recipient::whatsapp("+15555555555");
    let sends = settings.sends * 20;
    for _ in 0..1000 {
        client.send_text(&to, "warm-up").unwrap();
    }
    let before = rss_kib();
    for _ in 0..sends {
        client.send_text(&to, "hello!").unwrap();
    }
    let after = rss_kib();
    println!(
        "{}",
        serde_json::json!({"group": "memory", "name": "Rust client RSS over sends",
            "sends": sends, "rss_before_kib": before, "rss_after_kib": after,
            "growth_kib": after as i64 - before as i64})
    );
}

/// A named part of the run.
type Section = (&'static str, fn(&Settings));

fn main() {
    let quick = std::env::args().any(|a| a == "quick");
    let settings = if quick {
        Settings {
            round: Duration::from_millis(50),
            rounds: 3,
            sends: 500,
        }
    } else {
        Settings {
            round: Duration::from_millis(300),
            rounds: 7,
            sends: 5000,
        }
    };
    verify(&settings);
    if std::env::args().any(|a| a == "verify-only") {
        return;
    }
    // Sections named on the command line run alone (`-- quick sending`); none named, all.
    let named: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !matches!(a.as_str(), "quick" | "verify-only" | "--bench"))
        .collect();
    let sections: [Section; 7] = [
        ("sending", sending),
        ("in-flight", in_flight),
        ("bulk", bulk),
        ("concurrent", concurrent),
        ("cancellation", cancellation),
        ("fleet", fleet),
        ("memory", memory),
    ];
    for (name, section) in sections {
        if named.is_empty() || named.iter().any(|n| n == name) {
            section(&settings);
        }
    }
}
