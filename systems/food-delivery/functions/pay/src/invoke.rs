//! The synchronous target the app invokes for each order (`PayFunction`, no HTTP route):
//! [`contracts::pay_call`] in and out.

use contracts::pay_call::{PayRequest, PayResponse, PayStatus};

use crate::application::{self, Paid, PayError};
use crate::domain::{CustomerId, OrderId};
use crate::ports::Payments;

/// Why the call was not answered; the caller sees a function error (and answers 503).
#[derive(Debug, thiserror::Error)]
pub enum PayCallError {
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
    Pay(#[from] PayError),
}

/// Pays the requested order: `{"paymentId": "...", "status": "Approved"}` or
/// `{"paymentId": null, "status": "Refused"}`.
///
/// # Errors
/// [`PayCallError`].
pub async fn pay(payments: &impl Payments, request: PayRequest) -> Result<PayResponse, PayCallError> {
    let order =
        OrderId::parse(&request.order_id).map_err(|source| PayCallError::InvalidId { field: "orderId", source })?;
    let customer = CustomerId::parse(&request.customer_id)
        .map_err(|source| PayCallError::InvalidId { field: "customerId", source })?;
    Ok(match Box::pin(application::pay(payments, &order, &customer, request.amount)).await? {
        Paid::Approved(id) => PayResponse { payment_id: Some(id.to_string()), status: PayStatus::Approved },
        Paid::Refused => PayResponse { payment_id: None, status: PayStatus::Refused },
    })
}
