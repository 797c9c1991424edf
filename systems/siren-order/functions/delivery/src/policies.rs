//! The counter's reactions to order events, named by their effect (queue
//! `DeliveryInboxQueue`, subscribed to `OrderEventsTopic` for `OrderPlaced` and
//! `OrderCancelled`). Each is applied once: its effect and the inbox item are written in one
//! transaction, and a repeat is acknowledged without effect.
//!
//! - `OrderPlaced` -> [`issue_waiting_number`]: a `Waiting` delivery with the day's next
//!   waiting number; emits `OrderWaited`.
//! - `OrderCancelled` -> [`cancel_delivery`]: the waiting delivery is cancelled (or, if none
//!   exists yet, none will ever be issued).
//! - `OrderCompleted` is not for the counter (the subscription filters it out); acknowledged.

use anyhow::Context;
use chrono::{DateTime, Utc};
use contracts::order::{OrderCancelled, OrderEvent, OrderPlaced};
use platform::EventEnvelope;

use crate::application::{self, IssueOutcome};
use crate::domain::{CustomerId, OrderId};
use crate::ports::{ConsumedEvents, Deliveries, OrdersAtCounter, WaitingNumbers};

/// Applies one order event, now, in the shop's time zone `zone`.
///
/// # Errors
/// When the event is not an order event, is malformed, or storage keeps failing: the message
/// is retried and in the end moved to the dead-letter queue.
pub async fn on_order_event<S>(store: &S, zone: &platform::zone::Zone, event: EventEnvelope) -> anyhow::Result<()>
where
    S: OrdersAtCounter + Deliveries + WaitingNumbers + ConsumedEvents,
{
    match event.decode::<OrderEvent>().context("not an order event")? {
        OrderEvent::OrderPlaced(placed) => issue_waiting_number(store, zone, &event, &placed, Utc::now()).await,
        OrderEvent::OrderCancelled(cancelled) => cancel_delivery(store, &event, &cancelled, Utc::now()).await,
        OrderEvent::OrderCompleted(_) => {
            tracing::info!("OrderCompleted is not for the counter; acknowledged");
            Ok(())
        }
    }
}

/// `OrderPlaced` (`event`) -> a `Waiting` delivery with the next waiting number of the shop's
/// business day at `now`, and `OrderWaited`; nothing for a duplicate, a late event, or an order
/// cancelled before it arrived.
///
/// # Errors
/// A malformed id, or the use case's error.
pub async fn issue_waiting_number<S>(
    store: &S,
    zone: &platform::zone::Zone,
    event: &EventEnvelope,
    placed: &OrderPlaced,
    now: DateTime<Utc>,
) -> anyhow::Result<()>
where
    S: OrdersAtCounter + WaitingNumbers + ConsumedEvents,
{
    let order = OrderId::parse(&placed.order_id).context("orderId")?;
    let customer = CustomerId::parse(&placed.customer_id).context("customerId")?;
    match application::issue_waiting_number(store, &order, &customer, zone, event, now).await? {
        IssueOutcome::Issued(delivery) => tracing::info!(
            waiting_number = %delivery.waiting_number(),
            delivery_id = %delivery.id(),
            "waiting number issued"
        ),
        IssueOutcome::AlreadyKnown(known) => tracing::info!(%known, "no waiting number to issue"),
        IssueOutcome::AlreadyDone { skipped } => tracing::info!(%skipped, "duplicate OrderPlaced ignored"),
    }
    Ok(())
}

/// `OrderCancelled` (`event`) -> the order's delivery is cancelled if the barista has not
/// started it; if it has no delivery yet, none will ever be issued.
///
/// # Errors
/// A malformed id, or the use case's error.
pub async fn cancel_delivery<S>(
    store: &S,
    event: &EventEnvelope,
    cancelled: &OrderCancelled,
    now: DateTime<Utc>,
) -> anyhow::Result<()>
where
    S: OrdersAtCounter + Deliveries + ConsumedEvents,
{
    let order = OrderId::parse(&cancelled.order_id).context("orderId")?;
    let customer = CustomerId::parse(&cancelled.customer_id).context("customerId")?;
    let answer = application::cancel_delivery(store, &order, &customer, Some(event), now).await?;
    if answer == application::Cancellation::AlreadyStarted {
        // The order context cancels only what the counter agreed to; this is a late or
        // stray event. Nothing to undo at the counter.
        tracing::warn!("OrderCancelled for a delivery the barista has started; acknowledged without effect");
    }
    Ok(())
}
