//! Events of the pay context, on `PaymentEventsTopic`.

use platform::Won;
use serde::{Deserialize, Serialize};

/// A payment was approved (결제승인됨, the template's event). Consumed by app (it fails an
/// order a crash left `PaymentPending`, so the payment is voided) and by any new subscriber
/// (the report's marketing team).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentApproved {
    /// Payment id.
    pub payment_id: String,
    /// Its order (one payment per order).
    pub order_id: String,
    /// Who pays.
    pub customer_id: String,
    /// Amount in won.
    pub amount: Won,
}

/// A payment was cancelled: refunded (its order was cancelled) or voided (its order's
/// payment was abandoned) (결제취소됨). Consumed by customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentCancelled {
    /// Payment id.
    pub payment_id: String,
    /// Its order.
    pub order_id: String,
    /// Who paid.
    pub customer_id: String,
    /// Amount given back, in won.
    pub amount: Won,
}

/// Every event on `PaymentEventsTopic`, by its envelope `type`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum PaymentEvent {
    /// See [`PaymentApproved`].
    PaymentApproved(PaymentApproved),
    /// See [`PaymentCancelled`].
    PaymentCancelled(PaymentCancelled),
}
