//! Proposal's use cases against in-memory fakes of its ports: the plan copy fed in either order,
//! one live proposal per plan, the payment through a fake pay call (approved, timed out, then
//! reconciled by `PayApproved` exactly once), withdrawal.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use platform::EventEnvelope;
use platform::Won;
use platform::dynamo::WriteError;
use platform::idempotency::{IdempotencyKey, IdempotencyRecord};
use platform::inbox::Applied;
use platform::invoke::InvokeError;
use proposal::application::{self, FirstAnswer, Followed, ProposalError, SubmitError, SubmitProposal, Submitted};
use proposal::domain::{Account, PaymentId, PlanCopy, PlanTerms, Proposal, ProposalEvent, ProposalNo, ProposalStatus};
use proposal::ports::{Pay, Payment, PlanCopies, Proposals};

#[derive(Default)]
struct Memory {
    copies: Mutex<HashMap<String, PlanCopy>>,
    proposals: Mutex<HashMap<ProposalNo, Proposal>>,
    live: Mutex<HashSet<String>>,
    outbox: Mutex<Vec<ProposalEvent>>,
    inbox: Mutex<HashSet<String>>,
}

impl Memory {
    fn seen(&self, cause: &EventEnvelope) -> bool {
        !self.inbox.lock().unwrap().insert(cause.id.clone())
    }
}

impl PlanCopies for Memory {
    async fn find_copy(&self, plan_no: &str) -> anyhow::Result<Option<PlanCopy>> {
        Ok(self.copies.lock().unwrap().get(plan_no).cloned())
    }

    async fn save_copy_once(
        &self,
        cause: &EventEnvelope,
        copy: &PlanCopy,
        expected: u64,
    ) -> Result<Applied, WriteError> {
        if self.seen(cause) {
            return Ok(Applied::AlreadyDone);
        }
        let mut copies = self.copies.lock().unwrap();
        if copies.get(&copy.plan_no).map_or(0, |c| c.revision) != expected {
            return Err(WriteError::Conflict);
        }
        copies.insert(copy.plan_no.clone(), copy.clone());
        Ok(Applied::Now)
    }
}

impl Proposals for Memory {
    async fn find(&self, no: &ProposalNo) -> anyhow::Result<Option<Proposal>> {
        Ok(self.proposals.lock().unwrap().get(no).cloned())
    }

    async fn find_idempotency(&self, _: &str, _: &IdempotencyKey) -> anyhow::Result<Option<IdempotencyRecord>> {
        Ok(None)
    }

    async fn submit(
        &self,
        p: &Proposal,
        events: &[ProposalEvent],
        _: Option<(&IdempotencyKey, &IdempotencyRecord)>,
    ) -> Result<(), WriteError> {
        if !self.live.lock().unwrap().insert(p.plan_no.clone()) {
            return Err(WriteError::Conflict);
        }
        self.proposals.lock().unwrap().insert(p.proposal_no.clone(), p.clone());
        self.outbox.lock().unwrap().extend_from_slice(events);
        Ok(())
    }

    async fn save(&self, p: &Proposal, expected: u64, events: &[ProposalEvent]) -> Result<(), WriteError> {
        let mut proposals = self.proposals.lock().unwrap();
        if proposals.get(&p.proposal_no).map(|s| s.version) != Some(expected) {
            return Err(WriteError::Conflict);
        }
        if p.status == ProposalStatus::Withdrawn {
            self.live.lock().unwrap().remove(&p.plan_no);
        }
        proposals.insert(p.proposal_no.clone(), p.clone());
        self.outbox.lock().unwrap().extend_from_slice(events);
        Ok(())
    }

    async fn save_once(
        &self,
        cause: &EventEnvelope,
        p: &Proposal,
        expected: u64,
        events: &[ProposalEvent],
    ) -> Result<Applied, WriteError> {
        if self.inbox.lock().unwrap().contains(&cause.id) {
            return Ok(Applied::AlreadyDone);
        }
        self.save(p, expected, events).await?;
        self.inbox.lock().unwrap().insert(cause.id.clone());
        Ok(Applied::Now)
    }

