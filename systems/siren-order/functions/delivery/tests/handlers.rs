//! The barista's HTTP handlers, fed with the API Gateway events in `events/` (edited where a
//! case needs it), against the embedded DynamoDB with the template's tables.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::time::Duration;

use aws_lambda_events::event::sqs::SqsEvent;
use delivery::store::DynamoDeliveries;
use delivery::wiring::ORDER_EVENTS_INBOX;
use devstack::emulators::{Database, Emulators};
use devstack::testing::{emulators_with_resources, physical_name, system_of};
use lambda_http::{Body, Request, Response};
use platform::inbox::for_each_event;
use serde_json::{Value, json};

const HOUR: Duration = Duration::from_secs(3600);

fn sample(name: &str) -> Value {
    serde_json::from_str(&system_of(env!("CARGO_MANIFEST_DIR")).event_text(name).unwrap()).unwrap()
}

fn request(event: &Value) -> Request {
    lambda_http::request::from_str(&event.to_string()).unwrap()
}

/// `change-delivery.json` for delivery `id` with `body`.
fn change(id: &str, body: &str) -> Request {
    let mut event = sample("change-delivery.json");
    event["pathParameters"]["deliveryId"] = id.into();
    event["rawPath"] = format!("/deliveries/{id}").into();
    event["requestContext"]["http"]["path"] = event["rawPath"].clone();
    event["body"] = body.into();
    request(&event)
}

/// `list-deliveries.json` asking for `status`.
fn list(status: &str) -> Request {
    let mut event = sample("list-deliveries.json");
    event["rawQueryString"] = format!("status={status}").into();
    event["queryStringParameters"]["status"] = status.into();
    request(&event)
}

/// `list-deliveries.json` for one page of `status` of `limit` deliveries after `token`.
fn list_page(status: &str, limit: u32, token: Option<&str>) -> Request {
    let mut event = sample("list-deliveries.json");
    let mut query = format!("status={status}&limit={limit}");
    event["queryStringParameters"] = json!({ "status": status, "limit": limit.to_string() });
    if let Some(token) = token {
        query.push_str(&format!("&nextToken={token}"));
        event["queryStringParameters"]["nextToken"] = token.into();
    }
    event["rawQueryString"] = query.into();
    request(&event)
}

fn answer(response: &Response<Body>) -> (u16, Value) {
    (response.status().as_u16(), serde_json::from_slice(response.body().as_ref()).unwrap())
}

fn items(emulators: &Emulators) -> Vec<Value> {
    let page = emulators.ddb(Database::scan, json!({ "TableName": physical_name("DeliveryTable") })).unwrap();
    page["Items"].as_array().unwrap().clone()
}

