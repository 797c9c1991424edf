//! The synchronous target the app invokes before it cancels an order
//! (`CancelStoreOrderFunction`, no HTTP route): [`contracts::store_cancel`] in and out.

use chrono::Utc;
use contracts::store_cancel::{CancelStoreOrderRequest, CancelStoreOrderResponse, Refusal};

use crate::application::{self, CancelError, Cancellation};
use crate::domain::{CancelRefused, CustomerId, OrderId};
use crate::ports::StoreOrders;

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
    Cancel(#[from] CancelError),
}

/// Cancels the requested order unless cooking started: `{"cancelled": true}` (also for a
/// tombstone) or `{"cancelled": false, "reason": "Cooking" | "Dispatched"}`. A change also
/// publishes `StoreOrderCancelled`.
///
/// # Errors
/// [`CancelCallError`].
pub async fn cancel_store_order(
    orders: &impl StoreOrders,
    request: CancelStoreOrderRequest,
) -> Result<CancelStoreOrderResponse, CancelCallError> {
    let order =
        OrderId::parse(&request.order_id).map_err(|source| CancelCallError::InvalidId { field: "orderId", source })?;
    let customer = CustomerId::parse(&request.customer_id)
        .map_err(|source| CancelCallError::InvalidId { field: "customerId", source })?;
    Ok(match Box::pin(application::cancel(orders, &order, &customer, Utc::now())).await? {
        Cancellation::Cancelled => CancelStoreOrderResponse { cancelled: true, reason: None },
        Cancellation::Refused(CancelRefused::Cooking) => {
            CancelStoreOrderResponse { cancelled: false, reason: Some(Refusal::Cooking) }
        }
        Cancellation::Refused(CancelRefused::Dispatched) => {
            CancelStoreOrderResponse { cancelled: false, reason: Some(Refusal::Dispatched) }
        }
    })
}
