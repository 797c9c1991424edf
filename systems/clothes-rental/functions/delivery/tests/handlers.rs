//! The delivery team's handlers and policies, fed with the real samples in `events/` (edited
//! where a case needs it), against the embedded DynamoDB with the template's tables.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::time::Duration;

use aws_lambda_events::event::sqs::SqsEvent;
use contracts::delivery_cancel::{CancelDeliveryRequest, CancelDeliveryResponse, Refusal};
use delivery::store::DynamoDeliveries;
use delivery::wiring::ORDER_EVENTS_INBOX;
use devstack::emulators::{Database, Emulators};
use devstack::testing::{emulators_with_resources, physical_name, system_of};
use lambda_http::{Body, Request, Response};
use platform::inbox::for_each_event;
use serde_json::{Value, json};

const HOUR: Duration = Duration::from_secs(3600);
/// The order of the samples.
const ORDER: &str = "019a9a3c-7c1e-7d4a-9b2f-3e5d6c7b8a90";

fn sample(name: &str) -> Value {
    serde_json::from_str(&system_of(env!("CARGO_MANIFEST_DIR")).event_text(name).unwrap()).unwrap()
}

fn request(event: &Value) -> Request {
    lambda_http::request::from_str(&event.to_string()).unwrap()
}

/// `ship-delivery.json` or `collect-return.json` for ticket `id`.
fn command(file: &str, id: &str) -> Request {
    let mut event = sample(file);
    let path = event["rawPath"].as_str().unwrap().rsplit_once('/').unwrap().1.to_owned();
    event["pathParameters"]["deliveryId"] = id.into();
    event["rawPath"] = format!("/deliveries/{id}/{path}").into();
    event["requestContext"]["http"]["path"] = event["rawPath"].clone();
    request(&event)
}

fn answer(response: &Response<Body>) -> (u16, Value) {
    (response.status().as_u16(), serde_json::from_slice(response.body().as_ref()).unwrap())
}

fn items(emulators: &Emulators) -> Vec<Value> {
    let page = emulators.ddb(Database::scan, json!({ "TableName": physical_name("DeliveryTable") })).unwrap();
    page["Items"].as_array().unwrap().clone()
}

fn outbox(emulators: &Emulators) -> Vec<String> {
    items(emulators)
        .into_iter()
        .filter(|i| i["kind"]["S"] == "OutboxEvent")
        .map(|i| i["eventType"]["S"].as_str().unwrap().to_owned())
        .collect()
}

async fn setup() -> (Emulators, DynamoDeliveries) {
    let emulators = emulators_with_resources(system_of(env!("CARGO_MANIFEST_DIR")).template()).await;
    let client = platform::testing::dynamodb(&emulators.dynamodb_url);
    let deliveries = DynamoDeliveries::new(client, physical_name("DeliveryTable"))
        .with_outbox(HOUR)
        .with_inbox(ORDER_EVENTS_INBOX, HOUR);
    (emulators, deliveries)
}

async fn receive(deliveries: &DynamoDeliveries, file: &str) {
    let batch: SqsEvent = serde_json::from_value(sample(file)).unwrap();
    let failures = for_each_event(batch, |e| delivery::policies::receive_order(deliveries, e)).await;
    assert!(failures.batch_item_failures.is_empty(), "{failures:?}");
}

async fn queue(deliveries: &DynamoDeliveries, query: &str) -> Vec<Value> {
    let mut event = sample("list-deliveries.json");
    event["rawQueryString"] = query.into();
    event["queryStringParameters"] = query
        .split('&')
        .map(|pair| pair.split_once('=').unwrap())
        .map(|(k, v)| (k.to_owned(), Value::from(v)))
        .collect::<serde_json::Map<_, _>>()
        .into();
    let (status, body) = answer(&delivery::http::list_deliveries(deliveries, request(&event)).await.unwrap());
    assert_eq!(status, 200, "{body}");
    body["deliveries"].as_array().unwrap().clone()
}

