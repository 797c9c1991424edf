//! The local stack is as durable as AWS: queued and in-flight messages survive a restart
//! and a `kill -9`, stream positions survive and a torn positions file stops the start
//! loudly, a dead worker is replaced, an invocation outlives its caller, the in-memory
//! logs are bounded, and a stream mapping bisects a failing batch. Runs the fixture
//! template with the `lambda-fixture` function.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

mod common;

use common::*;

use std::collections::HashMap;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use devstack::lambda::Outcome;
use devstack::{Stack, StackOptions};
use serde_json::{Value, json};

fn template() -> PathBuf {
    devstack::testing::workspace_root().join("crates/devstack/tests/fixture/template.yaml")
}

fn options(state_dir: Option<&Path>) -> StackOptions {
    let mut options = devstack::testing::stack_options(template(), HashMap::new());
    options.state_dir = state_dir.map(Path::to_owned);
    options
}

/// A new empty folder under the system's temporary folder.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("devstack-{name}-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// One SQS call through the SQS HTTP endpoint, as a function's SDK makes it.
async fn sqs_call(sqs_url: &str, operation: &str, body: Value) -> Value {
    let response = reqwest::Client::new()
        .post(sqs_url)
        .header("x-amz-target", format!("AmazonSQS.{operation}"))
        .header("content-type", "application/x-amz-json-1.0")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = response.status();
    let reply: Value = response.json().await.unwrap();
    assert!(status.is_success(), "{operation} failed: {reply}");
    reply
}

/// Receives every message visible in `queue_url` (through HTTP), without deleting them:
/// their bodies and receipt handles, sorted by body.
async fn drain(sqs_url: &str, queue_url: &str) -> Vec<(String, String)> {
    let mut bodies = Vec::new();
    loop {
        let received = sqs_call(
            sqs_url,
            "ReceiveMessage",
            json!({ "QueueUrl": queue_url, "MaxNumberOfMessages": 10, "VisibilityTimeout": 60 }),
        )
        .await;
        let messages = received["Messages"].as_array().cloned().unwrap_or_default();
        if messages.is_empty() {
            break;
        }
        bodies.extend(
            messages
                .iter()
                .map(|m| (m["Body"].as_str().unwrap().to_owned(), m["ReceiptHandle"].as_str().unwrap().to_owned())),
        );
    }
    bodies.sort();
    bodies
}

/// The bodies of every message visible in `queue_url`, sorted (they become invisible).
async fn drain_bodies(sqs_url: &str, queue_url: &str) -> Vec<String> {
    drain(sqs_url, queue_url).await.into_iter().map(|(body, _)| body).collect()
}

fn kill_9(pid: u32) {
    let status = std::process::Command::new("kill").args(["-9", &pid.to_string()]).status().unwrap();
    assert!(status.success(), "kill -9 {pid}");
}

