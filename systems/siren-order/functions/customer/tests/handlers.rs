//! The customer handlers, called directly with the sample events in `events/`, against
//! the embedded DynamoDB emulator with the template's tables.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::time::Duration;

use customer::store::{DynamoCustomers, DynamoRegistry};
use customer::wiring::{GetCustomer, RegisterCustomer};
use devstack::emulators::{Database, Emulators};
use devstack::testing::{emulators_with_resources, physical_name, system_of};
use lambda_http::{Body, Request, RequestExt, Response};
use platform::dynamo::Table;
use serde_json::{Value, json};

/// The subject of the sample events' tokens.
const SUB: &str = "01a1fcae-3de8-72e8-9d91-af9e4b458b9a";

fn event_json(name: &str) -> Value {
    let path = system_of(env!("CARGO_MANIFEST_DIR")).events_dir().join(name);
    serde_json::from_str(&std::fs::read_to_string(path).expect("event file")).expect("JSON")
}

fn request(event: &Value) -> Request {
    lambda_http::request::from_str(&event.to_string()).expect("a valid API Gateway v2 event")
}

fn event(name: &str) -> Request {
    request(&event_json(name))
}

/// The sample register event with `body` instead of its own.
fn register_with(body: &Value) -> Request {
    let mut event = event_json("register-customer.json");
    event["body"] = Value::String(body.to_string());
    request(&event)
}

/// The sample GET event with its path parameter pointed at `id`.
fn get(id: &str) -> Request {
    event("get-customer.json")
        .with_path_parameters(std::collections::HashMap::from([("customerId".to_owned(), id.to_owned())]))
}

fn body(response: &Response<Body>) -> Value {
    serde_json::from_slice(response.body().as_ref()).expect("a JSON body")
}

fn items(emulators: &Emulators) -> Vec<Value> {
    let page = emulators.ddb(Database::scan, json!({ "TableName": physical_name("CustomerTable") })).unwrap();
    page["Items"].as_array().cloned().unwrap_or_default()
}

async fn setup() -> (Emulators, RegisterCustomer, GetCustomer) {
    let emulators = emulators_with_resources(system_of(env!("CARGO_MANIFEST_DIR")).template()).await;
    let table = Table::new(platform::testing::dynamodb(&emulators.dynamodb_url), physical_name("CustomerTable"));
    let register = RegisterCustomer {
        registry: DynamoRegistry::new(table.clone(), Duration::from_secs(86_400)),
        welcome_points: 1000,
    };
    (emulators, register, GetCustomer { customers: DynamoCustomers::new(table) })
}

#[tokio::test]
async fn the_register_event_stores_the_customer_its_email_claim_and_one_outbox_event() {
    let (emulators, register, get_customer) = setup().await;
    let response =
        platform::http::respond(customer::http::register_customer(&register, event("register-customer.json")).await);
    assert_eq!(response.status(), 201);
    let created = body(&response);
    assert_eq!(created["customerId"], SUB);
    assert_eq!(created["points"], 1000);
    assert_eq!(created["phone"], "010-1234-5678");

    let items = items(&emulators);
    assert_eq!(items.len(), 3, "{items:?}");
    let profile = items.iter().find(|i| i["kind"]["S"] == "Customer").unwrap();
    assert_eq!(profile["pk"]["S"], format!("CUSTOMER#{SUB}"));
    assert_eq!(profile["sk"]["S"], "PROFILE");
    assert_eq!(profile["points"]["N"], "1000");
    assert_eq!(profile["version"]["N"], "1");
    let claim = items.iter().find(|i| i["pk"]["S"] == "EMAIL#minji@example.com").unwrap();
    assert_eq!(claim["customerId"]["S"], SUB);
    let outbox: Vec<&Value> = items.iter().filter(|i| i["kind"]["S"] == "OutboxEvent").collect();
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0]["eventType"]["S"], "CustomerRegistered");
    let envelope: Value = serde_json::from_str(outbox[0]["event"]["S"].as_str().unwrap()).unwrap();
    assert_eq!(
        envelope["data"],
        json!({ "customerId": SUB, "name": "Kim Minji", "email": "minji@example.com", "welcomePoints": 1000 })
    );
    assert_eq!(envelope["correlationId"], SUB);
    assert_eq!(envelope["source"], "customer");
    assert!(outbox[0]["expiresAt"]["N"].as_str().unwrap().parse::<i64>().unwrap() > chrono::Utc::now().timestamp());

    let found = platform::http::respond(customer::http::get_customer(&get_customer, get(SUB)).await);
    assert_eq!(found.status(), 200);
    assert_eq!(body(&found)["email"], "minji@example.com");
    assert_eq!(body(&found)["points"], 1000);

    let again =
        platform::http::respond(customer::http::register_customer(&register, event("register-customer.json")).await);
    assert_eq!(again.status(), 409, "the same sub registers once");
}

#[tokio::test]
async fn a_body_may_name_its_own_customer_id_but_not_another() {
    let (emulators, register, _) = setup().await;
    let someone_else = json!({ "name": "Kim", "email": "kim@example.com", "customerId": "auth0|someone-else" });
    let refused =
        platform::http::respond(customer::http::register_customer(&register, register_with(&someone_else)).await);
    assert_eq!(refused.status(), 403);
    assert_eq!(refused.headers()["content-type"], "application/problem+json");
    let not_an_id = json!({ "name": "Kim", "email": "kim@example.com", "customerId": "two words" });
    let invalid =
        platform::http::respond(customer::http::register_customer(&register, register_with(&not_an_id)).await);
    assert_eq!(invalid.status(), 400);
    assert_eq!(body(&invalid)["errors"][0]["field"], "customerId");
    assert!(items(&emulators).is_empty(), "a refusal writes nothing");

    let mine = json!({ "name": "Kim", "email": "kim@example.com", "customerId": SUB });
    let created = platform::http::respond(customer::http::register_customer(&register, register_with(&mine)).await);
    assert_eq!(created.status(), 201);
    assert_eq!(body(&created)["customerId"], SUB);
}

#[tokio::test]
async fn the_invalid_register_event_is_refused_naming_both_fields_and_writes_nothing() {
    let (emulators, register, _) = setup().await;
    let response = platform::http::respond(
        customer::http::register_customer(&register, event("register-customer-invalid.json")).await,
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
async fn the_get_event_for_an_unknown_or_another_customer_is_not_found() {
    let (_emulators, register, get_customer) = setup().await;
    let response =
        platform::http::respond(customer::http::get_customer(&get_customer, event("get-customer.json")).await);
    assert_eq!(response.status(), 404);
    assert_eq!(body(&response)["status"], 404);

    // Another customer exists, but the sample token is not theirs.
    let other = json!({ "name": "Lee", "email": "lee@example.com" });
    let mut event = event_json("register-customer.json");
    event["body"] = Value::String(other.to_string());
    event["requestContext"]["authorizer"]["jwt"]["claims"]["sub"] = json!("auth0|lee");
    let created = platform::http::respond(customer::http::register_customer(&register, request(&event)).await);
    assert_eq!(created.status(), 201);
    let hidden = platform::http::respond(customer::http::get_customer(&get_customer, get("auth0|lee")).await);
    assert_eq!(hidden.status(), 404);
}
