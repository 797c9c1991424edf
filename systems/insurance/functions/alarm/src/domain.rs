//! Which events send an AlimTalk message, with what text, Korean first, then English. Every
//! [`Occasion`] is exactly one message. No I/O.

use chrono::{DateTime, SubsecRound, Utc};
use platform::Won;

platform::uuid_id!(
    /// A message's id: a UUID v7 alarm generates.
    MessageId,
    "a message id (UUID)"
);

/// What happened to the customer's plan or proposal.
#[derive(Debug, Clone, PartialEq, Eq, strum::IntoStaticStr)]
pub enum Occasion {
    /// The product description was issued (FR 7).
    ProductDescriptionIssued {
        /// The product's name.
        product_name: String,
    },
    /// A proposal was submitted.
    ProposalSubmitted {
        /// The proposal.
        proposal_no: String,
        /// The first premium due.
        first_premium: Won,
    },
    /// The contract was concluded.
    ContractConcluded {
        /// The proposal.
        proposal_no: String,
        /// Paid.
        amount: Won,
    },
    /// The proposal was withdrawn.
    ProposalWithdrawn {
        /// The proposal.
        proposal_no: String,
    },
    /// The first premium was given back.
    PayCancelled {
        /// Given back.
        amount: Won,
    },
}

/// One message, as stored and sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Its id.
    pub message_id: MessageId,
    /// The customer number.
    pub customer_no: String,
    /// The plan it is about.
    pub plan_no: String,
    /// The event that caused it (`kind`).
    pub kind: &'static str,
    /// The text, Korean then English.
    pub text: String,
    /// When sent.
    pub sent_at: DateTime<Utc>,
}

impl Occasion {
    /// The message for `customer_no` about `plan_no`, at `now`.
    pub fn message(&self, customer_no: &str, plan_no: &str, now: DateTime<Utc>) -> Message {
        let text = match self {
            Self::ProductDescriptionIssued { product_name } => format!(
                "[{product_name}] 상품설명서가 발행되었습니다 (가입설계 {plan_no}). / The product description of {product_name} was issued (plan {plan_no})."
            ),
            Self::ProposalSubmitted { proposal_no, first_premium } => format!(
                "청약 {proposal_no}이 접수되었습니다. 초회보험료 {first_premium}원. / Proposal {proposal_no} was received; first premium {first_premium} won."
            ),
            Self::ContractConcluded { proposal_no, amount } => format!(
                "초회보험료 {amount}원이 결제되어 계약이 성립되었습니다 ({proposal_no}). / {amount} won paid: your contract {proposal_no} is concluded."
            ),
            Self::ProposalWithdrawn { proposal_no } => {
                format!("청약 {proposal_no}이 철회되었습니다. / Proposal {proposal_no} was withdrawn.")
            }
            Self::PayCancelled { amount } => {
                format!("{amount}원 결제가 취소되었습니다. / Your payment of {amount} won was cancelled.")
            }
        };
        Message {
            message_id: MessageId::generate(),
            customer_no: customer_no.to_owned(),
            plan_no: plan_no.to_owned(),
            kind: self.into(),
            text,
            sent_at: now.trunc_subsecs(3),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_occasion_is_one_message_named_by_its_event_type() {
        let now = Utc::now();
        let issued = Occasion::ProductDescriptionIssued { product_name: "(무)재해사망보장".into() }.message(
            "000000002",
            "p",
            now,
        );
        assert_eq!((issued.kind, issued.customer_no.as_str()), ("ProductDescriptionIssued", "000000002"));
        assert!(issued.text.contains("상품설명서") && issued.text.contains("(무)재해사망보장"));
        let concluded =
            Occasion::ContractConcluded { proposal_no: "n".into(), amount: Won::new(80_000) }.message("c", "p", now);
        assert_eq!(concluded.kind, "ContractConcluded");
        assert!(concluded.text.contains("80000"));
        assert_eq!(Occasion::PayCancelled { amount: Won::new(80_000) }.message("c", "p", now).kind, "PayCancelled");
        assert_eq!(
            Occasion::ProposalWithdrawn { proposal_no: "n".into() }.message("c", "p", now).kind,
            "ProposalWithdrawn"
        );
    }
}
