//! `connectly sign` and `connectly verify`.

use std::io::Read;

use super::{Exit, Failed, Outcome};
use connectly::{Webhook, WebhookError};

/// Reads the body from a file, or standard input for `-` or no file.
fn read_body(file: Option<&str>) -> Result<Vec<u8>, Failed> {
    let mut body = Vec::new();
    match file {
        None | Some("-") => {
            std::io::stdin().lock().read_to_end(&mut body)?;
        }
        Some(path) => {
            body = std::fs::read(path)
                .map_err(|e| Failed::new(Exit::Failure, format!("cannot read {path}: {e}")))?;
        }
    }
    Ok(body)
}

fn webhook(secret: &str) -> Result<Webhook, Failed> {
    Webhook::new(secret).map_err(|e| Failed::new(Exit::Invalid, e.to_string()))
}

fn rejected(err: WebhookError) -> Failed {
    let exit = match err {
        WebhookError::InvalidSecret(_) => Exit::Invalid,
        WebhookError::MissingSignature
        | WebhookError::MalformedSignature
        | WebhookError::InvalidSignature
        | WebhookError::PayloadTooLarge { .. }
        | WebhookError::InvalidPayload(_)
        | WebhookError::TimestampOutsideTolerance { .. } => Exit::BadSignature,
    };
    Failed::new(
        exit,
        format!("delivery rejected ({}): {err}", err.kind_name()),
    )
}

/// `connectly sign`: prints the signature header value for the body.
pub(super) fn sign(secret: &str, file: Option<&str>) -> Outcome {
    let webhook = webhook(secret)?;
    println!("{}", webhook.sign(&read_body(file)?));
    Ok(())
}

/// `connectly verify`: checks the signature, then prints the parsed event as JSON.
pub(super) fn verify(
    secret: &str,
    signature: &str,
    file: Option<&str>,
    signature_only: bool,
) -> Outcome {
    let webhook = webhook(secret)?;
    let body = read_body(file)?;
    if signature_only {
        webhook.verify(&body, signature).map_err(rejected)?;
        println!("valid");
    } else {
        let event = webhook.verify_event(&body, signature).map_err(rejected)?;
        println!("{}", event.raw());
    }
    Ok(())
}
