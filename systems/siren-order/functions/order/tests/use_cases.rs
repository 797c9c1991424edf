//! The HTTP handlers and use cases of the order context against in-memory fakes of its
//! ports (`Orders`, `ProductPricing`, `DeliveryDesk`): fast, no emulator. Requests are
//! the real API Gateway v2 sample events of `events/`, edited per case.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use lambda_http::{Body, Request, Response};
use order::application::{FirstAnswer, PlaceOrderError, Placed};
use order::domain::{
    CustomerId, Order, OrderEvent, OrderId, OrderStatus, PricedProduct, Pricing, ProductId, Quantity, RequestedLine,
};
use order::policies::Followed;
use order::ports::{DeliveryCancellation, DeliveryDesk, Orders, ProductPricing};
use order::wiring::{CancelOrder, GetOrder, ListOrders, PlaceOrder};
use platform::dynamo::WriteError;
use platform::http::ApiError;
use platform::idempotency::{IdempotencyKey, IdempotencyRecord};
use platform::inbox::Applied;
use platform::invoke::InvokeError;
use platform::page::{Page, PageError, PageRequest};
use platform::{EventEnvelope, Won};
use serde_json::{Value, json};

// ------------------------------------------------------------------ fakes

/// Orders in memory, with the same all-or-nothing and version rules as the store.
#[derive(Default)]
struct FakeOrders {
    state: Mutex<Stored>,
}

#[derive(Default)]
struct Stored {
    orders: BTreeMap<String, Order>,
    /// Idempotency records by `(customer, key)`.
    records: BTreeMap<(String, String), IdempotencyRecord>,
    /// Everything that went to the outbox, in order.
    events: Vec<OrderEvent>,
    inbox: BTreeSet<String>,
    /// The next `place` loses its race to this record (a concurrent duplicate).
    racing_winner: Option<IdempotencyRecord>,
    /// How many of the next `save`s lose a version race.
    lost_races: usize,
}

impl FakeOrders {
    fn with(orders: impl IntoIterator<Item = Order>) -> Self {
        let fake = Self::default();
        fake.state.lock().unwrap().orders.extend(orders.into_iter().map(|o| (o.id().to_string(), o)));
        fake
    }

    fn order(&self, id: &str) -> Option<Order> {
        self.state.lock().unwrap().orders.get(id).cloned()
    }

    fn count(&self) -> usize {
        self.state.lock().unwrap().orders.len()
    }

    fn events(&self) -> Vec<OrderEvent> {
        self.state.lock().unwrap().events.clone()
    }

    fn records(&self) -> usize {
        self.state.lock().unwrap().records.len()
    }
}

impl Orders for FakeOrders {
    async fn find(&self, id: &OrderId) -> anyhow::Result<Option<Order>> {
        Ok(self.order(id.as_str()))
    }

    async fn list_for_customer(&self, customer_id: &CustomerId, page: &PageRequest) -> Result<Page<Order>, PageError> {
        let stored = self.state.lock().unwrap();
        let mut orders: Vec<Order> =
            stored.orders.values().filter(|o| o.customer_id() == customer_id).cloned().collect();
        orders.sort_by_key(|o| std::cmp::Reverse(o.placed_at()));
        Page::of_list(orders, customer_id.as_str(), page)
    }

    async fn find_idempotency(
        &self,
        customer_id: &CustomerId,
        key: &IdempotencyKey,
    ) -> anyhow::Result<Option<IdempotencyRecord>> {
        Ok(self.state.lock().unwrap().records.get(&(customer_id.to_string(), key.as_str().to_owned())).cloned())
    }

    async fn place(
        &self,
        order: &Order,
        key: &IdempotencyKey,
        record: &IdempotencyRecord,
        events: &[OrderEvent],
    ) -> Result<(), WriteError> {
        let mut stored = self.state.lock().unwrap();
        let record_key = (order.customer_id().to_string(), key.as_str().to_owned());
        if let Some(winner) = stored.racing_winner.take() {
            stored.records.insert(record_key, winner);
            return Err(WriteError::Conflict);
        }
        if stored.records.contains_key(&record_key) || stored.orders.contains_key(order.id().as_str()) {
            return Err(WriteError::Conflict);
        }
        stored.records.insert(record_key, record.clone());
        stored.orders.insert(order.id().to_string(), order.clone());
        stored.events.extend_from_slice(events);
        Ok(())
    }

