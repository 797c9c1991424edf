//! `redrive` against a local stack of devstack's fixture template
//! (`crates/devstack/tests/fixture/template.yaml`): `WorkQueue` redrives into
//! `WorkDeadLetterQueue` after 2 receives, `StreamConsumerFunction`'s stream mapping sends
//! exhausted batches to `StreamFailureQueue`, and the `lambda-fixture` function fails every
//! record whose body or key contains `poison`. Dead letters get there the real way: a
//! consumer fails them. (`republish` is tested against the real relay in `republish.rs`.)

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

use std::collections::HashMap;
use std::time::{Duration, Instant};

use devstack::Stack;
use devstack::emulators::Database;
use redrive::{Error, MoveMethod, MoveOutcome, Target};
use serde_json::json;

async fn start() -> Stack {
    let template = devstack::testing::workspace_root().join("crates/devstack/tests/fixture/template.yaml");
    devstack::testing::start_stack_of(template, HashMap::new()).await
}

/// The target as `redrive --local --devstack-url <stack>` builds it.
async fn local_target(stack: &Stack) -> Target {
    let endpoints = redrive::local_endpoints(&stack.lambda_url).await.unwrap();
    assert_eq!(endpoints.stack_name, "test");
    assert_eq!(endpoints.sqs, stack.emulators.sqs_url);
    Target::local(&endpoints, None).unwrap()
}

fn sqs(stack: &Stack) -> aws_sdk_sqs::Client {
    let config = aws_sdk_sqs::Config::builder()
        .behavior_version(aws_config::BehaviorVersion::latest())
        .region(aws_sdk_sqs::config::Region::new(devstack::emulators::REGION))
        .credentials_provider(aws_sdk_sqs::config::Credentials::new("test", "test", None, None, "test"))
        .endpoint_url(&stack.emulators.sqs_url)
        .build();
    aws_sdk_sqs::Client::from_conf(config)
}

async fn depth_of(target: &Target, logical_id: &str) -> u64 {
    let statuses = redrive::list(target).await.unwrap();
    statuses.iter().find(|s| s.queue.logical_id == logical_id).unwrap().depth
}

