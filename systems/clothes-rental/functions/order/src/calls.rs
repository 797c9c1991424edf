//! The synchronous-call adapter: [`DeliveryCancel`] over the shared [`SyncInvoker`] (timeout +
//! circuit breaker), mapping the contract's call shape to the domain's.

use contracts::delivery_cancel::{CancelDeliveryRequest, CancelDeliveryResponse, Refusal};
use platform::invoke::{InvokeError, SyncInvoker};

use crate::domain::{CustomerId, OrderId};
use crate::ports::{DeliveryCancellation, DeliveryDesk};

/// [`DeliveryDesk`] by invoking `CancelDeliveryFunction` (`DELIVERY_CANCEL_FUNCTION`).
#[derive(Debug, Clone)]
pub struct DeliveryCancel(pub SyncInvoker);

impl DeliveryDesk for DeliveryCancel {
    async fn cancel(&self, order_id: &OrderId, customer_id: &CustomerId) -> Result<DeliveryCancellation, InvokeError> {
        let request = CancelDeliveryRequest {
            order_id: order_id.as_str().to_owned(),
            customer_id: customer_id.as_str().to_owned(),
        };
        let answer: CancelDeliveryResponse = self.0.call(&request).await?;
        answer_of(answer).map_err(|cause| InvokeError::Failed { function: "the delivery cancel".to_owned(), cause })
    }
}

/// The domain's reading of delivery's answer.
fn answer_of(answer: CancelDeliveryResponse) -> anyhow::Result<DeliveryCancellation> {
    match (answer.cancelled, answer.reason) {
        (true, None) => Ok(DeliveryCancellation::Cancelled),
        (false, Some(Refusal::Shipped)) => Ok(DeliveryCancellation::Shipped),
        (cancelled, reason) => anyhow::bail!("an answer that makes no sense: cancelled {cancelled}, reason {reason:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delivery_answers_yes_or_no_because_shipped_and_nothing_else() {
        let yes = CancelDeliveryResponse { cancelled: true, reason: None };
        assert_eq!(answer_of(yes).unwrap(), DeliveryCancellation::Cancelled);
        let no = CancelDeliveryResponse { cancelled: false, reason: Some(Refusal::Shipped) };
        assert_eq!(answer_of(no).unwrap(), DeliveryCancellation::Shipped);
        assert!(answer_of(CancelDeliveryResponse { cancelled: false, reason: None }).is_err());
        assert!(answer_of(CancelDeliveryResponse { cancelled: true, reason: Some(Refusal::Shipped) }).is_err());
    }
}
