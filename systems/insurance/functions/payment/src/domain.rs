//! Payment's rules: the [`Payment`] aggregate (결제) and the [`Ledger`] entry of a proposal.
//! Plain Rust: no I/O.
//!
//! One payment per proposal. Status: `Approved` (결제승인, the original's "결재승인") ->
//! `Cancelled` (결제취소, the proposal was withdrawn). A proposal withdrawn before payment made
//! one gets a tombstone instead, so a late `Pay` is refused (409 at the proposal): a pay call
//! in flight cannot leave a charge on a withdrawn proposal. Bank verification is simulated:
//! any well-formed account is approved.

use chrono::{DateTime, SubsecRound, Utc};
use platform::Won;
use serde::{Deserialize, Serialize};

platform::uuid_id!(
    /// A payment's id: a UUID v7 pay generates.
    PaymentId,
    "a payment id (UUID)"
);

platform::opaque_id!(
    /// The proposal paid for (the proposal context's 14-character number, opaque here).
    ProposalNo
);

platform::opaque_id!(
    /// The proposal's plan (opaque here).
    PlanNo
);

platform::opaque_id!(
    /// Who pays: the 9-digit customer number (opaque here).
    CustomerNo
);

/// The account paid from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    /// 3-digit bank code (`fininCd`).
    pub bank_code: String,
    /// Bank name (`fininNm`), if given.
    pub bank_name: Option<String>,
    /// Account number (`actNo`).
    pub account_no: String,
    /// Account holder (`achdNm`).
    pub account_holder: String,
}

/// Where a payment is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, strum::EnumString, strum::Display)]
pub enum PaymentStatus {
    /// Approved (결제승인).
    Approved,
    /// Cancelled: the proposal was withdrawn (결제취소). The end.
    Cancelled,
}

/// What pay publishes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentEvent {
    /// `PayApproved`.
    Approved(PaymentFacts),
    /// `PayCancelled`.
    Cancelled(PaymentFacts),
}

/// What every payment event tells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentFacts {
    /// The payment.
    pub payment_id: PaymentId,
    /// Its proposal.
    pub proposal_no: ProposalNo,
    /// The proposal's plan.
    pub plan_no: PlanNo,
    /// Who pays.
    pub customer_no: CustomerNo,
    /// How much.
    pub amount: Won,
    /// When approved.
    pub paid_at: DateTime<Utc>,
}

/// What a pay call asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayOrder {
    /// The proposal.
    pub proposal_no: ProposalNo,
    /// Its plan.
    pub plan_no: PlanNo,
    /// Who pays.
    pub customer_no: CustomerNo,
    /// Their name.
    pub customer_name: String,
    /// The first premium.
    pub amount: Won,
    /// From where.
    pub account: Account,
}

/// A payment as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    /// Its id.
    pub id: PaymentId,
    /// What was paid, and from where.
    pub order: PayOrder,
    /// Where it is.
    pub status: PaymentStatus,
    /// When approved (`payDtm`).
    pub paid_at: DateTime<Utc>,
    /// When cancelled, if it was.
    pub cancelled_at: Option<DateTime<Utc>>,
    /// Optimistic-concurrency version: 1 when approved, +1 per change.
    pub version: u64,
}

/// An amount of 0 won is no payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a payment of 0 won")]
pub struct ZeroAmount;

impl Payment {
    /// Approves `order` at `now`; says `PayApproved`.
    ///
    /// # Errors
    /// [`ZeroAmount`].
    pub fn approve(
        id: PaymentId,
        order: PayOrder,
        now: DateTime<Utc>,
    ) -> Result<(Self, Vec<PaymentEvent>), ZeroAmount> {
        if order.amount == Won::ZERO {
            return Err(ZeroAmount);
        }
        let payment = Self {
            id,
            order,
            status: PaymentStatus::Approved,
            paid_at: now.trunc_subsecs(3),
            cancelled_at: None,
            version: 1,
        };
        let approved = PaymentEvent::Approved(payment.facts());
        Ok((payment, vec![approved]))
    }

