//! The counter's order-event policies and its synchronous cancel target, fed with the SQS
//! batches and payloads in `events/`, against the embedded DynamoDB with the template's tables.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::collections::BTreeSet;
use std::time::Duration;

use aws_lambda_events::event::sqs::SqsEvent;
use contracts::delivery_cancel::{CancelDeliveryRequest, CancelDeliveryResult};
use delivery::domain::{DeliveryId, Progress};
use delivery::store::DynamoDeliveries;
use delivery::wiring::ORDER_EVENTS_INBOX;
use devstack::emulators::{Database, Emulators};
use devstack::testing::{emulators_with_resources, physical_name, system_of};
use platform::inbox::for_each_event;
use serde_json::{Value, json};

const HOUR: Duration = Duration::from_secs(3600);
/// The order and the event of `sqs-delivery-order-placed.json`.
const SAMPLE_ORDER: &str = "01a1fcae-4122-72bd-a903-a28266cbd449";
const SAMPLE_EVENT: &str = "01a1fcae-4122-72bd-a903-a2837c5b2e01";

fn event<T: serde::de::DeserializeOwned>(name: &str) -> T {
    serde_json::from_str(&system_of(env!("CARGO_MANIFEST_DIR")).event_text(name).unwrap()).unwrap()
}

/// The sample `OrderPlaced` batch, re-addressed to `orders` (one record each, event id =
/// order id): what the queue holds when several orders were placed.
fn placed_batch(orders: &[String]) -> SqsEvent {
    let sample: SqsEvent = event("sqs-delivery-order-placed.json");
    let mut batch = sample.clone();
    batch.records = orders
        .iter()
        .map(|order| {
            let mut record = sample.records[0].clone();
            let mut notification: Value = serde_json::from_str(record.body.as_deref().unwrap()).unwrap();
            let mut envelope: Value = serde_json::from_str(notification["Message"].as_str().unwrap()).unwrap();
            envelope["id"] = order.as_str().into();
            envelope["correlationId"] = order.as_str().into();
            envelope["data"]["orderId"] = order.as_str().into();
            notification["Message"] = envelope.to_string().into();
            record.body = Some(notification.to_string());
            record.message_id = Some(order.clone());
            record
        })
        .collect();
    batch
}

fn items(emulators: &Emulators, kind: &str) -> Vec<Value> {
    let page = emulators.ddb(Database::scan, json!({ "TableName": physical_name("DeliveryTable") })).unwrap();
    page["Items"].as_array().unwrap().iter().filter(|i| i["kind"]["S"] == kind).cloned().collect()
}

fn published(emulators: &Emulators, event_type: &str) -> Vec<Value> {
    items(emulators, "OutboxEvent")
        .into_iter()
        .filter(|i| i["eventType"]["S"] == event_type)
        .map(|i| serde_json::from_str(i["event"]["S"].as_str().unwrap()).unwrap())
        .collect()
}

/// The embedded emulators, and the adapter as the consumer's wiring builds it.
async fn setup() -> (Emulators, DynamoDeliveries) {
    let emulators = emulators_with_resources(system_of(env!("CARGO_MANIFEST_DIR")).template()).await;
    let client = platform::testing::dynamodb(&emulators.dynamodb_url);
    let deliveries = DynamoDeliveries::new(client, physical_name("DeliveryTable"))
        .with_outbox(HOUR)
        .with_inbox(ORDER_EVENTS_INBOX, HOUR);
    (emulators, deliveries)
}

/// The adapter as the synchronous cancel's wiring builds it: no outbox, no inbox.
fn sync_adapter(emulators: &Emulators) -> DynamoDeliveries {
    DynamoDeliveries::new(platform::testing::dynamodb(&emulators.dynamodb_url), physical_name("DeliveryTable"))
        .with_outbox(HOUR)
}

async fn consume(deliveries: &DynamoDeliveries, batch: SqsEvent) -> usize {
    for_each_event(batch, |e| delivery::policies::on_order_event(deliveries, &SEOUL, e)).await.batch_item_failures.len()
}

