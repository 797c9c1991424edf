//! The outbox relay: a Lambda on a table's DynamoDB stream that publishes each new outbox
//! item ([`crate::outbox`]) to the context's SNS topic.
//!
//! - The message body is the event envelope JSON; message attributes `eventType` and
//!   `correlationId` let subscriptions filter without parsing the body.
//! - Publishing is at least once: a record retried after a partial failure is published
//!   again with the same envelope (same event `id`), and consumers deduplicate on that id.
//! - Partial batch failure: the first record that could not be published is reported in
//!   `batchItemFailures` (by sequence number); Lambda retries from there, in order, and
//!   after `MaximumRetryAttempts` sends the batch to the on-failure destination.
//! - Records that are not outbox inserts (the stream filter should keep them away) are
//!   skipped.

use aws_lambda_events::event::dynamodb::{Event, EventRecord};
use aws_lambda_events::event::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};
use aws_sdk_sns::types::MessageAttributeValue;
use tracing::Instrument;

use crate::envelope::EventEnvelope;
use crate::outbox::OUTBOX_KIND;

/// Where events are published: the context's SNS topic.
#[derive(Debug, Clone)]
pub struct Relay {
    sns: aws_sdk_sns::Client,
    topic_arn: String,
}

impl Relay {
    /// A relay that publishes to `topic_arn`.
    pub fn new(sns: aws_sdk_sns::Client, topic_arn: impl Into<String>) -> Self {
        Self {
            sns,
            topic_arn: topic_arn.into(),
        }
    }

    /// Publishes the outbox records of one stream batch, in order.
    pub async fn handle(&self, batch: Event) -> DynamoDbEventResponse {
        let mut response = DynamoDbEventResponse::default();
        for record in &batch.records {
            let Some(envelope) = outbox_event(record) else {
                continue;
            };
            let envelope = match envelope {
                Ok(envelope) => envelope,
                Err(reason) => {
                    tracing::error!(event_id = %record.event_id, reason, "outbox item is not an event");
                    response.batch_item_failures.push(failure(record));
                    return response;
                }
            };
            let span = tracing::info_span!(
                "relay",
                correlation_id = %envelope.correlation_id,
                event_id = %envelope.id,
                event_type = %envelope.event_type,
            );
            let published = async {
                match self.publish(&envelope).await {
                    Ok(()) => {
                        tracing::info!("published");
                        true
                    }
                    Err(err) => {
                        tracing::error!(error = format!("{err:#}"), "publish failed");
                        false
                    }
                }
            }
            .instrument(span)
            .await;
            if !published {
                response.batch_item_failures.push(failure(record));
                return response;
            }
        }
        response
    }

    async fn publish(&self, envelope: &EventEnvelope) -> anyhow::Result<()> {
        let attribute = |value: &str| {
            MessageAttributeValue::builder()
                .data_type("String")
                .string_value(value)
                .build()
        };
        self.sns
            .publish()
            .topic_arn(&self.topic_arn)
            .message(envelope.to_json())
            .message_attributes("eventType", attribute(&envelope.event_type)?)
            .message_attributes("correlationId", attribute(&envelope.correlation_id)?)
            .send()
            .await?;
        Ok(())
    }
}

/// The envelope of an outbox insert; `None` for any other record.
fn outbox_event(record: &EventRecord) -> Option<Result<EventEnvelope, String>> {
    use serde_dynamo::AttributeValue;
    if record.event_name != "INSERT" {
        return None;
    }
    let image = &record.change.new_image;
    match image.get("kind") {
        Some(AttributeValue::S(kind)) if kind == OUTBOX_KIND => {}
        _ => return None,
    }
    Some(match image.get("event") {
        Some(AttributeValue::S(json)) => serde_json::from_str(json).map_err(|err| err.to_string()),
        _ => Err("the outbox item has no `event` string".to_owned()),
    })
}

fn failure(record: &EventRecord) -> DynamoDbBatchItemFailure {
    let mut failure = DynamoDbBatchItemFailure::default();
    failure.item_identifier = record.change.sequence_number.clone();
    failure
}
