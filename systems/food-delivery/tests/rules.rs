//! The rules every route keeps, over HTTP on one local stack (several checks per stack, so CI
//! starts few): every function cold-starts with the template's environment and runs its sample
//! events; the stack serves the OpenAPI document; the report's own body `{"item": "chicken"}`
//! works with a bearer token; bad input on every route is a 400 naming the field and writes
//! nothing; every route with no token, another customer's token and the wrong role; an
//! `Idempotency-Key` replays; duplicate and reordered events change nothing; a new team (the
//! report's marketing) subscribes its own queue to the existing topics and receives the events.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::time::Duration;

use devstack::observe::PublishedMessage;
use devstack::template::Template;
use food_delivery::{Customer, Reply, TestApp, event_of};
use serde_json::{Value, json};

const PATIENCE: Duration = Duration::from_secs(60);

fn assert_problem(reply: &Reply, status: u16, field: Option<&str>) {
    assert_eq!(reply.status, status, "{reply:?}");
    assert_eq!(reply.content_type, "application/problem+json", "{reply:?}");
    if let Some(field) = field {
        let fields: Vec<&str> =
            reply.body["errors"].as_array().into_iter().flatten().filter_map(|e| e["field"].as_str()).collect();
        assert!(fields.contains(&field), "expected {field} among {fields:?}: {reply:?}");
    }
}

/// What the commands write, by key: menu items, orders, payments, tombstones, store orders and
/// first answers, with their version and status (outbox, inbox and notification items are the
/// asynchronous tail of earlier effects, and the breakers' items may change on any call).
fn business_items(app: &TestApp) -> Vec<(String, String, String)> {
    let mut items: Vec<(String, String, String)> = ["OrderTable", "PaymentTable", "StoreTable"]
        .iter()
        .flat_map(|table| app.items(table))
        .filter(|i| {
            let pk = i["pk"]["S"].as_str().unwrap_or_default();
            let kind = i["kind"]["S"].as_str().unwrap_or_default();
            pk.starts_with("IDEMPOTENCY#")
                || ["MenuItem", "Order", "Payment", "Tombstone", "StoreOrder"].contains(&kind)
        })
        .map(|i| {
            let text = |name: &str| i[name]["S"].as_str().or(i[name]["N"].as_str()).unwrap_or_default().to_owned();
            (text("pk"), text("version"), text("status"))
        })
        .collect();
    items.sort();
    items
}

#[tokio::test(flavor = "multi_thread")]
async fn every_route_keeps_the_rules() {
    let app = TestApp::start().await;
    functions_start_and_run_their_sample_events(&app).await;
    the_stack_serves_the_openapi_document(&app).await;
    // add-menu-item.json put chicken on the menu at 18000.
    let menu = app.send_as(None, "GET", "/menu", None).await.body;
    assert_eq!(menu, json!({"items": [{"item": "chicken", "price": 18000}], "nextToken": null}));
    the_menu_reads_in_pages(&app).await;
    let owner = app.customer();
    let first = the_reports_body_orders_one_chicken_with_a_bearer_token(&app, &owner).await;
    assert!(app.store_order("Received", &first, PATIENCE).await.is_some());
    let order = app.order_id(&owner, "chicken", 2).await;
    assert!(app.store_order("Received", &order, PATIENCE).await.is_some());
    bad_input_is_a_400_naming_the_field_and_writes_nothing(&app, &owner, &order).await;
    who_may_do_what(&app, &owner, &order).await;
    an_idempotency_key_replays_the_first_answer(&app).await;
    duplicate_and_reordered_events_change_nothing(&app).await;
    a_new_team_subscribes_without_changing_any_producer(&app).await;
}

