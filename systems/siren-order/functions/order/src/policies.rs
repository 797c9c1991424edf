//! The order context's event consumers, named by their effect.
//!
//! [`follow_delivery`]: the order follows its delivery at the counter. It consumes
//! `DeliveryEventsTopic` through `OrderInboxQueue` (`OrderWaited`, `DeliveryStarted`,
//! `DeliveryCompleted`, `DeliveryCancelled`): each event is applied once (the inbox item is
//! written in the same transaction as the order) and only moves the order forward;
//! completing emits `OrderCompleted`. `DeliveryCancelled` cancels an order that is not
//! cancelled yet and emits `OrderCancelled` (reason `DeliveryCancelled`), so points come
//! back and the customer is told once, even when the customer's cancel call timed out after
//! the counter had committed it; an order already cancelled (the usual case: the call
//! answered) changes nothing.

use chrono::Utc;
use contracts::delivery::DeliveryEvent;
use platform::EventEnvelope;
use platform::dynamo::WriteError;
use platform::id::InvalidId;
use platform::inbox::Applied;
use platform::retry::Conflict;

use crate::domain::{DeliveryFact, DeliveryId, OrderId, OrderStatus};
use crate::ports::Orders;
use crate::wiring;

/// The name of [`follow_delivery`]'s inbox: its items are `INBOX#<this>#<event id>`.
pub const FOLLOW_DELIVERY_INBOX: &str = "order-on-delivery-events";

/// What [`follow_delivery`] did with one event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Followed {
    /// The order moved to this status (or, when started, stopped being cancellable).
    Moved(OrderStatus),
    /// The order had moved past this event (a late event, or a duplicate of one already
    /// applied): nothing to write.
    Unchanged,
    /// The inbox had this event already: nothing was written.
    Duplicate,
}

/// Why [`follow_delivery`] did not apply an event; the message is retried and, in the
/// end, dead-lettered.
#[derive(Debug, thiserror::Error)]
pub enum FollowDeliveryError {
    /// Not one of the delivery events, or its data does not match the contract.
    #[error("not a delivery event")]
    Malformed(#[from] serde_json::Error),
    /// An id in the event is malformed.
    #[error("the event's {field} {source}")]
    InvalidId {
        /// The field.
        field: &'static str,
        /// Why.
        source: InvalidId,
    },
    /// No such order. It is stored before its `OrderPlaced` leaves, so a delivery of an
    /// unknown order is not ours: failing keeps it in the dead-letter queue for a look.
    #[error("order {0} not found")]
    UnknownOrder(OrderId),
    /// The order kept changing under us.
    #[error("the order kept changing")]
    Contended,
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] anyhow::Error),
}

impl From<WriteError> for FollowDeliveryError {
    fn from(err: WriteError) -> Self {
        match err {
            WriteError::Conflict => Self::Contended,
            WriteError::Storage(err) => Self::Storage(err),
        }
    }
}

impl Conflict for FollowDeliveryError {
    fn is_conflict(&self) -> bool {
        matches!(self, Self::Contended)
    }
}

/// Applies one delivery event to its order, once (SQS consumer of `OrderInboxQueue`).
///
/// # Errors
/// [`FollowDeliveryError`] (as `anyhow`, for [`platform::lambda::serve_events`]): the
/// message is then retried and, in the end, moved to the dead-letter queue.
pub async fn follow_delivery<O: Orders>(deps: &wiring::FollowDelivery<O>, event: EventEnvelope) -> anyhow::Result<()> {
    // Boxed: the future nests deeply enough (retry, inbox, SDK) to exceed the compiler's
    // layout depth inside the Lambda runtime's.
    let followed = Box::pin(apply(&deps.orders, &event)).await?;
    match followed {
        Followed::Moved(status) => tracing::info!(%status, "delivery event followed"),
        Followed::Unchanged => tracing::info!(
            event_type = %event.event_type,
            "the order has moved past this delivery event (late, repeated, or already cancelled); acknowledged without change"
        ),
        Followed::Duplicate => {
            tracing::info!(event_type = %event.event_type, "delivery event applied before; acknowledged")
        }
    }
    Ok(())
}

/// The use case behind [`follow_delivery`].
///
/// # Errors
/// See [`FollowDeliveryError`].
pub async fn apply(orders: &impl Orders, event: &EventEnvelope) -> Result<Followed, FollowDeliveryError> {
    let (id, fact) = fact_of(event.decode::<DeliveryEvent>()?)?;
    platform::retry::on_conflict(|| async {
        let order = orders.find(&id).await?.ok_or_else(|| FollowDeliveryError::UnknownOrder(id.clone()))?;
        let now = Utc::now();
        let Some((next, events)) = order.follow(&fact, now) else {
            return Ok(Followed::Unchanged);
        };
        Ok(match orders.save_once(event, &next, order.version(), &events).await? {
            Applied::Now => {
                crate::metrics::moved(order.status(), &next, now);
                Followed::Moved(next.status())
            }
            Applied::AlreadyDone => Followed::Duplicate,
        })
    })
    .await
}

/// The order a delivery event is about, and what it tells.
fn fact_of(event: DeliveryEvent) -> Result<(OrderId, DeliveryFact), FollowDeliveryError> {
    let order_id =
        |id: &str| OrderId::parse(id).map_err(|source| FollowDeliveryError::InvalidId { field: "orderId", source });
    let delivery_id = |id: &str| {
        DeliveryId::parse(id).map_err(|source| FollowDeliveryError::InvalidId { field: "deliveryId", source })
    };
    Ok(match event {
        DeliveryEvent::OrderWaited(waited) => (
            order_id(&waited.order_id)?,
            DeliveryFact::Waited {
                delivery_id: delivery_id(&waited.delivery_id)?,
                waiting_number: waited.waiting_number,
            },
        ),
        DeliveryEvent::DeliveryStarted(started) => (order_id(&started.order_id)?, DeliveryFact::Started),
        DeliveryEvent::DeliveryCancelled(cancelled) => {
            if let Some(id) = &cancelled.delivery_id {
                delivery_id(id)?;
            }
            (order_id(&cancelled.order_id)?, DeliveryFact::Cancelled)
        }
        DeliveryEvent::DeliveryCompleted(completed) => (
            order_id(&completed.order_id)?,
            DeliveryFact::Completed {
                delivery_id: delivery_id(&completed.delivery_id)?,
                waiting_number: completed.waiting_number,
            },
        ),
    })
}
