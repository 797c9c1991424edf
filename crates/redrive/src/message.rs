//! What a dead letter says, read from its body without knowing any business:
//!
//! - an SNS notification delivered to SQS (`{"Type": "Notification", "Message": ...}`),
//!   whose message is an event envelope (`{"id", "type", "correlationId", ...}`), or
//!   whose `eventType`/`correlationId` message attributes say it;
//! - a raw event envelope (raw message delivery, or a message sent straight to a queue);
//! - a Lambda on-failure record of a stream event source (`DDBStreamBatchInfo` or
//!   `KinesisBatchInfo`): which function gave up on which part of which shard, and why.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

/// One message of a dead-letter queue, as `redrive show` reports it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeadLetter {
    /// SQS message id (in this queue).
    pub message_id: String,
    /// When it was sent to this queue (SQS `SentTimestamp`; a redriven message keeps the
    /// time it was first sent).
    pub sent_at: Option<DateTime<Utc>>,
    /// SQS `ApproximateReceiveCount`: receives so far, `redrive`'s own peeks included.
    pub receive_count: Option<u32>,
    /// What the body says.
    #[serde(flatten)]
    pub summary: Summary,
    /// The body as received.
    pub body: String,
}

/// What a body says, as far as it can be read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// Event type (envelope `type`, else the `eventType` attribute).
    pub event_type: Option<String>,
    /// Event id (envelope `id`): consumers deduplicate on it.
    pub event_id: Option<String>,
    /// Correlation id (envelope `correlationId`, else the `correlationId` attribute).
    pub correlation_id: Option<String>,
    /// The SNS topic it was published to, for an SNS notification.
    pub topic_arn: Option<String>,
    /// The stream batch a function gave up on, for a Lambda on-failure record.
    pub stream_failure: Option<StreamFailure>,
    /// Why it failed, when the message says (on-failure records do; SQS redrive does not).
    pub error: Option<String>,
}

/// A Lambda on-failure record of a stream event source.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StreamFailure {
    /// ARN of the function that failed (`requestContext.functionArn`).
    pub function_arn: String,
    /// Its logical id in the template, when the target knows it (filled by [`crate::show`]).
    pub function: Option<String>,
    /// Why Lambda stopped retrying, e.g. `RetryAttemptsExhausted`, `RecordAgeExceeded`.
    pub condition: Option<String>,
    /// Invocations of the batch (`requestContext.approximateInvokeCount`).
    pub attempts: Option<u64>,
    /// Stream ARN.
    pub stream_arn: Option<String>,
    /// Shard id.
    pub shard_id: Option<String>,
    /// Sequence number of the first record of the failed batch.
    pub start_sequence_number: Option<String>,
    /// Sequence number of the last record of the failed batch.
    pub end_sequence_number: Option<String>,
    /// Records in the batch.
    pub batch_size: Option<u64>,
}

/// Reads `body`; `attributes` are the SQS message attributes (name, string value).
pub fn summarize(body: &str, attributes: &[(String, String)]) -> Summary {
    let attribute = |name: &str| attributes.iter().find(|(key, _)| key == name).map(|(_, value)| value.clone());
    let Ok(json) = serde_json::from_str::<Value>(body) else {
        return Summary {
            event_type: attribute("eventType"),
            correlation_id: attribute("correlationId"),
            ..Summary::default()
        };
    };
    if let Some(batch) = json.get("DDBStreamBatchInfo").or_else(|| json.get("KinesisBatchInfo")) {
        return stream_failure(&json, batch);
    }
    let text = |value: &Value| value.as_str().map(str::to_owned);
    let (event, topic_arn, sns_attribute) = if json["Type"] == "Notification" {
        let inner = json["Message"].as_str().and_then(|m| serde_json::from_str(m).ok()).unwrap_or(Value::Null);
        let sns_attribute = |name: &str| json["MessageAttributes"][name]["Value"].as_str().map(str::to_owned);
        (inner, text(&json["TopicArn"]), [sns_attribute("eventType"), sns_attribute("correlationId")])
    } else {
        (json, None, [None, None])
    };
    let [sns_event_type, sns_correlation_id] = sns_attribute;
    Summary {
        event_type: text(&event["type"]).or(sns_event_type).or_else(|| attribute("eventType")),
        event_id: text(&event["id"]),
        correlation_id: text(&event["correlationId"]).or(sns_correlation_id).or_else(|| attribute("correlationId")),
        topic_arn,
        stream_failure: None,
        error: None,
    }
}

