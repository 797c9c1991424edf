//! The customer handlers, called directly with the sample events in `events/`, against
//! the embedded DynamoDB emulator with the template's tables.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::time::Duration;

use customer::store::DynamoCustomers;
use devstack::emulators::{Database, Emulators};
use devstack::testing::{emulators_with_resources, physical_name, system_of};
use lambda_http::{Body, Request, Response};
use serde_json::{Value, json};

fn event(name: &str) -> Request {
    let text =
        std::fs::read_to_string(system_of(env!("CARGO_MANIFEST_DIR")).events_dir().join(name)).expect("event file");
    lambda_http::request::from_str(&text).expect("a valid API Gateway v2 event")
}

fn body(response: &Response<Body>) -> Value {
    serde_json::from_slice(response.body().as_ref()).expect("a JSON body")
}

fn items(emulators: &Emulators) -> Vec<Value> {
    let page = emulators.ddb(Database::scan, json!({ "TableName": physical_name("CustomerTable") })).unwrap();
    page["Items"].as_array().cloned().unwrap_or_default()
}

async fn setup() -> (Emulators, DynamoCustomers) {
    let emulators = emulators_with_resources(system_of(env!("CARGO_MANIFEST_DIR")).template()).await;
    let client = platform::testing::dynamodb(&emulators.dynamodb_url);
    let customers = DynamoCustomers::new(client, physical_name("CustomerTable"), Duration::from_secs(86_400));
    (emulators, customers)
}

#[tokio::test]
async fn the_register_event_stores_the_customer_its_email_claim_and_one_outbox_event() {
    let (emulators, customers) = setup().await;
    let response = platform::http::respond(
        customer::http::register_customer(&customers, 1000, &event("register-customer.json")).await,
    );
    assert_eq!(response.status(), 201);
    let created = body(&response);
    assert_eq!(created["points"], 1000);
    assert_eq!(created["phone"], "010-1234-5678");
    let id = created["customerId"].as_str().unwrap();

    let items = items(&emulators);
    assert_eq!(items.len(), 3, "{items:?}");
    let outbox: Vec<&Value> = items.iter().filter(|i| i["kind"]["S"] == "OutboxEvent").collect();
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0]["eventType"]["S"], "CustomerRegistered");
    let envelope: Value = serde_json::from_str(outbox[0]["event"]["S"].as_str().unwrap()).unwrap();
    assert_eq!(envelope["data"]["customerId"], id);
    assert_eq!(envelope["correlationId"], id);
    assert!(outbox[0]["expiresAt"]["N"].as_str().unwrap().parse::<i64>().unwrap() > chrono::Utc::now().timestamp());
    assert!(items.iter().any(|i| i["pk"]["S"] == "EMAIL#minji@example.com"));

    let found = platform::http::respond(
        customer::http::get_customer(&customers, &with_path_id(event("get-customer.json"), id)).await,
    );
    assert_eq!(found.status(), 200);
    assert_eq!(body(&found)["email"], "minji@example.com");
}

/// The sample GET event with its path parameter pointed at `id`.
fn with_path_id(request: Request, id: &str) -> Request {
    use lambda_http::RequestExt;
    request.with_path_parameters(std::collections::HashMap::from([("customerId".to_owned(), id.to_owned())]))
}

#[tokio::test]
async fn the_invalid_register_event_is_refused_naming_both_fields_and_writes_nothing() {
    let (emulators, customers) = setup().await;
    let response = platform::http::respond(
        customer::http::register_customer(&customers, 1000, &event("register-customer-invalid.json")).await,
    );
    assert_eq!(response.status(), 400);
    assert_eq!(response.headers()["content-type"], "application/problem+json");
    let problem = body(&response);
    let fields: Vec<&str> =
        problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["name", "email"]);
    assert!(items(&emulators).is_empty());
}

#[tokio::test]
async fn the_get_event_for_an_unknown_customer_is_not_found() {
    let (_emulators, customers) = setup().await;
    let response = platform::http::respond(customer::http::get_customer(&customers, &event("get-customer.json")).await);
    assert_eq!(response.status(), 404);
    assert_eq!(body(&response)["status"], 404);
}
