//! The my page's consumer, named by its effect: [`follow_order`] (queue `MyPageInboxQueue`,
//! subscribed to `OrderEventsTopic` for `OrderPlaced`, `OrderCancelled`, `ReturnRequested`
//! and to `DeliveryEventsTopic` for `Shipped`, `DeliveryCancelled`, `ReturnCollected`).

use anyhow::Context;
use chrono::{DateTime, Utc};
use contracts::{delivery, order};
use platform::EventEnvelope;
use serde::Deserialize;
use strum::VariantNames;

use crate::application::{self, Recorded};
use crate::domain::{CustomerId, Fact, OrderId};
use crate::ports::MyPages;

/// The events this consumer handles, from two topics, by their envelope `type`.
#[derive(Deserialize, strum::VariantNames)]
#[serde(tag = "type", content = "data")]
enum Handled {
    OrderPlaced(order::OrderPlaced),
    OrderCancelled(order::OrderCancelled),
    ReturnRequested(order::ReturnRequested),
    Shipped(delivery::Shipped),
    DeliveryCancelled(delivery::DeliveryCancelled),
    ReturnCollected(delivery::ReturnCollected),
}

/// Merges one event into its order's my-page row, once.
///
/// # Errors
/// A malformed event (dead-lettered in the end) or storage failing (retried).
pub async fn follow_order(pages: &impl MyPages, event: EventEnvelope) -> anyhow::Result<()> {
    if !Handled::VARIANTS.contains(&event.event_type.as_str()) {
        tracing::warn!(event_type = %event.event_type, "not an event the my page follows; acknowledged");
        return Ok(());
    }
    let (order, customer, fact) = match event.decode::<Handled>().context("the event's data does not match its type")? {
        Handled::OrderPlaced(e) => {
            let ordered_at: DateTime<Utc> = e.ordered_at.parse().context("orderedAt")?;
            (e.order_id, e.customer_id, Fact::Placed { product_id: e.product_id, qty: e.qty, ordered_at })
        }
        Handled::OrderCancelled(e) => (e.order_id, e.customer_id, Fact::OrderCancelled),
        Handled::ReturnRequested(e) => (e.order_id, e.customer_id, Fact::ReturnRequested),
        Handled::Shipped(e) => (e.order_id, e.customer_id, Fact::Shipped),
        Handled::DeliveryCancelled(e) => (e.order_id, e.customer_id, Fact::DeliveryCancelled),
        Handled::ReturnCollected(e) => (e.order_id, e.customer_id, Fact::ReturnCollected),
    };
    let order = OrderId::parse(&order).context("orderId")?;
    let customer = CustomerId::parse(&customer).context("customerId")?;
    let recorded = Box::pin(application::record(pages, &order, &customer, &fact, &event, Utc::now())).await?;
    match recorded {
        Recorded::Changed => tracing::info!(event_type = %event.event_type, "my page updated"),
        Recorded::Unchanged => tracing::info!(event_type = %event.event_type, "late, repeated or stale; no change"),
        Recorded::Duplicate => tracing::info!(event_type = %event.event_type, "applied before"),
    }
    Ok(())
}
