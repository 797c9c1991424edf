//! The synchronous-call adapters: [`ProductPricing`] and [`DeliveryDesk`] over the shared
//! [`SyncInvoker`] (timeout + circuit breaker), mapping the contracts' call shapes to the
//! domain's.

use contracts::delivery_cancel::{CancelDeliveryRequest, CancelDeliveryResponse, CancelDeliveryResult};
use contracts::product_check::{CheckRequest, CheckResponse};
use platform::invoke::{InvokeError, SyncInvoker};

use crate::domain::{CustomerId, OrderId, PricedProduct, Pricing, ProductId};
use crate::ports::{DeliveryCancellation, DeliveryDesk, ProductPricing};

/// [`ProductPricing`] by invoking `CheckProductsFunction` (`PRODUCT_CHECK_FUNCTION`).
#[derive(Debug, Clone)]
pub struct ProductCheck(pub SyncInvoker);

impl ProductPricing for ProductCheck {
    async fn price(&self, products: &[ProductId]) -> Result<Pricing, InvokeError> {
        let request = CheckRequest { product_ids: products.iter().map(|id| id.as_str().to_owned()).collect() };
        let answer: CheckResponse = self.0.call(&request).await?;
        pricing(answer).map_err(|cause| InvokeError::Failed { function: "the product check".to_owned(), cause })
    }
}

/// The domain's reading of the product context's answer.
fn pricing(answer: CheckResponse) -> anyhow::Result<Pricing> {
    let product_id = |id: &str| ProductId::parse(id).map_err(|err| anyhow::anyhow!("product id {id:?} {err}"));
    Ok(Pricing {
        products: answer
            .products
            .into_iter()
            .map(|p| {
                Ok(PricedProduct {
                    product_id: product_id(&p.product_id)?,
                    name: p.name,
                    unit_price: p.price,
                    orderable: p.orderable,
                })
            })
            .collect::<anyhow::Result<_>>()?,
        unknown: answer.unknown.iter().map(|id| product_id(id)).collect::<anyhow::Result<_>>()?,
    })
}

/// [`DeliveryDesk`] by invoking `CancelDeliveryFunction` (`DELIVERY_CANCEL_FUNCTION`).
#[derive(Debug, Clone)]
pub struct DeliveryCancel(pub SyncInvoker);

impl DeliveryDesk for DeliveryCancel {
    async fn cancel(&self, order_id: &OrderId, customer_id: &CustomerId) -> Result<DeliveryCancellation, InvokeError> {
        let request = CancelDeliveryRequest {
            order_id: order_id.as_str().to_owned(),
            customer_id: customer_id.as_str().to_owned(),
        };
        let answer: CancelDeliveryResponse = self.0.call(&request).await?;
        Ok(match answer.result {
            CancelDeliveryResult::Cancelled => DeliveryCancellation::Cancelled,
            CancelDeliveryResult::AlreadyStarted => DeliveryCancellation::AlreadyStarted,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use contracts::product_check::CheckedProduct;
    use platform::Won;

    #[test]
    fn the_product_context_answer_becomes_a_pricing() {
        let answer = CheckResponse {
            products: vec![CheckedProduct {
                product_id: "p1".into(),
                name: "Latte".into(),
                price: Won::new(5000),
                status: "SoldOut".into(),
                orderable: false,
            }],
            unknown: vec!["p9".into()],
        };
        let priced = pricing(answer).unwrap();
        assert_eq!(
            priced.products,
            [PricedProduct {
                product_id: ProductId::parse("p1").unwrap(),
                name: "Latte".into(),
                unit_price: Won::new(5000),
                orderable: false
            }]
        );
        assert_eq!(priced.unknown, [ProductId::parse("p9").unwrap()]);
        let nonsense = CheckResponse { products: vec![], unknown: vec![String::new()] };
        assert!(pricing(nonsense).is_err(), "an answer naming no product is a failed call");
    }
}
