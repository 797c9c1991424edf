//! The spec's end-to-end scenario over HTTP on the local stack, step by step with its values:
//! steps 1-5 (order, cancel, ship, return, collect, six mails), step 6 (the report's
//! circuit-breaker demo: a slow delivery cancel against the 610 ms timeout) and step 7 (the
//! catch-up demo: the delivery and customercenter consumers stopped, then back).
//!
//! "Within a second" is measured and printed (the figures the README quotes); the assertions
//! allow [`PATIENCE`] so a loaded shared machine does not fail them.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::time::{Duration, Instant};

use clothes_rental::{Customer, TestApp};
use devstack::lambda::Fault;
use serde_json::Value;

/// How long a test waits for an effect the spec expects within a second.
const PATIENCE: Duration = Duration::from_secs(10);

/// Polls `probe` until it gives `Some`, returning it and how long it took.
async fn timed<T, F, Fut>(probe: F) -> (T, Duration)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let started = Instant::now();
    let found = stack_test::app::poll_until(PATIENCE, probe, Option::is_some).await;
    (found.expect("the effect happened"), started.elapsed())
}

/// The mails of `customer` so far, by event type.
fn mails_of(app: &TestApp, customer: &Customer) -> Vec<String> {
    app.mails().into_iter().filter(|(id, _)| *id == customer.id).map(|(_, kind)| kind).collect()
}

async fn wait_for_mail(app: &TestApp, customer: &Customer, kind: &str, count: usize) -> Duration {
    let started = Instant::now();
    let mails = stack_test::app::poll_until(
        PATIENCE,
        || async { mails_of(app, customer) },
        |m| m.iter().filter(|k| *k == kind).count() >= count,
    )
    .await;
    assert!(mails.iter().filter(|k| *k == kind).count() >= count, "{mails:?}");
    started.elapsed()
}

#[tokio::test(flavor = "multi_thread")]
async fn steps_1_to_5_order_cancel_ship_return_collect_with_one_mail_per_status_change() {
    let app = TestApp::start().await;
    let a = app.customer();

    // 1. Customer A orders the report's sample: productId 1001, qty 5 -> 201 Ordered.
    let placed = app.order(&a, "step-1", "1001", 5).await;
    assert_eq!(placed.status, 201, "{placed:?}");
    assert_eq!((placed.body["status"].as_str(), placed.body["productId"].as_str()), (Some("Ordered"), Some("1001")));
    assert_eq!(placed.body["qty"], 5);
    let first = placed.body["orderId"].as_str().unwrap().to_owned();

    // 2. Within a second: a Received ticket, the my page row, one "ordered" mail.
    let (ticket, to_ticket) =
        timed(|| async { app.queue("Delivery", "Received").await.into_iter().find(|t| t["orderId"] == first) }).await;
    let (row, to_row) = timed(|| app.mypage(&a, &first, Duration::ZERO, |r| r["deliveryStatus"] == "Received")).await;
    assert_eq!(
        (row["orderStatus"].as_str(), row["productId"].as_str(), row["qty"].as_u64()),
        (Some("Ordered"), Some("1001"), Some(5))
    );
    let to_mail = wait_for_mail(&app, &a, "OrderPlaced", 1).await;
    println!("step 2: order -> ticket {to_ticket:?}, -> my page {to_row:?}, -> mail {to_mail:?}");
    assert_eq!(ticket["qty"], 5);
    let first_ticket = ticket["deliveryId"].as_str().unwrap().to_owned();

    // 3. A second order, 1002 x 1, cancelled -> 200 Cancelled; its ticket is Cancelled, the my
    // page shows it, and the team cannot ship it.
    let second = app.order_id(&a, "1002", 1).await;
    let second_ticket = app.ticket("Delivery", "Received", &second, PATIENCE).await.expect("a ticket")["deliveryId"]
        .as_str()
        .unwrap()
        .to_owned();
    let cancelled = app.cancel(&a, &second).await;
    assert_eq!((cancelled.status, cancelled.body["status"].as_str()), (200, Some("Cancelled")), "{cancelled:?}");
    assert!(app.ticket("Delivery", "Cancelled", &second, PATIENCE).await.is_some(), "its ticket is Cancelled");
    let (_, to_row) = timed(|| {
        app.mypage(&a, &second, Duration::ZERO, |r| {
            r["orderStatus"] == "Cancelled" && r["deliveryStatus"] == "Cancelled"
        })
    })
    .await;
    println!("step 3: cancel -> my page {to_row:?}");
    let refused = app.team_command(&second_ticket, "ship").await;
    assert_eq!(refused.status, 409, "{refused:?}");

    // 4. The team ships the first order -> Shipped with a mail; cancelling it now is 409.
    let shipped = app.team_command(&first_ticket, "ship").await;
    assert_eq!((shipped.status, shipped.body["status"].as_str()), (200, Some("Shipped")), "{shipped:?}");
    let started = Instant::now();
    let order = app.order_in(&a, &first, "Shipped", PATIENCE).await;
    let to_order = started.elapsed();
    assert_eq!(order.body["status"], "Shipped", "{order:?}");
    let to_mail = wait_for_mail(&app, &a, "Shipped", 1).await;
    println!("step 4: ship -> order Shipped {to_order:?}, -> mail {to_mail:?}");
    let late = app.cancel(&a, &first).await;
    assert_eq!(late.status, 409, "{late:?}");
    assert_eq!(app.order_in(&a, &first, "Shipped", Duration::ZERO).await.body["status"], "Shipped", "nothing changed");

    // 5. A returns it -> 202; a Return ticket appears; the team collects it -> Returned.
    let returned = app.return_order(&a, &first).await;
    assert_eq!((returned.status, returned.body["status"].as_str()), (202, Some("ReturnRequested")), "{returned:?}");
    let return_ticket = app.ticket("Return", "Requested", &first, PATIENCE).await.expect("a Return ticket");
    let collected = app.team_command(return_ticket["deliveryId"].as_str().unwrap(), "collect").await;
    assert_eq!((collected.status, collected.body["status"].as_str()), (200, Some("Collected")), "{collected:?}");
    let started = Instant::now();
    assert_eq!(app.order_in(&a, &first, "Returned", PATIENCE).await.body["status"], "Returned");
    let to_order = started.elapsed();
    let row = app.mypage(&a, &first, PATIENCE, |r| r["orderStatus"] == "Returned").await.expect("the row");
    assert_eq!(row["returnStatus"], "Collected");
    wait_for_mail(&app, &a, "ReturnCollected", 1).await;
    println!("step 5: collect -> order Returned {to_order:?}");

    // Six mails in all, none twice: ordered x2, cancelled, shipped, return requested, returned.
    tokio::time::sleep(Duration::from_millis(700)).await; // room for a duplicate to show
    let mut mails = mails_of(&app, &a);
    mails.sort();
    assert_eq!(
        mails,
        ["OrderCancelled", "OrderPlaced", "OrderPlaced", "ReturnCollected", "ReturnRequested", "Shipped"],
        "one mail per status change"
    );
}