#[tokio::test]
async fn order_placed_issues_one_delivery_however_often_it_arrives() {
    let (emulators, deliveries) = setup().await;
    for _ in 0..3 {
        assert_eq!(consume(&deliveries, event("sqs-delivery-order-placed.json")).await, 0);
    }
    let issued = items(&emulators, "Delivery");
    assert_eq!(issued.len(), 1);
    assert_eq!(issued[0]["orderId"]["S"], SAMPLE_ORDER);
    assert_eq!(issued[0]["waitingNumber"]["N"], "1");
    assert_eq!(issued[0]["status"]["S"], "Waiting");
    assert_eq!(issued[0]["gsi1pk"]["S"], "STATUS#Waiting");
    let waited = published(&emulators, "OrderWaited");
    assert_eq!(waited.len(), 1, "OrderWaited leaves once");
    assert_eq!(waited[0]["source"], "delivery");
    assert_eq!(waited[0]["correlationId"], SAMPLE_ORDER);
    assert_eq!(waited[0]["causationId"], SAMPLE_EVENT);
    assert_eq!(waited[0]["data"]["deliveryId"], issued[0]["deliveryId"]["S"]);
    assert_eq!(waited[0]["data"]["waitingNumber"], 1);
    let sequence = items(&emulators, "WaitingNumbers");
    assert_eq!(sequence.len(), 1);
    assert_eq!(sequence[0]["lastNumber"]["N"], "1", "the repeats took no number");
    assert_eq!(sequence[0]["pk"]["S"], format!("SEQUENCE#{}", issued[0]["businessDay"]["S"].as_str().unwrap()));

    // The order is cancelled: the waiting delivery is cancelled once, and nothing is published.
    for _ in 0..2 {
        assert_eq!(consume(&deliveries, event("sqs-delivery-order-cancelled.json")).await, 0);
    }
    let cancelled = items(&emulators, "Delivery");
    assert_eq!(cancelled[0]["status"]["S"], "Cancelled");
    assert_eq!(cancelled[0]["version"]["N"], "2");
    assert_eq!(items(&emulators, "OutboxEvent").len(), 1);
}

#[tokio::test]
async fn waiting_numbers_run_from_one_with_none_repeated() {
    let (emulators, deliveries) = setup().await;
    let orders: Vec<String> = (0..12).map(|_| DeliveryId::generate().to_string()).collect();
    // Two consumers at once, as the queue's concurrency allows; then every message again.
    let (a, b) = tokio::join!(
        consume(&deliveries, placed_batch(&orders[..6])),
        consume(&deliveries, placed_batch(&orders[6..]))
    );
    assert_eq!((a, b), (0, 0));
    assert_eq!(consume(&deliveries, placed_batch(&orders)).await, 0);

    let issued = items(&emulators, "Delivery");
    let per_order: BTreeSet<&str> = issued.iter().map(|i| i["orderId"]["S"].as_str().unwrap()).collect();
    assert_eq!(per_order, orders.iter().map(String::as_str).collect(), "one delivery per order");
    assert_eq!(issued.len(), orders.len());
    let mut numbers: Vec<u32> =
        issued.iter().map(|i| i["waitingNumber"]["N"].as_str().unwrap().parse().unwrap()).collect();
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=12).collect::<Vec<u32>>());
    assert_eq!(items(&emulators, "WaitingNumberClaim").len(), 12);
    assert_eq!(published(&emulators, "OrderWaited").len(), 12);

    // The same new message to both consumers at once: one delivery, a number no one else has.
    let late = vec![DeliveryId::generate().to_string()];
    tokio::join!(consume(&deliveries, placed_batch(&late)), consume(&deliveries, placed_batch(&late)));
    assert_eq!(consume(&deliveries, placed_batch(&late)).await, 0, "a retried message settles");
    let issued = items(&emulators, "Delivery");
    assert_eq!(issued.iter().filter(|i| i["orderId"]["S"] == late[0].as_str()).count(), 1);
    let numbers: BTreeSet<&str> = issued.iter().map(|i| i["waitingNumber"]["N"].as_str().unwrap()).collect();
    assert_eq!(numbers.len(), 13, "no number was issued twice");
    assert_eq!(published(&emulators, "OrderWaited").len(), 13);
}

