//! Domain events of the product context, published to `ProductEventsTopic` through the
//! outbox. The payload types are the shared contracts ([`contracts::product`]).

pub use contracts::product::{ProductChanged, ProductRegistered};

use crate::domain::Product;

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
