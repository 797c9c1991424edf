//! Every domain event in the system's sample events (`events/`) reads as its contract: the
//! envelopes inside SQS bodies (SNS notifications) and outbox stream images decode into their
//! topic's event enum and serialize back to the same data; the synchronous call's sample is a
//! `PayRequest`.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::path::Path;

use contracts::pay_call::PayRequest;
use contracts::payment::PaymentEvent;
use contracts::promotion::PromotionEvent;
use contracts::reservation::ReservationEvent;
use contracts::room::RoomEvent;
use platform::Won;
use stack_test::golden::{self, correlated_by, round_trips};

fn events_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../events")
}

#[test]
fn every_sample_envelope_is_an_event_of_its_topic_and_round_trips() {
    let samples = golden::samples(&events_dir());
    golden::assert_envelopes(&samples.envelopes, 20, |envelope| {
        match envelope.source.as_str() {
            "room" => round_trips::<RoomEvent>(envelope),
            "reservation" => round_trips::<ReservationEvent>(envelope),
            "payment" => round_trips::<PaymentEvent>(envelope),
            "promotion" => round_trips::<PromotionEvent>(envelope),
            other => Err(format!("an event from {other}")),
        }?;
        correlated_by(envelope, if envelope.source == "room" { "roomId" } else { "reservationId" })
    });
}

#[test]
fn the_pay_sample_is_a_pay_request_of_100000_won() {
    let text = std::fs::read_to_string(events_dir().join("pay.json")).unwrap();
    let request: PayRequest = serde_json::from_str(&text).unwrap();
    assert_eq!(request.amount, Won::new(100_000));
    assert!(
        serde_json::from_str::<PayRequest>(
            r#"{"reservationId": "r", "customerId": "c", "customerName": "", "amount": 1, "x": 1}"#
        )
        .is_err()
    );
}
