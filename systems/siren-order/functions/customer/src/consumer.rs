//! The customer context's consumer of order events (queue `CustomerInboxQueue`,
//! subscribed to `OrderEventsTopic` for `OrderPlaced` and `OrderCancelled`): an order
//! earns `floor(amount * rate / 100)` points; its cancellation takes exactly those points
//! back, once, even when it arrives first. Each change emits `PointsChanged`.

use contracts::customer::PointsChanged;
use contracts::order::{OrderCancelled, OrderPlaced};
use platform::EventEnvelope;
use platform::envelope::DomainEvent;
use platform::inbox::{Inbox, InboxError};

use crate::SOURCE;
use crate::domain::{CustomerId, points_for};
use crate::store::{CustomerLookup, DynamoCustomers, Earning};

/// Attempts when a concurrent change wins the customer's version.
const ATTEMPTS: usize = 5;

/// What the consumer needs.
#[derive(Debug, Clone)]
pub struct Points {
    /// Customer storage.
    pub customers: DynamoCustomers,
    /// The consumer's inbox.
    pub inbox: Inbox,
    /// Points per 100 won, e.g. 10 for 10%.
    pub rate_percent: u64,
}

/// Applies one order event to the customer's points.
///
/// # Errors
/// When the event is malformed or storage keeps failing (retried, then dead-lettered).
pub async fn on_order_event(points: &Points, event: EventEnvelope) -> anyhow::Result<()> {
    let (customer_id, order_id, placed_amount) = match event.event_type.as_str() {
        OrderPlaced::TYPE => {
            let placed: OrderPlaced = serde_json::from_value(event.data.clone())?;
            (placed.customer_id, placed.order_id, Some(placed.amount))
        }
        OrderCancelled::TYPE => {
            let cancelled: OrderCancelled = serde_json::from_value(event.data.clone())?;
            (cancelled.customer_id, cancelled.order_id, None)
        }
        other => {
            tracing::warn!(event_type = other, "not an order event this consumer handles; acknowledged");
            return Ok(());
        }
    };
    let id = CustomerId::parse(&customer_id).map_err(|err| anyhow::anyhow!("customerId: {err}"))?;
    for _ in 0..ATTEMPTS {
        let Some(customer) = points.customers.find(&id).await? else {
            tracing::warn!(%customer_id, "points for an unknown customer; nothing to change");
            points.inbox.apply_once(&event, Vec::new()).await?;
            return Ok(());
        };
        let earning = points.customers.find_earning(&id, &order_id).await?;
        let (change, delta) = match (placed_amount, earning) {
            // Already earned, or cancelled before it could earn: nothing to do.
            (Some(_), Some(_)) | (None, Some(Earning { reversed: true, .. })) => (None, 0),
            (Some(amount), None) => {
                let earned = points_for(amount, points.rate_percent);
                (Some((customer.earn(earned), Earning { points: earned, reversed: false })), i64::try_from(earned)?)
            }
            (None, Some(Earning { points: earned, reversed: false })) => {
                let (next, taken) = customer.take_back(earned);
                (Some((next, Earning { points: earned, reversed: true })), -i64::try_from(taken)?)
            }
            // Cancelled before OrderPlaced arrived: remember it, so the order never earns.
            (None, None) => {
                let items =
                    points.customers.points_items(None, &id, &order_id, Earning { points: 0, reversed: true }, &[])?;
                match points.inbox.apply_once(&event, items).await {
                    Ok(_) => return Ok(()),
                    Err(InboxError::EffectRefused { .. }) => continue,
                    Err(err) => return Err(err.into()),
                }
            }
        };
        let items = match &change {
            None => Vec::new(),
            Some((next, earning)) => {
                let reason = if placed_amount.is_some() { OrderPlaced::TYPE } else { OrderCancelled::TYPE };
                let changed = PointsChanged {
                    customer_id: customer_id.clone(),
                    delta,
                    balance: next.points,
                    reason: reason.to_owned(),
                    order_id: Some(order_id.clone()),
                };
                let envelope = EventEnvelope::new(SOURCE, &customer_id, Some(&event.id), &changed)?;
                points.customers.points_items(Some((next, customer.version)), &id, &order_id, *earning, &[envelope])?
            }
        };
        match points.inbox.apply_once(&event, items).await {
            Ok(applied) => {
                tracing::info!(?applied, delta, "points applied");
                return Ok(());
            }
            Err(InboxError::EffectRefused { .. }) => tracing::info!("the customer changed meanwhile; reading again"),
            Err(err) => return Err(err.into()),
        }
    }
    anyhow::bail!("points of customer {customer_id} kept changing; will retry")
}
