//! Events of the product context, on `ProductEventsTopic`.

use serde::{Deserialize, Serialize};

/// A product description was issued for a plan version (the report's `PrductDesdCreated`,
/// 상품설명서발행). Consumed by plan (-> `DescriptionIssued`), proposal (its plan copy),
/// mypage and alarm (the AlimTalk message, FR 7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductDescriptionIssued {
    /// The document's id (UUID).
    pub document_id: String,
    /// The plan it describes.
    pub plan_no: String,
    /// The plan version it describes.
    pub plan_version: u64,
    /// The plan's customer.
    pub customer_no: String,
    /// The product.
    pub product_code: String,
    /// The product's name.
    pub product_name: String,
    /// When, RFC 3339 UTC.
    pub issued_at: String,
}

/// Every event on `ProductEventsTopic`, by its envelope `type`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum ProductEvent {
    /// See [`ProductDescriptionIssued`].
    ProductDescriptionIssued(ProductDescriptionIssued),
}