    async fn save(&self, order: &Order, expected_version: u64, events: &[OrderEvent]) -> Result<(), WriteError> {
        let mut stored = self.state.lock().unwrap();
        if stored.lost_races > 0 {
            stored.lost_races -= 1;
            return Err(WriteError::Conflict);
        }
        match stored.orders.get(order.id().as_str()) {
            Some(current) if current.version() == expected_version => {}
            _ => return Err(WriteError::Conflict),
        }
        stored.orders.insert(order.id().to_string(), order.clone());
        stored.events.extend_from_slice(events);
        Ok(())
    }

    async fn save_once(
        &self,
        cause: &EventEnvelope,
        order: &Order,
        expected_version: u64,
        events: &[OrderEvent],
    ) -> Result<Applied, WriteError> {
        if self.state.lock().unwrap().inbox.contains(&cause.id) {
            return Ok(Applied::AlreadyDone);
        }
        self.save(order, expected_version, events).await?;
        self.state.lock().unwrap().inbox.insert(cause.id.clone());
        Ok(Applied::Now)
    }
}

/// How a fake dependency behaves.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Health {
    Answers,
    BreakerOpen,
    TimesOut,
}

fn failure(health: Health) -> Option<InvokeError> {
    match health {
        Health::Answers => None,
        Health::BreakerOpen => Some(InvokeError::Open("fake".into())),
        Health::TimesOut => Some(InvokeError::Timeout { function: "fake".into(), timeout_ms: 1000 }),
    }
}

/// The product context: a menu of `(id, name, price, orderable)`.
struct FakeMenu {
    products: Vec<(&'static str, &'static str, u64, bool)>,
    health: Health,
    asked: Mutex<Vec<Vec<String>>>,
}

impl FakeMenu {
    fn new(products: Vec<(&'static str, &'static str, u64, bool)>) -> Self {
        Self { products, health: Health::Answers, asked: Mutex::default() }
    }

    fn asked(&self) -> Vec<Vec<String>> {
        self.asked.lock().unwrap().clone()
    }
}

impl ProductPricing for FakeMenu {
    async fn price(&self, products: &[ProductId]) -> Result<Pricing, InvokeError> {
        self.asked.lock().unwrap().push(products.iter().map(ToString::to_string).collect());
        if let Some(err) = failure(self.health) {
            return Err(err);
        }
        let mut pricing = Pricing::default();
        for id in products {
            match self.products.iter().find(|p| p.0 == id.as_str()) {
                Some(&(_, name, price, orderable)) => pricing.products.push(PricedProduct {
                    product_id: id.clone(),
                    name: name.into(),
                    unit_price: Won::new(price),
                    orderable,
                }),
                None => pricing.unknown.push(id.clone()),
            }
        }
        Ok(pricing)
    }
}

/// The counter.
struct FakeDesk {
    answer: DeliveryCancellation,
    health: Health,
    asked: Mutex<Vec<String>>,
}

impl FakeDesk {
    fn answering(answer: DeliveryCancellation) -> Self {
        Self { answer, health: Health::Answers, asked: Mutex::default() }
    }

    fn asked(&self) -> Vec<String> {
        self.asked.lock().unwrap().clone()
    }
}

impl DeliveryDesk for FakeDesk {
    async fn cancel(&self, order_id: &OrderId, _customer_id: &CustomerId) -> Result<DeliveryCancellation, InvokeError> {
        self.asked.lock().unwrap().push(order_id.to_string());
        failure(self.health).map_or(Ok(self.answer), Err)
    }
}

// ------------------------------------------------------------------ requests

const MINJI: &str = "01a1fcae-3de8-72e8-9d91-af9e4b458b9a";
const AMERICANO: &str = "01a1fcae-3f0f-715a-920b-ecd273ccf4ed";
const LATTE: &str = "01a1fcae-3f0f-715a-920b-ecd273ccf4ee";
const SAMPLE_ORDER: &str = "01a1fcae-4122-72bd-a903-a28266cbd449";

fn menu() -> FakeMenu {
    FakeMenu::new(vec![(AMERICANO, "Americano", 4500, true), (LATTE, "Latte", 5000, false)])
}