#[tokio::test]
async fn a_cancel_before_the_delivery_means_no_delivery_ever() {
    let (emulators, deliveries) = setup().await;
    let request: CancelDeliveryRequest = event("cancel-delivery.json");
    assert_eq!(request.order_id, SAMPLE_ORDER, "the sample cancels the sample order");
    let answer = delivery::invoke::cancel_delivery(&sync_adapter(&emulators), request).await.unwrap();
    assert_eq!(answer.result, CancelDeliveryResult::Cancelled);
    let record = items(&emulators, "OrderAtCounter");
    assert_eq!(record.len(), 1);
    assert_eq!(record[0]["pk"]["S"], format!("ORDER#{SAMPLE_ORDER}"));
    assert_eq!(record[0]["cancelledBeforeIssue"]["BOOL"], true);
    let announced = published(&emulators, "DeliveryCancelled");
    assert_eq!(announced.len(), 1, "the order learns of it even if its call timed out");
    assert_eq!(announced[0]["data"]["orderId"], SAMPLE_ORDER);
    assert_eq!(announced[0]["data"]["cancelledBeforeIssue"], true);
    assert!(announced[0]["data"].get("deliveryId").is_none(), "no delivery was ever issued");

    assert_eq!(consume(&deliveries, event("sqs-delivery-order-placed.json")).await, 0);
    assert!(items(&emulators, "Delivery").is_empty(), "the late OrderPlaced issued no delivery");
    assert!(items(&emulators, "WaitingNumbers").is_empty(), "and took no number");
    assert_eq!(items(&emulators, "OutboxEvent").len(), 1, "nothing but the DeliveryCancelled");
    assert_eq!(consume(&deliveries, event("sqs-delivery-order-cancelled.json")).await, 0);
    assert_eq!(items(&emulators, "OrderAtCounter").len(), 1);
}

#[tokio::test]
async fn the_sync_cancel_cancels_a_waiting_delivery_and_refuses_a_started_one() {
    let (emulators, deliveries) = setup().await;
    assert_eq!(consume(&deliveries, event("sqs-delivery-order-placed.json")).await, 0);
    let request: CancelDeliveryRequest = event("cancel-delivery.json");
    let sync = sync_adapter(&emulators);
    assert_eq!(
        delivery::invoke::cancel_delivery(&sync, request.clone()).await.unwrap().result,
        CancelDeliveryResult::Cancelled
    );
    assert_eq!(items(&emulators, "Delivery")[0]["status"]["S"], "Cancelled");
    assert_eq!(
        delivery::invoke::cancel_delivery(&sync, request).await.unwrap().result,
        CancelDeliveryResult::Cancelled,
        "asking again answers the same"
    );
    let announced = published(&emulators, "DeliveryCancelled");
    assert_eq!(announced.len(), 1, "announced once, though asked twice");
    assert_eq!(announced[0]["data"]["cancelledBeforeIssue"], false);
    assert_eq!(announced[0]["data"]["deliveryId"], items(&emulators, "Delivery")[0]["deliveryId"]["S"]);

    let started = placed_batch(&[DeliveryId::generate().to_string()]);
    assert_eq!(consume(&deliveries, started.clone()).await, 0);
    let order = started.records[0].message_id.clone().unwrap();
    let id =
        items(&emulators, "Delivery").into_iter().find(|i| i["orderId"]["S"] == order.as_str()).unwrap()["deliveryId"]
            ["S"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
    delivery::application::move_delivery(&deliveries, &id, Progress::Preparing, chrono::Utc::now()).await.unwrap();
    let answer = delivery::invoke::cancel_delivery(
        &sync,
        CancelDeliveryRequest { order_id: order.clone(), customer_id: "auth0|kim".to_owned() },
    )
    .await
    .unwrap();
    assert_eq!(answer.result, CancelDeliveryResult::AlreadyStarted);
    let still = items(&emulators, "Delivery").into_iter().find(|i| i["orderId"]["S"] == order.as_str()).unwrap();
    assert_eq!(still["status"]["S"], "Preparing");

    let blank = delivery::invoke::cancel_delivery(
        &sync,
        CancelDeliveryRequest { order_id: String::new(), customer_id: "auth0|kim".to_owned() },
    )
    .await;
    assert!(blank.is_err(), "an empty order id is refused, not recorded");
    assert_eq!(items(&emulators, "OrderAtCounter").len(), 2);
}

static SEOUL: std::sync::LazyLock<platform::zone::Zone> =
    std::sync::LazyLock::new(|| platform::zone::Zone::named("Asia/Seoul").unwrap());
