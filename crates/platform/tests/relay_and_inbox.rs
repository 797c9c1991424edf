//! The outbox relay (stream path, sweep, marking, SNS outages) and the idempotent consumer
//! against the embedded DynamoDB, SQS and SNS emulators, with the platform's own fixture
//! template and real-shaped event files (`tests/fixture/`). Stream batches are read from
//! the emulator's real stream; an SNS outage is the emulator's injected fault.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::collections::HashMap;
use std::time::Duration;

use aws_lambda_events::event::dynamodb::Event as StreamBatch;
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem};
use devstack::emulators::{Database, Emulators, REGION};
use devstack::template::ACCOUNT_ID;
use devstack::testing::{emulators_with_resources, physical_name};
use platform::EventEnvelope;
use platform::inbox::{Applied, Inbox, InboxError, for_each_event};
use platform::outbox::Outbox;
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

fn relay(emulators: &Emulators, topic: &str) -> Relay {
    Relay::new(
        &platform::testing::sns(&emulators.sns_url),
        platform::testing::dynamodb(&emulators.dynamodb_url),
        topic_arn(topic),
        physical_name("WidgetTable"),
    )
}

/// Puts the items of a stream batch into the table, as the writes that made the stream
/// records would have.
async fn seed(emulators: &Emulators, batch: &StreamBatch) {
    let client = platform::testing::dynamodb(&emulators.dynamodb_url);
    for record in &batch.records {
        let item: HashMap<String, AttributeValue> = record.change.new_image.clone().into();
        client.put_item().table_name(physical_name("WidgetTable")).set_item(Some(item)).send().await.unwrap();
    }
}

/// Writes `count` events through the outbox (one transaction each), as a command does.
async fn write_events(emulators: &Emulators, count: usize) -> Vec<EventEnvelope> {
    let client = platform::testing::dynamodb(&emulators.dynamodb_url);
    let outbox = Outbox::new(physical_name("WidgetTable"), Duration::from_secs(3600));
    let mut written = Vec::new();
    for n in 0..count {
        let event = EventEnvelope::wrap(
            "widget",
            &format!("widget-{n}"),
            None,
            &json!({ "type": "WidgetRegistered", "data": { "widgetId": format!("widget-{n}") } }),
        );
        platform::outbox::transact(&client, vec![outbox.put(&event)]).await.unwrap();
        written.push(event);
    }
    written
}

/// Every record of the table's stream so far, as Lambda hands them to the relay.
fn stream(emulators: &Emulators) -> StreamBatch {
    let table = physical_name("WidgetTable");
    let streams = emulators.ddb(Database::list_streams, json!({ "TableName": table })).unwrap();
    let arn = streams["Streams"][0]["StreamArn"].as_str().unwrap().to_owned();
    let description = emulators.ddb(Database::describe_stream, json!({ "StreamArn": arn })).unwrap();
    let mut records = Vec::new();
    for shard in description["StreamDescription"]["Shards"].as_array().unwrap() {
        let request = json!({ "StreamArn": arn, "ShardId": shard["ShardId"], "ShardIteratorType": "TRIM_HORIZON" });
        let iterator = emulators.ddb(Database::get_shard_iterator, request).unwrap();
        let page = emulators.ddb(Database::get_records, json!({ "ShardIterator": iterator["ShardIterator"] })).unwrap();
        for mut record in page["Records"].as_array().unwrap().clone() {
            record["eventSourceARN"] = json!(arn);
            records.push(record);
        }
    }
    serde_json::from_value(json!({ "Records": records })).unwrap()
}

/// The outbox item of `event`, read consistently.
async fn outbox_item(emulators: &Emulators, event: &EventEnvelope) -> HashMap<String, AttributeValue> {
    let table = platform::dynamo::Table::new(
        platform::testing::dynamodb(&emulators.dynamodb_url),
        physical_name("WidgetTable"),
    );
    table.get_raw(format!("OUTBOX#{}", event.id), "OUTBOX").await.unwrap().expect("the outbox item exists")
}

fn is_pending(item: &HashMap<String, AttributeValue>) -> bool {
    item.get(platform::outbox::PENDING_ATTRIBUTE) == Some(&AttributeValue::S(platform::outbox::PENDING.to_owned()))
}

fn is_marked(item: &HashMap<String, AttributeValue>) -> bool {
    !item.contains_key(platform::outbox::PENDING_ATTRIBUTE)
        && !item.contains_key(platform::outbox::SINCE_ATTRIBUTE)
        && item.contains_key(platform::outbox::PUBLISHED_AT_ATTRIBUTE)
}

