//! The synchronous product check: order -> product (`CheckProductsFunction`).
//!
//! Request `{"productIds": [...]}` (1 to [`MAX_IDS`] ids); response
//! `{"products": [{productId, name, price, status, orderable}], "unknown": [...]}`.

use platform::Won;
use serde::{Deserialize, Serialize};

/// Most ids one request may ask about.
pub const MAX_IDS: usize = 100;

/// The request payload.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CheckRequest {
    /// The product ids to check.
    pub product_ids: Vec<String>,
}

/// One known product.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct CheckedProduct {
    /// Product id.
    pub product_id: String,
    /// Name.
    pub name: String,
    /// Current price in won.
    pub price: Won,
    /// `OnSale` or `SoldOut`.
    pub status: String,
    /// Whether it can be ordered now.
    pub orderable: bool,
}

/// The response payload.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct CheckResponse {
    /// The products found, in request order, once each.
    pub products: Vec<CheckedProduct>,
    /// Requested ids that are not products, in request order, once each.
    pub unknown: Vec<String>,
}
