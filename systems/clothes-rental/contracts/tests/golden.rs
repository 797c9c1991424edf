//! Every domain event in the system's sample events (`events/`) reads as its contract: the
//! envelopes inside SQS bodies (SNS notifications) and outbox stream images decode into the
//! topic's event enum and serialize back to the same data; the synchronous call's sample is a
//! `CancelDeliveryRequest`.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::path::Path;

use contracts::delivery::DeliveryEvent;
use contracts::delivery_cancel::{CancelDeliveryRequest, CancelDeliveryResponse, Refusal};
use contracts::order::OrderEvent;
use platform::EventEnvelope;
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
    golden::assert_envelopes(&samples.envelopes, 15, |envelope| {
        match envelope.source.as_str() {
            "order" => round_trips::<OrderEvent>(envelope),
            "delivery" => round_trips::<DeliveryEvent>(envelope),
            other => Err(format!("an event from {other}")),
        }?;
        correlated_by(envelope, "orderId")
    });
}

#[test]
fn the_placed_sample_is_the_reports_order_of_five_1001() {
    let batch = read("sqs-delivery-order-events.json");
    let note: Value = serde_json::from_str(batch["Records"][0]["body"].as_str().unwrap()).unwrap();
    let envelope: EventEnvelope = serde_json::from_str(note["Message"].as_str().unwrap()).unwrap();
    let OrderEvent::OrderPlaced(placed) = envelope.decode::<OrderEvent>().unwrap() else { panic!("not OrderPlaced") };
    assert_eq!((placed.product_id.as_str(), placed.qty), ("1001", 5));
}

#[test]
fn the_cancel_call_reads_its_request_and_answers_as_the_spec_writes() {
    let request: CancelDeliveryRequest = serde_json::from_value(read("cancel-delivery.json")).unwrap();
    assert!(!request.order_id.is_empty() && !request.customer_id.is_empty());
    assert!(
        serde_json::from_value::<CancelDeliveryRequest>(json!({"orderId": "o", "customerId": "c", "x": 1})).is_err()
    );
    let yes = CancelDeliveryResponse { cancelled: true, reason: None };
    assert_eq!(serde_json::to_value(&yes).unwrap(), json!({"cancelled": true}));
    let no = CancelDeliveryResponse { cancelled: false, reason: Some(Refusal::Shipped) };
    assert_eq!(serde_json::to_value(&no).unwrap(), json!({"cancelled": false, "reason": "Shipped"}));
}

#[test]
fn a_tombstone_cancellation_has_no_delivery_id() {
    let event: DeliveryEvent = serde_json::from_value(json!({
        "type": "DeliveryCancelled",
        "data": {"deliveryId": null, "orderId": "o-1", "customerId": "auth0|kim"}
    }))
    .unwrap();
    assert!(matches!(event, DeliveryEvent::DeliveryCancelled(c) if c.delivery_id.is_none()));
}
