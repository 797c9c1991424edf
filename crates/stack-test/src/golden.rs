//! The walk every system's golden test of its message types makes over its sample events (`events/`).
//!
//! [`samples`] reads every `*.json` file of the folder and takes out each domain event
//! envelope as the runtime reads it: from an SQS batch (`platform::inbox::envelope_from_sqs`:
//! an SNS notification's `Message` or a raw envelope) and from a DynamoDB stream batch (an
//! outbox insert's `event` attribute). Every other file (an HTTP request, a synchronous call's
//! payload, a schedule) is handed back as JSON for the system's own checks. The system then
//! checks each envelope against its topic's event type with [`assert_envelopes`] and
//! [`round_trips`].

use std::path::Path;

use aws_lambda_events::event::dynamodb::Event as StreamBatch;
use aws_lambda_events::event::sqs::SqsEvent;
use platform::EventEnvelope;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// What [`samples`] found in an events folder.
#[derive(Debug, Default)]
pub struct Samples {
    /// How many `*.json` files the folder holds.
    pub files: usize,
    /// Every envelope in an SQS or stream batch, with its file's name, in file-name order.
    pub envelopes: Vec<(String, EventEnvelope)>,
    /// Every other file, with its name: its text and its JSON, in file-name order.
    pub others: Vec<(String, String, Value)>,
}

/// Reads the sample events in `dir` (every `*.json` file, in name order).
///
/// A message of an SQS batch that is not an event is allowed only in a file whose name
/// contains `poison` (it is skipped); stream records without an `event` string attribute
/// (not an outbox insert) are skipped.
///
/// # Panics
/// When the folder or a file cannot be read, a file is not JSON, an SQS or stream batch
/// does not parse as one, an outbox record's `event` is not an envelope, or an SQS message
/// outside a poison file is not an event: each message names the file.
pub fn samples(dir: &Path) -> Samples {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|err| panic!("{}: {err}", dir.display()))
        .map(|entry| entry.unwrap_or_else(|err| panic!("{}: {err}", dir.display())).path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    let mut found = Samples { files: paths.len(), ..Samples::default() };
    for path in &paths {
        let file = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let text = std::fs::read_to_string(path).unwrap_or_else(|err| panic!("{file}: {err}"));
        let json: Value = serde_json::from_str(&text).unwrap_or_else(|err| panic!("{file} is not JSON: {err}"));
        match json["Records"][0]["eventSource"].as_str() {
            Some("aws:sqs") => {
                let batch: SqsEvent = serde_json::from_value(json).unwrap_or_else(|err| panic!("{file}: {err}"));
                for message in &batch.records {
                    match platform::inbox::envelope_from_sqs(message) {
                        Ok(envelope) => found.envelopes.push((file.clone(), envelope)),
                        Err(reason) => {
                            assert!(file.contains("poison"), "{file}: a message is not an event: {reason}");
                        }
                    }
                }
            }
            Some("aws:dynamodb") => {
                let batch: StreamBatch = serde_json::from_value(json).unwrap_or_else(|err| panic!("{file}: {err}"));
                for record in &batch.records {
                    if let Some(serde_dynamo::AttributeValue::S(event)) = record.change.new_image.get("event") {
                        let envelope: EventEnvelope =
                            serde_json::from_str(event).unwrap_or_else(|err| panic!("{file}: outbox event: {err}"));
                        found.envelopes.push((file.clone(), envelope));
                    }
                }
            }
            _ => found.others.push((file, text, json)),
        }
    }
    found
}

/// Decodes `envelope` as the event enum `T` (tagged `type`, content `data`) and encodes it
/// back: `Ok` when it gives the same `type` and exactly the same `data` (no field lost,
/// renamed or added).
///
/// # Errors
/// A sentence naming the event type and what went wrong: it does not decode, or it comes
/// back different (both `data`s shown).
pub fn round_trips<T: DeserializeOwned + Serialize>(envelope: &EventEnvelope) -> Result<(), String> {
    let decoded: T = envelope.decode().map_err(|err| format!("{} does not decode: {err}", envelope.event_type))?;
    let back =
        serde_json::to_value(&decoded).map_err(|err| format!("{} does not encode: {err}", envelope.event_type))?;
    if back["type"] != envelope.event_type.as_str() {
        return Err(format!("{} comes back as {}", envelope.event_type, back["type"]));
    }
    if back["data"] != envelope.data {
        return Err(format!(
            "{} does not round-trip: the event type does not keep every field\n  sample: {}\n  back:   {}",
            envelope.event_type, envelope.data, back["data"]
        ));
    }
    Ok(())
}

/// Asserts that there are at least `at_least` envelopes and that `check` passes each: the
/// system's own rule, typically its topic's [`round_trips`] chosen by `envelope.source`
/// plus its correlation rule.
///
/// # Panics
/// When there are fewer envelopes, or listing every envelope `check` refuses, each with
/// its file and the sentence `check` returned.
#[track_caller]
pub fn assert_envelopes(
    envelopes: &[(String, EventEnvelope)],
    at_least: usize,
    check: impl Fn(&EventEnvelope) -> Result<(), String>,
) {
    assert!(envelopes.len() >= at_least, "only {} sample envelopes, expected {at_least} or more", envelopes.len());
    let refused: Vec<String> =
        envelopes.iter().filter_map(|(file, envelope)| check(envelope).err().map(|e| format!("{file}: {e}"))).collect();
    assert!(refused.is_empty(), "sample events that break their event type:\n- {}", refused.join("\n- "));
}

