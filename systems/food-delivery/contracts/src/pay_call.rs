//! The synchronous payment: app -> pay (`PayFunction`), the call the report states
//! (`@PostPersist … 결제이력Service.결제(pay)`), through the platform's shared circuit breaker
//! with a timeout (`SyncCallTimeoutMs`, 610 ms by default, the original's Hystrix timeout).
//!
//! Request `{"orderId", "customerId", "amount"}`; response `{"paymentId": "...", "status":
//! "Approved"}` or `{"paymentId": null, "status": "Refused"}`. Idempotent by `orderId`: asking
//! again answers the same payment. Refused when the order's payment was abandoned first (pay
//! keeps a tombstone for it) or cancelled.
//!
//! An approval also publishes `PaymentApproved` in the same transaction, so a payment that
//! completes after the caller gave up is still known, and voided by `PaymentAbandoned`.

use platform::Won;
use serde::{Deserialize, Serialize};

/// The request payload.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PayRequest {
    /// The order to pay (one payment per order).
    pub order_id: String,
    /// Who pays.
    pub customer_id: String,
    /// How much, in won (more than 0).
    pub amount: Won,
}

/// Pay's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
pub enum PayStatus {
    /// Paid.
    Approved,
    /// Not paid: the order's payment was abandoned (tombstone) or cancelled already.
    Refused,
}

/// The response payload.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PayResponse {
    /// The payment, when approved.
    pub payment_id: Option<String>,
    /// The verdict.
    pub status: PayStatus,
}
