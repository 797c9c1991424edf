//! The synchronous payment: proposal -> payment (`PayFunction`), through the platform's shared
//! circuit breaker with a timeout (`SyncCallTimeoutMs`).
//!
//! Request `{"proposalNo", "planNo", "customerNo", "customerName", "amount", "account": {...}}`;
//! response `{"paymentId": "...", "status": "Approved"}` or `{"paymentId": null, "status":
//! "Refused"}`. Idempotent by `proposalNo`. Refused when the proposal was withdrawn first
//! (payment keeps a tombstone) or its payment was cancelled. An approval publishes `PayApproved`
//! in the same transaction, so a payment that completes after the caller gave up still reaches
//! the proposal.

use platform::Won;
use serde::{Deserialize, Serialize};

/// The account paid from (simulated: any well-formed account is approved).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    /// 3-digit bank code (`fininCd`), e.g. `088`.
    pub bank_code: String,
    /// Bank name, if given.
    #[serde(default)]
    pub bank_name: Option<String>,
    /// Account number, digits.
    pub account_no: String,
    /// Account holder's name.
    pub account_holder: String,
}

/// The request payload.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PayRequest {
    /// The proposal to pay (one payment per proposal).
    pub proposal_no: String,
    /// Its plan.
    pub plan_no: String,
    /// Who pays.
    pub customer_no: String,
    /// Their name.
    pub customer_name: String,
    /// The first premium, won (more than 0).
    pub amount: Won,
    /// From where.
    pub account: Account,
}

/// Payment's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
pub enum PayStatus {
    /// Paid.
    Approved,
    /// Not paid: the proposal was withdrawn (tombstone) or its payment cancelled.
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
