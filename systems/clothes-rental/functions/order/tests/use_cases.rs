//! The order use cases against in-memory fakes of their ports: the storage keeps orders,
//! first answers, outbox events and inbox marks; delivery answers as each test says.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use contracts::delivery::{DeliveryEvent as Wire, Shipped};
use platform::EventEnvelope;
use platform::auth::Caller;
use platform::dynamo::WriteError;
use platform::idempotency::{IdempotencyKey, IdempotencyRecord};
use platform::inbox::Applied;
use platform::invoke::InvokeError;

use order::application::{self, ChangeOrderError, FirstAnswer, Followed, PlaceOrderError, Placed};
use order::domain::{CustomerId, DeliveryFact, Order, OrderEvent, OrderId, OrderStatus, ProductId, Quantity};
use order::ports::{DeliveryCancellation, DeliveryDesk, Orders};

#[derive(Default)]
struct Memory {
    orders: Mutex<HashMap<OrderId, Order>>,
    answers: Mutex<HashMap<(String, String), IdempotencyRecord>>,
    outbox: Mutex<Vec<OrderEvent>>,
    inbox: Mutex<HashSet<String>>,
}

impl Memory {
    fn events(&self) -> Vec<OrderEvent> {
        self.outbox.lock().unwrap().clone()
    }

    fn status(&self, id: &OrderId) -> OrderStatus {
        self.orders.lock().unwrap()[id].status()
    }

    fn store(&self, order: &Order, expected: Option<u64>, events: &[OrderEvent]) -> Result<(), WriteError> {
        let mut orders = self.orders.lock().unwrap();
        if orders.get(order.id()).map(Order::version) != expected {
            return Err(WriteError::Conflict);
        }
        orders.insert(order.id().clone(), order.clone());
        self.outbox.lock().unwrap().extend_from_slice(events);
        Ok(())
    }
}

impl Orders for Memory {
    async fn find(&self, id: &OrderId) -> anyhow::Result<Option<Order>> {
        Ok(self.orders.lock().unwrap().get(id).cloned())
    }

    async fn find_idempotency(
        &self,
        customer_id: &CustomerId,
        key: &IdempotencyKey,
    ) -> anyhow::Result<Option<IdempotencyRecord>> {
        Ok(self.answers.lock().unwrap().get(&(customer_id.to_string(), key.as_str().to_owned())).cloned())
    }

    async fn place(
        &self,
        order: &Order,
        key: &IdempotencyKey,
        record: &IdempotencyRecord,
        events: &[OrderEvent],
    ) -> Result<(), WriteError> {
        let slot = (order.customer_id().to_string(), key.as_str().to_owned());
        if self.answers.lock().unwrap().contains_key(&slot) {
            return Err(WriteError::Conflict);
        }
        self.store(order, None, events)?;
        self.answers.lock().unwrap().insert(slot, record.clone());
        Ok(())
    }

    async fn save(&self, order: &Order, expected_version: u64, events: &[OrderEvent]) -> Result<(), WriteError> {
        self.store(order, Some(expected_version), events)
    }

    async fn save_once(
        &self,
        cause: &EventEnvelope,
        order: &Order,
        expected_version: u64,
        events: &[OrderEvent],
    ) -> Result<Applied, WriteError> {
        if self.inbox.lock().unwrap().contains(&cause.id) {
            return Ok(Applied::AlreadyDone);
        }
        self.store(order, Some(expected_version), events)?;
        self.inbox.lock().unwrap().insert(cause.id.clone());
        Ok(Applied::Now)
    }
}

/// Delivery as a fake: answers `answer` (`None`: cannot answer), counting calls.
struct Desk {
    answer: Option<DeliveryCancellation>,
    calls: AtomicUsize,
}

impl Desk {
    fn answering(answer: Option<DeliveryCancellation>) -> Self {
        Self { answer, calls: AtomicUsize::new(0) }
    }

    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

impl DeliveryDesk for Desk {
    async fn cancel(&self, _: &OrderId, _: &CustomerId) -> Result<DeliveryCancellation, InvokeError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.answer.ok_or_else(|| InvokeError::Timeout { function: "CancelDelivery".into(), timeout_ms: 610 })
    }
}

const KIM: &str = "auth0|kim";

fn caller(subject: &str, groups: &[&str]) -> Caller {
    Caller { subject: subject.into(), groups: groups.iter().map(|g| (*g).to_owned()).collect() }
}