/// `GET /menu` pages by name: every item on sale once across pages, the last page says so, and a
/// bad `limit` or `nextToken` is a 400 naming it.
async fn the_menu_reads_in_pages(app: &TestApp) {
    for item in ["bibimbap", "tteokbokki"] {
        let added = app.send_as(Some(&app.store), "POST", "/menu", Some(&json!({"item": item, "price": 9000}))).await;
        assert_eq!(added.status, 201, "{added:?}");
    }
    let (mut seen, mut path) = (Vec::new(), "/menu?limit=2".to_owned());
    loop {
        let page = app.send_as(None, "GET", &path, None).await;
        assert_eq!(page.status, 200, "{page:?}");
        let items = page.body["items"].as_array().unwrap();
        assert!(items.len() <= 2, "a page holds at most limit items: {page:?}");
        seen.extend(items.iter().map(|i| i["item"].as_str().unwrap().to_owned()));
        match page.body["nextToken"].as_str() {
            Some(token) => path = format!("/menu?limit=2&nextToken={token}"),
            None => break,
        }
    }
    assert_eq!(seen, ["bibimbap", "chicken", "tteokbokki"], "every item once, by name");
    for (path, field) in
        [("/menu?limit=0", "limit"), ("/menu?limit=501", "limit"), ("/menu?nextToken=nope", "nextToken")]
    {
        assert_problem(&app.send_text(None, "GET", path, &[], None).await, 400, Some(field));
    }
    for item in ["bibimbap", "tteokbokki"] {
        let path = format!("/menu/{item}");
        let sold_out = app.send_as(Some(&app.store), "PATCH", &path, Some(&json!({"status": "SoldOut"}))).await;
        assert_eq!(sold_out.status, 200, "{sold_out:?}");
    }
}

async fn functions_start_and_run_their_sample_events(app: &TestApp) {
    let failed = stack_test::lint::cold_starts(app).await;
    assert!(failed.is_empty(), "cold starts failed:\n{}", failed.join("\n"));
    let template = Template::load(food_delivery::system().template()).unwrap();
    for (logical_id, _) in template.of_type("AWS::Serverless::Function") {
        let environment = &app.stack.function(logical_id).unwrap().environment;
        assert_eq!(environment.get("AWS_LAMBDA_LOG_FORMAT").map(String::as_str), Some("JSON"), "{logical_id}");
    }
    // `devstack invoke -e` with each function's sample (events/README.md): each answers.
    for (function, file) in [
        ("GetMenuFunction", "get-menu.json"),
        ("AddMenuItemFunction", "add-menu-item.json"),
        ("ChangeMenuItemFunction", "change-menu-item.json"),
        ("PlaceOrderFunction", "place-order.json"),
        ("PlaceOrderFunction", "place-order-invalid.json"),
        ("GetOrderFunction", "get-order.json"),
        ("ListOrdersFunction", "list-orders.json"),
        ("CancelOrderFunction", "cancel-order.json"),
        ("PayFunction", "pay.json"),
        ("ListStoreOrdersFunction", "list-store-orders.json"),
        ("MoveStoreOrderFunction", "move-store-order.json"),
        ("CancelStoreOrderFunction", "cancel-store-order.json"),
        ("StoreOnOrderEventsFunction", "sqs-store-order-events.json"),
        ("PayOnOrderEventsFunction", "sqs-pay-order-events.json"),
        ("CustomerOnEventsFunction", "sqs-customer-events.json"),
        ("OrderOnEventsFunction", "sqs-order-events.json"),
        ("OrderOutboxRelayFunction", "outbox-sweep.json"),
    ] {
        let answer = app.invoke_event(function, file).await;
        assert!(answer.is_ok(), "{function} {file}: {answer:?}");
    }
    let placed = app.invoke_event("PlaceOrderFunction", "place-order.json").await.unwrap();
    assert_eq!(placed["statusCode"], 201, "chicken is on the menu now: {placed}");
    let invalid = app.invoke_event("PlaceOrderFunction", "place-order-invalid.json").await.unwrap();
    assert_eq!(invalid["statusCode"], 400, "{invalid}");
    // The samples' store order (from sqs-store-order-events.json) was received.
    let sample = "019a9a3c-7c1e-7d4a-9b2f-3e5d6c7b8a90";
    assert_eq!(app.store_entries_of(sample).len(), 1);
}