#[tokio::test(flavor = "multi_thread")]
async fn queued_and_in_flight_messages_survive_a_restart_without_a_clean_shutdown() {
    let state = temp_dir("queues");
    let first = Stack::start(options(Some(&state))).await.unwrap();
    let queue = queue_url(&first, "StreamFailureQueue");
    let sqs = first.emulators.sqs_url.clone();
    // In-process (as SNS fan-out and on-failure records arrive), and through the HTTP
    // endpoint (as functions and CLIs send), single and batched.
    first
        .emulators
        .sqs
        .send_message(rustack_sqs_model::input::SendMessageInput {
            queue_url: queue.clone(),
            message_body: "in-process".to_owned(),
            ..Default::default()
        })
        .await
        .unwrap();
    sqs_call(&sqs, "SendMessage", json!({ "QueueUrl": queue, "MessageBody": "over-http" })).await;
    sqs_call(
        &sqs,
        "SendMessageBatch",
        json!({ "QueueUrl": queue, "Entries": [
            { "Id": "1", "MessageBody": "batched-1" },
            { "Id": "2", "MessageBody": "batched-2" },
            { "Id": "3", "MessageBody": "deleted" },
        ] }),
    )
    .await;
    // All received (so in flight, invisible for 60 s); `deleted` is deleted.
    let received = sqs_call(
        &sqs,
        "ReceiveMessage",
        json!({ "QueueUrl": queue, "MaxNumberOfMessages": 10, "VisibilityTimeout": 60 }),
    )
    .await;
    let messages = received["Messages"].as_array().unwrap().clone();
    assert_eq!(messages.len(), 5);
    let deleted = messages.iter().find(|m| m["Body"] == "deleted").unwrap();
    sqs_call(&sqs, "DeleteMessage", json!({ "QueueUrl": queue, "ReceiptHandle": deleted["ReceiptHandle"] })).await;
    // No clean shutdown: the stack is dropped with messages in flight.
    drop(first);

    let second = Stack::start(options(Some(&state))).await.unwrap();
    let queue = queue_url(&second, "StreamFailureQueue");
    let sqs = second.emulators.sqs_url.clone();
    let replayed = drain(&sqs, &queue).await;
    let bodies: Vec<&str> = replayed.iter().map(|(body, _)| body.as_str()).collect();
    assert_eq!(bodies, ["batched-1", "batched-2", "in-process", "over-http"]);

    // Deleting the replayed messages (they have new ids) is journaled too.
    let entries: Vec<Value> = replayed
        .iter()
        .enumerate()
        .filter(|(_, (body, _))| body != "over-http")
        .map(|(i, (_, receipt))| json!({ "Id": i.to_string(), "ReceiptHandle": receipt }))
        .collect();
    assert_eq!(entries.len(), 3);
    let deleted = sqs_call(&sqs, "DeleteMessageBatch", json!({ "QueueUrl": queue, "Entries": entries })).await;
    assert_eq!(deleted["Successful"].as_array().unwrap().len(), 3);
    drop(second);

    let third = Stack::start(options(Some(&state))).await.unwrap();
    let queue = queue_url(&third, "StreamFailureQueue");
    assert_eq!(drain_bodies(&third.emulators.sqs_url, &queue).await, ["over-http"]);
    drop(third);
    let _ = std::fs::remove_dir_all(&state);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dead_letter_stays_in_its_dead_letter_queue_across_a_restart() {
    let state = temp_dir("dead-letters");
    let first = Stack::start(options(Some(&state))).await.unwrap();
    sqs_call(
        &first.emulators.sqs_url,
        "SendMessage",
        json!({ "QueueUrl": queue_url(&first, "WorkQueue"), "MessageBody": "poison-pill" }),
    )
    .await;
    // maxReceiveCount 2: the consumer fails it twice, then SQS moves it.
    let dead_letters = queue_url(&first, "WorkDeadLetterQueue");
    let started = Instant::now();
    loop {
        let attributes = sqs_call(
            &first.emulators.sqs_url,
            "GetQueueAttributes",
            json!({ "QueueUrl": dead_letters, "AttributeNames": ["ApproximateNumberOfMessages"] }),
        )
        .await;
        if attributes["Attributes"]["ApproximateNumberOfMessages"] == "1" {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "the message never reached the dead-letter queue");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    drop(first);

    let second = Stack::start(options(Some(&state))).await.unwrap();
    assert_eq!(
        drain_bodies(&second.emulators.sqs_url, &queue_url(&second, "WorkDeadLetterQueue")).await,
        ["poison-pill"],
        "replayed into its dead-letter queue, not into its source queue"
    );
    drop(second);
    let _ = std::fs::remove_dir_all(&state);
}

/// A `devstack up` process of the fixture template, and its SQS endpoint.
struct Devstack {
    child: std::process::Child,
    sqs_url: String,
}

fn devstack_up(system: &Path, state: &Path) -> Devstack {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_devstack"))
        .current_dir(devstack::testing::workspace_root())
        .arg("up")
        .arg(system)
        .args(["--port", "0", "--lambda-port", "0", "--no-build", "--state-dir"])
        .arg(state)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut sqs_url = None;
    for line in std::io::BufReader::new(stdout).lines() {
        let line = line.unwrap();
        if let Some(url) = line.trim().strip_prefix("SQS") {
            sqs_url = Some(url.trim().to_owned());
        }
        if line.starts_with("press Ctrl-C") {
            break;
        }
    }
    Devstack { child, sqs_url: sqs_url.expect("devstack up printed its SQS endpoint") }
}

#[tokio::test(flavor = "multi_thread")]
async fn queued_messages_survive_a_kill_9_of_the_devstack_process() {
    devstack::testing::bin_dir(&template());
    let system = temp_dir("system");
    std::fs::write(
        system.join("samconfig.toml"),
        format!(
            "version = 0.1\n[default.global.parameters]\nstack_name = \"crash\"\n[default.build.parameters]\ntemplate_file = \"{}\"\n",
            template().display()
        ),
    )
    .unwrap();
    let state = temp_dir("crash-state");

    let mut running = devstack_up(&system, &state);
    let queue =
        sqs_call(&running.sqs_url, "GetQueueUrl", json!({ "QueueName": "crash-StreamFailureQueue" })).await["QueueUrl"]
            .as_str()
            .unwrap()
            .to_owned();
    for body in ["one", "two"] {
        sqs_call(&running.sqs_url, "SendMessage", json!({ "QueueUrl": queue, "MessageBody": body })).await;
    }
    running.child.kill().unwrap(); // SIGKILL: no chance to save anything
    running.child.wait().unwrap();

    let mut restarted = devstack_up(&system, &state);
    let queue = sqs_call(&restarted.sqs_url, "GetQueueUrl", json!({ "QueueName": "crash-StreamFailureQueue" })).await
        ["QueueUrl"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(drain_bodies(&restarted.sqs_url, &queue).await, ["one", "two"]);
    restarted.child.kill().unwrap();
    restarted.child.wait().unwrap();
    let _ = std::fs::remove_dir_all(&state);
    let _ = std::fs::remove_dir_all(&system);
}

#[tokio::test(flavor = "multi_thread")]
async fn stream_positions_survive_a_restart_and_a_torn_or_lost_positions_file_is_a_loud_error() {
    let state = temp_dir("positions");
    let first = Stack::start(options(Some(&state))).await.unwrap();
    put(&first, "a", "Wanted");
    eventually("a to be handled", Duration::from_secs(10), || seen(&first) == ["a"]).await;
    // The function writes `a` before its batch is acknowledged and the position saved: a
    // stack dropped in between would deliver `a` again, as Lambda does after a crash. This
    // test is about a restart after the position was saved, so it waits for that.
    let positions = state.join("stream-checkpoints.json");
    let saved = || {
        std::fs::read_to_string(&positions)
            .ok()
            .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
            .and_then(|json| json.as_object().cloned())
            .is_some_and(|mappings| {
                mappings.iter().any(|(id, shards)| {
                    id.starts_with("StreamConsumerFunction.") && shards.as_object().is_some_and(|s| !s.is_empty())
                })
            })
    };
    eventually("a's stream position to be saved", Duration::from_secs(10), saved).await;
    drop(first);

    // A clean restart resumes where it stopped: `a` is not handled again.
    let second = Stack::start(options(Some(&state))).await.unwrap();
    put(&second, "b", "Wanted");
    eventually("b to be handled", Duration::from_secs(10), || seen(&second) == ["a", "b"]).await;
    // b's effect is written before its invocation is reported: wait for the report too.
    let invocations = || second.reports().iter().filter(|r| r.function == "StreamConsumerFunction").count();
    eventually("b's invocation reported", Duration::from_secs(10), || invocations() >= 1).await;
    assert_eq!(invocations(), 1, "only b was delivered after the restart");
    drop(second);

    let text = std::fs::read_to_string(&positions).unwrap();
    std::fs::write(&positions, &text[..text.len() / 2]).unwrap();
    let torn = Stack::start(options(Some(&state))).await.err().expect("a torn positions file stops the start");
    let message = format!("{torn:#}");
    assert!(message.contains("stream-checkpoints.json"), "{message}");
    assert!(message.contains("--reset-stream-positions"), "{message}");

    std::fs::remove_file(&positions).unwrap();
    let lost = Stack::start(options(Some(&state))).await.err().expect("a lost positions file stops the start");
    let message = format!("{lost:#}");
    assert!(message.contains("missing") && message.contains("stream-checkpoints.json"), "{message}");

    // The way out: start again from each mapping's StartingPosition (TRIM_HORIZON here).
    let mut reset = options(Some(&state));
    reset.reset_stream_positions = true;
    let third = Stack::start(reset).await.unwrap();
    eventually("a and b to be handled again", Duration::from_secs(10), || seen(&third) == ["a", "a", "b", "b"]).await;
    drop(third);
    let _ = std::fs::remove_dir_all(&state);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_killed_idle_worker_is_replaced_and_the_function_keeps_answering() {
    let stack = Stack::start(options(None)).await.unwrap();
    let function = "EchoFunction";
    let first = stack.invoke(function, Bytes::from(r#"{"n":1}"#)).await.unwrap();
    assert!(matches!(first.outcome, Outcome::Response(_)));
    let workers = stack.workers(function);
    assert_eq!(workers.len(), 1);
    assert!(!workers[0].busy);
    kill_9(workers[0].pid);
    eventually("the dead worker to be noticed", Duration::from_secs(10), || stack.workers(function).is_empty()).await;

    let next = stack.invoke(function, Bytes::from(r#"{"n":2}"#)).await.unwrap();
    match &next.outcome {
        Outcome::Response(body) => assert_eq!(serde_json::from_slice::<Value>(body).unwrap(), json!({ "n": 2 })),
        Outcome::Error(error) => panic!("the function no longer answers: {error}"),
    }
    assert!(next.init_ms.is_some(), "a new worker took the call");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_killed_busy_worker_fails_its_invocation_with_runtime_exit_error_and_the_next_succeeds() {
    let stack = std::sync::Arc::new(Stack::start(options(None)).await.unwrap());
    let function = "SlowFunction";
    let running = {
        let stack = std::sync::Arc::clone(&stack);
        tokio::spawn(async move { stack.invoke(function, Bytes::from(r#"{"sleepMs":50000}"#)).await.unwrap() })
    };
    eventually("the worker to be busy", Duration::from_secs(20), || stack.workers(function).iter().any(|w| w.busy))
        .await;
    kill_9(stack.workers(function)[0].pid);
    let failed = running.await.unwrap();
    assert_eq!(error_type(&failed), "Runtime.ExitError");

    let next = stack.invoke(function, Bytes::from(r#"{"sleepMs":1}"#)).await.unwrap();
    match &next.outcome {
        Outcome::Response(body) => {
            assert_eq!(serde_json::from_slice::<Value>(body).unwrap(), json!({ "slept": 1 }));
        }
        Outcome::Error(error) => panic!("the function no longer answers: {error}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_invocation_runs_to_its_end_when_its_caller_disconnects() {
    let stack = Stack::start(options(None)).await.unwrap();
    let client = reqwest::Client::builder().timeout(Duration::from_millis(300)).build().unwrap();
    let gave_up = client
        .post(format!("{}/2015-03-31/functions/SlowFunction/invocations", stack.lambda_url))
        .body(r#"{"sleepMs":2000,"record":"after-the-caller-left"}"#)
        .send()
        .await;
    assert!(gave_up.is_err(), "the client gave up before the function answered");
    drop(client);
    eventually("the handler's effect", Duration::from_secs(20), || {
        seen(&stack).contains(&"after-the-caller-left".to_owned())
    })
    .await;
    eventually("the invocation's report", Duration::from_secs(5), || {
        stack.reports().iter().any(|r| r.function == "SlowFunction" && !r.error)
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_in_memory_logs_keep_only_the_newest_entries() {
    let mut bounded = options(None);
    bounded.log_capacity = 3;
    let stack = Stack::start(bounded).await.unwrap();
    for n in 0..5 {
        stack.invoke("EchoFunction", Bytes::from(format!(r#"{{"n":{n}}}"#))).await.unwrap();
    }
    assert_eq!(stack.reports().len(), 3);
    let listed: Vec<Value> =
        reqwest::get(format!("{}/_devstack/invocations", stack.lambda_url)).await.unwrap().json().await.unwrap();
    assert_eq!(listed.len(), 3);
    assert_eq!(devstack::log::DEFAULT_CAPACITY, 10_000);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stream_mapping_bisects_a_failing_batch_down_to_the_one_bad_record() {
    let stack = Stack::start(options(None)).await.unwrap();
    assert_eq!(stack.set_mappings_enabled("BisectConsumerFunction", false), 1);
    for key in ["s1", "s2", "fatal-record", "s3", "s4", "s5"] {
        put(&stack, key, "Split");
    }
    // One batch of six: it fails, is split, and only the bad record is left over.
    stack.set_mappings_enabled("BisectConsumerFunction", true);
    eventually("the good records to be handled", Duration::from_secs(20), || {
        seen(&stack) == ["s1", "s2", "s3", "s4", "s5"]
    })
    .await;
    let failure_queue = queue_url(&stack, "StreamFailureQueue");
    let mut failures = Vec::new();
    let started = Instant::now();
    while failures.is_empty() {
        assert!(started.elapsed() < Duration::from_secs(10), "no failure record arrived");
        failures = drain_bodies(&stack.emulators.sqs_url, &failure_queue).await;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(failures.len(), 1, "one failure record: {failures:?}");
    let failure: Value = serde_json::from_str(&failures[0]).unwrap();
    assert_eq!(failure["DDBStreamBatchInfo"]["batchSize"], 1, "the bad record alone");
    assert_eq!(seen(&stack), ["s1", "s2", "s3", "s4", "s5"], "each good record once");
}