fn command(key: &str, product: &str, qty: i64) -> application::PlaceOrder {
    // The key is made at the edge, from the request's header: the one way to make one.
    let request =
        lambda_http::http::Request::builder().header("idempotency-key", key).body(lambda_http::Body::Empty).unwrap();
    let key = platform::idempotency::key(&request).unwrap();
    application::PlaceOrder {
        customer_id: CustomerId::parse(KIM).unwrap(),
        key,
        product_id: ProductId::parse(product).unwrap(),
        qty: Quantity::parse(qty).unwrap(),
    }
}

fn answer(order: &Order) -> anyhow::Result<FirstAnswer> {
    Ok(FirstAnswer { status: 201, body: order.id().to_string() })
}

/// Given customer Kim's order of five `1001`, placed.
async fn placed(memory: &Memory) -> OrderId {
    match application::place_order(memory, &command("k-1", "1001", 5), answer).await.unwrap() {
        Placed::New { order, .. } => order.id().clone(),
        Placed::Replayed(_) => panic!("a new key replays nothing"),
    }
}

fn delivery_event(event: &Wire) -> EventEnvelope {
    EventEnvelope::wrap("delivery", "o", None, event)
}

fn shipped_event() -> EventEnvelope {
    delivery_event(&Wire::Shipped(Shipped { delivery_id: "d".into(), order_id: "o".into(), customer_id: KIM.into() }))
}

async fn follow(memory: &Memory, id: &OrderId, fact: DeliveryFact) -> Followed {
    application::follow_delivery(memory, id, fact, &shipped_event()).await.unwrap()
}

#[tokio::test]
async fn placing_stores_the_order_with_order_placed_and_a_repeat_answers_the_first_answer() {
    let memory = Memory::default();
    let id = placed(&memory).await;
    assert_eq!(memory.status(&id), OrderStatus::Ordered);
    assert!(matches!(memory.events().as_slice(), [OrderEvent::Placed { qty, .. }] if qty.get() == 5));

    let again = application::place_order(&memory, &command("k-1", "1001", 5), answer).await.unwrap();
    assert!(matches!(again, Placed::Replayed(record) if record.resource_id == id.to_string()));
    let other = application::place_order(&memory, &command("k-1", "1002", 1), answer).await;
    assert!(matches!(other, Err(PlaceOrderError::KeyReused)), "{other:?}");
    assert_eq!(memory.orders.lock().unwrap().len(), 1, "one order for one key");
}

#[tokio::test]
async fn a_cancel_delivery_agrees_to_cancels_the_order_once() {
    let memory = Memory::default();
    let id = placed(&memory).await;
    let desk = Desk::answering(Some(DeliveryCancellation::Cancelled));
    let order = application::cancel_order(&memory, &desk, &caller(KIM, &[]), &id).await.unwrap();
    assert_eq!(order.status(), OrderStatus::Cancelled);
    let again = application::cancel_order(&memory, &desk, &caller(KIM, &[]), &id).await.unwrap();
    assert_eq!(again.status(), OrderStatus::Cancelled);
    assert_eq!(desk.calls(), 1, "a repeat asks nobody");
    let cancelled = memory.events().iter().filter(|e| matches!(e, OrderEvent::Cancelled { .. })).count();
    assert_eq!(cancelled, 1);
}

#[tokio::test]
async fn delivery_saying_shipped_or_not_answering_leaves_the_order_ordered() {
    let memory = Memory::default();
    let id = placed(&memory).await;
    let shipped = Desk::answering(Some(DeliveryCancellation::Shipped));
    let refused = application::cancel_order(&memory, &shipped, &caller(KIM, &[]), &id).await;
    assert!(matches!(refused, Err(ChangeOrderError::TooLate(_))), "{refused:?}");
    let down = Desk::answering(None);
    let unavailable = application::cancel_order(&memory, &down, &caller(KIM, &[]), &id).await;
    assert!(matches!(unavailable, Err(ChangeOrderError::Unavailable(_))), "{unavailable:?}");
    assert_eq!(memory.status(&id), OrderStatus::Ordered);
    assert_eq!(memory.events().len(), 1, "only OrderPlaced");
}