#[tokio::test]
async fn the_sample_events_make_one_delivery_and_one_return_ticket_however_often_they_arrive() {
    let (emulators, deliveries) = setup().await;
    assert!(queue(&deliveries, "status=Received&kind=Delivery").await.is_empty());
    receive(&deliveries, "sqs-delivery-order-events.json").await;
    receive(&deliveries, "sqs-delivery-order-events.json").await;

    let delivered = queue(&deliveries, "status=Received&kind=Delivery").await;
    assert_eq!(delivered.len(), 1, "{delivered:?}");
    assert_eq!((delivered[0]["orderId"].as_str(), delivered[0]["productId"].as_str()), (Some(ORDER), Some("1001")));
    assert_eq!(delivered[0]["qty"], 5);
    let returns = queue(&deliveries, "kind=Return").await;
    assert_eq!((returns.len(), returns[0]["status"].as_str()), (1, Some("Requested")));
    assert!(outbox(&emulators).is_empty(), "making tickets announces nothing");
}

#[tokio::test]
async fn the_team_ships_then_delivery_refuses_the_cancel_and_the_return_is_collected_once() {
    let (emulators, deliveries) = setup().await;
    receive(&deliveries, "sqs-delivery-order-events.json").await;
    let ticket =
        queue(&deliveries, "status=Received&kind=Delivery").await[0]["deliveryId"].as_str().unwrap().to_owned();
    let (status, body) =
        answer(&delivery::http::ship_delivery(&deliveries, command("ship-delivery.json", &ticket)).await.unwrap());
    assert_eq!((status, body["status"].as_str()), (200, Some("Shipped")), "{body}");
    let (status, _) = answer(
        &delivery::http::ship_delivery(&deliveries, command("ship-delivery.json", &ticket))
            .await
            .unwrap_err()
            .into_response(),
    );
    assert_eq!(status, 409);

    let call: CancelDeliveryRequest = serde_json::from_value(sample("cancel-delivery.json")).unwrap();
    let refused = delivery::invoke::cancel_delivery(&deliveries, call).await.unwrap();
    assert_eq!(refused, CancelDeliveryResponse { cancelled: false, reason: Some(Refusal::Shipped) });

    let ret = queue(&deliveries, "kind=Return&status=Requested").await[0]["deliveryId"].as_str().unwrap().to_owned();
    let (status, body) =
        answer(&delivery::http::collect_return(&deliveries, command("collect-return.json", &ret)).await.unwrap());
    assert_eq!((status, body["status"].as_str()), (200, Some("Collected")), "{body}");
    let again = delivery::http::collect_return(&deliveries, command("collect-return.json", &ret)).await.unwrap_err();
    assert_eq!(again.status().as_u16(), 409);
    let wrong = delivery::http::collect_return(&deliveries, command("collect-return.json", &ticket)).await.unwrap_err();
    assert_eq!(wrong.status().as_u16(), 409, "a delivery ticket is not collected");
    let mut events = outbox(&emulators);
    events.sort();
    assert_eq!(events, ["ReturnCollected", "Shipped"]);
}

#[tokio::test]
async fn the_sample_cancel_before_the_order_arrives_leaves_a_tombstone_the_late_order_respects() {
    let (emulators, deliveries) = setup().await;
    let call: CancelDeliveryRequest = serde_json::from_value(sample("cancel-delivery.json")).unwrap();
    let yes = delivery::invoke::cancel_delivery(&deliveries, call.clone()).await.unwrap();
    assert_eq!(yes, CancelDeliveryResponse { cancelled: true, reason: None });
    assert_eq!(
        delivery::invoke::cancel_delivery(&deliveries, call).await.unwrap(),
        yes,
        "asking twice answers the same"
    );
    receive(&deliveries, "sqs-delivery-order-events.json").await;
    assert!(queue(&deliveries, "status=Received&kind=Delivery").await.is_empty(), "no ticket after a tombstone");
    assert_eq!(outbox(&emulators), ["DeliveryCancelled"]);
}

#[tokio::test]
async fn a_customer_token_is_forbidden_on_the_teams_routes() {
    let (_emulators, deliveries) = setup().await;
    let mut event = sample("list-deliveries.json");
    event["requestContext"]["authorizer"]["jwt"]["claims"].as_object_mut().unwrap().remove("cognito:groups");
    let refused = delivery::http::list_deliveries(&deliveries, request(&event)).await.unwrap_err();
    assert_eq!(refused.status().as_u16(), 403);
}