/// `Ok` when `envelope` is correlated by its data's `key` (the identifier of what it is
/// about, e.g. `"thingId"`): `correlationId` equals `data[key]`.
///
/// # Errors
/// A sentence naming the event type, its correlation id and `key`.
pub fn correlated_by(envelope: &EventEnvelope, key: &str) -> Result<(), String> {
    if envelope.correlation_id == envelope.data[key] {
        Ok(())
    } else {
        Err(format!("{} is correlated by {}, not by its {key}", envelope.event_type, envelope.correlation_id))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // a test unwraps what must hold

    use serde::Deserialize;
    use serde_json::json;

    use super::*;

    #[derive(Serialize, Deserialize)]
    #[serde(tag = "type", content = "data")]
    enum ThingEvent {
        ThingMade {
            #[serde(rename = "thingId")]
            thing_id: String,
        },
    }

    fn envelope(data: Value) -> EventEnvelope {
        serde_json::from_value(json!({
            "id": "e1", "type": "ThingMade", "version": 1, "source": "thing", "correlationId": "t1",
            "causationId": null, "occurredAt": "2026-11-21T05:29:14.060Z", "data": data
        }))
        .unwrap()
    }

    #[test]
    fn the_walk_finds_queue_and_stream_envelopes_and_hands_back_the_rest() {
        let dir = std::env::temp_dir().join(format!("stack-test-golden-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let event = serde_json::to_string(&envelope(json!({"thingId": "t1"}))).unwrap();
        let note = json!({"Type": "Notification", "MessageId": "m", "TopicArn": "arn", "Message": event});
        let sqs = json!({"Records": [{"messageId": "1", "eventSource": "aws:sqs", "body": note.to_string()}]});
        let stream = json!({"Records": [{"eventID": "1", "eventName": "INSERT", "eventVersion": "1.1",
            "eventSource": "aws:dynamodb", "awsRegion": "ap-northeast-2", "eventSourceARN": "arn:stream",
            "dynamodb": {"ApproximateCreationDateTime": 1795239000, "Keys": {}, "NewImage": {"event": {"S": event}},
            "SequenceNumber": "1", "SizeBytes": 1, "StreamViewType": "NEW_IMAGE"}}]});
        let poison = json!({"Records": [{"messageId": "2", "eventSource": "aws:sqs", "body": "not json"}]});
        std::fs::write(dir.join("a-sqs.json"), sqs.to_string()).unwrap();
        std::fs::write(dir.join("b-stream.json"), stream.to_string()).unwrap();
        std::fs::write(dir.join("c-with-poison.json"), poison.to_string()).unwrap();
        std::fs::write(dir.join("d-call.json"), r#"{"thingId": "t1"}"#).unwrap();
        std::fs::write(dir.join("README.md"), "not a sample").unwrap();
        let found = samples(&dir);
        assert_eq!(found.files, 4);
        let files: Vec<&str> = found.envelopes.iter().map(|(file, _)| file.as_str()).collect();
        assert_eq!(files, ["a-sqs.json", "b-stream.json"]);
        assert_eq!(found.others.len(), 1);
        assert_eq!(found.others[0].0, "d-call.json");
        assert_envelopes(&found.envelopes, 2, round_trips::<ThingEvent>);

        std::fs::write(dir.join("e-sqs.json"), poison.to_string()).unwrap();
        let refused = std::panic::catch_unwind(|| samples(&dir)).unwrap_err();
        assert!(refused.downcast_ref::<String>().unwrap().starts_with("e-sqs.json: a message is not an event"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn an_event_that_loses_a_field_or_does_not_decode_is_refused_with_its_file() {
        assert_eq!(round_trips::<ThingEvent>(&envelope(json!({"thingId": "t1"}))), Ok(()));
        assert_eq!(correlated_by(&envelope(json!({"thingId": "t1"})), "thingId"), Ok(()));
        assert_eq!(
            correlated_by(&envelope(json!({"thingId": "t2"})), "thingId"),
            Err("ThingMade is correlated by t1, not by its thingId".to_owned())
        );
        let extra = round_trips::<ThingEvent>(&envelope(json!({"thingId": "t1", "colour": "red"}))).unwrap_err();
        assert!(extra.starts_with("ThingMade does not round-trip"), "{extra}");
        let wrong = round_trips::<ThingEvent>(&envelope(json!({"thingId": 5}))).unwrap_err();
        assert!(wrong.starts_with("ThingMade does not decode"), "{wrong}");
        let envelopes = vec![("x.json".to_owned(), envelope(json!({"thingId": 5})))];
        let refused =
            std::panic::catch_unwind(|| assert_envelopes(&envelopes, 1, round_trips::<ThingEvent>)).unwrap_err();
        assert!(refused.downcast_ref::<String>().unwrap().contains("- x.json: ThingMade does not decode"));
        let few = std::panic::catch_unwind(|| assert_envelopes(&envelopes, 2, |_| Ok(()))).unwrap_err();
        assert!(few.downcast_ref::<String>().unwrap().starts_with("only 1 sample envelopes"));
    }
}
