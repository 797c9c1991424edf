//! What the customer use case needs from storage: one narrow port.

use std::future::Future;

use platform::EventEnvelope;
use platform::inbox::Applied;

use crate::domain::NotificationEvent;

/// Record the notifications an event caused and send them, once per event.
pub trait CustomerMessages {
    /// Records `events` (caused by `cause`) and queues their messages for `NotificationsTopic`,
    /// together with the mark that `cause` was handled, all or nothing. When `cause` was
    /// handled before, nothing is written: [`Applied::AlreadyDone`] (a notification goes out once
    /// however often its event arrives).
    ///
    /// # Errors
    /// When storage fails; nothing was written and the event should be retried.
    fn send_once(
        &self,
        cause: &EventEnvelope,
        events: &[NotificationEvent],
    ) -> impl Future<Output = anyhow::Result<Applied>> + Send;
}
