//! The synchronous target the proposal context invokes for each proposal (`PayFunction`, no HTTP route):
//! [`contracts::pay_call`] in and out.

use contracts::pay_call::{PayRequest, PayResponse, PayStatus};

use crate::application::{self, Paid, PayError};
use crate::domain::{Account, CustomerNo, PayOrder, PlanNo, ProposalNo};
use crate::ports::Payments;

/// Why the call was not answered; the caller sees a function error (and answers 503).
#[derive(Debug, thiserror::Error)]
pub enum PayCallError {
    /// The request's `proposalNo`, `planNo` or `customerNo` is not an id.
    #[error("{field} is not an id: {source}")]
    InvalidId {
        /// `proposalNo`, `planNo` or `customerNo`.
        field: &'static str,
        /// Why.
        source: platform::id::InvalidId,
    },
    /// The use case failed.
    #[error(transparent)]
    Pay(#[from] PayError),
}

/// Pays the requested proposal: `{"paymentId": "...", "status": "Approved"}` or
/// `{"paymentId": null, "status": "Refused"}`.
///
/// # Errors
/// [`PayCallError`].
pub async fn pay(payments: &impl Payments, request: PayRequest) -> Result<PayResponse, PayCallError> {
    let id = |field: &'static str| move |source| PayCallError::InvalidId { field, source };
    let order = PayOrder {
        proposal_no: ProposalNo::parse(&request.proposal_no).map_err(id("proposalNo"))?,
        plan_no: PlanNo::parse(&request.plan_no).map_err(id("planNo"))?,
        customer_no: CustomerNo::parse(&request.customer_no).map_err(id("customerNo"))?,
        customer_name: request.customer_name,
        amount: request.amount,
        account: Account {
            bank_code: request.account.bank_code,
            bank_name: request.account.bank_name,
            account_no: request.account.account_no,
            account_holder: request.account.account_holder,
        },
    };
    Ok(match Box::pin(application::pay(payments, &order)).await? {
        Paid::Approved(id) => PayResponse { payment_id: Some(id.to_string()), status: PayStatus::Approved },
        Paid::Refused => PayResponse { payment_id: None, status: PayStatus::Refused },
    })
}
