//! Alarm's use cases against an in-memory fake of its port: one message per occasion through the
//! consumer, with its kind and text, sent once however often (or in whatever order) the events
//! arrive; events that are no occasion acknowledged unsent, malformed ones refused; a customer's
//! messages listed to themself (403 for another's, 404 for a customer not known yet) and to the
//! insurance manager, newest first, by pages.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use alarm::application::{self, ListError};
use alarm::domain::{Message, Occasion};
use alarm::ports::Messages;
use platform::EventEnvelope;
use platform::dynamo::WriteError;
use platform::inbox::Applied;
use platform::page::{Page, PageError, PageRequest};
use serde_json::{Value, json};

#[derive(Default)]
struct Memory {
    /// Every message sent, in order.
    sent: Mutex<Vec<Message>>,
    subjects: Mutex<HashMap<String, String>>,
    inbox: Mutex<HashSet<String>>,
}

impl Messages for Memory {
    async fn send_once(&self, cause: &EventEnvelope, message: &Message) -> Result<Applied, WriteError> {
        if !self.inbox.lock().unwrap().insert(cause.id.clone()) {
            return Ok(Applied::AlreadyDone);
        }
        self.sent.lock().unwrap().push(message.clone());
        Ok(Applied::Now)
    }

    async fn of_customer(&self, customer_no: &str, page: &PageRequest) -> Result<Page<Message>, PageError> {
        let mut all: Vec<Message> =
            self.sent.lock().unwrap().iter().filter(|m| m.customer_no == customer_no).cloned().collect();
        all.reverse();
        Page::of_list(all, customer_no, page)
    }

