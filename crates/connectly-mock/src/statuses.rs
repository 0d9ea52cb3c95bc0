//! Automatic status deliveries: after each accepted send, `sent`, `delivered` and `read`
//! for its id, from one background thread per mock.

use std::sync::atomic::Ordering;
use std::sync::{mpsc, Arc, Weak};

use super::deliver;
use super::events::CampaignNamePlace;
use super::http::lock;
use super::state::{AcceptedMessage, State};

/// The statuses delivered automatically, in their natural order.
pub(crate) const AUTOMATIC: [&str; 3] = ["sent", "delivered", "read"];

/// In which order the automatic statuses of a message are delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusOrder {
    /// `sent`, `delivered`, `read`.
    InOrder,
    /// The same three in a random order, as Connectly may deliver them.
    Shuffled,
}

impl StatusOrder {
    /// The control protocol's name: `in_order` or `shuffled`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            StatusOrder::InOrder => "in_order",
            StatusOrder::Shuffled => "shuffled",
        }
    }

    /// Reads a control-protocol name (`off` is `None`).
    pub(crate) fn parse(name: &str) -> Result<Option<StatusOrder>, String> {
        match name {
            "off" => Ok(None),
            "in_order" => Ok(Some(StatusOrder::InOrder)),
            "shuffled" => Ok(Some(StatusOrder::Shuffled)),
            other => Err(format!(
                "\"auto\" must be \"off\", \"in_order\" or \"shuffled\", not {other:?}"
            )),
        }
    }
}

/// One accepted message whose statuses are to be delivered.
pub(crate) type Job = (AcceptedMessage, StatusOrder);

/// Queues the automatic statuses of `message`, starting the delivery thread on first use.
/// The thread holds the state weakly: it ends once the mock is gone.
pub(crate) fn enqueue(state: &Arc<State>, message: AcceptedMessage, order: StatusOrder) {
    let mut queue = lock(&state.status_queue);
    if queue.is_none() {
        let (sender, jobs) = mpsc::channel();
        let weak = Arc::downgrade(state);
        let started = std::thread::Builder::new()
            .name("connectly-mock-statuses".to_owned())
            .spawn(move || run(&weak, &jobs));
        if started.is_ok() {
            *queue = Some(sender);
        }
    }
    if let Some(sender) = queue.as_ref() {
        // The thread only ends once the state is gone, so this cannot fail while it lives.
        let _ = sender.send((message, order));
    }
}

/// Delivers each job's statuses, in turn, to the `delivery_status` webhook registered at
/// that moment; a delivery that fails (no webhook, a receiver that refuses) is not retried.
fn run(state: &Weak<State>, jobs: &mpsc::Receiver<Job>) {
    while let Ok((message, order)) = jobs.recv() {
        let Some(state) = state.upgrade() else { return };
        let mut statuses = AUTOMATIC;
        if order == StatusOrder::Shuffled {
            fastrand::shuffle(&mut statuses);
        }
        for status in statuses {
            if state.stopped.load(Ordering::Acquire) {
                return;
            }
            let _ = deliver::status_of(&state, &message, status, CampaignNamePlace::Metadata);
        }
    }
}
