//! Helpers the local stack's test files share: the fixture stack, waiting for a condition,
//! queue URLs, and the records the fixture function leaves in its seen table.

#![allow(dead_code)] // each test file uses its own subset

use std::collections::HashMap;
use std::time::{Duration, Instant};

use devstack::Stack;
use devstack::emulators::{Database, REGION};
use devstack::lambda::Outcome;
use devstack::template::ACCOUNT_ID;
use serde_json::json;

/// Starts the fixture template (`tests/fixture/template.yaml`) with parameter overrides.
pub async fn start(parameters: &[(&str, &str)]) -> Stack {
    let template = devstack::testing::workspace_root().join("crates/devstack/tests/fixture/template.yaml");
    let parameters: HashMap<String, String> =
        parameters.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    devstack::testing::start_stack_of(template, parameters).await
}

/// Waits until `condition` holds, failing the test after `timeout`.
pub async fn eventually(what: &str, timeout: Duration, mut condition: impl FnMut() -> bool) {
    let started = Instant::now();
    while !condition() {
        assert!(started.elapsed() < timeout, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The URL of the fixture queue `logical_id` in a test stack.
pub fn queue_url(stack: &Stack, logical_id: &str) -> String {
    stack.emulators.sqs.queue_url_for_arn(&format!("arn:aws:sqs:{REGION}:{ACCOUNT_ID}:test-{logical_id}")).unwrap()
}

/// The keys the fixture function recorded in the seen table (`SEEN#<key>`), sorted.
pub fn seen(stack: &Stack) -> Vec<String> {
    let page = stack.emulators.ddb(Database::scan, json!({ "TableName": "test-SeenTable" })).unwrap();
    let mut keys: Vec<String> = page["Items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["pk"]["S"].as_str()?.strip_prefix("SEEN#").map(str::to_owned))
        .collect();
    keys.sort();
    keys
}

/// The `errorType` of a failed invocation.
pub fn error_type(invocation: &devstack::lambda::Invocation) -> String {
    match &invocation.outcome {
        Outcome::Error(error) => error["errorType"].as_str().unwrap_or_default().to_owned(),
        Outcome::Response(body) => panic!("expected an error, got {}", String::from_utf8_lossy(body)),
    }
}

pub fn put(stack: &Stack, pk: &str, kind: &str) {
    stack
        .emulators
        .ddb(
            Database::put_item,
            json!({ "TableName": "test-SeenTable", "Item": { "pk": { "S": pk }, "sk": { "S": "x" }, "kind": { "S": kind } } }),
        )
        .unwrap();
}
