//! The app's handlers and its event consumer, fed with the real samples in `events/` (edited
//! where a case needs it), against the embedded DynamoDB with the template's tables and a fake
//! pay and store (the synchronous calls' ports).

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::time::Duration;

use app::domain::{CustomerId, OrderId, PaymentId};
use app::policies::FOLLOW_INBOX;
use app::ports::{Pay, Payment, StoreCancellation, StoreDesk};
use app::store::DynamoApp;
use app::wiring;
use aws_lambda_events::event::sqs::SqsEvent;
use devstack::emulators::{Database, Emulators};
use devstack::testing::{emulators_with_resources, physical_name, system_of};
use lambda_http::{Body, Request, Response};
use platform::Won;
use platform::inbox::for_each_event;
use platform::invoke::InvokeError;
use serde_json::{Value, json};

const HOUR: Duration = Duration::from_secs(3600);
/// The order ids in the samples' events.
const SAMPLE_ORDER: &str = "019a9a3c-7c1e-7d4a-9b2f-3e5d6c7b8a90";
const SAMPLE_SECOND_ORDER: &str = "019a9a3c-8d2f-7e5b-8c3a-4f6e7d8c9ba1";

fn system() -> devstack::System {
    system_of(env!("CARGO_MANIFEST_DIR"))
}

fn sample(name: &str) -> Request {
    lambda_http::request::from_str(&system().event_text(name).unwrap()).unwrap()
}

/// A sample aimed at order `id`.
fn on_order(file: &str, id: &str) -> Request {
    let text = system().event_text(file).unwrap().replace(SAMPLE_ORDER, id).replace(SAMPLE_SECOND_ORDER, id);
    lambda_http::request::from_str(&text).unwrap()
}

fn answer(response: Result<Response<Body>, platform::http::ApiError>) -> (u16, Value, Option<String>) {
    let response = response.unwrap_or_else(platform::http::ApiError::into_response);
    let retry = response.headers().get("retry-after").map(|v| v.to_str().unwrap().to_owned());
    (response.status().as_u16(), serde_json::from_slice(response.body().as_ref()).unwrap(), retry)
}

