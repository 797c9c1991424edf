//! Every domain event in the system's sample events (`events/`) reads as its contract: the
//! envelopes inside SQS bodies (SNS notifications) and outbox stream images decode into their
//! topic's event enum and serialize back to the same data; the synchronous calls' samples are a
//! `PayRequest` and a `CancelStoreOrderRequest`.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::path::Path;

use contracts::order::OrderEvent;
use contracts::pay_call::{PayRequest, PayResponse, PayStatus};
use contracts::payment::PaymentEvent;
use contracts::store::StoreEvent;
use contracts::store_cancel::{CancelStoreOrderRequest, CancelStoreOrderResponse, Refusal};
use platform::{EventEnvelope, Won};
use serde_json::{Value, json};
use stack_test::golden::{self, correlated_by, round_trips};

fn events_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../events")
}

fn read(file: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(events_dir().join(file)).unwrap()).unwrap()
}

#[test]
fn every_sample_envelope_is_an_event_of_its_topic_and_round_trips() {
    let samples = golden::samples(&events_dir());
    golden::assert_envelopes(&samples.envelopes, 19, |envelope| {
        match envelope.source.as_str() {
            "app" => round_trips::<OrderEvent>(envelope),
            "pay" => round_trips::<PaymentEvent>(envelope),
            "store" => round_trips::<StoreEvent>(envelope),
            other => Err(format!("an event from {other}")),
        }?;
        correlated_by(envelope, "orderId")
    });
}

#[test]
fn the_placed_samples_are_the_reports_chicken_at_18000_and_two_at_36000() {
    let batch = read("sqs-store-order-events.json");
    let placed: Vec<(u32, Won)> = batch["Records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|record| {
            let note: Value = serde_json::from_str(record["body"].as_str().unwrap()).unwrap();
            let envelope: EventEnvelope = serde_json::from_str(note["Message"].as_str().unwrap()).unwrap();
            let OrderEvent::OrderPlaced(placed) = envelope.decode::<OrderEvent>().unwrap() else {
                panic!("OrderPlaced")
            };
            assert_eq!(placed.item, "chicken");
            (placed.quantity, placed.amount)
        })
        .collect();
    assert_eq!(placed, [(1, Won::new(18000)), (2, Won::new(36000))]);
}

#[test]
fn the_calls_read_their_requests_and_answer_as_the_spec_writes() {
    let pay: PayRequest = serde_json::from_value(read("pay.json")).unwrap();
    assert_eq!(pay.amount, Won::new(18000));
    assert!(
        serde_json::from_value::<PayRequest>(json!({"orderId": "o", "customerId": "c", "amount": 1, "x": 1})).is_err()
    );
    let approved = PayResponse { payment_id: Some("p-1".into()), status: PayStatus::Approved };
    assert_eq!(serde_json::to_value(&approved).unwrap(), json!({"paymentId": "p-1", "status": "Approved"}));
    let refused = PayResponse { payment_id: None, status: PayStatus::Refused };
    assert_eq!(serde_json::to_value(&refused).unwrap(), json!({"paymentId": null, "status": "Refused"}));

    let cancel: CancelStoreOrderRequest = serde_json::from_value(read("cancel-store-order.json")).unwrap();
    assert!(!cancel.order_id.is_empty() && !cancel.customer_id.is_empty());
    let yes = CancelStoreOrderResponse { cancelled: true, reason: None };
    assert_eq!(serde_json::to_value(&yes).unwrap(), json!({"cancelled": true}));
    let no = CancelStoreOrderResponse { cancelled: false, reason: Some(Refusal::Cooking) };
    assert_eq!(serde_json::to_value(&no).unwrap(), json!({"cancelled": false, "reason": "Cooking"}));
}
