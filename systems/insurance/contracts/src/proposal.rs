//! Events of the proposal context, on `ProposalEventsTopic`.

use platform::Won;
use serde::{Deserialize, Serialize};

/// A proposal was submitted (청약저장). Consumed by mypage and alarm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProposalSubmitted {
    /// The 14-character proposal number.
    pub proposal_no: String,
    /// Its plan.
    pub plan_no: String,
    /// The customer.
    pub customer_no: String,
    /// The product's name.
    pub product_name: String,
    /// The first premium (one monthly premium), won.
    pub first_premium: Won,
}

/// The first premium was paid: the contract is concluded (계약성립). Consumed by mypage and alarm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContractConcluded {
    /// The proposal.
    pub proposal_no: String,
    /// Its plan.
    pub plan_no: String,
    /// The customer.
    pub customer_no: String,
    /// The payment.
    pub payment_id: String,
    /// Paid, won.
    pub amount: Won,
}

/// The customer withdrew the proposal (청약철회됨). Consumed by payment (cancel, FR 11),
/// mypage and alarm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProposalWithdrawn {
    /// The proposal.
    pub proposal_no: String,
    /// Its plan.
    pub plan_no: String,
    /// The customer.
    pub customer_no: String,
    /// Its payment, when the proposal knew one.
    #[serde(default)]
    pub payment_id: Option<String>,
}

/// Every event on `ProposalEventsTopic`, by its envelope `type`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum ProposalEvent {
    /// See [`ProposalSubmitted`].
    ProposalSubmitted(ProposalSubmitted),
    /// See [`ContractConcluded`].
    ContractConcluded(ContractConcluded),
    /// See [`ProposalWithdrawn`].
    ProposalWithdrawn(ProposalWithdrawn),
}
