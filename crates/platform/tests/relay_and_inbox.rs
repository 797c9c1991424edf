//! The outbox relay and the idempotent consumer against the embedded DynamoDB, SQS and
//! SNS emulators, with the platform's own fixture template and real-shaped event files
//! (`tests/fixture/`).

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem};
use devstack::emulators::{Database, Emulators, REGION};
use devstack::template::ACCOUNT_ID;
use devstack::testing::{emulators_with_resources, physical_name};
use platform::inbox::{Applied, Inbox, InboxError, for_each_event};
use platform::relay::Relay;
use serde_json::{Value, json};

fn event_file<T: serde::de::DeserializeOwned>(name: &str) -> T {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixture/events").join(name);
    let text = std::fs::read_to_string(path).expect("event file");
    serde_json::from_str(&text).expect("the event parses")
}

fn fixture() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixture/template.yaml")
}

fn topic_arn(logical_id: &str) -> String {
    format!("arn:aws:sns:{REGION}:{ACCOUNT_ID}:{}", physical_name(logical_id))
}

/// A queue subscribed to `topic` that lets the test see what was published.
async fn subscriber(emulators: &Emulators, topic: &str) -> String {
    let output = emulators
        .sqs
        .create_queue(rustack_sqs_model::input::CreateQueueInput { queue_name: "probe".into(), ..Default::default() })
        .await
        .unwrap();
    let queue_arn = format!("arn:aws:sqs:{REGION}:{ACCOUNT_ID}:probe");
    devstack::resources::subscribe(emulators, &topic_arn(topic), &json!({ "Protocol": "sqs", "Endpoint": queue_arn }))
        .unwrap();
    output.queue_url.expect("a queue URL")
}

async fn received(emulators: &Emulators, queue_url: &str) -> Vec<Value> {
    let output = emulators
        .sqs
        .receive_message(rustack_sqs_model::input::ReceiveMessageInput {
            queue_url: queue_url.to_owned(),
            max_number_of_messages: Some(10),
            wait_time_seconds: Some(1),
            ..Default::default()
        })
        .await
        .unwrap();
    output.messages.iter().map(|m| serde_json::from_str(m.body.as_deref().unwrap()).unwrap()).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_relay_publishes_outbox_records_once_with_their_attributes_and_skips_other_records() {
    let emulators = emulators_with_resources(&fixture()).await;
    let queue_url = subscriber(&emulators, "WidgetEventsTopic").await;
    let relay = Relay::new(platform::testing::sns(&emulators.sns_url), topic_arn("WidgetEventsTopic"));

    let response = relay.handle(event_file("outbox-stream.json")).await;
    assert!(response.batch_item_failures.is_empty());

    let messages = received(&emulators, &queue_url).await;
    assert_eq!(messages.len(), 1, "only the outbox record is published: {messages:?}");
    let event: Value = serde_json::from_str(messages[0]["Message"].as_str().unwrap()).unwrap();
    assert_eq!(event["type"], "WidgetRegistered");
    assert_eq!(event["id"], "01a1fc94-844c-75dd-b4b3-e8bf09fed3f0");
    assert_eq!(messages[0]["MessageAttributes"]["eventType"]["Value"], "WidgetRegistered");
    assert_eq!(messages[0]["MessageAttributes"]["correlationId"]["Value"], "01a1fc94-844c-75dd-b4b3-e8be14f12adb");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_relay_that_cannot_publish_reports_the_outbox_record_as_failed() {
    let emulators = emulators_with_resources(&fixture()).await;
    let relay = Relay::new(platform::testing::sns(&emulators.sns_url), topic_arn("NoSuchTopic"));
    let response = relay.handle(event_file("outbox-stream.json")).await;
    let failed: Vec<_> = response.batch_item_failures.iter().map(|f| f.item_identifier.clone()).collect();
    assert_eq!(failed, [Some("4421584500000000017450439092".to_owned())]);
}

fn effect(table: &str, key: &str) -> TransactWriteItem {
    let item = HashMap::from([
        ("pk".to_owned(), AttributeValue::S(key.to_owned())),
        ("sk".to_owned(), AttributeValue::S("EFFECT".to_owned())),
    ]);
    let put = Put::builder()
        .table_name(table)
        .set_item(Some(item))
        .condition_expression("attribute_not_exists(pk)")
        .build()
        .unwrap();
    TransactWriteItem::builder().put(put).build()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_inbox_applies_an_event_once_however_often_it_arrives() {
    let emulators = emulators_with_resources(&fixture()).await;
    let table = physical_name("WidgetTable");
    let inbox = Inbox::new(
        platform::testing::dynamodb(&emulators.dynamodb_url),
        &table,
        "test-consumer",
        Duration::from_secs(3600),
    );
    let batch: aws_lambda_events::event::sqs::SqsEvent = event_file("sqs-with-poison.json");
    let event = platform::inbox::envelope_from_sqs(&batch.records[0]).unwrap();

    // The effect's own condition would refuse a second write; the inbox must answer first.
    assert_eq!(inbox.apply_once(&event, vec![effect(&table, "EFFECT#1")]).await.unwrap(), Applied::Now);
    assert_eq!(inbox.apply_once(&event, vec![effect(&table, "EFFECT#1")]).await.unwrap(), Applied::AlreadyDone);
    assert_eq!(inbox.apply_once(&event, vec![effect(&table, "EFFECT#2")]).await.unwrap(), Applied::AlreadyDone);

    let page = emulators.ddb(Database::scan, json!({ "TableName": table })).unwrap();
    let items = page["Items"].as_array().unwrap();
    assert_eq!(items.iter().filter(|i| i["sk"]["S"] == "EFFECT").count(), 1, "{items:?}");
    assert_eq!(items.iter().filter(|i| i["sk"]["S"] == "INBOX").count(), 1);

    // A new event whose effect is refused leaves no inbox item, so a retry can succeed later.
    let mut other = event.clone();
    other.id = "01a1fc94-0000-7000-8000-000000000001".into();
    assert!(matches!(
        inbox.apply_once(&other, vec![effect(&table, "EFFECT#1")]).await,
        Err(InboxError::EffectRefused { index: 0 })
    ));
    let page = emulators.ddb(Database::scan, json!({ "TableName": table })).unwrap();
    assert_eq!(page["Items"].as_array().unwrap().iter().filter(|i| i["sk"]["S"] == "INBOX").count(), 1);
}

#[tokio::test]
async fn a_poison_message_fails_alone_and_its_neighbour_is_handled() {
    let batch: aws_lambda_events::event::sqs::SqsEvent = event_file("sqs-with-poison.json");
    let seen = std::sync::Mutex::new(Vec::new());
    let response = for_each_event(batch, |event| {
        seen.lock().unwrap().push(event.event_type.clone());
        async { Ok(()) }
    })
    .await;
    assert_eq!(*seen.lock().unwrap(), ["WidgetRegistered"]);
    let failed: Vec<&str> = response.batch_item_failures.iter().map(|f| f.item_identifier.as_str()).collect();
    assert_eq!(failed, ["2e1424d4-f796-459a-8184-9c92662be6da"]);
}
