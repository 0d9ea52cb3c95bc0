//! The bulk guide: sending many messages with bounded concurrency and a rate, reporting
//! progress, and a journal that makes a batch resumable: run it again and nothing that was
//! sent is sent twice.
//!
//! Run it with `CONNECTLY_API_KEY`, `CONNECTLY_BUSINESS_ID` and `CONNECTLY_BASE_URL` set to
//! the mock's: `target/debug/bulk`. It checks every result, and counts what the mock
//! accepted: the batch once per section, and nothing for the rerun.
// connectly-example: run

use std::path::Path;

use connectly::{BulkOptions, Client, Outgoing, Progress, Recipient};
use connectly_guides::{check, message_id, mock_accepted_count, Outcome};

fn main() -> Outcome {
    let client = Client::from_env()?;
    let accepted_before = mock_accepted_count()?;

    // --8<-- [start:bulk]
    let customers: Vec<String> = (1..=30).map(|n| format!("+1555555{n:04}")).collect();
    let messages: Vec<Outgoing> = customers
        .iter()
        .map(|number| Outgoing::text(Recipient::whatsapp(number), "Our summer sale starts today!"))
        .collect();
    // At most 8 in flight at once, and at most 50 started a second.
    let options = BulkOptions::new().concurrency(8).rate_limit(50.0);
    let results = client.send_many(&messages, &options);
    // One result per message, in order: a failure does not stop the others.
    for (number, result) in customers.iter().zip(&results) {
        if let Err(error) = result {
            println!("{number}: not sent: {error}");
        }
    }
    let sent = results.iter().filter(|result| result.is_ok()).count();
    println!("{sent} of {} sent", results.len());
    // --8<-- [end:bulk]
    check(sent == 30, format!("{sent} of 30 sent"))?;
    check(
        mock_accepted_count()? == accepted_before + 30,
        "the mock did not accept the 30 messages",
    )?;

    // --8<-- [start:progress]
    // Called after each message, one call at a time, with `done` one more each time.
    let options = BulkOptions::new().on_progress(|progress: Progress| {
        if progress.done.is_multiple_of(10) || progress.done == progress.total {
            println!(
                "{}/{} done, {} failed",
                progress.done, progress.total, progress.failed
            );
        }
    });
    let results = client.send_many(&messages, &options);
    // --8<-- [end:progress]
    check(
        results.iter().all(Result::is_ok),
        "a message of the second batch failed",
    )?;

    // This demonstration starts without a journal; a real batch keeps its own until done.
    remove(Path::new("summer-sale.journal"))?;
    let accepted_before = mock_accepted_count()?;

    // --8<-- [start:journal]
    // Each message's outcome is written to the journal as it happens. Run the same batch
    // with the same journal again (after a crash, a deploy, Ctrl-C) and only what never
    // left is sent: a message confirmed sent comes back from the journal, with 0 attempts;
    // one that may have reached Connectly, as `Error::Cancelled { possibly_sent: true, .. }`.
    let options = BulkOptions::new()
        .concurrency(8)
        .journal("summer-sale.journal");
    let first = client.send_many(&messages, &options);
    let rerun = client.send_many(&messages, &options);
    let again = rerun
        .iter()
        .filter(|result| matches!(result, Ok(sent) if sent.attempts > 0))
        .count();
    println!("rerun: {again} of {} sent again", rerun.len());
    // --8<-- [end:journal]
    check(again == 0, format!("the rerun sent {again} messages again"))?;
    let accepted = mock_accepted_count()? - accepted_before;
    check(
        accepted == 30,
        format!("both runs sent {accepted} messages, not 30"),
    )?;
    for (first, rerun) in first.iter().zip(&rerun) {
        let (Ok(first), Ok(rerun)) = (first, rerun) else {
            return Err(format!("a failure: {first:?}, then {rerun:?}").into());
        };
        check(
            message_id(first)? == message_id(rerun)?,
            "the rerun's answer is not the first run's",
        )?;
    }
    println!("the rerun answered every message from the journal; the mock got none of them");
    remove(Path::new("summer-sale.journal"))?;
    Ok(())
}

/// Removes the journal file, if there is one.
fn remove(path: &Path) -> Outcome {
    match std::fs::remove_file(path) {
        Err(error) if error.kind() != std::io::ErrorKind::NotFound => Err(error.into()),
        _ => Ok(()),
    }
}