fn stream_failure(record: &Value, batch: &Value) -> Summary {
    let text = |value: &Value| value.as_str().map(str::to_owned);
    let context = &record["requestContext"];
    let response = &record["responseContext"];
    let failure = StreamFailure {
        function_arn: text(&context["functionArn"]).unwrap_or_default(),
        function: None,
        condition: text(&context["condition"]),
        attempts: context["approximateInvokeCount"].as_u64(),
        stream_arn: text(&batch["streamArn"]),
        shard_id: text(&batch["shardId"]),
        start_sequence_number: text(&batch["startSequenceNumber"]),
        end_sequence_number: text(&batch["endSequenceNumber"]),
        batch_size: batch["batchSize"].as_u64(),
    };
    let error = match (text(&response["functionError"]), &failure.condition) {
        (Some(error), Some(condition)) => Some(format!("{error} ({condition})")),
        (error, condition) => error.or_else(|| condition.clone()),
    };
    Summary { stream_failure: Some(failure), error, ..Summary::default() }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENVELOPE: &str = r#"{"id":"0192a0c4-7d1e-7000-8000-000000000001","type":"ThingHappened","version":1,"source":"things","correlationId":"corr-1","occurredAt":"2026-01-01T00:00:00Z","data":{}}"#;

    #[test]
    fn an_sns_notification_in_sqs_gives_the_envelope_s_type_id_and_correlation() {
        let body = serde_json::json!({
            "Type": "Notification",
            "MessageId": "m-1",
            "TopicArn": "arn:aws:sns:us-east-1:000000000000:test-Topic",
            "Message": ENVELOPE,
            "Timestamp": "2026-01-01T00:00:00.000Z",
            "MessageAttributes": { "eventType": { "Type": "String", "Value": "ThingHappened" } }
        })
        .to_string();
        let summary = summarize(&body, &[]);
        assert_eq!(summary.event_type.as_deref(), Some("ThingHappened"));
        assert_eq!(summary.event_id.as_deref(), Some("0192a0c4-7d1e-7000-8000-000000000001"));
        assert_eq!(summary.correlation_id.as_deref(), Some("corr-1"));
        assert_eq!(summary.topic_arn.as_deref(), Some("arn:aws:sns:us-east-1:000000000000:test-Topic"));
        assert!(summary.stream_failure.is_none());
    }

    #[test]
    fn a_raw_envelope_or_attributes_give_what_they_say() {
        let summary = summarize(ENVELOPE, &[]);
        assert_eq!(summary.event_type.as_deref(), Some("ThingHappened"));
        assert_eq!(summary.correlation_id.as_deref(), Some("corr-1"));

        let attributes = [("eventType".to_owned(), "Other".to_owned()), ("correlationId".to_owned(), "c".to_owned())];
        let summary = summarize("not json", &attributes);
        assert_eq!(summary.event_type.as_deref(), Some("Other"));
        assert_eq!(summary.correlation_id.as_deref(), Some("c"));
        assert_eq!(summary.event_id, None);
    }

    #[test]
    fn a_lambda_on_failure_record_gives_function_shard_sequence_numbers_and_error() {
        // The record Lambda sends to a stream event source's on-failure destination.
        let body = r#"{
            "requestContext": {"requestId": "r-1", "functionArn": "arn:aws:lambda:us-east-1:123456789012:function:relay",
                "condition": "RetryAttemptsExhausted", "approximateInvokeCount": 3},
            "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
            "version": "1.0", "timestamp": "2026-01-01T00:00:00.000Z",
            "DDBStreamBatchInfo": {"shardId": "shardId-1", "startSequenceNumber": "100", "endSequenceNumber": "120",
                "approximateArrivalOfFirstRecord": "2026-01-01T00:00:00Z", "approximateArrivalOfLastRecord": "2026-01-01T00:00:01Z",
                "batchSize": 2, "streamArn": "arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/2026"}
        }"#;
        let summary = summarize(body, &[]);
        let failure = summary.stream_failure.unwrap();
        assert_eq!(failure.function_arn, "arn:aws:lambda:us-east-1:123456789012:function:relay");
        assert_eq!(failure.shard_id.as_deref(), Some("shardId-1"));
        assert_eq!(failure.start_sequence_number.as_deref(), Some("100"));
        assert_eq!(failure.end_sequence_number.as_deref(), Some("120"));
        assert_eq!(failure.batch_size, Some(2));
        assert_eq!(failure.attempts, Some(3));
        assert_eq!(summary.error.as_deref(), Some("Unhandled (RetryAttemptsExhausted)"));
    }
}
