//! Payment's synchronous pay target and its reservation-event consumer fed with the real
//! samples in `events/` (`pay.json`, `sqs-payment-reservation-events.json`), against the
//! embedded DynamoDB with the template's `PaymentTable`: one payment per reservation however
//! often it is asked, the cancellation refunds it once, and a cancellation before any payment
//! leaves a tombstone that refuses the late pay.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::time::Duration;

use aws_lambda_events::event::sqs::SqsEvent;
use contracts::pay_call::{PayRequest, PayStatus};
use devstack::emulators::{Database, Emulators};
use devstack::testing::{emulators_with_resources, physical_name, system_of};
use payment::policies::RESERVATION_EVENTS_INBOX;
use payment::store::DynamoPayments;
use platform::inbox::for_each_event;
use serde_json::json;

const HOUR: Duration = Duration::from_secs(3600);
/// The reservation of the samples.
const SAMPLE_RESERVATION: &str = "019a9a3c-7c1e-7d4a-9b2f-3e5d6c7b8a90";

fn system() -> devstack::System {
    system_of(env!("CARGO_MANIFEST_DIR"))
}

fn pay_request() -> PayRequest {
    serde_json::from_str(&system().event_text("pay.json").unwrap()).unwrap()
}

fn cancelled() -> SqsEvent {
    serde_json::from_str(&system().event_text("sqs-payment-reservation-events.json").unwrap()).unwrap()
}

/// The table's items by kind (`Payment`, `Tombstone`) and the outbox's event types, sorted.
fn written(emulators: &Emulators) -> (Vec<String>, Vec<String>) {
    let page = emulators.ddb(Database::scan, json!({ "TableName": physical_name("PaymentTable") })).unwrap();
    let items = page["Items"].as_array().unwrap();
    let kind = |i: &serde_json::Value| i["kind"]["S"].as_str().unwrap_or_default().to_owned();
    let mut records: Vec<String> = items.iter().map(kind).filter(|k| k == "Payment" || k == "Tombstone").collect();
    let mut events: Vec<String> = items
        .iter()
        .filter(|i| kind(i) == "OutboxEvent")
        .map(|i| i["eventType"]["S"].as_str().unwrap().to_owned())
        .collect();
    records.sort();
    events.sort();
    (records, events)
}

async fn setup() -> (Emulators, DynamoPayments) {
    let emulators = emulators_with_resources(system().template()).await;
    let client = platform::testing::dynamodb(&emulators.dynamodb_url);
    let payments =
        DynamoPayments::new(client, physical_name("PaymentTable"), HOUR).with_inbox(RESERVATION_EVENTS_INBOX, HOUR);
    (emulators, payments)
}

#[tokio::test]
async fn the_sample_pay_approves_once_and_the_sample_cancellation_refunds_once() {
    let (emulators, payments) = setup().await;
    let first = payment::invoke::pay(&payments, pay_request()).await.unwrap();
    assert_eq!(first.status, PayStatus::Approved);
    let again = payment::invoke::pay(&payments, pay_request()).await.unwrap();
    assert_eq!(
        (again.status, &again.payment_id),
        (PayStatus::Approved, &first.payment_id),
        "idempotent by reservation"
    );
    assert_eq!(written(&emulators), (vec!["Payment".to_owned()], vec!["PaymentApproved".to_owned()]));

    for _ in 0..2 {
        let failures = for_each_event(cancelled(), |e| payment::policies::give_back(&payments, e)).await;
        assert!(failures.batch_item_failures.is_empty(), "{failures:?}");
    }
    assert_eq!(
        written(&emulators),
        (vec!["Payment".to_owned()], vec!["PaymentApproved".to_owned(), "PaymentCancelled".to_owned()]),
        "refunded once"
    );
    let refused = payment::invoke::pay(&payments, pay_request()).await.unwrap();
    assert_eq!(
        (refused.status, refused.payment_id),
        (PayStatus::Refused, None),
        "a refunded reservation is not paid again"
    );
}

#[tokio::test]
async fn a_cancellation_before_any_payment_leaves_a_tombstone_that_refuses_the_late_pay() {
    let (emulators, payments) = setup().await;
    let failures = for_each_event(cancelled(), |e| payment::policies::give_back(&payments, e)).await;
    assert!(failures.batch_item_failures.is_empty(), "{failures:?}");
    assert_eq!(written(&emulators), (vec!["Tombstone".to_owned()], vec![]));
    let late = payment::invoke::pay(&payments, pay_request()).await.unwrap();
    assert_eq!((late.status, late.payment_id), (PayStatus::Refused, None));
    assert_eq!(written(&emulators), (vec!["Tombstone".to_owned()], vec![]), "no charge");

    let mut bad = pay_request();
    bad.reservation_id = "not an id".to_owned();
    assert!(payment::invoke::pay(&payments, bad).await.is_err(), "a malformed call is refused");
    assert_eq!(pay_request().reservation_id, SAMPLE_RESERVATION);
}
