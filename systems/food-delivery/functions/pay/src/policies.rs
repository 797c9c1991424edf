//! Pay's reactions to order events, named by their effect (queue `PaymentInboxQueue`,
//! subscribed to `OrderEventsTopic` for `OrderCancelled` and `PaymentAbandoned`): [`give_back`]
//! refunds a cancelled order and voids an abandoned payment (or refuses it ahead with a
//! tombstone). Each is applied once.

use anyhow::Context;
use contracts::order::OrderEvent;
use platform::EventEnvelope;

use crate::application::{self, GivenBack};
use crate::domain::{CustomerId, OrderId};
use crate::ports::Payments;

/// The inbox name of the order-event consumer (part of its inbox items' keys: keep it).
pub const ORDER_EVENTS_INBOX: &str = "pay-on-order-events";

/// Gives back the payment an order event asks for, once.
///
/// # Errors
/// When the event is malformed (dead-lettered in the end), or storage keeps failing (retried).
pub async fn give_back(payments: &impl Payments, event: EventEnvelope) -> anyhow::Result<()> {
    let (order, customer) = match event.decode::<OrderEvent>().context("not an order event")? {
        OrderEvent::OrderCancelled(e) => (e.order_id, e.customer_id),
        OrderEvent::PaymentAbandoned(e) => (e.order_id, e.customer_id),
        OrderEvent::OrderPlaced(_) => {
            tracing::info!("OrderPlaced is not for pay; acknowledged");
            return Ok(());
        }
    };
    let order = OrderId::parse(&order).context("orderId")?;
    let customer = CustomerId::parse(&customer).context("customerId")?;
    match Box::pin(application::give_back(payments, &order, &customer, &event)).await? {
        GivenBack::Cancelled => tracing::info!(event_type = %event.event_type, "payment cancelled"),
        GivenBack::Tombstoned => tracing::info!("no payment yet: tombstone kept, a late one is refused"),
        GivenBack::Nothing => tracing::info!(event_type = %event.event_type, "nothing to give back"),
    }
    Ok(())
}
