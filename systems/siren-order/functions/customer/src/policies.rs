//! The customer context's event consumers.
//!
//! [`earn_points`] reads `CustomerInboxQueue`, which `OrderEventsTopic` feeds with
//! `OrderPlaced` and `OrderCancelled`: an order earns its points, and its cancellation
//! takes them back (the rule is [`crate::domain::OrderPoints`]). Each change is stored with its
//! `PointsChanged` (outbox) and the event's inbox record, in one transaction, so a
//! repeated delivery changes nothing.
//!
//! Orders are accepted from any signed-in identity, registered or not. The points of an
//! identity that has not registered are not dropped: they are held
//! ([`crate::domain::HeldOrderPoints`], the same rules, written once through the inbox) and
//! join the balance when it registers ([`crate::application::register_customer`]).

use contracts::order::OrderEvent;
use platform::dynamo::WriteError;
use platform::id::InvalidId;
use platform::retry::Conflict;
use platform::{EventEnvelope, Won};

use crate::domain::{CustomerId, OrderId, PointsAccount, PointsRate};
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
/// `OrderCancelled` takes back, `OrderCompleted` changes nothing (logged). For an identity
/// that has not registered, the points are held until it does.
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
        OrderEvent::OrderCompleted(_) => {
            tracing::info!("OrderCompleted does not change points (earned when placed); acknowledged");
            return Ok(());
        }
    };
    let customer_id =
        CustomerId::parse(&customer_id).map_err(|source| EarnPointsError::InvalidId { field: "customerId", source })?;
    let order_id =
        OrderId::parse(&order_id).map_err(|source| EarnPointsError::InvalidId { field: "orderId", source })?;
    // Boxed: the retry around the SDK's futures nests deeper than the compiler's default
    // layout depth allows in a `main`.
    Box::pin(platform::retry::on_conflict(|| async {
        let current = match ledger.find(&customer_id, &order_id).await.map_err(WriteError::from)? {
            PointsAccount::Registered(current) => current,
            PointsAccount::Unregistered(current) => {
                let decided = match fact {
                    Fact::Placed(amount) => current.place(amount, rate),
                    Fact::Cancelled => current.cancel(),
                };
                let Some(next) = decided else {
                    tracing::info!(
                        "no held points to change (the order is settled already, or earns none); acknowledged"
                    );
                    return Ok(());
                };
                let applied = ledger.hold_once(&event, &current, &next).await?;
                tracing::info!(?applied, held = next.held.points, "points held until the customer registers");
                return Ok(());
            }
        };
        let decided = match fact {
            Fact::Placed(amount) => current.place(amount, rate),
            Fact::Cancelled => current.cancel(),
        };
        let Some((next, events)) = decided else {
            tracing::info!("no points to change (the order is settled already, or earns none); acknowledged");
            return Ok(());
        };
        let applied = ledger.save_once(&event, &current, &next, &events).await?;
        tracing::info!(?applied, balance = next.customer.points, "points applied");
        Ok(())
    }))
    .await
}
