//! Bad input on every route of the customer and product contexts: each gets its
//! documented status with an `application/problem+json` body naming the field, and
//! nothing is written.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use serde_json::{Value, json};
use siren_order::{Reply, TestApp};

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

async fn assert_no_orders_or_tickets(app: &TestApp) {
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    for table in ["OrderTable", "DeliveryTable"] {
        let items = app.items(table);
        assert!(items.is_empty(), "{table} holds {items:?}");
    }
    assert!(app.published("OrderEventsTopic").is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn placing_an_order_refuses_bad_input_and_writes_nothing() {
    let app = TestApp::start().await;
    let customer =
        app.register_customer("Kim", "kim@example.com").await.body["customerId"].as_str().unwrap().to_owned();
    let product = app.add_product("Americano", 4500).await.body["productId"].as_str().unwrap().to_owned();
    let item = |quantity: Value| json!({ "productId": product, "quantity": quantity });
    let cases: Vec<(Value, &str)> = vec![
        (json!({ "customerId": "not an id", "items": [item(json!(1))] }), "customerId"),
        (json!({ "customerId": "", "items": [item(json!(1))] }), "customerId"),
        (json!({ "customerId": customer }), "items"),
        (json!({ "customerId": customer, "items": [] }), "items"),
        (json!({ "customerId": customer, "items": "Americano" }), "items"),
        (json!({ "customerId": customer, "items": [item(json!(0))] }), "items[0].quantity"),
        (json!({ "customerId": customer, "items": [item(json!(21))] }), "items[0].quantity"),
        (json!({ "customerId": customer, "items": [item(json!(-1))] }), "items[0].quantity"),
        (json!({ "customerId": customer, "items": [item(json!(1.5))] }), "items[0].quantity"),
        (json!({ "customerId": customer, "items": [{ "quantity": 1 }] }), "items[0].productId"),
        (json!({ "customerId": customer, "items": [{ "productId": "", "quantity": 1 }] }), "items[0].productId"),
        (json!({ "customerId": customer, "items": [item(json!(1)), item(json!(2))] }), "items[1].productId"),
        (json!({ "customerId": customer, "items": [item(json!(1))], "amount": 1 }), "amount"),
        (
            json!({ "customerId": customer, "items": (0..21).map(|n| json!({ "productId": format!("p{n}"), "quantity": 1 })).collect::<Vec<_>>() }),
            "items",
        ),
    ];
    for (n, (body, field)) in cases.into_iter().enumerate() {
        let reply = app.send_raw("POST", "/orders", "application/json", body.to_string()).await;
        // No Idempotency-Key yet: that alone is a 400 naming the header.
        assert_problem(&reply, 400, Some("Idempotency-Key"));
        let reply = app.place_order_raw(&format!("bad-{n}"), body).await;
        assert_problem(&reply, 400, Some(field));
    }
    let unknown = app.place_order("unknown", &customer, &[("0193a3c2-8a00-7aa0-8b11-2c3d4e5f6a7b", 1)]).await;
    assert_problem(&unknown, 422, None);
    assert_problem(&app.place_order_raw("malformed", json!("{")).await, 400, None);
    assert_no_orders_or_tickets(&app).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn order_and_delivery_reads_and_moves_refuse_bad_input() {
    let app = TestApp::start().await;
    for path in ["/orders/0193a3c2-8a00-7aa0-8b11-2c3d4e5f6a7b", "/orders/not-an-id"] {
        assert_problem(&app.send("GET", path, None).await, 404, None);
    }
    assert_eq!(app.send("GET", "/orders", None).await.body["orders"], json!([]), "customerId defaults to the caller");
    let too_long = format!("/orders?customerId={}", "x".repeat(256));
    assert_problem(&app.send("GET", &too_long, None).await, 400, Some("customerId"));
    assert_problem(&app.send("POST", "/orders/0193a3c2-8a00-7aa0-8b11-2c3d4e5f6a7b/cancel", None).await, 404, None);
    assert_problem(&app.send("GET", "/deliveries?status=Lost", None).await, 400, Some("status"));
    let unknown = "/deliveries/0193a3c2-8a00-7aa0-8b11-2c3d4e5f6a7b";
    assert_problem(&app.send("PATCH", unknown, Some(&json!({ "status": "Completed" }))).await, 404, None);
    for body in [
        json!({}),
        json!({ "status": "Waiting" }),
        json!({ "status": "Cancelled" }),
        json!({ "status": "done" }),
        json!({ "status": 3 }),
    ] {
        assert_problem(&app.send("PATCH", unknown, Some(&body)).await, 400, Some("status"));
    }
    assert_problem(&app.send_raw("PATCH", unknown, "application/json", "nope").await, 400, None);
    assert_no_orders_or_tickets(&app).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_ticket_never_moves_back_and_a_cancelled_one_never_moves() {
    let app = TestApp::start().await;
    let customer =
        app.register_customer("Seo", "seo@example.com").await.body["customerId"].as_str().unwrap().to_owned();
    let product = app.add_product("Americano", 4500).await.body["productId"].as_str().unwrap().to_owned();
    let order = app.place_order("one", &customer, &[(&product, 1)]).await.body["orderId"].as_str().unwrap().to_owned();
    let waiting = app
        .poll(&format!("/orders/{order}"), std::time::Duration::from_secs(10), |r| r.body["status"] == "Waiting")
        .await;
    let path = format!("/deliveries/{}", waiting.body["deliveryId"].as_str().unwrap());
    assert_eq!(app.send("PATCH", &path, Some(&json!({ "status": "Completed" }))).await.status, 200);
    assert_problem(&app.send("PATCH", &path, Some(&json!({ "status": "Preparing" }))).await, 409, None);
    let again = app.send("PATCH", &path, Some(&json!({ "status": "Completed" }))).await;
    assert_eq!(again.status, 200, "the same status again changes nothing");

    let second = app.place_order("two", &customer, &[(&product, 1)]).await.body["orderId"].as_str().unwrap().to_owned();
    let waiting = app
        .poll(&format!("/orders/{second}"), std::time::Duration::from_secs(10), |r| r.body["status"] == "Waiting")
        .await;
    assert_eq!(app.cancel_order(&second, &customer).await.status, 200);
    let path = format!("/deliveries/{}", waiting.body["deliveryId"].as_str().unwrap());
    assert_problem(&app.send("PATCH", &path, Some(&json!({ "status": "Preparing" }))).await, 409, None);
}

/// The menu as the public sees it, and the products stored.
async fn assert_menu_empty(app: &TestApp) {
    let menu = app.send("GET", "/products", None).await;
    assert_eq!(menu.status, 200, "{menu:?}");
    assert_eq!(menu.body["products"], json!([]), "{menu:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_key_given_twice_is_refused_by_name_and_nothing_is_written() {
    let app = TestApp::start().await;
    for (body, field) in [
        (r#"{"name":"Americano","price":-5,"price":100}"#, "price"),
        (r#"{"name":"Americano","price":100,"price":100}"#, "price"),
        (r#"{"name":"Americano","name":"Latte","price":100}"#, "name"),
        (r#"{"name":"Americano","price":100,"category":"Coffee","category":"Tea"}"#, "category"),
        // The same key spelt in two Unicode forms is one key.
        (r#"{"name":"Americano","price":100,"caf\u00e9":1,"cafe\u0301":2}"#, "café"),
    ] {
        let reply = app.send_raw("POST", "/products", "application/json", body).await;
        assert_problem(&reply, 400, Some(field));
        assert!(reply.body["errors"][0]["detail"].as_str().unwrap().contains("more than once"), "{reply:?}");
    }
    let customer = r#"{"name":"Kim","email":"kim@example.com","email":"lee@example.com"}"#;
    assert_problem(&app.send_raw("POST", "/customers", "application/json", customer).await, 400, Some("email"));
    let order = r#"{"items":[{"productId":"p1","quantity":1},{"productId":"p2","quantity":1,"quantity":20}]}"#;
    assert_problem(&app.place_order_raw("twice", json!(order)).await, 400, Some("items[1].quantity"));
    assert_menu_empty(&app).await;
    assert_nothing_written(&app).await;
    assert_no_orders_or_tickets(&app).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn names_with_control_bidi_or_invisible_characters_are_refused_and_nothing_is_written() {
    let app = TestApp::start().await;
    let hidden = [
        "Ameri\u{0}cano",         // NUL
        "Americano\u{202e}ettal", // right-to-left override
        "Ameri\u{200b}cano",      // zero-width space
        "\u{feff}Americano",      // byte order mark / zero-width no-break space
        "Ameri\u{200d}cano",      // zero-width joiner
        "Americano\nLatte",       // a line break
        "Americano\u{2028}Latte", // line separator
        "\u{3164}",               // Hangul filler: looks empty
        "Ameri\u{ad}cano",        // soft hyphen
        "Americano\u{2066}",      // left-to-right isolate
        "Americano\u{e000}",      // private use
    ];
    for name in hidden {
        let reply = app.send("POST", "/products", Some(&json!({ "name": name, "price": 4500 }))).await;
        assert_problem(&reply, 400, Some("name"));
        let category =
            app.send("POST", "/products", Some(&json!({ "name": "Latte", "price": 5000, "category": name }))).await;
        assert_problem(&category, 400, Some("category"));
        let customer = app.register_customer(name, "kim@example.com").await;
        assert_problem(&customer, 400, Some("name"));
    }
    // Written as JSON escapes rather than raw UTF-8: the same refusal.
    for body in [
        r#"{"name":"Ameri\u0000cano","price":4500}"#,
        r#"{"name":"Ameri\u202Ecano","price":4500}"#,
        r#"{"name":"Ameri\u200Bcano","price":4500}"#,
    ] {
        let reply = app.send_raw("POST", "/products", "application/json", body).await;
        assert_problem(&reply, 400, Some("name"));
        assert!(reply.body["errors"][0]["detail"].as_str().unwrap().starts_with("must not contain U+"), "{reply:?}");
    }
    // Any string of any body: an order's product id (else a 422, unknown product).
    let order = json!({ "items": [{ "productId": "p\u{202e}1", "quantity": 1 }] });
    assert_problem(&app.place_order_raw("hidden", order).await, 400, Some("items[0].productId"));
    assert_menu_empty(&app).await;
    assert_nothing_written(&app).await;
    assert_no_orders_or_tickets(&app).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn decomposed_text_is_stored_and_returned_in_nfc() {
    let app = TestApp::start().await;
    // `e` + U+0301, and 시렌 spelt as conjoining jamo.
    let added = app
        .send("POST", "/products", Some(&json!({ "name": "Cafe\u{301} \u{1109}\u{1175}\u{1105}\u{1166}\u{11ab}", "price": 4500, "category": "Cafe\u{301}" })))
        .await;
    assert_eq!(added.status, 201, "{added:?}");
    assert_eq!(added.body["name"], "Café 시렌");
    assert_eq!(added.body["category"], "Café");
    let id = added.body["productId"].as_str().unwrap();
    let read = app.send("GET", &format!("/products/{id}"), None).await;
    assert_eq!(read.body["name"], "Café 시렌");
    let menu = app.send("GET", "/products", None).await;
    assert_eq!(menu.body["products"][0]["name"], "Café 시렌");
    let stored: Vec<Value> =
        app.items("ProductTable").into_iter().filter(|item| item["name"]["S"].is_string()).collect();
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert_eq!(stored[0]["name"]["S"], "Café 시렌");

    // 100 syllables spelt as 200 jamo: within the 100-character limit once composed.
    let long = "\u{1100}\u{1161}".repeat(100);
    let added = app.send("POST", "/products", Some(&json!({ "name": long, "price": 4500 }))).await;
    assert_eq!(added.status, 201, "{added:?}");
    assert_eq!(added.body["name"], "가".repeat(100));
    let too_long = format!("{long}\u{1100}\u{1161}");
    assert_problem(
        &app.send("POST", "/products", Some(&json!({ "name": too_long, "price": 4500 }))).await,
        400,
        Some("name"),
    );

    let customer = app.register_customer("\u{1100}\u{1175}\u{11b7} Mi\u{302}nji", "minji@example.com").await;
    assert_eq!(customer.status, 201, "{customer:?}");
    assert_eq!(customer.body["name"], "김 Mînji");
    let id = customer.body["customerId"].as_str().unwrap();
    assert_eq!(app.send("GET", &format!("/customers/{id}"), None).await.body["name"], "김 Mînji");
}

#[tokio::test(flavor = "multi_thread")]
async fn numbers_outside_their_range_are_refused_naming_the_field() {
    let app = TestApp::start().await;
    // Integers beyond i64 (or u64), floats spelt as integers, and values past the range.
    let prices = [
        "9223372036854775807",
        "9223372036854775808",
        "18446744073709551616",
        "-9223372036854775809",
        "1e30",
        "1e3",
        "-0.5",
        "1000001",
        "0",
    ];
    for price in prices {
        let body = format!(r#"{{"name":"Americano","price":{price}}}"#);
        assert_problem(&app.send_raw("POST", "/products", "application/json", body).await, 400, Some("price"));
    }
    let product = app.product("Americano", 4500).await;
    let path = format!("/products/{product}");
    for price in prices {
        let body = format!(r#"{{"price":{price}}}"#);
        assert_problem(&app.send_raw("PATCH", &path, "application/json", body).await, 400, Some("price"));
    }
    assert_eq!(app.send("GET", &path, None).await.body["price"], 4500, "the price did not change");
    assert_eq!(app.send("GET", &path, None).await.body["version"], 1);

    for quantity in
        ["4294967296", "4294967297", "9223372036854775808", "18446744073709551616", "1e30", "2e1", "21", "0"]
    {
        let body = format!(r#"{{"items":[{{"productId":"{product}","quantity":{quantity}}}]}}"#);
        let reply = app.place_order_raw(&format!("q-{quantity}"), json!(body)).await;
        assert_problem(&reply, 400, Some("items[0].quantity"));
    }
    assert_no_orders_or_tickets(&app).await;
}
