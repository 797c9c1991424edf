//! The store's reaction to order events, named by its effect (queue `StoreInboxQueue`,
//! subscribed to `OrderEventsTopic` for `OrderPlaced`): [`receive_order`] makes a `Received`
//! store order (FR 3), once; the store never sees a `PaymentPending` or `PaymentFailed`
//! order, because only `Paid` says `OrderPlaced`.

use anyhow::Context;
use chrono::Utc;
use contracts::order::OrderEvent;
use platform::EventEnvelope;

use crate::application::{self, Received};
use crate::domain::{CustomerId, OrderId, StoreOrder};
use crate::ports::StoreOrders;

/// The inbox name of the order-event consumer (part of its inbox items' keys: keep it).
pub const ORDER_EVENTS_INBOX: &str = "store-on-order-events";

/// Makes the store order `OrderPlaced` asks for, once.
///
/// # Errors
/// When the event is malformed (dead-lettered in the end), or storage keeps failing (retried).
pub async fn receive_order(orders: &impl StoreOrders, event: EventEnvelope) -> anyhow::Result<()> {
    let placed = match event.decode::<OrderEvent>().context("not an order event")? {
        OrderEvent::OrderPlaced(placed) => placed,
        OrderEvent::OrderCancelled(_) | OrderEvent::PaymentAbandoned(_) => {
            tracing::info!(event_type = %event.event_type, "not for the store; acknowledged");
            return Ok(());
        }
    };
    let order = StoreOrder::receive(
        OrderId::parse(&placed.order_id).context("orderId")?,
        CustomerId::parse(&placed.customer_id).context("customerId")?,
        placed.item,
        placed.quantity,
        Utc::now(),
    );
    match Box::pin(application::receive(orders, &order, &event)).await? {
        Received::Received(_) => tracing::info!("store order received"),
        Received::Known => tracing::info!("the store knew this order already (or it was cancelled first)"),
        Received::AlreadyDone => tracing::info!("duplicate event ignored"),
    }
    Ok(())
}
