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

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::path::PathBuf;

use aws_lambda_events::event::apigw::ApiGatewayV2httpRequest;
use aws_lambda_events::event::dynamodb::Event as StreamBatch;
use aws_lambda_events::event::sqs::SqsEvent;
use contracts::customer::CustomerEvent;
use contracts::delivery::DeliveryEvent;
use contracts::delivery_cancel::CancelDeliveryRequest;
use contracts::notification::NotificationEvent;
use contracts::order::OrderEvent;
use contracts::product::ProductEvent;
use contracts::product_check::CheckRequest;
use platform::EventEnvelope;
use serde_json::Value;

fn events_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../events")
}

/// Decodes `envelope` as its topic's enum and encodes it back; returns the `data` again.
fn round_trip(envelope: &EventEnvelope) -> Value {
    fn back<T: serde::de::DeserializeOwned + serde::Serialize>(envelope: &EventEnvelope) -> Value {
        let decoded: T =
            envelope.decode().unwrap_or_else(|err| panic!("{} from {}: {err}", envelope.event_type, envelope.source));
        EventEnvelope::wrap(&envelope.source, &envelope.correlation_id, None, &decoded).data
    }
    match envelope.source.as_str() {
        "customer" => back::<CustomerEvent>(envelope),
        "product" => back::<ProductEvent>(envelope),
        "order" => back::<OrderEvent>(envelope),
        "delivery" => back::<DeliveryEvent>(envelope),
        "notification" => back::<NotificationEvent>(envelope),
        other => panic!("no contract for events from {other}"),
    }
}

fn check_envelope(file: &str, envelope: &EventEnvelope) {
    assert_eq!(round_trip(envelope), envelope.data, "{file}: {} does not round-trip", envelope.event_type);
}

#[test]
fn every_sample_event_holds_to_the_contracts() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(events_dir())
        .expect("events/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let (mut events, mut requests) = (0, 0);
    for path in &files {
        let file = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
        let text = std::fs::read_to_string(path).expect("readable");
        let json: Value = serde_json::from_str(&text).unwrap_or_else(|err| panic!("{file} is not JSON: {err}"));
        let source = json["Records"][0]["eventSource"].as_str().unwrap_or_default();
        if source == "aws:sqs" {
            let batch: SqsEvent = serde_json::from_str(&text).unwrap_or_else(|err| panic!("{file}: {err}"));
            for message in &batch.records {
                match platform::inbox::envelope_from_sqs(message) {
                    Ok(envelope) => {
                        check_envelope(&file, &envelope);
                        events += 1;
                    }
                    Err(reason) => assert!(file.contains("poison"), "{file}: a message is not an event: {reason}"),
                }
            }
        } else if source == "aws:dynamodb" {
            let batch: StreamBatch = serde_json::from_str(&text).unwrap_or_else(|err| panic!("{file}: {err}"));
            for record in &batch.records {
                if let Some(serde_dynamo::AttributeValue::S(event)) = record.change.new_image.get("event") {
                    let envelope: EventEnvelope =
                        serde_json::from_str(event).unwrap_or_else(|err| panic!("{file}: outbox event: {err}"));
                    check_envelope(&file, &envelope);
                    events += 1;
                }
            }
        } else if json.get("requestContext").is_some() {
            let request: ApiGatewayV2httpRequest =
                serde_json::from_str(&text).unwrap_or_else(|err| panic!("{file}: not an HTTP API request: {err}"));
            assert!(request.route_key.is_some(), "{file}: no routeKey");
            requests += 1;
        } else if json["detail-type"] == "Scheduled Event" {
            // An EventBridge scheduled event (the outbox relays' sweep): no domain contract,
            // only the shape the platform reads.
            let event: platform::lambda::ScheduledEvent =
                serde_json::from_str(&text).unwrap_or_else(|err| panic!("{file}: {err}"));
            assert_eq!(event.source.as_deref(), Some("aws.events"), "{file}");
            assert!(!event.resources.is_empty(), "{file}");
            requests += 1;
        } else if json.get("productIds").is_some() {
            serde_json::from_str::<CheckRequest>(&text).unwrap_or_else(|err| panic!("{file}: {err}"));
            requests += 1;
        } else if json.get("orderId").is_some() {
            serde_json::from_str::<CancelDeliveryRequest>(&text).unwrap_or_else(|err| panic!("{file}: {err}"));
            requests += 1;
        } else {
            panic!("{file}: no contract covers this sample event");
        }
    }
    assert!(files.len() >= 26, "only {} sample events found", files.len());
    assert!(events >= 10 && requests >= 14, "{events} events and {requests} requests checked");
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