fn sample(file: &str) -> Value {
    let text = devstack::testing::system_of(env!("CARGO_MANIFEST_DIR")).event_text(file).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn request(event: Value) -> Request {
    lambda_http::request::from_str(&event.to_string()).unwrap()
}

/// `events/place-order.json` as `sub` with `key` and `body`.
fn place_request(sub: &str, key: &str, body: &Value) -> Request {
    let mut event = sample("place-order.json");
    event["requestContext"]["authorizer"]["jwt"]["claims"]["sub"] = json!(sub);
    event["headers"]["idempotency-key"] = json!(key);
    event["body"] = json!(body.to_string());
    request(event)
}

fn two_americanos() -> Value {
    json!({ "items": [{ "productId": AMERICANO, "quantity": 2 }] })
}

/// `events/cancel-order.json` for order `id`, as `sub`.
fn cancel_request(sub: &str, id: &str) -> Request {
    let mut event = sample("cancel-order.json");
    event["requestContext"]["authorizer"]["jwt"]["claims"]["sub"] = json!(sub);
    event["pathParameters"]["orderId"] = json!(id);
    event["rawPath"] = json!(format!("/orders/{id}/cancel"));
    request(event)
}

/// `events/get-order.json` for order `id`, as `sub` in `groups`.
fn get_request(sub: &str, groups: &str, id: &str) -> Request {
    let mut event = sample("get-order.json");
    event["requestContext"]["authorizer"]["jwt"]["claims"] = json!({ "sub": sub, "cognito:groups": groups });
    event["pathParameters"]["orderId"] = json!(id);
    event["rawPath"] = json!(format!("/orders/{id}"));
    request(event)
}

/// `events/list-orders.json` as `sub` in `groups`, with `?customerId=` if given.
fn list_request(sub: &str, groups: &str, customer_id: Option<&str>) -> Request {
    let mut event = sample("list-orders.json");
    event["requestContext"]["authorizer"]["jwt"]["claims"] = json!({ "sub": sub, "cognito:groups": groups });
    match customer_id {
        Some(id) => {
            event["queryStringParameters"] = json!({ "customerId": id });
            event["rawQueryString"] = json!(format!("customerId={}", id.replace(' ', "%20")));
        }
        None => {
            event.as_object_mut().unwrap().remove("queryStringParameters");
            event["rawQueryString"] = json!("");
        }
    }
    request(event)
}

/// An order of `customer` for two Americanos, stored at version 1.
fn placed(id: &str, customer: &str) -> Order {
    let americano = ProductId::parse(AMERICANO).unwrap();
    let pricing = Pricing {
        products: vec![PricedProduct {
            product_id: americano.clone(),
            name: "Americano".into(),
            unit_price: Won::new(4500),
            orderable: true,
        }],
        unknown: vec![],
    };
    let lines = [RequestedLine { product_id: americano, quantity: Quantity::parse(2).unwrap() }];
    let (order, _) = Order::place(
        OrderId::parse(id).unwrap(),
        CustomerId::parse(customer).unwrap(),
        &lines,
        &pricing,
        chrono::Utc::now(),
    )
    .unwrap();
    order
}

fn body(response: &Response<Body>) -> Value {
    serde_json::from_slice(response.body().as_ref()).unwrap()
}

/// The status and problem+json body of an error answer.
fn problem(result: Result<Response<Body>, ApiError>) -> (u16, Value) {
    let response = platform::http::respond(result);
    assert_eq!(response.headers()["content-type"], "application/problem+json");
    (response.status().as_u16(), body(&response))
}

fn fields(problem: &Value) -> Vec<String> {
    problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap().to_owned()).collect()
}

// ------------------------------------------------------------------ place order

#[tokio::test]
async fn placing_answers_201_placed_at_the_menu_price_and_emits_order_placed() {
    let deps = PlaceOrder { orders: FakeOrders::default(), pricing: menu() };
    let response = order::http::place_order(&deps, place_request(MINJI, "k1", &two_americanos())).await.unwrap();

    assert_eq!(response.status(), 201);
    assert_eq!(response.headers()["content-type"], "application/json");
    assert!(!response.headers().contains_key("idempotent-replayed"));
    let view = body(&response);
    assert_eq!(view["status"], "Placed");
    assert_eq!(view["customerId"], MINJI);
    assert_eq!(view["amount"], 9000);
    assert_eq!(view["cancellable"], true);
    assert_eq!(
        view["lines"],
        json!([{ "productId": AMERICANO, "name": "Americano", "unitPrice": 4500, "quantity": 2, "amount": 9000 }])
    );
    assert_eq!(deps.pricing.asked(), [vec![AMERICANO.to_owned()]]);

    let id = view["orderId"].as_str().unwrap();
    let stored = deps.orders.order(id).unwrap();
    assert_eq!((stored.status(), stored.amount(), stored.version()), (OrderStatus::Placed, Won::new(9000), 1));
    let events = deps.orders.events();
    assert!(
        matches!(&events[..], [OrderEvent::Placed { order_id, amount, lines, .. }]
            if order_id.as_str() == id && *amount == Won::new(9000) && lines.len() == 1),
        "{events:?}"
    );
    assert_eq!(deps.orders.records(), 1, "the first answer is remembered with the order");
}

