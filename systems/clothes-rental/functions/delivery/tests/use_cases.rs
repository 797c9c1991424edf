//! The delivery use cases against an in-memory fake of their ports: tickets, the desk's
//! records per order and kind, the outbox and the inbox.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use chrono::Utc;
use contracts::order::{OrderEvent as Wire, OrderPlaced};
use platform::EventEnvelope;
use platform::dynamo::WriteError;
use platform::inbox::Applied;
use platform::page::{Page, PageError, PageRequest};

use delivery::application::{self, Cancellation, Received, Request, TeamCommandError};
use delivery::domain::{
    AlreadyKnown, CustomerId, Delivery, DeliveryEvent, DeliveryId, DeliveryStatus, Kind, OrderAtDesk, OrderId,
    ProductId, Quantity, ShipError,
};
use delivery::ports::{ConsumedEvents, Deliveries, DeliveryQueue, OrdersAtDesk};

/// A concurrent writer's change, applied just before the next save.
type Interloper = Box<dyn FnOnce(&Memory) + Send>;

#[derive(Default)]
struct Memory {
    tickets: Mutex<HashMap<DeliveryId, Delivery>>,
    desk: Mutex<HashMap<(OrderId, Kind), OrderAtDesk>>,
    outbox: Mutex<Vec<DeliveryEvent>>,
    inbox: Mutex<HashSet<String>>,
    /// Applied just before the next save, as a concurrent writer would.
    interloper: Mutex<Option<Interloper>>,
}

impl Memory {
    fn events(&self) -> Vec<DeliveryEvent> {
        self.outbox.lock().unwrap().clone()
    }

    fn tickets_of(&self, order: &OrderId) -> Vec<Delivery> {
        self.tickets.lock().unwrap().values().filter(|t| t.order_id() == order).cloned().collect()
    }
}

impl DeliveryQueue for Memory {
    async fn in_queue(
        &self,
        kind: Kind,
        status: DeliveryStatus,
        page: &PageRequest,
    ) -> Result<Page<Delivery>, PageError> {
        let mut all: Vec<Delivery> = self
            .tickets
            .lock()
            .unwrap()
            .values()
            .filter(|t| t.kind() == kind && t.status() == status)
            .cloned()
            .collect();
        all.sort_by_key(|t| (t.record().created_at, t.id().clone()));
        Page::of_list(all, &format!("{kind}#{status}"), page)
    }
}

impl Deliveries for Memory {
    async fn find(&self, id: &DeliveryId) -> anyhow::Result<Option<Delivery>> {
        Ok(self.tickets.lock().unwrap().get(id).cloned())
    }

    async fn save(
        &self,
        delivery: &Delivery,
        expected_version: u64,
        events: &[DeliveryEvent],
    ) -> Result<(), WriteError> {
        let interloper = self.interloper.lock().unwrap().take();
        if let Some(interloper) = interloper {
            interloper(self);
        }
        let mut tickets = self.tickets.lock().unwrap();
        if tickets.get(delivery.id()).map(Delivery::version) != Some(expected_version) {
            return Err(WriteError::Conflict);
        }
        tickets.insert(delivery.id().clone(), delivery.clone());
        self.outbox.lock().unwrap().extend_from_slice(events);
        Ok(())
    }
}

impl OrdersAtDesk for Memory {
    async fn find_order(&self, order: &OrderId, kind: Kind) -> anyhow::Result<Option<OrderAtDesk>> {
        Ok(self.desk.lock().unwrap().get(&(order.clone(), kind)).cloned())
    }

    async fn open(&self, delivery: &Delivery, once: &EventEnvelope) -> Result<Applied, WriteError> {
        if self.inbox.lock().unwrap().contains(&once.id) {
            return Ok(Applied::AlreadyDone);
        }
        let slot = (delivery.order_id().clone(), delivery.kind());
        let mut desk = self.desk.lock().unwrap();
        if desk.contains_key(&slot) {
            return Err(WriteError::Conflict);
        }
        desk.insert(slot, OrderAtDesk::Ticketed(delivery.id().clone()));
        self.tickets.lock().unwrap().insert(delivery.id().clone(), delivery.clone());
        self.inbox.lock().unwrap().insert(once.id.clone());
        Ok(Applied::Now)
    }