async fn the_stack_serves_the_openapi_document(app: &TestApp) {
    let reply = app.send_as(None, "GET", devstack::openapi::PATH, None).await;
    assert_eq!(reply.status, 200);
    let mut served: Value = reply.body;
    served.as_object_mut().unwrap().remove("servers");
    assert_eq!(served, food_delivery::openapi::document());
}

/// The seed's load test body, `{"item": "chicken"}`, with a bearer token and no key: one
/// chicken, paid (201); the same body without a token is the gateway's 401.
async fn the_reports_body_orders_one_chicken_with_a_bearer_token(app: &TestApp, customer: &Customer) -> String {
    let body = ("application/json", r#"{"item": "chicken"}"#.to_owned());
    let reply = app.send_text(Some(&customer.token), "POST", "/orders", &[], Some(body.clone())).await;
    assert_eq!(reply.status, 201, "{reply:?}");
    assert_eq!(
        (reply.body["item"].as_str(), reply.body["quantity"].as_u64(), reply.body["amount"].as_u64()),
        (Some("chicken"), Some(1), Some(18000))
    );
    assert_eq!(reply.body["customerId"], customer.id.as_str(), "the customer is the token's sub");
    let anonymous = app.send_text(None, "POST", "/orders", &[], Some(body)).await;
    assert_eq!(anonymous.status, 401, "{anonymous:?}");
    reply.body["orderId"].as_str().unwrap().to_owned()
}

async fn bad_input_is_a_400_naming_the_field_and_writes_nothing(app: &TestApp, customer: &Customer, order: &str) {
    let before = business_items(app);
    let send =
        |token: &str, method: &'static str, path: String, body: String, headers: Vec<(&'static str, &'static str)>| {
            let token = token.to_owned();
            async move { app.send_text(Some(&token), method, &path, &headers, Some(("application/json", body))).await }
        };
    let store = app.store.clone();
    // POST /menu
    for (body, field) in [
        (json!({"price": 1000}), "item"),
        (json!({"item": "bulgogi"}), "price"),
        (json!({"item": "", "price": 1000}), "item"),
        (json!({"item": " bulgogi", "price": 1000}), "item"),
        (json!({"item": "x".repeat(51), "price": 1000}), "item"),
        (json!({"item": "bulgogi\u{202e}", "price": 1000}), "item"),
        (json!({"item": 7, "price": 1000}), "item"),
        (json!({"item": "bulgogi", "price": 0}), "price"),
        (json!({"item": "bulgogi", "price": -1}), "price"),
        (json!({"item": "bulgogi", "price": 1_000_001}), "price"),
        (json!({"item": "bulgogi", "price": "1000"}), "price"),
        (json!({"item": "bulgogi", "price": 1000.5}), "price"),
        (json!({"item": "bulgogi", "price": 1000, "status": "OnSale"}), "status"),
    ] {
        assert_problem(&send(&store, "POST", "/menu".into(), body.to_string(), vec![]).await, 400, Some(field));
    }
    // PATCH /menu/{item}
    for (body, field) in [
        (json!({}), "price"),
        (json!({"price": 0}), "price"),
        (json!({"status": "Gone"}), "status"),
        (json!({"status": 1}), "status"),
        (json!({"price": 1000, "item": "bulgogi"}), "item"),
    ] {
        assert_problem(
            &send(&store, "PATCH", "/menu/chicken".into(), body.to_string(), vec![]).await,
            400,
            Some(field),
        );
    }
    // POST /orders
    let token = customer.token.clone();
    for (body, field) in [
        (json!({}), "item"),
        (json!({"quantity": 1}), "item"),
        (json!({"item": ""}), "item"),
        (json!({"item": 1}), "item"),
        (json!({"item": "chicken", "quantity": 0}), "quantity"),
        (json!({"item": "chicken", "quantity": 100}), "quantity"),
        (json!({"item": "chicken", "quantity": -1}), "quantity"),
        (json!({"item": "chicken", "quantity": "2"}), "quantity"),
        (json!({"item": "chicken", "quantity": 2.5}), "quantity"),
        (json!({"item": "chicken", "price": 1}), "price"),
        (json!({"item": "chicken", "customerId": "auth0|lee"}), "customerId"),
    ] {
        assert_problem(&send(&token, "POST", "/orders".into(), body.to_string(), vec![]).await, 400, Some(field));
    }
    let bad_key = send(
        &token,
        "POST",
        "/orders".into(),
        json!({"item": "chicken"}).to_string(),
        vec![("idempotency-key", "a b")],
    )
    .await;
    assert_problem(&bad_key, 400, Some("Idempotency-Key"));
    assert_problem(&send(&token, "POST", "/orders".into(), "{\"item\": ".into(), vec![]).await, 400, None);
    let text = app.send_text(Some(&token), "POST", "/orders", &[], Some(("text/plain", "chicken".into()))).await;
    assert_problem(&text, 415, None);
    // GET /orders
    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("nextToken=garbage", "nextToken"),
        ("customerId=%20", "customerId"),
    ] {
        let reply = app.send_as(Some(&token), "GET", &format!("/orders?{query}"), None).await;
        assert_problem(&reply, 400, Some(field));
    }
    // GET /store/orders
    for (query, field) in [("status=Bogus", "status"), ("limit=501", "limit"), ("nextToken=garbage", "nextToken")] {
        let reply = app.send_as(Some(&store), "GET", &format!("/store/orders?{query}"), None).await;
        assert_problem(&reply, 400, Some(field));
    }
    // PATCH /store/orders/{orderId}
    for (body, field) in [
        (json!({}), "status"),
        (json!({"status": "Received"}), "status"),
        (json!({"status": "Cancelled"}), "status"),
        (json!({"status": "cooking"}), "status"),
        (json!({"status": "Cooking", "note": "x"}), "note"),
    ] {
        let reply = send(&store, "PATCH", format!("/store/orders/{order}"), body.to_string(), vec![]).await;
        assert_problem(&reply, 400, Some(field));
    }
    // An id that is no order id names no order.
    assert_problem(&app.send_as(Some(&token), "GET", "/orders/not-an-id", None).await, 404, None);
    assert_problem(&app.send_as(Some(&token), "POST", "/orders/not-an-id/cancel", None).await, 404, None);
    assert_problem(&app.change_item("bulgogi", &json!({"status": "SoldOut"})).await, 404, None);
    assert_problem(&app.add_item("chicken", 1).await, 409, None);
    assert_problem(&app.order(customer, &json!({"item": "bulgogi"})).await, 422, None);
    assert_eq!(business_items(app), before, "nothing was written");
}

