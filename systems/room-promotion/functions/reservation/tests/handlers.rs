//! Reservation's handlers and its event consumer fed with the real samples in `events/`
//! (edited where a case needs it), against the embedded DynamoDB with the template's
//! `ReservationTable` and a fake of the synchronous pay call: what each answers and what it
//! wrote (reservations, nights, outbox events), and the sample events moving a reservation
//! once however often they arrive.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use aws_lambda_events::event::sqs::SqsEvent;
use devstack::emulators::{Database, Emulators};
use devstack::testing::{emulators_with_resources, physical_name, system_of};
use lambda_http::{Body, Request, Response};
use platform::Won;
use platform::inbox::for_each_event;
use platform::invoke::InvokeError;
use reservation::domain::{CustomerId, PaymentId, ReservationId};
use reservation::policies::FOLLOW_INBOX;
use reservation::ports::{Pay, Payment};
use reservation::store::DynamoReservations;
use reservation::wiring::{PayReservation, ReservationFunction};
use serde_json::{Value, json};

const HOUR: Duration = Duration::from_secs(3600);
/// The reservation id of the samples.
const SAMPLE_RESERVATION: &str = "019a9a3c-7c1e-7d4a-9b2f-3e5d6c7b8a90";
/// The payment the fake approves.
const PAYMENT: &str = "019a9a3c-7d00-7a1b-8c2d-3e4f5a6b7c8d";

fn system() -> devstack::System {
    system_of(env!("CARGO_MANIFEST_DIR"))
}

/// Sample `file` passed through `edit`.
fn edited(file: &str, edit: impl FnOnce(&mut Value)) -> Request {
    let mut event: Value = serde_json::from_str(&system().event_text(file).unwrap()).unwrap();
    edit(&mut event);
    lambda_http::request::from_str(&event.to_string()).unwrap()
}

fn sample(file: &str) -> Request {
    edited(file, |_| {})
}

/// Sample `file` aimed at reservation `id`.
fn on(file: &str, id: &str) -> Request {
    edited(file, |e| e["pathParameters"]["reservationId"] = json!(id))
}

fn answer(response: Result<Response<Body>, platform::http::ApiError>) -> (u16, Value, Option<String>) {
    let response = response.unwrap_or_else(platform::http::ApiError::into_response);
    let retry = response.headers().get("retry-after").map(|v| v.to_str().unwrap().to_owned());
    (response.status().as_u16(), serde_json::from_slice(response.body().as_ref()).unwrap(), retry)
}

/// The table's items counted by kind, and the outbox's event types (sorted).
fn written(emulators: &Emulators) -> (Vec<(String, usize)>, Vec<String>) {
    let page = emulators.ddb(Database::scan, json!({ "TableName": physical_name("ReservationTable") })).unwrap();
    let items = page["Items"].as_array().unwrap();
    let mut kinds = std::collections::BTreeMap::<String, usize>::new();
    for item in items {
        *kinds.entry(item["kind"]["S"].as_str().unwrap_or("?").to_owned()).or_default() += 1;
    }
    let mut events: Vec<String> = items
        .iter()
        .filter(|i| i["kind"]["S"] == "OutboxEvent")
        .map(|i| i["eventType"]["S"].as_str().unwrap().to_owned())
        .collect();
    events.sort();
    (kinds.into_iter().filter(|(k, _)| k != "OutboxEvent" && k != "Inbox").collect(), events)
}

/// The pay call: approving [`PAYMENT`], or (`approve` false) timing out; counts its calls.
#[derive(Clone)]
struct FakePay {
    approve: bool,
    calls: Arc<AtomicUsize>,
}

impl Pay for FakePay {
    async fn pay(&self, _: &ReservationId, _: (&CustomerId, &str), _: Won) -> Result<Payment, InvokeError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        if self.approve {
            Ok(Payment::Approved(PaymentId::parse(PAYMENT).unwrap()))
        } else {
            Err(InvokeError::Timeout { function: "PayFunction".into(), timeout_ms: 610 })
        }
    }
}

async fn setup() -> (Emulators, DynamoReservations) {
    let emulators = emulators_with_resources(system().template()).await;
    let client = platform::testing::dynamodb(&emulators.dynamodb_url);
    let store = DynamoReservations::new(client, physical_name("ReservationTable"))
        .with_outbox(HOUR)
        .with_inbox(FOLLOW_INBOX, HOUR);
    (emulators, store)
}

fn events_batch(text: &str) -> SqsEvent {
    serde_json::from_str(text).unwrap()
}

async fn follow(store: &DynamoReservations, text: &str) {
    let failures = for_each_event(events_batch(text), |e| reservation::policies::follow_events(store, e)).await;
    assert!(failures.batch_item_failures.is_empty(), "{failures:?}");
}

