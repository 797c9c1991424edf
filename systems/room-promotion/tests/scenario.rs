//! The spec's end-to-end scenario over HTTP on the local stack, step by step with its values,
//! on one stack: steps 1-5 (rooms, reservations without double booking, pay, the promotions,
//! the my page, cancel with refund and revoke), step 6 (the report's circuit-breaker demo:
//! payment slowed above the 610 ms timeout) and step 7 (the promotion consumer stopped, then
//! back: one promotion each).
//!
//! "Within a second" is measured and printed; the assertions allow [`PATIENCE`] so a loaded
//! shared machine does not fail them, and assert behaviour, never a duration.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::time::{Duration, Instant};

use chrono::{Days, Utc};
use devstack::lambda::Fault;
use serde_json::{Value, json};
use stack_test::{Reply, TestApp};

/// How long a test waits for an effect the spec expects within a second.
const PATIENCE: Duration = Duration::from_secs(60);

fn day(n: u64) -> String {
    let today = reservation::domain::today(Utc::now());
    today.checked_add_days(Days::new(n)).unwrap().to_string()
}

struct Who {
    id: String,
    token: String,
}

fn customer(app: &TestApp) -> Who {
    let id = stack_test::new_subject();
    let token = app.token(&id, &[], 3600);
    Who { id, token }
}

async fn reserve(app: &TestApp, who: &Who, room: &str, check_in: &str, nights: u32) -> Reply {
    let body = json!({"roomId": room, "checkIn": check_in, "nights": nights});
    app.send_as(Some(&who.token), "POST", "/reservations", Some(&body)).await
}

async fn pay(app: &TestApp, who: &Who, reservation: &str) -> Reply {
    app.send_as(Some(&who.token), "POST", &format!("/reservations/{reservation}/pay"), None).await
}

/// Polls `GET /reservations/{id}` until `done` holds; the reservation and how long it took.
async fn reservation_until(app: &TestApp, who: &Who, id: &str, done: impl Fn(&Value) -> bool) -> (Value, Duration) {
    let started = Instant::now();
    let path = format!("/reservations/{id}");
    let reply = app.poll_as(Some(&who.token), &path, PATIENCE, |r| r.status == 200 && done(&r.body)).await;
    assert!(done(&reply.body), "{reply:?}");
    (reply.body, started.elapsed())
}

async fn mypage_until(app: &TestApp, who: &Who, done: impl Fn(&Value) -> bool) -> (Value, Duration) {
    let started = Instant::now();
    let path = format!("/mypage?customerId={}", who.id.replace('|', "%7C"));
    let reply = app.poll_as(Some(&who.token), &path, PATIENCE, |r| r.status == 200 && done(&r.body)).await;
    assert!(done(&reply.body), "{reply:?}");
    (reply.body, started.elapsed())
}