async fn who_may_do_what(app: &TestApp, owner: &Customer, order: &str) {
    let other = app.customer();
    let before = business_items(app);
    let routes: Vec<(&str, String, Option<Value>)> = vec![
        ("POST", "/menu".into(), Some(json!({"item": "bulgogi", "price": 9000}))),
        ("PATCH", "/menu/chicken".into(), Some(json!({"price": 1}))),
        ("POST", "/orders".into(), Some(json!({"item": "chicken"}))),
        ("GET", "/orders".into(), None),
        ("GET", format!("/orders/{order}"), None),
        ("POST", format!("/orders/{order}/cancel"), None),
        ("GET", "/store/orders".into(), None),
        ("PATCH", format!("/store/orders/{order}"), Some(json!({"status": "Cooking"}))),
    ];
    for (method, path, body) in &routes {
        let reply = app.send_as(None, method, path, body.as_ref()).await;
        assert_eq!(reply.status, 401, "no token: {method} {path}: {reply:?}");
    }
    assert_eq!(app.send_as(None, "GET", "/menu", None).await.status, 200, "the menu is public");
    // Another customer: the order is not theirs to see or cancel (404), nor the list (403).
    let theirs = app.send_as(Some(&other.token), "GET", &format!("/orders/{order}"), None).await;
    assert_problem(&theirs, 404, None);
    assert_problem(&app.cancel(&other, order).await, 404, None);
    let list = app
        .send_as(Some(&other.token), "GET", &format!("/orders?customerId={}", owner.id.replace('|', "%7C")), None)
        .await;
    assert_problem(&list, 403, None);
    assert_eq!(app.send_as(Some(&other.token), "GET", "/orders", None).await.body["orders"], json!([]));
    // The wrong role: a customer on the store's routes, the store on the customers' commands.
    for (method, path, body) in &routes {
        let store_route = path.starts_with("/menu") || path.starts_with("/store");
        let token = if store_route { &owner.token } else { &app.store };
        if !store_route && *method == "GET" && path.starts_with("/orders/") {
            continue; // the store may read any order
        }
        let reply = app.send_as(Some(token), method, path, body.as_ref()).await;
        assert_problem(&reply, 403, None);
    }
    let read = app.send_as(Some(&app.store), "GET", &format!("/orders/{order}"), None).await;
    assert_eq!((read.status, read.body["status"].as_str()), (200, Some("Paid")), "the store reads any order");
    assert_eq!(business_items(app), before, "no refusal wrote anything");
}

