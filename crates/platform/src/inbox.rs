//! The idempotent consumer: an SQS-fed Lambda applies each domain event once.
//!
//! Delivery is at least once (SNS, SQS, the relay may all repeat). The consumer writes an
//! inbox item keyed by its own name and the event id, conditional on it being new, in the
//! same `TransactWriteItems` as the event's effect: either both are stored or neither, and
//! a repeat is refused by the condition and acknowledged without effect.
//!
//! Inbox item shape: `pk = "INBOX#<consumer>#<event id>"`, `sk = "INBOX"`, `eventType`,
//! `processedAt`, `expiresAt` (TTL, epoch seconds).
//!
//! **An effect that publishes an event carries its inbox record.** When the effect puts an
//! outbox item ([`crate::outbox`]) into the inbox's own table, that item takes the inbox
//! record's key and condition instead of a second item being written: the outbox item's
//! attributes (`kind = "OutboxEvent"`, its `eventType`, `event`, index keys, ...) plus
//! `consumedEventType` and `processedAt`, `expiresAt` the later of the two retentions. The
//! key is the same whatever the effect, so a repeat is refused either way; the stream filter
//! and the relay go by `kind`, not by key. Each item of a transaction costs two write units,
//! so this saves two per consumed event that produces one (the relay's IAM policy allows
//! keys starting with `INBOX#` as well as `OUTBOX#` for that reason).

use std::collections::HashMap;
use std::future::Future;
use std::time::Duration;

use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent, SqsMessage};
use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem};
use tracing::Instrument;

use crate::envelope::EventEnvelope;
use crate::outbox::{MAX_TRANSACTION_ITEMS, OUTBOX_KIND, TransactError, transact};

/// Outcome of [`Inbox::apply_once`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// The effect was written now.
    Now,
    /// This consumer had already processed the event; nothing was written.
    AlreadyDone,
}

/// Why [`Inbox::apply_once`] did not apply an effect.
#[derive(Debug, thiserror::Error)]
pub enum InboxError {
    /// A condition on one of the effect's own items failed (index into the effect).
    #[error("the condition of effect item {index} failed")]
    EffectRefused {
        /// Index into the effect items given.
        index: usize,
    },
    /// The effect has more items than one transaction can hold next to the inbox item.
    #[error("an effect of {0} items does not fit in one transaction")]
    TooLarge(usize),
    /// Storage failed; the message should be retried.
    #[error("the inbox transaction failed")]
    Storage(#[source] anyhow::Error),
}

/// The inbox of one consumer in one table.
#[derive(Debug, Clone)]
pub struct Inbox {
    client: aws_sdk_dynamodb::Client,
    table: String,
    consumer: String,
    retention: Duration,
}

impl Inbox {
    /// The inbox of `consumer` (a stable name such as `delivery-on-order-placed`) in `table`.
    pub fn new(
        client: aws_sdk_dynamodb::Client,
        table: impl Into<String>,
        consumer: impl Into<String>,
        retention: Duration,
    ) -> Self {
        Self { client, table: table.into(), consumer: consumer.into(), retention }
    }

    /// Writes `effect` together with the inbox record of `event`, once: on the effect's
    /// first new outbox item in this table when it has one (see the module docs), else as an
    /// item of its own.
    ///
    /// # Errors
    /// [`InboxError::EffectRefused`] when one of the effect's conditions failed,
    /// [`InboxError::TooLarge`] above 99 effect items, [`InboxError::Storage`] otherwise.
    pub async fn apply_once(
        &self,
        event: &EventEnvelope,
        mut effect: Vec<TransactWriteItem>,
    ) -> Result<Applied, InboxError> {
        if effect.len() >= MAX_TRANSACTION_ITEMS {
            return Err(InboxError::TooLarge(effect.len()));
        }
        let carried = effect.iter().enumerate().find_map(|(index, item)| {
            let outbox = item.put().filter(|put| self.can_carry(put))?;
            Some((index, self.carry(event, outbox.item())))
        });
        let inbox_index = match carried {
            Some((index, merged)) => {
                effect[index] = merged;
                index
            }
            None => {
                effect.push(crate::dynamo::put(&self.table, self.record(event), crate::dynamo::Condition::New));
                effect.len() - 1
            }
        };
        match transact(&self.client, effect).await {
            Ok(()) => Ok(Applied::Now),
            // A repeat is a repeat, whatever the effect's own conditions say.
            Err(TransactError::ConditionFailed { failed }) if failed.contains(&inbox_index) => Ok(Applied::AlreadyDone),
            Err(TransactError::ConditionFailed { failed }) => {
                Err(InboxError::EffectRefused { index: failed.first().copied().unwrap_or_default() })
            }
            Err(TransactError::Other(err)) => Err(InboxError::Storage(err)),
        }
    }