fn published(emulators: &Emulators, event_type: &str) -> Vec<Value> {
    items(emulators)
        .into_iter()
        .filter(|i| i["kind"]["S"] == "OutboxEvent" && i["eventType"]["S"] == event_type)
        .map(|i| serde_json::from_str(i["event"]["S"].as_str().unwrap()).unwrap())
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

/// Two orders reach the counter, in this order.
async fn two_orders(deliveries: &DynamoDeliveries) -> [String; 2] {
    let mut ids = Vec::new();
    for order in ["01a1fcae-0000-7000-8000-000000000001", "01a1fcae-0000-7000-8000-000000000002"] {
        let mut batch: SqsEvent = serde_json::from_value(sample("sqs-delivery-order-placed.json")).unwrap();
        let record = &mut batch.records[0];
        let mut notification: Value = serde_json::from_str(record.body.as_deref().unwrap()).unwrap();
        let mut envelope: Value = serde_json::from_str(notification["Message"].as_str().unwrap()).unwrap();
        envelope["id"] = order.into();
        envelope["data"]["orderId"] = order.into();
        notification["Message"] = envelope.to_string().into();
        record.body = Some(notification.to_string());
        let failures = for_each_event(batch, |e| delivery::policies::on_order_event(deliveries, &SEOUL, e)).await;
        assert!(failures.batch_item_failures.is_empty());
        ids.push(order.to_owned());
        tokio::time::sleep(Duration::from_millis(5)).await; // distinct createdAt milliseconds
    }
    [ids[0].clone(), ids[1].clone()]
}

#[tokio::test]
async fn the_barista_lists_the_queue_oldest_first() {
    let (_emulators, deliveries) = setup().await;
    let (status, body) =
        answer(&delivery::http::list_deliveries(&deliveries, request(&sample("list-deliveries.json"))).await.unwrap());
    assert_eq!((status, body), (200, json!({ "deliveries": [], "nextToken": null })));

    let [first, second] = two_orders(&deliveries).await;
    let (status, body) =
        answer(&delivery::http::list_deliveries(&deliveries, request(&sample("list-deliveries.json"))).await.unwrap());
    assert_eq!(status, 200);
    let queue = body["deliveries"].as_array().unwrap();
    let orders: Vec<&str> = queue.iter().map(|d| d["orderId"].as_str().unwrap()).collect();
    assert_eq!(orders, [first.as_str(), second.as_str()]);
    assert_eq!(queue[0]["waitingNumber"], 1);
    assert_eq!(queue[1]["waitingNumber"], 2);
    assert_eq!(queue[0]["status"], "Waiting");
    assert_eq!(queue[0]["customerId"], "01a1fcae-3de8-72e8-9d91-af9e4b458b9a");
    let created = queue[0]["createdAt"].as_str().unwrap();
    assert!(created.ends_with('Z') && created.len() == "2026-11-21T05:57:20.802Z".len(), "{created}");
    assert_eq!(queue[0]["businessDay"].as_str().unwrap().len(), "2026-11-21".len());

    assert_eq!(body["nextToken"], Value::Null, "two deliveries fit the default page");

    // One per page: the first page says more follows, the second (exactly full) is last.
    let (_, page) = answer(&delivery::http::list_deliveries(&deliveries, list_page("Waiting", 1, None)).await.unwrap());
    assert_eq!(page["deliveries"][0]["orderId"], first.as_str());
    let token = page["nextToken"].as_str().expect("a token: one more follows").to_owned();
    let (_, page) =
        answer(&delivery::http::list_deliveries(&deliveries, list_page("Waiting", 1, Some(&token))).await.unwrap());
    assert_eq!(page["deliveries"][0]["orderId"], second.as_str());
    assert_eq!(page["nextToken"], Value::Null, "{page}");
    // The Waiting queue's token does not read another status's queue.
    let refused = delivery::http::list_deliveries(&deliveries, list_page("Completed", 1, Some(&token))).await;
    let (status, body) = answer(&refused.unwrap_err().into_response());
    assert_eq!((status, body["errors"][0]["field"].clone()), (400, json!("nextToken")));

    let (status, body) = answer(&delivery::http::list_deliveries(&deliveries, list("Completed")).await.unwrap());
    assert_eq!((status, body), (200, json!({ "deliveries": [], "nextToken": null })));
    let refused = delivery::http::list_deliveries(&deliveries, list("Lost")).await.unwrap_err().into_response();
    let (status, body) = answer(&refused);
    assert_eq!(status, 400);
    assert_eq!(body["errors"][0]["field"], "status");
}

#[tokio::test]
async fn the_barista_moves_a_delivery_forward_once_and_never_back() {
    let (emulators, deliveries) = setup().await;
    // The sample names a delivery that does not exist here.
    let unknown = delivery::http::change_delivery(&deliveries, request(&sample("change-delivery.json"))).await;
    assert_eq!(answer(&unknown.unwrap_err().into_response()).0, 404);
    assert!(items(&emulators).is_empty(), "a 404 writes nothing");

    let [first, _] = two_orders(&deliveries).await;
    let (_, queue) = answer(&delivery::http::list_deliveries(&deliveries, list("Waiting")).await.unwrap());
    let id = queue["deliveries"][0]["deliveryId"].as_str().unwrap().to_owned();
    let before = items(&emulators).len();

    let (status, body) =
        answer(&delivery::http::change_delivery(&deliveries, change(&id, r#"{"status": "Completed"}"#)).await.unwrap());
    assert_eq!(status, 200);
    assert_eq!((body["deliveryId"].as_str(), body["status"].as_str()), (Some(id.as_str()), Some("Completed")));
    let completed = published(&emulators, "DeliveryCompleted");
    assert_eq!(completed.len(), 1);
    assert_eq!(completed[0]["correlationId"], first.as_str());
    assert_eq!(completed[0]["data"]["deliveryId"], id.as_str());
    assert_eq!(completed[0]["data"]["waitingNumber"], 1);

    let again = delivery::http::change_delivery(&deliveries, change(&id, r#"{"status": "Completed"}"#)).await;
    assert_eq!(answer(&again.unwrap()).0, 200, "the same status again is fine");
    assert_eq!(published(&emulators, "DeliveryCompleted").len(), 1, "and publishes nothing more");
    let back = delivery::http::change_delivery(&deliveries, change(&id, r#"{"status": "Preparing"}"#)).await;
    assert_eq!(answer(&back.unwrap_err().into_response()).0, 409);
    assert!(published(&emulators, "DeliveryStarted").is_empty());

    for body in [r#"{}"#, r#"{"status": "Waiting"}"#, r#"{"status": "Cancelled"}"#, r#"{"status": 3}"#] {
        let refused = delivery::http::change_delivery(&deliveries, change(&id, body)).await.unwrap_err();
        let (status, problem) = answer(&refused.into_response());
        assert_eq!((status, problem["errors"][0]["field"].as_str()), (400, Some("status")), "{body}");
    }
    let not_an_id = delivery::http::change_delivery(&deliveries, change("nope", r#"{"status": "Completed"}"#)).await;
    assert_eq!(answer(&not_an_id.unwrap_err().into_response()).0, 404);
    assert_eq!(items(&emulators).len(), before + 1, "only the one DeliveryCompleted was added");
    let (_, completed) = answer(&delivery::http::list_deliveries(&deliveries, list("Completed")).await.unwrap());
    assert_eq!(completed["deliveries"][0]["deliveryId"], id.as_str());
}

#[tokio::test]
async fn only_a_barista_reads_or_moves_the_counter() {
    let (emulators, deliveries) = setup().await;
    let mut owner = sample("list-deliveries.json");
    owner["requestContext"]["authorizer"]["jwt"]["claims"]["cognito:groups"] = "[owner]".into();
    let refused = delivery::http::list_deliveries(&deliveries, request(&owner)).await.unwrap_err();
    assert_eq!(answer(&refused.into_response()).0, 403);
    let mut anonymous = sample("change-delivery.json");
    anonymous["requestContext"]["authorizer"] = Value::Null;
    let refused = delivery::http::change_delivery(&deliveries, request(&anonymous)).await.unwrap_err();
    assert_eq!(answer(&refused.into_response()).0, 401);
    assert!(items(&emulators).is_empty());
}

static SEOUL: std::sync::LazyLock<platform::zone::Zone> =
    std::sync::LazyLock::new(|| platform::zone::Zone::named("Asia/Seoul").unwrap());
