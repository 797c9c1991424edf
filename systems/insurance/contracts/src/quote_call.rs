//! The synchronous quote: plan -> product (`QuoteFunction`), through the platform's shared
//! circuit breaker with a timeout (`SyncCallTimeoutMs`).
//!
//! Request `{"productCode", "age", "sumInsured", "terms": {...}}`; response
//! `{"status": "Quoted", "productName", "monthlyPremium"}`, `{"status": "Refused", "reasons": [...]}`
//! (every failing underwriting condition) or `{"status": "UnknownProduct"}`.

use platform::Won;
use serde::{Deserialize, Serialize};

use crate::Terms;

/// The request payload.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct QuoteRequest {
    /// The product.
    pub product_code: String,
    /// The customer's age in full years on the plan date.
    pub age: u32,
    /// Sum insured, won (a positive multiple of 1,000,000).
    pub sum_insured: Won,
    /// The terms.
    pub terms: Terms,
}

/// Product's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
pub enum QuoteStatus {
    /// Premium calculated.
    Quoted,
    /// Underwriting refused; `reasons` names each failing condition.
    Refused,
    /// No such product.
    UnknownProduct,
}

/// The response payload.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QuoteResponse {
    /// The verdict.
    pub status: QuoteStatus,
    /// The product's name, when quoted.
    #[serde(default)]
    pub product_name: Option<String>,
    /// `sumInsured / 1,000,000 x premiumPerMillion`, won, when quoted.
    #[serde(default)]
    pub monthly_premium: Option<Won>,
    /// Every failing condition, when refused.
    #[serde(default)]
    pub reasons: Vec<String>,
}
