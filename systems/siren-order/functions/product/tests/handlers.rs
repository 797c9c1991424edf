//! The product handlers and the synchronous check, called directly with the sample
//! events in `events/`, against the embedded DynamoDB emulator with the template's tables.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::collections::HashMap;
use std::time::Duration;

use contracts::product_check::CheckRequest;
use devstack::emulators::{Database, Emulators};
use devstack::testing::{emulators_with_resources, physical_name, system_of};
use lambda_http::{Body, Request, RequestExt, Response};
use platform::dynamo::{Table, WriteError};
use product::domain::{Price, ProductChange, ProductId};
use product::ports::{ProductChanges, ProductLookup};
use product::store::{DynamoProductWriter, DynamoProducts};
use product::wiring::{ChangeProduct, CheckProducts, GetProduct, ListProducts, RegisterProduct};
use serde_json::{Value, json};

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

fn for_product(request: Request, id: &str) -> Request {
    request.with_path_parameters(HashMap::from([("productId".to_owned(), id.to_owned())]))
}

fn body(response: &Response<Body>) -> Value {
    serde_json::from_slice(response.body().as_ref()).expect("a JSON body")
}

struct World {
    emulators: Emulators,
    list: ListProducts,
    get: GetProduct,
    register: RegisterProduct,
    change: ChangeProduct,
    check: CheckProducts,
}

impl World {
    async fn start() -> Self {
        let emulators = emulators_with_resources(system_of(env!("CARGO_MANIFEST_DIR")).template()).await;
        let table = Table::new(platform::testing::dynamodb(&emulators.dynamodb_url), physical_name("ProductTable"));
        let reader = DynamoProducts::new(table.clone());
        let writer = DynamoProductWriter::new(table, Duration::from_secs(86_400));
        World {
            emulators,
            list: ListProducts { products: reader.clone() },
            get: GetProduct { products: reader.clone() },
            register: RegisterProduct { products: writer.clone() },
            change: ChangeProduct { products: writer },
            check: CheckProducts { products: reader },
        }
    }

    fn items(&self) -> Vec<Value> {
        let page = self.emulators.ddb(Database::scan, json!({ "TableName": physical_name("ProductTable") })).unwrap();
        page["Items"].as_array().cloned().unwrap()
    }

    /// The outbox envelopes, oldest first.
    fn outbox(&self) -> Vec<Value> {
        let mut events: Vec<Value> = self
            .items()
            .iter()
            .filter(|i| i["kind"]["S"] == "OutboxEvent")
            .map(|i| serde_json::from_str(i["event"]["S"].as_str().unwrap()).unwrap())
            .collect();
        events.sort_by_key(|e| e["id"].as_str().unwrap().to_owned());
        events
    }

    async fn register(&self) -> String {
        let response = platform::http::respond(
            product::http::register_product(&self.register, event("register-product.json")).await,
        );
        assert_eq!(response.status(), 201);
        body(&response)["productId"].as_str().unwrap().to_owned()
    }

    async fn menu(&self) -> Value {
        let response =
            platform::http::respond(product::http::list_products(&self.list, event("list-products.json")).await);
        assert_eq!(response.status(), 200);
        body(&response)["products"].clone()
    }
}

#[tokio::test]
async fn register_change_list_and_get_with_the_sample_events() {
    let world = World::start().await;
    let id = world.register().await;
    let product = world.items().into_iter().find(|i| i["kind"]["S"] == "Product").unwrap();
    assert_eq!(product["pk"]["S"], format!("PRODUCT#{id}"));
    assert_eq!(product["sk"]["S"], "PRODUCT");
    assert_eq!(product["price"]["N"], "4500");
    assert_eq!(product["gsi1pk"]["S"], "STATUS#OnSale");
    assert_eq!(product["gsi1sk"]["S"], format!("americano#{id}"));
    let outbox = world.outbox();
    assert_eq!(outbox.len(), 1);
    assert_eq!(
        (&outbox[0]["type"], &outbox[0]["source"], &outbox[0]["correlationId"]),
        (&json!("ProductRegistered"), &json!("product"), &json!(id))
    );
    assert_eq!(
        outbox[0]["data"],
        json!({ "productId": id, "name": "Americano", "price": 4500, "category": "Coffee", "status": "OnSale" })
    );

    let menu = world.menu().await;
    assert_eq!(
        menu,
        json!([{ "productId": id, "name": "Americano", "price": 4500, "category": "Coffee", "status": "OnSale", "version": 1 }])
    );

    let changed = platform::http::respond(
        product::http::change_product(&world.change, for_product(event("change-product.json"), &id)).await,
    );
    assert_eq!(changed.status(), 200);
    assert_eq!(body(&changed)["status"], "SoldOut");
    assert_eq!(body(&changed)["version"], 2);
    let outbox = world.outbox();
    assert_eq!(outbox.len(), 2);
    assert_eq!(outbox[1]["type"], "ProductChanged");
    assert_eq!(
        outbox[1]["data"],
        json!({ "productId": id, "name": "Americano", "price": 4500, "status": "SoldOut", "version": 2 })
    );

    assert_eq!(world.menu().await, json!([]), "a sold-out product leaves the menu");
    let one = platform::http::respond(
        product::http::get_product(&world.get, for_product(event("get-product.json"), &id)).await,
    );
    assert_eq!(one.status(), 200);
    assert_eq!(body(&one)["status"], "SoldOut");

    // The same change again is accepted and writes nothing.
    let before = world.items().len();
    let again = platform::http::respond(
        product::http::change_product(&world.change, for_product(event("change-product.json"), &id)).await,
    );
    assert_eq!((again.status().as_u16(), body(&again)["version"].clone()), (200, json!(2)));
    assert_eq!(world.items().len(), before);
}

