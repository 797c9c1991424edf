//! What an operator sees of SirenOrder on the local stack: the business metrics the
//! functions write in CloudWatch Embedded Metric Format (read back from their output by
//! devstack, `GET /_devstack/metrics`), counted once per effect.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::time::Duration;

use devstack::metrics::MetricDatum;
use order::metrics::{
    ORDERS_CANCELLED, ORDERS_COMPLETED, ORDERS_PLACED, PLACED_TO_COMPLETED, PLACED_TO_WAITING, REVENUE,
};
use serde_json::{Value, json};
use siren_order::TestApp;

const SOON: Duration = Duration::from_secs(10);
/// Long enough for a late metric line to have been read, had one been written.
const SETTLE: Duration = Duration::from_millis(1500);

fn values(data: &[MetricDatum]) -> Vec<f64> {
    data.iter().map(|d| d.value).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn placing_an_order_emits_its_metrics_once_and_completing_it_emits_the_completion_and_its_time() {
    let app = TestApp::start().await;
    let customer = app.customer("ops@example.com").await;
    let americano = app.product("Americano", 4500).await;

    let placed = app.place_order("k-ops-1", &customer, &[(&americano, 2)]).await;
    assert_eq!(placed.status, 201, "{placed:?}");
    let order_id = placed.body["orderId"].as_str().unwrap().to_owned();

    let orders = app.wait_for_metrics(ORDERS_PLACED, SOON, |m| !m.is_empty()).await;
    assert_eq!(values(&orders), [1.0], "{orders:?}");
    let order = &orders[0];
    assert_eq!(order.function, "PlaceOrderFunction");
    assert_eq!(order.dimensions.get("Service").map(String::as_str), Some("order"), "{order:?}");
    assert_eq!(order.dimensions.len(), 1, "dimensions are kept few: {order:?}");
    assert!(!order.namespace.is_empty());
    assert_eq!(values(&app.wait_for_metrics(REVENUE, SOON, |m| !m.is_empty()).await), [9000.0]);

    // A replay of the same Idempotency-Key answers the first answer and counts nothing.
    let replay = app.place_order("k-ops-1", &customer, &[(&americano, 2)]).await;
    assert_eq!(replay.status, 201, "{replay:?}");
    assert_eq!(replay.body["orderId"], order_id.as_str());
    tokio::time::sleep(SETTLE).await;
    assert_eq!(values(&app.metrics(ORDERS_PLACED)), [1.0], "a replay is not a new order");
    assert_eq!(values(&app.metrics(REVENUE)), [9000.0], "a replay is no new revenue");

    // The counter issues the waiting number: the time from placing to it is recorded.
    let waiting = app.poll(&format!("/orders/{order_id}"), SOON, |r| r.body["status"] == "Waiting").await;
    assert_eq!(waiting.body["status"], "Waiting", "{waiting:?}");
    let to_waiting = app.wait_for_metrics(PLACED_TO_WAITING, SOON, |m| !m.is_empty()).await;
    assert_eq!(to_waiting.len(), 1, "{to_waiting:?}");
    assert_eq!(to_waiting[0].unit.as_deref(), Some("Milliseconds"));
    assert!((0.0..SOON.as_millis() as f64).contains(&to_waiting[0].value), "{to_waiting:?}");

    // The barista completes it: one completion, and the time from placing to it.
    let delivery = delivery_of(&app, &order_id).await;
    let completed = app
        .send(
            "PATCH",
            &format!("/deliveries/{}", delivery["deliveryId"].as_str().unwrap()),
            Some(&json!({ "status": "Completed" })),
        )
        .await;
    assert_eq!(completed.status, 200, "{completed:?}");
    let done = app.wait_for_metrics(ORDERS_COMPLETED, SOON, |m| !m.is_empty()).await;
    assert_eq!(values(&done), [1.0], "{done:?}");
    assert_eq!(done[0].function, "OrderOnDeliveryEventsFunction");
    let to_completed = app.wait_for_metrics(PLACED_TO_COMPLETED, SOON, |m| !m.is_empty()).await;
    assert_eq!(to_completed.len(), 1, "{to_completed:?}");
    assert_eq!(to_completed[0].unit.as_deref(), Some("Milliseconds"));
    assert!(to_completed[0].value >= to_waiting[0].value, "{to_completed:?} after {to_waiting:?}");

    // The control endpoint serves the same values, filtered by name.
    let url = format!("{}/_devstack/metrics?name={ORDERS_COMPLETED}", app.stack.lambda_url);
    let served: Vec<Value> = reqwest::get(url).await.unwrap().json().await.unwrap();
    assert_eq!(served.len(), 1, "{served:?}");
    assert_eq!(served[0]["name"], ORDERS_COMPLETED);
    assert_eq!(served[0]["value"], 1.0);
    assert_eq!(served[0]["dimensions"]["Service"], "order");

    // A completed order cannot be cancelled: nothing is counted.
    assert_eq!(app.cancel_order(&order_id, &customer).await.status, 409);
    tokio::time::sleep(SETTLE).await;
    assert!(app.metrics(ORDERS_CANCELLED).is_empty());
    assert_eq!(values(&app.metrics(ORDERS_COMPLETED)), [1.0]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cancel_is_counted_once_even_when_repeated_and_when_the_counter_echoes_it() {
    let app = TestApp::start().await;
    let customer = app.customer("ops-cancel@example.com").await;
    let latte = app.product("Latte", 5000).await;
    let placed = app.place_order("k-ops-2", &customer, &[(&latte, 1)]).await;
    assert_eq!(placed.status, 201, "{placed:?}");
    let order_id = placed.body["orderId"].as_str().unwrap().to_owned();
    app.poll(&format!("/orders/{order_id}"), SOON, |r| r.body["status"] == "Waiting").await;

    assert_eq!(app.cancel_order(&order_id, &customer).await.status, 200);
    assert_eq!(app.cancel_order(&order_id, &customer).await.status, 200, "cancelling again answers it again");
    let cancelled = app.wait_for_metrics(ORDERS_CANCELLED, SOON, |m| !m.is_empty()).await;
    // The counter's DeliveryCancelled reaches the order too; it was cancelled already.
    app.wait_for_messages("DeliveryEventsTopic", SOON, |m| {
        m.iter().any(|m| stack_test::event_of(m)["type"] == "DeliveryCancelled")
    })
    .await;
    tokio::time::sleep(SETTLE).await;
    assert_eq!(values(&app.metrics(ORDERS_CANCELLED)), [1.0], "{cancelled:?}");
    assert!(app.metrics(ORDERS_COMPLETED).is_empty());
}

async fn delivery_of(app: &TestApp, order_id: &str) -> Value {
    let queue = app.poll("/deliveries?status=Waiting", SOON, |r| {
        r.body["deliveries"].as_array().is_some_and(|d| d.iter().any(|d| d["orderId"] == order_id))
    });
    let queue = queue.await;
    queue.body["deliveries"].as_array().unwrap().iter().find(|d| d["orderId"] == order_id).expect("a ticket").clone()
}
