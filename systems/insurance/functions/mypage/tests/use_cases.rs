//! The my page's use cases against an in-memory fake of its port: the rows a customer sees
//! (403 for another's or for none in particular, 404 for a customer not known yet), the manager
//! seeing every row by pages, each event applied once through the consumer, duplicates and the
//! reorderings the topics allow ending in the same row.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use mypage::application::{self, ViewError, Viewer};
use mypage::domain::{PaymentState, Progress, Row};
use mypage::ports::MyPages;
use platform::EventEnvelope;
use platform::Won;
use platform::dynamo::WriteError;
use platform::inbox::Applied;
use platform::page::{Page, PageError, PageRequest};
use serde_json::{Value, json};

#[derive(Default)]
struct Memory {
    rows: Mutex<HashMap<(String, String), Row>>,
    subjects: Mutex<HashMap<String, String>>,
    inbox: Mutex<HashSet<String>>,
}

impl MyPages for Memory {
    async fn find(&self, customer_no: &str, plan_no: &str) -> anyhow::Result<Option<Row>> {
        Ok(self.rows.lock().unwrap().get(&(customer_no.to_owned(), plan_no.to_owned())).cloned())
    }

    async fn rows(&self, customer_no: Option<&str>, page: &PageRequest) -> Result<Page<Row>, PageError> {
        let mut all: Vec<Row> = self
            .rows
            .lock()
            .unwrap()
            .values()
            .filter(|r| customer_no.is_none_or(|no| r.customer_no == no))
            .cloned()
            .collect();
        all.sort_by(|a, b| b.changed_at.cmp(&a.changed_at).then_with(|| a.plan_no.cmp(&b.plan_no)));
        Page::of_list(all, customer_no.unwrap_or("all"), page)
    }

    async fn subject_of(&self, customer_no: &str) -> anyhow::Result<Option<String>> {
        Ok(self.subjects.lock().unwrap().get(customer_no).cloned())
    }

    async fn save_once(&self, cause: &EventEnvelope, row: Option<&Row>) -> Result<Applied, WriteError> {
        if self.inbox.lock().unwrap().contains(&cause.id) {
            return Ok(Applied::AlreadyDone);
        }
        if let Some(row) = row {
            let mut rows = self.rows.lock().unwrap();
            let key = (row.customer_no.clone(), row.plan_no.clone());
            let stored = rows.get(&key).map(|r| r.revision);
            if stored != (row.revision > 1).then(|| row.revision - 1) {
                return Err(WriteError::Conflict);
            }
            rows.insert(key, row.clone());
        }
        self.inbox.lock().unwrap().insert(cause.id.clone());
        Ok(Applied::Now)
    }

    async fn save_subject_once(
        &self,
        cause: &EventEnvelope,
        customer_no: &str,
        subject: &str,
    ) -> Result<Applied, WriteError> {
        if self.inbox.lock().unwrap().contains(&cause.id) {
            return Ok(Applied::AlreadyDone);
        }
        let mut subjects = self.subjects.lock().unwrap();
        if subjects.contains_key(customer_no) {
            return Err(WriteError::Conflict);
        }
        subjects.insert(customer_no.to_owned(), subject.to_owned());
        self.inbox.lock().unwrap().insert(cause.id.clone());
        Ok(Applied::Now)
    }
}

const CUSTOMER: &str = "000000002";
const SUBJECT: &str = "auth0|65b2e1d3c8f5e4b0a2d1ef53";
const PLAN: &str = "20261122093015";
const PROPOSAL: &str = "20261122093501";

fn envelope(id: &str, event_type: &str, source: &str, second: u32, data: Value) -> EventEnvelope {
    serde_json::from_value(json!({
        "id": id, "type": event_type, "version": 1, "source": source, "correlationId": PLAN,
        "causationId": null, "occurredAt": format!("2026-11-22T01:00:{second:02}.000Z"), "data": data
    }))
    .unwrap()
}

fn registered(customer: &str, subject: &str) -> EventEnvelope {
    let data = json!({ "customerNo": customer, "name": "양건우", "birthDate": "1985-03-15", "subject": subject });
    envelope(&format!("reg-{customer}"), "CustomerRegistered", "customer", 0, data)
}

