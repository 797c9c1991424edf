//! Payment's rules: the [`Payment`] aggregate (결제) and the [`Ledger`] entry of a reservation.
//! Plain Rust: no I/O.
//!
//! One payment per reservation. Status: `Approved` (결제승인됨) -> `Cancelled` (refunded).
//! A reservation cancelled before payment made one gets a tombstone instead, so a late `Pay`
//! is refused: a pay call in flight cannot leave a charge on a cancelled reservation.

use chrono::{DateTime, SubsecRound, Utc};
use platform::Won;
use serde::{Deserialize, Serialize};

platform::uuid_id!(
    /// A payment's id: a UUID v7 pay generates.
    PaymentId,
    "a payment id (UUID)"
);

platform::opaque_id!(
    /// The reservation paid for (the reservation context's id, opaque here).
    ReservationId
);

platform::opaque_id!(
    /// Who pays: the token's `sub` (opaque).
    CustomerId
);

/// Where a payment is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, strum::EnumString, strum::Display)]
pub enum PaymentStatus {
    /// Approved (결제승인됨).
    Approved,
    /// Refunded: the reservation was cancelled. The end.
    Cancelled,
}

/// What pay publishes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentEvent {
    /// `PaymentApproved`.
    Approved(PaymentFacts),
    /// `PaymentCancelled`.
    Cancelled(PaymentFacts),
}

/// What every payment event tells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentFacts {
    /// The payment.
    pub payment_id: PaymentId,
    /// Its reservation.
    pub reservation_id: ReservationId,
    /// Who pays.
    pub customer_id: CustomerId,
    /// Their name.
    pub customer_name: String,
    /// How much.
    pub amount: Won,
    /// When approved.
    pub approved_at: DateTime<Utc>,
}

/// A payment as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    /// Its id.
    pub id: PaymentId,
    /// Its reservation (unique).
    pub reservation_id: ReservationId,
    /// Who pays.
    pub customer_id: CustomerId,
    /// Their name.
    pub customer_name: String,
    /// The amount.
    pub amount: Won,
    /// Where it is.
    pub status: PaymentStatus,
    /// When approved.
    pub approved_at: DateTime<Utc>,
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
    /// Approves `amount` for `reservation_id` of `customer_id` at `now`; says `PaymentApproved`.
    ///
    /// # Errors
    /// [`ZeroAmount`].
    pub fn approve(
        id: PaymentId,
        reservation_id: ReservationId,
        customer_id: CustomerId,
        customer_name: String,
        amount: Won,
        now: DateTime<Utc>,
    ) -> Result<(Self, Vec<PaymentEvent>), ZeroAmount> {
        if amount == Won::ZERO {
            return Err(ZeroAmount);
        }
        let payment = Self {
            id,
            reservation_id,
            customer_id,
            customer_name,
            amount,
            status: PaymentStatus::Approved,
            approved_at: now.trunc_subsecs(3),
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
            reservation_id: self.reservation_id.clone(),
            customer_id: self.customer_id.clone(),
            customer_name: self.customer_name.clone(),
            amount: self.amount,
            approved_at: self.approved_at,
        }
    }

    /// Cancels (refunds) an approved payment at `now`; says `PaymentCancelled`.
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

/// What pay knows about a reservation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ledger {
    /// Its payment.
    Paid(Payment),
    /// Cancelled before payment made one: a later `Pay` is refused.
    Tombstone,
}

/// Payment's answer to `Pay` for a reservation it knows (`None`: it knows nothing, approve it): the
/// approved payment again (idempotent by reservation), or a refusal after a tombstone or a cancel.
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

    fn approved(amount: u64) -> (Payment, Vec<PaymentEvent>) {
        let reservation = ReservationId::parse("019a9a3c-7c1e-7d4a-9b2f-3e5d6c7b8a90").unwrap();
        Payment::approve(
            PaymentId::generate(),
            reservation,
            CustomerId::parse("auth0|kim").unwrap(),
            "Kim".to_owned(),
            Won::new(amount),
            now(),
        )
        .unwrap()
    }

    #[test]
    fn approving_says_payment_approved_with_the_amount() {
        let (payment, events) = approved(36000);
        assert_eq!((payment.status, payment.version, payment.amount), (PaymentStatus::Approved, 1, Won::new(36000)));
        assert_eq!(events, [PaymentEvent::Approved(payment.facts())]);
        let reservation = ReservationId::parse("o").unwrap();
        let zero = Payment::approve(
            PaymentId::generate(),
            reservation,
            CustomerId::parse("c").unwrap(),
            "C".to_owned(),
            Won::ZERO,
            now(),
        );
        assert_eq!(zero, Err(ZeroAmount));
    }

    #[test]
    fn an_approved_payment_cancels_once_and_says_payment_cancelled() {
        let (payment, _) = approved(36000);
        let (cancelled, events) = payment.cancel(now()).unwrap();
        assert_eq!((cancelled.status, cancelled.version), (PaymentStatus::Cancelled, 2));
        assert!(cancelled.cancelled_at.is_some());
        assert_eq!(events, [PaymentEvent::Cancelled(payment.facts())]);
        assert_eq!(cancelled.cancel(now()), None, "a repeat changes nothing");
    }

    #[test]
    fn pay_answers_the_approved_payment_again_and_refuses_after_a_tombstone_or_a_cancel() {
        let (payment, _) = approved(18000);
        assert_eq!(answer_for(&Ledger::Paid(payment.clone())), Some(payment.id.clone()));
        let (cancelled, _) = payment.cancel(now()).unwrap();
        assert_eq!(answer_for(&Ledger::Paid(cancelled)), None);
        assert_eq!(answer_for(&Ledger::Tombstone), None);
    }
}
