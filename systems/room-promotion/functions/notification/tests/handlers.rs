//! Notification's consumer fed with the real sample in `events/`
//! (`sqs-notification-events.json`: PaymentApproved, PromotionGranted, ReservationCancelled,
//! PaymentCancelled, PromotionRevoked), against the embedded DynamoDB with the template's
//! `NotificationTable`: one outbox message per event for `NotificationsTopic`, with the
//! attributes `customerId` and `eventType`, and nothing more when the batch comes again.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::time::Duration;

use aws_lambda_events::event::sqs::SqsEvent;
use devstack::emulators::{Database, Emulators};
use devstack::testing::{emulators_with_resources, physical_name, system_of};
use notification::store::DynamoNotices;
use platform::inbox::for_each_event;
use serde_json::{Value, json};

const HOUR: Duration = Duration::from_secs(3600);
const KIM: &str = "auth0|65a1f0c2b7e4d3a9f1c0de42";

fn system() -> devstack::System {
    system_of(env!("CARGO_MANIFEST_DIR"))
}

fn outbox(emulators: &Emulators) -> Vec<Value> {
    let page = emulators.ddb(Database::scan, json!({ "TableName": physical_name("NotificationTable") })).unwrap();
    page["Items"].as_array().unwrap().iter().filter(|i| i["kind"]["S"] == "OutboxEvent").cloned().collect()
}

#[tokio::test]
async fn the_sample_batch_queues_one_notice_per_event_with_its_attributes_once() {
    let emulators = emulators_with_resources(system().template()).await;
    let client = platform::testing::dynamodb(&emulators.dynamodb_url);
    let notices = DynamoNotices::new(client, physical_name("NotificationTable"), HOUR);
    let text = system().event_text("sqs-notification-events.json").unwrap();
    for _ in 0..2 {
        let batch: SqsEvent = serde_json::from_str(&text).unwrap();
        let failures = for_each_event(batch, |e| notification::policies::notify_customer(&notices, e)).await;
        assert!(failures.batch_item_failures.is_empty(), "{failures:?}");
    }
    let queued = outbox(&emulators);
    assert_eq!(queued.len(), 5, "one notice per event, the repeat adds none");
    let mut attributes: Vec<(String, String)> = queued
        .iter()
        .map(|i| {
            let a = &i["publishAttributes"]["M"];
            (a["eventType"]["S"].as_str().unwrap().to_owned(), a["customerId"]["S"].as_str().unwrap().to_owned())
        })
        .collect();
    attributes.sort();
    let expected: Vec<(String, String)> =
        ["PaymentApproved", "PaymentCancelled", "PromotionGranted", "PromotionRevoked", "ReservationCancelled"]
            .into_iter()
            .map(|kind| (kind.to_owned(), KIM.to_owned()))
            .collect();
    assert_eq!(attributes, expected, "each event once, to its customer");
    let granted = queued.iter().find(|i| i["publishAttributes"]["M"]["eventType"]["S"] == "PromotionGranted").unwrap();
    let message = granted["publishMessage"]["S"].as_str().unwrap();
    assert!(message.contains("DISCOUNT COUPON") && message.contains("10000"), "{message}");
    assert!(queued.iter().all(|i| i["publishSubject"]["S"].is_string() && i["eventType"]["S"] == "CustomerNotified"));
}
