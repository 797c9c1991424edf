//! The notification consumer (queue `NotificationInboxQueue`, subscribed to
//! `CustomerRegistered`, `OrderWaited`, `DeliveryCompleted` and `OrderCancelled`).
//!
//! Each event is notified once: the message is written to the notification table's outbox
//! in the same transaction as the inbox item, and the relay publishes it to
//! `NotificationsTopic`. A repeated event writes nothing.

use std::collections::BTreeMap;

use contracts::notification::CustomerNotified;
use platform::EventEnvelope;
use platform::inbox::Inbox;
use platform::outbox::{Outbox, Publication};

use crate::SOURCE;
use crate::messages::compose;

/// What the consumer needs.
#[derive(Debug, Clone)]
pub struct Notifier {
    /// The notification table's outbox.
    pub outbox: Outbox,
    /// The consumer's inbox (same table).
    pub inbox: Inbox,
}

/// Notifies the customer of one event.
///
/// # Errors
/// When the event's data does not match its type, or storage fails (retried, then
/// dead-lettered).
pub async fn on_event(notifier: &Notifier, event: EventEnvelope) -> anyhow::Result<()> {
    let Some(message) = compose(&event)? else {
        tracing::warn!(event_type = %event.event_type, "no message for this event; acknowledged");
        return Ok(());
    };
    let notified = CustomerNotified {
        customer_id: message.customer_id.clone(),
        event_type: event.event_type.clone(),
        subject: message.subject.clone(),
        text: message.text.clone(),
    };
    let envelope = EventEnvelope::new(SOURCE, &event.correlation_id, Some(&event.id), &notified)?;
    let publication = Publication {
        subject: message.subject,
        message: message.text,
        attributes: BTreeMap::from([
            ("customerId".to_owned(), message.customer_id),
            ("eventType".to_owned(), event.event_type.clone()),
        ]),
    };
    let applied =
        notifier.inbox.apply_once(&event, vec![notifier.outbox.put_publication(&envelope, &publication)]).await?;
    tracing::info!(?applied, "customer notified");
    Ok(())
}
