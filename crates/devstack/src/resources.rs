//! Creating the template's data resources in the embedded services: DynamoDB tables
//! (keys, GSIs, LSIs, stream, TTL), SQS queues (with redrive policies), SNS topics and
//! their SQS subscriptions (filter policies, raw delivery).
//!
//! Tables persist in the DynamoDB file, so an existing table is kept as it is.

use std::collections::HashMap;

use anyhow::{Context, anyhow};
use serde_json::{Value, json};

use crate::emulators::Emulators;
use crate::template::{Resolver, Template, scalar_string};

/// Creates every table, queue, topic and subscription of `template`.
///
/// # Errors
/// When a resource's properties are invalid or an emulator refuses it.
pub async fn create_all(emulators: &Emulators, template: &Template, resolver: &Resolver<'_>) -> anyhow::Result<()> {
    for (logical_id, resource) in template.of_type("AWS::DynamoDB::Table") {
        let properties = resolver.resolve(&resource["Properties"])?;
        let name = resolver.resolve_string(&json!({"Ref": logical_id}))?;
        create_table(emulators, &name, &properties).with_context(|| format!("creating table {logical_id}"))?;
    }
    // Queues without a redrive policy first: they may be the dead-letter targets of others.
    let mut queues: Vec<_> = template.of_type("AWS::SQS::Queue").collect();
    queues.sort_by_key(|(_, r)| r["Properties"].get("RedrivePolicy").is_some());
    for (logical_id, resource) in queues {
        let properties = resolver.resolve(&resource["Properties"])?;
        let name = resolver.resolve_string(&json!({"Fn::GetAtt": [logical_id, "QueueName"]}))?;
        create_queue(emulators, &name, &properties).await.with_context(|| format!("creating queue {logical_id}"))?;
    }
    for (logical_id, resource) in template.of_type("AWS::SNS::Topic") {
        let properties = resolver.resolve(&resource["Properties"])?;
        let name = resolver.resolve_string(&json!({"Fn::GetAtt": [logical_id, "TopicName"]}))?;
        let topic_arn =
            create_topic(emulators, &name, &properties).with_context(|| format!("creating topic {logical_id}"))?;
        for inline in properties["Subscription"].as_array().into_iter().flatten() {
            subscribe(emulators, &topic_arn, inline)?;
        }
    }
    for (logical_id, resource) in template.of_type("AWS::SNS::Subscription") {
        let properties = resolver.resolve(&resource["Properties"])?;
        let topic_arn = scalar_string(&properties["TopicArn"]);
        subscribe(emulators, &topic_arn, &properties).with_context(|| format!("creating subscription {logical_id}"))?;
    }
    Ok(())
}

fn create_table(emulators: &Emulators, name: &str, properties: &Value) -> anyhow::Result<()> {
    let exists = emulators.ddb(dynoxide::Database::describe_table, json!({ "TableName": name })).is_ok();
    if !exists {
        let mut request = json!({
            "TableName": name,
            "AttributeDefinitions": properties["AttributeDefinitions"],
            "KeySchema": properties["KeySchema"],
            "BillingMode": "PAY_PER_REQUEST",
        });
        for key in ["GlobalSecondaryIndexes", "LocalSecondaryIndexes"] {
            if let Some(indexes) = properties.get(key).and_then(Value::as_array) {
                let indexes: Vec<Value> = indexes
                    .iter()
                    .map(|index| {
                        let mut index = index.clone();
                        if let Some(object) = index.as_object_mut() {
                            object.remove("ProvisionedThroughput");
                        }
                        index
                    })
                    .collect();
                request[key] = Value::Array(indexes);
            }
        }
        if let Some(view) = properties["StreamSpecification"]["StreamViewType"].as_str() {
            request["StreamSpecification"] = json!({ "StreamEnabled": true, "StreamViewType": view });
        }
        emulators.ddb(dynoxide::Database::create_table, request)?;
    }
    let ttl = &properties["TimeToLiveSpecification"];
    if ttl["Enabled"] == json!(true) || ttl["Enabled"] == json!("true") {
        let request = json!({
            "TableName": name,
            "TimeToLiveSpecification": { "AttributeName": ttl["AttributeName"], "Enabled": true },
        });
        // DynamoDB refuses to enable TTL twice; on a restart it is already on.
        if let Err(err) = emulators.ddb(dynoxide::Database::update_time_to_live, request) {
            tracing::debug!(table = name, error = %err, "TTL not changed");
        }
    }
    Ok(())
}

