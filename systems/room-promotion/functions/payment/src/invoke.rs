//! The synchronous target the reservation context invokes for each reservation (`PayFunction`, no HTTP route):
//! [`contracts::pay_call`] in and out.

use contracts::pay_call::{PayRequest, PayResponse, PayStatus};

use crate::application::{self, Paid, PayError};
use crate::domain::{CustomerId, ReservationId};
use crate::ports::Payments;

/// Why the call was not answered; the caller sees a function error (and answers 503).
#[derive(Debug, thiserror::Error)]
pub enum PayCallError {
    /// The request's `reservationId` or `customerId` is not an id.
    #[error("{field} is not an id: {source}")]
    InvalidId {
        /// `reservationId` or `customerId`.
        field: &'static str,
        /// Why.
        source: platform::id::InvalidId,
    },
    /// The use case failed.
    #[error(transparent)]
    Pay(#[from] PayError),
}

/// Pays the requested reservation: `{"paymentId": "...", "status": "Approved"}` or
/// `{"paymentId": null, "status": "Refused"}`.
///
/// # Errors
/// [`PayCallError`].
pub async fn pay(payments: &impl Payments, request: PayRequest) -> Result<PayResponse, PayCallError> {
    let reservation = ReservationId::parse(&request.reservation_id)
        .map_err(|source| PayCallError::InvalidId { field: "reservationId", source })?;
    let customer = CustomerId::parse(&request.customer_id)
        .map_err(|source| PayCallError::InvalidId { field: "customerId", source })?;
    Ok(
        match Box::pin(application::pay(payments, &reservation, &customer, &request.customer_name, request.amount))
            .await?
        {
            Paid::Approved(id) => PayResponse { payment_id: Some(id.to_string()), status: PayStatus::Approved },
            Paid::Refused => PayResponse { payment_id: None, status: PayStatus::Refused },
        },
    )
}