async fn an_idempotency_key_replays_the_first_answer(app: &TestApp) {
    let a = app.customer();
    let headers = [("idempotency-key", "k-replay")];
    let body = json!({"item": "chicken", "quantity": 3});
    let first = app.send_with(Some(&a.token), "POST", "/orders", &headers, Some(&body)).await;
    assert_eq!(first.status, 201, "{first:?}");
    let again = app.send_with(Some(&a.token), "POST", "/orders", &headers, Some(&body)).await;
    assert_eq!((again.status, &again.body["orderId"]), (201, &first.body["orderId"]), "{again:?}");
    assert_eq!(again.headers["idempotent-replayed"], "true");
    let other = app.send_with(Some(&a.token), "POST", "/orders", &headers, Some(&json!({"item": "chicken"}))).await;
    assert_problem(&other, 422, None);
    let order = first.body["orderId"].as_str().unwrap();
    assert_eq!(app.payments_of(order).len(), 1, "one payment");
    // A refusal is a first answer too: the same key answers the same 422.
    let sold = app
        .send_with(
            Some(&a.token),
            "POST",
            "/orders",
            &[("idempotency-key", "k-422")],
            Some(&json!({"item": "bulgogi"})),
        )
        .await;
    assert_problem(&sold, 422, None);
    assert_eq!(app.add_item("bulgogi", 9000).await.status, 201);
    let replayed = app
        .send_with(
            Some(&a.token),
            "POST",
            "/orders",
            &[("idempotency-key", "k-422")],
            Some(&json!({"item": "bulgogi"})),
        )
        .await;
    assert_eq!(
        (replayed.status, replayed.headers.get("idempotent-replayed").map(String::as_str)),
        (422, Some("true")),
        "{replayed:?}"
    );
}

/// Publishes `message` again on `topic`, with its attributes.
async fn republish(app: &TestApp, topic: &str, message: &PublishedMessage) {
    let topic_arn = app.stack.topic_arn(topic).unwrap().to_owned();
    let attributes = message
        .attributes
        .iter()
        .map(|(name, value)| {
            let value = rustack_sns_model::types::MessageAttributeValue {
                data_type: "String".to_owned(),
                string_value: value.as_str().map(str::to_owned),
                binary_value: None,
            };
            (name.clone(), value)
        })
        .collect();
    app.stack
        .emulators
        .sns
        .publish(rustack_sns_model::input::PublishInput {
            topic_arn: Some(topic_arn),
            message: message.message.clone(),
            message_attributes: attributes,
            ..Default::default()
        })
        .await
        .unwrap();
}

