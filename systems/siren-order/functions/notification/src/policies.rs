//! The consumer of `NotificationInboxQueue`: the queue is subscribed to
//! `CustomerRegistered` (CustomerEventsTopic), `OrderWaited` and `DeliveryCompleted`
//! (DeliveryEventsTopic) and `OrderCancelled` (OrderEventsTopic).

use anyhow::Context;
use contracts::{customer, delivery, order};
use platform::EventEnvelope;
use serde::Deserialize;
use strum::VariantNames;

use crate::application::notify_once;
use crate::domain::{CustomerId, Occasion};
use crate::ports::CustomerMessages;

/// The events this consumer handles, from three topics, by their envelope `type`.
#[derive(Deserialize, strum::VariantNames)]
#[serde(tag = "type", content = "data")]
enum Handled {
    CustomerRegistered(customer::CustomerRegistered),
    OrderWaited(delivery::OrderWaited),
    DeliveryCompleted(delivery::DeliveryCompleted),
    OrderCancelled(order::OrderCancelled),
}

/// Tells the customer about `event`, once however often it arrives.
///
/// An event type this consumer does not handle is acknowledged and logged (the
/// subscriptions' filter policies should not let one through).
///
/// # Errors
/// When a handled event's data does not match its type or names no valid customer (a
/// poison message: retried, then dead-lettered), or storage fails (retried).
pub async fn notify_customer(messages: &impl CustomerMessages, event: EventEnvelope) -> anyhow::Result<()> {
    if !Handled::VARIANTS.contains(&event.event_type.as_str()) {
        tracing::warn!(event_type = %event.event_type, "not an event the customer is told about; acknowledged");
        return Ok(());
    }
    let occasion = occasion(event.decode::<Handled>().context("the event's data does not match its type")?)?;
    let applied = notify_once(messages, &event, &occasion).await?;
    tracing::info!(?applied, "customer notified");
    Ok(())
}

fn occasion(event: Handled) -> anyhow::Result<Occasion> {
    let customer = |id: &str| CustomerId::parse(id).context("customerId");
    Ok(match event {
        Handled::CustomerRegistered(e) => Occasion::CustomerRegistered {
            customer_id: customer(&e.customer_id)?,
            name: e.name,
            welcome_points: e.welcome_points,
        },
        Handled::OrderWaited(e) => {
            Occasion::OrderWaited { customer_id: customer(&e.customer_id)?, waiting_number: e.waiting_number }
        }
        Handled::DeliveryCompleted(e) => {
            Occasion::DeliveryCompleted { customer_id: customer(&e.customer_id)?, waiting_number: e.waiting_number }
        }
        Handled::OrderCancelled(e) => {
            Occasion::OrderCancelled { customer_id: customer(&e.customer_id)?, amount: e.amount }
        }
    })
}
