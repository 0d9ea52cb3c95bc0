//! The async face: calls from inside tokio, a thousand in flight at once on the client's few
//! threads, dropping a call cancelling it, and a cancel token's calls saying what they had
//! done.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use connectly::{
    AsyncClient, CancelToken, Client, Error, ErrorKind, Message, Recipient, TemplateMessage,
};
use connectly_mock::{Failure, MockServer};
use serde_json::json;

fn client(mock: &MockServer) -> AsyncClient {
    Client::builder()
        .api_key(mock.api_key())
        .business_id(mock.business_id())
        .base_url(mock.url())
        .build_async()
        .unwrap()
}

/// The threads of this process (Linux).
fn threads() -> usize {
    std::fs::read_dir("/proc/self/task").unwrap().count()
}

/// Waits, at most 30 s, until `done` says yes.
fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done() {
        assert!(Instant::now() < deadline, "gave up waiting for {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[tokio::test(flavor = "current_thread")]
async fn every_call_works_from_inside_a_runtime_where_the_blocking_client_refuses() {
    let mock = MockServer::start().unwrap();
    let client = client(&mock);
    let to = Recipient::whatsapp("+15555555555");
    client.send_text(&to, "hello").await.unwrap();
    client
        .send_message(&to, &Message::text("hi").id("m-1"))
        .await
        .unwrap();
    client
        .send_template_message(
            &TemplateMessage::new("+15555555555", "order").callback_data(json!({"n": 1})),
        )
        .await
        .unwrap();
    client
        .upsert_webhook("https://example.com/h", "messages", None)
        .await
        .unwrap();
    let hooks = client.list_webhooks().await.unwrap();
    client.delete_webhook(&hooks[0].id).await.unwrap();
    assert!(client.list_templates().await.unwrap().len() > 1);
    assert_eq!(mock.request_count(), 7);

    let refused = client.send_text(&to, "   ").await.unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::Validation);
    assert_eq!(mock.request_count(), 7, "a refused call sends nothing");

    let blocking = client.to_blocking().send_text(&to, "hello").unwrap_err();
    assert!(matches!(blocking, Error::Config(_)), "{blocking:?}");
    // The last handle on the client's runtime is dropped inside this runtime: no panic.
    drop(client);
}

#[test]
fn a_thousand_calls_are_in_flight_at_once_on_a_few_threads_and_dropping_them_cancels_them() {
    const CALLS: usize = 1000;
    let mock = MockServer::start().unwrap();
    // Each answer waits far longer than the test does: every call is still in flight when
    // the mock has recorded them all.
    mock.fail_next((0..CALLS).map(|_| Failure::delay(Duration::from_secs(120))));
    let client = client(&mock);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let before = threads();
    let calls = runtime.block_on(async {
        let to = Recipient::whatsapp("+15555555555");
        (0..CALLS)
            .map(|i| {
                let (client, to) = (client.clone(), to.clone());
                tokio::spawn(async move { client.send_text(&to, &format!("n{i}")).await })
            })
            .collect::<Vec<_>>()
    });
    wait_until("every call to reach the mock", || {
        runtime.block_on(tokio::task::yield_now());
        mock.request_count() == CALLS
    });
    let during = threads();
    assert!(
        during < before + 8,
        "{CALLS} calls in flight took {} more threads",
        during - before
    );
    assert!(calls.iter().all(|c| !c.is_finished()), "a call ended early");

    // Cancelling the callers' tasks drops their calls: the client's runtime abandons them
    // and closes their connections, and the client keeps working.
    for call in &calls {
        call.abort();
    }
    runtime.block_on(async {
        for call in calls {
            assert!(call.await.unwrap_err().is_cancelled());
        }
    });
    mock.reset();
    let sent = runtime
        .block_on(client.send_text(&Recipient::whatsapp("+15555555555"), "after"))
        .unwrap();
    assert_eq!(sent.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_dropped_before_it_runs_sends_nothing() {
    let mock = MockServer::start().unwrap();
    let client = client(&mock);
    let to = Recipient::whatsapp("+15555555555");
    let call = client.send_text(&to, "never");
    drop(call);
    client
        .send_text(&Recipient::whatsapp("+15555555555"), "sent")
        .await
        .unwrap();
    let bodies: Vec<String> = mock
        .requests()
        .iter()
        .map(|r| String::from_utf8(r.body.clone()).unwrap())
        .collect();
    assert_eq!(bodies.len(), 1);
    assert!(bodies[0].contains("\"sent\""));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_cancels_a_call_in_flight_which_says_it_may_have_been_sent() {
    let mock = Arc::new(MockServer::start().unwrap());
    mock.fail_next([Failure::delay(Duration::from_secs(120))]);
    let token = CancelToken::new();
    let client = client(&mock).cancelled_by(&token);
    let call = tokio::spawn(async move {
        client
            .send_text(&Recipient::whatsapp("+15555555555"), "in flight")
            .await
    });
    let counted = Arc::clone(&mock);
    tokio::task::spawn_blocking(move || wait_until("the request", || counted.request_count() == 1))
        .await
        .unwrap();
    token.cancel();
    let started = Instant::now();
    let error = call.await.unwrap().unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "the cancel did not stop the call"
    );
    assert!(
        matches!(
            error,
            Error::Cancelled {
                attempts: 1,
                possibly_sent: true
            }
        ),
        "{error:?}"
    );
    assert!(token.is_cancelled());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_token_stops_a_call_waiting_to_retry_and_every_later_call_sending_nothing() {
    let mock = Arc::new(MockServer::start().unwrap());
    // A 429 asking for a long wait: the call is waiting to retry, with nothing in flight.
    mock.fail_next([Failure::rate_limited().retry_after("30")]);
    let token = CancelToken::new();
    let client = client(&mock).cancelled_by(&token);
    let waiting = client.clone();
    let call = tokio::spawn(async move {
        waiting
            .send_text(&Recipient::whatsapp("+15555555555"), "waiting")
            .await
    });
    let counted = Arc::clone(&mock);
    tokio::task::spawn_blocking(move || wait_until("the 429", || counted.request_count() == 1))
        .await
        .unwrap();
    token.cancel();
    let error = call.await.unwrap().unwrap_err();
    assert!(
        matches!(
            error,
            Error::Cancelled {
                attempts: 1,
                possibly_sent: false
            }
        ),
        "{error:?}"
    );

    let later = client
        .send_text(&Recipient::whatsapp("+15555555555"), "later")
        .await
        .unwrap_err();
    assert!(
        matches!(
            later,
            Error::Cancelled {
                attempts: 0,
                possibly_sent: false
            }
        ),
        "{later:?}"
    );
    assert_eq!(mock.request_count(), 1, "nothing was sent after the cancel");
}

#[tokio::test(flavor = "current_thread")]
async fn a_call_that_finished_keeps_its_answer_and_other_clients_are_not_cancelled() {
    let mock = MockServer::start().unwrap();
    let token = CancelToken::new();
    let plain = client(&mock);
    let watched = plain.cancelled_by(&token);
    let to = Recipient::whatsapp("+15555555555");
    let sent = watched.send_text(&to, "before").await.unwrap();
    token.cancel();
    assert_eq!(sent.status, 200);
    plain.send_text(&to, "unwatched").await.unwrap();
    let timed = watched.with_timeout(Duration::from_secs(5)).unwrap();
    let error = timed.send_text(&to, "after").await.unwrap_err();
    assert!(
        matches!(error, Error::Cancelled { .. }),
        "a derived client keeps the token"
    );
    assert_eq!(mock.request_count(), 2);
}
