//! Bad input on every route: each gets its documented status with an
//! `application/problem+json` body naming the field, and nothing is written.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::time::Duration;

use clothes_rental::{Reply, TestApp};
use serde_json::{Value, json};

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

/// Items of `table` other than the circuit breaker's (which a read may create).
fn business_items(app: &TestApp, table: &str) -> Vec<Value> {
    app.items(table).into_iter().filter(|i| i["sk"]["S"] != "BREAKER").collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn placing_an_order_refuses_bad_input_naming_the_field_and_writes_nothing() {
    let app = TestApp::start().await;
    let a = app.customer();
    let send = |body: String, key: Option<&'static str>| {
        let headers: Vec<(&str, &str)> = key.map(|k| vec![("idempotency-key", k)]).unwrap_or_default();
        let token = a.token.clone();
        let app = &app;
        async move { app.send_text(Some(&token), "POST", "/orders", &headers, Some(("application/json", body))).await }
    };
    let cases: Vec<(Value, &str)> = vec![
        (json!({ "qty": 5 }), "productId"),
        (json!({ "productId": "1001" }), "qty"),
        (json!({ "productId": "", "qty": 5 }), "productId"),
        (json!({ "productId": "10 01", "qty": 5 }), "productId"),
        (json!({ "productId": "x".repeat(256), "qty": 5 }), "productId"),
        (json!({ "productId": 1001, "qty": 5 }), "productId"),
        (json!({ "productId": "1001", "qty": 0 }), "qty"),
        (json!({ "productId": "1001", "qty": -1 }), "qty"),
        (json!({ "productId": "1001", "qty": 101 }), "qty"),
        (json!({ "productId": "1001", "qty": "5" }), "qty"),
        (json!({ "productId": "1001", "qty": 2.5 }), "qty"),
        (json!({ "productId": "1001", "qty": 5, "price": 100 }), "price"),
        (json!({ "productId": "1001", "qty": 5, "customerId": "" }), "customerId"),
        (json!({ "productId": "1001\u{202e}", "qty": 5 }), "productId"),
    ];
    for (body, field) in cases {
        assert_problem(&send(body.to_string(), Some("k-bad")).await, 400, Some(field));
    }
    let both = send(json!({}).to_string(), Some("k-bad")).await;
    assert_problem(&both, 400, Some("productId"));
    assert_problem(&both, 400, Some("qty"));
    assert_problem(
        &send(json!({ "productId": "1001", "qty": 5 }).to_string(), None).await,
        400,
        Some("Idempotency-Key"),
    );
    assert_problem(&send("{\"productId\": ".to_owned(), Some("k-bad")).await, 400, None);
    assert_problem(&send("[1, 2]".to_owned(), Some("k-bad")).await, 400, None);
    assert_problem(
        &send("{\"qty\": 1, \"qty\": 2, \"productId\": \"1001\"}".to_owned(), Some("k-bad")).await,
        400,
        Some("qty"),
    );
    let text = app
        .send_text(
            Some(&a.token),
            "POST",
            "/orders",
            &[("idempotency-key", "k-bad")],
            Some(("text/plain", "qty=5".to_owned())),
        )
        .await;
    assert_problem(&text, 415, None);
    // Someone else's customerId is refused as forbidden, and changes nothing either.
    let other =
        send(json!({ "productId": "1001", "qty": 5, "customerId": "auth0|someone-else" }).to_string(), Some("k-bad"))
            .await;
    assert_problem(&other, 403, None);

    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(business_items(&app, "OrderTable").is_empty(), "{:?}", app.items("OrderTable"));
    assert!(app.published("OrderEventsTopic").is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_same_key_with_another_body_is_refused_and_a_replay_answers_the_first_answer() {
    let app = TestApp::start().await;
    let a = app.customer();
    let first = app.order(&a, "same-key", "1001", 5).await;
    assert_eq!(first.status, 201);
    let again = app.order(&a, "same-key", "1001", 5).await;
    assert_eq!((again.status, &again.body), (201, &first.body));
    assert_eq!(again.headers.get("idempotent-replayed").map(String::as_str), Some("true"));
    assert_problem(&app.order(&a, "same-key", "1002", 1).await, 422, None);
    let orders = business_items(&app, "OrderTable").into_iter().filter(|i| i["kind"]["S"] == "Order").count();
    assert_eq!(orders, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn ids_that_name_nothing_are_not_found_and_queries_name_their_bad_parameter() {
    let app = TestApp::start().await;
    let a = app.customer();
    for path in ["/orders/not-a-uuid", "/orders/01a200d0-4b05-7635-a158-5717350361de"] {
        assert_problem(&app.send_as(Some(&a.token), "GET", path, None).await, 404, None);
        assert_problem(&app.send_as(Some(&a.token), "POST", &format!("{path}/cancel"), None).await, 404, None);
        assert_problem(&app.send_as(Some(&a.token), "POST", &format!("{path}/return"), None).await, 404, None);
    }
    for path in ["/deliveries/nope", "/deliveries/01a200d0-4b05-7635-a158-5717350361de"] {
        assert_problem(&app.team_command(path.trim_start_matches("/deliveries/"), "ship").await, 404, None);
        assert_problem(&app.team_command(path.trim_start_matches("/deliveries/"), "collect").await, 404, None);
    }
    for (query, field) in [
        ("kind=Parcel", "kind"),
        ("status=Lost", "status"),
        ("status=Requested", "status"),
        ("kind=Return&status=Received", "status"),
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("limit=ten", "limit"),
        ("nextToken=garbage", "nextToken"),
    ] {
        let reply = app.send_as(Some(&app.team), "GET", &format!("/deliveries?{query}"), None).await;
        assert_problem(&reply, 400, Some(field));
    }
    for (query, field) in [("limit=0", "limit"), ("limit=101", "limit"), ("nextToken=garbage", "nextToken")] {
        let reply = app.send_as(Some(&a.token), "GET", &format!("/mypages?{query}"), None).await;
        assert_problem(&reply, 400, Some(field));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    for table in ["OrderTable", "DeliveryTable", "MyPageTable", "NotificationTable"] {
        assert!(business_items(&app, table).is_empty(), "{table}: {:?}", app.items(table));
    }
}