#[tokio::test]
async fn the_samples_reserve_pay_get_and_cancel_and_refusals_write_nothing() {
    let (emulators, store) = setup().await;
    let deps = ReservationFunction { store: store.clone() };
    let (status, body, _) = answer(reservation::http::place(&deps, sample("place-reservation.json")).await);
    assert_eq!(status, 404, "the room is not known from its events yet: {body}");

    // The sample room events (and an approval and a promotion of a reservation not here).
    let events = system().event_text("sqs-reservation-events.json").unwrap();
    follow(&store, &events).await;
    let (status, body, _) = answer(reservation::http::place(&deps, sample("place-reservation-invalid.json")).await);
    let fields: Vec<&str> = body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    // `nights` of the wrong JSON type fails the body's decoding before `checkIn` is read.
    assert_eq!((status, fields), (400, vec!["nights"]), "{body}");
    assert_eq!(written(&emulators).1, Vec::<String>::new(), "nothing written");

    let (status, placed, _) = answer(reservation::http::place(&deps, sample("place-reservation.json")).await);
    assert_eq!((status, &placed["status"], &placed["amount"]), (201, &json!("Reserved"), &json!(110_000)), "{placed}");
    let (status, again, _) = answer(reservation::http::place(&deps, sample("place-reservation.json")).await);
    assert_eq!((status, &again), (201, &placed), "the same key answers the first answer");
    let other_key = |e: &mut Value| e["headers"]["idempotency-key"] = json!("0b7c2e54-reserve-2");
    let (status, taken, _) = answer(reservation::http::place(&deps, edited("place-reservation.json", other_key)).await);
    assert_eq!(status, 409, "the nights are taken: {taken}");
    let id = placed["reservationId"].as_str().unwrap().to_owned();

    let (status, read, _) = answer(reservation::http::get(&deps, on("get-reservation.json", &id)).await);
    assert_eq!((status, &read["status"], &read["amount"]), (200, &json!("Reserved"), &json!(110_000)), "{read}");
    let (status, _, _) = answer(reservation::http::get(&deps, sample("get-reservation.json")).await);
    assert_eq!(status, 404, "the sample's own id names nothing here");

    let calls = Arc::new(AtomicUsize::new(0));
    let paying = PayReservation { store: store.clone(), pay: FakePay { approve: true, calls: calls.clone() } };
    let (status, paid, _) = answer(reservation::http::pay(&paying, on("pay-reservation.json", &id)).await);
    assert_eq!((status, &paid["status"], &paid["paymentId"]), (200, &json!("Paid"), &json!(PAYMENT)), "{paid}");
    let (status, again, _) = answer(reservation::http::pay(&paying, on("pay-reservation.json", &id)).await);
    assert_eq!((status, &again["paymentId"], calls.load(Ordering::SeqCst)), (200, &json!(PAYMENT), 1), "paid: no call");

    let (status, cancelled, _) = answer(reservation::http::cancel(&deps, on("cancel-reservation.json", &id)).await);
    assert_eq!((status, &cancelled["status"]), (200, &json!("Cancelled")), "{cancelled}");
    let (status, _, _) = answer(reservation::http::cancel(&deps, on("cancel-reservation.json", &id)).await);
    assert_eq!(status, 409, "already cancelled");
    let (status, _, _) = answer(reservation::http::pay(&paying, on("pay-reservation.json", &id)).await);
    assert_eq!(status, 409, "a cancelled reservation is not paid");
    let (status, read, _) = answer(reservation::http::get(&deps, on("get-reservation.json", &id)).await);
    assert_eq!((status, &read["status"]), (200, &json!("Cancelled")));
    assert_eq!(written(&emulators).1, ["ReservationCancelled", "ReservationPlaced"]);

    // The nights are free again: the same stay is reserved anew.
    let (status, _, _) = answer(reservation::http::place(&deps, edited("place-reservation.json", other_key)).await);
    assert_eq!(status, 201);
}

#[tokio::test]
async fn a_pay_call_that_times_out_is_a_503_and_the_sample_events_reconcile_then_confirm_once() {
    let (emulators, store) = setup().await;
    let events = system().event_text("sqs-reservation-events.json").unwrap();
    follow(&store, &events).await;
    let deps = ReservationFunction { store: store.clone() };
    let (_, placed, _) = answer(reservation::http::place(&deps, sample("place-reservation.json")).await);
    let id = placed["reservationId"].as_str().unwrap().to_owned();

    let timing_out = PayReservation { store: store.clone(), pay: FakePay { approve: false, calls: Arc::default() } };
    let (status, body, retry) = answer(reservation::http::pay(&timing_out, on("pay-reservation.json", &id)).await);
    assert_eq!(status, 503, "{body}");
    assert!(retry.is_some(), "a 503 says when to retry");
    let (_, read, _) = answer(reservation::http::get(&deps, on("get-reservation.json", &id)).await);
    assert_eq!(read["status"], "Reserved", "the reservation stays Reserved");

    // The slow payment did approve: the sample PaymentApproved and PromotionGranted, aimed at
    // this reservation (new event ids: the room events of the batch are repeats).
    let aimed = events.replace(SAMPLE_RESERVATION, &id);
    follow(&store, &aimed).await;
    let (_, read, _) = answer(reservation::http::get(&deps, on("get-reservation.json", &id)).await);
    assert_eq!(
        (&read["status"], &read["paymentId"], &read["promotion"]["service"], &read["promotion"]["points"]),
        (&json!("Confirmed"), &json!(PAYMENT), &json!("DISCOUNT COUPON"), &json!(10000)),
        "{read}"
    );
    let before = emulators.ddb(Database::scan, json!({ "TableName": physical_name("ReservationTable") })).unwrap();
    follow(&store, &aimed).await;
    let mut reordered = events_batch(&aimed);
    reordered.records.reverse();
    let failures = for_each_event(reordered, |e| reservation::policies::follow_events(&store, e)).await;
    assert!(failures.batch_item_failures.is_empty());
    let after = emulators.ddb(Database::scan, json!({ "TableName": physical_name("ReservationTable") })).unwrap();
    assert_eq!(before["Items"], after["Items"], "repeated and reordered events wrote nothing");
    let (status, again, _) = answer(reservation::http::pay(&timing_out, on("pay-reservation.json", &id)).await);
    assert_eq!((status, &again["paymentId"]), (200, &json!(PAYMENT)), "paid by event: the same payment, no call");
}