    async fn subject_of(&self, customer_no: &str) -> anyhow::Result<Option<String>> {
        Ok(self.subjects.lock().unwrap().get(customer_no).cloned())
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

fn envelope(id: &str, event_type: &str, source: &str, data: Value) -> EventEnvelope {
    serde_json::from_value(json!({
        "id": id, "type": event_type, "version": 1, "source": source, "correlationId": PLAN,
        "causationId": null, "occurredAt": "2026-11-22T01:00:00.000Z", "data": data
    }))
    .unwrap()
}

fn registered(customer: &str, subject: &str) -> EventEnvelope {
    let data = json!({ "customerNo": customer, "name": "양건우", "birthDate": "1985-03-15", "subject": subject });
    envelope(&format!("reg-{customer}"), "CustomerRegistered", "customer", data)
}

fn issued(customer: &str) -> EventEnvelope {
    let data = json!({
        "documentId": "019a9a3c-7b00-7c1d-8e2f-3a4b5c6d7e8f", "planNo": PLAN, "planVersion": 1,
        "customerNo": customer, "productCode": "P00000005", "productName": "(무)재해사망보장",
        "issuedAt": "2026-11-22T01:00:03.100Z"
    });
    envelope(&format!("issued-{customer}"), "ProductDescriptionIssued", "product", data)
}

fn proposal_event(event_type: &str) -> EventEnvelope {
    let data = json!({
        "proposalNo": PROPOSAL, "planNo": PLAN, "customerNo": CUSTOMER, "productName": "(무)재해사망보장",
        "firstPremium": 80_000, "amount": 80_000, "paymentId": "019a9a3c-7d00-7a1b-8c2d-3e4f5a6b7c8d"
    });
    envelope(&format!("{event_type}-1"), event_type, "proposal", data)
}

fn payment_event(event_type: &str) -> EventEnvelope {
    let data = json!({
        "paymentId": "019a9a3c-7d00-7a1b-8c2d-3e4f5a6b7c8d", "proposalNo": PROPOSAL, "planNo": PLAN,
        "customerNo": CUSTOMER, "amount": 80_000, "paidAt": "2026-11-22T01:00:05.000Z"
    });
    envelope(&format!("{event_type}-1"), event_type, "payment", data)
}

fn occasions() -> Vec<EventEnvelope> {
    vec![
        issued(CUSTOMER),
        proposal_event("ProposalSubmitted"),
        proposal_event("ContractConcluded"),
        proposal_event("ProposalWithdrawn"),
        payment_event("PayCancelled"),
    ]
}

async fn notify(memory: &Memory, events: &[EventEnvelope]) {
    for event in events {
        alarm::policies::notify_customer(memory, event.clone()).await.unwrap();
    }
}

fn kinds(memory: &Memory) -> Vec<&'static str> {
    memory.sent.lock().unwrap().iter().map(|m| m.kind).collect()
}

#[tokio::test]
async fn each_occasion_sends_its_customer_one_message_however_often_it_arrives() {
    let memory = Memory::default();
    notify(&memory, &occasions()).await;
    notify(&memory, &occasions()).await;
    assert_eq!(
        kinds(&memory),
        ["ProductDescriptionIssued", "ProposalSubmitted", "ContractConcluded", "ProposalWithdrawn", "PayCancelled"]
    );
    let sent = memory.sent.lock().unwrap().clone();
    assert!(sent.iter().all(|m| m.customer_no == CUSTOMER && m.plan_no == PLAN));
    let texts: Vec<&str> = sent.iter().map(|m| m.text.as_str()).collect();
    assert!(texts[0].contains("상품설명서") && texts[0].contains("(무)재해사망보장"), "{}", texts[0]);
    assert!(texts[1].contains(PROPOSAL) && texts[1].contains("80000"), "{}", texts[1]);
    assert!(texts[2].contains("계약이 성립") && texts[2].contains("80000"), "{}", texts[2]);
    assert!(texts[3].contains("철회") && texts[3].contains(PROPOSAL), "{}", texts[3]);
    assert!(texts[4].contains("취소") && texts[4].contains("80000"), "{}", texts[4]);

    // The same occasion through the use case with a handled event: nothing more.
    let occasion = Occasion::ProposalWithdrawn { proposal_no: PROPOSAL.into() };
    let repeat = application::notify(&memory, &occasion, (CUSTOMER, PLAN), &proposal_event("ProposalWithdrawn")).await;
    assert_eq!(repeat.unwrap(), Applied::AlreadyDone);
    assert_eq!(memory.sent.lock().unwrap().len(), 5);
}

#[tokio::test]
async fn reordered_events_send_the_same_messages() {
    let in_order = Memory::default();
    notify(&in_order, &occasions()).await;
    let reordered = Memory::default();
    let mut events = occasions();
    events.reverse();
    notify(&reordered, &events).await;
    let mut a = kinds(&in_order);
    let mut b = kinds(&reordered);
    a.sort_unstable();
    b.sort_unstable();
    assert_eq!(a, b);
}

#[tokio::test]
async fn events_that_are_no_occasion_send_nothing_and_malformed_ones_are_refused() {
    let memory = Memory::default();
    notify(&memory, &[payment_event("PayApproved"), registered(CUSTOMER, SUBJECT)]).await;
    let other = envelope("other-1", "PlanSaved", "plan", json!({ "anything": true }));
    notify(&memory, &[other]).await;
    assert!(memory.sent.lock().unwrap().is_empty());

    let broken = envelope("broken-1", "ContractConcluded", "proposal", json!({ "proposalNo": PROPOSAL }));
    assert!(alarm::policies::notify_customer(&memory, broken).await.is_err(), "retried, then dead-lettered");
    assert!(memory.sent.lock().unwrap().is_empty());
}

#[tokio::test]
async fn messages_are_listed_to_their_customer_and_the_manager_only_newest_first_by_pages() {
    let memory = Memory::default();
    let page = PageRequest::first(50);
    let unknown = application::list(&memory, CUSTOMER, (SUBJECT, false), &page).await;
    assert!(matches!(&unknown, Err(ListError::UnknownCustomer(no)) if no == CUSTOMER), "404: {unknown:?}");

    notify(&memory, &[registered(CUSTOMER, SUBJECT), registered("000000003", "auth0|other")]).await;
    let mut hijack = registered(CUSTOMER, "auth0|hijack");
    hijack.id = "reg-again".into();
    notify(&memory, &[hijack]).await;
    assert_eq!(memory.subject_of(CUSTOMER).await.unwrap().as_deref(), Some(SUBJECT), "the first subject kept");
    notify(&memory, &occasions()).await;
    notify(&memory, &[issued("000000003")]).await;

    let own = application::list(&memory, CUSTOMER, (SUBJECT, false), &page).await.unwrap();
    let listed: Vec<&str> = own.items.iter().map(|m| m.kind).collect();
    assert_eq!(
        listed,
        ["PayCancelled", "ProposalWithdrawn", "ContractConcluded", "ProposalSubmitted", "ProductDescriptionIssued"]
    );
    let refused = application::list(&memory, CUSTOMER, ("auth0|other", false), &page).await;
    assert!(matches!(refused, Err(ListError::NotYours)), "403");

    let first = application::list(&memory, CUSTOMER, ("auth0|desk", true), &PageRequest::first(3)).await.unwrap();
    let rest = application::list(&memory, CUSTOMER, ("auth0|desk", true), &PageRequest::after(3, first.next.unwrap()))
        .await
        .unwrap();
    assert_eq!((first.items.len(), rest.items.len(), rest.next.is_none()), (3, 2, true));
    let theirs = application::list(&memory, "000000003", ("auth0|desk", true), &page).await.unwrap();
    assert_eq!(theirs.items.iter().map(|m| m.kind).collect::<Vec<_>>(), ["ProductDescriptionIssued"]);
    let none = application::list(&memory, "000000009", ("auth0|desk", true), &page).await.unwrap();
    assert!(none.items.is_empty(), "the manager sees an empty page, not a 404");
}