fn plan_saved(customer: &str, plan: &str, version: u64, sum: u64) -> EventEnvelope {
    let data = json!({
        "planNo": plan, "version": version, "customerNo": customer, "customerSubject": SUBJECT,
        "customerName": "양건우", "productCode": "P00000005",
        "productName": "(무)재해사망보장", "planDate": "2026-11-22",
        "terms": { "insurancePeriodYears": 20, "paymentPeriodYears": 20, "paymentCycle": "Monthly" },
        "sumInsured": sum, "monthlyPremium": sum / 1_000_000 * 1_600
    });
    envelope(&format!("saved-{plan}-{version}"), "PlanSaved", "plan", 1, data)
}

fn issued(plan: &str, version: u64) -> EventEnvelope {
    let data = json!({
        "documentId": "019a9a3c-7b00-7c1d-8e2f-3a4b5c6d7e8f", "planNo": plan, "planVersion": version,
        "customerNo": CUSTOMER, "productCode": "P00000005", "productName": "(무)재해사망보장",
        "issuedAt": "2026-11-22T16:00:03.100Z"
    });
    envelope(&format!("issued-{plan}-{version}"), "ProductDescriptionIssued", "product", 2, data)
}

fn proposal_event(event_type: &str, second: u32) -> EventEnvelope {
    let data = json!({
        "proposalNo": PROPOSAL, "planNo": PLAN, "planVersion": 1, "customerNo": CUSTOMER,
        "productCode": "P00000005", "productName": "(무)재해사망보장", "firstPremium": 80_000,
        "amount": 80_000, "paymentId": "019a9a3c-7d00-7a1b-8c2d-3e4f5a6b7c8d",
        "submittedAt": "2026-11-22T01:00:04.000Z", "concludedAt": "2026-11-22T01:00:05.000Z",
        "withdrawnAt": "2026-11-22T01:00:06.000Z"
    });
    envelope(&format!("{event_type}-{PROPOSAL}"), event_type, "proposal", second, data)
}

fn payment_event(event_type: &str, second: u32) -> EventEnvelope {
    let data = json!({
        "paymentId": "019a9a3c-7d00-7a1b-8c2d-3e4f5a6b7c8d", "proposalNo": PROPOSAL, "planNo": PLAN,
        "customerNo": CUSTOMER, "amount": 80_000, "paidAt": "2026-11-22T01:00:05.000Z",
        "cancelledAt": "2026-11-22T01:00:07.000Z"
    });
    envelope(&format!("{event_type}-{PROPOSAL}"), event_type, "payment", second, data)
}

async fn record(memory: &Memory, events: &[EventEnvelope]) {
    for event in events {
        mypage::policies::record_progress(memory, event.clone()).await.unwrap();
    }
}

fn row(memory: &Memory) -> Row {
    memory.rows.lock().unwrap().get(&(CUSTOMER.to_owned(), PLAN.to_owned())).cloned().unwrap()
}

/// What a row says, without when and by which event it changed last.
fn said(row: &Row) -> Row {
    Row { changed_at: chrono::DateTime::UNIX_EPOCH, last_event: String::new(), revision: 0, ..row.clone() }
}

fn contract() -> Vec<EventEnvelope> {
    vec![
        plan_saved(CUSTOMER, PLAN, 1, 50_000_000),
        issued(PLAN, 1),
        proposal_event("ProposalSubmitted", 4),
        payment_event("PayApproved", 5),
        proposal_event("ContractConcluded", 5),
    ]
}

#[tokio::test]
async fn a_contract_is_followed_to_its_end_once_however_often_the_events_arrive() {
    let memory = Memory::default();
    record(&memory, &contract()).await;
    let done = row(&memory);
    assert_eq!(
        (done.plan_version, done.product_name.as_str(), done.sum_insured, done.monthly_premium),
        (1, "(무)재해사망보장", Won::new(50_000_000), Won::new(80_000))
    );
    assert_eq!(done.progress, Progress::Contracted);
    assert_eq!(done.description_issued_on, chrono::NaiveDate::from_ymd_opt(2026, 11, 23), "the Seoul day");
    assert_eq!(
        (done.proposal_no.as_deref(), done.paid_amount, done.payment),
        (Some(PROPOSAL), Some(Won::new(80_000)), Some(PaymentState::Approved))
    );
    assert_eq!((done.last_event.as_str(), done.revision), ("ContractConcluded", 5));

    record(&memory, &contract()).await;
    assert_eq!(row(&memory), done, "every duplicate changes nothing");
    // Redelivered with new ids (another publication of the same facts): still nothing.
    let mut again = contract();
    for event in &mut again {
        event.id.push_str("-again");
    }
    record(&memory, &again).await;
    assert_eq!(row(&memory), done);
}

