//! Spec scenario steps 1 and 2 over HTTP on the local stack.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::time::Duration;

use serde_json::json;
use siren_order::{TestApp, event_of};

#[tokio::test(flavor = "multi_thread")]
async fn step_1_a_new_customer_gets_welcome_points_and_customer_registered_is_published_once() {
    let app = TestApp::start().await;

    let reply = app.register_customer("Kim Minji", "minji@example.com").await;
    assert_eq!(reply.status, 201, "{reply:?}");
    assert_eq!(reply.body["points"], 1000);
    assert_eq!(reply.body["name"], "Kim Minji");
    let customer_id = reply.body["customerId"].as_str().expect("an id").to_owned();

    let profile = app.send("GET", &format!("/customers/{customer_id}"), None).await;
    assert_eq!(profile.status, 200);
    assert_eq!(profile.body["points"], 1000);
    assert_eq!(profile.body["email"], "minji@example.com");

    let messages = app.wait_for_messages("CustomerEventsTopic", Duration::from_secs(10), |m| !m.is_empty()).await;
    // Give a duplicate publish time to show up before counting.
    tokio::time::sleep(Duration::from_millis(700)).await;
    let registered: Vec<_> = app
        .published("CustomerEventsTopic")
        .iter()
        .map(event_of)
        .filter(|e| e["type"] == "CustomerRegistered")
        .collect();
    assert!(!messages.is_empty());
    assert_eq!(registered.len(), 1, "CustomerRegistered must reach the topic exactly once: {registered:?}");
    let event = &registered[0];
    assert_eq!(event["data"]["customerId"], customer_id.as_str());
    assert_eq!(event["data"]["welcomePoints"], 1000);
    assert_eq!(event["correlationId"], customer_id.as_str());
    assert_eq!(event["source"], "customer");
    assert_eq!(app.published("CustomerEventsTopic")[0].attributes["eventType"], "CustomerRegistered");
}

#[tokio::test(flavor = "multi_thread")]
async fn welcome_points_come_from_the_template_parameter() {
    let app = TestApp::with_parameters([("WelcomePoints".to_owned(), "250".to_owned())].into()).await;
    let reply = app.register_customer("Lee", "lee@example.com").await;
    assert_eq!(reply.status, 201);
    assert_eq!(reply.body["points"], 250);
}

#[tokio::test(flavor = "multi_thread")]
async fn step_2_the_menu_shows_only_products_on_sale() {
    let app = TestApp::start().await;

    let americano = app.add_product("Americano", 4500).await;
    assert_eq!(americano.status, 201, "{americano:?}");
    assert_eq!(americano.body["status"], "OnSale");
    let latte = app.add_product("Latte", 5000).await;
    assert_eq!(latte.status, 201);
    let latte_id = latte.body["productId"].as_str().unwrap().to_owned();

    let sold_out = app.send("PATCH", &format!("/products/{latte_id}"), Some(&json!({ "status": "SoldOut" }))).await;
    assert_eq!(sold_out.status, 200, "{sold_out:?}");
    assert_eq!(sold_out.body["status"], "SoldOut");
    assert_eq!(sold_out.body["version"], 2);

    let menu = app.send("GET", "/products", None).await;
    assert_eq!(menu.status, 200);
    let names: Vec<&str> =
        menu.body["products"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Americano"]);

    // A sold-out product is still there by id, and can come back on sale.
    let latte_now = app.send("GET", &format!("/products/{latte_id}"), None).await;
    assert_eq!(latte_now.body["status"], "SoldOut");
    let back =
        app.send("PATCH", &format!("/products/{latte_id}"), Some(&json!({ "status": "OnSale", "price": 5200 }))).await;
    assert_eq!(back.body["price"], 5200);
    let menu = app.send("GET", "/products", None).await;
    assert_eq!(menu.body["products"].as_array().unwrap().len(), 2);

    let events = app.wait_for_messages("ProductEventsTopic", Duration::from_secs(10), |m| m.len() >= 4).await;
    let types: Vec<String> =
        events.iter().map(|m| event_of(m)["type"].as_str().unwrap_or_default().to_owned()).collect();
    assert_eq!(types.iter().filter(|t| *t == "ProductRegistered").count(), 2, "{types:?}");
    assert_eq!(types.iter().filter(|t| *t == "ProductChanged").count(), 2, "{types:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_order_context_can_ask_which_products_are_orderable() {
    let app = TestApp::start().await;
    let americano = app.add_product("Americano", 4500).await.body["productId"].as_str().unwrap().to_owned();
    let latte = app.add_product("Latte", 5000).await.body["productId"].as_str().unwrap().to_owned();
    app.send("PATCH", &format!("/products/{latte}"), Some(&json!({ "status": "SoldOut" }))).await;

    // Through the Lambda Invoke API, as the order context will call it.
    let payload = json!({ "productIds": [americano, latte, "not-a-product", americano] });
    let response = reqwest::Client::new()
        .post(format!("{}/2015-03-31/functions/CheckProductsFunction/invocations", app.stack.lambda_url))
        .body(payload.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers().get("x-amz-function-error").is_none());
    let answer: serde_json::Value = response.json().await.unwrap();
    assert_eq!(answer["products"].as_array().unwrap().len(), 2, "{answer}");
    assert_eq!(answer["products"][0]["productId"], americano.as_str());
    assert_eq!(answer["products"][0]["price"], 4500);
    assert_eq!(answer["products"][0]["orderable"], true);
    assert_eq!(answer["products"][1]["orderable"], false);
    assert_eq!(answer["products"][1]["status"], "SoldOut");
    assert_eq!(answer["unknown"], json!(["not-a-product"]));

    let empty = reqwest::Client::new()
        .post(format!("{}/2015-03-31/functions/CheckProductsFunction/invocations", app.stack.lambda_url))
        .body(json!({ "productIds": [] }).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(empty.headers()["x-amz-function-error"], "Unhandled");
}