fn find(app: &TestApp, topic: &str, kind: &str, order: &str) -> PublishedMessage {
    app.published(topic)
        .into_iter()
        .find(|m| event_of(m)["type"] == kind && event_of(m)["data"]["orderId"] == order)
        .unwrap_or_else(|| panic!("no {kind} of {order} on {topic}"))
}

/// Messages in queue `queue` of the test stack, visible or in flight.
async fn waiting(app: &TestApp, queue: &str) -> usize {
    let arn = format!("arn:aws:sqs:us-east-1:000000000000:test-{queue}");
    let url = app.stack.emulators.sqs.queue_url_for_arn(&arn).unwrap();
    let input = rustack_sqs_model::input::GetQueueAttributesInput {
        queue_url: url,
        attribute_names: vec![
            "ApproximateNumberOfMessages".to_owned(),
            "ApproximateNumberOfMessagesNotVisible".to_owned(),
        ],
    };
    let attributes = app.stack.emulators.sqs.get_queue_attributes(input).await.unwrap().attributes;
    attributes.values().filter_map(|n| n.parse::<usize>().ok()).sum()
}

/// Waits until `consumer_function` ran again since `before` invocations and its `queue` holds
/// no more messages than `baseline` (the sample events' poison messages about unknown orders,
/// waiting for their retries): the repeats have all been consumed.
async fn consumed(app: &TestApp, consumer_function: &str, queue: &str, before: usize, baseline: usize) {
    let drained = stack_test::app::poll_until(
        PATIENCE,
        || async { app.invocations(consumer_function) > before && waiting(app, queue).await <= baseline },
        |done| *done,
    )
    .await;
    assert!(drained, "{consumer_function} did not consume the repeats on {queue}");
}

async fn duplicate_and_reordered_events_change_nothing(app: &TestApp) {
    let a = app.customer();
    let order = app.order_id(&a, "chicken", 1).await;
    let to_cancel = app.order_id(&a, "chicken", 2).await;
    assert!(app.store_order("Received", &order, PATIENCE).await.is_some());
    assert!(app.store_order("Received", &to_cancel, PATIENCE).await.is_some());
    assert_eq!(app.move_to(&order, "Cooking").await.status, 200);
    assert_eq!(app.move_to(&order, "Dispatched").await.status, 200);
    app.order_in(&a, &order, "Dispatched", PATIENCE).await;
    assert_eq!(app.cancel(&a, &to_cancel).await.status, 200);
    let kinds = ["OrderPlaced", "CookingStarted", "DeliveryDispatched", "OrderCancelled", "PaymentCancelled"];
    stack_test::app::poll_until(PATIENCE, || async { app.notifications_of(&a) }, |n| n.len() >= 6).await;

    // Every event again, late and out of order: OrderPlaced (x2), CookingStarted after the
    // dispatch, OrderCancelled, PaymentApproved of a paid order, StoreOrderCancelled.
    let queues = ["StoreInboxQueue", "OrderInboxQueue", "PaymentInboxQueue", "CustomerInboxQueue"];
    let mut baseline = Vec::new();
    for queue in queues {
        baseline.push(waiting(app, queue).await);
    }
    let store_calls = app.invocations("StoreOnOrderEventsFunction");
    let app_calls = app.invocations("OrderOnEventsFunction");
    let pay_calls = app.invocations("PayOnOrderEventsFunction");
    let customer_calls = app.invocations("CustomerOnEventsFunction");
    let placed = find(app, "OrderEventsTopic", "OrderPlaced", &order);
    republish(app, "OrderEventsTopic", &placed).await;
    republish(app, "OrderEventsTopic", &placed).await;
    republish(app, "StoreEventsTopic", &find(app, "StoreEventsTopic", "CookingStarted", &order)).await;
    republish(app, "OrderEventsTopic", &find(app, "OrderEventsTopic", "OrderCancelled", &to_cancel)).await;
    republish(app, "PaymentEventsTopic", &find(app, "PaymentEventsTopic", "PaymentApproved", &order)).await;
    republish(app, "StoreEventsTopic", &find(app, "StoreEventsTopic", "StoreOrderCancelled", &to_cancel)).await;
    consumed(app, "StoreOnOrderEventsFunction", queues[0], store_calls, baseline[0]).await;
    consumed(app, "OrderOnEventsFunction", queues[1], app_calls, baseline[1]).await;
    consumed(app, "PayOnOrderEventsFunction", queues[2], pay_calls, baseline[2]).await;
    consumed(app, "CustomerOnEventsFunction", queues[3], customer_calls, baseline[3]).await;

    assert_eq!(app.store_entries_of(&order).len(), 1, "one store order");
    assert_eq!(
        app.order_in(&a, &order, "Dispatched", Duration::ZERO).await.body["status"],
        "Dispatched",
        "not moved back"
    );
    assert_eq!(app.order_in(&a, &to_cancel, "Cancelled", Duration::ZERO).await.body["status"], "Cancelled");
    let payments = app.payments_of(&to_cancel);
    assert_eq!((payments.len(), payments[0].2.as_str()), (1, "Cancelled"), "{payments:?}");
    let refunds = app
        .published("PaymentEventsTopic")
        .iter()
        .filter(|m| {
            let e = event_of(m);
            e["type"] == "PaymentCancelled" && e["data"]["orderId"] == to_cancel.as_str()
        })
        .count();
    assert_eq!(refunds, 1, "one refund");
    let mut told = app.notifications_of(&a);
    told.sort();
    let mut expected = vec![
        "OrderPlaced",
        "OrderPlaced",
        "CookingStarted",
        "DeliveryDispatched",
        "OrderCancelled",
        "PaymentCancelled",
    ];
    expected.sort_unstable();
    assert_eq!(told, expected, "one notification per status change: {kinds:?}");
}

