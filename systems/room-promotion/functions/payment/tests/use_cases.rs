//! Pay's use cases against an in-memory payment history: idempotent by reservation, a tombstone
//! refuses the late payment, a cancelled reservation's payment is given back once.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use payment::application::{self, GivenBack, Paid};
use payment::domain::{CustomerId, Ledger, Payment, PaymentEvent, PaymentStatus, ReservationId};
use payment::ports::Payments;
use platform::EventEnvelope;
use platform::Won;
use platform::dynamo::WriteError;
use platform::inbox::Applied;

#[derive(Default)]
struct Memory {
    ledger: Mutex<HashMap<ReservationId, Ledger>>,
    outbox: Mutex<Vec<PaymentEvent>>,
    inbox: Mutex<HashSet<String>>,
}

impl Memory {
    fn once(&self, cause: &EventEnvelope) -> bool {
        self.inbox.lock().unwrap().insert(cause.id.clone())
    }
}

impl Payments for Memory {
    async fn find(&self, reservation: &ReservationId) -> anyhow::Result<Option<Ledger>> {
        Ok(self.ledger.lock().unwrap().get(reservation).cloned())
    }

    async fn approve(&self, payment: &Payment, events: &[PaymentEvent]) -> Result<(), WriteError> {
        let mut ledger = self.ledger.lock().unwrap();
        if ledger.contains_key(&payment.reservation_id) {
            return Err(WriteError::Conflict);
        }
        ledger.insert(payment.reservation_id.clone(), Ledger::Paid(payment.clone()));
        self.outbox.lock().unwrap().extend_from_slice(events);
        Ok(())
    }

    async fn save_once(
        &self,
        cause: &EventEnvelope,
        payment: &Payment,
        expected_version: u64,
        events: &[PaymentEvent],
    ) -> Result<Applied, WriteError> {
        if self.inbox.lock().unwrap().contains(&cause.id) {
            return Ok(Applied::AlreadyDone);
        }
        let mut ledger = self.ledger.lock().unwrap();
        match ledger.get(&payment.reservation_id) {
            Some(Ledger::Paid(stored)) if stored.version == expected_version => {}
            _ => return Err(WriteError::Conflict),
        }
        ledger.insert(payment.reservation_id.clone(), Ledger::Paid(payment.clone()));
        self.outbox.lock().unwrap().extend_from_slice(events);
        self.once(cause);
        Ok(Applied::Now)
    }

    async fn tombstone(
        &self,
        cause: &EventEnvelope,
        reservation: &ReservationId,
        _: &CustomerId,
    ) -> Result<Applied, WriteError> {
        if self.inbox.lock().unwrap().contains(&cause.id) {
            return Ok(Applied::AlreadyDone);
        }
        let mut ledger = self.ledger.lock().unwrap();
        if ledger.contains_key(reservation) {
            return Err(WriteError::Conflict);
        }
        ledger.insert(reservation.clone(), Ledger::Tombstone);
        self.once(cause);
        Ok(Applied::Now)
    }
}

fn reservation(n: u8) -> ReservationId {
    ReservationId::parse(&format!("019a9a3c-7c1e-7d4a-9b2f-3e5d6c7b8a9{n}")).unwrap()
}

fn kim() -> CustomerId {
    CustomerId::parse("auth0|kim").unwrap()
}

fn event(id: &str) -> EventEnvelope {
    serde_json::from_value(serde_json::json!({
        "id": id, "type": "ReservationCancelled", "version": 1, "source": "reservation", "correlationId": "r",
        "causationId": null, "occurredAt": "2026-11-22T01:00:00.000Z", "data": {}
    }))
    .unwrap()
}

#[tokio::test]
async fn paying_twice_for_one_reservation_answers_the_same_payment_and_charges_once() {
    let memory = Memory::default();
    let first = application::pay(&memory, &reservation(1), &kim(), "Kim", Won::new(18000)).await.unwrap();
    let again = application::pay(&memory, &reservation(1), &kim(), "Kim", Won::new(18000)).await.unwrap();
    assert!(matches!(first, Paid::Approved(_)));
    assert_eq!(first, again);
    assert_eq!(memory.outbox.lock().unwrap().len(), 1, "one PaymentApproved");
}

#[tokio::test]
async fn a_cancelled_reservation_is_refunded_once_or_refused_ahead_by_a_tombstone() {
    let memory = Memory::default();
    // The payment went through before ReservationCancelled arrived: refunded.
    application::pay(&memory, &reservation(1), &kim(), "Kim", Won::new(18000)).await.unwrap();
    let voided = application::give_back(&memory, &reservation(1), &kim(), &event("e-1")).await.unwrap();
    assert_eq!(voided, GivenBack::Cancelled);
    assert_eq!(
        application::give_back(&memory, &reservation(1), &kim(), &event("e-1")).await.unwrap(),
        GivenBack::Nothing
    );
    let Some(Ledger::Paid(payment)) = memory.find(&reservation(1)).await.unwrap() else { panic!("a payment") };
    assert_eq!(payment.status, PaymentStatus::Cancelled);
    assert!(
        matches!(memory.outbox.lock().unwrap().last(), Some(PaymentEvent::Cancelled(f)) if f.amount == Won::new(18000))
    );

    // ReservationCancelled arrived first: a tombstone, and the late payment is refused.
    let ahead = application::give_back(&memory, &reservation(2), &kim(), &event("e-2")).await.unwrap();
    assert_eq!(ahead, GivenBack::Tombstoned);
    assert_eq!(
        application::pay(&memory, &reservation(2), &kim(), "Kim", Won::new(18000)).await.unwrap(),
        Paid::Refused
    );
    assert_eq!(memory.outbox.lock().unwrap().len(), 2, "no approval after the tombstone");
    // A cancelled payment is not approved again either.
    assert_eq!(
        application::pay(&memory, &reservation(1), &kim(), "Kim", Won::new(18000)).await.unwrap(),
        Paid::Refused
    );
}

#[tokio::test]
async fn a_zero_amount_is_no_payment() {
    let memory = Memory::default();
    assert!(application::pay(&memory, &reservation(3), &kim(), "Kim", Won::ZERO).await.is_err());
    assert!(memory.find(&reservation(3)).await.unwrap().is_none());
}