#[tokio::test]
async fn a_shipped_order_is_refused_without_asking_delivery_and_another_customers_is_not_found() {
    let memory = Memory::default();
    let id = placed(&memory).await;
    assert_eq!(follow(&memory, &id, DeliveryFact::Shipped).await, Followed::Moved(OrderStatus::Shipped));
    let desk = Desk::answering(Some(DeliveryCancellation::Cancelled));
    let late = application::cancel_order(&memory, &desk, &caller(KIM, &[]), &id).await;
    assert!(matches!(late, Err(ChangeOrderError::TooLate(_))), "{late:?}");
    let other = application::cancel_order(&memory, &desk, &caller("auth0|lee", &[]), &id).await;
    assert!(matches!(other, Err(ChangeOrderError::NotFound(_))), "{other:?}");
    assert_eq!(desk.calls(), 0);
    assert_eq!(memory.status(&id), OrderStatus::Shipped);
}

#[tokio::test]
async fn only_a_shipped_order_is_returned_and_the_return_says_return_requested() {
    let memory = Memory::default();
    let id = placed(&memory).await;
    let early = application::request_return(&memory, &caller(KIM, &[]), &id).await;
    assert!(matches!(early, Err(ChangeOrderError::NotShipped(_))), "{early:?}");
    follow(&memory, &id, DeliveryFact::Shipped).await;
    let order = application::request_return(&memory, &caller(KIM, &[]), &id).await.unwrap();
    assert_eq!(order.status(), OrderStatus::ReturnRequested);
    application::request_return(&memory, &caller(KIM, &[]), &id).await.unwrap();
    let requested = memory.events().iter().filter(|e| matches!(e, OrderEvent::ReturnRequested { .. })).count();
    assert_eq!(requested, 1, "asking twice requests once");
    let other = application::request_return(&memory, &caller("auth0|lee", &[]), &id).await;
    assert!(matches!(other, Err(ChangeOrderError::NotFound(_))));
}

#[tokio::test]
async fn delivery_cancelled_reconciles_an_ordered_order_once_and_duplicates_change_nothing() {
    let memory = Memory::default();
    let id = placed(&memory).await;
    let cause = shipped_event();
    let first = application::follow_delivery(&memory, &id, DeliveryFact::Cancelled, &cause).await.unwrap();
    assert_eq!(first, Followed::Moved(OrderStatus::Cancelled));
    assert!(matches!(memory.events().last(), Some(OrderEvent::Cancelled { .. })), "as the command would");
    let replay = application::follow_delivery(&memory, &id, DeliveryFact::Cancelled, &cause).await.unwrap();
    assert_eq!(replay, Followed::Unchanged);
    assert_eq!(follow(&memory, &id, DeliveryFact::Shipped).await, Followed::Unchanged, "never backwards");
    assert_eq!(memory.events().len(), 2);
}

#[tokio::test]
async fn the_same_event_delivered_twice_is_applied_once() {
    let memory = Memory::default();
    let id = placed(&memory).await;
    let before = memory.orders.lock().unwrap()[&id].clone();
    let cause = shipped_event();
    assert_eq!(
        application::follow_delivery(&memory, &id, DeliveryFact::Shipped, &cause).await.unwrap(),
        Followed::Moved(OrderStatus::Shipped)
    );
    // Put the order back as it was: only the inbox can now stop a second application.
    memory.orders.lock().unwrap().insert(id.clone(), before);
    let duplicate = application::follow_delivery(&memory, &id, DeliveryFact::Shipped, &cause).await.unwrap();
    assert_eq!(duplicate, Followed::Duplicate);
    assert_eq!(memory.status(&id), OrderStatus::Ordered, "nothing written the second time");
}

#[tokio::test]
async fn the_order_is_its_customers_and_the_delivery_teams_to_see() {
    let memory = Memory::default();
    let id = placed(&memory).await;
    assert!(application::get_order(&memory, &caller(KIM, &[]), &id).await.is_ok());
    assert!(application::get_order(&memory, &caller("staff|1", &["deliveryTeam"]), &id).await.is_ok());
    let other = application::get_order(&memory, &caller("auth0|lee", &[]), &id).await;
    assert!(matches!(other, Err(application::GetOrderError::NotFound(_))));
    let lookalike = application::get_order(&memory, &caller("auth0|lee", &["deliveryteam"]), &id).await;
    assert!(lookalike.is_err(), "groups are whole, exact names");
}