/// The report's "adding a new team": a new SQS queue subscribed to `PaymentEventsTopic` (as the
/// marketing team's stack would do, with the topic's output ARN) receives `PaymentApproved` of
/// a new order; no producer, template or function changed.
async fn a_new_team_subscribes_without_changing_any_producer(app: &TestApp) {
    let name = "test-MarketingQueue";
    let sqs = &app.stack.emulators.sqs;
    sqs.create_queue(rustack_sqs_model::input::CreateQueueInput { queue_name: name.to_owned(), ..Default::default() })
        .await
        .unwrap();
    let arn = format!("arn:aws:sqs:us-east-1:000000000000:{name}");
    let topic = app.stack.topic_arn("PaymentEventsTopic").unwrap().to_owned();
    let subscription = json!({
        "Protocol": "sqs", "Endpoint": arn, "FilterPolicyScope": "MessageAttributes",
        "FilterPolicy": {"eventType": ["PaymentApproved"]}
    });
    devstack::resources::subscribe(&app.stack.emulators, &topic, &subscription).unwrap();
    let url = sqs.queue_url_for_arn(&arn).unwrap();

    let a = app.customer();
    let order = app.order_id(&a, "chicken", 1).await;
    let received = stack_test::app::poll_until(
        PATIENCE,
        || async {
            let input = rustack_sqs_model::input::ReceiveMessageInput {
                queue_url: url.clone(),
                max_number_of_messages: Some(10),
                ..Default::default()
            };
            let messages = sqs.receive_message(input).await.map(|out| out.messages).unwrap_or_default();
            messages.into_iter().filter_map(|m| m.body).find(|body| body.contains(&order))
        },
        Option::is_some,
    )
    .await;
    let body: Value = serde_json::from_str(&received.expect("the new team got the event")).unwrap();
    let event: Value = serde_json::from_str(body["Message"].as_str().unwrap()).unwrap();
    assert_eq!((event["type"].as_str(), event["data"]["amount"].as_u64()), (Some("PaymentApproved"), Some(18000)));
}
