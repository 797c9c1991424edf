//! The consumer of `ReportInboxQueue`: the queue is subscribed to `OrderPlaced`,
//! `OrderCompleted` and `OrderCancelled` (OrderEventsTopic), `OrderWaited`
//! (DeliveryEventsTopic), `ProductRegistered` and `ProductChanged` (ProductEventsTopic).
//!
//! Every event sets only its own facts, so the consumer is idempotent and insensitive to
//! order by construction: it needs no inbox.

use anyhow::Context;
use chrono::{DateTime, Utc};
use contracts::{delivery, order, product};
use platform::EventEnvelope;
use platform::zone::Zone;
use serde::Deserialize;
use strum::VariantNames;

use crate::application::record_facts;
use crate::domain::{CustomerId, Line, OrderId, ProductId, ProductStatus, ReportEvent};
use crate::ports::ReportFacts;

/// The events this consumer handles, from three topics, by their envelope `type`.
#[derive(Deserialize, strum::VariantNames)]
#[serde(tag = "type", content = "data")]
enum Handled {
    OrderPlaced(order::OrderPlaced),
    OrderWaited(delivery::OrderWaited),
    OrderCompleted(order::OrderCompleted),
    OrderCancelled(order::OrderCancelled),
    ProductRegistered(product::ProductRegistered),
    ProductChanged(product::ProductChanged),
}

/// Records the sales and order facts `event` tells in the owner's read models; `zone` is
/// the shop's time zone (`SHOP_TIME_ZONE`).
///
/// An event type this consumer does not handle is acknowledged and logged (the
/// subscriptions' filter policies should not let one through).
///
/// # Errors
/// When a handled event's data does not match its type or holds an invalid id, time or
/// status (a poison message: retried, then dead-lettered), or storage fails (retried).
pub async fn record_sales_facts(facts: &impl ReportFacts, zone: &Zone, event: EventEnvelope) -> anyhow::Result<()> {
    if !Handled::VARIANTS.contains(&event.event_type.as_str()) {
        tracing::warn!(event_type = %event.event_type, "not an event the report reads; acknowledged");
        return Ok(());
    }
    let handled = event.decode::<Handled>().context("the event's data does not match its type")?;
    let event = report_event(handled, event.occurred_at)?;
    Ok(record_facts(facts, zone, event).await?)
}

/// The report's reading of `event`, which happened at `occurred_at`.
fn report_event(event: Handled, occurred_at: DateTime<Utc>) -> anyhow::Result<ReportEvent> {
    let order_id = |id: &str| OrderId::parse(id).context("orderId");
    let product_id = |id: &str| ProductId::parse(id).context("productId");
    let status = |text: &str| text.parse::<ProductStatus>().with_context(|| format!("status {text:?}"));
    Ok(match event {
        Handled::OrderPlaced(e) => ReportEvent::OrderPlaced {
            order_id: order_id(&e.order_id)?,
            customer_id: CustomerId::parse(&e.customer_id).context("customerId")?,
            lines: e
                .lines
                .into_iter()
                .map(|line| {
                    Ok(Line {
                        product_id: product_id(&line.product_id)?,
                        name: line.name,
                        unit_price: line.unit_price,
                        quantity: line.quantity,
                        amount: line.amount,
                    })
                })
                .collect::<anyhow::Result<_>>()?,
            amount: e.amount,
            placed_at: DateTime::parse_from_rfc3339(&e.placed_at).context("placedAt")?.with_timezone(&Utc),
        },
        Handled::OrderWaited(e) => {
            ReportEvent::OrderWaited { order_id: order_id(&e.order_id)?, waiting_number: e.waiting_number }
        }
        Handled::OrderCompleted(e) => ReportEvent::OrderCompleted { order_id: order_id(&e.order_id)?, at: occurred_at },
        Handled::OrderCancelled(e) => ReportEvent::OrderCancelled { order_id: order_id(&e.order_id)?, at: occurred_at },
        Handled::ProductRegistered(e) => ReportEvent::ProductRegistered {
            product_id: product_id(&e.product_id)?,
            name: e.name,
            price: e.price,
            status: status(&e.status)?,
        },
        Handled::ProductChanged(e) => ReportEvent::ProductChanged {
            product_id: product_id(&e.product_id)?,
            name: e.name,
            price: e.price,
            status: status(&e.status)?,
            version: e.version,
        },
    })
}
