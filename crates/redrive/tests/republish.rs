//! `redrive republish` against the platform's real outbox relay (`outbox-relay`) on a local
//! stack of `tests/fixture/template.yaml`, its stream mapping off: the relay has given up
//! on an event (as after exhausted stream retries), the item is still unpublished in the
//! table, and `republish` makes the relay sweep and publish it.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::collections::HashMap;
use std::time::{Duration, Instant};

use devstack::Stack;
use platform::envelope::EventEnvelope;
use serde_json::{Value, json};

async fn start_with_the_stream_mapping_off() -> Stack {
    let template = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixture/template.yaml");
    let mut options = devstack::testing::stack_options(template, HashMap::new());
    options.event_source_mappings = false;
    Stack::start(options).await.unwrap()
}

fn dynamodb(stack: &Stack) -> aws_sdk_dynamodb::Client {
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(aws_config::BehaviorVersion::latest())
        .region(aws_sdk_dynamodb::config::Region::new(devstack::emulators::REGION))
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::new("test", "test", None, None, "test"))
        .endpoint_url(&stack.emulators.dynamodb_url)
        .build();
    aws_sdk_dynamodb::Client::from_conf(config)
}

#[tokio::test(flavor = "multi_thread")]
async fn republish_makes_the_relay_publish_what_its_stream_left_unpublished() {
    let stack = start_with_the_stream_mapping_off().await;
    let endpoints = redrive::local_endpoints(&stack.lambda_url).await.unwrap();
    let target = redrive::Target::local(&endpoints, None).unwrap();

    let envelope = EventEnvelope::wrap(
        "things",
        "corr-republish",
        None,
        &json!({ "type": "ThingHappened", "data": { "thingId": "t-1" } }),
    );
    let outbox = platform::outbox::Outbox::new("test-ThingTable", Duration::from_secs(86_400));
    platform::outbox::transact(&dynamodb(&stack), vec![outbox.put(&envelope)]).await.unwrap();
    assert!(stack.published("ThingEventsTopic").is_empty(), "nothing published it yet");

    let report = redrive::republish(&target, "ThingOutboxRelayFunction").await.unwrap();
    assert_eq!(report.function, "test-ThingOutboxRelayFunction");
    let sweep: Value = serde_json::from_str(&report.response).unwrap();
    assert_eq!(sweep["found"], 1, "{sweep}");
    assert_eq!(sweep["published"], 1, "{sweep}");

    let started = Instant::now();
    let published = loop {
        let published = stack.published("ThingEventsTopic");
        if !published.is_empty() {
            break published;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "the event never reached the topic");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(published.len(), 1);
    let body: Value = serde_json::from_str(&published[0].message).unwrap();
    assert_eq!(body["id"], envelope.id.as_str());
    assert_eq!(body["type"], "ThingHappened");

    // Marked published: a second sweep finds nothing more to do.
    let again: Value =
        serde_json::from_str(&redrive::republish(&target, "ThingOutboxRelayFunction").await.unwrap().response).unwrap();
    assert_eq!(again["found"], 0, "{again}");
    assert_eq!(stack.published("ThingEventsTopic").len(), 1, "published once");
}