#[tokio::test]
async fn the_spec_scenario_end_to_end() {
    let app = TestApp::start(&room_promotion::system()).await;
    let manager = app.token("auth0|room-team", &[room_promotion::MANAGER], 3600);

    // Step 1: the manager adds two rooms; GET /rooms lists both.
    let mut rooms = Vec::new();
    for (name, price) in [("Standard 101", 50_000), ("Twin 201", 45_000)] {
        let reply =
            app.send_as(Some(&manager), "POST", "/rooms", Some(&json!({"name": name, "pricePerNight": price}))).await;
        assert_eq!((reply.status, reply.body["status"].as_str()), (201, Some("Available")), "{reply:?}");
        rooms.push(reply.body["roomId"].as_str().unwrap().to_owned());
    }
    let (standard, twin) = (rooms[0].clone(), rooms[1].clone());
    let listed = app.send_as(None, "GET", "/rooms", None).await;
    assert_eq!(listed.status, 200);
    let names: Vec<&str> =
        listed.body["rooms"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!((names, &listed.body["nextToken"]), (vec!["Standard 101", "Twin 201"], &Value::Null));
    let first = app.send_as(None, "GET", "/rooms?limit=1", None).await;
    let token = first.body["nextToken"].as_str().unwrap();
    let second = app.send_as(None, "GET", &format!("/rooms?limit=1&nextToken={token}"), None).await;
    assert_eq!(
        (&first.body["rooms"][0]["name"], &second.body["rooms"][0]["name"], &second.body["nextToken"]),
        (&json!("Standard 101"), &json!("Twin 201"), &Value::Null),
        "GET /rooms pages: {first:?} {second:?}"
    );

    // Step 2: customer A reserves; reservation knows rooms by event, so wait for the copy.
    let a = customer(&app);
    let first = stack_test::app::poll_until(
        PATIENCE,
        || async { reserve(&app, &a, &standard, &day(7), 2).await },
        |r| r.status != 404,
    )
    .await;
    assert_eq!(
        (first.status, first.body["status"].as_str(), first.body["amount"].as_u64()),
        (201, Some("Reserved"), Some(100_000)),
        "{first:?}"
    );
    let taken = reserve(&app, &a, &standard, &day(8), 1).await;
    assert_eq!(taken.status, 409, "{taken:?}");
    let second = reserve(&app, &a, &standard, &day(20), 1).await;
    assert_eq!((second.status, second.body["amount"].as_u64()), (201, Some(50_000)), "{second:?}");
    let third = stack_test::app::poll_until(
        PATIENCE,
        || async { reserve(&app, &a, &twin, &day(7), 1).await },
        |r| r.status != 404,
    )
    .await;
    assert_eq!((third.status, third.body["amount"].as_u64()), (201, Some(45_000)), "{third:?}");
    let ids: Vec<String> =
        [&first, &second, &third].iter().map(|r| r.body["reservationId"].as_str().unwrap().to_owned()).collect();

    // Step 3: pay all three.
    let mut paid_at = Vec::new();
    for id in &ids {
        let reply = pay(&app, &a, id).await;
        paid_at.push(Instant::now());
        assert_eq!((reply.status, reply.body["status"].as_str()), (200, Some("Paid")), "{reply:?}");
    }

    // Step 4: the promotions, Confirmed, the my page, one announcement each.
    for (id, service, points) in [
        (&ids[0], json!("DISCOUNT COUPON"), 10_000),
        (&ids[1], json!("BEVERAGE"), 5_000),
        (&ids[2], Value::Null, 4_500),
    ] {
        let (r, took) = reservation_until(&app, &a, id, |r| r["status"] == "Confirmed").await;
        assert_eq!((r["promotion"]["service"].clone(), r["promotion"]["points"].as_u64()), (service, Some(points)));
        println!("step 4: {id} Confirmed {took:?} after polling began");
    }
    let (page, took) = mypage_until(&app, &a, |p| {
        p["pointBalance"] == 19_500 && p["promotions"].as_array().is_some_and(|l| l.len() == 3)
    })
    .await;
    println!(
        "step 4: my page pointBalance 19500 after {took:?} ({} since the last pay)",
        paid_at[2].elapsed().as_millis()
    );
    assert_eq!(page["reservations"].as_array().unwrap().len(), 3);
    assert_mypage_pages(&app, &a, &page).await;
    let announced = stack_test::app::poll_until(PATIENCE, || async { granted_notices(&app, &a) }, |n| *n == 3).await;
    assert_eq!(announced, 3, "each promotion announced once");

    // Step 5: cancel the 100000 reservation: refund, revoke, 9500, the nights free again.
    let cancelled = app.send_as(Some(&a.token), "POST", &format!("/reservations/{}/cancel", ids[0]), None).await;
    let cancelled_at = Instant::now();
    assert_eq!((cancelled.status, cancelled.body["status"].as_str()), (200, Some("Cancelled")), "{cancelled:?}");
    let (page, _) = mypage_until(&app, &a, |p| p["pointBalance"] == 9_500).await;
    println!("step 5: pointBalance 9500 {:?} after the cancel", cancelled_at.elapsed());
    let line = page["reservations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["reservationId"] == ids[0].as_str())
        .unwrap()
        .clone();
    let refunded = stack_test::app::poll_until(
        PATIENCE,
        || async { payment_status(&app, &ids[0]) },
        |s| s.as_deref() == Some("Cancelled"),
    )
    .await;
    assert_eq!(refunded.as_deref(), Some("Cancelled"), "the payment is refunded");
    assert_eq!(line["status"], "Cancelled");
    let revoked =
        page["promotions"].as_array().unwrap().iter().find(|p| p["reservationId"] == ids[0].as_str()).unwrap().clone();
    assert_eq!(revoked["status"], "Revoked");
    let again = reserve(&app, &a, &standard, &day(7), 2).await;
    assert_eq!(again.status, 201, "Standard 101 can be booked again for D+7: {again:?}");

    step_6_payment_slowed_above_the_timeout(&app, &twin).await;
    step_7_promotion_consumer_stopped_then_back(&app, &twin).await;
}

fn granted_notices(app: &TestApp, who: &Who) -> usize {
    app.published("NotificationsTopic")
        .iter()
        .filter(|m| {
            m.attributes.get("eventType").and_then(Value::as_str) == Some("PromotionGranted")
                && m.attributes.get("customerId").and_then(Value::as_str) == Some(who.id.as_str())
        })
        .count()
}

fn payments(app: &TestApp, reservation: &str) -> Vec<Value> {
    app.items("PaymentTable")
        .into_iter()
        .filter(|i| i["reservationId"]["S"] == reservation && i["sk"]["S"] == "PAYMENT")
        .collect()
}

fn payment_status(app: &TestApp, reservation: &str) -> Option<String> {
    payments(app, reservation).first().and_then(|p| p["status"]["S"].as_str().map(str::to_owned))
}

fn promotions(app: &TestApp, reservation: &str) -> Vec<Value> {
    app.items("PromotionTable")
        .into_iter()
        .filter(|i| i["reservationId"]["S"] == reservation && i["kind"]["S"] == "Promotion")
        .collect()
}

/// Step 6: payment is slowed above the timeout; five pay calls fail (the breaker's
/// [`platform::invoke::FAILURES_TO_OPEN`]) and open it; the next is refused at once without
/// invoking payment; the slow payments still complete and reach their reservations by
/// `PaymentApproved`, exactly one payment and one promotion each; after the cool-down paying
/// again answers 200 with the same payment.
async fn step_6_payment_slowed_above_the_timeout(app: &TestApp, twin: &str) {
    let b = customer(app);
    let failures = usize::try_from(platform::invoke::FAILURES_TO_OPEN).unwrap();
    let mut ids = Vec::new();
    for n in 0..=failures {
        let reply = reserve(app, &b, twin, &day(30 + n as u64), 1).await;
        assert_eq!(reply.status, 201, "{reply:?}");
        ids.push(reply.body["reservationId"].as_str().unwrap().to_owned());
    }
    let mut answered = Vec::new();
    for (id, delay_ms) in ids.iter().zip([650_u64, 700, 680, 620, 660]) {
        assert!(app.stack.set_fault("PayFunction", Fault { delay_ms, fail: false }));
        let started = Instant::now();
        let reply = pay(app, &b, id).await;
        answered.push(started.elapsed());
        assert_eq!(reply.status, 503, "{reply:?}");
        assert!(reply.headers.contains_key("retry-after"), "{reply:?}");
    }
    println!("step 6: slow payments answered 503 in {answered:?} (timeout 610 ms)");
    let calls = app.invoked("PayFunction");
    let started = Instant::now();
    let refused = pay(app, &b, &ids[failures]).await;
    println!("step 6: with the breaker open, 503 in {:?}", started.elapsed());
    assert_eq!(refused.status, 503, "{refused:?}");
    assert_eq!(app.invoked("PayFunction"), calls, "payment not invoked while open");

    // The slow payments complete: Paid by PaymentApproved, then Confirmed; one of each.
    for id in &ids[..failures] {
        let (r, took) = reservation_until(app, &b, id, |r| r["status"] == "Confirmed").await;
        println!("step 6: {id} Confirmed by events {took:?} later");
        assert_eq!((r["promotion"]["service"].clone(), r["promotion"]["points"].as_u64()), (Value::Null, Some(4_500)));
        assert_eq!(payments(app, id).len(), 1, "one payment");
        assert_eq!(promotions(app, id).len(), 1, "one promotion");
    }

    // Payment back: after the cool-down the open reservation is paid; a paid one answers its payment.
    app.stack.set_fault("PayFunction", Fault::default());
    let started = Instant::now();
    let paid = stack_test::app::poll_until(PATIENCE, || pay(app, &b, &ids[failures]), |r| r.status == 200).await;
    assert_eq!(paid.status, 200, "{paid:?}");
    println!("step 6: 200 again {:?} after payment came back", started.elapsed());
    let first = reservation_until(app, &b, &ids[0], |r| r["paymentId"].is_string()).await.0;
    let again = pay(app, &b, &ids[0]).await;
    assert_eq!((again.status, &again.body["paymentId"]), (200, &first["paymentId"]), "{again:?}");
    assert_eq!(payments(app, &ids[0]).len(), 1);
}

/// The my page read in pages of 2 (`limit`, `nextToken`) holds every line of `whole` (one
/// page of 50) exactly once, with the whole balance on every page; a bad `limit` or
/// `nextToken` is a 400 naming it.
async fn assert_mypage_pages(app: &TestApp, who: &Who, whole: &Value) {
    let base = format!("/mypage?customerId={}", who.id.replace('|', "%7C"));
    let (mut reservations, mut promotions, mut next, mut pages) = (Vec::new(), Vec::new(), String::new(), 0);
    loop {
        let token = if next.is_empty() { String::new() } else { format!("&nextToken={next}") };
        let reply = app.send_as(Some(&who.token), "GET", &format!("{base}&limit=2{token}"), None).await;
        assert_eq!((reply.status, &reply.body["pointBalance"]), (200, &whole["pointBalance"]), "{reply:?}");
        reservations.extend(reply.body["reservations"].as_array().unwrap().iter().cloned());
        promotions.extend(reply.body["promotions"].as_array().unwrap().iter().cloned());
        pages += 1;
        match reply.body["nextToken"].as_str() {
            Some(token) if pages < 10 => next = token.to_owned(),
            _ => break,
        }
    }
    assert_eq!(pages, 2, "3 reservations and 3 promotions by 2");
    let ids =
        |lines: &[Value], key: &str| lines.iter().map(|l| l[key].as_str().unwrap().to_owned()).collect::<Vec<_>>();
    assert_eq!(ids(&reservations, "reservationId"), ids(whole["reservations"].as_array().unwrap(), "reservationId"));
    assert_eq!(ids(&promotions, "paymentId"), ids(whole["promotions"].as_array().unwrap(), "paymentId"));
    for (query, field) in [("&limit=0", "limit"), ("&limit=101", "limit"), ("&nextToken=garbage", "nextToken")] {
        let reply = app.send_as(Some(&who.token), "GET", &format!("{base}{query}"), None).await;
        assert_eq!((reply.status, &reply.body["errors"][0]["field"]), (400, &json!(field)), "{query}: {reply:?}");
    }
}

/// Step 7: with the promotion consumer stopped, payments are approved; when it is back, each
/// paid reservation gets exactly one promotion.
async fn step_7_promotion_consumer_stopped_then_back(app: &TestApp, twin: &str) {
    let c = customer(app);
    app.set_consumer_enabled("PromotionOnPaymentEventsFunction", false);
    let mut ids = Vec::new();
    for n in 0..3_u64 {
        let reply = reserve(app, &c, twin, &day(60 + n), 1).await;
        assert_eq!(reply.status, 201, "{reply:?}");
        let id = reply.body["reservationId"].as_str().unwrap().to_owned();
        assert_eq!(pay(app, &c, &id).await.status, 200);
        ids.push(id);
    }
    for id in &ids {
        assert!(promotions(app, id).is_empty(), "no promotion while stopped");
    }
    app.set_consumer_enabled("PromotionOnPaymentEventsFunction", true);
    let started = Instant::now();
    for id in &ids {
        reservation_until(app, &c, id, |r| r["status"] == "Confirmed").await;
        assert_eq!(promotions(app, id).len(), 1, "exactly one promotion for {id}");
    }
    println!("step 7: caught up in {:?}", started.elapsed());
}
