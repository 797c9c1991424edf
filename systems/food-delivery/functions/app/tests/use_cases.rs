//! The app's use cases against in-memory fakes of their ports: the storage keeps the menu,
//! orders, first answers, outbox events and inbox marks; pay and the store answer as each
//! test says.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use app::application::{
    self, CancelOrderError, FirstAnswer, FollowError, Followed, PlaceOrder, PlaceOrderError, Placed,
};
use app::domain::{
    CancelError, CustomerId, ItemName, MenuItem, MenuStatus, Order, OrderEvent, OrderId, OrderStatus, PaymentId,
    Quantity, StoreFact,
};
use app::ports::{Menu, Orders, Pay, Payment, StoreCancellation, StoreDesk};
use chrono::TimeDelta;
use platform::EventEnvelope;
use platform::Won;
use platform::auth::Caller;
use platform::dynamo::WriteError;
use platform::idempotency::{IdempotencyKey, IdempotencyRecord};
use platform::inbox::Applied;
use platform::invoke::InvokeError;
use platform::page::{Page, PageError, PageRequest};

#[derive(Default)]
struct Memory {
    menu: Mutex<HashMap<ItemName, MenuItem>>,
    orders: Mutex<HashMap<OrderId, Order>>,
    answers: Mutex<HashMap<(String, String), IdempotencyRecord>>,
    outbox: Mutex<Vec<OrderEvent>>,
    inbox: Mutex<HashSet<String>>,
    writes: AtomicUsize,
}

impl Memory {
    fn with_menu() -> Self {
        let memory = Self::default();
        for (name, price, status) in [("chicken", 18000, MenuStatus::OnSale), ("pizza", 22000, MenuStatus::SoldOut)] {
            let item = MenuItem::add(ItemName::parse(name).unwrap(), Won::new(price)).change(None, Some(status));
            memory.menu.lock().unwrap().insert(item.name.clone(), item);
        }
        memory
    }

    fn events(&self) -> Vec<OrderEvent> {
        self.outbox.lock().unwrap().clone()
    }

    fn all_orders(&self) -> Vec<Order> {
        self.orders.lock().unwrap().values().cloned().collect()
    }