#[tokio::test]
async fn the_description_before_the_plan_and_the_approval_after_the_contract_end_in_the_same_row() {
    let in_order = Memory::default();
    record(&in_order, &contract()).await;
    let reordered = Memory::default();
    let [saved, issued, submitted, approved, concluded] = <[EventEnvelope; 5]>::try_from(contract()).unwrap();
    record(&reordered, &[issued, saved, submitted, concluded, approved]).await;
    assert_eq!(said(&row(&reordered)), said(&row(&in_order)));

    // A withdrawal and its refund, in either order.
    let withdrawn = proposal_event("ProposalWithdrawn", 6);
    let cancelled = payment_event("PayCancelled", 7);
    record(&in_order, &[withdrawn.clone(), cancelled.clone()]).await;
    record(&reordered, &[cancelled, withdrawn]).await;
    let end = row(&in_order);
    assert_eq!((end.progress, end.payment), (Progress::Withdrawn, Some(PaymentState::Cancelled)));
    assert_eq!(said(&row(&reordered)), said(&end));
}

#[tokio::test]
async fn a_new_plan_version_designs_again_and_an_older_one_or_its_description_changes_nothing() {
    let memory = Memory::default();
    record(&memory, &[plan_saved(CUSTOMER, PLAN, 1, 50_000_000), issued(PLAN, 1)]).await;
    assert_eq!(row(&memory).progress, Progress::DescriptionIssued);
    record(&memory, &[plan_saved(CUSTOMER, PLAN, 2, 60_000_000)]).await;
    let designed = row(&memory);
    assert_eq!(
        (designed.progress, designed.plan_version, designed.monthly_premium, designed.description_issued_on),
        (Progress::Designed, 2, Won::new(96_000), None)
    );
    let mut stale = issued(PLAN, 1);
    stale.id = "issued-late".into();
    let mut older = plan_saved(CUSTOMER, PLAN, 1, 50_000_000);
    older.id = "saved-late".into();
    record(&memory, &[stale, older]).await;
    assert_eq!(row(&memory), designed, "stale events change nothing");
}

#[tokio::test]
async fn a_customer_sees_their_own_rows_only_and_the_manager_every_row_by_pages() {
    let memory = Memory::default();
    let page = PageRequest::first(50);
    let unknown = application::view(&memory, Some(CUSTOMER), &Viewer::Customer(SUBJECT.into()), &page).await;
    assert!(matches!(&unknown, Err(ViewError::UnknownCustomer(no)) if no == CUSTOMER), "404: {unknown:?}");

    record(&memory, &[registered(CUSTOMER, SUBJECT), registered("000000003", "auth0|other")]).await;
    record(&memory, &[registered(CUSTOMER, "auth0|hijack")]).await;
    let mut another = registered(CUSTOMER, "auth0|hijack");
    another.id = "reg-again".into();
    record(&memory, &[another]).await;
    assert_eq!(memory.subject_of(CUSTOMER).await.unwrap().as_deref(), Some(SUBJECT), "the first subject kept");

    record(
        &memory,
        &[plan_saved(CUSTOMER, PLAN, 1, 50_000_000), plan_saved(CUSTOMER, "20261122093016", 1, 10_000_000)],
    )
    .await;
    record(&memory, &[plan_saved("000000003", "20261122093017", 1, 20_000_000)]).await;

    let own = application::view(&memory, Some(CUSTOMER), &Viewer::Customer(SUBJECT.into()), &page).await.unwrap();
    let plans: Vec<&str> = own.items.iter().map(|r| r.plan_no.as_str()).collect();
    assert_eq!(plans, ["20261122093015", "20261122093016"]);
    for (asked, viewer) in [(Some("000000003"), SUBJECT), (None, SUBJECT), (Some(CUSTOMER), "auth0|other")] {
        let refused = application::view(&memory, asked, &Viewer::Customer(viewer.into()), &page).await;
        assert!(matches!(refused, Err(ViewError::NotYours)), "403 for {asked:?} as {viewer}");
    }

    let first = application::view(&memory, None, &Viewer::Manager, &PageRequest::first(2)).await.unwrap();
    let rest = application::view(&memory, None, &Viewer::Manager, &PageRequest::after(2, first.next.clone().unwrap()))
        .await
        .unwrap();
    assert_eq!((first.items.len(), rest.items.len(), rest.next.is_none()), (2, 1, true), "every row once");
    let theirs = application::view(&memory, Some("000000003"), &Viewer::Manager, &page).await.unwrap();
    assert_eq!(theirs.items.len(), 1);
}
