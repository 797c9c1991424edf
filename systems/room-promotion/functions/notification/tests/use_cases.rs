//! Notification's use case ([`notification::policies::notify_customer`]) against an
//! in-memory fake of its port: each occasion of the spec is one notice to its customer named
//! by the event type, a repeated event sends nothing more, other events send nothing, a
//! malformed event is refused (retried, then dead-lettered) and a storage failure sends
//! nothing (the event is retried).

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::collections::HashSet;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use notification::domain::Notice;
use notification::policies::notify_customer;
use notification::ports::Notices;
use platform::EventEnvelope;
use platform::inbox::Applied;
use serde_json::{Value, json};

#[derive(Default)]
struct Memory {
    sent: Mutex<Vec<Notice>>,
    inbox: Mutex<HashSet<String>>,
    down: AtomicBool,
}

impl Notices for Memory {
    async fn send_once(&self, cause: &EventEnvelope, notices: &[Notice]) -> anyhow::Result<Applied> {
        anyhow::ensure!(!self.down.load(Ordering::SeqCst), "the table is down");
        if !self.inbox.lock().unwrap().insert(cause.id.clone()) {
            return Ok(Applied::AlreadyDone);
        }
        self.sent.lock().unwrap().extend_from_slice(notices);
        Ok(Applied::Now)
    }
}

const KIM: &str = "auth0|kim";

fn event(id: &str, kind: &str, data: Value) -> EventEnvelope {
    serde_json::from_value(json!({
        "id": id, "type": kind, "version": 1, "source": "test", "correlationId": "r-1",
        "causationId": null, "occurredAt": "2026-11-22T01:00:00.000Z", "data": data
    }))
    .unwrap()
}

/// The spec's five occasions, in the order a paid then cancelled reservation sees them.
fn occasions() -> Vec<EventEnvelope> {
    vec![
        event(
            "e-1",
            "PaymentApproved",
            json!({"paymentId": "p-1", "reservationId": "r-1", "customerId": KIM, "customerName": "Kim",
                   "amount": 100000, "approvedAt": "2026-11-22T01:00:00.000Z"}),
        ),
        event(
            "e-2",
            "PromotionGranted",
            json!({"promotionId": "pr-1", "paymentId": "p-1", "reservationId": "r-1", "customerId": KIM,
                   "customerName": "Kim", "paymentPrice": 100000, "service": "DISCOUNT COUPON", "points": 10000}),
        ),
        event(
            "e-3",
            "ReservationCancelled",
            json!({"reservationId": "r-1", "customerId": KIM, "paymentId": "p-1", "reason": "CustomerCancelled"}),
        ),
        event(
            "e-4",
            "PaymentCancelled",
            json!({"paymentId": "p-1", "reservationId": "r-1", "customerId": KIM, "amount": 100000}),
        ),
        event(
            "e-5",
            "PromotionRevoked",
            json!({"promotionId": "pr-1", "paymentId": "p-1", "reservationId": "r-1", "customerId": KIM,
                   "service": "DISCOUNT COUPON", "points": 10000}),
        ),
    ]
}

#[tokio::test]
async fn each_occasion_is_one_notice_to_its_customer_and_repeats_send_nothing_more() {
    let memory = Memory::default();
    for event in occasions() {
        notify_customer(&memory, event).await.unwrap();
    }
    let sent = memory.sent.lock().unwrap().clone();
    let kinds: Vec<&str> = sent.iter().map(|n| n.event_type).collect();
    assert_eq!(
        kinds,
        ["PaymentApproved", "PromotionGranted", "ReservationCancelled", "PaymentCancelled", "PromotionRevoked"]
    );
    assert!(sent.iter().all(|n| n.customer_id == KIM && n.reservation_id == "r-1"), "{sent:?}");
    assert!(sent[0].text.contains("100000"), "{}", sent[0].text);
    assert!(sent[1].text.contains("DISCOUNT COUPON") && sent[1].text.contains("10000"), "{}", sent[1].text);
    assert!(sent[4].text.contains("10000"), "{}", sent[4].text);

    for event in occasions().into_iter().rev() {
        notify_customer(&memory, event).await.unwrap();
    }
    assert_eq!(memory.sent.lock().unwrap().len(), 5, "every repeat, in any order, sends nothing");
}

#[tokio::test]
async fn other_events_send_nothing_and_a_malformed_one_is_refused() {
    let memory = Memory::default();
    let placed = event(
        "e-1",
        "ReservationPlaced",
        json!({"reservationId": "r-1", "customerId": KIM, "customerName": "Kim", "roomId": "room-1",
               "roomName": "Standard 101", "checkIn": "2030-11-29", "nights": 2, "amount": 100000}),
    );
    notify_customer(&memory, placed).await.unwrap();
    notify_customer(&memory, event("e-2", "RoomRegistered", json!({}))).await.unwrap();
    assert!(memory.sent.lock().unwrap().is_empty());
    assert!(memory.inbox.lock().unwrap().is_empty(), "not an occasion: not even marked");

    let malformed = event("e-3", "PaymentApproved", json!({"paymentId": "p-1"}));
    assert!(notify_customer(&memory, malformed).await.is_err());
    assert!(memory.sent.lock().unwrap().is_empty() && memory.inbox.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_storage_failure_sends_nothing_and_the_retry_sends_once() {
    let memory = Memory::default();
    memory.down.store(true, Ordering::SeqCst);
    let approved = occasions().remove(0);
    assert!(notify_customer(&memory, approved.clone()).await.is_err());
    assert!(memory.sent.lock().unwrap().is_empty());
    memory.down.store(false, Ordering::SeqCst);
    notify_customer(&memory, approved.clone()).await.unwrap();
    notify_customer(&memory, approved).await.unwrap();
    assert_eq!(memory.sent.lock().unwrap().len(), 1);
}
