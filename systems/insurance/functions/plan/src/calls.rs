//! The synchronous quote call over the shared [`SyncInvoker`] (timeout + circuit breaker):
//! [`QuoteCall`] maps [`contracts::quote_call`] to the domain.

use contracts::quote_call::{QuoteRequest, QuoteResponse, QuoteStatus};
use platform::invoke::{InvokeError, SyncInvoker};

use crate::domain::{Design, Quoted};
use crate::ports::{Quote, QuoteAnswer};

/// [`Quote`] by invoking `QuoteFunction` (`QUOTE_FUNCTION`).
#[derive(Debug, Clone)]
pub struct QuoteCall(pub SyncInvoker);

impl Quote for QuoteCall {
    async fn quote(&self, design: &Design, age: u32) -> Result<QuoteAnswer, InvokeError> {
        let request = QuoteRequest {
            product_code: design.product_code.clone(),
            age,
            sum_insured: design.sum_insured,
            terms: contracts::Terms {
                insurance_period_years: design.insurance_period_years,
                payment_period_years: design.payment_period_years,
                payment_cycle: design.payment_cycle.to_string(),
            },
        };
        let answer: QuoteResponse = self.0.call(&request).await?;
        answer_of(answer).map_err(|cause| InvokeError::Failed { function: "product".to_owned(), cause })
    }
}

fn answer_of(answer: QuoteResponse) -> anyhow::Result<QuoteAnswer> {
    match (answer.status, answer.product_name, answer.monthly_premium) {
        (QuoteStatus::Quoted, Some(product_name), Some(monthly_premium)) => {
            Ok(QuoteAnswer::Quoted(Quoted { product_name, monthly_premium }))
        }
        (QuoteStatus::Refused, _, _) if !answer.reasons.is_empty() => Ok(QuoteAnswer::Refused(answer.reasons)),
        (QuoteStatus::UnknownProduct, _, _) => Ok(QuoteAnswer::UnknownProduct),
        (status, ..) => anyhow::bail!("an answer that makes no sense: {status:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use platform::Won;

    #[test]
    fn product_answers_a_premium_reasons_or_unknown_and_nothing_else() {
        let quoted = QuoteResponse {
            status: QuoteStatus::Quoted,
            product_name: Some("p".into()),
            monthly_premium: Some(Won::new(80_000)),
            reasons: vec![],
        };
        assert_eq!(
            answer_of(quoted).unwrap(),
            QuoteAnswer::Quoted(Quoted { product_name: "p".into(), monthly_premium: Won::new(80_000) })
        );
        let refused = QuoteResponse {
            status: QuoteStatus::Refused,
            product_name: None,
            monthly_premium: None,
            reasons: vec!["r".into()],
        };
        assert_eq!(answer_of(refused).unwrap(), QuoteAnswer::Refused(vec!["r".into()]));
        let empty =
            QuoteResponse { status: QuoteStatus::Refused, product_name: None, monthly_premium: None, reasons: vec![] };
        assert!(answer_of(empty).is_err());
        let half = QuoteResponse {
            status: QuoteStatus::Quoted,
            product_name: None,
            monthly_premium: Some(Won::new(1)),
            reasons: vec![],
        };
        assert!(answer_of(half).is_err());
    }
}
