//! The transactional outbox: an aggregate change and the domain events it produced are
//! written in one DynamoDB `TransactWriteItems`, so an event is published if and only if
//! the change was stored. The table's stream carries the outbox item to the relay
//! ([`crate::relay`]), which publishes it to SNS. TTL removes the item afterwards.
//!
//! Outbox items are the source of truth for what must still be published: an item is
//! *pending* until the relay has published it and marked it so. Pending items carry the
//! keys of a sparse global secondary index, [`UNPUBLISHED_INDEX`], which the relay's
//! scheduled sweep reads to publish anything the stream did not (an SNS outage longer than
//! the stream's 24 h retention, a batch the stream mapping gave up on). Marking an item
//! published removes those keys, so the index only ever holds what is still owed.
//!
//! Outbox item shape (the relay's stream filter matches on `kind`):
//! - `pk = "OUTBOX#<event id>"`, `sk = "OUTBOX"` (or, when a consumer's inbox record
//!   carries the item, the record's key and attributes: [`crate::inbox`]),
//!   `kind = "OutboxEvent"`, `eventType`,
//!   `correlationId`, `event` (the envelope JSON), `expiresAt` (epoch seconds, the TTL);
//! - while pending: `outboxPending = "PENDING"` and `outboxSince = "<RFC 3339 UTC, ms>#<event
//!   id>"` (the index's partition and sort keys: oldest first);
//! - once published: no index keys, `publishedAt` (RFC 3339 UTC, ms);
//! - while a relay is publishing it: `outboxLeaseBy` and `outboxLeaseUntil` (epoch ms);
//! - when it is not an event the relay can publish: `outboxPending = "UNPUBLISHABLE"` and
//!   `outboxError` (why): it leaves the sweep's partition but stays in the index, where an
//!   operator (or a redrive tool) finds it by querying that partition; setting
//!   `outboxPending` back to `"PENDING"` after a fix makes the next sweep publish it.
//!
//! The template declares the index on every table with an outbox:
//! `IndexName: Unpublished`, keys `outboxPending` (HASH, S) and `outboxSince` (RANGE, S),
//! `Projection: KEYS_ONLY` (the sweep re-reads each item consistently anyway). Every pending
//! item shares one index partition (`PENDING`): items leave it within a second, so it stays
//! small, and its write rate is the table's event rate (DynamoDB splits a hot index
//! partition on the sort key).

use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem};

use crate::envelope::EventEnvelope;

/// Value of the `kind` attribute of outbox items; the stream filter criteria match on it.
pub const OUTBOX_KIND: &str = "OutboxEvent";

/// Name of the sparse index of unpublished outbox items (see the module docs).
pub const UNPUBLISHED_INDEX: &str = "Unpublished";

/// Partition key attribute of [`UNPUBLISHED_INDEX`]: [`PENDING`] or [`UNPUBLISHABLE`].
pub const PENDING_ATTRIBUTE: &str = "outboxPending";

/// Sort key attribute of [`UNPUBLISHED_INDEX`]: `<written at, RFC 3339 UTC ms>#<event id>`.
pub const SINCE_ATTRIBUTE: &str = "outboxSince";

/// [`PENDING_ATTRIBUTE`] of an item that must still be published.
pub const PENDING: &str = "PENDING";

/// [`PENDING_ATTRIBUTE`] of an item the relay set aside because it is not a publishable
/// event; [`ERROR_ATTRIBUTE`] says why.
pub const UNPUBLISHABLE: &str = "UNPUBLISHABLE";

/// Attribute set when the item was published (RFC 3339 UTC, milliseconds).
pub const PUBLISHED_AT_ATTRIBUTE: &str = "publishedAt";

/// Attribute saying why an item was set aside as [`UNPUBLISHABLE`].
pub const ERROR_ATTRIBUTE: &str = "outboxError";

/// Most items DynamoDB accepts in one transaction.
pub const MAX_TRANSACTION_ITEMS: usize = 100;

/// What the relay publishes instead of the envelope, for messages meant for people:
/// stored on the outbox item as `publishSubject`, `publishMessage`, `publishAttributes`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publication {
    /// SNS `Subject` (email subject line), at most 100 characters.
    pub subject: String,
    /// SNS `Message`: the text itself.
    pub message: String,
    /// SNS message attributes (string values), which subscriptions filter on.
    pub attributes: std::collections::BTreeMap<String, String>,
}

/// Writes outbox items to one table.
#[derive(Debug, Clone)]
pub struct Outbox {
    table: String,
    retention: Duration,
}

