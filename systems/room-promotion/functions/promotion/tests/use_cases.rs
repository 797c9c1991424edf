//! Promotion's use cases against an in-memory store: one promotion per payment by the seed's
//! rule, revoked once, a refund before the approval leaves a tombstone, repeats change nothing.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use platform::EventEnvelope;
use platform::Won;
use platform::dynamo::WriteError;
use platform::inbox::Applied;
use promotion::application::{self, Outcome};
use promotion::domain::{
    ApprovedPayment, CustomerId, Ledger, PaymentId, Promotion, PromotionEvent, PromotionStatus, ReservationId, Service,
};
use promotion::ports::Promotions;

#[derive(Default)]
struct Memory {
    ledger: Mutex<HashMap<PaymentId, Ledger>>,
    outbox: Mutex<Vec<PromotionEvent>>,
    inbox: Mutex<HashSet<String>>,
}

impl Promotions for Memory {
    async fn find(&self, payment: &PaymentId) -> anyhow::Result<Option<Ledger>> {
        Ok(self.ledger.lock().unwrap().get(payment).cloned())
    }

    async fn save_once(
        &self,
        cause: &EventEnvelope,
        promotion: &Promotion,
        expected_version: Option<u64>,
        events: &[PromotionEvent],
    ) -> Result<Applied, WriteError> {
        if self.inbox.lock().unwrap().contains(&cause.id) {
            return Ok(Applied::AlreadyDone);
        }
        let mut ledger = self.ledger.lock().unwrap();
        match (ledger.get(&promotion.payment_id), expected_version) {
            (None, None) => {}
            (Some(Ledger::Promoted(stored)), Some(v)) if stored.version == v => {}
            _ => return Err(WriteError::Conflict),
        }
        ledger.insert(promotion.payment_id.clone(), Ledger::Promoted(promotion.clone()));
        self.outbox.lock().unwrap().extend_from_slice(events);
        self.inbox.lock().unwrap().insert(cause.id.clone());
        Ok(Applied::Now)
    }

    async fn tombstone(&self, cause: &EventEnvelope, payment: &PaymentId) -> Result<Applied, WriteError> {
        if self.inbox.lock().unwrap().contains(&cause.id) {
            return Ok(Applied::AlreadyDone);
        }
        let mut ledger = self.ledger.lock().unwrap();
        if ledger.contains_key(payment) {
            return Err(WriteError::Conflict);
        }
        ledger.insert(payment.clone(), Ledger::Tombstone);
        self.inbox.lock().unwrap().insert(cause.id.clone());
        Ok(Applied::Now)
    }
}

fn paid(payment: &str, amount: u64) -> ApprovedPayment {
    ApprovedPayment {
        payment_id: PaymentId::parse(payment).unwrap(),
        reservation_id: ReservationId::parse(&format!("r-{payment}")).unwrap(),
        customer_id: CustomerId::parse("auth0|a").unwrap(),
        customer_name: "A".to_owned(),
        amount: Won::new(amount),
    }
}

fn event(id: &str, kind: &str) -> EventEnvelope {
    serde_json::from_value(serde_json::json!({
        "id": id, "type": kind, "version": 1, "source": "payment", "correlationId": "r",
        "causationId": null, "occurredAt": "2026-11-22T01:00:00.000Z", "data": {}
    }))
    .unwrap()
}

fn promoted(memory: &Memory, payment: &str) -> Promotion {
    match memory.ledger.lock().unwrap().get(&PaymentId::parse(payment).unwrap()) {
        Some(Ledger::Promoted(p)) => p.clone(),
        other => panic!("no promotion for {payment}: {other:?}"),
    }
}

#[tokio::test]
async fn the_scenario_payments_earn_a_coupon_a_beverage_and_points_once_each() {
    let memory = Memory::default();
    for (n, (payment, amount)) in [("p-1", 100_000), ("p-2", 50_000), ("p-3", 45_000)].into_iter().enumerate() {
        let approved = event(&format!("e-{n}"), "PaymentApproved");
        assert_eq!(application::grant(&memory, &paid(payment, amount), &approved).await.unwrap(), Outcome::Granted);
        // The same event again, and another approval of the same payment: nothing.
        assert_eq!(application::grant(&memory, &paid(payment, amount), &approved).await.unwrap(), Outcome::Nothing);
        let again = event(&format!("e-{n}-again"), "PaymentApproved");
        assert_eq!(application::grant(&memory, &paid(payment, amount), &again).await.unwrap(), Outcome::Nothing);
    }
    assert_eq!(
        (promoted(&memory, "p-1").service, promoted(&memory, "p-1").points),
        (Some(Service::DiscountCoupon), 10_000)
    );
    assert_eq!((promoted(&memory, "p-2").service, promoted(&memory, "p-2").points), (Some(Service::Beverage), 5_000));
    assert_eq!((promoted(&memory, "p-3").service, promoted(&memory, "p-3").points), (None, 4_500));
    assert_eq!(memory.outbox.lock().unwrap().len(), 3, "one PromotionGranted per payment");
}

#[tokio::test]
async fn a_refund_revokes_once_and_a_refund_before_the_approval_leaves_a_tombstone() {
    let memory = Memory::default();
    application::grant(&memory, &paid("p-1", 100_000), &event("e-1", "PaymentApproved")).await.unwrap();
    let payment = PaymentId::parse("p-1").unwrap();
    let cancelled = event("e-2", "PaymentCancelled");
    assert_eq!(application::revoke(&memory, &payment, &cancelled).await.unwrap(), Outcome::Revoked);
    assert_eq!(application::revoke(&memory, &payment, &cancelled).await.unwrap(), Outcome::Nothing);
    assert_eq!(
        application::revoke(&memory, &payment, &event("e-3", "PaymentCancelled")).await.unwrap(),
        Outcome::Nothing
    );
    assert_eq!(promoted(&memory, "p-1").status, PromotionStatus::Revoked);
    assert!(matches!(memory.outbox.lock().unwrap().last(), Some(PromotionEvent::Revoked(p)) if p.points == 10_000));

    // Reordered: PaymentCancelled before PaymentApproved.
    let late = PaymentId::parse("p-9").unwrap();
    assert_eq!(
        application::revoke(&memory, &late, &event("e-4", "PaymentCancelled")).await.unwrap(),
        Outcome::Tombstoned
    );
    let approved = application::grant(&memory, &paid("p-9", 100_000), &event("e-5", "PaymentApproved")).await.unwrap();
    assert_eq!(approved, Outcome::Nothing, "the late approval grants nothing");
    assert_eq!(memory.outbox.lock().unwrap().len(), 2);
}
