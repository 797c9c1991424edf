//! The synchronous payment: reservation -> payment (`PayFunction`), through the platform's
//! shared circuit breaker with a timeout (`SyncCallTimeoutMs`, 610 ms by default, the
//! original's Hystrix timeout).
//!
//! Request `{"reservationId", "customerId", "customerName", "amount"}`; response
//! `{"paymentId": "...", "status": "Approved"}` or `{"paymentId": null, "status": "Refused"}`.
//! Idempotent by `reservationId`. Refused when the reservation was cancelled first (payment
//! keeps a tombstone) or its payment was refunded. An approval publishes `PaymentApproved` in
//! the same transaction, so a payment that completes after the caller gave up still reaches
//! the reservation.

use platform::Won;
use serde::{Deserialize, Serialize};

/// The request payload.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PayRequest {
    /// The reservation to pay (one payment per reservation).
    pub reservation_id: String,
    /// Who pays.
    pub customer_id: String,
    /// Their name.
    pub customer_name: String,
    /// How much, in won (more than 0).
    pub amount: Won,
}

/// Payment's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
pub enum PayStatus {
    /// Paid.
    Approved,
    /// Not paid: the reservation was cancelled (tombstone) or its payment refunded.
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
