//! The rules over HTTP on one local stack: bad input on every route (400 naming the field, or
//! the spec's 404/409/422, nothing written), every route with no token, another customer's
//! token and the wrong role, and duplicate and reordered events changing nothing.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::time::Duration;

use chrono::{Days, Utc};
use serde_json::{Value, json};
use stack_test::{Reply, TestApp};

const PATIENCE: Duration = Duration::from_secs(60);

fn day(n: i64) -> String {
    let today = reservation::domain::today(Utc::now());
    if n >= 0 {
        today.checked_add_days(Days::new(n.unsigned_abs()))
    } else {
        today.checked_sub_days(Days::new(n.unsigned_abs()))
    }
    .unwrap()
    .to_string()
}

fn fields(reply: &Reply) -> Vec<String> {
    let mut names: Vec<String> = reply.body["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| e["field"].as_str().unwrap_or("").to_owned())
        .collect();
    names.sort();
    names
}

fn count(app: &TestApp, table: &str, kind: &str) -> usize {
    app.items(table).iter().filter(|i| i["kind"]["S"] == kind).count()
}

#[tokio::test]
async fn bad_input_auth_and_repeated_or_reordered_events() {
    let app = TestApp::start(&room_promotion::system()).await;
    let manager = app.token("auth0|room-team", &[room_promotion::MANAGER], 3600);
    let a_id = stack_test::new_subject();
    let a = app.token(&a_id, &[], 3600);
    let b_id = stack_test::new_subject();
    let b = app.token(&b_id, &[], 3600);

    // A room and a reservation of A to address.
    let room = app
        .send_as(Some(&manager), "POST", "/rooms", Some(&json!({"name": "Standard 101", "pricePerNight": 50000})))
        .await;
    assert_eq!(room.status, 201, "{room:?}");
    let room_id = room.body["roomId"].as_str().unwrap().to_owned();
    let body = json!({"roomId": room_id, "checkIn": day(7), "nights": 1});
    let placed = stack_test::app::poll_until(
        PATIENCE,
        || async { app.send_as(Some(&a), "POST", "/reservations", Some(&body)).await },
        |r| r.status != 404,
    )
    .await;
    assert_eq!(placed.status, 201, "{placed:?}");
    let id = placed.body["reservationId"].as_str().unwrap().to_owned();

    // ---- bad input: 400 naming the field (or the spec's 404/409/422), nothing written.
    let rooms_before = count(&app, "RoomTable", "Room");
    let bad = app.send_as(Some(&manager), "POST", "/rooms", Some(&json!({"name": "  ", "pricePerNight": 0}))).await;
    assert_eq!((bad.status, fields(&bad)), (400, vec!["name".to_owned(), "pricePerNight".to_owned()]), "{bad:?}");
    let bad = app
        .send_as(Some(&manager), "POST", "/rooms", Some(&json!({"name": "x", "pricePerNight": 1, "extra": 1})))
        .await;
    assert_eq!(bad.status, 400, "{bad:?}");
    let bad = app.send_text(Some(&manager), "POST", "/rooms", &[], Some(("application/json", "{".to_owned()))).await;
    assert_eq!(bad.status, 400, "{bad:?}");
    let bad =
        app.send_as(Some(&manager), "PATCH", &format!("/rooms/{room_id}"), Some(&json!({"status": "Open"}))).await;
    assert_eq!((bad.status, fields(&bad)), (400, vec!["status".to_owned()]), "{bad:?}");
    let bad = app.send_as(Some(&manager), "PATCH", &format!("/rooms/{room_id}"), Some(&json!({}))).await;
    assert_eq!((bad.status, fields(&bad)), (400, vec!["pricePerNight".to_owned()]), "{bad:?}");
    let unknown = app.send_as(Some(&manager), "PATCH", "/rooms/nope", Some(&json!({"status": "Closed"}))).await;
    assert_eq!(unknown.status, 404, "{unknown:?}");
    assert_eq!(count(&app, "RoomTable", "Room"), rooms_before, "nothing written");

    let reservations_before = count(&app, "ReservationTable", "Reservation");
    let bad = app
        .send_as(
            Some(&a),
            "POST",
            "/reservations",
            Some(&json!({"roomId": room_id, "checkIn": "7/12/2030", "nights": "two"})),
        )
        .await;
    assert_eq!(bad.status, 400, "{bad:?}");
    let bad =
        app.send_as(Some(&a), "POST", "/reservations", Some(&json!({"checkIn": "2030-12-07", "nights": 1}))).await;
    assert_eq!((bad.status, fields(&bad)), (400, vec!["roomId".to_owned()]), "{bad:?}");
    let bad = app
        .send_as(
            Some(&a),
            "POST",
            "/reservations",
            Some(&json!({"roomId": room_id, "checkIn": "2030-02-30", "nights": 1})),
        )
        .await;
    assert_eq!((bad.status, fields(&bad)), (400, vec!["checkIn".to_owned()]), "{bad:?}");
    for nights in [0, 31] {
        let refused = app
            .send_as(
                Some(&a),
                "POST",
                "/reservations",
                Some(&json!({"roomId": room_id, "checkIn": day(9), "nights": nights})),
            )
            .await;
        assert_eq!(refused.status, 422, "nights {nights}: {refused:?}");
    }
    let past = app
        .send_as(Some(&a), "POST", "/reservations", Some(&json!({"roomId": room_id, "checkIn": day(-1), "nights": 1})))
        .await;
    assert_eq!(past.status, 422, "{past:?}");
    let nowhere = app
        .send_as(
            Some(&a),
            "POST",
            "/reservations",
            Some(&json!({"roomId": "no-such-room", "checkIn": day(9), "nights": 1})),
        )
        .await;
    assert_eq!(nowhere.status, 404, "{nowhere:?}");
    let taken = app
        .send_as(Some(&b), "POST", "/reservations", Some(&json!({"roomId": room_id, "checkIn": day(7), "nights": 3})))
        .await;
    assert_eq!(taken.status, 409, "{taken:?}");
    let bad_key = app.send_with(Some(&a), "POST", "/reservations", &[("idempotency-key", "")], Some(&body)).await;
    assert_eq!(bad_key.status, 400, "{bad_key:?}");
    assert_eq!(count(&app, "ReservationTable", "Reservation"), reservations_before, "nothing written");
    for path in ["/reservations/not-an-id/pay", "/reservations/not-an-id/cancel"] {
        assert_eq!(app.send_as(Some(&a), "POST", path, None).await.status, 404, "{path}");
    }
    assert_eq!(app.send_as(Some(&a), "GET", "/reservations/not-an-id", None).await.status, 404);
    let missing = app.send_as(Some(&a), "GET", "/mypage", None).await;
    assert_eq!((missing.status, fields(&missing)), (400, vec!["customerId".to_owned()]), "{missing:?}");

    // ---- auth: no token (401), another customer (404, or 403 for the my page), wrong role (403).
    let routes: [(&str, String, Option<Value>); 7] = [
        ("POST", "/rooms".to_owned(), Some(json!({"name": "Suite", "pricePerNight": 1}))),
        ("PATCH", format!("/rooms/{room_id}"), Some(json!({"status": "Closed"}))),
        ("POST", "/reservations".to_owned(), Some(json!({"roomId": room_id, "checkIn": day(11), "nights": 1}))),
        ("POST", format!("/reservations/{id}/pay"), None),
        ("POST", format!("/reservations/{id}/cancel"), None),
        ("GET", format!("/reservations/{id}"), None),
        ("GET", format!("/mypage?customerId={}", a_id.replace('|', "%7C")), None),
    ];
    for (method, path, body) in &routes {
        let reply = app.send_as(None, method, path, body.as_ref()).await;
        assert_eq!(reply.status, 401, "{method} {path} without a token: {reply:?}");
    }
    for (method, path, body) in &routes[3..] {
        let reply = app.send_as(Some(&b), method, path, body.as_ref()).await;
        let expected = if path.starts_with("/mypage") { 403 } else { 404 };
        assert_eq!(reply.status, expected, "{method} {path} as another customer: {reply:?}");
    }
    for (method, path, body) in &routes[..2] {
        let reply = app.send_as(Some(&a), method, path, body.as_ref()).await;
        assert_eq!(reply.status, 403, "{method} {path} as a customer: {reply:?}");
    }
    for (method, path, body) in [&routes[2], &routes[3], &routes[4], &routes[6]] {
        let reply = app.send_as(Some(&manager), method, path, body.as_ref()).await;
        assert_eq!(reply.status, 403, "{method} {path} as the manager: {reply:?}");
    }
    let seen = app.send_as(Some(&manager), "GET", &format!("/reservations/{id}"), None).await;
    assert_eq!(seen.status, 200, "the manager sees any reservation: {seen:?}");
    assert_eq!(app.send_as(None, "GET", "/rooms", None).await.status, 200, "GET /rooms is public");

    // ---- duplicate and reordered events change nothing.
    app.invoke_event("MyPageOnEventsFunction", "sqs-mypage-events.json").await.unwrap();
    let page =
        |app: &TestApp| app.items("MyPageTable").into_iter().filter(|i| i["kind"]["S"] == "MyPage").collect::<Vec<_>>();
    let once = page(&app);
    app.invoke_event("MyPageOnEventsFunction", "sqs-mypage-events.json").await.unwrap();
    assert_eq!(page(&app), once, "the same events again change no page");
    let sample = once.iter().find(|p| p["customerId"]["S"] == "auth0|65a1f0c2b7e4d3a9f1c0de42").unwrap();
    assert!(sample["promotions"].to_string().contains("Revoked"), "{sample}");

    app.invoke_event("PromotionOnPaymentEventsFunction", "sqs-promotion-reordered.json").await.unwrap();
    app.invoke_event("PromotionOnPaymentEventsFunction", "sqs-promotion-reordered.json").await.unwrap();
    assert_eq!(count(&app, "PromotionTable", "Promotion"), 0, "a refund before its approval grants nothing");
    assert_eq!(count(&app, "PromotionTable", "Tombstone"), 1);

    let notices = app.published("NotificationsTopic").len();
    app.invoke_event("NotificationOnEventsFunction", "sqs-notification-events.json").await.unwrap();
    app.invoke_event("NotificationOnEventsFunction", "sqs-notification-events.json").await.unwrap();
    let sent = stack_test::app::poll_until(
        PATIENCE,
        || async { app.published("NotificationsTopic").len() },
        |n| *n >= notices + 5,
    )
    .await;
    assert_eq!(sent, notices + 5, "five occasions, one message each, however often they arrive");
    assert_eq!(count(&app, "NotificationTable", "OutboxEvent"), 5, "nothing queued for the repeat");

    // ---- every function starts with the environment the template gives it, and answers its
    // sample events (events/README.md) as `devstack invoke` does: no function error, no 5xx.
    let failed = stack_test::lint::cold_starts(&app).await;
    assert!(failed.is_empty(), "cold starts failed: {failed:?}");
    let readme =
        std::fs::read_to_string(room_promotion::system().template().parent().unwrap().join("../events/README.md"))
            .unwrap();
    let mut invoked = 0;
    for line in readme.lines().filter(|l| l.starts_with("| `") && l.contains("Function`")) {
        let function = line.split('`').nth(1).unwrap();
        for file in line.split('`').filter(|part| part.ends_with(".json")) {
            let answer = app.invoke_event(function, file).await;
            let answer = answer.unwrap_or_else(|err| panic!("{function} {file}: {err}"));
            let status = answer["statusCode"].as_u64().unwrap_or(200);
            assert!(status < 500, "{function} {file}: {answer}");
            invoked += 1;
        }
    }
    println!("invoked {invoked} sample events");
    assert!(invoked >= 19, "every function has its sample event ({invoked} invoked)");
}