#[tokio::test]
async fn a_sold_out_or_unknown_product_is_422_naming_it_and_nothing_is_written() {
    let deps = PlaceOrder { orders: FakeOrders::default(), pricing: menu() };
    let latte = json!({ "items": [{ "productId": LATTE, "quantity": 1 }] });
    let (status, sold_out) = problem(order::http::place_order(&deps, place_request(MINJI, "k1", &latte)).await);
    assert_eq!(status, 422);
    assert!(sold_out["detail"].as_str().unwrap().contains("Latte"), "{sold_out}");

    let unknown =
        json!({ "items": [{ "productId": AMERICANO, "quantity": 1 }, { "productId": "no-such", "quantity": 1 }] });
    let (status, refused) = problem(order::http::place_order(&deps, place_request(MINJI, "k2", &unknown)).await);
    assert_eq!(status, 422);
    assert!(refused["detail"].as_str().unwrap().contains("no-such"), "{refused}");

    assert_eq!((deps.orders.count(), deps.orders.records(), deps.orders.events().len()), (0, 0, 0));
}

#[tokio::test]
async fn a_replay_answers_the_first_response_and_another_body_with_the_key_is_422() {
    let deps = PlaceOrder { orders: FakeOrders::default(), pricing: menu() };
    let first = order::http::place_order(&deps, place_request(MINJI, "same", &two_americanos())).await.unwrap();
    let again = order::http::place_order(&deps, place_request(MINJI, "same", &two_americanos())).await.unwrap();
    assert_eq!(again.status(), 201);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(body(&again), body(&first), "the very first answer");
    assert_eq!(deps.pricing.asked().len(), 1, "a replay asks nobody");

    let three = json!({ "items": [{ "productId": AMERICANO, "quantity": 3 }] });
    let (status, reused) = problem(order::http::place_order(&deps, place_request(MINJI, "same", &three)).await);
    assert_eq!(status, 422);
    assert!(reused["detail"].as_str().unwrap().contains("Idempotency-Key"), "{reused}");
    assert_eq!((deps.orders.count(), deps.orders.events().len()), (1, 1));

    // Keys are the caller's own: another customer's identical key places their own order.
    let other = order::http::place_order(&deps, place_request("auth0|other", "same", &two_americanos())).await.unwrap();
    assert_eq!(other.status(), 201);
    assert_ne!(body(&other)["orderId"], body(&first)["orderId"]);
}

#[tokio::test]
async fn the_use_case_itself_tells_a_replay_from_a_reused_key() {
    let orders = FakeOrders::default();
    let pricing = menu();
    let command = |quantity: i64| order::application::PlaceOrder {
        customer_id: CustomerId::parse(MINJI).unwrap(),
        key: platform::idempotency::key(&place_request(MINJI, "k", &two_americanos())).unwrap(),
        lines: vec![RequestedLine {
            product_id: ProductId::parse(AMERICANO).unwrap(),
            quantity: Quantity::parse(quantity).unwrap(),
        }],
    };
    let answer = |order: &Order| Ok(FirstAnswer { status: 201, body: order.id().to_string() });
    let first = order::application::place_order(&orders, &pricing, &command(2), answer).await.unwrap();
    let Placed::New { order: placed, answer: record } = first else { panic!("not placed: {first:?}") };
    assert_eq!(record.response, placed.id().as_str());
    let again = order::application::place_order(&orders, &pricing, &command(2), answer).await.unwrap();
    assert_eq!(again, Placed::Replayed(record));
    let reused = order::application::place_order(&orders, &pricing, &command(3), answer).await;
    assert!(matches!(reused, Err(PlaceOrderError::KeyReused)), "{reused:?}");
    assert_eq!(orders.count(), 1);
}