    fn store(&self, order: &Order, expected: Option<u64>, events: &[OrderEvent]) -> Result<(), WriteError> {
        let mut orders = self.orders.lock().unwrap();
        if orders.get(order.id()).map(Order::version) != expected {
            return Err(WriteError::Conflict);
        }
        orders.insert(order.id().clone(), order.clone());
        self.outbox.lock().unwrap().extend_from_slice(events);
        self.writes.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

impl Menu for Memory {
    async fn find_item(&self, name: &ItemName) -> anyhow::Result<Option<MenuItem>> {
        Ok(self.menu.lock().unwrap().get(name).cloned())
    }

    async fn on_sale(&self, page: &PageRequest) -> Result<Page<MenuItem>, PageError> {
        let mut items: Vec<MenuItem> =
            self.menu.lock().unwrap().values().filter(|i| i.status == MenuStatus::OnSale).cloned().collect();
        items.sort_by(|a, b| a.name.cmp(&b.name));
        Page::of_list(items, "menu", page)
    }

    async fn add(&self, item: &MenuItem) -> Result<(), WriteError> {
        let mut menu = self.menu.lock().unwrap();
        if menu.contains_key(&item.name) {
            return Err(WriteError::Conflict);
        }
        menu.insert(item.name.clone(), item.clone());
        Ok(())
    }

    async fn save_item(&self, item: &MenuItem, expected_version: u64) -> Result<(), WriteError> {
        let mut menu = self.menu.lock().unwrap();
        if menu.get(&item.name).map(|i| i.version) != Some(expected_version) {
            return Err(WriteError::Conflict);
        }
        menu.insert(item.name.clone(), item.clone());
        Ok(())
    }
}

impl Orders for Memory {
    async fn find(&self, id: &OrderId) -> anyhow::Result<Option<Order>> {
        Ok(self.orders.lock().unwrap().get(id).cloned())
    }

    async fn of_customer(&self, customer_id: &CustomerId, _page: &PageRequest) -> Result<Page<Order>, PageError> {
        let orders = self.all_orders().into_iter().filter(|o| o.customer_id() == customer_id).collect();
        Ok(Page::new(orders, None))
    }

    async fn find_idempotency(
        &self,
        customer_id: &CustomerId,
        key: &IdempotencyKey,
    ) -> anyhow::Result<Option<IdempotencyRecord>> {
        Ok(self.answers.lock().unwrap().get(&(customer_id.to_string(), key.as_str().to_owned())).cloned())
    }

    async fn remember(
        &self,
        customer_id: &CustomerId,
        key: &IdempotencyKey,
        record: &IdempotencyRecord,
    ) -> Result<(), WriteError> {
        let slot = (customer_id.to_string(), key.as_str().to_owned());
        let mut answers = self.answers.lock().unwrap();
        if answers.contains_key(&slot) {
            return Err(WriteError::Conflict);
        }
        answers.insert(slot, record.clone());
        Ok(())
    }

    async fn begin(&self, order: &Order) -> Result<(), WriteError> {
        self.store(order, None, &[])
    }

    async fn save(
        &self,
        order: &Order,
        expected_version: u64,
        events: &[OrderEvent],
        answer: Option<(&IdempotencyKey, &IdempotencyRecord)>,
    ) -> Result<(), WriteError> {
        if let Some((key, _)) = answer
            && self.answers.lock().unwrap().contains_key(&(order.customer_id().to_string(), key.as_str().to_owned()))
        {
            return Err(WriteError::Conflict);
        }
        self.store(order, Some(expected_version), events)?;
        if let Some((key, record)) = answer {
            self.answers
                .lock()
                .unwrap()
                .insert((order.customer_id().to_string(), key.as_str().to_owned()), record.clone());
        }
        Ok(())
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

/// Pay answering as told, counting calls; `open` is its breaker.
struct FakePay {
    answer: Option<Payment>,
    open: bool,
    calls: AtomicUsize,
}

impl FakePay {
    fn approving() -> Self {
        Self {
            answer: Some(Payment::Approved(PaymentId::parse("p-1").unwrap())),
            open: false,
            calls: AtomicUsize::new(0),
        }
    }

    fn timing_out() -> Self {
        Self { answer: None, open: false, calls: AtomicUsize::new(0) }
    }

    fn open() -> Self {
        Self { answer: None, open: true, calls: AtomicUsize::new(0) }
    }
}

impl Pay for FakePay {
    async fn available(&self) -> bool {
        !self.open
    }

    async fn pay(&self, _: &OrderId, _: &CustomerId, _: Won) -> Result<Payment, InvokeError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.answer.clone().ok_or_else(|| InvokeError::Timeout { function: "PayFunction".into(), timeout_ms: 610 })
    }
}

struct Desk(Option<StoreCancellation>, AtomicUsize);

impl StoreDesk for Desk {
    async fn cancel(&self, _: &OrderId, _: &CustomerId) -> Result<StoreCancellation, InvokeError> {
        self.1.fetch_add(1, Ordering::SeqCst);
        self.0.ok_or_else(|| InvokeError::Timeout { function: "CancelStoreOrderFunction".into(), timeout_ms: 610 })
    }
}

fn kim() -> CustomerId {
    CustomerId::parse("auth0|kim").unwrap()
}

fn command(item: &str, quantity: i64, key: Option<&str>) -> PlaceOrder {
    PlaceOrder {
        customer_id: kim(),
        key: key.map(idempotency_key),
        item: ItemName::parse(item).unwrap(),
        quantity: Quantity::parse(quantity).unwrap(),
    }
}

fn idempotency_key(key: &str) -> IdempotencyKey {
    let request = lambda_http::http::Request::builder()
        .header(platform::idempotency::HEADER, key)
        .body(lambda_http::Body::Empty)
        .unwrap();
    platform::idempotency::key(&request).unwrap()
}

fn render(order: &Order) -> anyhow::Result<FirstAnswer> {
    Ok(FirstAnswer { status: 201, body: order.id().to_string() })
}

async fn place(memory: &Memory, pay: &FakePay, command: &PlaceOrder) -> Result<Placed, PlaceOrderError> {
    application::place_order(memory, memory, pay, command, render).await
}

fn envelope(id: &str) -> EventEnvelope {
    serde_json::from_value(serde_json::json!({
        "id": id, "type": "CookingStarted", "version": 1, "source": "store", "correlationId": "o",
        "causationId": null, "occurredAt": "2026-11-22T01:00:00.000Z", "data": {}
    }))
    .unwrap()
}

async fn paid_order(memory: &Memory) -> Order {
    match place(memory, &FakePay::approving(), &command("chicken", 2, None)).await.unwrap() {
        Placed::New(order) => order,
        Placed::Replayed(_) => panic!("a new order"),
    }
}

#[tokio::test]
async fn an_approved_order_is_paid_at_the_menu_price_and_says_order_placed_once() {
    let memory = Memory::with_menu();
    let pay = FakePay::approving();
    let order = match place(&memory, &pay, &command("chicken", 2, None)).await.unwrap() {
        Placed::New(order) => order,
        Placed::Replayed(_) => panic!("new"),
    };
    assert_eq!((order.status(), order.amount()), (OrderStatus::Paid, Won::new(36000)));
    assert_eq!(order.record().payment_id, Some(PaymentId::parse("p-1").unwrap()));
    assert!(matches!(memory.events().as_slice(), [OrderEvent::Placed { amount, .. }] if *amount == Won::new(36000)));
    assert_eq!(pay.calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn an_unknown_or_sold_out_item_is_refused_before_anything_is_written_or_paid() {
    let memory = Memory::with_menu();
    let pay = FakePay::approving();
    for item in ["pizza", "bulgogi"] {
        let refused = place(&memory, &pay, &command(item, 1, None)).await;
        assert!(matches!(refused, Err(PlaceOrderError::Unorderable(_))), "{item}: {refused:?}");
    }
    assert!(memory.all_orders().is_empty());
    assert_eq!(pay.calls.load(Ordering::SeqCst), 0, "no payment");
}

#[tokio::test]
async fn a_timed_out_payment_fails_the_order_and_abandons_the_payment_no_order_stands() {
    let memory = Memory::with_menu();
    let refused = place(&memory, &FakePay::timing_out(), &command("chicken", 1, Some("k-1"))).await;
    assert!(matches!(refused, Err(PlaceOrderError::PayUnavailable(InvokeError::Timeout { .. }))), "{refused:?}");
    let [order] = memory.all_orders().try_into().unwrap();
    assert_eq!(order.status(), OrderStatus::PaymentFailed);
    assert!(matches!(memory.events().as_slice(), [OrderEvent::PaymentAbandoned { .. }]), "{:?}", memory.events());
    // No first answer is kept after a 503: the retry with the same key places a new order.
    let retried = place(&memory, &FakePay::approving(), &command("chicken", 1, Some("k-1"))).await.unwrap();
    assert!(matches!(retried, Placed::New(_)));
    assert_eq!(memory.all_orders().len(), 2);
}

#[tokio::test]
async fn an_open_breaker_refuses_at_once_and_writes_nothing() {
    let memory = Memory::with_menu();
    let pay = FakePay::open();
    let refused = place(&memory, &pay, &command("chicken", 1, None)).await;
    assert!(matches!(refused, Err(PlaceOrderError::PayUnavailable(InvokeError::Open(_)))), "{refused:?}");
    assert!(memory.all_orders().is_empty());
    assert_eq!(memory.writes.load(Ordering::SeqCst), 0);
    assert_eq!(pay.calls.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_refused_payment_is_a_failed_order_too() {
    let memory = Memory::with_menu();
    let pay = FakePay { answer: Some(Payment::Refused), open: false, calls: AtomicUsize::new(0) };
    assert!(matches!(
        place(&memory, &pay, &command("chicken", 1, None)).await,
        Err(PlaceOrderError::PayUnavailable(_))
    ));
    assert_eq!(memory.all_orders()[0].status(), OrderStatus::PaymentFailed);
}

#[tokio::test]
async fn a_key_replays_its_first_answer_and_refuses_another_body() {
    let memory = Memory::with_menu();
    let pay = FakePay::approving();
    let Placed::New(first) = place(&memory, &pay, &command("chicken", 1, Some("k"))).await.unwrap() else {
        panic!("new")
    };
    let again = place(&memory, &pay, &command("chicken", 1, Some("k"))).await.unwrap();
    assert!(matches!(again, Placed::Replayed(ref r) if r.resource_id == first.id().to_string() && r.status == 201));
    assert!(matches!(place(&memory, &pay, &command("chicken", 2, Some("k"))).await, Err(PlaceOrderError::KeyReused)));
    assert_eq!((memory.all_orders().len(), pay.calls.load(Ordering::SeqCst)), (1, 1), "one order, one payment");
}

#[tokio::test]
async fn the_menu_changes_by_the_store_owners_rules() {
    let memory = Memory::with_menu();
    let pizza = ItemName::parse("pizza").unwrap();
    assert!(matches!(
        application::add_item(&memory, pizza.clone(), Won::new(1)).await,
        Err(application::AddItemError::Exists(_))
    ));
    let on_sale =
        application::change_item(&memory, &pizza, Some(Won::new(21000)), Some(MenuStatus::OnSale)).await.unwrap();
    assert_eq!((on_sale.price, on_sale.status, on_sale.version), (Won::new(21000), MenuStatus::OnSale, 3));
    let first = application::menu_page(&memory, &PageRequest::first(1)).await.unwrap();
    let names: Vec<String> = first.items.iter().map(|i| i.name.to_string()).collect();
    assert_eq!(names, ["chicken"], "one item a page, by name");
    let rest = application::menu_page(&memory, &PageRequest::after(5, first.next.unwrap())).await.unwrap();
    let names: Vec<String> = rest.items.iter().map(|i| i.name.to_string()).collect();
    assert_eq!((names, rest.next), (vec!["pizza".to_owned()], None), "the last page says there is no more");
    let unknown = ItemName::parse("bulgogi").unwrap();
    assert!(matches!(
        application::change_item(&memory, &unknown, None, Some(MenuStatus::SoldOut)).await,
        Err(application::ChangeItemError::NotFound(_))
    ));
}

#[tokio::test]
async fn cancelling_asks_the_store_first_and_only_its_yes_cancels_with_order_cancelled() {
    let memory = Memory::with_menu();
    let order = paid_order(&memory).await;
    let caller = Caller { subject: "auth0|kim".into(), groups: vec![] };
    let desk = Desk(Some(StoreCancellation::TooLate), AtomicUsize::new(0));
    let refused = application::cancel_order(&memory, &desk, &caller, order.id()).await;
    assert!(
        matches!(refused, Err(CancelOrderError::NotPaid(CancelError::NotPaid(OrderStatus::Cooking)))),
        "{refused:?}"
    );
    let down = Desk(None, AtomicUsize::new(0));
    assert!(matches!(
        application::cancel_order(&memory, &down, &caller, order.id()).await,
        Err(CancelOrderError::Unavailable(_))
    ));
    assert_eq!(memory.orders.lock().unwrap()[order.id()].status(), OrderStatus::Paid, "unchanged");

    let yes = Desk(Some(StoreCancellation::Cancelled), AtomicUsize::new(0));
    let cancelled = application::cancel_order(&memory, &yes, &caller, order.id()).await.unwrap();
    assert_eq!(cancelled.status(), OrderStatus::Cancelled);
    assert!(matches!(memory.events().last(), Some(OrderEvent::Cancelled { amount, .. }) if *amount == Won::new(36000)));
    let again = application::cancel_order(&memory, &yes, &caller, order.id()).await.unwrap();
    assert_eq!(again.status(), OrderStatus::Cancelled);
    assert_eq!(yes.1.load(Ordering::SeqCst), 1, "a repeat asks nobody");

    let lee = Caller { subject: "auth0|lee".into(), groups: vec![] };
    assert!(matches!(
        application::cancel_order(&memory, &yes, &lee, order.id()).await,
        Err(CancelOrderError::NotFound(_))
    ));
}

#[tokio::test]
async fn store_events_move_the_order_forward_once_and_never_back() {
    let memory = Memory::with_menu();
    let order = paid_order(&memory).await;
    let cooking = envelope("e-1");
    let followed = application::follow_store(&memory, order.id(), StoreFact::CookingStarted, &cooking).await.unwrap();
    assert_eq!(followed, Followed::Moved(OrderStatus::Cooking));
    let dispatched = envelope("e-2");
    let followed = application::follow_store(&memory, order.id(), StoreFact::DeliveryDispatched, &dispatched).await;
    assert_eq!(followed.unwrap(), Followed::Moved(OrderStatus::Dispatched));
    for (event, fact) in [(&cooking, StoreFact::CookingStarted), (&envelope("e-3"), StoreFact::Cancelled)] {
        let again = application::follow_store(&memory, order.id(), fact, event).await.unwrap();
        assert_eq!(again, Followed::Unchanged);
    }
    assert_eq!(memory.orders.lock().unwrap()[order.id()].status(), OrderStatus::Dispatched);
    let unknown = OrderId::generate();
    assert!(matches!(
        application::follow_store(&memory, &unknown, StoreFact::CookingStarted, &envelope("e-4")).await,
        Err(FollowError::UnknownOrder(_))
    ));
}

#[tokio::test]
async fn store_order_cancelled_reconciles_a_paid_order_as_the_command_would() {
    let memory = Memory::with_menu();
    let order = paid_order(&memory).await;
    let followed =
        application::follow_store(&memory, order.id(), StoreFact::Cancelled, &envelope("e-1")).await.unwrap();
    assert_eq!(followed, Followed::Moved(OrderStatus::Cancelled));
    assert!(matches!(memory.events().last(), Some(OrderEvent::Cancelled { .. })));
}

#[tokio::test]
async fn payment_approved_fails_only_an_order_a_crash_left_pending_past_the_timeout() {
    let memory = Memory::with_menu();
    let chicken = memory.find_item(&ItemName::parse("chicken").unwrap()).await.unwrap().unwrap();
    let old = chrono::Utc::now() - TimeDelta::seconds(5);
    let stuck = Order::begin(OrderId::generate(), kim(), &chicken, Quantity::ONE, old).unwrap();
    memory.begin(&stuck).await.unwrap();
    let fresh = Order::begin(OrderId::generate(), kim(), &chicken, Quantity::ONE, chrono::Utc::now()).unwrap();
    memory.begin(&fresh).await.unwrap();
    let timeout = TimeDelta::milliseconds(610);

    let failed = application::fail_if_stuck(&memory, stuck.id(), &envelope("a-1"), timeout).await.unwrap();
    assert_eq!(failed, Followed::Moved(OrderStatus::PaymentFailed));
    assert!(matches!(memory.events().as_slice(), [OrderEvent::PaymentAbandoned { .. }]));
    let still = application::fail_if_stuck(&memory, fresh.id(), &envelope("a-2"), timeout).await;
    assert!(matches!(still, Err(FollowError::StillPaying(_))), "retried later: {still:?}");
    let paid = paid_order(&memory).await;
    let unchanged = application::fail_if_stuck(&memory, paid.id(), &envelope("a-3"), timeout).await.unwrap();
    assert_eq!(unchanged, Followed::Unchanged);
}
