//! Pay's use cases against an in-memory payment history: idempotent by proposal, a tombstone
//! refuses the late payment, a withdrawn proposal's payment is cancelled once.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use payment::application::{self, GivenBack, Paid};
use payment::domain::{
    Account, CustomerNo, Ledger, PayOrder, Payment, PaymentEvent, PaymentStatus, PlanNo, ProposalNo,
};
use payment::ports::Payments;
use platform::EventEnvelope;
use platform::Won;
use platform::dynamo::WriteError;
use platform::inbox::Applied;

#[derive(Default)]
struct Memory {
    ledger: Mutex<HashMap<ProposalNo, Ledger>>,
    outbox: Mutex<Vec<PaymentEvent>>,
    inbox: Mutex<HashSet<String>>,
}

impl Payments for Memory {
    async fn find(&self, proposal: &ProposalNo) -> anyhow::Result<Option<Ledger>> {
        Ok(self.ledger.lock().unwrap().get(proposal).cloned())
    }

    async fn approve(&self, payment: &Payment, events: &[PaymentEvent]) -> Result<(), WriteError> {
        let mut ledger = self.ledger.lock().unwrap();
        if ledger.contains_key(&payment.order.proposal_no) {
            return Err(WriteError::Conflict);
        }
        ledger.insert(payment.order.proposal_no.clone(), Ledger::Paid(Box::new(payment.clone())));
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
        match ledger.get(&payment.order.proposal_no) {
            Some(Ledger::Paid(stored)) if stored.version == expected_version => {}
            _ => return Err(WriteError::Conflict),
        }
        ledger.insert(payment.order.proposal_no.clone(), Ledger::Paid(Box::new(payment.clone())));
        self.outbox.lock().unwrap().extend_from_slice(events);
        self.inbox.lock().unwrap().insert(cause.id.clone());
        Ok(Applied::Now)
    }

    async fn tombstone(
        &self,
        cause: &EventEnvelope,
        proposal: &ProposalNo,
        _: &CustomerNo,
    ) -> Result<Applied, WriteError> {
        if self.inbox.lock().unwrap().contains(&cause.id) {
            return Ok(Applied::AlreadyDone);
        }
        let mut ledger = self.ledger.lock().unwrap();
        if ledger.contains_key(proposal) {
            return Err(WriteError::Conflict);
        }
        ledger.insert(proposal.clone(), Ledger::Tombstone);
        self.inbox.lock().unwrap().insert(cause.id.clone());
        Ok(Applied::Now)
    }
}

fn proposal(n: u8) -> ProposalNo {
    ProposalNo::parse(&format!("2026112200000{n}")).unwrap()
}

fn order(n: u8, amount: u64) -> PayOrder {
    PayOrder {
        proposal_no: proposal(n),
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

fn withdrawn(id: &str) -> EventEnvelope {
    serde_json::from_value(serde_json::json!({
        "id": id, "type": "ProposalWithdrawn", "version": 1, "source": "proposal", "correlationId": "p",
        "causationId": null, "occurredAt": "2026-11-22T01:00:00.000Z", "data": {}
    }))
    .unwrap()
}

fn customer() -> CustomerNo {
    CustomerNo::parse("000000002").unwrap()
}

#[tokio::test]
async fn paying_twice_for_one_proposal_answers_the_same_payment_and_charges_once() {
    let memory = Memory::default();
    let first = application::pay(&memory, &order(1, 80_000)).await.unwrap();
    let again = application::pay(&memory, &order(1, 80_000)).await.unwrap();
    assert!(matches!(first, Paid::Approved(_)));
    assert_eq!(first, again);
    assert_eq!(memory.outbox.lock().unwrap().len(), 1, "one PayApproved");
}

#[tokio::test]
async fn a_withdrawn_proposal_is_cancelled_once_or_refused_ahead_by_a_tombstone() {
    let memory = Memory::default();
    application::pay(&memory, &order(1, 80_000)).await.unwrap();
    let cancelled = application::give_back(&memory, &proposal(1), &customer(), &withdrawn("e-1")).await.unwrap();
    assert_eq!(cancelled, GivenBack::Cancelled);
    assert_eq!(
        application::give_back(&memory, &proposal(1), &customer(), &withdrawn("e-1")).await.unwrap(),
        GivenBack::Nothing
    );
    let Some(Ledger::Paid(payment)) = memory.find(&proposal(1)).await.unwrap() else { panic!("a payment") };
    assert_eq!(payment.status, PaymentStatus::Cancelled);
    assert!(
        matches!(memory.outbox.lock().unwrap().last(), Some(PaymentEvent::Cancelled(f)) if f.amount == Won::new(80_000))
    );

    // ProposalWithdrawn arrived first: a tombstone, and the late payment is refused (409 upstream).
    let ahead = application::give_back(&memory, &proposal(2), &customer(), &withdrawn("e-2")).await.unwrap();
    assert_eq!(ahead, GivenBack::Tombstoned);
    assert_eq!(application::pay(&memory, &order(2, 80_000)).await.unwrap(), Paid::Refused);
    assert_eq!(memory.outbox.lock().unwrap().len(), 2, "no approval after the tombstone");
    assert_eq!(
        application::pay(&memory, &order(1, 80_000)).await.unwrap(),
        Paid::Refused,
        "a cancelled payment stays cancelled"
    );
}

#[tokio::test]
async fn a_zero_amount_is_no_payment() {
    let memory = Memory::default();
    assert!(application::pay(&memory, &order(3, 0)).await.is_err());
    assert!(memory.find(&proposal(3)).await.unwrap().is_none());
}
