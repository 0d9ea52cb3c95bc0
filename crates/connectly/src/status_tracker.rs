//! Keeping delivery statuses in order: out-of-order and repeated statuses never move a
//! message backwards.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::event::MessageStatus;

/// Remembers the furthest status seen per message id, so that a `delivered` arriving after
/// its `read`, or the same status twice, is recognised as not news.
///
/// Statuses rank sent < delivered < read < delivery_failed (final); a status the SDK does
/// not know is recorded only for a message with none yet. Safe to share between threads.
///
/// ```
/// use connectly::{MessageStatus, StatusTracker};
///
/// let tracker = StatusTracker::new();
/// assert!(tracker.advance("m1", &MessageStatus::Read));
/// assert!(!tracker.advance("m1", &MessageStatus::Delivered)); // late: read is further
/// assert_eq!(tracker.status("m1"), Some(MessageStatus::Read));
/// ```
#[derive(Debug, Default)]
pub struct StatusTracker {
    furthest: Mutex<HashMap<String, MessageStatus>>,
}

impl StatusTracker {
    /// An empty tracker, kept in this process's memory.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether `status` moves `message_id` forward; if it does, it is recorded.
    pub fn advance(&self, message_id: &str, status: &MessageStatus) -> bool {
        let mut furthest = self
            .furthest
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let forward = furthest
            .get(message_id)
            .is_none_or(|seen| status.rank() > seen.rank());
        if forward {
            furthest.insert(message_id.to_owned(), status.clone());
        }
        forward
    }

    /// The furthest status seen for `message_id`, if any.
    pub fn status(&self, message_id: &str) -> Option<MessageStatus> {
        self.furthest
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(message_id)
            .cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_order_of_the_statuses_ends_at_the_furthest() {
        use MessageStatus::*;
        let all = [Sent, Delivered, Read];
        for order in [
            [0, 1, 2],
            [0, 2, 1],
            [1, 0, 2],
            [1, 2, 0],
            [2, 0, 1],
            [2, 1, 0],
        ] {
            let tracker = StatusTracker::new();
            let mut forward = 0;
            for i in order {
                forward += usize::from(tracker.advance("m", &all[i]));
                assert!(!tracker.advance("m", &all[i]), "a repeat is never news");
            }
            assert_eq!(tracker.status("m"), Some(Read), "{order:?}");
            assert!(forward >= 1);
        }
        let tracker = StatusTracker::new();
        assert!(tracker.advance("m", &Other("pending".into())));
        assert!(tracker.advance("m", &Failed));
        assert!(!tracker.advance("m", &Read), "failed is final");
        assert!(!tracker.advance("m", &Other("x".into())));
        assert_eq!(tracker.status("other"), None);
    }
}