    async fn skip_once(&self, cause: &EventEnvelope) -> Result<Applied, WriteError> {
        Ok(if self.seen(cause) { Applied::AlreadyDone } else { Applied::Now })
    }
}

/// Payment approving `p-1`, or (`None`) not answering in time.
struct FakePay(Option<Payment>);

impl Pay for FakePay {
    async fn pay(&self, _: &Proposal, _: &Account) -> Result<Payment, InvokeError> {
        self.0.clone().ok_or_else(|| InvokeError::Timeout { function: "PayFunction".into(), timeout_ms: 610 })
    }
}

const SUBJECT: &str = "auth0|y";
const PLAN: &str = "20261122000000";

fn terms(version: u64) -> PlanTerms {
    PlanTerms {
        version,
        customer_no: "000000002".into(),
        customer_subject: SUBJECT.into(),
        customer_name: "양건우".into(),
        product_code: "P00000005".into(),
        product_name: "(무)재해사망보장".into(),
        insurance_period_years: 20,
        payment_period_years: 20,
        payment_cycle: "Monthly".into(),
        sum_insured: Won::new(50_000_000),
        monthly_premium: Won::new(80_000),
    }
}

fn event(id: &str) -> EventEnvelope {
    serde_json::from_value(serde_json::json!({
        "id": id, "type": "X", "version": 1, "source": "test", "correlationId": PLAN,
        "causationId": null, "occurredAt": "2026-11-22T01:00:00.000Z", "data": {}
    }))
    .unwrap()
}

fn account() -> Account {
    Account {
        bank_code: "088".into(),
        bank_name: None,
        account_no: "110123456789".into(),
        account_holder: "양건우".into(),
    }
}

async fn submit(memory: &Memory, subject: &str) -> Result<Submitted, SubmitError> {
    let command = SubmitProposal { subject: subject.into(), key: None, plan_no: PLAN.into() };
    application::submit(memory, &command, |_| Ok(FirstAnswer { status: 201, body: "{}".into() })).await
}

fn submitted(s: Submitted) -> Proposal {
    match s {
        Submitted::New(p) => *p,
        Submitted::Replayed(_) => panic!("new"),
    }
}

#[tokio::test]
async fn the_plan_copy_fed_in_either_order_allows_one_live_proposal_per_plan() {
    let memory = Memory::default();
    assert!(matches!(submit(&memory, SUBJECT).await, Err(SubmitError::UnknownPlan(_))));
    // The description first, then the plan: either order.
    assert_eq!(application::description_issued(&memory, PLAN, 1, &event("e-1")).await.unwrap(), Followed::Changed);
    assert!(matches!(submit(&memory, SUBJECT).await, Err(SubmitError::UnknownPlan(_))));
    assert_eq!(application::keep_plan(&memory, PLAN, &terms(1), &event("e-2")).await.unwrap(), Followed::Changed);
    assert_eq!(
        application::keep_plan(&memory, PLAN, &terms(1), &event("e-2")).await.unwrap(),
        Followed::Nothing,
        "a repeat"
    );
    assert!(matches!(submit(&memory, "auth0|other").await, Err(SubmitError::UnknownPlan(_))), "another's plan");
    let first = submitted(submit(&memory, SUBJECT).await.unwrap());
    assert_eq!((first.status, first.first_premium), (ProposalStatus::Submitted, Won::new(80_000)));
    assert!(matches!(submit(&memory, SUBJECT).await, Err(SubmitError::LiveProposal)));
    application::withdraw(&memory, &first.proposal_no, SUBJECT).await.unwrap();
    let second = submitted(submit(&memory, SUBJECT).await.unwrap());
    assert_ne!(second.proposal_no, first.proposal_no, "a withdrawn proposal frees the plan");
    // A change of the plan needs a new description.
    application::keep_plan(&memory, PLAN, &terms(2), &event("e-3")).await.unwrap();
    application::withdraw(&memory, &second.proposal_no, SUBJECT).await.unwrap();
    assert!(matches!(submit(&memory, SUBJECT).await, Err(SubmitError::NoDescription)));
}