    /// What its events tell.
    pub fn facts(&self) -> PaymentFacts {
        PaymentFacts {
            payment_id: self.id.clone(),
            proposal_no: self.order.proposal_no.clone(),
            plan_no: self.order.plan_no.clone(),
            customer_no: self.order.customer_no.clone(),
            amount: self.order.amount,
            paid_at: self.paid_at,
        }
    }

    /// Cancels an approved payment at `now`; says `PayCancelled`.
    /// `None` when it is cancelled already: a repeat changes nothing.
    pub fn cancel(&self, now: DateTime<Utc>) -> Option<(Self, Vec<PaymentEvent>)> {
        match self.status {
            PaymentStatus::Approved => {
                let cancelled = Self {
                    status: PaymentStatus::Cancelled,
                    cancelled_at: Some(now.trunc_subsecs(3)),
                    version: self.version + 1,
                    ..self.clone()
                };
                let event = PaymentEvent::Cancelled(cancelled.facts());
                Some((cancelled, vec![event]))
            }
            PaymentStatus::Cancelled => None,
        }
    }
}

/// What pay knows about a proposal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ledger {
    /// Its payment.
    Paid(Box<Payment>),
    /// Withdrawn before payment made one: a later `Pay` is refused.
    Tombstone,
}

/// Payment's answer to `Pay` for a proposal it knows (`None`: it knows nothing, approve it):
/// the approved payment again (idempotent by proposal), or a refusal after a tombstone or a
/// cancel.
pub fn answer_for(known: &Ledger) -> Option<PaymentId> {
    match known {
        Ledger::Paid(payment) if payment.status == PaymentStatus::Approved => Some(payment.id.clone()),
        Ledger::Paid(_) | Ledger::Tombstone => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        "2026-11-22T01:00:00.123456Z".parse().unwrap()
    }

    /// The scenario's first premium, paid from the scenario's account.
    pub(crate) fn order(amount: u64) -> PayOrder {
        PayOrder {
            proposal_no: ProposalNo::parse("20261122000001").unwrap(),
            plan_no: PlanNo::parse("20261122000000").unwrap(),
            customer_no: CustomerNo::parse("000000002").unwrap(),
            customer_name: "양건우".to_owned(),
            amount: Won::new(amount),
            account: Account {
                bank_code: "088".into(),
                bank_name: None,
                account_no: "110123456789".into(),
                account_holder: "양건우".into(),
            },
        }
    }

    #[test]
    fn approving_says_pay_approved_with_the_first_premium_and_zero_is_no_payment() {
        let (payment, events) = Payment::approve(PaymentId::generate(), order(80_000), now()).unwrap();
        assert_eq!(
            (payment.status, payment.version, payment.order.amount),
            (PaymentStatus::Approved, 1, Won::new(80_000))
        );
        assert_eq!(events, [PaymentEvent::Approved(payment.facts())]);
        assert_eq!(Payment::approve(PaymentId::generate(), order(0), now()), Err(ZeroAmount));
    }

    #[test]
    fn an_approved_payment_cancels_once_and_says_pay_cancelled() {
        let (payment, _) = Payment::approve(PaymentId::generate(), order(80_000), now()).unwrap();
        let (cancelled, events) = payment.cancel(now()).unwrap();
        assert_eq!((cancelled.status, cancelled.version), (PaymentStatus::Cancelled, 2));
        assert!(cancelled.cancelled_at.is_some());
        assert_eq!(events, [PaymentEvent::Cancelled(payment.facts())]);
        assert_eq!(cancelled.cancel(now()), None, "a repeat changes nothing");
    }

    #[test]
    fn pay_answers_the_approved_payment_again_and_refuses_after_a_tombstone_or_a_cancel() {
        let (payment, _) = Payment::approve(PaymentId::generate(), order(80_000), now()).unwrap();
        assert_eq!(answer_for(&Ledger::Paid(Box::new(payment.clone()))), Some(payment.id.clone()));
        let (cancelled, _) = payment.cancel(now()).unwrap();
        assert_eq!(answer_for(&Ledger::Paid(Box::new(cancelled))), None);
        assert_eq!(answer_for(&Ledger::Tombstone), None);
    }
}
