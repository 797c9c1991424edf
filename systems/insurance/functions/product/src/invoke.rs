//! The synchronous target plan invokes for each quote (`QuoteFunction`, no HTTP route):
//! [`contracts::quote_call`] in and out.

use contracts::quote_call::{QuoteRequest, QuoteResponse, QuoteStatus};

use crate::application::{self, Quote};
use crate::domain::{ProductCode, QuoteAsk};
use crate::ports::Products;

/// Quotes the request: `Quoted` with the premium, `Refused` with every failing condition, or
/// `UnknownProduct`.
///
/// # Errors
/// Storage (the caller sees a function error and answers 503).
pub async fn quote(products: &impl Products, request: QuoteRequest) -> anyhow::Result<QuoteResponse> {
    let Ok(code) = ProductCode::parse(&request.product_code) else {
        return Ok(QuoteResponse {
            status: QuoteStatus::UnknownProduct,
            product_name: None,
            monthly_premium: None,
            reasons: vec![],
        });
    };
    let ask = QuoteAsk {
        age: request.age,
        sum_insured: request.sum_insured,
        insurance_period_years: request.terms.insurance_period_years,
        payment_period_years: request.terms.payment_period_years,
    };
    Ok(match Box::pin(application::quote(products, &code, &ask)).await? {
        Quote::Quoted { product_name, monthly_premium } => QuoteResponse {
            status: QuoteStatus::Quoted,
            product_name: Some(product_name),
            monthly_premium: Some(monthly_premium),
            reasons: vec![],
        },
        Quote::Refused(reasons) => QuoteResponse {
            status: QuoteStatus::Refused,
            product_name: None,
            monthly_premium: None,
            reasons: reasons.iter().map(ToString::to_string).collect(),
        },
        Quote::UnknownProduct => QuoteResponse {
            status: QuoteStatus::UnknownProduct,
            product_name: None,
            monthly_premium: None,
            reasons: vec![],
        },
    })
}
