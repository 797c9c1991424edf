//! Domain events of the product context, published to the product events topic
//! (`ProductEventsTopic`) through the outbox. Consumed by the report context.

use platform::envelope::DomainEvent;
use serde::{Deserialize, Serialize};

use crate::domain::Product;

/// A product was added to the menu (emitted by `POST /products`). `price` is in won.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductRegistered {
    /// Product id.
    pub product_id: String,
    /// Name.
    pub name: String,
    /// Price in won.
    pub price: u64,
    /// Category, if any.
    pub category: Option<String>,
    /// `OnSale`.
    pub status: String,
}

impl DomainEvent for ProductRegistered {
    const TYPE: &'static str = "ProductRegistered";
}

/// A product's price or status changed (emitted by `PATCH /products/{productId}`).
/// Carries the whole new state; `version` orders changes of one product.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductChanged {
    /// Product id.
    pub product_id: String,
    /// Name.
    pub name: String,
    /// Price in won.
    pub price: u64,
    /// `OnSale` or `SoldOut`.
    pub status: String,
    /// The product's version after the change.
    pub version: u64,
}

impl DomainEvent for ProductChanged {
    const TYPE: &'static str = "ProductChanged";
}

impl From<&Product> for ProductRegistered {
    fn from(product: &Product) -> Self {
        Self {
            product_id: product.id.as_str().to_owned(),
            name: product.name.as_str().to_owned(),
            price: product.price.as_won(),
            category: product.category.as_ref().map(|c| c.as_str().to_owned()),
            status: product.status.as_str().to_owned(),
        }
    }
}

impl From<&Product> for ProductChanged {
    fn from(product: &Product) -> Self {
        Self {
            product_id: product.id.as_str().to_owned(),
            name: product.name.as_str().to_owned(),
            price: product.price.as_won(),
            status: product.status.as_str().to_owned(),
            version: product.version,
        }
    }
}
