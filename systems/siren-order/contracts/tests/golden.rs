//! Golden tests: every sample event in `events/` is read here and holds to the contracts.
//!
//! - SQS batches: each message is a domain event (an SNS notification or a raw envelope)
//!   that decodes as its topic's event enum and encodes back to exactly the same `data`
//!   (no field lost, renamed or added); a message that is not an event is allowed only in
//!   a file named for it (`...-with-poison.json`).
//! - DynamoDB stream batches: each outbox insert carries such an event.
//! - API Gateway HTTP API requests (payload 2.0) parse as what the runtime hands the
//!   functions.
//! - Synchronous `Invoke` payloads parse strictly (`deny_unknown_fields`) as their request.
//! - EventBridge scheduled events (the outbox sweep) carry what the platform reads.
//!
//! The walk over `events/` and the round trip are `stack_test::golden`'s.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::path::PathBuf;

use aws_lambda_events::event::apigw::ApiGatewayV2httpRequest;
use contracts::customer::CustomerEvent;
use contracts::delivery::DeliveryEvent;
use contracts::delivery_cancel::CancelDeliveryRequest;
use contracts::notification::NotificationEvent;
use contracts::order::OrderEvent;
use contracts::product::ProductEvent;
use contracts::product_check::CheckRequest;
use platform::EventEnvelope;
use stack_test::golden::{self, round_trips};

fn events_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../events")
}

/// Decodes `envelope` as its topic's enum and encodes it back to exactly its `data`.
fn holds_to_its_topic(envelope: &EventEnvelope) -> Result<(), String> {
    match envelope.source.as_str() {
        "customer" => round_trips::<CustomerEvent>(envelope),
        "product" => round_trips::<ProductEvent>(envelope),
        "order" => round_trips::<OrderEvent>(envelope),
        "delivery" => round_trips::<DeliveryEvent>(envelope),
        "notification" => round_trips::<NotificationEvent>(envelope),
        other => Err(format!("no contract for events from {other}")),
    }
}

#[test]
fn every_sample_event_holds_to_the_contracts() {
    let samples = golden::samples(&events_dir());
    golden::assert_envelopes(&samples.envelopes, 10, holds_to_its_topic);
    for (file, text, json) in &samples.others {
        if json.get("requestContext").is_some() {
            let request: ApiGatewayV2httpRequest =
                serde_json::from_str(text).unwrap_or_else(|err| panic!("{file}: not an HTTP API request: {err}"));
            assert!(request.route_key.is_some(), "{file}: no routeKey");
        } else if json["detail-type"] == "Scheduled Event" {
            // An EventBridge scheduled event (the outbox relays' sweep): no domain contract,
            // only the shape the platform reads.
            let event: platform::lambda::ScheduledEvent =
                serde_json::from_str(text).unwrap_or_else(|err| panic!("{file}: {err}"));
            assert_eq!(event.source.as_deref(), Some("aws.events"), "{file}");
            assert!(!event.resources.is_empty(), "{file}");
        } else if json.get("productIds").is_some() {
            serde_json::from_str::<CheckRequest>(text).unwrap_or_else(|err| panic!("{file}: {err}"));
        } else if json.get("orderId").is_some() {
            serde_json::from_str::<CancelDeliveryRequest>(text).unwrap_or_else(|err| panic!("{file}: {err}"));
        } else {
            panic!("{file}: no contract covers this sample event");
        }
    }
    assert!(samples.files >= 26, "only {} sample events found", samples.files);
    assert!(samples.others.len() >= 14, "{} requests checked", samples.others.len());
}

#[test]
fn an_event_that_breaks_its_contract_is_refused() {
    let placed = serde_json::json!({
        "id": "e1", "type": "OrderPlaced", "version": 1, "source": "order", "correlationId": "o1",
        "causationId": null, "occurredAt": "2026-11-21T05:29:14.060Z",
        "data": { "orderId": "o1", "customerId": "c1", "lines": [], "amount": -5, "placedAt": "2026-11-21T05:29:14.060Z" }
    });
    let envelope: EventEnvelope = serde_json::from_value(placed).expect("an envelope");
    assert!(envelope.decode::<OrderEvent>().is_err(), "a negative amount is not won");
    let mut unknown = envelope.clone();
    unknown.event_type = "OrderTeleported".into();
    assert!(unknown.decode::<OrderEvent>().is_err());
}
