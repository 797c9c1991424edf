//! The notification consumer fed with the batches in `events/`, against the embedded
//! DynamoDB with the template's tables: one message per event however often it arrives,
//! with the texts and attributes `NotificationsTopic` subscribers filter on.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::time::Duration;

use aws_lambda_events::event::sqs::SqsEvent;
use devstack::emulators::Database;
use devstack::testing::{emulators_with_resources, physical_name, system_of};
use notification::policies::notify_customer;
use notification::store::DynamoMessages;
use platform::EventEnvelope;
use platform::inbox::for_each_event;
use serde_json::{Value, json};

fn batch(name: &str) -> SqsEvent {
    serde_json::from_str(
        &std::fs::read_to_string(system_of(env!("CARGO_MANIFEST_DIR")).events_dir().join(name)).unwrap(),
    )
    .unwrap()
}

#[tokio::test]
async fn each_event_is_one_message_with_customer_and_event_attributes() {
    let emulators = emulators_with_resources(system_of(env!("CARGO_MANIFEST_DIR")).template()).await;
    let table = physical_name("NotificationTable");
    let messages =
        DynamoMessages::new(platform::testing::dynamodb(&emulators.dynamodb_url), &table, Duration::from_secs(3600));
    for _ in 0..2 {
        let response = for_each_event(batch("sqs-notification-events.json"), |e| notify_customer(&messages, e)).await;
        assert!(response.batch_item_failures.is_empty());
    }
    let poisoned =
        for_each_event(batch("sqs-customer-registered-with-poison.json"), |e| notify_customer(&messages, e)).await;
    assert_eq!(poisoned.batch_item_failures.len(), 1, "the poison message fails alone");
    assert_eq!(poisoned.batch_item_failures[0].item_identifier, "2e1424d4-f796-459a-8184-9c92662be6da");

    let page = emulators.ddb(Database::scan, json!({ "TableName": table })).unwrap();
    let items = page["Items"].as_array().unwrap();
    let outbox: Vec<&Value> = items.iter().filter(|i| i["kind"]["S"] == "OutboxEvent").collect();
    let mut types: Vec<&str> =
        outbox.iter().map(|m| m["publishAttributes"]["M"]["eventType"]["S"].as_str().unwrap()).collect();
    types.sort_unstable();
    // The poison file's good record is another CustomerRegistered (a different event id).
    assert_eq!(types, ["CustomerRegistered", "CustomerRegistered", "DeliveryCompleted", "OrderWaited"]);
    assert_eq!(items.iter().filter(|i| i["pk"]["S"].as_str().unwrap().starts_with("INBOX#")).count(), 4);

    for message in &outbox {
        assert_eq!(message["publishAttributes"]["M"]["customerId"]["S"].as_str().unwrap().len(), 36);
        // The recorded event is CustomerNotified, caused by the event it tells of.
        let recorded: EventEnvelope = serde_json::from_str(message["event"]["S"].as_str().unwrap()).unwrap();
        assert_eq!(recorded.event_type, "CustomerNotified");
        assert_eq!(recorded.source, "notification");
        assert_eq!(recorded.data["subject"], message["publishSubject"]["S"]);
        assert_eq!(recorded.data["text"], message["publishMessage"]["S"]);
        assert!(recorded.causation_id.is_some());
    }
    let waited = outbox.iter().find(|m| m["publishAttributes"]["M"]["eventType"]["S"] == "OrderWaited").unwrap();
    assert_eq!(waited["publishSubject"]["S"], "대기번호 1번 / Your waiting number is 1");
    let text = waited["publishMessage"]["S"].as_str().unwrap();
    assert!(text.contains("대기번호는 1번") && text.contains("waiting number is 1"), "{text}");
    assert_eq!(waited["publishAttributes"]["M"]["customerId"]["S"], "01a1fcae-3de8-72e8-9d91-af9e4b458b9a");
    assert_eq!(waited["correlationId"]["S"], "01a1fcae-4122-72bd-a903-a28266cbd449");
}
