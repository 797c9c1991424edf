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
//! - An outbox item may carry a [`Publication`] (a message for people): then its subject,
//!   text and attributes are published instead of the envelope.
//! - Records that are not outbox inserts (the stream filter should keep them away) are
//!   skipped.

use aws_lambda_events::event::dynamodb::{Event, EventRecord};
use aws_lambda_events::event::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};
use aws_sdk_sns::types::MessageAttributeValue;
use tracing::Instrument;

use crate::envelope::EventEnvelope;
use crate::outbox::{OUTBOX_KIND, Publication};
use std::collections::BTreeMap;

/// Where events are published: the context's SNS topic.
#[derive(Debug, Clone)]
pub struct Relay {
    sns: aws_sdk_sns::Client,
    topic_arn: String,
}

impl Relay {
    /// A relay that publishes to `topic_arn`.
    pub fn new(sns: aws_sdk_sns::Client, topic_arn: impl Into<String>) -> Self {
        Self { sns, topic_arn: topic_arn.into() }
    }

    /// The relay of a deployed function: publishes to `TOPIC_ARN` with a client from the
    /// environment.
    ///
    /// # Errors
    /// When `TOPIC_ARN` is not set.
    pub async fn from_env() -> Result<Self, crate::config::ConfigError> {
        let topic_arn = crate::config::required("TOPIC_ARN")?;
        let config = crate::aws::sdk_config().await;
        Ok(Self::new(crate::aws::sns(&config), topic_arn))
    }

    /// Publishes the outbox records of one stream batch, in order.
    pub async fn handle(&self, batch: Event) -> DynamoDbEventResponse {
        let mut response = DynamoDbEventResponse::default();
        for record in &batch.records {
            let Some(envelope) = outbox_event(record) else {
                continue;
            };
            let publication = publication(record);
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
                match self.publish(&envelope, publication.as_ref()).await {
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

    async fn publish(&self, envelope: &EventEnvelope, publication: Option<&Publication>) -> anyhow::Result<()> {
        let attribute = |value: &str| MessageAttributeValue::builder().data_type("String").string_value(value).build();
        let mut attributes = BTreeMap::from([
            ("eventType".to_owned(), envelope.event_type.clone()),
            ("correlationId".to_owned(), envelope.correlation_id.clone()),
        ]);
        let mut request = self.sns.publish().topic_arn(&self.topic_arn);
        match publication {
            None => request = request.message(envelope.to_json()),
            Some(publication) => {
                request = request.subject(&publication.subject).message(&publication.message);
                attributes.extend(publication.attributes.clone());
            }
        }
        for (name, value) in &attributes {
            request = request.message_attributes(name, attribute(value)?);
        }
        request.send().await?;
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

/// The publication an outbox item asks for instead of its envelope, if any.
fn publication(record: &EventRecord) -> Option<Publication> {
    use serde_dynamo::AttributeValue;
    let image = &record.change.new_image;
    let text = |key: &str| match image.get(key) {
        Some(AttributeValue::S(text)) => Some(text.clone()),
        _ => None,
    };
    let attributes = match image.get("publishAttributes") {
        Some(AttributeValue::M(map)) => map
            .iter()
            .filter_map(|(k, v)| match v {
                AttributeValue::S(text) => Some((k.clone(), text.clone())),
                _ => None,
            })
            .collect(),
        _ => BTreeMap::new(),
    };
    Some(Publication { subject: text("publishSubject")?, message: text("publishMessage")?, attributes })
}

fn failure(record: &EventRecord) -> DynamoDbBatchItemFailure {
    let mut failure = DynamoDbBatchItemFailure::default();
    failure.item_identifier = record.change.sequence_number.clone();
    failure
}
