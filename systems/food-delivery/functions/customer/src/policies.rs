//! The consumer of `CustomerInboxQueue`, named by its effect: [`notify_customer`]. The queue
//! is subscribed to `OrderPlaced`, `OrderCancelled` (`OrderEventsTopic`), `CookingStarted`,
//! `DeliveryDispatched` (`StoreEventsTopic`) and `PaymentCancelled` (`PaymentEventsTopic`):
//! every status change the customer follows (FR 8).

use anyhow::Context;
use contracts::{order, payment, store};
use platform::EventEnvelope;
use serde::Deserialize;
use strum::VariantNames;

use crate::application::notify_once;
use crate::domain::{CustomerId, Occasion, OrderId};
use crate::ports::CustomerMessages;

/// The events this consumer handles, by their envelope `type`.
#[derive(Deserialize, strum::VariantNames)]
#[serde(tag = "type", content = "data")]
enum Handled {
    OrderPlaced(order::OrderPlaced),
    OrderCancelled(order::OrderCancelled),
    CookingStarted(store::CookingStarted),
    DeliveryDispatched(store::DeliveryDispatched),
    PaymentCancelled(payment::PaymentCancelled),
}

/// Notifies the customer of `event`, once however often it arrives. An event type this
/// consumer does not handle is acknowledged and logged (the subscriptions' filter policies
/// should not let one through).
///
/// # Errors
/// When a handled event's data does not match its type or names no valid customer or order
/// (a poison message: retried, then dead-lettered), or storage fails (retried).
pub async fn notify_customer(messages: &impl CustomerMessages, event: EventEnvelope) -> anyhow::Result<()> {
    if !Handled::VARIANTS.contains(&event.event_type.as_str()) {
        tracing::warn!(event_type = %event.event_type, "not an event the customer is notified of; acknowledged");
        return Ok(());
    }
    let occasion = occasion(event.decode::<Handled>().context("the event's data does not match its type")?)?;
    let applied = notify_once(messages, &event, &occasion).await?;
    tracing::info!(?applied, "customer notified");
    Ok(())
}

fn occasion(event: Handled) -> anyhow::Result<Occasion> {
    let ids = |customer: &str, order: &str| -> anyhow::Result<(CustomerId, OrderId)> {
        Ok((CustomerId::parse(customer).context("customerId")?, OrderId::parse(order).context("orderId")?))
    };
    Ok(match event {
        Handled::OrderPlaced(e) => {
            let (customer_id, order_id) = ids(&e.customer_id, &e.order_id)?;
            Occasion::OrderPlaced { customer_id, order_id, item: e.item, quantity: e.quantity, amount: e.amount }
        }
        Handled::OrderCancelled(e) => {
            let (customer_id, order_id) = ids(&e.customer_id, &e.order_id)?;
            Occasion::OrderCancelled { customer_id, order_id }
        }
        Handled::CookingStarted(e) => {
            let (customer_id, order_id) = ids(&e.customer_id, &e.order_id)?;
            Occasion::CookingStarted { customer_id, order_id }
        }
        Handled::DeliveryDispatched(e) => {
            let (customer_id, order_id) = ids(&e.customer_id, &e.order_id)?;
            Occasion::DeliveryDispatched { customer_id, order_id }
        }
        Handled::PaymentCancelled(e) => {
            let (customer_id, order_id) = ids(&e.customer_id, &e.order_id)?;
            Occasion::PaymentCancelled { customer_id, order_id, amount: e.amount }
        }
    })
}
