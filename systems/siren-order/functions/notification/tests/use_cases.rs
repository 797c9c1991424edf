//! The notification policy and use case with an in-memory fake of the storage port: which
//! events are told, which are acknowledged untold, which are refused, and that a repeated
//! event sends nothing more.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::collections::BTreeMap;
use std::sync::Mutex;

use contracts::delivery::{DeliveryEvent, DeliveryStarted, OrderWaited};
use contracts::order::{OrderCancelled, OrderEvent};
use notification::domain::{CustomerId, NotificationEvent};
use notification::policies::notify_customer;
use notification::ports::CustomerMessages;
use platform::inbox::Applied;
use platform::{EventEnvelope, Won};

/// Sent messages by the id of the event that caused them; a known cause writes nothing,
/// as the inbox does.
#[derive(Default)]
struct Sent(Mutex<BTreeMap<String, Vec<NotificationEvent>>>);

impl CustomerMessages for Sent {
    async fn send_once(&self, cause: &EventEnvelope, events: &[NotificationEvent]) -> anyhow::Result<Applied> {
        let mut sent = self.0.lock().unwrap();
        if sent.contains_key(&cause.id) {
            return Ok(Applied::AlreadyDone);
        }
        sent.insert(cause.id.clone(), events.to_vec());
        Ok(Applied::Now)
    }
}

impl Sent {
    fn all(&self) -> Vec<NotificationEvent> {
        self.0.lock().unwrap().values().flatten().cloned().collect()
    }
}

fn waited(customer_id: &str, waiting_number: u32) -> EventEnvelope {
    let event = DeliveryEvent::OrderWaited(OrderWaited {
        delivery_id: "d-1".into(),
        order_id: "o-1".into(),
        customer_id: customer_id.into(),
        waiting_number,
    });
    EventEnvelope::wrap("delivery", "o-1", None, &event)
}

#[tokio::test]
async fn a_waiting_number_is_told_once_however_often_it_arrives() {
    let sent = Sent::default();
    let event = waited("auth0|minji", 3);
    for _ in 0..3 {
        notify_customer(&sent, event.clone()).await.unwrap();
    }
    let [NotificationEvent::CustomerNotified(told)] = sent.all().try_into().unwrap();
    assert_eq!(told.customer_id, CustomerId::parse("auth0|minji").unwrap(), "an opaque subject is a customer id");
    assert_eq!(told.occasion, "OrderWaited");
    assert_eq!(told.subject, "대기번호 3번 / Your waiting number is 3");
    assert!(told.text.contains("대기번호는 3번") && told.text.contains("waiting number is 3"));
}

#[tokio::test]
async fn a_cancellation_is_told_with_its_amount() {
    let sent = Sent::default();
    let event = OrderEvent::OrderCancelled(OrderCancelled {
        order_id: "o-1".into(),
        customer_id: "108234567890".into(),
        amount: Won::new(9000),
        reason: "CustomerRequest".into(),
    });
    notify_customer(&sent, EventEnvelope::wrap("order", "o-1", None, &event)).await.unwrap();
    let [NotificationEvent::CustomerNotified(told)] = sent.all().try_into().unwrap();
    assert_eq!(told.occasion, "OrderCancelled");
    assert_eq!(told.text, "주문(9000원)이 취소되었습니다.\nYour order (9000 won) was cancelled.");
}

#[tokio::test]
async fn an_event_the_customer_is_not_told_about_is_acknowledged_untold() {
    let sent = Sent::default();
    let started = DeliveryEvent::DeliveryStarted(DeliveryStarted {
        delivery_id: "d-1".into(),
        order_id: "o-1".into(),
        customer_id: "c-1".into(),
    });
    notify_customer(&sent, EventEnvelope::wrap("delivery", "o-1", None, &started)).await.unwrap();
    assert!(sent.all().is_empty());
}

#[tokio::test]
async fn a_handled_event_with_bad_data_or_no_valid_customer_is_refused_and_sends_nothing() {
    let sent = Sent::default();
    let mut broken = waited("c-1", 1);
    broken.data = serde_json::json!({ "orderId": "o-1" });
    assert!(notify_customer(&sent, broken).await.is_err());
    assert!(notify_customer(&sent, waited("no spaces allowed", 1)).await.is_err());
    assert!(notify_customer(&sent, waited("", 1)).await.is_err());
    assert!(sent.all().is_empty());
}
