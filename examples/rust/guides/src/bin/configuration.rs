//! The configuration guide: a client from the environment, one configured in code (key,
//! business, base URL, timeouts, retries), and what its `Debug` output shows: never a secret.
//!
//! Run it with `CONNECTLY_API_KEY`, `CONNECTLY_BUSINESS_ID`, `CONNECTLY_BASE_URL` and
//! `CONNECTLY_WEBHOOK_SECRET` set: `target/debug/configuration`. It checks that both
//! clients work, that a missing setting is a configuration error, and that neither the API
//! key nor the webhook secret appears in anything it prints.
// connectly-example: run

use std::time::Duration;

use connectly::{Client, ClientBuilder, Error, Recipient, Webhook, DEFAULT_BASE_URL};
use connectly_guides::{check, env, Outcome};

fn main() -> Outcome {
    // --8<-- [start:from_env]
    // CONNECTLY_API_KEY and CONNECTLY_BUSINESS_ID are required; CONNECTLY_BASE_URL is
    // optional (https://api.connectly.ai). Timeouts and retries keep their defaults.
    let client = Client::from_env()?;

    // Or start from the environment and change only what you need.
    let patient = ClientBuilder::from_env()
        .timeout(Duration::from_secs(60))
        .build()?;
    // --8<-- [end:from_env]
    let customer = Recipient::whatsapp("+15555555555");
    check(client.send_text(&customer, "Hi!")?.status == 200, "send")?;
    check(patient.send_text(&customer, "Hi!")?.status == 200, "send")?;
    let unset = ClientBuilder::default()
        .business_id(env("CONNECTLY_BUSINESS_ID")?)
        .build();
    check(
        matches!(&unset, Err(Error::Config(why)) if why.contains("CONNECTLY_API_KEY")),
        format!("a client without a key gave {unset:?}"),
    )?;

    // --8<-- [start:explicit]
    let client = Client::builder()
        .api_key(std::env::var("CONNECTLY_API_KEY")?) // from your secret store
        .business_id(std::env::var("CONNECTLY_BUSINESS_ID")?)
        // Default https://api.connectly.ai; plain http is accepted only on loopback (tests).
        .base_url(std::env::var("CONNECTLY_BASE_URL").unwrap_or(DEFAULT_BASE_URL.into()))
        .timeout(Duration::from_secs(10)) // each attempt; default 30 s, never unlimited
        .total_timeout(Duration::from_secs(60)) // the whole call, retries included; default 120 s
        .max_retries(4) // default 2, at most 10; see the errors guide for what is retried
        .build()?;
    // --8<-- [end:explicit]
    let sent = client.send_text(&customer, "Hi!")?;
    check(sent.status == 200 && sent.attempts == 1, "send")?;
    let shown = format!("{client:?}");
    check(
        shown.contains("timeout: 10s") && shown.contains("max_retries: 4"),
        format!("Debug shows {shown}"),
    )?;

    // --8<-- [start:secrets]
    // Debug output is safe to log: the API key and webhook secrets are never in it.
    println!("{client:?}");
    let webhook = Webhook::new(std::env::var("CONNECTLY_WEBHOOK_SECRET")?)?;
    println!("{webhook:?}");
    // Nor in errors: a call refused for a wrong key says so without quoting it.
    let stranger = ClientBuilder::from_env().api_key("wrong-key").build()?;
    if let Err(error) = stranger.send_text(&customer, "Hi!") {
        println!("{error}");
    }
    // --8<-- [end:secrets]
    let key = env("CONNECTLY_API_KEY")?;
    let secret = env("CONNECTLY_WEBHOOK_SECRET")?;
    let error = stranger.send_text(&customer, "Hi!");
    let printed = format!("{client:?} {webhook:?} {error:?}");
    for (what, value) in [("API key", key.as_str()), ("webhook secret", &secret)] {
        check(!printed.contains(value), format!("the {what} was printed"))?;
    }
    check(
        !format!("{stranger:?} {error:?}").contains("wrong-key"),
        "the wrong key was printed",
    )?;
    check(
        printed.contains("[REDACTED]"),
        format!("Debug does not say what it hides: {printed}"),
    )?;
    println!("no secret in anything printed");
    Ok(())
}