async fn until_depth(target: &Target, logical_id: &str, depth: u64) {
    let started = Instant::now();
    while depth_of(target, logical_id).await != depth {
        assert!(started.elapsed() < Duration::from_secs(20), "{logical_id} never held {depth} message(s)");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// An event envelope as SNS delivers it to an SQS subscription (no raw delivery); its
/// correlation id makes the fixture consumer fail it.
fn notification() -> String {
    let envelope = json!({
        "id": "0192a0c4-7d1e-7000-8000-00000000000a",
        "type": "ThingHappened",
        "version": 1,
        "source": "things",
        "correlationId": "poison-corr-1",
        "occurredAt": "2026-01-01T00:00:00Z",
        "data": { "thingId": "t-1" }
    });
    json!({
        "Type": "Notification",
        "MessageId": "6b1f7e36-0000-4000-8000-000000000001",
        "TopicArn": "arn:aws:sns:us-east-1:000000000000:test-ThingTopic",
        "Message": envelope.to_string(),
        "Timestamp": "2026-01-01T00:00:00.000Z",
        "SignatureVersion": "1",
        "MessageAttributes": {
            "eventType": { "Type": "String", "Value": "ThingHappened" },
            "correlationId": { "Type": "String", "Value": "poison-corr-1" }
        }
    })
    .to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dead_letter_is_listed_shown_left_in_place_and_moved_back_to_its_source() {
    let stack = start().await;
    let target = local_target(&stack).await;
    let sqs = sqs(&stack);
    let body = notification();
    sqs.send_message().queue_url(target.queue_url("WorkQueue").unwrap()).message_body(&body).send().await.unwrap();
    // Visibility timeout 1 s, maxReceiveCount 2: the consumer fails it twice, SQS moves it.
    until_depth(&target, "WorkDeadLetterQueue", 1).await;

    let statuses = redrive::list(&target).await.unwrap();
    let ids: Vec<&str> = statuses.iter().map(|s| s.queue.logical_id.as_str()).collect();
    assert_eq!(ids, ["StreamFailureQueue", "WorkDeadLetterQueue"]);
    let (failures, dlq) = (&statuses[0], &statuses[1]);
    assert_eq!(dlq.queue.source(), "WorkQueue");
    assert_eq!(dlq.depth, 1);
    assert!(dlq.oldest_age_seconds.is_some(), "the age of the oldest message is known");
    assert!(failures.queue.source().starts_with("stream failures of "), "{}", failures.queue.source());
    assert!(failures.queue.stream_functions.contains(&"StreamConsumerFunction".to_owned()));
    assert_eq!(failures.depth, 0);
    assert_eq!(failures.oldest_age_seconds, None);

    let letters = redrive::show(&target, "WorkDeadLetterQueue", 10).await.unwrap();
    assert_eq!(letters.len(), 1);
    let letter = &letters[0];
    assert_eq!(letter.summary.event_type.as_deref(), Some("ThingHappened"));
    assert_eq!(letter.summary.event_id.as_deref(), Some("0192a0c4-7d1e-7000-8000-00000000000a"));
    assert_eq!(letter.summary.correlation_id.as_deref(), Some("poison-corr-1"));
    assert_eq!(letter.summary.topic_arn.as_deref(), Some("arn:aws:sns:us-east-1:000000000000:test-ThingTopic"));
    assert!(letter.receive_count.is_some_and(|count| count >= 1));
    assert!(letter.sent_at.is_some());
    assert_eq!(letter.body, body);
    // Left in place and visible: counted as waiting, and shown again.
    assert_eq!(depth_of(&target, "WorkDeadLetterQueue").await, 1);
    let again = redrive::show(&target, "WorkDeadLetterQueue", 10).await.unwrap();
    assert_eq!(again.iter().map(|l| &l.message_id).collect::<Vec<_>>(), [&letter.message_id]);

    // The consumer is fixed (here: stopped, so the message stays on the source to be seen).
    assert_eq!(stack.set_mappings_enabled("QueueConsumerFunction", false), 1);
    let report = redrive::move_messages(&target, "WorkDeadLetterQueue", None, None, MoveMethod::Auto).await.unwrap();
    assert_eq!(report.to, "WorkQueue");
    assert_eq!(report.depth_before, 1);
    // The local stack's SQS has no message move tasks: the portable method took over.
    assert_eq!(report.outcome, MoveOutcome::Portable { moved: 1 });
    assert_eq!(depth_of(&target, "WorkDeadLetterQueue").await, 0);

    let received = sqs
        .receive_message()
        .queue_url(target.queue_url("WorkQueue").unwrap())
        .max_number_of_messages(10)
        .message_attribute_names("All")
        .send()
        .await
        .unwrap();
    let bodies: Vec<&str> = received.messages().iter().filter_map(|m| m.body()).collect();
    assert_eq!(bodies, [body.as_str()], "the same message is back on its source queue, once");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_portable_move_moves_at_most_max_and_keeps_message_attributes() {
    let stack = start().await;
    let target = local_target(&stack).await;
    let sqs = sqs(&stack);
    assert_eq!(stack.set_mappings_enabled("QueueConsumerFunction", false), 1);
    let dlq = target.queue_url("WorkDeadLetterQueue").unwrap().to_owned();
    for body in ["one", "two", "three"] {
        sqs.send_message()
            .queue_url(&dlq)
            .message_body(body)
            .message_attributes(
                "eventType",
                aws_sdk_sqs::types::MessageAttributeValue::builder()
                    .data_type("String")
                    .string_value(format!("Kind{body}"))
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .unwrap();
    }
    let shown = redrive::show(&target, "WorkDeadLetterQueue", 2).await.unwrap();
    assert_eq!(shown.len(), 2, "show stops at --max");
    assert!(shown.iter().all(|l| l.summary.event_type.as_deref() == Some(&format!("Kind{}", l.body))));

    let report =
        redrive::move_messages(&target, "WorkDeadLetterQueue", Some("WorkQueue"), Some(2), MoveMethod::Portable)
            .await
            .unwrap();
    assert_eq!(report.outcome, MoveOutcome::Portable { moved: 2 });
    assert_eq!(depth_of(&target, "WorkDeadLetterQueue").await, 1);
    let moved = sqs
        .receive_message()
        .queue_url(target.queue_url("WorkQueue").unwrap())
        .max_number_of_messages(10)
        .message_attribute_names("All")
        .send()
        .await
        .unwrap();
    assert_eq!(moved.messages().len(), 2);
    for message in moved.messages() {
        let kind = message.message_attributes().unwrap()["eventType"].string_value().unwrap();
        assert_eq!(kind, format!("Kind{}", message.body().unwrap()));
    }

    let not_a_dlq = redrive::move_messages(&target, "WorkQueue", None, None, MoveMethod::Auto).await;
    assert!(matches!(not_a_dlq, Err(Error::NotADeadLetterQueue(_))), "{not_a_dlq:?}");
    let not_a_function = redrive::republish(&target, "WorkQueue").await;
    assert!(matches!(not_a_function, Err(Error::UnknownResource { kind: "function", .. })), "{not_a_function:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stream_failure_shows_its_function_shard_and_sequence_numbers_is_not_moved_and_can_be_purged() {
    let stack = start().await;
    let target = local_target(&stack).await;
    stack
        .emulators
        .ddb(
            Database::put_item,
            json!({ "TableName": "test-SeenTable", "Item": { "pk": { "S": "poison-1" }, "sk": { "S": "x" }, "kind": { "S": "Wanted" } } }),
        )
        .unwrap();
    // One retry, then the mapping sends Lambda's on-failure record and moves on.
    until_depth(&target, "StreamFailureQueue", 1).await;

    let letters = redrive::show(&target, "StreamFailureQueue", 10).await.unwrap();
    assert_eq!(letters.len(), 1);
    let failure = letters[0].summary.stream_failure.clone().unwrap();
    assert!(failure.function_arn.ends_with(":function:test-StreamConsumerFunction"), "{}", failure.function_arn);
    assert_eq!(failure.function.as_deref(), Some("StreamConsumerFunction"));
    assert!(failure.stream_arn.unwrap().contains(":table/test-SeenTable/stream/"));
    assert!(failure.shard_id.is_some_and(|s| !s.is_empty()));
    assert!(failure.start_sequence_number.is_some());
    assert_eq!(failure.start_sequence_number, failure.end_sequence_number, "a batch of one record");
    assert_eq!(failure.batch_size, Some(1));
    assert_eq!(letters[0].summary.error.as_deref(), Some("Unhandled (RetryAttemptsExhausted)"));
    assert_eq!(letters[0].summary.event_type, None);

    let moved = redrive::move_messages(&target, "StreamFailureQueue", None, None, MoveMethod::Auto).await;
    assert!(
        matches!(&moved, Err(Error::StreamFailures { functions, .. }) if functions.contains("StreamConsumerFunction")),
        "{moved:?}"
    );
    assert_eq!(depth_of(&target, "StreamFailureQueue").await, 1, "left in place");

    // Dealt with (for a relay: republished), the records are purged; a queue of events is not.
    assert_eq!(redrive::purge_stream_failures(&target, "StreamFailureQueue").await.unwrap(), 1);
    assert_eq!(depth_of(&target, "StreamFailureQueue").await, 0);
    let refused = redrive::purge_stream_failures(&target, "WorkDeadLetterQueue").await;
    assert!(matches!(&refused, Err(Error::HoldsEvents { sources, .. }) if sources == "WorkQueue"), "{refused:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_command_line_lists_the_local_stack_s_dead_letter_queues() {
    let stack = start().await;
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_redrive"))
        .args(["--local", "--devstack-url", &stack.lambda_url, "list"])
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}{}", String::from_utf8_lossy(&output.stderr));
    let lines: Vec<Vec<&str>> = stdout.lines().skip(1).map(|line| line.split_whitespace().collect()).collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert_eq!(lines[0][..7], ["StreamFailureQueue", "0", "0", "-", "stream", "failures", "of"]);
    assert!(lines[0].iter().any(|word| word.trim_end_matches(',') == "StreamConsumerFunction"), "{stdout}");
    assert_eq!(lines[1], ["WorkDeadLetterQueue", "0", "0", "-", "WorkQueue"]);

    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_redrive"))
        .args(["--local", "--devstack-url", &stack.lambda_url, "move", "StreamFailureQueue"])
        .output()
        .await
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("redrive republish --function"));
}
