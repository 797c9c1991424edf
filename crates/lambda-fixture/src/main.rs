//! A Lambda function for testing the local stack itself. What it does depends on the event:
//!
//! - `{"sleepMs": n}` sleeps, then answers `{"slept": n}`; with `"record": "key"` it
//!   also records `key` (as below) after sleeping;
//! - `{"exit": code}` exits the process (a runtime crash);
//! - `{"fail": "message"}` returns a function error;
//! - `{"env": "NAME"}` answers `{"value": <the variable, or null>}`;
//! - an API Gateway v2 event answers 200 with the event itself as the JSON body;
//! - an SQS or DynamoDB stream batch records each record it accepts as an item
//!   `pk = SEEN#<body or NewImage.pk>` in `SEEN_TABLE`, and reports as failed (in
//!   `batchItemFailures`) the records whose body or `pk` contains `poison`; a batch with
//!   a record whose body or `pk` contains `fatal` fails as a whole (a function error)
//!   before recording anything;
//! - an EventBridge scheduled event records itself as an item `pk = SEEN#scheduled#<rule
//!   ARN>` with the event's JSON in `event`, and answers `{"scheduled": true}`;
//! - anything else is echoed back.
//!
//! Environment: `SEEN_TABLE` (only for batches).

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use lambda_runtime::{LambdaEvent, service_fn};
use serde_json::{Value, json};

struct Deps {
    dynamodb: aws_sdk_dynamodb::Client,
    table: Option<String>,
}

async fn record(deps: &Deps, key: &str) -> anyhow::Result<()> {
    let table = deps.table.as_deref().ok_or_else(|| anyhow::anyhow!("SEEN_TABLE is not set"))?;
    let item = HashMap::from([
        ("pk".to_owned(), AttributeValue::S(format!("SEEN#{key}"))),
        ("sk".to_owned(), AttributeValue::S(uuid_like())),
    ]);
    deps.dynamodb.put_item().table_name(table).set_item(Some(item)).send().await?;
    Ok(())
}

async fn record_scheduled(deps: &Deps, event: &Value) -> anyhow::Result<()> {
    let table = deps.table.as_deref().ok_or_else(|| anyhow::anyhow!("SEEN_TABLE is not set"))?;
    let rule = event["resources"][0].as_str().unwrap_or_default();
    let item = HashMap::from([
        ("pk".to_owned(), AttributeValue::S(format!("SEEN#scheduled#{rule}"))),
        ("sk".to_owned(), AttributeValue::S(uuid_like())),
        ("event".to_owned(), AttributeValue::S(event.to_string())),
    ]);
    deps.dynamodb.put_item().table_name(table).set_item(Some(item)).send().await?;
    Ok(())
}

fn uuid_like() -> String {
    format!("{:?}", std::time::SystemTime::now())
}

async fn handle(deps: &Deps, event: Value) -> anyhow::Result<Value> {
    if let Some(ms) = event["sleepMs"].as_u64() {
        tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
        if let Some(key) = event["record"].as_str() {
            record(deps, key).await?;
        }
        return Ok(json!({ "slept": ms }));
    }
    if let Some(code) = event["exit"].as_i64() {
        std::process::exit(i32::try_from(code).unwrap_or(1));
    }
    if let Some(name) = event["env"].as_str() {
        return Ok(json!({ "value": std::env::var(name).ok() }));
    }
    if let Some(message) = event["fail"].as_str() {
        anyhow::bail!("{message}");
    }
    if event["version"] == "2.0" && event["requestContext"]["http"].is_object() {
        return Ok(
            json!({ "statusCode": 200, "headers": { "content-type": "application/json" }, "body": event.to_string() }),
        );
    }
    if event["detail-type"] == "Scheduled Event" {
        record_scheduled(deps, &event).await?;
        return Ok(json!({ "scheduled": true }));
    }
    if let Some(records) = event["Records"].as_array() {
        let keyed: Vec<(Value, String)> = records
            .iter()
            .map(|item| match item["eventSource"].as_str() {
                Some("aws:sqs") => (item["messageId"].clone(), item["body"].as_str().unwrap_or_default().to_owned()),
                _ => (
                    item["dynamodb"]["SequenceNumber"].clone(),
                    item["dynamodb"]["NewImage"]["pk"]["S"].as_str().unwrap_or_default().to_owned(),
                ),
            })
            .collect();
        if let Some((_, fatal)) = keyed.iter().find(|(_, key)| key.contains("fatal")) {
            anyhow::bail!("the batch holds {fatal}");
        }
        let mut failures = Vec::new();
        for (id, key) in keyed {
            if key.contains("poison") {
                failures.push(json!({ "itemIdentifier": id }));
            } else {
                record(deps, &key).await?;
            }
        }
        return Ok(json!({ "batchItemFailures": failures }));
    }
    Ok(event)
}

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let deps = Deps { dynamodb: aws_sdk_dynamodb::Client::new(&config), table: std::env::var("SEEN_TABLE").ok() };
    let deps = &deps;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        handle(deps, event.payload).await.map_err(|err| lambda_runtime::Error::from(err.to_string()))
    }))
    .await
}
