//! Webhook deliveries: what Connectly POSTs to a registered address.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::events::{self, CampaignNamePlace, Inbound};
use super::state::{AcceptedMessage, State};
use connectly::SIGNATURE_HEADER;

/// How long a delivery may take.
const TIMEOUT: Duration = Duration::from_secs(10);

/// The `User-Agent` deliveries carry.
pub(crate) const USER_AGENT: &str = concat!("connectly-mock/", env!("CARGO_PKG_VERSION"));

/// One delivery the mock made, and how the receiver answered.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Delivery {
    /// The address it was POSTed to.
    pub address: String,
    /// The status the receiver answered with.
    pub status: u16,
    /// The exact body bytes sent.
    pub body: Vec<u8>,
    /// The `X-Connectly-Hmac-Sha256` header sent, if any.
    pub signature: Option<String>,
    /// The body the receiver answered with.
    pub response: Vec<u8>,
}

/// Why a delivery failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MockError {
    /// No address is registered for the topic.
    #[error("no webhook is registered for topic {topic:?}")]
    NoWebhook {
        /// The topic.
        topic: String,
    },
    /// The receiver could not be reached, or did not answer in time.
    #[error("could not deliver to {address}: {message}")]
    Transport {
        /// The address.
        address: String,
        /// What went wrong.
        message: String,
    },
    /// The receiver answered, but not with 200.
    #[error("the webhook receiver at {address} answered {status}, not 200")]
    Rejected {
        /// The address.
        address: String,
        /// The status it answered with.
        status: u16,
        /// The body it answered with.
        body: Vec<u8>,
    },
    /// A status was asked for a message id the mock did not accept (or no longer keeps).
    #[error("the mock accepted no message with id {id:?}")]
    UnknownMessage {
        /// The id.
        id: String,
    },
}

/// Unix seconds now, as event timestamps carry them.
fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Delivers an inbound message from `from` to the `messages` webhook; anything but 200 is
/// an error.
pub(crate) fn inbound(state: &State, from: &str, inbound: &Inbound) -> Result<Delivery, MockError> {
    let body = events::inbound_body(from, &state.config.business_phone, inbound, now());
    signed(state, "messages", body)
}

/// Delivers a `delivery_status` event about the accepted message `message_id`; anything
/// but 200 is an error.
pub(crate) fn status(
    state: &State,
    message_id: &str,
    status: &str,
    place: CampaignNamePlace,
) -> Result<Delivery, MockError> {
    let message = state
        .message(message_id)
        .ok_or_else(|| MockError::UnknownMessage {
            id: message_id.to_owned(),
        })?;
    status_of(state, &message, status, place)
}

/// Delivers a `delivery_status` event about `message`; anything but 200 is an error.
pub(crate) fn status_of(
    state: &State,
    message: &AcceptedMessage,
    status: &str,
    place: CampaignNamePlace,
) -> Result<Delivery, MockError> {
    let body = events::status_body(message, &state.config.business_phone, status, place, now());
    signed(state, "delivery_status", body)
}

/// Signs `body` and POSTs it to the webhook registered for `topic`; anything but 200 is an
/// error.
pub(crate) fn signed(state: &State, topic: &str, body: Vec<u8>) -> Result<Delivery, MockError> {
    let signature = state.signer.sign(&body);
    let delivery = raw(state, topic, body, Some(&signature))?;
    if delivery.status == 200 {
        Ok(delivery)
    } else {
        Err(MockError::Rejected {
            address: delivery.address,
            status: delivery.status,
            body: delivery.response,
        })
    }
}

/// POSTs `body` to the webhook registered for `topic`, with `signature` (if any) as the
/// signature header. Any answer is a `Delivery`, whatever its status.
pub(crate) fn raw(
    state: &State,
    topic: &str,
    body: Vec<u8>,
    signature: Option<&str>,
) -> Result<Delivery, MockError> {
    let address = state.webhook(topic).ok_or_else(|| MockError::NoWebhook {
        topic: topic.to_owned(),
    })?;
    let transport = |message: String| MockError::Transport {
        address: address.clone(),
        message,
    };
    let client = state
        .http
        .get_or_init(|| {
            reqwest::blocking::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(TIMEOUT)
                .no_proxy()
                .user_agent(USER_AGENT)
                .build()
                .map_err(|e| chain(&e))
        })
        .as_ref()
        .map_err(|e| transport(e.clone()))?;
    let mut request = client
        .post(&address)
        .header("content-type", "text/plain; charset=utf-8")
        .body(body.clone());
    if let Some(signature) = signature {
        request = request.header(SIGNATURE_HEADER, signature);
    }
    let response = request.send().map_err(|e| transport(chain(&e)))?;
    let status = response.status().as_u16();
    let response = response.bytes().map_err(|e| transport(chain(&e)))?;
    Ok(Delivery {
        address: address.clone(),
        status,
        body,
        signature: signature.map(str::to_owned),
        response: response.to_vec(),
    })
}

/// An error and its sources, as one line.
fn chain(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = cause.source();
    }
    message
}
