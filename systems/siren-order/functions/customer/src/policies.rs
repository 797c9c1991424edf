//! The customer context's event consumers.
//!
//! [`earn_points`] reads `CustomerInboxQueue`, which `OrderEventsTopic` feeds with
//! `OrderPlaced` and `OrderCancelled`: an order earns its points, and its cancellation
//! takes them back (the rule is [`crate::domain::OrderPoints`]). Each change is stored with its
//! `PointsChanged` (outbox) and the event's inbox record, in one transaction, so a
//! repeated delivery changes nothing.

use contracts::order::OrderEvent;
use platform::dynamo::WriteError;
use platform::id::InvalidId;
use platform::retry::Conflict;
use platform::{EventEnvelope, Won};

use crate::domain::{CustomerId, OrderId, PointsRate};
use crate::ports::PointsLedger;

/// Why an order event was not applied; the message is retried, then dead-lettered.
#[derive(Debug, thiserror::Error)]
pub enum EarnPointsError {
    /// The message is not an order event (a poison message).
    #[error("not an order event")]
    Undecodable(#[source] serde_json::Error),
    /// An id in the event is not an id.
    #[error("{field} of the order event is invalid")]
    InvalidId {
        /// `customerId` or `orderId`.
        field: &'static str,
        /// Why.
        #[source]
        source: InvalidId,
    },
    /// Storage failed, or the customer kept changing under us.
    #[error(transparent)]
    Storage(#[from] WriteError),
}

impl Conflict for EarnPointsError {
    fn is_conflict(&self) -> bool {
        matches!(self, Self::Storage(err) if err.is_conflict())
    }
}

/// What an order event asks of the ledger.
#[derive(Clone, Copy)]
enum Fact {
    Placed(Won),
    Cancelled,
}

/// Applies one order event to its customer's points at `rate`: `OrderPlaced` earns,
/// `OrderCancelled` takes back, `OrderCompleted` changes nothing. An event about a customer
/// who never registered is acknowledged and changes nothing.
///
/// # Errors
/// See [`EarnPointsError`].
pub async fn earn_points(
    ledger: &impl PointsLedger,
    rate: PointsRate,
    event: EventEnvelope,
) -> Result<(), EarnPointsError> {
    let (customer_id, order_id, fact) = match event.decode::<OrderEvent>().map_err(EarnPointsError::Undecodable)? {
        OrderEvent::OrderPlaced(placed) => (placed.customer_id, placed.order_id, Fact::Placed(placed.amount)),
        OrderEvent::OrderCancelled(cancelled) => (cancelled.customer_id, cancelled.order_id, Fact::Cancelled),
        OrderEvent::OrderCompleted(_) => return Ok(()),
    };
    let customer_id =
        CustomerId::parse(&customer_id).map_err(|source| EarnPointsError::InvalidId { field: "customerId", source })?;
    let order_id =
        OrderId::parse(&order_id).map_err(|source| EarnPointsError::InvalidId { field: "orderId", source })?;
    // Boxed: the retry around the SDK's futures nests deeper than the compiler's default
    // layout depth allows in a `main`.
    Box::pin(platform::retry::on_conflict(|| async {
        let Some(current) = ledger.find(&customer_id, &order_id).await.map_err(WriteError::from)? else {
            tracing::warn!(%customer_id, "points for an unknown customer; nothing to change");
            return Ok(());
        };
        let decided = match fact {
            Fact::Placed(amount) => current.place(amount, rate),
            Fact::Cancelled => current.cancel(),
        };
        let Some((next, events)) = decided else {
            tracing::info!("the order's points are already settled");
            return Ok(());
        };
        let applied = ledger.save_once(&event, &current, &next, &events).await?;
        tracing::info!(?applied, balance = next.customer.points, "points applied");
        Ok(())
    }))
    .await
}
