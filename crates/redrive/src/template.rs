//! Which queues of a SAM template are dead-letter queues, and where their messages came
//! from: read from the template itself (logical ids), so it holds on AWS and on the local
//! stack alike.
//!
//! - A queue named by another queue's `RedrivePolicy.deadLetterTargetArn` receives that
//!   queue's messages after `maxReceiveCount` failed receives.
//! - A queue named by a stream event source's `DestinationConfig.OnFailure.Destination`
//!   (a `DynamoDB` or `Kinesis` event of an `AWS::Serverless::Function`, or an
//!   `AWS::Lambda::EventSourceMapping`) receives Lambda's on-failure records: where a
//!   batch that failed every retry lies in the stream, not the records themselves.

use std::collections::BTreeMap;

use devstack::template::Template;
use serde::Serialize;
use serde_json::Value;

/// A dead-letter queue of the template and its sources.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeadLetterQueue {
    /// Logical id of the dead-letter queue.
    pub logical_id: String,
    /// Logical ids of the queues that redrive into it (their `RedrivePolicy`), sorted.
    pub source_queues: Vec<String>,
    /// Logical ids of the functions whose stream event sources send their on-failure
    /// records to it, sorted.
    pub stream_functions: Vec<String>,
}

impl DeadLetterQueue {
    /// Where its messages come from, for people: `WorkQueue`, or
    /// `stream failures of RelayFunction`, or both joined by `; `.
    pub fn source(&self) -> String {
        let mut parts = Vec::new();
        if !self.source_queues.is_empty() {
            parts.push(self.source_queues.join(", "));
        }
        if !self.stream_functions.is_empty() {
            parts.push(format!("stream failures of {}", self.stream_functions.join(", ")));
        }
        parts.join("; ")
    }
}

/// Every dead-letter queue of `template`, sorted by logical id.
pub fn dead_letter_queues(template: &Template) -> Vec<DeadLetterQueue> {
    let mut queues: BTreeMap<String, DeadLetterQueue> = BTreeMap::new();
    fn entry(queues: &mut BTreeMap<String, DeadLetterQueue>, logical_id: String) -> &mut DeadLetterQueue {
        queues.entry(logical_id.clone()).or_insert_with(|| DeadLetterQueue {
            logical_id,
            source_queues: Vec::new(),
            stream_functions: Vec::new(),
        })
    }
    let is_queue = |id: &str| template.type_of(id) == Some("AWS::SQS::Queue");

    for (source, resource) in template.of_type("AWS::SQS::Queue") {
        let policy = match &resource["Properties"]["RedrivePolicy"] {
            Value::String(text) => serde_json::from_str(text).unwrap_or(Value::Null),
            other => other.clone(),
        };
        if let Some(target) = arn_target(&policy["deadLetterTargetArn"]).filter(|id| is_queue(id)) {
            entry(&mut queues, target).source_queues.push(source.clone());
        }
    }
    for (function, resource) in template.of_type("AWS::Serverless::Function") {
        for event in resource["Properties"]["Events"].as_object().into_iter().flat_map(|events| events.values()) {
            if !matches!(event["Type"].as_str(), Some("DynamoDB" | "Kinesis")) {
                continue;
            }
            let destination = &event["Properties"]["DestinationConfig"]["OnFailure"]["Destination"];
            if let Some(target) = arn_target(destination).filter(|id| is_queue(id)) {
                entry(&mut queues, target).stream_functions.push(function.clone());
            }
        }
    }
    for (_, resource) in template.of_type("AWS::Lambda::EventSourceMapping") {
        let properties = &resource["Properties"];
        let destination = &properties["DestinationConfig"]["OnFailure"]["Destination"];
        if let (Some(target), Some(function)) =
            (arn_target(destination).filter(|id| is_queue(id)), arn_target(&properties["FunctionName"]))
        {
            entry(&mut queues, target).stream_functions.push(function);
        }
    }
    queues
        .into_values()
        .map(|mut queue| {
            queue.source_queues.sort();
            queue.source_queues.dedup();
            queue.stream_functions.sort();
            queue.stream_functions.dedup();
            queue
        })
        .collect()
}

