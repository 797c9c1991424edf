//! The order context's event consumer, named by its effect.
//!
//! [`follow_delivery`]: the order follows its clothes. It consumes `DeliveryEventsTopic`
//! through `OrderInboxQueue` (`Shipped`, `DeliveryCancelled`, `ReturnCollected`): each event
//! is applied once (the inbox item is written in the same transaction as the order) and only
//! moves the order forward. `DeliveryCancelled` cancels an `Ordered` order and emits
//! `OrderCancelled`, as the customer's cancel would have (reconciliation: the cancel call
//! timed out but delivery completed it); an order already cancelled changes nothing.

use anyhow::Context;
use contracts::delivery::DeliveryEvent;
use platform::EventEnvelope;

use crate::application::{self, Followed};
use crate::domain::{DeliveryFact, OrderId};
use crate::ports::Orders;
use crate::wiring;

/// The name of [`follow_delivery`]'s inbox: its items are `INBOX#<this>#<event id>`.
pub const FOLLOW_DELIVERY_INBOX: &str = "order-on-delivery-events";

/// Applies one delivery event to its order, once (SQS consumer of `OrderInboxQueue`).
///
/// # Errors
/// A malformed event or an unknown order (dead-lettered in the end), or storage failing
/// (retried).
pub async fn follow_delivery<O: Orders>(deps: &wiring::FollowDelivery<O>, event: EventEnvelope) -> anyhow::Result<()> {
    let (id, fact) = match event.decode::<DeliveryEvent>().context("not a delivery event")? {
        DeliveryEvent::Shipped(e) => (e.order_id, DeliveryFact::Shipped),
        DeliveryEvent::DeliveryCancelled(e) => (e.order_id, DeliveryFact::Cancelled),
        DeliveryEvent::ReturnCollected(e) => (e.order_id, DeliveryFact::Collected),
    };
    let id = OrderId::parse(&id).context("the event's orderId")?;
    // Boxed: the future nests deeply enough (retry, inbox, SDK) to exceed the compiler's
    // layout depth inside the Lambda runtime's.
    match Box::pin(application::follow_delivery(&deps.orders, &id, fact, &event)).await? {
        Followed::Moved(status) => tracing::info!(%status, "delivery event followed"),
        Followed::Unchanged => tracing::info!(
            event_type = %event.event_type,
            "the order has moved past this delivery event (late, repeated or stale); acknowledged without change"
        ),
        Followed::Duplicate => tracing::info!(event_type = %event.event_type, "delivery event applied before"),
    }
    Ok(())
}
