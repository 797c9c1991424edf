//! The order handlers and the delivery-event consumer, fed with the real samples in `events/`
//! (edited where a case needs it), against the embedded DynamoDB with the template's tables and
//! a fake delivery (the synchronous call's port).

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::time::Duration;

use aws_lambda_events::event::sqs::SqsEvent;
use devstack::emulators::{Database, Emulators};
use devstack::testing::{emulators_with_resources, physical_name, system_of};
use lambda_http::{Body, Request, Response};
use order::domain::{CustomerId, OrderId};
use order::policies::FOLLOW_DELIVERY_INBOX;
use order::ports::{DeliveryCancellation, DeliveryDesk};
use order::store::DynamoOrders;
use order::wiring;
use platform::inbox::for_each_event;
use platform::invoke::InvokeError;
use serde_json::{Value, json};

const HOUR: Duration = Duration::from_secs(3600);
/// The order id in the samples' events.
const SAMPLE_ORDER: &str = "019a9a3c-7c1e-7d4a-9b2f-3e5d6c7b8a90";
/// The samples' second order (the cancelled one).
const SAMPLE_SECOND_ORDER: &str = "019a9a3c-8d2f-7e5b-8c3a-4f6e7d8c9ba1";

fn system() -> devstack::System {
    system_of(env!("CARGO_MANIFEST_DIR"))
}

fn sample(name: &str) -> Value {
    serde_json::from_str(&system().event_text(name).unwrap()).unwrap()
}

fn request(event: &Value) -> Request {
    lambda_http::request::from_str(&event.to_string()).unwrap()
}

/// A sample aimed at order `id`.
fn on_order(file: &str, id: &str) -> Request {
    request(&serde_json::from_str(&system().event_text(file).unwrap().replace(SAMPLE_ORDER, id)).unwrap())
}

fn answer(response: Result<Response<Body>, platform::http::ApiError>) -> (u16, Value) {
    let response = response.unwrap_or_else(platform::http::ApiError::into_response);
    (response.status().as_u16(), serde_json::from_slice(response.body().as_ref()).unwrap())
}

fn outbox(emulators: &Emulators) -> Vec<String> {
    let page = emulators.ddb(Database::scan, json!({ "TableName": physical_name("OrderTable") })).unwrap();
    page["Items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["kind"]["S"] == "OutboxEvent")
        .map(|i| i["eventType"]["S"].as_str().unwrap().to_owned())
        .collect()
}

/// Delivery answering `answer` (`None`: it cannot answer).
#[derive(Clone, Copy)]
struct Desk(Option<DeliveryCancellation>);

impl DeliveryDesk for Desk {
    async fn cancel(&self, _: &OrderId, _: &CustomerId) -> Result<DeliveryCancellation, InvokeError> {
        self.0.ok_or_else(|| InvokeError::Timeout { function: "CancelDeliveryFunction".into(), timeout_ms: 610 })
    }
}

async fn setup() -> (Emulators, DynamoOrders) {
    let emulators = emulators_with_resources(system().template()).await;
    let client = platform::testing::dynamodb(&emulators.dynamodb_url);
    (emulators, DynamoOrders::consumer(client, physical_name("OrderTable"), HOUR, FOLLOW_DELIVERY_INBOX))
}

async fn placed(orders: &DynamoOrders) -> String {
    let deps = wiring::PlaceOrder { orders: orders.clone() };
    let (status, body) = answer(order::http::place_order(&deps, request(&sample("place-order.json"))).await);
    assert_eq!(status, 201, "{body}");
    body["orderId"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn the_sample_order_is_placed_once_and_the_invalid_one_names_its_fields() {
    let (emulators, orders) = setup().await;
    let deps = wiring::PlaceOrder { orders: orders.clone() };
    let (status, first) = answer(order::http::place_order(&deps, request(&sample("place-order.json"))).await);
    assert_eq!((status, first["status"].as_str(), first["qty"].as_u64()), (201, Some("Ordered"), Some(5)));
    let (status, again) = answer(order::http::place_order(&deps, request(&sample("place-order.json"))).await);
    assert_eq!((status, &again), (201, &first), "the same key answers the first answer");
    let (status, refused) = answer(order::http::place_order(&deps, request(&sample("place-order-invalid.json"))).await);
    assert_eq!(status, 400);
    let fields: Vec<&str> =
        refused["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["productId", "qty"]);
    assert_eq!(outbox(&emulators), ["OrderPlaced"]);
}

#[tokio::test]
async fn cancelling_asks_delivery_first_and_only_its_yes_cancels() {
    let (emulators, orders) = setup().await;
    let id = placed(&orders).await;
    let down = wiring::CancelOrder { orders: orders.clone(), desk: Desk(None) };
    let (status, _) = answer(order::http::cancel_order(&down, on_order("cancel-order.json", &id)).await);
    assert_eq!(status, 503);
    let shipped = wiring::CancelOrder { orders: orders.clone(), desk: Desk(Some(DeliveryCancellation::Shipped)) };
    let (status, _) = answer(order::http::cancel_order(&shipped, on_order("cancel-order.json", &id)).await);
    assert_eq!(status, 409);
    let yes = wiring::CancelOrder { orders: orders.clone(), desk: Desk(Some(DeliveryCancellation::Cancelled)) };
    let (status, body) = answer(order::http::cancel_order(&yes, on_order("cancel-order.json", &id)).await);
    assert_eq!((status, body["status"].as_str()), (200, Some("Cancelled")));
    let mut events = outbox(&emulators);
    events.sort();
    assert_eq!(events, ["OrderCancelled", "OrderPlaced"], "refusals wrote nothing");
}

#[tokio::test]
async fn the_sample_delivery_events_ship_a_placed_order_and_stale_ones_change_nothing() {
    let (emulators, orders) = setup().await;
    let id = placed(&orders).await;
    // All three events aimed at the one placed order.
    let text = system()
        .event_text("sqs-order-delivery-events.json")
        .unwrap()
        .replace(SAMPLE_ORDER, &id)
        .replace(SAMPLE_SECOND_ORDER, &id);
    let batch: SqsEvent = serde_json::from_str(&text).unwrap();
    // Shipped moves it on; DeliveryCancelled after shipping and ReturnCollected before a return
    // are stale: acknowledged, no change.
    let deps = wiring::FollowDelivery { orders: orders.clone() };
    let failures = for_each_event(batch.clone(), |e| order::policies::follow_delivery(&deps, e)).await;
    assert!(failures.batch_item_failures.is_empty(), "{failures:?}");
    let get = wiring::GetOrder { orders: orders.clone() };
    let (_, body) = answer(order::http::get_order(&get, on_order("get-order.json", &id)).await);
    assert_eq!(body["status"], "Shipped");
    let failures = for_each_event(batch, |e| order::policies::follow_delivery(&deps, e)).await;
    assert!(failures.batch_item_failures.is_empty());
    assert_eq!(outbox(&emulators), ["OrderPlaced"], "no OrderCancelled from a stale DeliveryCancelled");
    let returned = wiring::ReturnOrder { orders: orders.clone() };
    let (status, body) = answer(order::http::return_order(&returned, on_order("return-order.json", &id)).await);
    assert_eq!((status, body["status"].as_str()), (202, Some("ReturnRequested")));
}
