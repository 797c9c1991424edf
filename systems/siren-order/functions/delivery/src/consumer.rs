//! The delivery context's consumer of order events (queue `DeliveryInboxQueue`,
//! subscribed to `OrderEventsTopic` for `OrderPlaced` and `OrderCancelled`).
//!
//! `OrderPlaced` issues one ticket per order with the day's next waiting number and emits
//! `OrderWaited`; a duplicate or late `OrderPlaced` issues nothing (the per-order guard and
//! the inbox both refuse it). `OrderCancelled` cancels a waiting ticket.

use chrono::Utc;
use contracts::delivery::OrderWaited;
use contracts::order::{OrderCancelled, OrderPlaced};
use platform::EventEnvelope;
use platform::envelope::DomainEvent;
use platform::inbox::{Applied, Inbox, InboxError};

use crate::SOURCE;
use crate::counter::cancel_plan;
use crate::domain::{Ticket, business_day};
use crate::store::DynamoTickets;

/// Attempts when a concurrent write wins.
const ATTEMPTS: usize = 5;

/// What the consumer needs.
#[derive(Debug, Clone)]
pub struct Counter {
    /// Ticket storage.
    pub tickets: DynamoTickets,
    /// The consumer's inbox.
    pub inbox: Inbox,
    /// The shop's time zone, which decides the day of a waiting number.
    pub zone: chrono_tz::Tz,
}

/// Applies one order event.
///
/// # Errors
/// When the event is malformed or storage keeps failing; the message is then retried and,
/// in the end, moved to the dead-letter queue.
pub async fn on_order_event(counter: &Counter, event: EventEnvelope) -> anyhow::Result<()> {
    match event.event_type.as_str() {
        OrderPlaced::TYPE => issue(counter, &event, serde_json::from_value(event.data.clone())?).await,
        OrderCancelled::TYPE => cancel(counter, &event, serde_json::from_value(event.data.clone())?).await,
        other => {
            tracing::warn!(event_type = other, "not an order event this consumer handles; acknowledged");
            Ok(())
        }
    }
}

async fn issue(counter: &Counter, event: &EventEnvelope, placed: OrderPlaced) -> anyhow::Result<()> {
    for _ in 0..ATTEMPTS {
        if let Some(guard) = counter.tickets.find_guard(&placed.order_id).await? {
            tracing::info!(?guard, "the order already has a ticket (or was cancelled); nothing to issue");
            counter.inbox.apply_once(event, Vec::new()).await?;
            return Ok(());
        }
        let now = Utc::now();
        let day = business_day(now, counter.zone);
        let number = counter.tickets.next_number(&day).await?;
        let ticket = Ticket::issue(&placed.order_id, &placed.customer_id, number, &day, now);
        let waited = OrderWaited {
            delivery_id: ticket.id.clone(),
            order_id: ticket.order_id.clone(),
            customer_id: ticket.customer_id.clone(),
            waiting_number: number,
        };
        let envelope = EventEnvelope::new(SOURCE, &placed.order_id, Some(&event.id), &waited)?;
        match counter.inbox.apply_once(event, counter.tickets.issue_items(&ticket, &[envelope])?).await {
            Ok(Applied::Now) => {
                tracing::info!(waiting_number = number, delivery_id = %ticket.id, "ticket issued");
                return Ok(());
            }
            Ok(Applied::AlreadyDone) => {
                tracing::info!(skipped_number = number, "duplicate OrderPlaced ignored");
                return Ok(());
            }
            // Another delivery of the same event won the guard: read again.
            Err(InboxError::EffectRefused { .. }) => tracing::info!(skipped_number = number, "a concurrent ticket won"),
            Err(err) => return Err(err.into()),
        }
    }
    anyhow::bail!("could not issue a ticket for order {}", placed.order_id)
}

async fn cancel(counter: &Counter, event: &EventEnvelope, cancelled: OrderCancelled) -> anyhow::Result<()> {
    for _ in 0..ATTEMPTS {
        let (result, writes) = cancel_plan(&counter.tickets, &cancelled.order_id).await?;
        match counter.inbox.apply_once(event, writes).await {
            Ok(_) => {
                tracing::info!(?result, "order cancellation applied");
                return Ok(());
            }
            Err(InboxError::EffectRefused { .. }) => tracing::info!("the ticket changed meanwhile; reading again"),
            Err(err) => return Err(err.into()),
        }
    }
    anyhow::bail!("could not cancel the ticket of order {}", cancelled.order_id)
}
