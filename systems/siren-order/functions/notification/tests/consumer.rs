//! The notification consumer fed with the batches in `events/`, against the embedded
//! DynamoDB with the template's tables: one message per event, however often it arrives.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::time::Duration;

use aws_lambda_events::event::sqs::SqsEvent;
use devstack::emulators::Database;
use devstack::testing::{emulators_with_resources, physical_name, system_of};
use notification::consumer::{Notifier, on_event};
use platform::inbox::{Inbox, for_each_event};
use platform::outbox::Outbox;
use serde_json::json;

fn batch(name: &str) -> SqsEvent {
    serde_json::from_str(
        &std::fs::read_to_string(system_of(env!("CARGO_MANIFEST_DIR")).events_dir().join(name)).unwrap(),
    )
    .unwrap()
}

#[tokio::test]
async fn each_event_is_one_message_with_customer_and_event_attributes() {
    let emulators = emulators_with_resources(system_of(env!("CARGO_MANIFEST_DIR")).template()).await;
    let client = platform::testing::dynamodb(&emulators.dynamodb_url);
    let table = physical_name("NotificationTable");
    let notifier = Notifier {
        outbox: Outbox::new(&table, Duration::from_secs(3600)),
        inbox: Inbox::new(client, &table, "notification-on-events", Duration::from_secs(3600)),
    };
    for _ in 0..2 {
        let response = for_each_event(batch("sqs-notification-events.json"), |e| on_event(&notifier, e)).await;
        assert!(response.batch_item_failures.is_empty());
    }
    let poisoned = for_each_event(batch("sqs-customer-registered-with-poison.json"), |e| on_event(&notifier, e)).await;
    assert_eq!(poisoned.batch_item_failures.len(), 1, "the poison message fails alone");

    let page = emulators.ddb(Database::scan, json!({ "TableName": table })).unwrap();
    let messages: Vec<_> =
        page["Items"].as_array().unwrap().iter().filter(|i| i["kind"]["S"] == "OutboxEvent").collect();
    let mut types: Vec<&str> =
        messages.iter().map(|m| m["publishAttributes"]["M"]["eventType"]["S"].as_str().unwrap()).collect();
    types.sort_unstable();
    // The poison file's good record is another CustomerRegistered (a different event id).
    assert_eq!(types, ["CustomerRegistered", "CustomerRegistered", "DeliveryCompleted", "OrderWaited"]);
    for message in &messages {
        assert_eq!(message["publishAttributes"]["M"]["customerId"]["S"].as_str().unwrap().len(), 36);
        assert!(!message["publishSubject"]["S"].as_str().unwrap().is_empty());
    }
}