/// The logical id an intrinsic names: `!GetAtt Id.Arn` (both forms), `!Ref Id`, or
/// `!Sub "${Id.Arn}"`. A literal ARN names no resource of the template: `None`.
fn arn_target(value: &Value) -> Option<String> {
    if let Some(get_att) = value.get("Fn::GetAtt") {
        return match get_att {
            Value::Array(parts) => parts.first().and_then(Value::as_str).map(str::to_owned),
            Value::String(text) => text.split('.').next().map(str::to_owned),
            _ => None,
        };
    }
    if let Some(reference) = value.get("Ref").and_then(Value::as_str) {
        return Some(reference.to_owned());
    }
    let sub = value.get("Fn::Sub").and_then(Value::as_str)?;
    let inner = sub.strip_prefix("${")?.strip_suffix('}')?;
    Some(inner.split('.').next().unwrap_or(inner).to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEMPLATE: &str = r#"
Resources:
  WorkQueue:
    Type: AWS::SQS::Queue
    Properties:
      RedrivePolicy:
        deadLetterTargetArn: !GetAtt WorkDeadLetterQueue.Arn
        maxReceiveCount: 3
  OtherQueue:
    Type: AWS::SQS::Queue
    Properties:
      RedrivePolicy: '{"deadLetterTargetArn": "arn:aws:sqs:us-east-1:1:elsewhere", "maxReceiveCount": 3}'
  JsonPolicyQueue:
    Type: AWS::SQS::Queue
    Properties:
      RedrivePolicy:
        deadLetterTargetArn: { "Fn::GetAtt": ["WorkDeadLetterQueue", "Arn"] }
  WorkDeadLetterQueue:
    Type: AWS::SQS::Queue
  FailureQueue:
    Type: AWS::SQS::Queue
  RelayFunction:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Stream:
          Type: DynamoDB
          Properties:
            DestinationConfig:
              OnFailure: { Type: SQS, Destination: !GetAtt FailureQueue.Arn }
        Work:
          Type: SQS
          Properties: { Queue: !GetAtt WorkQueue.Arn }
  Mapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      FunctionName: !Ref PlainFunction
      DestinationConfig:
        OnFailure: { Destination: !Sub "${FailureQueue.Arn}" }
  PlainFunction:
    Type: AWS::Lambda::Function
"#;

    #[test]
    fn redrive_targets_and_on_failure_destinations_are_dead_letter_queues() {
        let template = Template::parse(TEMPLATE).unwrap();
        let queues = dead_letter_queues(&template);
        assert_eq!(
            queues,
            vec![
                DeadLetterQueue {
                    logical_id: "FailureQueue".into(),
                    source_queues: vec![],
                    stream_functions: vec!["PlainFunction".into(), "RelayFunction".into()],
                },
                DeadLetterQueue {
                    logical_id: "WorkDeadLetterQueue".into(),
                    source_queues: vec!["JsonPolicyQueue".into(), "WorkQueue".into()],
                    stream_functions: vec![],
                },
            ]
        );
        assert_eq!(queues[0].source(), "stream failures of PlainFunction, RelayFunction");
        assert_eq!(queues[1].source(), "JsonPolicyQueue, WorkQueue");
    }

    #[test]
    fn every_queue_with_a_redrive_policy_of_the_default_system_has_its_dead_letter_queue_listed() {
        let workspace = devstack::system::workspace_of(std::path::Path::new(env!("CARGO_MANIFEST_DIR"))).unwrap();
        let system = devstack::System::open(devstack::system::default_system(&workspace).unwrap()).unwrap();
        let template = Template::load(system.template()).unwrap();
        let queues = dead_letter_queues(&template);
        let sources: Vec<&String> = queues.iter().flat_map(|q| &q.source_queues).collect();
        for (logical_id, queue) in template.of_type("AWS::SQS::Queue") {
            if queue["Properties"].get("RedrivePolicy").is_some() {
                assert!(sources.contains(&logical_id), "{logical_id} redrives into no listed queue: {queues:?}");
            }
        }
        assert!(queues.iter().all(|q| !q.source().is_empty()));
    }

    #[test]
    fn a_template_without_failure_paths_has_no_dead_letter_queue() {
        let template = Template::parse("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n").unwrap();
        assert!(dead_letter_queues(&template).is_empty());
    }
}
