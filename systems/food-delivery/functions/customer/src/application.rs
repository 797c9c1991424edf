//! The use case: notify the customer of a status change, once.

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

/// Decides the notification `occasion` calls for and records it with its outbox item and the inbox
/// item of `cause` in one transaction; [`Applied::AlreadyDone`] when `cause` was handled before.
///
/// # Errors
/// [`NotifyCustomerError::Storage`].
pub async fn notify_once(
    messages: &impl CustomerMessages,
    cause: &EventEnvelope,
    occasion: &Occasion,
) -> Result<Applied, NotifyCustomerError> {
    messages.send_once(cause, &occasion.notify()).await.map_err(NotifyCustomerError::Storage)
}
