//! The synchronous target the order context invokes before it cancels an order
//! (`CancelDeliveryFunction`, no HTTP route): [`contracts::delivery_cancel`] in and out.

use chrono::Utc;
use contracts::delivery_cancel::{CancelDeliveryRequest, CancelDeliveryResponse, Refusal};

use crate::application::{self, CancelDeliveryError, Cancellation};
use crate::domain::{CustomerId, OrderId};
use crate::ports::{Deliveries, OrdersAtDesk};

/// Why the call was not answered; the caller sees a function error (and answers 503).
#[derive(Debug, thiserror::Error)]
pub enum CancelCallError {
    /// The request's `orderId` or `customerId` is not an id.
    #[error("{field} is not an id: {source}")]
    InvalidId {
        /// `orderId` or `customerId`.
        field: &'static str,
        /// Why.
        source: platform::id::InvalidId,
    },
    /// The use case failed.
    #[error(transparent)]
    Cancel(#[from] CancelDeliveryError),
}

/// Cancels the requested order's delivery unless it shipped: `{"cancelled": true}` (also for
/// a tombstone, when the order has no ticket yet) or `{"cancelled": false, "reason":
/// "Shipped"}`. A change also publishes `DeliveryCancelled`.
///
/// # Errors
/// [`CancelCallError`].
pub async fn cancel_delivery<S>(
    store: &S,
    request: CancelDeliveryRequest,
) -> Result<CancelDeliveryResponse, CancelCallError>
where
    S: OrdersAtDesk + Deliveries,
{
    let order =
        OrderId::parse(&request.order_id).map_err(|source| CancelCallError::InvalidId { field: "orderId", source })?;
    let customer = CustomerId::parse(&request.customer_id)
        .map_err(|source| CancelCallError::InvalidId { field: "customerId", source })?;
    Ok(match application::cancel_delivery(store, &order, &customer, Utc::now()).await? {
        Cancellation::Cancelled => CancelDeliveryResponse { cancelled: true, reason: None },
        Cancellation::Shipped => CancelDeliveryResponse { cancelled: false, reason: Some(Refusal::Shipped) },
    })
}
