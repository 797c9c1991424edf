//! Events of the payment context, on `PaymentEventsTopic`.

use platform::Won;
use serde::{Deserialize, Serialize};

/// A first premium was paid (결제승인; named in the report, status "결재승인"). Consumed by
/// proposal (reconciles a pay call that timed out) and mypage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PayApproved {
    /// The payment id (UUID).
    pub payment_id: String,
    /// Its proposal (one payment per proposal).
    pub proposal_no: String,
    /// The proposal's plan.
    pub plan_no: String,
    /// The customer.
    pub customer_no: String,
    /// Amount, won.
    pub amount: Won,
    /// When, RFC 3339 UTC.
    pub paid_at: String,
}

/// A payment was cancelled because its proposal was withdrawn (결제취소됨). Consumed by mypage
/// and alarm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PayCancelled {
    /// The payment.
    pub payment_id: String,
    /// Its proposal.
    pub proposal_no: String,
    /// The proposal's plan.
    pub plan_no: String,
    /// The customer.
    pub customer_no: String,
    /// Amount given back, won.
    pub amount: Won,
}

/// Every event on `PaymentEventsTopic`, by its envelope `type`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum PaymentEvent {
    /// See [`PayApproved`].
    PayApproved(PayApproved),
    /// See [`PayCancelled`].
    PayCancelled(PayCancelled),
}