    /// The inbox record of `event` as an item of its own.
    fn record(&self, event: &EventEnvelope) -> HashMap<String, AttributeValue> {
        let now = chrono::Utc::now();
        let expires_at = now.timestamp() + self.retention.as_secs() as i64;
        HashMap::from([
            ("pk".to_owned(), AttributeValue::S(format!("INBOX#{}#{}", self.consumer, event.id))),
            ("sk".to_owned(), AttributeValue::S("INBOX".to_owned())),
            ("eventType".to_owned(), AttributeValue::S(event.event_type.clone())),
            ("processedAt".to_owned(), AttributeValue::S(now.to_rfc3339())),
            ("expiresAt".to_owned(), AttributeValue::N(expires_at.to_string())),
        ])
    }

    /// Whether `put` is a new outbox item in this inbox's table, which can carry the record.
    fn can_carry(&self, put: &aws_sdk_dynamodb::types::Put) -> bool {
        put.table_name() == self.table
            && put.condition_expression() == Some(crate::dynamo::NEW_ITEM_CONDITION)
            && matches!(put.item().get("kind"), Some(AttributeValue::S(kind)) if kind == OUTBOX_KIND)
    }

    /// The outbox item `outbox` under the inbox record's key, with the record's attributes
    /// (the consumed event's type as `consumedEventType`), kept as long as the longer of the
    /// two retentions; written only if new.
    fn carry(&self, event: &EventEnvelope, outbox: &HashMap<String, AttributeValue>) -> TransactWriteItem {
        let mut record = self.record(event);
        let mut item = outbox.clone();
        let expiry = |item: &HashMap<String, AttributeValue>| match item.get("expiresAt") {
            Some(AttributeValue::N(at)) => at.parse::<i64>().ok(),
            _ => None,
        };
        let expires_at = expiry(&item).max(expiry(&record));
        if let Some(consumed) = record.remove("eventType") {
            item.insert("consumedEventType".to_owned(), consumed);
        }
        item.extend(record);
        if let Some(at) = expires_at {
            item.insert("expiresAt".to_owned(), AttributeValue::N(at.to_string()));
        }
        crate::dynamo::put(&self.table, item, crate::dynamo::Condition::New)
    }
}

/// Reads the domain event out of an SQS message body: an SNS notification (the
/// subscription's default envelope delivery, whose `Message` is the event) or, for raw
/// message delivery, the event itself.
///
/// # Errors
/// A description of what is wrong with the body; such a message is a poison message.
pub fn envelope_from_sqs(message: &SqsMessage) -> Result<EventEnvelope, String> {
    let body = message.body.as_deref().ok_or("the message has no body")?;
    let value: serde_json::Value = serde_json::from_str(body).map_err(|err| format!("the body is not JSON: {err}"))?;
    let event = match value.get("Type").and_then(|t| t.as_str()) {
        Some("Notification") => {
            let inner = value["Message"].as_str().ok_or("the SNS notification has no Message")?;
            serde_json::from_str(inner).map_err(|err| format!("the SNS Message is not an event: {err}"))?
        }
        _ => serde_json::from_value(value).map_err(|err| format!("the body is not an event: {err}"))?,
    };
    Ok(event)
}

/// The trace a consumed event continues: the SQS message's `AWSTraceHeader` system
/// attribute (set by SNS from the publisher's header), else the envelope's own
/// `traceHeader`; `None` when neither has one (the invocation's trace stays current).
pub fn trace_of(message: &SqsMessage, event: &EventEnvelope) -> Option<String> {
    message
        .attributes
        .get(crate::trace::SQS_TRACE_ATTRIBUTE)
        .filter(|header| crate::trace::root(header).is_some())
        .cloned()
        .or_else(|| event.trace_header.clone())
}

/// Runs `handle` on each record of an SQS batch, one at a time in order, and reports the
/// records that failed so that only they are retried (`ReportBatchItemFailures` must be
/// set on the event source mapping). A record that is not an event fails alone and,
/// after the queue's `maxReceiveCount`, moves to its dead-letter queue.
///
/// Each event is handled in its own span (`correlation_id`, `causation_id`, `event_id`,
/// `event_type`, `trace_id`: the trace it continues, [`trace_of`]) and with that trace
/// current ([`crate::trace::scope`]), so the events it emits stay in the same X-Ray trace
/// whichever messages share the batch.
pub async fn for_each_event<F, Fut>(batch: SqsEvent, handle: F) -> SqsBatchResponse
where
    F: Fn(EventEnvelope) -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
{
    let mut response = SqsBatchResponse::default();
    for message in &batch.records {
        let message_id = message.message_id.clone().unwrap_or_default();
        let outcome = match envelope_from_sqs(message) {
            Ok(event) => {
                let trace = trace_of(message, &event);
                let span = tracing::info_span!(
                    "event",
                    correlation_id = %event.correlation_id,
                    causation_id = event.causation_id.as_deref(),
                    event_id = %event.id,
                    event_type = %event.event_type,
                    trace_id = trace.as_deref(),
                );
                crate::trace::scope(trace, async { handle(event).await }).instrument(span).await
            }
            Err(reason) => Err(anyhow::anyhow!(reason)),
        };
        if let Err(err) = outcome {
            tracing::error!(message_id = %message_id, error = format!("{err:#}"), "message failed");
            let mut failure = BatchItemFailure::default();
            failure.item_identifier = message_id;
            response.batch_item_failures.push(failure);
        }
    }
    response
}