#[tokio::test]
async fn a_concurrent_duplicate_that_loses_the_race_answers_the_winners_response() {
    let deps = PlaceOrder { orders: FakeOrders::default(), pricing: menu() };
    let command = order::application::PlaceOrder {
        customer_id: CustomerId::parse(MINJI).unwrap(),
        key: platform::idempotency::key(&place_request(MINJI, "raced", &two_americanos())).unwrap(),
        lines: vec![RequestedLine {
            product_id: ProductId::parse(AMERICANO).unwrap(),
            quantity: Quantity::parse(2).unwrap(),
        }],
    };
    let winner = IdempotencyRecord {
        fingerprint: command.fingerprint(),
        resource_id: "01a1fcae-0000-7000-8000-000000000001".into(),
        status: 201,
        response: r#"{"orderId":"01a1fcae-0000-7000-8000-000000000001"}"#.into(),
    };
    deps.orders.state.lock().unwrap().racing_winner = Some(winner.clone());

    let response = order::http::place_order(&deps, place_request(MINJI, "raced", &two_americanos())).await.unwrap();
    assert_eq!(response.status(), 201);
    assert_eq!(response.headers()["idempotent-replayed"], "true");
    assert_eq!(body(&response), json!({ "orderId": "01a1fcae-0000-7000-8000-000000000001" }));
    assert_eq!(deps.orders.count(), 0, "the loser stored nothing");
    assert!(deps.orders.events().is_empty());
}

#[tokio::test]
async fn an_unavailable_product_context_is_503_with_retry_after_and_nothing_is_written() {
    for (health, retry_after) in [(Health::BreakerOpen, 10), (Health::TimesOut, 1)] {
        let mut pricing = menu();
        pricing.health = health;
        let deps = PlaceOrder { orders: FakeOrders::default(), pricing };
        let result = order::http::place_order(&deps, place_request(MINJI, "k", &two_americanos())).await;
        match result {
            Err(ApiError::Unavailable { retry_after_seconds, ref detail }) => {
                assert_eq!(retry_after_seconds, retry_after);
                assert!(detail.contains("menu"), "{detail}");
            }
            other => panic!("expected 503, got {other:?}"),
        }
        let response = platform::http::respond(result);
        assert_eq!(response.status(), 503);
        assert_eq!(response.headers()["retry-after"], retry_after.to_string());
        assert_eq!((deps.orders.count(), deps.orders.records()), (0, 0));
    }
}

#[tokio::test]
async fn the_body_may_name_the_caller_only_and_bad_fields_are_400_naming_each() {
    let deps = PlaceOrder { orders: FakeOrders::default(), pricing: menu() };
    let mine = json!({ "customerId": MINJI, "items": [{ "productId": AMERICANO, "quantity": 1 }] });
    assert_eq!(order::http::place_order(&deps, place_request(MINJI, "a", &mine)).await.unwrap().status(), 201);

    let theirs = json!({ "customerId": "auth0|someone-else", "items": [{ "productId": AMERICANO, "quantity": 1 }] });
    let (status, _) = problem(order::http::place_order(&deps, place_request(MINJI, "b", &theirs)).await);
    assert_eq!(status, 403);

    let bad = json!({ "customerId": "not an id", "items": [{ "productId": "", "quantity": 21 }, { "quantity": 1 }] });
    let (status, refused) = problem(order::http::place_order(&deps, place_request(MINJI, "c", &bad)).await);
    assert_eq!(status, 400);
    assert_eq!(
        fields(&refused),
        ["customerId", "items[0].productId", "items[0].quantity", "items[1].productId"],
        "{refused}"
    );

    let twice =
        json!({ "items": [{ "productId": AMERICANO, "quantity": 1 }, { "productId": AMERICANO, "quantity": 1 }] });
    let (status, refused) = problem(order::http::place_order(&deps, place_request(MINJI, "d", &twice)).await);
    assert_eq!((status, fields(&refused)), (400, vec!["items[1].productId".to_owned()]));

    let mut no_key = sample("place-order.json");
    no_key["headers"].as_object_mut().unwrap().remove("idempotency-key");
    let (status, refused) = problem(order::http::place_order(&deps, request(no_key)).await);
    assert_eq!((status, fields(&refused)), (400, vec!["Idempotency-Key".to_owned()]));

    assert_eq!(deps.orders.count(), 1, "only the valid request placed an order");
    assert_eq!(deps.pricing.asked().len(), 1, "bad input asks nobody");
}

// ------------------------------------------------------------------ cancel order

