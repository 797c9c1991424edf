//! The order context's consumer of delivery events (queue `OrderInboxQueue`, subscribed
//! to `DeliveryEventsTopic` for `OrderWaited`, `DeliveryStarted`, `DeliveryCompleted`).
//!
//! Each event is applied once (inbox) and only moves the order forward: a duplicate or a
//! late event changes nothing. `DeliveryCompleted` also emits `OrderCompleted`.

use chrono::Utc;
use contracts::delivery::{DeliveryCompleted, DeliveryStarted, OrderWaited};
use contracts::order::OrderCompleted;
use platform::EventEnvelope;
use platform::envelope::DomainEvent;
use platform::inbox::{Applied, Inbox, InboxError};

use crate::SOURCE;
use crate::domain::{Order, OrderId};
use crate::store::OrderRepository;

/// Attempts when a concurrent change wins the order's version.
const ATTEMPTS: usize = 5;

/// A delivery event this consumer applies.
enum Change {
    Waited(OrderWaited),
    Started,
    Completed(DeliveryCompleted),
}

impl Change {
    fn parse(event: &EventEnvelope) -> anyhow::Result<Option<Self>> {
        let data = event.data.clone();
        Ok(Some(match event.event_type.as_str() {
            OrderWaited::TYPE => Self::Waited(serde_json::from_value(data)?),
            DeliveryStarted::TYPE => {
                let _: DeliveryStarted = serde_json::from_value(data)?;
                Self::Started
            }
            DeliveryCompleted::TYPE => Self::Completed(serde_json::from_value(data)?),
            _ => return Ok(None),
        }))
    }

    /// The order after this event, with the events it emits; `None` when it changes nothing.
    fn apply(&self, order: &Order, causation: &str) -> anyhow::Result<Option<(Order, Vec<EventEnvelope>)>> {
        let now = Utc::now();
        Ok(match self {
            Self::Waited(waited) => order.waited(&waited.delivery_id, waited.waiting_number, now).map(|o| (o, vec![])),
            Self::Started => order.started(now).map(|o| (o, vec![])),
            Self::Completed(completed) => {
                match order.completed(&completed.delivery_id, completed.waiting_number, now) {
                    None => None,
                    Some(next) => {
                        let done = OrderCompleted {
                            order_id: next.id.as_str().to_owned(),
                            customer_id: next.customer_id.clone(),
                            amount: next.amount,
                        };
                        let envelope = EventEnvelope::new(SOURCE, next.id.as_str(), Some(causation), &done)?;
                        Some((next, vec![envelope]))
                    }
                }
            }
        })
    }
}

/// Applies one delivery event to its order.
///
/// # Errors
/// When the event is malformed or storage keeps failing; the message is then retried and,
/// in the end, moved to the dead-letter queue.
pub async fn on_delivery_event<R: OrderRepository>(
    repo: &R,
    inbox: &Inbox,
    event: EventEnvelope,
) -> anyhow::Result<()> {
    let Some(change) = Change::parse(&event)? else {
        tracing::warn!(event_type = %event.event_type, "not a delivery event this consumer handles; acknowledged");
        return Ok(());
    };
    let order_id = event.data["orderId"].as_str().unwrap_or_default().to_owned();
    let id = OrderId::parse(&order_id).map_err(|err| anyhow::anyhow!("orderId: {err}"))?;
    for _ in 0..ATTEMPTS {
        let Some(order) = repo.find(&id).await? else {
            // The order is stored before its OrderPlaced leaves, so a ticket for an unknown
            // order is not ours: fail, to be retried and then kept in the dead-letter queue.
            anyhow::bail!("order {order_id} not found");
        };
        let (effect, outcome) = match change.apply(&order, &event.id)? {
            Some((next, events)) => (repo.save_items(&next, order.version, &events)?, next.status.as_str()),
            None => (Vec::new(), "unchanged"),
        };
        match inbox.apply_once(&event, effect).await {
            Ok(Applied::Now) => {
                tracing::info!(outcome, "delivery event applied");
                return Ok(());
            }
            Ok(Applied::AlreadyDone) => {
                tracing::info!("duplicate delivery event ignored");
                return Ok(());
            }
            Err(InboxError::EffectRefused { .. }) => tracing::info!("the order changed meanwhile; reading again"),
            Err(err) => return Err(err.into()),
        }
    }
    anyhow::bail!("order {order_id} kept changing; will retry")
}
