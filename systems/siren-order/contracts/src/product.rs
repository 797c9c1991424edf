//! Events of the product context, on `ProductEventsTopic`. Consumed by report.

use platform::Won;
use platform::envelope::DomainEvent;
use serde::{Deserialize, Serialize};

/// A product was added to the menu (from `POST /products`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductRegistered {
    /// Product id.
    pub product_id: String,
    /// Name.
    pub name: String,
    /// Price in won.
    pub price: Won,
    /// Category, if any.
    pub category: Option<String>,
    /// `OnSale`.
    pub status: String,
}

impl DomainEvent for ProductRegistered {
    const TYPE: &'static str = "ProductRegistered";
}

/// A product's price or status changed (from `PATCH /products/{productId}`); the whole new
/// state, `version` ordering the changes of one product.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductChanged {
    /// Product id.
    pub product_id: String,
    /// Name.
    pub name: String,
    /// Price in won.
    pub price: Won,
    /// `OnSale` or `SoldOut`.
    pub status: String,
    /// The product's version after the change.
    pub version: u64,
}

impl DomainEvent for ProductChanged {
    const TYPE: &'static str = "ProductChanged";
}

/// Every event on `ProductEventsTopic`, by its envelope `type`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum ProductEvent {
    /// See [`ProductRegistered`].
    ProductRegistered(ProductRegistered),
    /// See [`ProductChanged`].
    ProductChanged(ProductChanged),
}