async fn create_queue(emulators: &Emulators, name: &str, properties: &Value) -> anyhow::Result<()> {
    let mut attributes = HashMap::new();
    for (key, value) in properties.as_object().into_iter().flatten() {
        match key.as_str() {
            "QueueName" | "Tags" => {}
            "RedrivePolicy" | "RedriveAllowPolicy" => {
                attributes.insert(key.clone(), redrive_policy(value)?);
            }
            _ => {
                attributes.insert(key.clone(), scalar_string(value));
            }
        }
    }
    emulators
        .sqs
        .create_queue(rustack_sqs_model::input::CreateQueueInput {
            queue_name: name.to_owned(),
            attributes,
            ..Default::default()
        })
        .await
        .map_err(|err| anyhow!("{err}"))?;
    Ok(())
}

/// A redrive policy as the SQS API takes it: a JSON string whose `maxReceiveCount` is a
/// number (templates often write it as a string).
fn redrive_policy(value: &Value) -> anyhow::Result<String> {
    let mut policy = match value {
        Value::String(text) => serde_json::from_str(text)?,
        other => other.clone(),
    };
    if let Some(count) = policy.get("maxReceiveCount").map(scalar_string) {
        policy["maxReceiveCount"] = json!(count.parse::<u64>().context("maxReceiveCount")?);
    }
    Ok(policy.to_string())
}

fn create_topic(emulators: &Emulators, name: &str, properties: &Value) -> anyhow::Result<String> {
    let mut attributes = HashMap::new();
    for key in ["DisplayName", "FifoTopic", "ContentBasedDeduplication"] {
        if let Some(value) = properties.get(key) {
            attributes.insert(key.to_owned(), scalar_string(value));
        }
    }
    let output = emulators
        .sns
        .create_topic(rustack_sns_model::input::CreateTopicInput {
            name: name.to_owned(),
            attributes,
            ..Default::default()
        })
        .map_err(|err| anyhow!("{err}"))?;
    Ok(output.topic_arn)
}

/// Subscribes an SQS queue (by ARN) to a topic.
///
/// # Errors
/// For a protocol other than `sqs`, or when SNS refuses the subscription.
pub fn subscribe(emulators: &Emulators, topic_arn: &str, properties: &Value) -> anyhow::Result<String> {
    let protocol = scalar_string(&properties["Protocol"]);
    if protocol != "sqs" {
        anyhow::bail!("only sqs subscriptions are emulated, not {protocol}");
    }
    let mut attributes = HashMap::new();
    if let Some(policy) = properties.get("FilterPolicy") {
        let text = match policy {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        };
        attributes.insert("FilterPolicy".to_owned(), text);
    }
    for key in ["FilterPolicyScope", "RawMessageDelivery", "RedrivePolicy"] {
        if let Some(value) = properties.get(key) {
            let text = match value {
                Value::Object(_) => value.to_string(),
                other => scalar_string(other),
            };
            attributes.insert(key.to_owned(), text);
        }
    }
    let output = emulators
        .sns
        .subscribe(rustack_sns_model::input::SubscribeInput {
            topic_arn: topic_arn.to_owned(),
            protocol,
            endpoint: Some(scalar_string(&properties["Endpoint"])),
            attributes,
            return_subscription_arn: true,
        })
        .map_err(|err| anyhow!("{err}"))?;
    Ok(output.subscription_arn.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_receive_count_becomes_a_number() {
        let policy = redrive_policy(&json!({"deadLetterTargetArn": "arn:x", "maxReceiveCount": "5"})).unwrap();
        let policy: Value = serde_json::from_str(&policy).unwrap();
        assert_eq!(policy["maxReceiveCount"], json!(5));
    }
}