impl Outbox {
    /// An outbox in `table` whose items expire `retention` after they are written.
    pub fn new(table: impl Into<String>, retention: Duration) -> Self {
        Self { table: table.into(), retention }
    }

    /// The transaction item that records `envelope` in the outbox.
    ///
    /// The put is conditional on the event id being new, so a retried command can never
    /// publish the same event twice.
    pub fn put(&self, envelope: &EventEnvelope) -> TransactWriteItem {
        self.put_item(envelope, None)
    }

    /// Like [`Outbox::put`], but the relay publishes `publication` (a message for people,
    /// with its own subject and attributes) instead of the envelope JSON.
    pub fn put_publication(&self, envelope: &EventEnvelope, publication: &Publication) -> TransactWriteItem {
        self.put_item(envelope, Some(publication))
    }

    fn put_item(&self, envelope: &EventEnvelope, publication: Option<&Publication>) -> TransactWriteItem {
        let now = chrono::Utc::now();
        let expires_at = now.timestamp() + self.retention.as_secs() as i64;
        let since = format!("{}#{}", timestamp(now), envelope.id);
        let item: HashMap<String, AttributeValue> = HashMap::from([
            ("pk".to_owned(), AttributeValue::S(format!("OUTBOX#{}", envelope.id))),
            ("sk".to_owned(), AttributeValue::S("OUTBOX".to_owned())),
            ("kind".to_owned(), AttributeValue::S(OUTBOX_KIND.to_owned())),
            ("eventType".to_owned(), AttributeValue::S(envelope.event_type.clone())),
            ("correlationId".to_owned(), AttributeValue::S(envelope.correlation_id.clone())),
            ("event".to_owned(), AttributeValue::S(envelope.to_json())),
            ("expiresAt".to_owned(), AttributeValue::N(expires_at.to_string())),
            (PENDING_ATTRIBUTE.to_owned(), AttributeValue::S(PENDING.to_owned())),
            (SINCE_ATTRIBUTE.to_owned(), AttributeValue::S(since)),
        ]);
        let mut item = item;
        if let Some(publication) = publication {
            item.insert("publishSubject".to_owned(), AttributeValue::S(publication.subject.clone()));
            item.insert("publishMessage".to_owned(), AttributeValue::S(publication.message.clone()));
            let attributes =
                publication.attributes.iter().map(|(k, v)| (k.clone(), AttributeValue::S(v.clone()))).collect();
            item.insert("publishAttributes".to_owned(), AttributeValue::M(attributes));
        }
        crate::dynamo::put(&self.table, item, crate::dynamo::Condition::New)
    }
}

/// `time` as the outbox writes it: RFC 3339 in UTC with milliseconds and a `Z`, so that
/// text order is time order (the sweep compares [`SINCE_ATTRIBUTE`] values as strings).
pub fn timestamp(time: chrono::DateTime<chrono::Utc>) -> String {
    time.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Why a transaction was not applied.
#[derive(Debug, thiserror::Error)]
pub enum TransactError {
    /// The conditions of the items at `failed` (indexes in the order given, ascending)
    /// did not hold; nothing was written. Callers map this to a domain answer (a
    /// duplicate, a stale version).
    #[error("the conditions of transaction items {failed:?} failed")]
    ConditionFailed {
        /// Indexes of every item whose condition failed.
        failed: Vec<usize>,
    },
    /// Any other failure (throttling, network, a conflicting transaction): nothing was
    /// written, and retrying may succeed.
    #[error("transaction failed")]
    Other(#[source] anyhow::Error),
}

/// Executes `items` as one all-or-nothing `TransactWriteItems` call.
///
/// # Errors
/// [`TransactError::ConditionFailed`] with the failing items' indexes when condition
/// checks refused the transaction; [`TransactError::Other`] otherwise.
pub async fn transact(client: &aws_sdk_dynamodb::Client, items: Vec<TransactWriteItem>) -> Result<(), TransactError> {
    use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
    let result = client.transact_write_items().set_transact_items(Some(items)).send().await;
    match result {
        Ok(_) => Ok(()),
        Err(err) => {
            let service_error = err.into_service_error();
            if let TransactWriteItemsError::TransactionCanceledException(cancelled) = &service_error {
                let failed: Vec<usize> = cancelled
                    .cancellation_reasons()
                    .iter()
                    .enumerate()
                    .filter(|(_, reason)| reason.code() == Some("ConditionalCheckFailed"))
                    .map(|(index, _)| index)
                    .collect();
                if !failed.is_empty() {
                    return Err(TransactError::ConditionFailed { failed });
                }
            }
            Err(TransactError::Other(service_error.into()))
        }
    }
}