#[tokio::test]
async fn cancelling_before_the_counter_starts_is_200_cancelled_and_emits_order_cancelled_once() {
    let deps = CancelOrder {
        orders: FakeOrders::with([placed(SAMPLE_ORDER, MINJI)]),
        desk: FakeDesk::answering(DeliveryCancellation::Cancelled),
    };
    let response = order::http::cancel_order(&deps, cancel_request(MINJI, SAMPLE_ORDER)).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(body(&response)["status"], "Cancelled");
    assert_eq!(body(&response)["cancellable"], false);
    assert_eq!(deps.desk.asked(), [SAMPLE_ORDER]);
    let stored = deps.orders.order(SAMPLE_ORDER).unwrap();
    assert_eq!((stored.status(), stored.version()), (OrderStatus::Cancelled, 2));
    assert!(matches!(&deps.orders.events()[..], [OrderEvent::Cancelled { amount, .. }] if *amount == Won::new(9000)));

    // Again: the cancelled order is answered, the counter is not asked, nothing is emitted.
    let again = order::http::cancel_order(&deps, cancel_request(MINJI, SAMPLE_ORDER)).await.unwrap();
    assert_eq!((again.status().as_u16(), body(&again)["status"].clone()), (200, json!("Cancelled")));
    assert_eq!(deps.desk.asked().len(), 1);
    assert_eq!(deps.orders.events().len(), 1);
}

#[tokio::test]
async fn a_lost_version_race_is_decided_again_and_cancels_once() {
    let deps = CancelOrder {
        orders: FakeOrders::with([placed(SAMPLE_ORDER, MINJI)]),
        desk: FakeDesk::answering(DeliveryCancellation::Cancelled),
    };
    deps.orders.state.lock().unwrap().lost_races = 2;
    let response = order::http::cancel_order(&deps, cancel_request(MINJI, SAMPLE_ORDER)).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(deps.orders.events().len(), 1);
    assert_eq!(deps.desk.asked().len(), 1, "the counter is asked once");
}

#[tokio::test]
async fn cancelling_once_the_counter_started_is_409_and_changes_nothing() {
    // The counter says so.
    let deps = CancelOrder {
        orders: FakeOrders::with([placed(SAMPLE_ORDER, MINJI)]),
        desk: FakeDesk::answering(DeliveryCancellation::AlreadyStarted),
    };
    let (status, _) = problem(order::http::cancel_order(&deps, cancel_request(MINJI, SAMPLE_ORDER)).await);
    assert_eq!(status, 409);
    let untouched = deps.orders.order(SAMPLE_ORDER).unwrap();
    assert_eq!((untouched.status(), untouched.version()), (OrderStatus::Placed, 1));
    assert!(deps.orders.events().is_empty());

    // The order knows it already (DeliveryStarted was followed): the counter is not asked.
    let started =
        placed(SAMPLE_ORDER, MINJI).follow(&order::domain::DeliveryFact::Started, chrono::Utc::now()).unwrap().0;
    let deps =
        CancelOrder { orders: FakeOrders::with([started]), desk: FakeDesk::answering(DeliveryCancellation::Cancelled) };
    let (status, _) = problem(order::http::cancel_order(&deps, cancel_request(MINJI, SAMPLE_ORDER)).await);
    assert_eq!(status, 409);
    assert!(deps.desk.asked().is_empty());
    assert!(deps.orders.events().is_empty());
}

#[tokio::test]
async fn another_customers_or_an_unknown_order_is_404_and_the_counter_is_not_asked() {
    let deps = CancelOrder {
        orders: FakeOrders::with([placed(SAMPLE_ORDER, MINJI)]),
        desk: FakeDesk::answering(DeliveryCancellation::Cancelled),
    };
    for (sub, id) in
        [("auth0|intruder", SAMPLE_ORDER), (MINJI, "01a1fcae-4122-72bd-a903-000000000000"), (MINJI, "not-an-order-id")]
    {
        let (status, _) = problem(order::http::cancel_order(&deps, cancel_request(sub, id)).await);
        assert_eq!(status, 404, "{sub} {id}");
    }
    assert!(deps.desk.asked().is_empty());
    assert_eq!(deps.orders.order(SAMPLE_ORDER).unwrap().status(), OrderStatus::Placed);
    assert!(deps.orders.events().is_empty());
}

#[tokio::test]
async fn an_unavailable_counter_is_503_with_retry_after_and_changes_nothing() {
    for (health, retry_after) in [(Health::BreakerOpen, 10), (Health::TimesOut, 1)] {
        let mut desk = FakeDesk::answering(DeliveryCancellation::Cancelled);
        desk.health = health;
        let deps = CancelOrder { orders: FakeOrders::with([placed(SAMPLE_ORDER, MINJI)]), desk };
        let result = order::http::cancel_order(&deps, cancel_request(MINJI, SAMPLE_ORDER)).await;
        assert!(
            matches!(&result, Err(ApiError::Unavailable { retry_after_seconds, .. }) if *retry_after_seconds == retry_after),
            "{result:?}"
        );
        assert_eq!(platform::http::respond(result).headers()["retry-after"], retry_after.to_string());
        assert_eq!(deps.orders.order(SAMPLE_ORDER).unwrap().status(), OrderStatus::Placed);
        assert!(deps.orders.events().is_empty());
    }
}