#[tokio::test]
async fn a_payment_that_times_out_leaves_it_submitted_and_pay_approved_concludes_it_once() {
    let memory = Memory::default();
    application::keep_plan(&memory, PLAN, &terms(1), &event("e-1")).await.unwrap();
    application::description_issued(&memory, PLAN, 1, &event("e-2")).await.unwrap();
    let p = submitted(submit(&memory, SUBJECT).await.unwrap());
    let timeout = application::pay(&memory, &FakePay(None), (&p.proposal_no, SUBJECT), &account()).await;
    assert!(matches!(timeout, Err(ProposalError::PayUnavailable(_))));
    assert_eq!(memory.proposals.lock().unwrap()[&p.proposal_no].status, ProposalStatus::Submitted);
    let payment = PaymentId::parse("p-1").unwrap();
    let late = application::reconcile_paid(&memory, &p.proposal_no, &payment, &event("paid")).await.unwrap();
    assert_eq!(late, Followed::Changed);
    assert_eq!(
        application::reconcile_paid(&memory, &p.proposal_no, &payment, &event("paid")).await.unwrap(),
        Followed::Nothing
    );
    let concluded = memory.outbox.lock().unwrap().iter().filter(|e| matches!(e, ProposalEvent::Concluded(_))).count();
    assert_eq!(concluded, 1, "one ContractConcluded");
    // Paying a contracted proposal answers it again without a call.
    let again = application::pay(&memory, &FakePay(None), (&p.proposal_no, SUBJECT), &account()).await.unwrap();
    assert_eq!((again.status, again.payment_id), (ProposalStatus::Contracted, Some(payment)));
    // Withdrawn: no payment, no second withdrawal.
    application::withdraw(&memory, &p.proposal_no, SUBJECT).await.unwrap();
    let approving = FakePay(Some(Payment::Approved(PaymentId::parse("p-2").unwrap())));
    assert!(matches!(
        application::pay(&memory, &approving, (&p.proposal_no, SUBJECT), &account()).await,
        Err(ProposalError::Withdrawn(_))
    ));
    assert!(matches!(application::withdraw(&memory, &p.proposal_no, SUBJECT).await, Err(ProposalError::Withdrawn(_))));
    assert!(
        matches!(memory.outbox.lock().unwrap().last(), Some(ProposalEvent::Withdrawn(w)) if w.payment_id.is_some())
    );
}

#[tokio::test]
async fn paying_concludes_the_contract_and_refused_means_withdrawn() {
    let memory = Memory::default();
    application::keep_plan(&memory, PLAN, &terms(1), &event("e-1")).await.unwrap();
    application::description_issued(&memory, PLAN, 1, &event("e-2")).await.unwrap();
    let p = submitted(submit(&memory, SUBJECT).await.unwrap());
    assert!(matches!(
        application::pay(&memory, &FakePay(Some(Payment::Refused)), (&p.proposal_no, SUBJECT), &account()).await,
        Err(ProposalError::Withdrawn(_))
    ));
    assert!(matches!(
        application::pay(&memory, &FakePay(None), (&p.proposal_no, "auth0|other"), &account()).await,
        Err(ProposalError::NotFound(_))
    ));
    let approving = FakePay(Some(Payment::Approved(PaymentId::parse("p-1").unwrap())));
    let paid = application::pay(&memory, &approving, (&p.proposal_no, SUBJECT), &account()).await.unwrap();
    assert_eq!(paid.status, ProposalStatus::Contracted);
    assert!(
        matches!(memory.outbox.lock().unwrap().last(), Some(ProposalEvent::Concluded(c)) if c.first_premium == Won::new(80_000))
    );
}