/// Step 6. The platform's shared breaker opens after [`platform::invoke::FAILURES_TO_OPEN`]
/// (5) consecutive failures, and a timed-out cancel that completed reconciles its order at
/// once (a retry of it is then 200 with no call), so the demo cancels five orders slowly (the
/// spec's two cannot open the breaker) and a sixth once the breaker is open.
#[tokio::test(flavor = "multi_thread")]
async fn step_6_slow_cancels_time_out_open_the_shared_breaker_and_complete_anyway() {
    let app = TestApp::start().await;
    let a = app.customer();
    let failures = usize::try_from(platform::invoke::FAILURES_TO_OPEN).unwrap();
    let mut slow = Vec::new();
    for n in 0..failures {
        slow.push(app.order_id(&a, "1001", i64::try_from(n).unwrap() + 1).await);
    }
    let never = app.order_id(&a, "1002", 1).await;
    for order in slow.iter().chain([&never]) {
        assert!(app.ticket("Delivery", "Received", order, PATIENCE).await.is_some());
    }
    // Warm the cancel path once (a cold start is not the demo).
    let b = app.customer();
    let warm = app.order_id(&b, "1003", 1).await;
    assert_eq!(app.cancel(&b, &warm).await.status, 200);

    // Delivery's cancel is made slow like the original's sleep(500 + random * 220) ms, on the
    // slow side of the 610 ms timeout; it still completes.
    let timeout = Duration::from_millis(610);
    let delays = [650_u64, 700, 680, 720, 660];
    let mut answered = Vec::new();
    for (order, delay_ms) in slow.iter().zip(delays) {
        assert!(app.stack.set_fault("CancelDeliveryFunction", Fault { delay_ms, fail: false }));
        let started = Instant::now();
        let reply = app.cancel(&a, order).await;
        let took = started.elapsed();
        assert_eq!(reply.status, 503, "{order}: {reply:?}");
        assert!(reply.headers.contains_key("retry-after"), "{reply:?}");
        answered.push(took);
    }
    // The spec's figures (503 within timeout + 200 ms; under 50 ms once open) are printed, not
    // asserted: a test asserts behaviour, never a duration (a loaded CI machine would make them
    // flaky). What is asserted is that the call was cut off (503 while delivery still ran: the
    // orders become Cancelled later, by DeliveryCancelled) and that an open breaker invokes
    // nobody.
    println!("step 6: slow cancels answered 503 in {answered:?} (timeout {timeout:?})");

    // Open: 503 at once, without invoking delivery.
    tokio::time::sleep(Duration::from_millis(800)).await; // the slow invocations under way end
    let calls = app.invoked("CancelDeliveryFunction");
    let started = Instant::now();
    let refused = app.cancel(&a, &never).await;
    let took = started.elapsed();
    println!("step 6: with the breaker open, 503 in {took:?}");
    assert_eq!(refused.status, 503, "{refused:?}");
    assert_eq!(refused.headers["retry-after"], "10", "the open period");
    assert_eq!(app.invoked("CancelDeliveryFunction"), calls, "nobody invoked while open");

    // Every cancel that reached delivery completed: each such order is Cancelled by
    // DeliveryCancelled; the one whose cancel never reached delivery stays Ordered.
    for order in &slow {
        assert_eq!(app.order_in(&a, order, "Cancelled", PATIENCE).await.body["status"], "Cancelled", "{order}");
    }
    assert_eq!(app.order_in(&a, &never, "Ordered", Duration::ZERO).await.body["status"], "Ordered");
    assert!(app.ticket("Delivery", "Received", &never, Duration::ZERO).await.is_some());

    // Delay removed, after the cool-down: cancelling each -> 200 Cancelled.
    app.stack.set_fault("CancelDeliveryFunction", Fault::default());
    tokio::time::sleep(platform::invoke::OPEN_FOR).await;
    for order in slow.iter().chain([&never]) {
        let reply = app.cancel(&a, order).await;
        assert_eq!((reply.status, reply.body["status"].as_str()), (200, Some("Cancelled")), "{reply:?}");
    }
    // One ticket and one cancellation each, and one cancellation mail each.
    tokio::time::sleep(Duration::from_millis(700)).await;
    let cancelled = app.queue("Delivery", "Cancelled").await;
    let announced: Vec<Value> = app
        .published("DeliveryEventsTopic")
        .iter()
        .map(clothes_rental::event_of)
        .filter(|e| e["type"] == "DeliveryCancelled")
        .collect();
    for order in slow.iter().chain([&never]) {
        assert_eq!(cancelled.iter().filter(|t| t["orderId"] == order.as_str()).count(), 1, "one ticket of {order}");
        let of_order = announced.iter().filter(|e| e["data"]["orderId"] == order.as_str()).count();
        assert_eq!(of_order, 1, "one cancellation of {order}: {announced:?}");
    }
    let mails = mails_of(&app, &a);
    assert_eq!(mails.iter().filter(|k| *k == "OrderCancelled").count(), failures + 1, "{mails:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn step_7_orders_placed_while_delivery_and_customercenter_are_stopped_catch_up_once() {
    let app = TestApp::start().await;
    let a = app.customer();
    app.set_consumer_enabled("DeliveryOnOrderEventsFunction", false);
    app.set_consumer_enabled("MyPageOnEventsFunction", false);

    let mut orders = Vec::new();
    for (product, qty) in [("1001", 1), ("1002", 2), ("1003", 3)] {
        orders.push(app.order_id(&a, product, qty).await); // 201 each: orders are taken 24/7
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let queue = app.queue("Delivery", "Received").await;
    assert!(orders.iter().all(|o| !queue.iter().any(|t| t["orderId"] == o.as_str())), "{queue:?}");
    let page = app.send_as(Some(&a.token), "GET", "/mypages", None).await;
    assert_eq!(page.body["mypages"], serde_json::json!([]), "{page:?}");

    app.set_consumer_enabled("DeliveryOnOrderEventsFunction", true);
    app.set_consumer_enabled("MyPageOnEventsFunction", true);
    let started = Instant::now();
    for order in &orders {
        assert!(app.ticket("Delivery", "Received", order, PATIENCE).await.is_some(), "{order}");
        assert!(app.mypage(&a, order, PATIENCE, |_| true).await.is_some(), "{order}");
    }
    println!("step 7: caught up in {:?}", started.elapsed());
    tokio::time::sleep(Duration::from_millis(700)).await;
    let queue = app.queue("Delivery", "Received").await;
    let rows = app.send_as(Some(&a.token), "GET", "/mypages", None).await.body["mypages"].as_array().cloned().unwrap();
    for order in &orders {
        assert_eq!(queue.iter().filter(|t| t["orderId"] == order.as_str()).count(), 1, "one ticket of {order}");
        assert_eq!(rows.iter().filter(|r| r["orderId"] == order.as_str()).count(), 1, "one row of {order}");
    }
}
