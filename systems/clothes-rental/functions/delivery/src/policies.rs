//! The delivery team's reactions to order events, named by their effect (queue
//! `DeliveryInboxQueue`, subscribed to `OrderEventsTopic` for `OrderPlaced` and
//! `ReturnRequested`). Each is applied once: its effect and the inbox item are written in one
//! transaction, and a repeat is acknowledged without effect.
//!
//! - `OrderPlaced` -> [`receive_order`]: a `Received` delivery ticket (FR 2), unless the order
//!   was cancelled first (tombstone).
//! - `ReturnRequested` -> [`receive_order`]: a `Requested` return ticket (FR 5).
//! - `OrderCancelled` is not for the team (the synchronous cancel did the work; the
//!   subscription filters it out); acknowledged if it comes.

use anyhow::Context;
use chrono::Utc;
use contracts::order::OrderEvent;
use platform::EventEnvelope;

use crate::application::{self, Received, Request};
use crate::domain::{CustomerId, Kind, OrderId, ProductId, Quantity};
use crate::ports::{ConsumedEvents, OrdersAtDesk};

/// Makes the ticket an order event asks for, once.
///
/// # Errors
/// When the event is not an order event or is malformed (dead-lettered in the end), or
/// storage keeps failing (retried).
pub async fn receive_order<S>(store: &S, event: EventEnvelope) -> anyhow::Result<()>
where
    S: OrdersAtDesk + ConsumedEvents,
{
    let (kind, order_id, customer_id, product_id, qty) =
        match event.decode::<OrderEvent>().context("not an order event")? {
            OrderEvent::OrderPlaced(e) => (Kind::Delivery, e.order_id, e.customer_id, e.product_id, e.qty),
            OrderEvent::ReturnRequested(e) => (Kind::Return, e.order_id, e.customer_id, e.product_id, e.qty),
            OrderEvent::OrderCancelled(_) => {
                tracing::info!("OrderCancelled is not for the delivery team; acknowledged");
                return Ok(());
            }
        };
    let request = Request {
        kind,
        order_id: OrderId::parse(&order_id).context("orderId")?,
        customer_id: CustomerId::parse(&customer_id).context("customerId")?,
        product_id: ProductId::parse(&product_id).context("productId")?,
        qty: Quantity::parse(qty).context("qty")?,
    };
    match Box::pin(application::receive(store, &request, &event, Utc::now())).await? {
        Received::Opened(ticket) => tracing::info!(delivery_id = %ticket.id(), "ticket opened"),
        Received::AlreadyKnown(known) => tracing::info!(%known, "no ticket to open"),
        Received::AlreadyDone => tracing::info!("duplicate event ignored"),
    }
    Ok(())
}
