//! One order followed across every hop on the local stack: the X-Ray trace that starts in
//! PlaceOrder goes through the outbox (in the event envelope), the relay's SNS publish and
//! SQS to each consumer and on to the notification, and devstack shows that path for the
//! request's correlation id (`GET /_devstack/traces/{correlationId}` on the control port).

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::time::Duration;

use devstack::trace::{Hop, TracePath};
use serde_json::json;
use siren_order::TestApp;

const SOON: Duration = Duration::from_secs(15);

/// The causal chain from the request to the customer's waiting-number notification.
const CHAIN: [(&str, &str); 6] = [
    ("PlaceOrderFunction", "http"),
    ("OrderOutboxRelayFunction", "stream"),
    ("DeliveryOnOrderEventsFunction", "sqs"),
    ("DeliveryOutboxRelayFunction", "stream"),
    ("NotificationOnEventsFunction", "sqs"),
    ("NotificationRelayFunction", "stream"),
];

fn first<'a>(path: &'a TracePath, function: &str) -> Option<&'a Hop> {
    path.hops.iter().find(|hop| hop.function == function)
}

#[tokio::test(flavor = "multi_thread")]
async fn one_order_is_followed_from_its_request_to_its_notification_in_one_trace() {
    let app = TestApp::start().await;
    let customer = app.customer("trace@example.com").await;
    let americano = app.product("Americano", 4500).await;
    let correlation = format!("trace-{}", uuid::Uuid::new_v4().simple());

    let body = json!({ "customerId": customer, "items": [{ "productId": americano, "quantity": 1 }] });
    let placed = app
        .send_text(
            Some(&app.token_of(&customer)),
            "POST",
            "/orders",
            &[("idempotency-key", "k-trace-1"), ("x-correlation-id", &correlation)],
            Some(("application/json", body.to_string())),
        )
        .await;
    assert_eq!(placed.status, 201, "{placed:?}");
    let order_id = placed.body["orderId"].as_str().unwrap().to_owned();

    // The customer is told the waiting number: the last hop has happened.
    let told = app
        .wait_for_messages("NotificationsTopic", SOON, |m| m.iter().any(|m| m.attributes["eventType"] == "OrderWaited"))
        .await;
    assert!(told.iter().any(|m| m.attributes["eventType"] == "OrderWaited"), "{told:?}");

    let path = app.wait_for_trace(&correlation, SOON, |p| CHAIN.iter().all(|(f, _)| first(p, f).is_some())).await;
    let shown = serde_json::to_string_pretty(&path).unwrap();

    // One trace, started by the request, carried across outbox, SNS and SQS.
    assert_eq!(path.trace_ids.len(), 1, "every hop in one trace: {shown}");
    let root = &path.trace_ids[0];
    assert!(root.starts_with("1-") && root.len() == 35, "an X-Ray trace id: {root}");
    let request = first(&path, "PlaceOrderFunction").unwrap_or_else(|| panic!("no PlaceOrder hop: {shown}"));
    assert!(request.trace_header.starts_with(&format!("Root={root};")), "the trace starts in PlaceOrder: {shown}");
    assert!(request.correlation_ids.contains(&correlation), "{shown}");
    assert_eq!(request.trigger.source, "POST /orders");
    for hop in &path.hops {
        assert_eq!(&hop.trace_id, root, "{} left the trace: {shown}", hop.function);
        assert!(hop.duration_ms > 0.0, "{} has a duration: {shown}", hop.function);
        assert_eq!(hop.outcome, "ok", "{}: {shown}", hop.function);
    }

    // Every hop of the chain, each triggered as the template wires it, in causal order.
    let mut previous: Option<&Hop> = None;
    for (function, kind) in CHAIN {
        let hop = first(&path, function).unwrap_or_else(|| panic!("{function} is not on the path: {shown}"));
        assert_eq!(hop.trigger.kind, kind, "{function}: {shown}");
        if let Some(previous) = previous {
            assert!(
                hop.started_at > previous.started_at && hop.start_offset_ms > previous.start_offset_ms,
                "{function} started after {}: {shown}",
                previous.function
            );
        }
        previous = Some(hop);
    }
    // The consumers after the first SQS hop carry the order's own id, the events' correlation.
    let consumer = first(&path, "DeliveryOnOrderEventsFunction").unwrap();
    assert!(consumer.correlation_ids.contains(&order_id), "{shown}");
    assert_eq!(path.hops[0].function, "PlaceOrderFunction", "nothing on the path before the request: {shown}");
    assert_eq!(path.hops[0].start_offset_ms, 0.0);

    // The events published between the hops, in the same trace.
    let published: Vec<(&str, &str)> = path
        .messages
        .iter()
        .filter(|m| &m.trace_id == root)
        .map(|m| (m.topic.as_str(), m.event_type.as_deref().unwrap_or_default()))
        .collect();
    for expected in [
        ("OrderEventsTopic", "OrderPlaced"),
        ("DeliveryEventsTopic", "OrderWaited"),
        ("NotificationsTopic", "OrderWaited"),
    ] {
        assert!(published.contains(&expected), "{expected:?} published in the trace: {shown}");
    }

    // Asked by the order's id (the events' correlation id), the path is the same trace.
    let by_order = app.trace(&order_id).await;
    assert_eq!(by_order.trace_ids, path.trace_ids, "{by_order:?}");
    assert!(first(&by_order, "PlaceOrderFunction").is_some(), "{by_order:?}");

    // An unknown correlation id has no path.
    let unknown = app.trace("no-such-flow").await;
    assert!(unknown.hops.is_empty() && unknown.trace_ids.is_empty(), "{unknown:?}");
}
