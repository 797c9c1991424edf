//! What notification needs from storage: one narrow port.

use std::future::Future;

use platform::EventEnvelope;
use platform::inbox::Applied;

use crate::domain::Notice;

/// Record the notices an event caused and send them, once per event.
pub trait Notices {
    /// Queues `notices` (caused by `cause`) for `NotificationsTopic` with the mark that
    /// `cause` was handled, all or nothing; [`Applied::AlreadyDone`] (nothing written) when
    /// it was handled before.
    ///
    /// # Errors
    /// When storage fails; nothing was written and the event is retried.
    fn send_once(
        &self,
        cause: &EventEnvelope,
        notices: &[Notice],
    ) -> impl Future<Output = anyhow::Result<Applied>> + Send;
}
