//! The synchronous pay call over the shared [`SyncInvoker`] (timeout + circuit breaker):
//! [`PayCall`] maps [`contracts::pay_call`] to the domain.

use contracts::pay_call::{PayRequest, PayResponse, PayStatus};
use platform::invoke::{InvokeError, SyncInvoker};

use crate::domain::{Account, PaymentId, Proposal};
use crate::ports::{Pay, Payment};

/// [`Pay`] by invoking `PayFunction` (`PAY_FUNCTION`).
#[derive(Debug, Clone)]
pub struct PayCall(pub SyncInvoker);

impl Pay for PayCall {
    async fn pay(&self, proposal: &Proposal, account: &Account) -> Result<Payment, InvokeError> {
        let request = PayRequest {
            proposal_no: proposal.proposal_no.to_string(),
            plan_no: proposal.plan_no.clone(),
            customer_no: proposal.terms.customer_no.clone(),
            customer_name: proposal.terms.customer_name.clone(),
            amount: proposal.first_premium,
            account: contracts::pay_call::Account {
                bank_code: account.bank_code.clone(),
                bank_name: account.bank_name.clone(),
                account_no: account.account_no.clone(),
                account_holder: account.account_holder.clone(),
            },
        };
        let answer: PayResponse = self.0.call(&request).await?;
        payment_of(answer).map_err(|cause| InvokeError::Failed { function: "payment".to_owned(), cause })
    }
}

fn payment_of(answer: PayResponse) -> anyhow::Result<Payment> {
    match (answer.status, answer.payment_id) {
        (PayStatus::Approved, Some(id)) => Ok(Payment::Approved(PaymentId::parse(&id)?)),
        (PayStatus::Refused, None) => Ok(Payment::Refused),
        (status, id) => anyhow::bail!("an answer that makes no sense: {status:?} with payment {id:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payment_answers_approved_with_an_id_or_refused_without_one_and_nothing_else() {
        let approved = PayResponse { payment_id: Some("p-1".into()), status: PayStatus::Approved };
        assert_eq!(payment_of(approved).unwrap(), Payment::Approved(PaymentId::parse("p-1").unwrap()));
        assert_eq!(payment_of(PayResponse { payment_id: None, status: PayStatus::Refused }).unwrap(), Payment::Refused);
        assert!(payment_of(PayResponse { payment_id: None, status: PayStatus::Approved }).is_err());
    }
}
