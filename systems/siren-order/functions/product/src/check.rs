//! The synchronous `Invoke` target the order context calls before it accepts an order:
//! which of these products exist, at what price, and can they be ordered now?
//!
//! Request: `{"productIds": ["<id>", ...]}` (1 to 100 ids).
//! Response: `{"products": [{"productId", "name", "price", "status", "orderable"}],
//! "unknown": ["<id>", ...]}`, `price` in won; ids that are not products (or not ids) are
//! listed in `unknown`. A malformed request fails the invocation with a message.

use crate::domain::ProductId;
use crate::store::ProductReader;

pub use contracts::product_check::{CheckRequest, CheckResponse, CheckedProduct, MAX_IDS};

/// Why a request was refused.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// The request is empty or asks about too many ids.
    #[error("productIds must hold 1 to {MAX_IDS} ids")]
    InvalidRequest,
    /// Storage failed.
    #[error("the product store is unavailable")]
    Storage(#[source] anyhow::Error),
}

/// Answers a [`CheckRequest`].
///
/// # Errors
/// [`CheckError::InvalidRequest`] for an empty or oversized list; [`CheckError::Storage`].
pub async fn check_products<R: ProductReader>(reader: &R, request: CheckRequest) -> Result<CheckResponse, CheckError> {
    if request.product_ids.is_empty() || request.product_ids.len() > MAX_IDS {
        return Err(CheckError::InvalidRequest);
    }
    let mut requested: Vec<String> = Vec::new();
    for id in request.product_ids {
        if !requested.contains(&id) {
            requested.push(id);
        }
    }
    let ids: Vec<ProductId> = requested.iter().filter_map(|id| ProductId::parse(id).ok()).collect();
    let found = reader.find_many(&ids).await.map_err(CheckError::Storage)?;
    let mut response = CheckResponse { products: Vec::new(), unknown: Vec::new() };
    for raw in requested {
        match found.iter().find(|p| ProductId::parse(&raw).is_ok_and(|id| id == p.id)) {
            Some(product) => response.products.push(CheckedProduct {
                product_id: product.id.as_str().to_owned(),
                name: product.name.as_str().to_owned(),
                price: product.price.as_won(),
                status: product.status.as_str().to_owned(),
                orderable: product.is_orderable(),
            }),
            None => response.unknown.push(raw),
        }
    }
    Ok(response)
}
