//! The product handlers and the synchronous check, called directly with the sample
//! events in `events/`, against the embedded DynamoDB emulator with the template's tables.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::collections::HashMap;
use std::time::Duration;

use devstack::emulators::{Database, Emulators};
use devstack::testing::{emulators_with_resources, physical_name, system_of};
use lambda_http::{Body, Request, RequestExt, Response};
use product::check::{CheckRequest, check_products};
use product::store::DynamoProducts;
use serde_json::{Value, json};

fn event_text(name: &str) -> String {
    std::fs::read_to_string(system_of(env!("CARGO_MANIFEST_DIR")).events_dir().join(name)).expect("event file")
}

fn event(name: &str) -> Request {
    lambda_http::request::from_str(&event_text(name)).expect("a valid API Gateway v2 event")
}

fn for_product(request: Request, id: &str) -> Request {
    request.with_path_parameters(HashMap::from([("productId".to_owned(), id.to_owned())]))
}

fn body(response: &Response<Body>) -> Value {
    serde_json::from_slice(response.body().as_ref()).expect("a JSON body")
}

fn outbox_types(emulators: &Emulators) -> Vec<String> {
    let page = emulators.ddb(Database::scan, json!({ "TableName": physical_name("ProductTable") })).unwrap();
    page["Items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["kind"]["S"] == "OutboxEvent")
        .map(|i| i["eventType"]["S"].as_str().unwrap().to_owned())
        .collect()
}

async fn setup() -> (Emulators, DynamoProducts) {
    let emulators = emulators_with_resources(system_of(env!("CARGO_MANIFEST_DIR")).template()).await;
    let client = platform::testing::dynamodb(&emulators.dynamodb_url);
    (emulators, DynamoProducts::new(client, physical_name("ProductTable"), Duration::from_secs(86_400)))
}

async fn register(products: &DynamoProducts) -> String {
    let response =
        platform::http::respond(product::http::register_product(products, &event("register-product.json")).await);
    assert_eq!(response.status(), 201);
    body(&response)["productId"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn register_change_list_and_get_with_the_sample_events() {
    let (emulators, products) = setup().await;
    let id = register(&products).await;
    assert_eq!(outbox_types(&emulators), ["ProductRegistered"]);

    let menu = platform::http::respond(product::http::list_products(&products).await);
    assert_eq!(body(&menu)["products"][0]["name"], "Americano");
    assert_eq!(body(&menu)["products"][0]["category"], "Coffee");

    let changed = platform::http::respond(
        product::http::change_product(&products, &for_product(event("change-product.json"), &id)).await,
    );
    assert_eq!(changed.status(), 200);
    assert_eq!(body(&changed)["status"], "SoldOut");
    assert_eq!(body(&changed)["version"], 2);
    let mut types = outbox_types(&emulators);
    types.sort();
    assert_eq!(types, ["ProductChanged", "ProductRegistered"]);

    let menu = platform::http::respond(product::http::list_products(&products).await);
    assert_eq!(body(&menu)["products"], json!([]));
    let one = platform::http::respond(
        product::http::get_product(&products, &for_product(event("get-product.json"), &id)).await,
    );
    assert_eq!(body(&one)["status"], "SoldOut");
}

#[tokio::test]
async fn a_stale_version_is_refused_by_the_store() {
    use product::store::{ProductReader, ProductWriter, SaveError};
    let (_emulators, products) = setup().await;
    let id = product::domain::ProductId::parse(&register(&products).await).unwrap();
    let current = products.find(&id).await.unwrap().unwrap();
    let change =
        product::domain::ChangeProduct { price: Some(product::domain::Price::won(5000).unwrap()), status: None };
    let first = current.change(&change, chrono::Utc::now()).unwrap();
    products.save_change(&first, current.version, &[]).await.unwrap();
    // A second writer that read version 1 loses.
    let second = current.change(&change, chrono::Utc::now()).unwrap();
    assert!(matches!(products.save_change(&second, current.version, &[]).await, Err(SaveError::Conflict)));
    assert_eq!(products.find(&id).await.unwrap().unwrap().version, 2);
}

#[tokio::test]
async fn the_check_event_reports_unknown_products() {
    let (_emulators, products) = setup().await;
    let request: CheckRequest = serde_json::from_str(&event_text("check-products.json")).unwrap();
    let answer = check_products(&products, request).await.unwrap();
    assert!(answer.products.is_empty());
    assert_eq!(answer.unknown.len(), 2);

    let id = register(&products).await;
    let answer = check_products(&products, CheckRequest { product_ids: vec![id.clone(), id.clone()] }).await.unwrap();
    assert_eq!(answer.products.len(), 1);
    assert_eq!(answer.products[0].price, 4500);
    assert!(answer.products[0].orderable);
    assert!(check_products(&products, CheckRequest { product_ids: vec![] }).await.is_err());
    assert!(check_products(&products, CheckRequest { product_ids: vec![id; 101] }).await.is_err());
}
