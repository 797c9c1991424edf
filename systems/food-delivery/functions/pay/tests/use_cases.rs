//! Pay's use cases against an in-memory payment history: idempotent by order, a tombstone
//! refuses the late payment, an abandoned or cancelled order's payment is given back once.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use pay::application::{self, GivenBack, Paid};
use pay::domain::{CustomerId, Ledger, OrderId, Payment, PaymentEvent, PaymentStatus};
use pay::ports::Payments;
use platform::EventEnvelope;
use platform::Won;
use platform::dynamo::WriteError;
use platform::inbox::Applied;

#[derive(Default)]
struct Memory {
    ledger: Mutex<HashMap<OrderId, Ledger>>,
    outbox: Mutex<Vec<PaymentEvent>>,
    inbox: Mutex<HashSet<String>>,
}

impl Memory {
    fn once(&self, cause: &EventEnvelope) -> bool {
        self.inbox.lock().unwrap().insert(cause.id.clone())
    }
}

impl Payments for Memory {
    async fn find(&self, order: &OrderId) -> anyhow::Result<Option<Ledger>> {
        Ok(self.ledger.lock().unwrap().get(order).cloned())
    }

    async fn approve(&self, payment: &Payment, events: &[PaymentEvent]) -> Result<(), WriteError> {
        let mut ledger = self.ledger.lock().unwrap();
        if ledger.contains_key(&payment.order_id) {
            return Err(WriteError::Conflict);
        }
        ledger.insert(payment.order_id.clone(), Ledger::Paid(payment.clone()));
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
        match ledger.get(&payment.order_id) {
            Some(Ledger::Paid(stored)) if stored.version == expected_version => {}
            _ => return Err(WriteError::Conflict),
        }
        ledger.insert(payment.order_id.clone(), Ledger::Paid(payment.clone()));
        self.outbox.lock().unwrap().extend_from_slice(events);
        self.once(cause);
        Ok(Applied::Now)
    }

    async fn tombstone(&self, cause: &EventEnvelope, order: &OrderId, _: &CustomerId) -> Result<Applied, WriteError> {
        if self.inbox.lock().unwrap().contains(&cause.id) {
            return Ok(Applied::AlreadyDone);
        }
        let mut ledger = self.ledger.lock().unwrap();
        if ledger.contains_key(order) {
            return Err(WriteError::Conflict);
        }
        ledger.insert(order.clone(), Ledger::Tombstone);
        self.once(cause);
        Ok(Applied::Now)
    }
}

fn order(n: u8) -> OrderId {
    OrderId::parse(&format!("019a9a3c-7c1e-7d4a-9b2f-3e5d6c7b8a9{n}")).unwrap()
}

fn kim() -> CustomerId {
    CustomerId::parse("auth0|kim").unwrap()
}

fn event(id: &str) -> EventEnvelope {
    serde_json::from_value(serde_json::json!({
        "id": id, "type": "PaymentAbandoned", "version": 1, "source": "app", "correlationId": "o",
        "causationId": null, "occurredAt": "2026-11-22T01:00:00.000Z", "data": {}
    }))
    .unwrap()
}

#[tokio::test]
async fn paying_twice_for_one_order_answers_the_same_payment_and_charges_once() {
    let memory = Memory::default();
    let first = application::pay(&memory, &order(1), &kim(), Won::new(18000)).await.unwrap();
    let again = application::pay(&memory, &order(1), &kim(), Won::new(18000)).await.unwrap();
    assert!(matches!(first, Paid::Approved(_)));
    assert_eq!(first, again);
    assert_eq!(memory.outbox.lock().unwrap().len(), 1, "one PaymentApproved");
}

#[tokio::test]
async fn an_abandoned_payment_is_voided_once_or_refused_ahead_by_a_tombstone() {
    let memory = Memory::default();
    // The slow payment went through before PaymentAbandoned arrived: voided.
    application::pay(&memory, &order(1), &kim(), Won::new(18000)).await.unwrap();
    let voided = application::give_back(&memory, &order(1), &kim(), &event("e-1")).await.unwrap();
    assert_eq!(voided, GivenBack::Cancelled);
    assert_eq!(application::give_back(&memory, &order(1), &kim(), &event("e-1")).await.unwrap(), GivenBack::Nothing);
    let Some(Ledger::Paid(payment)) = memory.find(&order(1)).await.unwrap() else { panic!("a payment") };
    assert_eq!(payment.status, PaymentStatus::Cancelled);
    assert!(
        matches!(memory.outbox.lock().unwrap().last(), Some(PaymentEvent::Cancelled(f)) if f.amount == Won::new(18000))
    );

    // PaymentAbandoned arrived first: a tombstone, and the late payment is refused.
    let ahead = application::give_back(&memory, &order(2), &kim(), &event("e-2")).await.unwrap();
    assert_eq!(ahead, GivenBack::Tombstoned);
    assert_eq!(application::pay(&memory, &order(2), &kim(), Won::new(18000)).await.unwrap(), Paid::Refused);
    assert_eq!(memory.outbox.lock().unwrap().len(), 2, "no approval after the tombstone");
    // A cancelled payment is not approved again either.
    assert_eq!(application::pay(&memory, &order(1), &kim(), Won::new(18000)).await.unwrap(), Paid::Refused);
}

#[tokio::test]
async fn a_zero_amount_is_no_payment() {
    let memory = Memory::default();
    assert!(application::pay(&memory, &order(3), &kim(), Won::ZERO).await.is_err());
    assert!(memory.find(&order(3)).await.unwrap().is_none());
}
