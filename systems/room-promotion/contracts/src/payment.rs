//! Events of the payment context, on `PaymentEventsTopic`.

use platform::Won;
use serde::{Deserialize, Serialize};

/// A payment was approved (결제승인됨). Consumed by promotion (grant), reservation
/// (reconcile), mypage and notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentApproved {
    /// Payment id.
    pub payment_id: String,
    /// Its reservation (one payment per reservation).
    pub reservation_id: String,
    /// Who pays.
    pub customer_id: String,
    /// Their name.
    pub customer_name: String,
    /// Amount in won.
    pub amount: Won,
    /// When, RFC 3339 UTC.
    pub approved_at: String,
}

/// A payment was cancelled: refunded because its reservation was cancelled (결제취소됨).
/// Consumed by promotion (revoke), mypage and notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentCancelled {
    /// Payment id.
    pub payment_id: String,
    /// Its reservation.
    pub reservation_id: String,
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
