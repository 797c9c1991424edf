//! The store's use cases against an in-memory store: one store order per `OrderPlaced`, steps
//! in order only, a cancel before cooking (or a tombstone before the order arrived) and a
//! refusal after.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use chrono::Utc;
use platform::EventEnvelope;
use platform::dynamo::WriteError;
use platform::inbox::Applied;
use platform::page::{Page, PageError, PageRequest};
use store::application::{self, Cancellation, MoveOrderError, Received};
use store::domain::{CancelRefused, CustomerId, Desk, MoveError, OrderId, StoreEvent, StoreOrder, StoreStatus};
use store::ports::{KitchenQueue, StoreOrders};

#[derive(Default)]
struct Memory {
    desk: Mutex<HashMap<OrderId, Desk>>,
    outbox: Mutex<Vec<StoreEvent>>,
    inbox: Mutex<HashSet<String>>,
}

impl KitchenQueue for Memory {
    async fn in_status(&self, status: StoreStatus, _: &PageRequest) -> Result<Page<StoreOrder>, PageError> {
        let mut orders: Vec<StoreOrder> = self
            .desk
            .lock()
            .unwrap()
            .values()
            .filter_map(|d| match d {
                Desk::Order(o) if o.status == status => Some(o.clone()),
                _ => None,
            })
            .collect();
        orders.sort_by_key(|o| o.received_at);
        Ok(Page::new(orders, None))
    }
}

impl StoreOrders for Memory {
    async fn find(&self, order: &OrderId) -> anyhow::Result<Option<Desk>> {
        Ok(self.desk.lock().unwrap().get(order).cloned())
    }

    async fn save(&self, order: &StoreOrder, expected_version: u64, events: &[StoreEvent]) -> Result<(), WriteError> {
        let mut desk = self.desk.lock().unwrap();
        match desk.get(&order.order_id) {
            Some(Desk::Order(stored)) if stored.version == expected_version => {}
            _ => return Err(WriteError::Conflict),
        }
        desk.insert(order.order_id.clone(), Desk::Order(order.clone()));
        self.outbox.lock().unwrap().extend_from_slice(events);
        Ok(())
    }

    async fn receive(&self, order: &StoreOrder, once: &EventEnvelope) -> Result<Applied, WriteError> {
        if !self.inbox.lock().unwrap().insert(once.id.clone()) {
            return Ok(Applied::AlreadyDone);
        }
        let mut desk = self.desk.lock().unwrap();
        if desk.contains_key(&order.order_id) {
            return Err(WriteError::Conflict);
        }
        desk.insert(order.order_id.clone(), Desk::Order(order.clone()));
        Ok(Applied::Now)
    }

    async fn tombstone(&self, order: &OrderId, _: &CustomerId, events: &[StoreEvent]) -> Result<(), WriteError> {
        let mut desk = self.desk.lock().unwrap();
        if desk.contains_key(order) {
            return Err(WriteError::Conflict);
        }
        desk.insert(order.clone(), Desk::Tombstone);
        self.outbox.lock().unwrap().extend_from_slice(events);
        Ok(())
    }

    async fn acknowledge(&self, event: &EventEnvelope) -> Result<Applied, WriteError> {
        Ok(if self.inbox.lock().unwrap().insert(event.id.clone()) { Applied::Now } else { Applied::AlreadyDone })
    }
}

fn order(n: u8) -> OrderId {
    OrderId::parse(&format!("019a9a3c-7c1e-7d4a-9b2f-3e5d6c7b8a9{n}")).unwrap()
}

fn kim() -> CustomerId {
    CustomerId::parse("auth0|kim").unwrap()
}

fn placed(n: u8) -> StoreOrder {
    StoreOrder::receive(order(n), kim(), "chicken".into(), 1, Utc::now())
}

fn event(id: &str) -> EventEnvelope {
    serde_json::from_value(serde_json::json!({
        "id": id, "type": "OrderPlaced", "version": 1, "source": "app", "correlationId": "o",
        "causationId": null, "occurredAt": "2026-11-22T01:00:00.000Z", "data": {}
    }))
    .unwrap()
}

#[tokio::test]
async fn order_placed_makes_one_store_order_however_often_it_arrives() {
    let memory = Memory::default();
    assert!(matches!(application::receive(&memory, &placed(1), &event("e-1")).await.unwrap(), Received::Received(_)));
    assert_eq!(application::receive(&memory, &placed(1), &event("e-1")).await.unwrap(), Received::Known);
    assert_eq!(application::receive(&memory, &placed(1), &event("e-2")).await.unwrap(), Received::Known);
    let queue = memory.in_status(StoreStatus::Received, &PageRequest::first(10)).await.unwrap();
    assert_eq!(queue.items.len(), 1);
}

#[tokio::test]
async fn the_kitchen_cooks_then_dispatches_and_a_cancel_comes_too_late_once_cooking() {
    let memory = Memory::default();
    application::receive(&memory, &placed(1), &event("e-1")).await.unwrap();
    let refused = application::move_order(&memory, &order(1), StoreStatus::Dispatched, Utc::now()).await;
    assert!(matches!(refused, Err(MoveOrderError::Refused(MoveError::OutOfOrder { .. }))), "{refused:?}");
    let cooking = application::move_order(&memory, &order(1), StoreStatus::Cooking, Utc::now()).await.unwrap();
    assert_eq!(cooking.status, StoreStatus::Cooking);
    let too_late = application::cancel(&memory, &order(1), &kim(), Utc::now()).await.unwrap();
    assert_eq!(too_late, Cancellation::Refused(CancelRefused::Cooking));
    let dispatched = application::move_order(&memory, &order(1), StoreStatus::Dispatched, Utc::now()).await.unwrap();
    assert_eq!(dispatched.status, StoreStatus::Dispatched);
    let events = memory.outbox.lock().unwrap().clone();
    assert!(matches!(events.as_slice(), [StoreEvent::CookingStarted { .. }, StoreEvent::DeliveryDispatched { .. }]));
}

#[tokio::test]
async fn a_received_order_cancels_once_and_an_order_not_yet_arrived_gets_a_tombstone() {
    let memory = Memory::default();
    application::receive(&memory, &placed(1), &event("e-1")).await.unwrap();
    assert_eq!(application::cancel(&memory, &order(1), &kim(), Utc::now()).await.unwrap(), Cancellation::Cancelled);
    assert_eq!(application::cancel(&memory, &order(1), &kim(), Utc::now()).await.unwrap(), Cancellation::Cancelled);
    let refused = application::move_order(&memory, &order(1), StoreStatus::Cooking, Utc::now()).await;
    assert!(matches!(refused, Err(MoveOrderError::Refused(MoveError::Cancelled))));

    assert_eq!(application::cancel(&memory, &order(2), &kim(), Utc::now()).await.unwrap(), Cancellation::Cancelled);
    assert_eq!(
        application::receive(&memory, &placed(2), &event("e-2")).await.unwrap(),
        Received::Known,
        "late OrderPlaced"
    );
    assert_eq!(memory.desk.lock().unwrap()[&order(2)], Desk::Tombstone);
    let cancelled = memory.outbox.lock().unwrap().iter().filter(|e| matches!(e, StoreEvent::Cancelled { .. })).count();
    assert_eq!(cancelled, 2, "one StoreOrderCancelled each (the tombstone's too)");
}