    async fn tombstone(&self, order: &OrderId, _: &CustomerId, events: &[DeliveryEvent]) -> Result<(), WriteError> {
        let mut desk = self.desk.lock().unwrap();
        let slot = (order.clone(), Kind::Delivery);
        if desk.contains_key(&slot) {
            return Err(WriteError::Conflict);
        }
        desk.insert(slot, OrderAtDesk::Tombstone);
        self.outbox.lock().unwrap().extend_from_slice(events);
        Ok(())
    }
}

impl ConsumedEvents for Memory {
    async fn acknowledge(&self, event: &EventEnvelope) -> Result<Applied, WriteError> {
        Ok(if self.inbox.lock().unwrap().insert(event.id.clone()) { Applied::Now } else { Applied::AlreadyDone })
    }
}

fn order() -> OrderId {
    OrderId::parse("o-1").unwrap()
}

fn kim() -> CustomerId {
    CustomerId::parse("auth0|kim").unwrap()
}

fn request(kind: Kind) -> Request {
    Request {
        kind,
        order_id: order(),
        customer_id: kim(),
        product_id: ProductId::parse("1001").unwrap(),
        qty: Quantity::parse(5).unwrap(),
    }
}

fn event() -> EventEnvelope {
    let placed = OrderPlaced {
        order_id: "o-1".into(),
        customer_id: "auth0|kim".into(),
        product_id: "1001".into(),
        qty: 5,
        ordered_at: "2026-11-22T01:00:00.000Z".into(),
    };
    EventEnvelope::wrap("order", "o-1", None, &Wire::OrderPlaced(placed))
}

/// Given the order's `Received` delivery ticket.
async fn received(memory: &Memory) -> Delivery {
    match application::receive(memory, &request(Kind::Delivery), &event(), Utc::now()).await.unwrap() {
        Received::Opened(ticket) => ticket,
        other => panic!("{other:?}"),
    }
}

async fn cancel(memory: &Memory) -> Cancellation {
    application::cancel_delivery(memory, &order(), &kim(), Utc::now()).await.unwrap()
}

#[tokio::test]
async fn a_placed_order_gets_one_received_ticket_however_often_it_arrives() {
    let memory = Memory::default();
    let ticket = received(&memory).await;
    assert_eq!((ticket.kind(), ticket.status()), (Kind::Delivery, DeliveryStatus::Received));
    let same = application::receive(&memory, &request(Kind::Delivery), &event(), Utc::now()).await.unwrap();
    assert!(matches!(&same, Received::AlreadyKnown(AlreadyKnown::Ticketed(id)) if id == ticket.id()), "{same:?}");
    let other_copy = EventEnvelope { id: "another-delivery-of-it".into(), ..event() };
    let late = application::receive(&memory, &request(Kind::Delivery), &other_copy, Utc::now()).await.unwrap();
    assert!(matches!(late, Received::AlreadyKnown(_)));
    assert_eq!(memory.tickets_of(&order()).len(), 1);
    assert!(memory.events().is_empty(), "making a ticket announces nothing");
}

#[tokio::test]
async fn a_cancel_before_the_order_arrives_leaves_a_tombstone_and_the_late_order_makes_nothing() {
    let memory = Memory::default();
    assert_eq!(cancel(&memory).await, Cancellation::Cancelled);
    assert_eq!(
        memory.events(),
        [DeliveryEvent::Cancelled { delivery_id: None, order_id: order(), customer_id: kim() }]
    );
    let late = application::receive(&memory, &request(Kind::Delivery), &event(), Utc::now()).await.unwrap();
    assert_eq!(late, Received::AlreadyKnown(AlreadyKnown::Tombstone));
    assert!(memory.tickets_of(&order()).is_empty());
    assert_eq!(cancel(&memory).await, Cancellation::Cancelled, "asking twice answers the same");
    assert_eq!(memory.events().len(), 1, "and announces once");
}

#[tokio::test]
async fn a_received_ticket_cancels_once_then_cannot_ship() {
    let memory = Memory::default();
    let ticket = received(&memory).await;
    assert_eq!(cancel(&memory).await, Cancellation::Cancelled);
    assert_eq!(cancel(&memory).await, Cancellation::Cancelled);
    let cancelled: Vec<_> = memory.events();
    assert!(
        matches!(cancelled.as_slice(), [DeliveryEvent::Cancelled { delivery_id: Some(id), .. }] if id == ticket.id())
    );
    let ship = application::ship(&memory, ticket.id()).await;
    assert!(matches!(ship, Err(TeamCommandError::Ship(ShipError::Cancelled))), "{ship:?}");
}

