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
use platform::{EventEnvelope, Won};
use serde_json::Value;

fn events_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../events")
}

/// Every envelope in every sample event, with the file it came from.
fn envelopes() -> Vec<(String, EventEnvelope)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(events_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let value: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        for record in value["Records"].as_array().into_iter().flatten() {
            let text = if let Some(body) = record["body"].as_str() {
                let note: Value = serde_json::from_str(body).unwrap();
                note["Message"].as_str().unwrap().to_owned()
            } else {
                record["dynamodb"]["NewImage"]["event"]["S"].as_str().unwrap().to_owned()
            };
            found.push((name.clone(), serde_json::from_str(&text).unwrap()));
        }
    }
    found
}

#[test]
fn every_sample_envelope_is_an_event_of_its_topic_and_round_trips() {
    let envelopes = envelopes();
    assert!(envelopes.len() >= 20, "{}", envelopes.len());
    for (file, envelope) in envelopes {
        let data = match envelope.source.as_str() {
            "room" => serde_json::to_value(envelope.decode::<RoomEvent>().unwrap()).unwrap(),
            "reservation" => serde_json::to_value(envelope.decode::<ReservationEvent>().unwrap()).unwrap(),
            "payment" => serde_json::to_value(envelope.decode::<PaymentEvent>().unwrap()).unwrap(),
            "promotion" => serde_json::to_value(envelope.decode::<PromotionEvent>().unwrap()).unwrap(),
            other => panic!("{file}: an event from {other}"),
        };
        assert_eq!(data["type"], envelope.event_type.as_str(), "{file}");
        assert_eq!(data["data"], envelope.data, "{file}: the contract keeps every field");
        let key = if envelope.source == "room" { "roomId" } else { "reservationId" };
        assert_eq!(envelope.correlation_id, envelope.data[key], "{file}: correlated by its {key}");
    }
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
