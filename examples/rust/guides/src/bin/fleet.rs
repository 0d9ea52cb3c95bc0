//! The fleet guide: many processes sharing state in Redis: one send budget
//! (`RedisRateLimiter`), each webhook delivery handled once (`RedisDeduplicator`), and one
//! view of every message's furthest status (`RedisStatusStore`).
//!
//! Run it with `CONNECTLY_API_KEY`, `CONNECTLY_BUSINESS_ID`, `CONNECTLY_BASE_URL`,
//! `CONNECTLY_WEBHOOK_SECRET` and `REDIS_URL` set: `target/debug/fleet`. It plays a second
//! process with a second client, deduplicator and tracker of its own, and checks that they
//! share the first one's budget, claims and statuses.
// connectly-example: run

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use connectly::{
    admit_once, Admission, BulkOptions, ClientBuilder, DedupTtls, Deduplicator, Event,
    MessageStatus, Outgoing, Recipient, RedisDeduplicator, RedisRateLimiter, RedisStatusStore,
    StatusTracker, Webhook,
};
use connectly_guides::{check, env, message_id, Outcome};

fn main() -> Outcome {
    // --8<-- [start:rate_limiter]
    // Every process built with this Redis and this rate shares one budget: 20 sends a
    // second in all, however many workers send (Connectly allows 200 a second a business).
    // Should Redis stop answering, each sends on at a quarter of the rate until it is back.
    let redis_url = std::env::var("REDIS_URL")?;
    let limiter = Arc::new(RedisRateLimiter::new(&redis_url, 20.0)?);
    let client = ClientBuilder::from_env().rate_limiter(limiter).build()?;
    // --8<-- [end:rate_limiter]

    // Two processes (two clients, two limiters) send 20 messages each. On their own, each
    // would send its 20 at once (the budget's burst); sharing it, the 40 take about 1 s.
    let other = ClientBuilder::from_env()
        .rate_limiter(Arc::new(RedisRateLimiter::new(&redis_url, 20.0)?))
        .build()?;
    let batch: Vec<Outgoing> = (1..=20)
        .map(|n| Outgoing::text(Recipient::whatsapp(format!("+1555555{n:04}")), "Hello!"))
        .collect();
    let started = Instant::now();
    let (ours, theirs) = std::thread::scope(|scope| {
        let theirs = scope.spawn(|| other.send_many(&batch, &BulkOptions::new()));
        let ours = client.send_many(&batch, &BulkOptions::new());
        (ours, theirs.join())
    });
    let elapsed = started.elapsed();
    let theirs = theirs.map_err(|_| "the second sender panicked")?;
    let failed = ours.iter().chain(&theirs).filter(|r| r.is_err()).count();
    check(failed == 0, format!("{failed} sends failed"))?;
    println!("2 x 20 sends under one shared budget of 20/s took {elapsed:?}");
    check(
        elapsed >= Duration::from_millis(700) && elapsed <= Duration::from_millis(3500),
        format!("40 sends at a shared 20/s (burst 20) took {elapsed:?}, not about 1 s"),
    )?;

    let event = a_delivery()?;
    // --8<-- [start:deduplicator]
    // Connectly delivers again until it gets a 200, perhaps to another worker: claim each
    // verified event in Redis before handling it.
    let dedup: Arc<dyn Deduplicator> = Arc::new(RedisDeduplicator::new(&redis_url)?);
    let mut answers = Vec::new();
    for delivery in [&event, &event] {
        let status = match admit_once(&dedup, delivery, DedupTtls::default())? {
            Admission::Run(claim) => {
                println!("handling: {}", delivery.text().unwrap_or("(no text)"));
                claim.complete()?; // dropped without this (the handler failed): released
                200
            }
            // 409 while another worker handles it (Connectly retries), 200 once it is done.
            Admission::InProgress(status) | Admission::Duplicate(status) => status,
        };
        answers.push(status);
    }
    println!("answered {answers:?}");
    // --8<-- [end:deduplicator]
    check(answers == [200, 200], format!("answered {answers:?}"))?;
    // Another process, with a deduplicator of its own, sees the delivery as handled.
    let elsewhere: Arc<dyn Deduplicator> = Arc::new(RedisDeduplicator::new(&redis_url)?);
    check(
        matches!(
            admit_once(&elsewhere, &event, DedupTtls::default())?,
            Admission::Duplicate(200)
        ),
        "another process would handle the delivery again",
    )?;

    let message_id = message_id(&client.send_text(&Recipient::whatsapp("+15555555555"), "Hi!")?)?;
    // --8<-- [start:status_store]
    // Statuses of one message may reach different workers, in any order: with the store in
    // Redis, every worker's tracker keeps the furthest any of them saw.
    let tracker = StatusTracker::with_store(Arc::new(RedisStatusStore::new(&redis_url)?));
    for status in [MessageStatus::Read, MessageStatus::Delivered] {
        if tracker.advance(&message_id, &status) {
            println!("{message_id} is now {}", status.as_str());
        } else {
            println!("{message_id}: {} came late, ignored", status.as_str());
        }
    }
    // --8<-- [end:status_store]
    let elsewhere = StatusTracker::with_store(Arc::new(RedisStatusStore::new(&redis_url)?));
    let seen = elsewhere.try_status(&message_id)?;
    check(
        seen == Some(MessageStatus::Read),
        format!("another process sees {seen:?}, not read"),
    )?;
    check(
        !elsewhere.try_advance(&message_id, &MessageStatus::Sent)?,
        "a late 'sent' moved the message back",
    )?;
    println!("another process sees {message_id} as read");
    Ok(())
}

/// A delivery as a receiver has it once verified: an inbound message, signed with the
/// webhook secret and verified (unique to this run, so a rerun is not a duplicate).
fn a_delivery() -> Outcome<Event> {
    let webhook = Webhook::new(env("CONNECTLY_WEBHOOK_SECRET")?)?;
    let now = SystemTime::now().duration_since(UNIX_EPOCH)?;
    let body = serde_json::json!({
        "timestamp": now.as_secs().to_string(),
        "sender": { "id": "+15555550100", "channelType": "whatsapp" },
        "recipient": { "id": env("CONNECTLY_BUSINESS_ID")?, "channelType": "whatsapp" },
        "message": { "text": format!("Is my order on its way? ({})", now.as_nanos()) },
    })
    .to_string();
    let signature = webhook.sign(body.as_bytes());
    Ok(webhook.verify_event(body.as_bytes(), signature.as_str())?)
}
