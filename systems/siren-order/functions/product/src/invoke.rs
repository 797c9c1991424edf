//! The synchronous `Invoke` target the order context calls before it accepts an order
//! (`CheckProductsFunction`, no HTTP route): which of these ids are products, at what price,
//! and can they be ordered now? [`contracts::product_check`] in and out.

use contracts::product_check::{CheckRequest, CheckResponse, CheckedProduct};

use crate::application::{self, CheckProductsError};
use crate::wiring;

/// Answers a [`CheckRequest`] (1 to 100 ids): the products found, with their current price
/// in won and whether they can be ordered, and the ids that are no product, each in
/// request order, once.
///
/// # Errors
/// [`CheckProductsError`]; the caller sees only a `Retryable` function error (and answers
/// 503), the cause is logged.
pub async fn check_products(
    deps: &wiring::CheckProducts,
    request: CheckRequest,
) -> Result<CheckResponse, CheckProductsError> {
    let checked = application::check_products(&deps.products, &request.product_ids).await?;
    let products = checked
        .found
        .iter()
        .map(|product| CheckedProduct {
            product_id: product.id.to_string(),
            name: product.name.as_str().to_owned(),
            price: product.price.amount(),
            status: product.status.to_string(),
            orderable: product.is_orderable(),
        })
        .collect();
    Ok(CheckResponse { products, unknown: checked.unknown })
}