#[tokio::test]
async fn a_shipped_ticket_is_not_cancelled_and_says_shipped() {
    let memory = Memory::default();
    let ticket = received(&memory).await;
    let shipped = application::ship(&memory, ticket.id()).await.unwrap();
    assert_eq!(shipped.status(), DeliveryStatus::Shipped);
    assert_eq!(cancel(&memory).await, Cancellation::Shipped);
    assert!(matches!(memory.events().as_slice(), [DeliveryEvent::Shipped { .. }]));
    let again = application::ship(&memory, ticket.id()).await;
    assert!(matches!(again, Err(TeamCommandError::Ship(ShipError::AlreadyShipped))));
}

#[tokio::test]
async fn when_ship_and_cancel_race_exactly_one_wins() {
    // Cancel reads Received, then the team's ship commits first: the cancel's write loses,
    // it reads again and answers Shipped.
    let memory = Memory::default();
    let ticket = received(&memory).await;
    let id = ticket.id().clone();
    *memory.interloper.lock().unwrap() = Some(Box::new(move |m: &Memory| {
        let mut tickets = m.tickets.lock().unwrap();
        let (shipped, _) = tickets[&id].ship(Utc::now()).unwrap();
        tickets.insert(id, shipped);
    }));
    assert_eq!(cancel(&memory).await, Cancellation::Shipped);
    assert_eq!(memory.tickets_of(&order())[0].status(), DeliveryStatus::Shipped);
    assert!(memory.events().iter().all(|e| !matches!(e, DeliveryEvent::Cancelled { .. })), "no cancel announced");

    // And the other way round: ship loses to a cancel.
    let memory = Memory::default();
    let ticket = received(&memory).await;
    let id = ticket.id().clone();
    *memory.interloper.lock().unwrap() = Some(Box::new(move |m: &Memory| {
        let mut tickets = m.tickets.lock().unwrap();
        let (cancelled, _) = tickets[&id].cancel(Utc::now()).unwrap();
        tickets.insert(id, cancelled);
    }));
    let ship = application::ship(&memory, ticket.id()).await;
    assert!(matches!(ship, Err(TeamCommandError::Ship(ShipError::Cancelled))), "{ship:?}");
}

#[tokio::test]
async fn a_return_request_makes_one_return_ticket_that_is_collected_once() {
    let memory = Memory::default();
    let delivery = received(&memory).await;
    application::ship(&memory, delivery.id()).await.unwrap();
    let ret = match application::receive(
        &memory,
        &request(Kind::Return),
        &EventEnvelope { id: "r".into(), ..event() },
        Utc::now(),
    )
    .await
    .unwrap()
    {
        Received::Opened(ticket) => ticket,
        other => panic!("{other:?}"),
    };
    assert_eq!((ret.kind(), ret.status()), (Kind::Return, DeliveryStatus::Requested));
    assert!(matches!(application::collect(&memory, delivery.id()).await, Err(TeamCommandError::Collect(_))));
    let collected = application::collect(&memory, ret.id()).await.unwrap();
    assert_eq!(collected.status(), DeliveryStatus::Collected);
    assert!(matches!(application::collect(&memory, ret.id()).await, Err(TeamCommandError::Collect(_))));
    assert!(matches!(memory.events().last(), Some(DeliveryEvent::Collected { .. })));
    assert_eq!(memory.tickets_of(&order()).len(), 2, "one delivery and one return");
}

#[tokio::test]
async fn the_work_queue_lists_tickets_by_kind_and_status() {
    let memory = Memory::default();
    let ticket = received(&memory).await;
    let page = PageRequest::first(10);
    let queue = application::list_queue(&memory, Kind::Delivery, DeliveryStatus::Received, &page).await.unwrap();
    assert_eq!(queue.items.iter().map(|t| t.id().clone()).collect::<Vec<_>>(), [ticket.id().clone()]);
    let returns = application::list_queue(&memory, Kind::Return, DeliveryStatus::Requested, &page).await.unwrap();
    assert!(returns.items.is_empty());
    let unknown = application::ship(&memory, &DeliveryId::generate()).await;
    assert!(matches!(unknown, Err(TeamCommandError::NotFound(_))));
}
