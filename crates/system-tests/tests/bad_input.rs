//! Bad input on every route of the customer and product contexts: each gets its
//! documented status with an `application/problem+json` body naming the field, and
//! nothing is written.

use serde_json::{Value, json};
use system_tests::{Reply, TestApp};

fn assert_problem(reply: &Reply, status: u16, field: Option<&str>) {
    assert_eq!(reply.status, status, "{reply:?}");
    assert_eq!(reply.content_type, "application/problem+json", "{reply:?}");
    assert_eq!(reply.body["status"], status);
    if let Some(field) = field {
        let fields: Vec<&str> =
            reply.body["errors"].as_array().into_iter().flatten().filter_map(|e| e["field"].as_str()).collect();
        assert!(fields.contains(&field), "expected {field} among {fields:?}: {reply:?}");
    }
}

async fn assert_nothing_written(app: &TestApp) {
    // Give the outbox relay a moment: an event written by mistake would show up.
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    for table in ["CustomerTable", "ProductTable"] {
        let items = app.items(table);
        assert!(items.is_empty(), "{table} holds {items:?}");
    }
    assert!(app.published("CustomerEventsTopic").is_empty());
    assert!(app.published("ProductEventsTopic").is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn registering_a_customer_refuses_bad_input_and_writes_nothing() {
    let app = TestApp::start().await;
    let cases: Vec<(Value, &str)> = vec![
        (json!({ "email": "a@example.com" }), "name"),
        (json!({ "name": "Kim" }), "email"),
        (json!({ "name": "", "email": "a@example.com" }), "name"),
        (json!({ "name": "   ", "email": "a@example.com" }), "name"),
        (json!({ "name": "Kim", "email": "" }), "email"),
        (json!({ "name": "Kim", "email": "not-an-email" }), "email"),
        (json!({ "name": "Kim", "email": "kim@localhost" }), "email"),
        (json!({ "name": 42, "email": "a@example.com" }), "name"),
        (json!({ "name": "Kim", "email": "a@example.com", "phone": "call me" }), "phone"),
        (json!({ "name": "x".repeat(101), "email": "a@example.com" }), "name"),
        (json!({ "name": "Kim", "email": "a@example.com", "points": 1_000_000 }), "points"),
    ];
    for (body, field) in cases {
        let reply = app.send("POST", "/customers", Some(&body)).await;
        assert_problem(&reply, 400, Some(field));
    }
    let both = app.send("POST", "/customers", Some(&json!({}))).await;
    assert_problem(&both, 400, Some("name"));
    assert_problem(&both, 400, Some("email"));

    assert_problem(&app.send_raw("POST", "/customers", "application/json", "{\"name\": ").await, 400, None);
    assert_problem(&app.send_raw("POST", "/customers", "application/json", "").await, 400, None);
    assert_problem(&app.send_raw("POST", "/customers", "application/json", "[1, 2]").await, 400, None);
    assert_problem(&app.send_raw("POST", "/customers", "text/plain", "name=Kim").await, 415, None);
    let huge = json!({ "name": "Kim", "email": "a@example.com", "phone": "1".repeat(20_000) }).to_string();
    assert_problem(&app.send_raw("POST", "/customers", "application/json", huge).await, 413, None);

    assert_nothing_written(&app).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_registration_with_the_same_email_is_a_conflict() {
    let app = TestApp::start().await;
    assert_eq!(app.register_customer("Kim", "kim@example.com").await.status, 201);
    let again = app.register_customer("Kim Again", "KIM@example.com").await;
    assert_problem(&again, 409, None);
    let customers: Vec<Value> =
        app.items("CustomerTable").into_iter().filter(|i| i["kind"]["S"] == "Customer").collect();
    assert_eq!(customers.len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_customers_and_products_are_not_found() {
    let app = TestApp::start().await;
    for path in [
        "/customers/0193a3c2-7b1e-7cc0-9d3e-5f2a1b4c6d8e",
        "/customers/not-an-id",
        "/products/0193a3c2-8a00-7aa0-8b11-2c3d4e5f6a7b",
        "/products/not-an-id",
    ] {
        assert_problem(&app.send("GET", path, None).await, 404, None);
    }
    let patch = app
        .send("PATCH", "/products/0193a3c2-8a00-7aa0-8b11-2c3d4e5f6a7b", Some(&json!({ "status": "SoldOut" })))
        .await;
    assert_problem(&patch, 404, None);
    // A route that does not exist is API Gateway's own 404.
    assert_eq!(app.send("DELETE", "/products", None).await.status, 404);
    assert_nothing_written(&app).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn adding_a_product_refuses_bad_input_and_writes_nothing() {
    let app = TestApp::start().await;
    let cases: Vec<(Value, &str)> = vec![
        (json!({ "price": 4500 }), "name"),
        (json!({ "name": "Americano" }), "price"),
        (json!({ "name": "", "price": 4500 }), "name"),
        (json!({ "name": "Americano", "price": -1 }), "price"),
        (json!({ "name": "Americano", "price": 0 }), "price"),
        (json!({ "name": "Americano", "price": 1_000_001 }), "price"),
        (json!({ "name": "Americano", "price": 99_999_999_999_999_i64 }), "price"),
        (json!({ "name": "Americano", "price": 4500.5 }), "price"),
        (json!({ "name": "Americano", "price": "4500" }), "price"),
        (json!({ "name": "Americano", "price": 4500, "category": "" }), "category"),
        (json!({ "name": "Americano", "price": 4500, "status": "SoldOut" }), "status"),
    ];
    for (body, field) in cases {
        let reply = app.send("POST", "/products", Some(&body)).await;
        assert_problem(&reply, 400, Some(field));
    }
    assert_problem(&app.send_raw("POST", "/products", "application/json", "{oops}").await, 400, None);
    assert_nothing_written(&app).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn changing_a_product_refuses_bad_input_and_changes_nothing() {
    let app = TestApp::start().await;
    let added = app.add_product("Americano", 4500).await;
    let id = added.body["productId"].as_str().unwrap().to_owned();
    let path = format!("/products/{id}");
    let before = app.items("ProductTable");

    for (body, field) in [
        (json!({}), "price"),
        (json!({ "status": "Gone" }), "status"),
        (json!({ "status": "soldout" }), "status"),
        (json!({ "price": -5 }), "price"),
        (json!({ "price": 2_000_000 }), "price"),
        (json!({ "price": 4000, "status": "Closed" }), "status"),
        (json!({ "name": "Renamed" }), "name"),
    ] {
        assert_problem(&app.send("PATCH", &path, Some(&body)).await, 400, Some(field));
    }
    assert_problem(&app.send_raw("PATCH", &path, "application/json", "not json").await, 400, None);

    let product = app.send("GET", &path, None).await;
    assert_eq!(product.body["price"], 4500);
    assert_eq!(product.body["version"], 1);
    assert_eq!(app.items("ProductTable").len(), before.len(), "no new item (such as an outbox event) was written");

    // Setting the current values is accepted and changes nothing.
    let same = app.send("PATCH", &path, Some(&json!({ "price": 4500, "status": "OnSale" }))).await;
    assert_eq!(same.status, 200);
    assert_eq!(same.body["version"], 1);
    assert_eq!(app.items("ProductTable").len(), before.len());
}
