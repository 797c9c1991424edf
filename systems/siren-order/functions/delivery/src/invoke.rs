//! The synchronous target the order context invokes before it cancels an order
//! (`CancelDeliveryFunction`, no HTTP route): [`contracts::delivery_cancel`] in and out.

use chrono::Utc;
use contracts::delivery_cancel::{CancelDeliveryRequest, CancelDeliveryResponse, CancelDeliveryResult};

use crate::application::{self, CancelDeliveryError, Cancellation};
use crate::domain::{CustomerId, OrderId};
use crate::ports::{ConsumedEvents, Deliveries, OrdersAtCounter};

/// Why the call was not answered; the caller sees only a `Retryable` function error.
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

/// Cancels the requested order's delivery if the barista has not started it: `Cancelled`
/// (also when no delivery exists yet: the cancellation is recorded so that the order's late
/// `OrderPlaced` issues none) or `AlreadyStarted`. A change also publishes
/// `DeliveryCancelled`, so the order learns of it even if this call's caller gave up.
///
/// # Errors
/// [`CancelCallError`]; the order context then answers 503 and the customer retries.
pub async fn cancel_delivery<S>(
    store: &S,
    request: CancelDeliveryRequest,
) -> Result<CancelDeliveryResponse, CancelCallError>
where
    S: OrdersAtCounter + Deliveries + ConsumedEvents,
{
    let order =
        OrderId::parse(&request.order_id).map_err(|source| CancelCallError::InvalidId { field: "orderId", source })?;
    let customer = CustomerId::parse(&request.customer_id)
        .map_err(|source| CancelCallError::InvalidId { field: "customerId", source })?;
    let result = match application::cancel_delivery(store, &order, &customer, None, Utc::now()).await? {
        Cancellation::Cancelled => CancelDeliveryResult::Cancelled,
        Cancellation::AlreadyStarted => CancelDeliveryResult::AlreadyStarted,
    };
    Ok(CancelDeliveryResponse { result })
}