// ------------------------------------------------------------------ read

#[tokio::test]
async fn an_order_is_seen_by_its_customer_and_the_staff_only() {
    let deps = GetOrder { orders: FakeOrders::with([placed(SAMPLE_ORDER, MINJI)]) };
    let own = order::http::get_order(&deps, get_request(MINJI, "[]", SAMPLE_ORDER)).await.unwrap();
    assert_eq!((own.status().as_u16(), body(&own)["orderId"].clone()), (200, json!(SAMPLE_ORDER)));
    let barista = order::http::get_order(&deps, get_request("staff|1", "[barista]", SAMPLE_ORDER)).await.unwrap();
    assert_eq!(body(&barista)["amount"], 9000);
    let (status, _) = problem(order::http::get_order(&deps, get_request("auth0|intruder", "[]", SAMPLE_ORDER)).await);
    assert_eq!(status, 404);
    let (status, _) = problem(order::http::get_order(&deps, get_request(MINJI, "[]", "nope")).await);
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_customer_lists_their_own_orders_and_the_owner_anyones() {
    let deps = ListOrders {
        orders: FakeOrders::with([
            placed(SAMPLE_ORDER, MINJI),
            placed("01a1fcae-4122-72bd-a903-000000000002", "auth0|other"),
        ]),
    };
    let mine = order::http::list_orders(&deps, list_request(MINJI, "[]", None)).await.unwrap();
    assert_eq!(body(&mine)["orders"].as_array().unwrap().len(), 1);
    assert_eq!(body(&mine)["orders"][0]["orderId"], SAMPLE_ORDER);
    let (status, _) = problem(order::http::list_orders(&deps, list_request("auth0|other", "[]", Some(MINJI))).await);
    assert_eq!(status, 404);
    let owner = order::http::list_orders(&deps, list_request("staff|1", "[owner]", Some(MINJI))).await.unwrap();
    assert_eq!(body(&owner)["orders"][0]["orderId"], SAMPLE_ORDER);
    let (status, refused) = problem(order::http::list_orders(&deps, list_request(MINJI, "[]", Some("a b"))).await);
    assert_eq!((status, fields(&refused)), (400, vec!["customerId".to_owned()]));
}

// ------------------------------------------------------------------ the sample events as they are

#[tokio::test]
async fn the_sample_place_and_cancel_events_run_against_the_fakes() {
    let deps = PlaceOrder { orders: FakeOrders::default(), pricing: menu() };
    let response = order::http::place_order(&deps, request(sample("place-order.json"))).await.unwrap();
    assert_eq!(response.status(), 201);
    let view = body(&response);
    assert_eq!((view["customerId"].clone(), view["amount"].clone()), (json!(MINJI), json!(9000)));
    assert_eq!(deps.pricing.asked(), [vec![AMERICANO.to_owned()]]);

    let deps = CancelOrder {
        orders: FakeOrders::with([placed(SAMPLE_ORDER, MINJI)]),
        desk: FakeDesk::answering(DeliveryCancellation::Cancelled),
    };
    let response = order::http::cancel_order(&deps, request(sample("cancel-order.json"))).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(body(&response)["status"], "Cancelled");
    assert_eq!(deps.desk.asked(), [SAMPLE_ORDER]);
    assert_eq!(deps.orders.events().len(), 1);
}

// ------------------------------------------------------------------ follow delivery

#[tokio::test]
async fn a_delivery_event_for_an_unknown_order_fails_and_a_repeat_changes_nothing() {
    let batch = sample("sqs-order-delivery-events.json");
    let envelope = |n: usize| {
        let body: Value = serde_json::from_str(batch["Records"][n]["body"].as_str().unwrap()).unwrap();
        serde_json::from_str::<EventEnvelope>(body["Message"].as_str().unwrap()).unwrap()
    };
    let empty = FakeOrders::default();
    let err = order::policies::apply(&empty, &envelope(0)).await.unwrap_err();
    assert!(matches!(err, order::policies::FollowDeliveryError::UnknownOrder(_)), "{err:?}");

    let orders = FakeOrders::with([placed(SAMPLE_ORDER, MINJI)]);
    assert_eq!(order::policies::apply(&orders, &envelope(0)).await.unwrap(), Followed::Moved(OrderStatus::Waiting));
    assert_eq!(order::policies::apply(&orders, &envelope(0)).await.unwrap(), Followed::Unchanged);
    assert_eq!(order::policies::apply(&orders, &envelope(2)).await.unwrap(), Followed::Moved(OrderStatus::Completed));
    assert_eq!(order::policies::apply(&orders, &envelope(1)).await.unwrap(), Followed::Unchanged, "late start");
    let stored = orders.order(SAMPLE_ORDER).unwrap();
    assert_eq!((stored.status(), stored.waiting_number(), stored.version()), (OrderStatus::Completed, Some(1), 3));
    assert!(matches!(&orders.events()[..], [OrderEvent::Completed { .. }]));
}

/// The counter's `DeliveryCancelled` from `events/sqs-order-delivery-cancelled.json`.
fn delivery_cancelled() -> EventEnvelope {
    let batch = sample("sqs-order-delivery-cancelled.json");
    let body: Value = serde_json::from_str(batch["Records"][0]["body"].as_str().unwrap()).unwrap();
    serde_json::from_str::<EventEnvelope>(body["Message"].as_str().unwrap()).unwrap()
}

#[tokio::test]
async fn a_cancel_that_timed_out_after_the_counter_committed_is_finished_by_delivery_cancelled() {
    // The counter cancels, but its answer comes too late: the customer sees 503 ...
    let mut desk = FakeDesk::answering(DeliveryCancellation::Cancelled);
    desk.health = Health::TimesOut;
    let deps = CancelOrder { orders: FakeOrders::with([placed(SAMPLE_ORDER, MINJI)]), desk };
    let (status, _) = problem(order::http::cancel_order(&deps, cancel_request(MINJI, SAMPLE_ORDER)).await);
    assert_eq!(status, 503);
    assert_eq!(deps.desk.asked(), [SAMPLE_ORDER], "the counter was asked (and cancelled)");
    assert_eq!(deps.orders.order(SAMPLE_ORDER).unwrap().status(), OrderStatus::Placed);

    // ... and the counter's DeliveryCancelled cancels the order, once.
    let event = delivery_cancelled();
    assert_eq!(event.data["orderId"], SAMPLE_ORDER, "the sample is about the sample order");
    let followed = order::policies::apply(&deps.orders, &event).await.unwrap();
    assert_eq!(followed, Followed::Moved(OrderStatus::Cancelled));
    let stored = deps.orders.order(SAMPLE_ORDER).unwrap();
    assert_eq!((stored.status(), stored.may_cancel(), stored.version()), (OrderStatus::Cancelled, false, 2));
    assert!(
        matches!(
            &deps.orders.events()[..],
            [OrderEvent::Cancelled { reason: order::domain::CancelReason::DeliveryCancelled, amount, .. }]
                if *amount == Won::new(9000)
        ),
        "{:?}",
        deps.orders.events()
    );

    // The same event again, or another DeliveryCancelled of the order: nothing more.
    assert_eq!(order::policies::apply(&deps.orders, &event).await.unwrap(), Followed::Unchanged);
    let mut another = event.clone();
    another.id = "01a1fcae-7d00-7b11-8c22-d33e44f55a99".into();
    assert_eq!(order::policies::apply(&deps.orders, &another).await.unwrap(), Followed::Unchanged);
    assert_eq!(deps.orders.events().len(), 1, "OrderCancelled left once: points back once, one notification");
    assert_eq!(deps.orders.order(SAMPLE_ORDER).unwrap().version(), 2);

    // The customer tries again: the order is cancelled already; the counter is not asked.
    let again = order::http::cancel_order(&deps, cancel_request(MINJI, SAMPLE_ORDER)).await.unwrap();
    assert_eq!((again.status().as_u16(), body(&again)["status"].clone()), (200, json!("Cancelled")));
    assert_eq!(deps.desk.asked().len(), 1);
    assert_eq!(deps.orders.events().len(), 1);
}

#[tokio::test]
async fn delivery_cancelled_after_the_customers_own_cancel_changes_nothing() {
    let deps = CancelOrder {
        orders: FakeOrders::with([placed(SAMPLE_ORDER, MINJI)]),
        desk: FakeDesk::answering(DeliveryCancellation::Cancelled),
    };
    let response = order::http::cancel_order(&deps, cancel_request(MINJI, SAMPLE_ORDER)).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(order::policies::apply(&deps.orders, &delivery_cancelled()).await.unwrap(), Followed::Unchanged);
    assert!(
        matches!(
            &deps.orders.events()[..],
            [OrderEvent::Cancelled { reason: order::domain::CancelReason::CustomerRequest, .. }]
        ),
        "{:?}",
        deps.orders.events()
    );
}
