//! `Schedule`/`ScheduleV2` event sources and service fault injection, with the local
//! stack's own fixture (`tests/fixture/template.yaml`) and the `lambda-fixture` function,
//! which records each scheduled event it receives in the seen table.

#![allow(clippy::unwrap_used)] // a test unwraps what must hold

mod common;

use common::*;

use std::time::{Duration, Instant};

use devstack::Stack;
use devstack::emulators::{Database, REGION};
use devstack::template::ACCOUNT_ID;
use serde_json::{Value, json};

/// The scheduled events the fixture recorded, by the rule named in their `resources`.
fn scheduled(stack: &Stack) -> Vec<(String, Value)> {
    let page = stack.emulators.ddb(Database::scan, json!({ "TableName": "test-SeenTable" })).unwrap();
    page["Items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|item| {
            let rule = item["pk"]["S"].as_str()?.strip_prefix("SEEN#scheduled#")?.to_owned();
            Some((rule, serde_json::from_str(item["event"]["S"].as_str()?).unwrap()))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_schedule_invokes_its_function_with_eventbridge_scheduled_events_at_its_rate() {
    let stack = start(&[("TickSchedule", "rate(1 second)")]).await;
    let started = Instant::now();
    while scheduled(&stack).len() < 2 {
        assert!(started.elapsed() < Duration::from_secs(20), "the schedule did not run twice");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let rule =
        format!("arn:aws:events:{REGION}:{ACCOUNT_ID}:rule/{}-Tick", stack.function("TickFunction").unwrap().name);
    let runs = scheduled(&stack);
    // The ScheduleV2 event is DISABLED: only the Schedule runs.
    assert!(runs.iter().all(|(seen_rule, _)| *seen_rule == rule), "{runs:?}");
    let (_, event) = &runs[0];
    assert_eq!(event["detail-type"], "Scheduled Event");
    assert_eq!(event["source"], "aws.events");
    assert_eq!(event["account"], ACCOUNT_ID);
    assert_eq!(event["region"], REGION);
    assert_eq!(event["detail"], json!({}));
    assert!(chrono::DateTime::parse_from_rfc3339(event["time"].as_str().unwrap()).is_ok());
    assert_ne!(runs[0].1["id"], runs[1].1["id"], "each run is its own event");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_sns_fault_makes_the_sns_endpoint_answer_500_until_it_is_cleared() {
    let stack = start(&[]).await;
    let client = reqwest::Client::new();
    let list_topics = || {
        client
            .post(&stack.emulators.sns_url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body("Action=ListTopics&Version=2010-03-31")
            .send()
    };
    assert_eq!(list_topics().await.unwrap().status(), 200);

    let fault = format!("{}/_devstack/services/sns/fault", stack.lambda_url);
    let set: Value = client.put(&fault).send().await.unwrap().json().await.unwrap();
    assert_eq!(set, json!({ "service": "sns", "failing": true }));
    let refused = list_topics().await.unwrap();
    assert_eq!(refused.status(), 500);
    assert!(refused.text().await.unwrap().contains("InternalError"));

    let cleared: Value = client.delete(&fault).send().await.unwrap().json().await.unwrap();
    assert_eq!(cleared, json!({ "service": "sns", "failing": false }));
    assert_eq!(list_topics().await.unwrap().status(), 200);

    // The same switch from Rust; a service that cannot fail is refused.
    assert!(stack.set_service_fault("sns", true));
    assert_eq!(list_topics().await.unwrap().status(), 500);
    assert!(stack.set_service_fault("sns", false));
    assert!(!stack.set_service_fault("lambda", true));
    let unknown = client.put(format!("{}/_devstack/services/lambda/fault", stack.lambda_url)).send().await.unwrap();
    assert_eq!(unknown.status(), 404);
}
