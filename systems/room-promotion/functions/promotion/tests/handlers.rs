//! Promotion's consumer fed with the real samples in `events/`
//! (`sqs-promotion-payment-events.json`, `sqs-promotion-reordered.json`), against the
//! embedded DynamoDB with the template's `PromotionTable`: the sample approval grants the
//! seed's promotion once and its refund revokes it once, and a refund that arrives before the
//! approval leaves a tombstone so the late approval grants nothing.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::time::Duration;

use aws_lambda_events::event::sqs::SqsEvent;
use devstack::emulators::{Database, Emulators};
use devstack::testing::{emulators_with_resources, physical_name, system_of};
use platform::inbox::for_each_event;
use promotion::policies::PAYMENT_EVENTS_INBOX;
use promotion::store::DynamoPromotions;
use serde_json::{Value, json};

const HOUR: Duration = Duration::from_secs(3600);

fn system() -> devstack::System {
    system_of(env!("CARGO_MANIFEST_DIR"))
}

fn batch(file: &str) -> SqsEvent {
    serde_json::from_str(&system().event_text(file).unwrap()).unwrap()
}

fn items(emulators: &Emulators) -> Vec<Value> {
    let page = emulators.ddb(Database::scan, json!({ "TableName": physical_name("PromotionTable") })).unwrap();
    page["Items"].as_array().unwrap().clone()
}

/// The promotions and tombstones (kind, status, service, points) and the outbox's event types.
fn written(emulators: &Emulators) -> (Vec<Value>, Vec<String>) {
    let all = items(emulators);
    let records = all
        .iter()
        .filter(|i| i["kind"]["S"] == "Promotion" || i["kind"]["S"] == "Tombstone")
        .map(|i| json!([i["kind"]["S"], i["status"]["S"], i["service"]["S"], i["points"]["N"]]))
        .collect();
    let mut events: Vec<String> = all
        .iter()
        .filter(|i| i["kind"]["S"] == "OutboxEvent")
        .map(|i| i["eventType"]["S"].as_str().unwrap().to_owned())
        .collect();
    events.sort();
    (records, events)
}

async fn consume(promotions: &DynamoPromotions, batch: SqsEvent) {
    let failures = for_each_event(batch, |e| promotion::policies::grant_or_revoke(promotions, e)).await;
    assert!(failures.batch_item_failures.is_empty(), "{failures:?}");
}

async fn setup() -> (Emulators, DynamoPromotions) {
    let emulators = emulators_with_resources(system().template()).await;
    let client = platform::testing::dynamodb(&emulators.dynamodb_url);
    (emulators, DynamoPromotions::new(client, physical_name("PromotionTable"), PAYMENT_EVENTS_INBOX, HOUR))
}

#[tokio::test]
async fn the_sample_approval_grants_a_coupon_once_and_its_refund_revokes_it_once() {
    let (emulators, promotions) = setup().await;
    let mut approval = batch("sqs-promotion-payment-events.json");
    approval.records.truncate(1);
    consume(&promotions, approval.clone()).await;
    consume(&promotions, approval).await;
    assert_eq!(
        written(&emulators),
        (vec![json!(["Promotion", "Granted", "DISCOUNT COUPON", "10000"])], vec!["PromotionGranted".to_owned()]),
        "100000 won: a DISCOUNT COUPON and 10000 points, once"
    );
    consume(&promotions, batch("sqs-promotion-payment-events.json")).await;
    consume(&promotions, batch("sqs-promotion-payment-events.json")).await;
    assert_eq!(
        written(&emulators),
        (
            vec![json!(["Promotion", "Revoked", "DISCOUNT COUPON", "10000"])],
            vec!["PromotionGranted".to_owned(), "PromotionRevoked".to_owned()]
        ),
        "revoked once"
    );
}

#[tokio::test]
async fn a_refund_before_the_approval_leaves_a_tombstone_and_the_late_approval_grants_nothing() {
    let (emulators, promotions) = setup().await;
    consume(&promotions, batch("sqs-promotion-reordered.json")).await;
    let (records, events) = written(&emulators);
    assert_eq!((records.len(), events), (1, vec![]), "{records:?}");
    assert_eq!(records[0][0], "Tombstone");
    consume(&promotions, batch("sqs-promotion-reordered.json")).await;
    assert_eq!(written(&emulators).1, Vec::<String>::new(), "nothing granted, even on a repeat");
}