/// The event ids of the messages waiting in the probe queue.
async fn published_ids(emulators: &Emulators, queue_url: &str) -> Vec<String> {
    let mut ids = Vec::new();
    loop {
        let messages = received(emulators, queue_url).await;
        if messages.is_empty() {
            return ids;
        }
        for message in messages {
            let event: Value = serde_json::from_str(message["Message"].as_str().unwrap()).unwrap();
            ids.push(event["id"].as_str().unwrap().to_owned());
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_relay_publishes_outbox_records_once_with_their_attributes_and_skips_other_records() {
    let emulators = emulators_with_resources(&fixture()).await;
    let queue_url = subscriber(&emulators, "WidgetEventsTopic").await;
    let relay = relay(&emulators, "WidgetEventsTopic");
    let batch: StreamBatch = event_file("outbox-stream.json");
    seed(&emulators, &batch).await;

    let response = relay.handle(batch.clone()).await;
    assert!(response.batch_item_failures.is_empty());

    let messages = received(&emulators, &queue_url).await;
    assert_eq!(messages.len(), 1, "only the outbox record is published: {messages:?}");
    let event: Value = serde_json::from_str(messages[0]["Message"].as_str().unwrap()).unwrap();
    assert_eq!(event["type"], "WidgetRegistered");
    assert_eq!(event["id"], "01a1fc94-844c-75dd-b4b3-e8bf09fed3f0");
    assert_eq!(messages[0]["MessageAttributes"]["eventType"]["Value"], "WidgetRegistered");
    assert_eq!(messages[0]["MessageAttributes"]["correlationId"]["Value"], "01a1fc94-844c-75dd-b4b3-e8be14f12adb");

    // The same batch again (a replay, a retried batch): nothing is published twice.
    let response = relay.handle(batch).await;
    assert!(response.batch_item_failures.is_empty());
    assert!(published_ids(&emulators, &queue_url).await.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stream_batch_publishes_each_flow_in_write_order_and_reports_its_earliest_failure() {
    let emulators = emulators_with_resources(&fixture()).await;
    let queue_url = subscriber(&emulators, "WidgetEventsTopic").await;
    let relay = relay(&emulators, "WidgetEventsTopic");
    // Twelve flows' events interleaved in one batch, as many commands writing at once.
    let client = platform::testing::dynamodb(&emulators.dynamodb_url);
    let outbox = Outbox::new(physical_name("WidgetTable"), Duration::from_secs(3600));
    let mut written: HashMap<String, Vec<String>> = HashMap::new();
    for step in 0..4 {
        for flow in 0..12 {
            let correlation = format!("widget-{flow}");
            let event = EventEnvelope::wrap(
                "widget",
                &correlation,
                None,
                &json!({ "type": "WidgetChanged", "data": { "widgetId": correlation, "step": step } }),
            );
            platform::outbox::transact(&client, vec![outbox.put(&event)]).await.unwrap();
            written.entry(correlation).or_default().push(event.id.clone());
        }
    }
    let batch = stream(&emulators);

    // SNS down: every flow fails at its first record; the batch's first record is reported,
    // so the retry starts from it and nothing is skipped.
    assert!(emulators.set_service_fault("sns", true));
    let response = relay.handle(batch.clone()).await;
    let failed: Vec<_> = response.batch_item_failures.iter().map(|f| f.item_identifier.clone()).collect();
    assert_eq!(failed, [Some(batch.records[0].change.sequence_number.clone().unwrap())]);
    assert!(emulators.set_service_fault("sns", false));

    // The retry publishes all 48, each once, and each flow's in the order written.
    let response = relay.handle(batch).await;
    assert!(response.batch_item_failures.is_empty(), "{response:?}");
    let mut published: HashMap<String, Vec<String>> = HashMap::new();
    for message in received_all(&emulators, &queue_url).await {
        let event: Value = serde_json::from_str(message["Message"].as_str().unwrap()).unwrap();
        let flow = event["correlationId"].as_str().unwrap().to_owned();
        published.entry(flow).or_default().push(event["id"].as_str().unwrap().to_owned());
    }
    assert_eq!(published, written);
}

/// Every message in the probe queue, in the order SQS hands them out.
async fn received_all(emulators: &Emulators, queue_url: &str) -> Vec<Value> {
    let mut all = Vec::new();
    loop {
        let messages = received(emulators, queue_url).await;
        if messages.is_empty() {
            return all;
        }
        all.extend(messages);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_relay_that_cannot_publish_reports_the_outbox_record_as_failed() {
    let emulators = emulators_with_resources(&fixture()).await;
    let relay = relay(&emulators, "NoSuchTopic");
    let batch: StreamBatch = event_file("outbox-stream.json");
    seed(&emulators, &batch).await;
    let response = relay.handle(batch).await;
    let failed: Vec<_> = response.batch_item_failures.iter().map(|f| f.item_identifier.clone()).collect();
    assert_eq!(failed, [Some("4421584500000000017450439092".to_owned())]);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_relay_marks_what_it_published_so_it_leaves_the_unpublished_index() {
    let emulators = emulators_with_resources(&fixture()).await;
    let queue_url = subscriber(&emulators, "WidgetEventsTopic").await;
    let relay = relay(&emulators, "WidgetEventsTopic");
    let events = write_events(&emulators, 2).await;
    for event in &events {
        assert!(is_pending(&outbox_item(&emulators, event).await), "a new outbox item is pending");
    }

    let response = relay.handle(stream(&emulators)).await;
    assert!(response.batch_item_failures.is_empty());
    let mut ids = published_ids(&emulators, &queue_url).await;
    ids.sort();
    let mut expected: Vec<String> = events.iter().map(|e| e.id.clone()).collect();
    expected.sort();
    assert_eq!(ids, expected);
    for event in &events {
        assert!(is_marked(&outbox_item(&emulators, event).await));
    }
    let unpublished = emulators
        .ddb(Database::scan, json!({ "TableName": physical_name("WidgetTable"), "IndexName": "Unpublished" }))
        .unwrap();
    assert_eq!(unpublished["Items"], json!([]), "the index holds only what is still owed");

    // The same fresh records again (a retried batch): the relay checks them without a claim
    // and finds them published.
    assert!(relay.handle(stream(&emulators)).await.batch_item_failures.is_empty());
    assert!(published_ids(&emulators, &queue_url).await.is_empty());

    // Sweeping long after: nothing is owed, nothing is published again.
    let report = relay.sweep(chrono::Utc::now() + chrono::Duration::minutes(10)).await.unwrap();
    assert_eq!((report.found, report.published), (0, 0));
    assert!(published_ids(&emulators, &queue_url).await.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_fresh_record_someone_else_is_publishing_is_left_to_them() {
    let emulators = emulators_with_resources(&fixture()).await;
    let queue_url = subscriber(&emulators, "WidgetEventsTopic").await;
    let relay = relay(&emulators, "WidgetEventsTopic");
    let events = write_events(&emulators, 1).await;
    // Another invocation holds a live lease on the item (it is publishing it right now).
    let until = chrono::Utc::now().timestamp_millis() + 20_000;
    platform::testing::dynamodb(&emulators.dynamodb_url)
        .update_item()
        .table_name(physical_name("WidgetTable"))
        .set_key(Some(platform::dynamo::key(format!("OUTBOX#{}", events[0].id), "OUTBOX")))
        .update_expression("SET outboxLeaseBy = :by, outboxLeaseUntil = :until")
        .expression_attribute_values(":by", AttributeValue::S("someone-else".into()))
        .expression_attribute_values(":until", AttributeValue::N(until.to_string()))
        .send()
        .await
        .unwrap();

    let response = relay.handle(stream(&emulators)).await;
    assert!(response.batch_item_failures.is_empty(), "{response:?}");
    assert!(published_ids(&emulators, &queue_url).await.is_empty(), "the lease holder publishes it, not us");
    let item = outbox_item(&emulators, &events[0]).await;
    assert!(is_pending(&item), "still owed (the sweep takes it if its holder dies): {item:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_event_sns_refused_stays_pending_and_the_sweep_publishes_it_later_exactly_once() {
    let emulators = emulators_with_resources(&fixture()).await;
    let queue_url = subscriber(&emulators, "WidgetEventsTopic").await;
    let relay = relay(&emulators, "WidgetEventsTopic").with_grace(Duration::from_secs(60));
    let events = write_events(&emulators, 1).await;
    let batch = stream(&emulators);

    // SNS is down: the relay retries within the invocation, then reports the record.
    assert!(emulators.set_service_fault("sns", true));
    let response = relay.handle(batch.clone()).await;
    assert_eq!(response.batch_item_failures.len(), 1);
    let item = outbox_item(&emulators, &events[0]).await;
    assert!(is_pending(&item), "a failed publish leaves the item pending: {item:?}");
    assert!(!item.contains_key("outboxLeaseBy"), "a failed publish gives its claim back");

    // Say the stream gives up (retries exhausted, or the outage outlives the stream).
    // SNS is back; within the grace period the sweep leaves the item to the stream.
    assert!(emulators.set_service_fault("sns", false));
    assert!(published_ids(&emulators, &queue_url).await.is_empty());
    let report = relay.sweep(chrono::Utc::now()).await.unwrap();
    assert_eq!(report.found, 0, "{report:?}");

    // After it, the sweep publishes it, once, and marks it.
    let later = chrono::Utc::now() + chrono::Duration::minutes(2);
    let report = relay.sweep(later).await.unwrap();
    assert_eq!((report.found, report.published, report.failed), (1, 1, 0), "{report:?}");
    assert_eq!(published_ids(&emulators, &queue_url).await, [events[0].id.clone()]);
    assert!(is_marked(&outbox_item(&emulators, &events[0]).await));

    // Neither another sweep nor the stream's late retry of the same record sends it again.
    let report = relay.sweep(later + chrono::Duration::minutes(1)).await.unwrap();
    assert_eq!(report.published, 0, "{report:?}");
    assert!(relay.handle(batch).await.batch_item_failures.is_empty());
    assert!(published_ids(&emulators, &queue_url).await.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sweep_during_an_outage_publishes_nothing_and_the_next_one_catches_up() {
    let emulators = emulators_with_resources(&fixture()).await;
    let queue_url = subscriber(&emulators, "WidgetEventsTopic").await;
    let relay = relay(&emulators, "WidgetEventsTopic");
    let events = write_events(&emulators, 3).await;
    let later = chrono::Utc::now() + chrono::Duration::minutes(2);

    emulators.set_service_fault("sns", true);
    let report = relay.sweep(later).await.unwrap();
    assert_eq!(report.published, 0, "{report:?}");
    assert!(report.failed >= 1, "{report:?}");
    for event in &events {
        let item = outbox_item(&emulators, event).await;
        assert!(is_pending(&item) && !item.contains_key("outboxLeaseBy"), "{item:?}");
    }

    emulators.set_service_fault("sns", false);
    let report = relay.sweep(later).await.unwrap();
    assert_eq!((report.found, report.published), (3, 3), "{report:?}");
    let mut ids = published_ids(&emulators, &queue_url).await;
    ids.sort();
    let mut expected: Vec<String> = events.iter().map(|e| e.id.clone()).collect();
    expected.sort();
    assert_eq!(ids, expected);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_record_that_is_no_event_is_set_aside_and_never_blocks_the_shard() {
    let emulators = emulators_with_resources(&fixture()).await;
    let queue_url = subscriber(&emulators, "WidgetEventsTopic").await;
    let relay = relay(&emulators, "WidgetEventsTopic");
    let client = platform::testing::dynamodb(&emulators.dynamodb_url);
    let table = physical_name("WidgetTable");
    let broken = HashMap::from([
        ("pk".to_owned(), AttributeValue::S("OUTBOX#broken".to_owned())),
        ("sk".to_owned(), AttributeValue::S("OUTBOX".to_owned())),
        ("kind".to_owned(), AttributeValue::S(platform::outbox::OUTBOX_KIND.to_owned())),
        ("event".to_owned(), AttributeValue::S("{not json".to_owned())),
        ("outboxPending".to_owned(), AttributeValue::S("PENDING".to_owned())),
        ("outboxSince".to_owned(), AttributeValue::S("2026-01-01T00:00:00.000Z#broken".to_owned())),
    ]);
    client.put_item().table_name(&table).set_item(Some(broken)).send().await.unwrap();
    let events = write_events(&emulators, 1).await;

    let response = relay.handle(stream(&emulators)).await;
    assert!(response.batch_item_failures.is_empty(), "the shard moves on");
    assert_eq!(published_ids(&emulators, &queue_url).await, [events[0].id.clone()]);

    // Set aside where an operator finds it: the index's UNPUBLISHABLE partition, with why.
    let aside = emulators
        .ddb(
            Database::query,
            json!({
                "TableName": table, "IndexName": "Unpublished",
                "KeyConditionExpression": "outboxPending = :p",
                "ExpressionAttributeValues": { ":p": { "S": "UNPUBLISHABLE" } },
            }),
        )
        .unwrap();
    assert_eq!(aside["Items"].as_array().unwrap().len(), 1, "{aside}");
    let item = client
        .get_item()
        .table_name(&table)
        .set_key(Some(platform::dynamo::key("OUTBOX#broken", "OUTBOX")))
        .send()
        .await
        .unwrap()
        .item
        .unwrap();
    assert!(matches!(item.get("outboxError"), Some(AttributeValue::S(reason)) if reason.contains("envelope")));

    // The sweep does not trip over it either.
    let report = relay.sweep(chrono::Utc::now() + chrono::Duration::minutes(2)).await.unwrap();
    assert_eq!((report.found, report.failed), (0, 0), "{report:?}");
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

#[tokio::test(flavor = "multi_thread")]
async fn an_effect_that_publishes_carries_its_inbox_record_on_the_outbox_item() {
    let emulators = emulators_with_resources(&fixture()).await;
    let queue_url = subscriber(&emulators, "WidgetEventsTopic").await;
    let table = physical_name("WidgetTable");
    let inbox = Inbox::new(
        platform::testing::dynamodb(&emulators.dynamodb_url),
        &table,
        "test-consumer",
        Duration::from_secs(3600),
    );
    let outbox = Outbox::new(&table, Duration::from_secs(60));
    let batch: aws_lambda_events::event::sqs::SqsEvent = event_file("sqs-with-poison.json");
    let consumed = platform::inbox::envelope_from_sqs(&batch.records[0]).unwrap();
    let produced = |step: u32| {
        EventEnvelope::wrap(
            "widget",
            "w-1",
            Some(&consumed.id),
            &json!({ "type": "WidgetChanged", "data": { "step": step } }),
        )
    };

    let first = produced(1);
    let effect_with_event = vec![effect(&table, "EFFECT#1"), outbox.put(&first)];
    assert_eq!(inbox.apply_once(&consumed, effect_with_event).await.unwrap(), Applied::Now);
    let page = emulators.ddb(Database::scan, json!({ "TableName": table })).unwrap();
    let items = page["Items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "the effect and one item that is both inbox record and outbox item: {items:?}");
    let carrier = items.iter().find(|i| i["sk"]["S"] == "INBOX").expect("the inbox record");
    assert_eq!(carrier["pk"]["S"], format!("INBOX#test-consumer#{}", consumed.id));
    assert_eq!(carrier["kind"]["S"], "OutboxEvent");
    assert_eq!(carrier["eventType"]["S"], "WidgetChanged", "the produced event's type, as on any outbox item");
    assert_eq!(carrier["consumedEventType"]["S"], consumed.event_type);
    assert_eq!(carrier["outboxPending"]["S"], "PENDING");
    let expires: i64 = carrier["expiresAt"]["N"].as_str().unwrap().parse().unwrap();
    assert!(expires > chrono::Utc::now().timestamp() + 3000, "the longer retention (the inbox's) is kept");

    // A repeat is refused whatever its effect: with an event, or without one.
    let again = vec![effect(&table, "EFFECT#2"), outbox.put(&produced(2))];
    assert_eq!(inbox.apply_once(&consumed, again).await.unwrap(), Applied::AlreadyDone);
    assert_eq!(inbox.apply_once(&consumed, vec![effect(&table, "EFFECT#3")]).await.unwrap(), Applied::AlreadyDone);
    let page = emulators.ddb(Database::scan, json!({ "TableName": table })).unwrap();
    assert_eq!(page["Items"].as_array().unwrap().len(), 2, "nothing more was written");

    // The relay publishes the carried event from the stream, once, and marks it.
    let relay = relay(&emulators, "WidgetEventsTopic");
    assert!(relay.handle(stream(&emulators)).await.batch_item_failures.is_empty());
    assert_eq!(published_ids(&emulators, &queue_url).await, std::slice::from_ref(&first.id));
    assert!(relay.handle(stream(&emulators)).await.batch_item_failures.is_empty());
    assert!(published_ids(&emulators, &queue_url).await.is_empty());
    let page = emulators.ddb(Database::scan, json!({ "TableName": table })).unwrap();
    let carrier = page["Items"].as_array().unwrap().iter().find(|i| i["sk"]["S"] == "INBOX").unwrap().clone();
    assert!(carrier.get("publishedAt").is_some() && carrier.get("outboxPending").is_none(), "{carrier:?}");
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