fn outbox(emulators: &Emulators) -> Vec<String> {
    let page = emulators.ddb(Database::scan, json!({ "TableName": physical_name("OrderTable") })).unwrap();
    let mut events: Vec<String> = page["Items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["kind"]["S"] == "OutboxEvent")
        .map(|i| i["eventType"]["S"].as_str().unwrap().to_owned())
        .collect();
    events.sort();
    events
}

/// Pay approving, or (`None`) not answering in time.
#[derive(Clone)]
struct FakePay(Option<Payment>);

impl Pay for FakePay {
    async fn available(&self) -> bool {
        true
    }

    async fn pay(&self, _: &OrderId, _: &CustomerId, _: Won) -> Result<Payment, InvokeError> {
        self.0.clone().ok_or_else(|| InvokeError::Timeout { function: "PayFunction".into(), timeout_ms: 610 })
    }
}

struct Store(StoreCancellation);

impl StoreDesk for Store {
    async fn cancel(&self, _: &OrderId, _: &CustomerId) -> Result<StoreCancellation, InvokeError> {
        Ok(self.0)
    }
}

async fn setup() -> (Emulators, DynamoApp) {
    let emulators = emulators_with_resources(system().template()).await;
    let client = platform::testing::dynamodb(&emulators.dynamodb_url);
    let app = DynamoApp::new(client, physical_name("OrderTable")).with_outbox(HOUR).with_inbox(FOLLOW_INBOX, HOUR);
    let menu = wiring::MenuFunction { menu: app.clone() };
    let (status, body, _) = answer(app::http::add_menu_item(&menu, sample("add-menu-item.json")).await);
    assert_eq!((status, body["price"].as_u64()), (201, Some(18000)));
    let (status, body, _) = answer(app::http::get_menu(&menu, sample("get-menu.json")).await);
    assert_eq!((status, body), (200, json!({"items": [{"item": "chicken", "price": 18000}], "nextToken": null})));
    (emulators, app)
}

fn approving(app: &DynamoApp) -> wiring::PlaceOrder<DynamoApp, FakePay> {
    wiring::PlaceOrder { app: app.clone(), pay: FakePay(Some(Payment::Approved(PaymentId::parse("p-1").unwrap()))) }
}

#[tokio::test]
async fn the_reports_body_is_paid_and_placed_and_the_invalid_sample_names_its_fields() {
    let (emulators, app) = setup().await;
    let deps = approving(&app);
    let (status, body, _) = answer(app::http::place_order(&deps, sample("place-order.json")).await);
    assert_eq!((status, body["status"].as_str(), body["amount"].as_u64()), (201, Some("Paid"), Some(18000)), "{body}");
    let (status, two, _) = answer(app::http::place_order(&deps, sample("place-order-two.json")).await);
    assert_eq!((status, two["quantity"].as_u64(), two["amount"].as_u64()), (201, Some(2), Some(36000)));
    let (status, again, _) = answer(app::http::place_order(&deps, sample("place-order-two.json")).await);
    assert_eq!((status, &again), (201, &two), "the same key answers the first answer");
    let (status, refused, _) = answer(app::http::place_order(&deps, sample("place-order-invalid.json")).await);
    assert_eq!(status, 400);
    let fields: Vec<&str> =
        refused["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["item", "quantity"]);
    assert_eq!(outbox(&emulators), ["OrderPlaced", "OrderPlaced"]);
    let get = wiring::ReadOrders { orders: app.clone() };
    let id = body["orderId"].as_str().unwrap();
    let (status, read, _) = answer(app::http::get_order(&get, on_order("get-order.json", id)).await);
    assert_eq!((status, read["status"].as_str()), (200, Some("Paid")));
    let (status, list, _) = answer(app::http::list_orders(&get, sample("list-orders.json")).await);
    assert_eq!((status, list["orders"].as_array().unwrap().len()), (200, 2));
}

#[tokio::test]
async fn a_payment_that_does_not_answer_in_time_is_a_503_with_no_order_standing() {
    let (emulators, app) = setup().await;
    let deps = wiring::PlaceOrder { app: app.clone(), pay: FakePay(None) };
    let (status, body, retry) = answer(app::http::place_order(&deps, sample("place-order.json")).await);
    assert_eq!((status, retry.as_deref()), (503, Some("1")), "{body}");
    assert_eq!(outbox(&emulators), ["PaymentAbandoned"], "pay voids any late payment by event");
    let get = wiring::ReadOrders { orders: app.clone() };
    let (_, list, _) = answer(app::http::list_orders(&get, sample("list-orders.json")).await);
    assert_eq!(list["orders"][0]["status"], "PaymentFailed");
}

#[tokio::test]
async fn the_sample_store_events_move_a_paid_order_on_and_the_cancel_follows_the_store() {
    let (emulators, app) = setup().await;
    let (_, first, _) = answer(app::http::place_order(&approving(&app), sample("place-order.json")).await);
    let (_, second, _) = answer(app::http::place_order(&approving(&app), sample("place-order-two.json")).await);
    let (first, second) = (first["orderId"].as_str().unwrap(), second["orderId"].as_str().unwrap());

    let too_late = wiring::CancelOrder { orders: app.clone(), desk: Store(StoreCancellation::TooLate) };
    let (status, _, _) = answer(app::http::cancel_order(&too_late, on_order("cancel-order.json", first)).await);
    assert_eq!(status, 409);
    let yes = wiring::CancelOrder { orders: app.clone(), desk: Store(StoreCancellation::Cancelled) };
    let (status, body, _) = answer(app::http::cancel_order(&yes, on_order("cancel-order.json", second)).await);
    assert_eq!((status, body["status"].as_str()), (200, Some("Cancelled")));

    // CookingStarted, DeliveryDispatched, StoreOrderCancelled, PaymentApproved: the first three
    // aimed at the first order, the payment at the second.
    let text = system()
        .event_text("sqs-order-events.json")
        .unwrap()
        .replace(SAMPLE_ORDER, first)
        .replace(SAMPLE_SECOND_ORDER, first);
    let batch: SqsEvent = serde_json::from_str(&text).unwrap();
    let deps = wiring::OrderOnEvents { orders: app.clone(), pay_timeout: chrono::TimeDelta::milliseconds(610) };
    let failures = for_each_event(batch.clone(), |e| app::policies::follow_events(&deps, e)).await;
    assert!(failures.batch_item_failures.is_empty(), "{failures:?}");
    let get = wiring::ReadOrders { orders: app.clone() };
    let (_, body, _) = answer(app::http::get_order(&get, on_order("get-order.json", first)).await);
    assert_eq!(body["status"], "Dispatched", "StoreOrderCancelled after the dispatch is stale");
    let failures = for_each_event(batch, |e| app::policies::follow_events(&deps, e)).await;
    assert!(failures.batch_item_failures.is_empty(), "the repeat is acknowledged");
    assert_eq!(
        outbox(&emulators),
        ["OrderCancelled", "OrderPlaced", "OrderPlaced"],
        "no OrderCancelled from a stale event"
    );
}
