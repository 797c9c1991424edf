//! Events of the plan context, on `PlanEventsTopic`.

use platform::Won;
use serde::{Deserialize, Serialize};

use crate::Terms;

/// A design was saved, new or changed (가입설계저장; named in the report). Consumed by proposal
/// (its plan copy) and mypage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanSaved {
    /// The 14-character plan number.
    pub plan_no: String,
    /// 1 when first saved, +1 per saved change.
    pub version: u64,
    /// The customer.
    pub customer_no: String,
    /// The token `sub` of the customer (who may apply from this plan).
    pub customer_subject: String,
    /// Their name.
    pub customer_name: String,
    /// The product.
    pub product_code: String,
    /// Its name.
    pub product_name: String,
    /// The terms.
    pub terms: Terms,
    /// Sum insured, won.
    pub sum_insured: Won,
    /// Monthly premium product calculated, won.
    pub monthly_premium: Won,
    /// Plan date, `YYYY-MM-DD`.
    pub plan_date: String,
}

/// The customer asked for the product description of a plan version (상품설명서 발행요청).
/// Consumed by product, which issues it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductDescriptionRequested {
    /// The plan.
    pub plan_no: String,
    /// Its version now.
    pub version: u64,
    /// The customer.
    pub customer_no: String,
    /// The product.
    pub product_code: String,
    /// The terms.
    pub terms: Terms,
    /// Sum insured, won.
    pub sum_insured: Won,
    /// Monthly premium, won.
    pub monthly_premium: Won,
}

/// Every event on `PlanEventsTopic`, by its envelope `type`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum PlanEvent {
    /// See [`PlanSaved`].
    PlanSaved(PlanSaved),
    /// See [`ProductDescriptionRequested`].
    ProductDescriptionRequested(ProductDescriptionRequested),
}