#[tokio::test]
async fn the_menu_lists_only_products_on_sale_by_name() {
    let world = World::start().await;
    for (name, price) in [("latte", 5000), ("Americano", 4500), ("Mocha", 5500)] {
        let mut add = event_json("register-product.json");
        add["body"] = Value::String(json!({ "name": name, "price": price }).to_string());
        let response = platform::http::respond(product::http::register_product(&world.register, request(&add)).await);
        assert_eq!(response.status(), 201);
        if name == "Mocha" {
            let id = body(&response)["productId"].as_str().unwrap().to_owned();
            let sold_out = for_product(event("change-product.json"), &id);
            assert_eq!(
                platform::http::respond(product::http::change_product(&world.change, sold_out).await).status(),
                200
            );
        }
    }
    let names: Vec<Value> = world.menu().await.as_array().unwrap().iter().map(|p| p["name"].clone()).collect();
    assert_eq!(names, [json!("Americano"), json!("latte")]);
}

#[tokio::test]
async fn only_an_owner_keeps_the_menu_and_a_refusal_writes_nothing() {
    let world = World::start().await;
    let id = world.register().await;
    let before = world.items().len();
    let as_barista = |name: &str| {
        let mut event = event_json(name);
        event["requestContext"]["authorizer"]["jwt"]["claims"]["cognito:groups"] = json!("[barista]");
        request(&event)
    };
    let add = platform::http::respond(
        product::http::register_product(&world.register, as_barista("register-product.json")).await,
    );
    assert_eq!(add.status(), 403);
    let change = platform::http::respond(
        product::http::change_product(&world.change, for_product(as_barista("change-product.json"), &id)).await,
    );
    assert_eq!(change.status(), 403);
    assert_eq!(world.items().len(), before);

    let unknown =
        platform::http::respond(product::http::change_product(&world.change, event("change-product.json")).await);
    assert_eq!(unknown.status(), 404, "the sample's product does not exist");
    let not_an_id = platform::http::respond(
        product::http::get_product(&world.get, for_product(event("get-product.json"), "not-an-id")).await,
    );
    assert_eq!(not_an_id.status(), 404);
}

#[tokio::test]
async fn a_stale_version_is_refused_by_the_store() {
    let world = World::start().await;
    let id = ProductId::parse(&world.register().await).unwrap();
    let writer = &world.change.products;
    let current = writer.find(&id).await.unwrap().unwrap();
    let change = ProductChange { price: Some(Price::won(5000).unwrap()), status: None };
    let (first, events) = current.change(&change, chrono::Utc::now()).unwrap();
    writer.save(&first, current.version, &events).await.unwrap();
    // A second writer that read version 1 loses, and writes no event either.
    let (second, events) = current.change(&change, chrono::Utc::now()).unwrap();
    assert!(matches!(writer.save(&second, current.version, &events).await, Err(WriteError::Conflict)));
    assert_eq!(writer.find(&id).await.unwrap().unwrap().version, 2);
    assert_eq!(world.outbox().len(), 2, "ProductRegistered and the first ProductChanged");
}

#[tokio::test]
async fn the_check_event_reports_unknown_products_and_known_ones_once() {
    let world = World::start().await;
    let request: CheckRequest = serde_json::from_value(event_json("check-products.json")).unwrap();
    let answer = product::invoke::check_products(&world.check, request.clone()).await.unwrap();
    assert!(answer.products.is_empty());
    assert_eq!(answer.unknown, request.product_ids);

    let id = world.register().await;
    let asked = vec!["nope".to_owned(), id.clone(), id.to_uppercase(), "nope".to_owned()];
    let answer = product::invoke::check_products(&world.check, CheckRequest { product_ids: asked }).await.unwrap();
    assert_eq!(answer.unknown, ["nope"]);
    assert_eq!(answer.products.len(), 1);
    assert_eq!(answer.products[0].product_id, id);
    assert_eq!(answer.products[0].price, platform::Won::new(4500));
    assert_eq!(answer.products[0].status, "OnSale");
    assert!(answer.products[0].orderable);

    assert!(product::invoke::check_products(&world.check, CheckRequest { product_ids: vec![] }).await.is_err());
    let too_many = CheckRequest { product_ids: vec![id; 101] };
    assert!(product::invoke::check_products(&world.check, too_many).await.is_err());
}
