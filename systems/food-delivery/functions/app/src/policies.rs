//! The app context's event consumer, named by its effect: [`follow_events`] (queue
//! `OrderInboxQueue`, subscribed to `StoreEventsTopic` for `CookingStarted`,
//! `DeliveryDispatched`, `StoreOrderCancelled`, and to `PaymentEventsTopic` for
//! `PaymentApproved`). Each event is applied once (the inbox item is written in the same
//! transaction as the order) and only moves the order forward:
//! - `CookingStarted` -> `Cooking`, `DeliveryDispatched` -> `Dispatched` (FR 7: the order
//!   takes its status from the store's events);
//! - `StoreOrderCancelled` cancels a `Paid` order and emits `OrderCancelled`, as the
//!   customer's cancel would have (reconciliation: the cancel call timed out but the store
//!   completed it);
//! - `PaymentApproved` fails an order still `PaymentPending` past the pay timeout (its handler
//!   crashed), so the approved payment is voided.

use anyhow::Context;
use contracts::payment::PaymentEvent;
use contracts::store::StoreEvent;
use platform::EventEnvelope;
use serde::Deserialize;

use crate::application::{self, Followed};
use crate::domain::{OrderId, StoreFact};
use crate::ports::Orders;
use crate::wiring;

/// The name of [`follow_events`]'s inbox: its items are `INBOX#<this>#<event id>`.
pub const FOLLOW_INBOX: &str = "app-on-events";

/// The events this consumer reads, by their envelope `type`.
#[derive(Deserialize)]
#[serde(untagged)]
enum Consumed {
    Store(StoreEvent),
    Payment(PaymentEvent),
}

/// Applies one store or payment event to its order, once (SQS consumer of `OrderInboxQueue`).
///
/// # Errors
/// A malformed event or an unknown order (dead-lettered in the end), an order still being
/// paid, or storage failing (retried).
pub async fn follow_events<O: Orders>(deps: &wiring::OrderOnEvents<O>, event: EventEnvelope) -> anyhow::Result<()> {
    let followed = match event.decode::<Consumed>().context("not a store or payment event")? {
        Consumed::Store(store) => {
            let (id, fact) = match store {
                StoreEvent::CookingStarted(e) => (e.order_id, StoreFact::CookingStarted),
                StoreEvent::DeliveryDispatched(e) => (e.order_id, StoreFact::DeliveryDispatched),
                StoreEvent::StoreOrderCancelled(e) => (e.order_id, StoreFact::Cancelled),
            };
            let id = OrderId::parse(&id).context("the event's orderId")?;
            // Boxed: the future nests deeply enough (retry, inbox, SDK) to exceed the
            // compiler's layout depth inside the Lambda runtime's.
            Box::pin(application::follow_store(&deps.orders, &id, fact, &event)).await?
        }
        Consumed::Payment(PaymentEvent::PaymentApproved(e)) => {
            let id = OrderId::parse(&e.order_id).context("the event's orderId")?;
            Box::pin(application::fail_if_stuck(&deps.orders, &id, &event, deps.pay_timeout)).await?
        }
        Consumed::Payment(PaymentEvent::PaymentCancelled(_)) => {
            tracing::info!("PaymentCancelled is not for the app; acknowledged");
            return Ok(());
        }
    };
    match followed {
        Followed::Moved(status) => tracing::info!(%status, event_type = %event.event_type, "event followed"),
        Followed::Unchanged => tracing::info!(
            event_type = %event.event_type,
            "the order has moved past this event (late, repeated or stale); acknowledged without change"
        ),
        Followed::Duplicate => tracing::info!(event_type = %event.event_type, "event applied before"),
    }
    Ok(())
}
