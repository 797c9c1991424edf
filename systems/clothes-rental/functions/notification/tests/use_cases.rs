//! The notification use case against an in-memory fake: one mail per event, however often it
//! arrives.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::collections::HashSet;
use std::sync::Mutex;

use contracts::delivery::{DeliveryEvent, Shipped};
use notification::domain::NotificationEvent;
use notification::ports::CustomerMessages;
use platform::EventEnvelope;
use platform::inbox::Applied;

#[derive(Default)]
struct Memory {
    sent: Mutex<Vec<NotificationEvent>>,
    inbox: Mutex<HashSet<String>>,
}

impl CustomerMessages for Memory {
    async fn send_once(&self, cause: &EventEnvelope, events: &[NotificationEvent]) -> anyhow::Result<Applied> {
        if !self.inbox.lock().unwrap().insert(cause.id.clone()) {
            return Ok(Applied::AlreadyDone);
        }
        self.sent.lock().unwrap().extend_from_slice(events);
        Ok(Applied::Now)
    }
}

fn shipped() -> EventEnvelope {
    let event = DeliveryEvent::Shipped(Shipped {
        delivery_id: "d-1".into(),
        order_id: "o-1".into(),
        customer_id: "auth0|kim".into(),
    });
    EventEnvelope::wrap("delivery", "o-1", None, &event)
}

#[tokio::test]
async fn a_shipped_event_mails_its_customer_once_however_often_it_arrives() {
    let memory = Memory::default();
    let event = shipped();
    for _ in 0..3 {
        notification::policies::notify_customer(&memory, event.clone()).await.unwrap();
    }
    let sent = memory.sent.lock().unwrap().clone();
    let [NotificationEvent::CustomerNotified(told)] = sent.as_slice() else { panic!("{sent:?}") };
    assert_eq!((told.customer_id.as_str(), told.order_id.as_str(), told.occasion), ("auth0|kim", "o-1", "Shipped"));
}

#[tokio::test]
async fn an_event_that_is_no_status_change_mails_nobody_and_a_malformed_one_fails() {
    let memory = Memory::default();
    let cancelled = EventEnvelope::wrap(
        "delivery",
        "o-1",
        None,
        &serde_json::json!({"type": "DeliveryCancelled", "data": {"deliveryId": null, "orderId": "o-1", "customerId": "c"}}),
    );
    notification::policies::notify_customer(&memory, cancelled).await.unwrap();
    assert!(memory.sent.lock().unwrap().is_empty(), "DeliveryCancelled is no mail: OrderCancelled is");
    let poison =
        EventEnvelope::wrap("delivery", "o-1", None, &serde_json::json!({"type": "Shipped", "data": {"orderId": 5}}));
    assert!(notification::policies::notify_customer(&memory, poison).await.is_err());
}
