//! The use case: tell the customer about an occasion, once.

use platform::EventEnvelope;
use platform::inbox::Applied;

use crate::domain::Occasion;
use crate::ports::CustomerMessages;

/// Why [`notify_once`] did not notify.
#[derive(Debug, thiserror::Error)]
pub enum NotifyCustomerError {
    /// Storage failed; nothing was written, and the event is retried (then dead-lettered).
    #[error("the notification could not be stored")]
    Storage(#[source] anyhow::Error),
}

/// Decides the message `occasion` calls for and records it with its outbox item and the
/// inbox item of `cause` (the event that told us of the occasion) in one transaction;
/// [`Applied::AlreadyDone`] when `cause` was notified before.
///
/// # Errors
/// [`NotifyCustomerError::Storage`] when storage fails.
pub async fn notify_once(
    messages: &impl CustomerMessages,
    cause: &EventEnvelope,
    occasion: &Occasion,
) -> Result<Applied, NotifyCustomerError> {
    let events = occasion.notify();
    messages.send_once(cause, &events).await.map_err(NotifyCustomerError::Storage)
}
