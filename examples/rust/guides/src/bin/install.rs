//! The install guide: the SDK's version, and a client configured from the environment.
//!
//! Run it with `CONNECTLY_API_KEY` and `CONNECTLY_BUSINESS_ID` set (and `CONNECTLY_BASE_URL`
//! for the mock): `cargo build -p connectly-guides --bins && target/debug/install`.
// connectly-example: run

use connectly_guides::{check, env, Outcome};

fn main() -> Outcome {
    // --8<-- [start:version]
    println!("connectly {}", connectly::VERSION);
    // --8<-- [end:version]
    check(
        connectly::VERSION == env!("CARGO_PKG_VERSION"),
        format!("the SDK says it is version {}", connectly::VERSION),
    )?;

    // --8<-- [start:client]
    // Reads CONNECTLY_API_KEY and CONNECTLY_BUSINESS_ID (and CONNECTLY_BASE_URL, when set).
    let client = connectly::Client::from_env()?;
    println!("ready to send for business {}", client.business_id());
    // --8<-- [end:client]
    check(
        client.business_id() == env("CONNECTLY_BUSINESS_ID")?,
        "the client's business id is not CONNECTLY_BUSINESS_ID",
    )?;
    // The client works: the API answers it.
    let templates = client.list_templates()?;
    println!("the API lists {} template(s)", templates.len());
    Ok(())
}
