//! The synchronous-call adapters, over the shared [`SyncInvoker`] (timeout + circuit breaker):
//! [`PayCall`] (app -> pay, the report's call) and [`StoreCancel`] (app -> store), mapping the
//! contracts' call shapes to the domain's.

use std::time::SystemTime;

use contracts::pay_call::{PayRequest, PayResponse, PayStatus};
use contracts::store_cancel::{CancelStoreOrderRequest, CancelStoreOrderResponse};
use platform::Won;
use platform::breaker::{Breaker, State};
use platform::invoke::{InvokeError, SyncInvoker};

use crate::domain::{CustomerId, OrderId, PaymentId};
use crate::ports::{Pay, Payment, StoreCancellation, StoreDesk};

/// [`Pay`] by invoking `PayFunction` (`PAY_FUNCTION`); `breaker` is the invoker's own, read
/// before an order is written.
#[derive(Debug, Clone)]
pub struct PayCall {
    /// The caller of pay.
    pub invoker: SyncInvoker,
    /// The breaker the invoker uses (the same dependency in the same table).
    pub breaker: Breaker,
}

impl Pay for PayCall {
    async fn available(&self) -> bool {
        let now = SystemTime::now();
        match self.breaker.state().await {
            Ok(State::Open { until }) => until <= now,
            Ok(State::HalfOpen { probe_until: Some(lease) }) => lease <= now,
            Ok(State::Closed { .. } | State::HalfOpen { probe_until: None }) => true,
            // The call itself decides when the breaker cannot be read.
            Err(err) => {
                tracing::warn!(error = %err, "the breaker could not be read");
                true
            }
        }
    }

    async fn pay(&self, order_id: &OrderId, customer_id: &CustomerId, amount: Won) -> Result<Payment, InvokeError> {
        let request = PayRequest { order_id: order_id.to_string(), customer_id: customer_id.to_string(), amount };
        let answer: PayResponse = self.invoker.call(&request).await?;
        payment_of(answer).map_err(|cause| InvokeError::Failed { function: "pay".to_owned(), cause })
    }
}

/// The domain's reading of pay's answer.
fn payment_of(answer: PayResponse) -> anyhow::Result<Payment> {
    match (answer.status, answer.payment_id) {
        (PayStatus::Approved, Some(id)) => Ok(Payment::Approved(PaymentId::parse(&id)?)),
        (PayStatus::Refused, None) => Ok(Payment::Refused),
        (status, id) => anyhow::bail!("an answer that makes no sense: {status:?} with payment {id:?}"),
    }
}

/// [`StoreDesk`] by invoking `CancelStoreOrderFunction` (`STORE_CANCEL_FUNCTION`).
#[derive(Debug, Clone)]
pub struct StoreCancel(pub SyncInvoker);

impl StoreDesk for StoreCancel {
    async fn cancel(&self, order_id: &OrderId, customer_id: &CustomerId) -> Result<StoreCancellation, InvokeError> {
        let request = CancelStoreOrderRequest { order_id: order_id.to_string(), customer_id: customer_id.to_string() };
        let answer: CancelStoreOrderResponse = self.0.call(&request).await?;
        cancellation_of(&answer).map_err(|cause| InvokeError::Failed { function: "the store cancel".to_owned(), cause })
    }
}

fn cancellation_of(answer: &CancelStoreOrderResponse) -> anyhow::Result<StoreCancellation> {
    match (answer.cancelled, answer.reason) {
        (true, None) => Ok(StoreCancellation::Cancelled),
        (false, Some(_)) => Ok(StoreCancellation::TooLate),
        (cancelled, reason) => anyhow::bail!("an answer that makes no sense: cancelled {cancelled}, reason {reason:?}"),
    }
}

#[cfg(test)]
mod tests {
    use contracts::store_cancel::Refusal;

    use super::*;

    #[test]
    fn pay_answers_approved_with_an_id_or_refused_without_one_and_nothing_else() {
        let approved = PayResponse { payment_id: Some("p-1".into()), status: PayStatus::Approved };
        assert_eq!(payment_of(approved).unwrap(), Payment::Approved(PaymentId::parse("p-1").unwrap()));
        assert_eq!(payment_of(PayResponse { payment_id: None, status: PayStatus::Refused }).unwrap(), Payment::Refused);
        assert!(payment_of(PayResponse { payment_id: None, status: PayStatus::Approved }).is_err());
        assert!(payment_of(PayResponse { payment_id: Some("p".into()), status: PayStatus::Refused }).is_err());
    }

    #[test]
    fn the_store_answers_yes_or_no_with_a_reason() {
        let yes = CancelStoreOrderResponse { cancelled: true, reason: None };
        assert_eq!(cancellation_of(&yes).unwrap(), StoreCancellation::Cancelled);
        let no = CancelStoreOrderResponse { cancelled: false, reason: Some(Refusal::Cooking) };
        assert_eq!(cancellation_of(&no).unwrap(), StoreCancellation::TooLate);
        assert!(cancellation_of(&CancelStoreOrderResponse { cancelled: false, reason: None }).is_err());
    }
}
