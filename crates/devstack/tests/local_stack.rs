//! The local stack's own behaviour, with `tests/fixture/template.yaml` and the
//! `lambda-fixture` function: API Gateway events, the Lambda runtime (environment,
//! errors, crashes, timeouts, concurrency), the Invoke API, and the SQS and DynamoDB
//! stream event source mappings.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

mod common;

use common::*;

use std::time::{Duration, Instant};

use axum::body::Bytes;
use devstack::Stack;
use devstack::lambda::Outcome;
use serde_json::{Value, json};

async fn invoke(stack: &Stack, function: &str, payload: Value) -> devstack::lambda::Invocation {
    stack.invoke(function, Bytes::from(payload.to_string())).await.expect("the function exists")
}

fn response(invocation: &devstack::lambda::Invocation) -> Value {
    match &invocation.outcome {
        Outcome::Response(body) => serde_json::from_slice(body).expect("JSON"),
        Outcome::Error(error) => panic!("the invocation failed: {error}"),
    }
}

async fn waiting(stack: &Stack, logical_id: &str) -> u64 {
    let attributes = stack
        .emulators
        .sqs
        .get_queue_attributes(rustack_sqs_model::input::GetQueueAttributesInput {
            queue_url: queue_url(stack, logical_id),
            attribute_names: vec!["ApproximateNumberOfMessages".to_owned()],
        })
        .await
        .unwrap();
    attributes.attributes["ApproximateNumberOfMessages"].parse().unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn http_api_requests_become_payload_2_events() {
    let stack = start(&[]).await;
    let client = reqwest::Client::new();
    let reply: Value = client
        .get(format!("{}/things/abc%20d?x=1&x=2&y=%20z", stack.api_url))
        .header("X-Custom", "yes")
        .header("cookie", "a=1; b=2")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(reply["version"], "2.0");
    assert_eq!(reply["routeKey"], "GET /things/{thingId}");
    assert_eq!(reply["rawPath"], "/things/abc%20d");
    assert_eq!(reply["rawQueryString"], "x=1&x=2&y=%20z");
    assert_eq!(reply["pathParameters"], json!({ "thingId": "abc d" }));
    assert_eq!(reply["queryStringParameters"], json!({ "x": "1,2", "y": " z" }));
    assert_eq!(reply["headers"]["x-custom"], "yes");
    assert_eq!(reply["cookies"], json!(["a=1", "b=2"]));
    assert_eq!(reply["requestContext"]["http"]["method"], "GET");
    assert_eq!(reply["requestContext"]["stage"], "$default");
    assert!(reply.get("body").is_none());

    // A literal segment wins over a parameter.
    let mine: Value = client.get(format!("{}/things/mine", stack.api_url)).send().await.unwrap().json().await.unwrap();
    assert_eq!(mine["routeKey"], "GET /things/mine");

    let greedy: Value = client
        .post(format!("{}/files/a/b/c.txt", stack.api_url))
        .body("hello")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(greedy["pathParameters"]["key"], "a/b/c.txt");
    assert_eq!(greedy["body"], "hello");
    assert_eq!(greedy["isBase64Encoded"], false);
    let binary: Value = client
        .post(format!("{}/files/x", stack.api_url))
        .body(vec![0xff_u8, 0xfe])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(binary["isBase64Encoded"], true);
    assert_eq!(binary["body"], "//4=");

    let missing = client.delete(format!("{}/things/abc", stack.api_url)).send().await.unwrap();
    assert_eq!(missing.status(), 404);
    assert_eq!(missing.json::<Value>().await.unwrap(), json!({ "message": "Not Found" }));
}

#[tokio::test(flavor = "multi_thread")]
async fn functions_get_the_template_environment_and_parameters() {
    let stack = start(&[("Greeting", "annyeong")]).await;
    let value = |name: &str| {
        let stack = &stack;
        let name = name.to_owned();
        async move { response(&invoke(stack, "EchoFunction", json!({ "env": name })).await)["value"].clone() }
    };
    assert_eq!(value("GREETING").await, "annyeong");
    assert_eq!(value("SEEN_TABLE").await, "test-SeenTable");
    assert_eq!(value("AWS_LAMBDA_FUNCTION_NAME").await, "test-EchoFunction");
    assert_eq!(value("AWS_ENDPOINT_URL_DYNAMODB").await, stack.emulators.dynamodb_url.as_str());
    assert_eq!(value("HOME").await, Value::Null, "the process environment is the template's, not ours");
}

#[tokio::test(flavor = "multi_thread")]
async fn errors_crashes_and_timeouts_are_reported_as_lambda_does() {
    let stack = start(&[]).await;
    let first = invoke(&stack, "EchoFunction", json!({ "hello": 1 })).await;
    assert_eq!(response(&first), json!({ "hello": 1 }));
    assert!(first.init_ms.is_some(), "the first invocation is a cold start");

    let failed = invoke(&stack, "EchoFunction", json!({ "fail": "boom" })).await;
    assert!(
        matches!(&failed.outcome, Outcome::Error(e) if e["errorMessage"].as_str().unwrap_or_default().contains("boom"))
    );
    let after_error = invoke(&stack, "EchoFunction", json!({})).await;
    assert!(after_error.init_ms.is_none(), "a function error keeps the worker warm");

    let crashed = invoke(&stack, "EchoFunction", json!({ "exit": 3 })).await;
    assert_eq!(error_type(&crashed), "Runtime.ExitError");
    let after_crash = invoke(&stack, "EchoFunction", json!({})).await;
    assert!(after_crash.init_ms.is_some(), "a crashed worker is replaced by a new one");

    // Timeout: 1 s in the template.
    let slow = invoke(&stack, "EchoFunction", json!({ "sleepMs": 3000 })).await;
    assert_eq!(error_type(&slow), "Sandbox.Timedout");
    let after_timeout = invoke(&stack, "EchoFunction", json!({ "sleepMs": 1 })).await;
    assert_eq!(response(&after_timeout), json!({ "slept": 1 }));
    assert!(after_timeout.init_ms.is_some(), "a timed-out worker is stopped and replaced");
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_invocations_start_workers_up_to_the_limit() {
    let stack = start(&[]).await;
    let parallel = |function: &'static str| {
        let stack = &stack;
        async move {
            let calls = (0..3).map(|_| invoke(stack, function, json!({ "sleepMs": 300 })));
            futures::future::join_all(calls).await
        }
    };
    let unlimited = parallel("EchoFunction").await;
    assert_eq!(unlimited.iter().filter(|i| i.init_ms.is_some()).count(), 3, "three workers for three concurrent calls");
    let serial = parallel("SerialFunction").await;
    assert!(serial.iter().all(|i| matches!(i.outcome, Outcome::Response(_))));
    assert_eq!(
        serial.iter().filter(|i| i.init_ms.is_some()).count(),
        1,
        "ReservedConcurrentExecutions: 1 means one worker"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_burst_at_one_idle_worker_starts_more_and_a_prewarmed_worker_is_no_cold_start() {
    let stack = start(&[]).await;
    assert!(stack.prewarm("EchoFunction", Duration::from_secs(30)).await, "one worker ready");
    assert_eq!(stack.workers("EchoFunction").len(), 1);
    let first = invoke(&stack, "EchoFunction", json!({ "sleepMs": 1 })).await;
    assert!(first.init_ms.is_none(), "the prewarmed worker had finished its init before the event");

    // One idle worker, three events at once: it takes one and two more start (Lambda does
    // not queue events behind a busy sandbox); before, all three waited for the one.
    let calls = (0..3).map(|_| invoke(&stack, "EchoFunction", json!({ "sleepMs": 600 })));
    let burst = futures::future::join_all(calls).await;
    assert!(burst.iter().all(|i| matches!(i.outcome, Outcome::Response(_))), "{burst:?}");
    assert_eq!(burst.iter().filter(|i| i.init_ms.is_some()).count(), 2, "two new workers for the two extra events");
    assert_eq!(stack.workers("EchoFunction").len(), 3);
    assert_eq!(stack.invoked("EchoFunction"), 4);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_lambda_invoke_api_answers_as_lambda_does() {
    let stack = start(&[]).await;
    let client = reqwest::Client::new();
    let url = |name: &str| format!("{}/2015-03-31/functions/{name}/invocations", stack.lambda_url);

    let ok = client.post(url("test-EchoFunction")).body(r#"{"a":1}"#).send().await.unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(ok.json::<Value>().await.unwrap(), json!({ "a": 1 }));

    let failed = client.post(url("EchoFunction")).body(r#"{"fail":"nope"}"#).send().await.unwrap();
    assert_eq!(failed.status(), 200);
    assert_eq!(failed.headers()["x-amz-function-error"], "Unhandled");

    let queued =
        client.post(url("EchoFunction")).header("x-amz-invocation-type", "Event").body("{}").send().await.unwrap();
    assert_eq!(queued.status(), 202);

    let unknown = client.post(url("NoSuchFunction")).body("{}").send().await.unwrap();
    assert_eq!(unknown.status(), 404);
    assert_eq!(unknown.headers()["x-amzn-errortype"], "ResourceNotFoundException");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_sqs_mapping_deletes_what_succeeded_and_a_poison_message_reaches_the_dead_letter_queue() {
    let stack = start(&[]).await;
    let url = queue_url(&stack, "WorkQueue");
    for body in ["m1", "poison", "m2"] {
        stack
            .emulators
            .sqs
            .send_message(rustack_sqs_model::input::SendMessageInput {
                queue_url: url.clone(),
                message_body: body.to_owned(),
                ..Default::default()
            })
            .await
            .unwrap();
    }
    eventually("m1 and m2 to be handled", Duration::from_secs(10), || seen(&stack) == ["m1", "m2"]).await;
    // maxReceiveCount 2, visibility timeout 1 s: the poison message is received twice, then moved.
    let started = Instant::now();
    while waiting(&stack, "WorkDeadLetterQueue").await == 0 {
        assert!(started.elapsed() < Duration::from_secs(15), "the poison message never reached the dead-letter queue");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(waiting(&stack, "WorkDeadLetterQueue").await, 1);
    assert_eq!(seen(&stack), ["m1", "m2"], "the neighbours were handled once each");

    // A disabled mapping leaves messages in the queue until it is enabled again.
    assert_eq!(stack.set_mappings_enabled("QueueConsumerFunction", false), 1);
    stack
        .emulators
        .sqs
        .send_message(rustack_sqs_model::input::SendMessageInput {
            queue_url: url.clone(),
            message_body: "m3".to_owned(),
            ..Default::default()
        })
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(!seen(&stack).contains(&"m3".to_owned()));
    stack.set_mappings_enabled("QueueConsumerFunction", true);
    eventually("m3 after enabling", Duration::from_secs(10), || seen(&stack).contains(&"m3".to_owned())).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_stream_mapping_filters_retries_and_sends_exhausted_batches_to_the_failure_queue() {
    let stack = start(&[]).await;
    put(&stack, "ignored", "Other");
    put(&stack, "a", "Wanted");
    eventually("a to be handled", Duration::from_secs(10), || seen(&stack) == ["a"]).await;

    put(&stack, "poison-b", "Wanted");
    // One retry, then the batch goes to the on-failure destination and the mapping moves on.
    let started = Instant::now();
    while waiting(&stack, "StreamFailureQueue").await == 0 {
        assert!(started.elapsed() < Duration::from_secs(15), "no failure record arrived");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let received = stack
        .emulators
        .sqs
        .receive_message(rustack_sqs_model::input::ReceiveMessageInput {
            queue_url: queue_url(&stack, "StreamFailureQueue"),
            max_number_of_messages: Some(1),
            ..Default::default()
        })
        .await
        .unwrap();
    let failure: Value = serde_json::from_str(received.messages[0].body.as_deref().unwrap()).unwrap();
    assert_eq!(failure["requestContext"]["condition"], "RetryAttemptsExhausted");
    assert_eq!(failure["DDBStreamBatchInfo"]["batchSize"], 1);

    put(&stack, "c", "Wanted");
    eventually("c after the failed batch", Duration::from_secs(10), || seen(&stack) == ["a", "c"]).await;
    // c's effect is written before its invocation is reported: wait for the report too.
    let invocations = || stack.reports().iter().filter(|r| r.function == "StreamConsumerFunction").count();
    eventually("c's invocation reported", Duration::from_secs(10), || invocations() >= 4).await;
    let invocations = invocations();
    // a, poison (twice: first try and one retry), c; the records the fixture itself wrote
    // (kind absent) and `ignored` were filtered out and never invoked the function.
    assert_eq!(invocations, 4);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_stream_mapping_filters_before_batching_so_interleaved_records_share_one_batch() {
    let stack = start(&[]).await;
    stack.set_mappings_enabled("StreamConsumerFunction", false);
    // Matching records between records that match no filter, as outbox items sit between
    // an aggregate's other writes.
    for n in 1..=4 {
        put(&stack, &format!("wanted-{n}"), "Wanted");
        put(&stack, &format!("other-{n}"), "Other");
    }
    stack.set_mappings_enabled("StreamConsumerFunction", true);
    let wanted: Vec<String> = (1..=4).map(|n| format!("wanted-{n}")).collect();
    eventually("the four wanted records", Duration::from_secs(20), || seen(&stack) == wanted).await;
    let invocations = || stack.reports().iter().filter(|r| r.function == "StreamConsumerFunction").count();
    eventually("the invocation reported", Duration::from_secs(10), || invocations() >= 1).await;
    // One batch of four (BatchSize 10), not one invocation per record.
    assert_eq!(invocations(), 1, "{:?}", stack.reports());

    // The position moved past the trailing filtered-out record: a later record starts a new
    // batch alone, and nothing is handled twice.
    put(&stack, "wanted-5", "Wanted");
    eventually("wanted-5", Duration::from_secs(20), || seen(&stack).contains(&"wanted-5".to_owned())).await;
    eventually("its invocation reported", Duration::from_secs(10), || invocations() >= 2).await;
    assert_eq!(invocations(), 2);
}
