//! Spec scenario steps 3, 4, 5 and 7 over HTTP on the local stack, and the faults the
//! ordering flow must survive: a slow or failing product context, duplicate delivery, a
//! poison message, a double submit.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::collections::BTreeSet;
use std::time::Duration;

use devstack::lambda::Fault;
use serde_json::{Value, json};
use siren_order::{TestApp, event_of, new_subject};

const SOON: Duration = Duration::from_secs(10);

#[tokio::test(flavor = "multi_thread")]
async fn steps_3_to_6_order_wait_complete_report_with_points_and_notifications() {
    let app = TestApp::start().await;
    let customer = app.customer("minji@example.com").await;
    let americano = app.product("Americano", 4500).await;
    let latte = app.product("Latte", 5000).await;
    app.send("PATCH", &format!("/products/{latte}"), Some(&json!({ "status": "SoldOut" }))).await;

    // 3. A sold-out product is refused; two Americanos are placed at the menu's price.
    let refused = app.place_order("k-latte", &customer, &[(&latte, 1)]).await;
    assert_eq!(refused.status, 422, "{refused:?}");
    assert!(refused.body["detail"].as_str().unwrap().contains("Latte"));
    let placed = app.place_order("k-americano", &customer, &[(&americano, 2)]).await;
    assert_eq!(placed.status, 201, "{placed:?}");
    assert_eq!(placed.body["status"], "Placed");
    assert_eq!(placed.body["amount"], 9000);
    assert_eq!(placed.body["lines"][0]["unitPrice"], 4500);
    let order_id = placed.body["orderId"].as_str().unwrap().to_owned();

    // 4. The counter takes it: Waiting with number 1, the customer is told, 1900 points.
    let order = app.poll(&format!("/orders/{order_id}"), SOON, |r| r.body["status"] == "Waiting").await;
    assert_eq!(order.body["status"], "Waiting", "{order:?}");
    assert_eq!(order.body["waitingNumber"], 1);
    let profile = app.poll(&format!("/customers/{customer}"), SOON, |r| r.body["points"] == 1900).await;
    assert_eq!(profile.body["points"], 1900);
    let told = app
        .wait_for_messages("NotificationsTopic", SOON, |m| m.iter().any(|m| m.attributes["eventType"] == "OrderWaited"))
        .await;
    let waited = told.iter().find(|m| m.attributes["eventType"] == "OrderWaited").expect("an OrderWaited notification");
    assert_eq!(waited.attributes["customerId"], customer.as_str());
    assert!(waited.message.contains("대기번호는 1번") && waited.message.contains("waiting number is 1"), "{waited:?}");
    assert!(told.iter().any(|m| m.attributes["eventType"] == "CustomerRegistered"), "the welcome message went out too");

    // 5. The barista completes it: the order is Completed and the customer told "ready".
    let queue = app.send("GET", "/deliveries?status=Waiting", None).await;
    let delivery = queue.body["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["orderId"] == order_id.as_str())
        .expect("a ticket")
        .clone();
    assert_eq!(delivery["waitingNumber"], 1);
    let delivery_id = delivery["deliveryId"].as_str().unwrap();
    let completed =
        app.send("PATCH", &format!("/deliveries/{delivery_id}"), Some(&json!({ "status": "Completed" }))).await;
    assert_eq!(completed.status, 200, "{completed:?}");
    let order = app.poll(&format!("/orders/{order_id}"), SOON, |r| r.body["status"] == "Completed").await;
    assert_eq!(order.body["status"], "Completed");
    let told = app
        .wait_for_messages("NotificationsTopic", SOON, |m| {
            m.iter().any(|m| m.attributes["eventType"] == "DeliveryCompleted")
        })
        .await;
    assert!(told.iter().any(|m| m.attributes["eventType"] == "DeliveryCompleted" && m.message.contains("ready")));
    let events = app
        .wait_for_messages("OrderEventsTopic", SOON, |m| m.iter().any(|m| event_of(m)["type"] == "OrderCompleted"))
        .await;
    assert_eq!(events.iter().filter(|m| event_of(m)["type"] == "OrderCompleted").count(), 1);

    // A completed order can no longer be cancelled; the counter's queue is empty.
    let cancel = app.cancel_order(&order_id, &customer).await;
    assert_eq!(cancel.status, 409, "{cancel:?}");
    assert_eq!(app.send("GET", "/deliveries?status=Waiting", None).await.body["deliveries"], json!([]));
    let mine = app.send("GET", &format!("/orders?customerId={customer}"), None).await;
    assert_eq!(mine.body["orders"].as_array().unwrap().len(), 1);

    // 6. The owner's report of the shop's day: 1 order, 9000 won, Americano x2.
    let today = platform::zone::Zone::named("Asia/Seoul").unwrap().local_date(chrono::Utc::now());
    let sales = app
        .poll(&format!("/reports/sales?date={today}"), SOON, |r| {
            r.body["completedOrders"] == 1 && r.body["products"][0]["name"] == "Americano"
        })
        .await;
    assert_eq!(sales.status, 200, "{sales:?}");
    assert_eq!(sales.body["orders"], 1, "{sales:?}");
    assert_eq!(sales.body["revenue"], 9000);
    assert_eq!(
        sales.body["products"],
        json!([{ "productId": americano, "name": "Americano", "quantity": 2, "revenue": 9000 }])
    );
    assert_eq!(sales.body["cancelled"], json!({ "count": 0, "amount": 0 }));
    assert!(sales.body["averageCompletionSeconds"].as_f64().unwrap() >= 0.0);
    let day = app.send("GET", &format!("/reports/orders?date={today}"), None).await;
    assert_eq!(day.body["orders"][0]["orderId"], order_id.as_str());
    assert_eq!(day.body["orders"][0]["status"], "Completed");
}

#[tokio::test(flavor = "multi_thread")]
async fn cancelling_before_the_counter_starts_takes_the_points_back_once() {
    let app = TestApp::start().await;
    let customer = app.customer("lee@example.com").await;
    let americano = app.product("Americano", 4500).await;
    let first = app.place_order("k1", &customer, &[(&americano, 1)]).await.body["orderId"].as_str().unwrap().to_owned();
    app.poll(&format!("/customers/{customer}"), SOON, |r| r.body["points"] == 1450).await;

    let cancelled = app.cancel_order(&first, &customer).await;
    assert_eq!(cancelled.status, 200, "{cancelled:?}");
    assert_eq!(cancelled.body["status"], "Cancelled");
    let again = app.cancel_order(&first, &customer).await;
    assert_eq!(again.status, 200, "cancelling twice answers the cancelled order");
    let profile = app.poll(&format!("/customers/{customer}"), SOON, |r| r.body["points"] == 1000).await;
    assert_eq!(profile.body["points"], 1000);
    app.wait_for_messages("NotificationsTopic", SOON, |m| {
        m.iter().any(|m| m.attributes["eventType"] == "OrderCancelled")
    })
    .await;

    // Once the barista starts, the counter refuses and nothing changes.
    let second =
        app.place_order("k2", &customer, &[(&americano, 1)]).await.body["orderId"].as_str().unwrap().to_owned();
    let waiting = app.poll(&format!("/orders/{second}"), SOON, |r| r.body["status"] == "Waiting").await;
    let delivery_id = waiting.body["deliveryId"].as_str().unwrap().to_owned();
    assert_eq!(
        app.send("PATCH", &format!("/deliveries/{delivery_id}"), Some(&json!({ "status": "Preparing" }))).await.status,
        200
    );
    let refused = app.cancel_order(&second, &customer).await;
    assert_eq!(refused.status, 409, "{refused:?}");
    assert_eq!(app.send("GET", &format!("/orders/{second}"), None).await.body["status"], "Waiting");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(app.send("GET", &format!("/customers/{customer}"), None).await.body["points"], 1450);
    // The first order's points came back exactly once.
    let changes: Vec<Value> =
        app.published("CustomerEventsTopic").iter().map(event_of).filter(|e| e["type"] == "PointsChanged").collect();
    let deltas: Vec<i64> = changes.iter().map(|e| e["data"]["delta"].as_i64().unwrap()).collect();
    assert_eq!(deltas.iter().filter(|d| **d == -450).count(), 1, "{deltas:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn step_7_orders_are_taken_while_the_counter_is_down_and_all_get_distinct_numbers() {
    let app = TestApp::start().await;
    let customer = app.customer("park@example.com").await;
    let americano = app.product("Americano", 4500).await;
    app.set_consumer_enabled("DeliveryOnOrderEventsFunction", false);

    let mut orders = Vec::new();
    for n in 0..20 {
        let reply = app.place_order(&format!("order-{n}"), &customer, &[(&americano, 1)]).await;
        assert_eq!(reply.status, 201, "order {n} while the counter is down: {reply:?}");
        orders.push(reply.body["orderId"].as_str().unwrap().to_owned());
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(app.send("GET", "/deliveries?status=Waiting", None).await.body["deliveries"], json!([]));

    app.set_consumer_enabled("DeliveryOnOrderEventsFunction", true);
    let mut numbers = BTreeSet::new();
    for order_id in &orders {
        let order =
            app.poll(&format!("/orders/{order_id}"), Duration::from_secs(20), |r| r.body["status"] == "Waiting").await;
        assert_eq!(order.body["status"], "Waiting", "{order:?}");
        assert!(numbers.insert(order.body["waitingNumber"].as_u64().unwrap()), "a waiting number was given twice");
    }
    assert_eq!(numbers, (1..=20).collect::<BTreeSet<u64>>());
    let queue = app.send("GET", "/deliveries?status=Waiting", None).await;
    assert_eq!(queue.body["deliveries"].as_array().unwrap().len(), 20);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failing_or_slow_product_context_gives_503_fast_and_the_breaker_recovers() {
    let app = TestApp::start().await;
    let customer = app.customer("kang@example.com").await;
    let americano = app.product("Americano", 4500).await;

    assert!(app.stack.set_fault("CheckProductsFunction", Fault { delay_ms: 0, fail: true }));
    for n in 0..5 {
        let reply = app.place_order(&format!("fail-{n}"), &customer, &[(&americano, 1)]).await;
        assert_eq!(reply.status, 503, "{reply:?}");
        assert_eq!(reply.content_type, "application/problem+json");
    }
    // Five consecutive failures opened the breaker: the next call is refused without
    // calling the product context, and says to come back when it half-opens.
    let calls_before = app.invoked("CheckProductsFunction");
    let open = app.place_order("fail-open", &customer, &[(&americano, 1)]).await;
    assert_eq!(open.status, 503);
    assert_eq!(app.invoked("CheckProductsFunction"), calls_before, "an open breaker does not call");
    let nothing: Vec<_> = app.items("OrderTable").into_iter().filter(|i| i["sk"]["S"] != "BREAKER").collect();
    assert!(nothing.is_empty(), "no order was written (the breaker's own item aside): {nothing:?}");

    // The product context heals; after the open period a trial call closes the breaker.
    app.stack.set_fault("CheckProductsFunction", Fault::default());
    tokio::time::sleep(platform_open_for() + Duration::from_millis(300)).await;
    let recovered = app.place_order("after", &customer, &[(&americano, 1)]).await;
    assert_eq!(recovered.status, 201, "{recovered:?}");
    assert_eq!(app.place_order("after-2", &customer, &[(&americano, 1)]).await.status, 201);

    // A product context slower than the timeout (1000 ms) is a 503 too.
    app.stack.set_fault("CheckProductsFunction", Fault { delay_ms: 2500, fail: false });
    let slow = app.place_order("slow", &customer, &[(&americano, 1)]).await;
    assert_eq!(slow.status, 503, "{slow:?}");
    app.stack.set_fault("CheckProductsFunction", Fault::default());
}

/// How long the breaker stays open (the platform's constant, 10 s).
fn platform_open_for() -> Duration {
    Duration::from_secs(10)
}

/// Four `POST /orders` at once, one per warm `PlaceOrderFunction` worker (the stack's
/// default concurrency), each with how long it took.
async fn four_at_once(app: &TestApp, customer: &str, product: &str, wave: &str) -> Vec<(siren_order::Reply, Duration)> {
    let one = |n: usize| async move {
        let started = std::time::Instant::now();
        let reply = app.place_order(&format!("{wave}-{n}"), customer, &[(product, 1)]).await;
        (reply, started.elapsed())
    };
    let (a, b, c, d) = tokio::join!(one(0), one(1), one(2), one(3));
    vec![a, b, c, d]
}

fn latencies(replies: &[(siren_order::Reply, Duration)]) -> String {
    let ms: Vec<String> = replies.iter().map(|(_, took)| format!("{}", took.as_millis())).collect();
    format!("[{}] ms", ms.join(", "))
}

#[tokio::test(flavor = "multi_thread")]
async fn the_breaker_is_shared_by_every_warm_worker_so_once_open_nobody_calls_the_product_context() {
    let app = TestApp::start().await;
    let customer = app.customer("yoon@example.com").await;
    let americano = app.product("Americano", 4500).await;
    let warm = four_at_once(&app, &customer, &americano, "warm").await;
    assert!(warm.iter().all(|(r, _)| r.status == 201), "{warm:?}");

    // The product context answers after the timeout (SyncCallTimeoutMs, 1000 ms). Three
    // waves of four orders: a timed-out call answers Retry-After 1, a refused one
    // Retry-After 10 (the open period). Five timeouts, whichever workers saw them, open
    // the breaker for all: the first two waves may time out (five, plus the calls
    // already under way), the third is refused by every worker. A breaker per worker
    // would let all twelve wait out the timeout.
    assert!(app.stack.set_fault("CheckProductsFunction", Fault { delay_ms: 1500, fail: false }));
    let mut waves = Vec::new();
    for wave in 0..3 {
        let replies = four_at_once(&app, &customer, &americano, &format!("slow-{wave}")).await;
        println!("wave {wave} against a slow product context: {}", latencies(&replies));
        waves.push(replies);
    }
    let all: Vec<_> = waves.iter().flatten().collect();
    assert!(all.iter().all(|(r, _)| r.status == 503 && r.headers.contains_key("retry-after")), "{all:?}");
    let timed_out = all.iter().filter(|(r, _)| r.headers["retry-after"] == "1").count();
    assert!((5..=8).contains(&timed_out), "{timed_out} of 12 calls waited out the timeout: {all:?}");
    assert!(waves[2].iter().all(|(r, _)| r.headers["retry-after"] == "10"), "refused at once: {:?}", waves[2]);

    // Open: now any call that reached the product context would be counted (a fast
    // failure). Two more waves on every worker: all refused, none reaches it.
    app.stack.set_fault("CheckProductsFunction", Fault { delay_ms: 0, fail: true });
    tokio::time::sleep(Duration::from_millis(2000)).await; // the slow invocations still under way end
    let calls_before = app.invoked("CheckProductsFunction");
    for wave in 3..5 {
        let replies = four_at_once(&app, &customer, &americano, &format!("open-{wave}")).await;
        println!("wave {wave} with the breaker open (fast fail): {}", latencies(&replies));
        assert!(replies.iter().all(|(r, _)| r.status == 503 && r.headers["retry-after"] == "10"), "{replies:?}");
        assert_eq!(replies[0].0.content_type, "application/problem+json");
    }
    assert_eq!(app.invoked("CheckProductsFunction"), calls_before, "an open breaker calls nobody");
    let breaker: Vec<_> = app.items("OrderTable").into_iter().filter(|i| i["sk"]["S"] == "BREAKER").collect();
    assert_eq!(breaker.len(), 1, "one breaker item for the one dependency: {breaker:?}");
    assert_eq!(breaker[0]["state"]["S"], "Open");
    app.stack.set_fault("CheckProductsFunction", Fault::default());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_same_order_placed_delivered_twice_issues_one_ticket_and_earns_points_once() {
    let app = TestApp::start().await;
    let customer = app.customer("choi@example.com").await;
    let americano = app.product("Americano", 4500).await;
    let order_id =
        app.place_order("dup", &customer, &[(&americano, 2)]).await.body["orderId"].as_str().unwrap().to_owned();
    app.poll(&format!("/orders/{order_id}"), SOON, |r| r.body["status"] == "Waiting").await;
    app.poll(&format!("/customers/{customer}"), SOON, |r| r.body["points"] == 1900).await;

    // Deliver the very same OrderPlaced again through SNS, as at-least-once delivery may.
    let placed = app
        .published("OrderEventsTopic")
        .into_iter()
        .find(|m| event_of(m)["type"] == "OrderPlaced")
        .expect("OrderPlaced");
    let topic_arn = app.stack.topic_arn("OrderEventsTopic").unwrap().to_owned();
    for _ in 0..2 {
        app.stack
            .emulators
            .sns
            .publish(rustack_sns_model::input::PublishInput {
                topic_arn: Some(topic_arn.clone()),
                message: placed.message.clone(),
                message_attributes: [(
                    "eventType".to_owned(),
                    rustack_sns_model::types::MessageAttributeValue {
                        data_type: "String".to_owned(),
                        string_value: Some("OrderPlaced".to_owned()),
                        binary_value: None,
                    },
                )]
                .into(),
                ..Default::default()
            })
            .await
            .unwrap();
    }
    // Let both consumers see the duplicates, then look.
    let duplicates_seen = |app: &TestApp| {
        app.invocations("DeliveryOnOrderEventsFunction") >= 2 && app.invocations("CustomerOnOrderEventsFunction") >= 2
    };
    let started = std::time::Instant::now();
    while !duplicates_seen(&app) && started.elapsed() < SOON {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let deliveries = app.items("DeliveryTable").into_iter().filter(|i| i["kind"]["S"] == "Delivery").count();
    assert_eq!(deliveries, 1);
    assert_eq!(app.send("GET", &format!("/customers/{customer}"), None).await.body["points"], 1900);
    let next =
        app.place_order("next", &customer, &[(&americano, 1)]).await.body["orderId"].as_str().unwrap().to_owned();
    let next = app.poll(&format!("/orders/{next}"), SOON, |r| r.body["status"] == "Waiting").await;
    assert_eq!(next.body["waitingNumber"], 2, "the duplicate took no number");
    let waited = app.published("DeliveryEventsTopic").iter().filter(|m| event_of(m)["type"] == "OrderWaited").count();
    assert_eq!(waited, 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_poison_message_goes_to_the_dead_letter_queue_and_its_neighbours_are_processed() {
    let app = TestApp::with_parameters([("ConsumerVisibilityTimeoutSeconds".to_owned(), "1".to_owned())].into()).await;
    let customer = app.customer("yoon@example.com").await;
    let americano = app.product("Americano", 4500).await;
    let queue_url = app
        .stack
        .emulators
        .sqs
        .queue_url_for_arn("arn:aws:sqs:us-east-1:000000000000:test-DeliveryInboxQueue")
        .unwrap();
    app.stack
        .emulators
        .sqs
        .send_message(rustack_sqs_model::input::SendMessageInput {
            queue_url,
            message_body: "{\"Type\":\"Notification\",\"Message\":\"not an event\"}".to_owned(),
            ..Default::default()
        })
        .await
        .unwrap();
    let first = app.place_order("a", &customer, &[(&americano, 1)]).await.body["orderId"].as_str().unwrap().to_owned();
    let second = app.place_order("b", &customer, &[(&americano, 1)]).await.body["orderId"].as_str().unwrap().to_owned();
    for order in [&first, &second] {
        let reply = app.poll(&format!("/orders/{order}"), SOON, |r| r.body["status"] == "Waiting").await;
        assert_eq!(reply.body["status"], "Waiting");
    }
    let dlq = app
        .stack
        .emulators
        .sqs
        .queue_url_for_arn("arn:aws:sqs:us-east-1:000000000000:test-DeliveryInboxQueueDeadLetterQueue")
        .unwrap();
    let started = std::time::Instant::now();
    loop {
        let attributes = app
            .stack
            .emulators
            .sqs
            .get_queue_attributes(rustack_sqs_model::input::GetQueueAttributesInput {
                queue_url: dlq.clone(),
                attribute_names: vec!["ApproximateNumberOfMessages".to_owned()],
            })
            .await
            .unwrap();
        if attributes.attributes["ApproximateNumberOfMessages"] == "1" {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "the poison message never reached the DLQ");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_double_submit_with_one_idempotency_key_places_one_order() {
    let app = TestApp::start().await;
    let customer = app.customer("han@example.com").await;
    let americano = app.product("Americano", 4500).await;
    let items = [(americano.as_str(), 2)];
    let (a, b) =
        tokio::join!(app.place_order("same-key", &customer, &items), app.place_order("same-key", &customer, &items));
    assert_eq!((a.status, b.status), (201, 201), "{a:?} {b:?}");
    assert_eq!(a.body["orderId"], b.body["orderId"]);
    let replay = app.place_order("same-key", &customer, &[(&americano, 2)]).await;
    assert_eq!(replay.body["orderId"], a.body["orderId"]);
    let different = app.place_order("same-key", &customer, &[(&americano, 3)]).await;
    assert_eq!(different.status, 422, "{different:?}");
    let orders = app.items("OrderTable").into_iter().filter(|i| i["kind"]["S"] == "Order").count();
    assert_eq!(orders, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cancel_that_times_out_after_the_counter_commits_still_cancels_the_order_once() {
    let app = TestApp::start().await;
    let customer = app.customer("han@example.com").await;
    let americano = app.product("Americano", 4500).await;
    let order_id =
        app.place_order("k1", &customer, &[(&americano, 1)]).await.body["orderId"].as_str().unwrap().to_owned();
    app.poll(&format!("/orders/{order_id}"), SOON, |r| r.body["status"] == "Waiting").await;
    app.poll(&format!("/customers/{customer}"), SOON, |r| r.body["points"] == 1450).await;

    // The counter answers after the order's timeout (SyncCallTimeoutMs, 1000 ms), but the
    // invocation still runs to its end and cancels the delivery.
    assert!(app.stack.set_fault("CancelDeliveryFunction", Fault { delay_ms: 2500, fail: false }));
    let timed_out = app.cancel_order(&order_id, &customer).await;
    assert_eq!(timed_out.status, 503, "{timed_out:?}");
    app.stack.set_fault("CancelDeliveryFunction", Fault::default());

    // The counter's DeliveryCancelled finishes the job: the order is Cancelled, the points
    // come back and the customer is told, once each.
    let order = app.poll(&format!("/orders/{order_id}"), SOON, |r| r.body["status"] == "Cancelled").await;
    assert_eq!(order.body["status"], "Cancelled", "{order:?}");
    let profile = app.poll(&format!("/customers/{customer}"), SOON, |r| r.body["points"] == 1000).await;
    assert_eq!(profile.body["points"], 1000);
    app.wait_for_messages("NotificationsTopic", SOON, |m| {
        m.iter().any(|m| m.attributes["eventType"] == "OrderCancelled")
    })
    .await;
    // The customer tries again: the order is cancelled already.
    let again = app.cancel_order(&order_id, &customer).await;
    assert_eq!((again.status, again.body["status"].clone()), (200, json!("Cancelled")), "{again:?}");
    tokio::time::sleep(Duration::from_millis(500)).await;

    let delivery_events: Vec<Value> = app.published("DeliveryEventsTopic").iter().map(event_of).collect();
    let announced: Vec<&Value> = delivery_events.iter().filter(|e| e["type"] == "DeliveryCancelled").collect();
    assert_eq!(announced.len(), 1, "{delivery_events:?}");
    assert_eq!(announced[0]["data"]["orderId"], order_id.as_str());
    let cancelled: Vec<Value> =
        app.published("OrderEventsTopic").iter().map(event_of).filter(|e| e["type"] == "OrderCancelled").collect();
    assert_eq!(cancelled.len(), 1, "{cancelled:?}");
    assert_eq!(cancelled[0]["data"]["reason"], "DeliveryCancelled");
    let deltas: Vec<i64> = app
        .published("CustomerEventsTopic")
        .iter()
        .map(event_of)
        .filter(|e| e["type"] == "PointsChanged")
        .map(|e| e["data"]["delta"].as_i64().unwrap())
        .collect();
    assert_eq!(deltas, [450, -450], "points back exactly once");
    let told =
        app.published("NotificationsTopic").iter().filter(|m| m.attributes["eventType"] == "OrderCancelled").count();
    assert_eq!(told, 1, "one cancellation notification");
    assert_eq!(app.send("GET", &format!("/customers/{customer}"), None).await.body["points"], 1000);
}

#[tokio::test(flavor = "multi_thread")]
async fn points_of_an_order_placed_before_registering_are_kept_for_the_registration() {
    let app = TestApp::start().await;
    let americano = app.product("Americano", 4500).await;
    let sub = new_subject();
    let token = app.token(&sub, &[], 3600);
    let body = json!({ "customerId": sub, "items": [{ "productId": americano, "quantity": 2 }] });
    let placed = app.place_order_as(Some(&token), "before-signup", body).await;
    assert_eq!(placed.status, 201, "an identity that has not registered may order: {placed:?}");
    let order_id = placed.body["orderId"].as_str().unwrap().to_owned();
    app.poll(&format!("/orders/{order_id}"), SOON, |r| r.body["status"] == "Waiting").await;
    // The points consumer holds the order's points until the identity registers.
    let started = std::time::Instant::now();
    while !app.items("CustomerTable").iter().any(|i| i["kind"]["S"] == "HeldPoints") && started.elapsed() < SOON {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let held: Vec<Value> = app.items("CustomerTable").into_iter().filter(|i| i["kind"]["S"] == "HeldPoints").collect();
    assert_eq!(held.len(), 1, "{held:?}");
    assert_eq!(held[0]["points"]["N"], "900");

    let registered = app
        .send_as(Some(&token), "POST", "/customers", Some(&json!({ "name": "Seo", "email": "seo@example.com" })))
        .await;
    assert_eq!(registered.status, 201, "{registered:?}");
    assert_eq!(registered.body["points"], 1900, "1000 welcome points + 900 held");
    assert!(app.items("CustomerTable").iter().all(|i| i["kind"]["S"] != "HeldPoints"), "consumed");
    let profile = app.send_as(Some(&token), "GET", &format!("/customers/{sub}"), None).await;
    assert_eq!(profile.body["points"], 1900);
}
