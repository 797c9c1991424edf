//! The synchronous calls the order context makes, behind narrow ports, each through the
//! shared [`SyncInvoker`] (timeout + circuit breaker).

use std::future::Future;

use contracts::product_check::{CheckRequest, CheckResponse};
use contracts::ticket_cancel::{CancelTicketRequest, CancelTicketResponse, CancelTicketResult};
use platform::invoke::{InvokeError, SyncInvoker};

/// Port: prices and orderability of products (the product context).
pub trait ProductPricing {
    /// The product context's answer for `product_ids`.
    ///
    /// # Errors
    /// [`InvokeError`] when it cannot answer (breaker open, timeout, failure).
    fn check(&self, product_ids: Vec<String>) -> impl Future<Output = Result<CheckResponse, InvokeError>> + Send;
}

/// Port: the counter's consent to cancel (the delivery context).
pub trait TicketDesk {
    /// Asks the counter to cancel the ticket of `order_id`.
    ///
    /// # Errors
    /// [`InvokeError`] when it cannot answer (breaker open, timeout, failure).
    fn cancel(&self, order_id: &str) -> impl Future<Output = Result<CancelTicketResult, InvokeError>> + Send;
}

/// [`ProductPricing`] by invoking `CheckProductsFunction`.
#[derive(Debug, Clone)]
pub struct ProductCheck(pub SyncInvoker);

impl ProductPricing for ProductCheck {
    async fn check(&self, product_ids: Vec<String>) -> Result<CheckResponse, InvokeError> {
        self.0.call(&CheckRequest { product_ids }).await
    }
}

/// [`TicketDesk`] by invoking `CancelTicketFunction`.
#[derive(Debug, Clone)]
pub struct CounterDesk(pub SyncInvoker);

impl TicketDesk for CounterDesk {
    async fn cancel(&self, order_id: &str) -> Result<CancelTicketResult, InvokeError> {
        let answer: CancelTicketResponse = self.0.call(&CancelTicketRequest { order_id: order_id.to_owned() }).await?;
        Ok(answer.result)
    }
}
