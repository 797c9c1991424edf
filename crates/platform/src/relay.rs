//! The outbox relay: a Lambda that publishes each outbox item ([`crate::outbox`]) of one
//! table to the context's SNS topic, fed two ways:
//!
//! - **the table's DynamoDB stream** ([`Relay::handle`]), filtered on outbox inserts: the
//!   fast path, in write order;
//! - **a schedule** ([`Relay::sweep`], an EventBridge rule every minute): the safety net.
//!   It queries the sparse index [`UNPUBLISHED_INDEX`] for items still pending longer than
//!   a grace period and publishes them. Outbox items, not stream records, are the source of
//!   truth: an SNS outage longer than the stream's retention, or a batch the stream mapping
//!   gave up on, loses nothing.
//!
//! Publishing one item:
//! 1. **Claim** it: a conditional `UpdateItem` that sets a short lease
//!    (`outboxLeaseBy`, `outboxLeaseUntil`) only if the item is still unpublished and nobody
//!    else holds a live lease. An item already published (a replayed stream record, a sweep
//!    racing the stream) or being published right now by another invocation is skipped:
//!    a replay never re-sends what was sent.
//!
//!    A **fresh** stream record (its item written less than the grace period minus
//!    [`LEASE`] ago, [`claim_needed`]) is only *checked* instead: a consistent `GetItem`
//!    (a read unit, a fifth of a write unit's price) that skips it when it is published,
//!    set aside, gone or leased. No sweep can be publishing it: the sweep takes only items
//!    older than the grace period, and the stream invocation that checked it ends (its
//!    `Timeout`, 10 s, is below [`LEASE`]) at least `LEASE - Timeout` before the item
//!    reaches that age. Records of one shard reach one invocation at a time, so the check
//!    still keeps a replayed record from being sent again.
//! 2. **Publish** it, retrying with a short jittered exponential backoff (`backon`) for at
//!    most [`PUBLISH_BUDGET`]; a failure releases the lease so the next try (a stream
//!    retry, the next sweep) may publish it.
//! 3. **Mark** it published: `UpdateItem` (conditional on the item existing) that removes the
//!    index keys and the lease and sets `publishedAt`; the item leaves the index.
//!
//! The message body is the event envelope JSON, with message attributes `eventType` and
//! `correlationId` so subscriptions filter without parsing the body, published in the
//! event's X-Ray trace: the request's `X-Amzn-Trace-Id` header is the envelope's
//! `traceHeader` ([`crate::trace`]), which SNS passes to each SQS subscription as the
//! message's `AWSTraceHeader`, so the consumers continue the trace of the invocation that
//! wrote the event rather than the relay's own (a stream starts no trace); an outbox item may
//! instead carry a [`Publication`] (a message for people: subject, text, attributes).
//!
//! Guarantees and their limits:
//! - At least once: an item is pending until marked, and a pending item is published by
//!   the stream or, after the grace period, by the sweep.
//! - Once, for everything marked: nothing marked is published again. The one window left is
//!   a publish that succeeded followed by a mark that failed even after retries (DynamoDB
//!   unavailable right then) or a crash between the two: the item is published again after
//!   its lease expires. Consumers deduplicate on the event id; it is logged as an error.
//! - Order: the stream path publishes each flow's events (one correlation id) in write
//!   order, several flows at once ([`STREAM_CONCURRENCY`]), and stops a flow at its first
//!   failure (the batch's earliest failure is reported in `batchItemFailures`, so Lambda
//!   retries from there, in order); events of different flows may reach SNS in another
//!   order than written, which SNS standard topics never promised anyway. The sweep
//!   publishes oldest first but concurrently, and late: consumers ignore stale events.
//! - A record that is not a publishable event never blocks the shard: the relay logs it and
//!   sets the item aside (`outboxPending = "UNPUBLISHABLE"`, `outboxError`), where
//!   operators find it in the index (see [`crate::outbox`]).
//! - Items written before the index existed (no `outboxPending`, no `publishedAt`) are
//!   claimable too, so none is dropped by the change.
//!
//! Cost per event on the stream path: for a fresh record one consistent `GetItem` (the check)
//! and one conditional `UpdateItem` (the mark) besides the `Publish`, for an older one two
//! `UpdateItem`s (claim, mark); and the index's own writes (one when the item is put, one
//! when the mark removes it); the lease and the mark only touch non-key attributes of a
//! `KEYS_ONLY` index otherwise. A sweep that finds nothing costs one `Query`.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use aws_lambda_events::event::dynamodb::{Event, EventRecord};
use aws_lambda_events::event::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};
use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_sns::types::MessageAttributeValue;
use backon::{ExponentialBuilder, Retryable};
use chrono::{DateTime, Utc};
use tracing::Instrument;

use crate::envelope::EventEnvelope;
use crate::outbox::{
    ERROR_ATTRIBUTE, OUTBOX_KIND, PENDING, PENDING_ATTRIBUTE, PUBLISHED_AT_ATTRIBUTE, Publication, SINCE_ATTRIBUTE,
    UNPUBLISHABLE, UNPUBLISHED_INDEX,
};

/// Longest time one item's publishing is retried within one invocation, backoff included.
/// The relay function's `Timeout` (10 s in the templates) must exceed it.
pub const PUBLISH_BUDGET: Duration = Duration::from_secs(4);

/// How long a claim keeps others from publishing the same item: longer than any relay
/// invocation (the relay functions' `Timeout` is 10 s in the templates; it must stay below
/// this), so only a crashed invocation's claim ever expires, and short, because until it
/// does the item waits: a crash mid-publish delays that event by at most this plus one sweep.
pub const LEASE: Duration = Duration::from_secs(30);

/// Default of `OUTBOX_SWEEP_GRACE_SECONDS`: how old a pending item must be before the
/// sweep publishes it (the stream normally does it within a second).
pub const DEFAULT_GRACE: Duration = Duration::from_secs(60);

/// How long one sweep takes new items; items already started finish (each within
/// [`PUBLISH_BUDGET`]), so a sweep ends well within a 10 s function timeout. What is left
/// waits for the next sweep.
pub const SWEEP_BUDGET: Duration = Duration::from_secs(4);

/// Items one sweep publishes at the same time.
pub const SWEEP_CONCURRENCY: usize = 8;

/// Flows (correlation ids) one stream batch publishes at the same time, each in order.
pub const STREAM_CONCURRENCY: usize = 8;

/// The lease attributes of an item being published (see [`crate::outbox`]).
const LEASE_BY: &str = "outboxLeaseBy";
const LEASE_UNTIL: &str = "outboxLeaseUntil";

/// Where events are published (the context's SNS topic) and the table whose outbox
/// items they are.
#[derive(Debug, Clone)]
pub struct Relay {
    sns: aws_sdk_sns::Client,
    dynamodb: aws_sdk_dynamodb::Client,
    topic_arn: String,
    table: String,
    grace: Duration,
}

/// What became of one outbox item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Delivery {
    /// Published now and marked.
    Published,
    /// Already published, set aside, gone, or being published by another invocation.
    Skipped,
    /// Not a publishable event: set aside as [`UNPUBLISHABLE`].
    SetAside,
}

/// What one sweep did, returned as the scheduled invocation's result.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SweepReport {
    /// Pending items older than the grace period that the sweep looked at.
    pub found: usize,
    /// Items it published (and marked).
    pub published: usize,
    /// Items someone else published or is publishing, or that were gone.
    pub skipped: usize,
    /// Items set aside as not publishable.
    pub set_aside: usize,
    /// Items whose publishing failed (they stay pending for the next sweep).
    pub failed: usize,
}

/// An outbox item to publish, from a stream record or a table read.
struct Pending {
    pk: String,
    sk: String,
    event: Result<EventEnvelope, String>,
    publication: Option<Publication>,
    /// When the item was written (its [`SINCE_ATTRIBUTE`]), if it says.
    written_at: Option<DateTime<Utc>>,
}

/// Whether the stream path must claim an item written at `written_at` before publishing it
/// at `now`, rather than only check it (see the module docs): true unless the item is
/// younger than `grace` minus [`LEASE`], so that no sweep can take it while this invocation
/// runs; true too when the write time is unknown or `grace` is shorter than the lease.
pub fn claim_needed(written_at: Option<DateTime<Utc>>, now: DateTime<Utc>, grace: Duration) -> bool {
    let Some(window) = grace.checked_sub(LEASE).and_then(|window| chrono::Duration::from_std(window).ok()) else {
        return true;
    };
    written_at.is_none_or(|written| now.signed_duration_since(written) >= window)
}

impl Relay {
    /// A relay that publishes the outbox items of `table` to `topic_arn`, sweeping items
    /// pending longer than [`DEFAULT_GRACE`].
    ///
    /// The relay owns its retry policy ([`PUBLISH_BUDGET`]): the SNS client's own retries
    /// are turned off so that the two do not multiply.
    pub fn new(
        sns: &aws_sdk_sns::Client,
        dynamodb: aws_sdk_dynamodb::Client,
        topic_arn: impl Into<String>,
        table: impl Into<String>,
    ) -> Self {
        let sns_config =
            sns.config().to_builder().retry_config(aws_sdk_sns::config::retry::RetryConfig::disabled()).build();
        Self::with_clients(aws_sdk_sns::Client::from_conf(sns_config), dynamodb, topic_arn, table)
    }

    /// A relay whose SNS client is used as given (its retries already off).
    fn with_clients(
        sns: aws_sdk_sns::Client,
        dynamodb: aws_sdk_dynamodb::Client,
        topic_arn: impl Into<String>,
        table: impl Into<String>,
    ) -> Self {
        Self { sns, dynamodb, topic_arn: topic_arn.into(), table: table.into(), grace: DEFAULT_GRACE }
    }

    /// The same relay with another grace period for the sweep.
    #[must_use]
    pub fn with_grace(mut self, grace: Duration) -> Self {
        self.grace = grace;
        self
    }

    /// The relay of a deployed function. Environment: `TOPIC_ARN` (the context's events
    /// topic), `OUTBOX_TABLE` (the table whose outbox it relays and sweeps), and optionally
    /// `OUTBOX_SWEEP_GRACE_SECONDS` (default 60).
    ///
    /// # Errors
    /// When `TOPIC_ARN` or `OUTBOX_TABLE` is not set, or the grace is not a whole number.
    pub async fn from_env() -> Result<Self, crate::config::ConfigError> {
        let topic_arn = crate::config::required("TOPIC_ARN")?;
        let table = crate::config::required("OUTBOX_TABLE")?;
        let grace: u64 = crate::config::optional_parsed("OUTBOX_SWEEP_GRACE_SECONDS", DEFAULT_GRACE.as_secs())?;
        let config = crate::aws::sdk_config().await;
        // One SNS client, built with the relay's retry policy (an SDK client costs a few hundred
        // microseconds of init to build: `new` would build a second one).
        let sns_config = aws_sdk_sns::config::Builder::from(&config)
            .retry_config(aws_sdk_sns::config::retry::RetryConfig::disabled())
            .build();
        Ok(Self::with_clients(
            aws_sdk_sns::Client::from_conf(sns_config),
            crate::aws::dynamodb(&config),
            topic_arn,
            table,
        )
        .with_grace(Duration::from_secs(grace)))
    }

    /// Publishes the outbox records of one stream batch: the records of one flow (one
    /// correlation id) in stream order, up to [`STREAM_CONCURRENCY`] flows at once. A flow
    /// stops at its first record that could not be published; the earliest such record of
    /// the batch is reported in `batchItemFailures`, so Lambda retries the batch from there
    /// (records after it that were published are skipped on the retry: their claim or check
    /// finds them published). Records that are not outbox inserts are skipped.
    pub async fn handle(&self, batch: Event) -> DynamoDbEventResponse {
        let mut flows: Vec<Vec<(usize, Pending)>> = Vec::new();
        let mut flow_of: HashMap<String, usize> = HashMap::new();
        for (index, record) in batch.records.iter().enumerate() {
            let Some(pending) = pending_from_record(record) else {
                continue;
            };
            let flow = pending.event.as_ref().map_or_else(|_| pending.pk.clone(), |e| e.correlation_id.clone());
            let at = *flow_of.entry(flow).or_insert_with(|| {
                flows.push(Vec::new());
                flows.len() - 1
            });
            flows[at].push((index, pending));
        }
        let first_pending = flows.iter().filter_map(|flow| flow.first().map(|(index, _)| *index)).min();
        let relay = Arc::new(self.clone());
        let mut running = tokio::task::JoinSet::new();
        let mut first_failed: Option<usize> = None;
        let mut note = |done: Option<Result<Option<usize>, tokio::task::JoinError>>| {
            let failed = match done {
                Some(Ok(failed)) => failed,
                // A task that panicked: retry the batch from its first outbox record.
                Some(Err(_)) => first_pending,
                None => None,
            };
            if let Some(index) = failed {
                first_failed = Some(first_failed.map_or(index, |first| first.min(index)));
            }
        };
        for flow in flows {
            while running.len() >= STREAM_CONCURRENCY {
                note(running.join_next().await);
            }
            let relay = Arc::clone(&relay);
            let records: Vec<String> = flow.iter().map(|(index, _)| batch.records[*index].event_id.clone()).collect();
            running.spawn(
                async move {
                    for ((index, pending), event_id) in flow.iter().zip(records) {
                        let claim = claim_needed(pending.written_at, Utc::now(), relay.grace);
                        if let Err(err) = relay.deliver(pending, claim).await {
                            tracing::error!(
                                event_id = %event_id,
                                pk = %pending.pk,
                                error = format!("{err:#}"),
                                "outbox record not published; reported for retry"
                            );
                            return Some(*index);
                        }
                    }
                    None
                }
                .instrument(tracing::Span::current()),
            );
        }
        while let Some(done) = running.join_next().await {
            note(Some(done));
        }
        let mut response = DynamoDbEventResponse::default();
        if let Some(index) = first_failed {
            response.batch_item_failures.push(failure(&batch.records[index]));
        }
        response
    }

    /// Publishes every item pending since before `now` minus the grace period, oldest
    /// first, for at most [`SWEEP_BUDGET`]. It stops taking new items at the first item
    /// it cannot publish (SNS is down: the next sweep tries again).
    ///
    /// # Errors
    /// When the index cannot be read; items are then left for the next sweep.
    pub async fn sweep(&self, now: DateTime<Utc>) -> anyhow::Result<SweepReport> {
        let started = Instant::now();
        let cutoff = crate::outbox::timestamp(now - chrono::Duration::from_std(self.grace).unwrap_or_default());
        let mut pages = self
            .dynamodb
            .query()
            .table_name(&self.table)
            .index_name(UNPUBLISHED_INDEX)
            .key_condition_expression("#pending = :pending AND #since < :cutoff")
            .expression_attribute_names("#pending", PENDING_ATTRIBUTE)
            .expression_attribute_names("#since", SINCE_ATTRIBUTE)
            .expression_attribute_values(":pending", AttributeValue::S(PENDING.to_owned()))
            .expression_attribute_values(":cutoff", AttributeValue::S(cutoff))
            .scan_index_forward(true)
            .into_paginator()
            .send();
        let relay = Arc::new(self.clone());
        let mut report = SweepReport::default();
        let mut running = tokio::task::JoinSet::new();
        let mut stopping = false;
        'pages: while let Some(page) = pages.next().await {
            let page = page.with_context(|| format!("Query {UNPUBLISHED_INDEX} of {}", self.table))?;
            for key in page.items.unwrap_or_default() {
                if stopping || started.elapsed() >= SWEEP_BUDGET {
                    break 'pages;
                }
                let (Some(pk), Some(sk)) = (string(&key, "pk"), string(&key, "sk")) else {
                    continue;
                };
                report.found += 1;
                while running.len() >= SWEEP_CONCURRENCY {
                    stopping |= tally(&mut report, running.join_next().await);
                }
                let relay = Arc::clone(&relay);
                running.spawn(async move { relay.sweep_one(pk, sk).await });
            }
        }
        while let Some(done) = running.join_next().await {
            tally(&mut report, Some(done));
        }
        if report.found > 0 {
            tracing::info!(?report, "outbox sweep");
        }
        Ok(report)
    }

    /// Re-reads one item the index listed (the index lags the table) and delivers it if
    /// it is still pending.
    async fn sweep_one(&self, pk: String, sk: String) -> anyhow::Result<Delivery> {
        let output = self
            .dynamodb
            .get_item()
            .table_name(&self.table)
            .set_key(Some(crate::dynamo::key(&pk, &sk)))
            .consistent_read(true)
            .send()
            .await
            .with_context(|| format!("GetItem {pk} in {}", self.table))?;
        let Some(item) = output.item else {
            return Ok(Delivery::Skipped);
        };
        if string(&item, PENDING_ATTRIBUTE).as_deref() != Some(PENDING) {
            return Ok(Delivery::Skipped);
        }
        let image = serde_dynamo::Item::from(item);
        self.deliver(&pending_from_image(pk, sk, &image), true).await
    }

    /// Claims (with `claim`; else checks), publishes and marks one item; sets aside one that
    /// is not an event.
    ///
    /// # Errors
    /// When the claim, the check or the publishing failed; the item stays pending (unleased
    /// when the failure was the publishing).
    async fn deliver(&self, pending: &Pending, claim: bool) -> anyhow::Result<Delivery> {
        let envelope = match &pending.event {
            Ok(envelope) => envelope,
            Err(reason) => {
                tracing::error!(pk = %pending.pk, reason, "outbox item is not an event; set aside as {UNPUBLISHABLE}");
                if let Err(err) = self.set_aside(pending, reason).await {
                    // Still pending: the sweep meets it again and retries setting it aside.
                    tracing::error!(pk = %pending.pk, error = format!("{err:#}"), "cannot set the item aside");
                }
                return Ok(Delivery::SetAside);
            }
        };
        let span = tracing::info_span!(
            "relay",
            correlation_id = %envelope.correlation_id,
            causation_id = envelope.causation_id.as_deref(),
            event_id = %envelope.id,
            event_type = %envelope.event_type,
            trace_id = envelope.trace_header.as_deref(),
        );
        async {
            let lease = claim.then(|| uuid::Uuid::new_v4().to_string());
            let publishable = match &lease {
                Some(lease) => self.claim(pending, lease).await?,
                None => self.check(pending).await?,
            };
            if !publishable {
                tracing::info!("already published or being published; skipped");
                return Ok(Delivery::Skipped);
            }
            if let Err(err) = self.publish_with_retries(envelope, pending.publication.as_ref()).await {
                if let Some(lease) = &lease
                    && let Err(release) = self.release(pending, lease).await
                {
                    tracing::warn!(error = format!("{release:#}"), "cannot release the claim; it expires");
                }
                return Err(err);
            }
            tracing::info!("published");
            if let Err(err) = self.mark_published(pending).await {
                tracing::error!(
                    error = format!("{err:#}"),
                    "published but not marked: it will be published again once its claim expires"
                );
            }
            Ok(Delivery::Published)
        }
        .instrument(span)
        .await
    }

    /// Takes the lease of an unpublished item; false when it is published, set aside,
    /// gone, or leased by someone else.
    async fn claim(&self, pending: &Pending, lease: &str) -> anyhow::Result<bool> {
        use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
        let now = Utc::now().timestamp_millis();
        let until = now.saturating_add(i64::try_from(LEASE.as_millis()).unwrap_or(i64::MAX));
        let result = self
            .dynamodb
            .update_item()
            .table_name(&self.table)
            .set_key(Some(crate::dynamo::key(&pending.pk, &pending.sk)))
            .update_expression("SET #by = :by, #until = :until")
            .condition_expression(
                "attribute_exists(pk) AND attribute_not_exists(#published) \
                 AND (attribute_not_exists(#pending) OR #pending = :pending) \
                 AND (attribute_not_exists(#until) OR #until < :now)",
            )
            .expression_attribute_names("#by", LEASE_BY)
            .expression_attribute_names("#until", LEASE_UNTIL)
            .expression_attribute_names("#published", PUBLISHED_AT_ATTRIBUTE)
            .expression_attribute_names("#pending", PENDING_ATTRIBUTE)
            .expression_attribute_values(":by", AttributeValue::S(lease.to_owned()))
            .expression_attribute_values(":until", AttributeValue::N(until.to_string()))
            .expression_attribute_values(":now", AttributeValue::N(now.to_string()))
            .expression_attribute_values(":pending", AttributeValue::S(PENDING.to_owned()))
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(err) => match err.into_service_error() {
                UpdateItemError::ConditionalCheckFailedException(_) => Ok(false),
                other => Err(anyhow::Error::from(other).context(format!("claiming {} in {}", pending.pk, self.table))),
            },
        }
    }

    /// Reads an item consistently: true when it is still unpublished and nobody holds a live
    /// lease on it (the claim's condition, without taking the lease).
    async fn check(&self, pending: &Pending) -> anyhow::Result<bool> {
        let output = self
            .dynamodb
            .get_item()
            .table_name(&self.table)
            .set_key(Some(crate::dynamo::key(&pending.pk, &pending.sk)))
            .consistent_read(true)
            .projection_expression("#published, #pending, #until")
            .expression_attribute_names("#published", PUBLISHED_AT_ATTRIBUTE)
            .expression_attribute_names("#pending", PENDING_ATTRIBUTE)
            .expression_attribute_names("#until", LEASE_UNTIL)
            .send()
            .await
            .with_context(|| format!("checking {} in {}", pending.pk, self.table))?;
        // A projection of an item that exists has at least one attribute: `#pending` while
        // it is owed, `#published` once it is not.
        let Some(item) = output.item.filter(|item| !item.is_empty()) else {
            return Ok(false);
        };
        let leased = match item.get(LEASE_UNTIL) {
            Some(AttributeValue::N(until)) => {
                until.parse::<i64>().is_ok_and(|until| until >= Utc::now().timestamp_millis())
            }
            _ => false,
        };
        let pending_or_legacy = string(&item, PENDING_ATTRIBUTE).is_none_or(|pending| pending == PENDING);
        Ok(!item.contains_key(PUBLISHED_AT_ATTRIBUTE) && pending_or_legacy && !leased)
    }

    /// Gives the lease back after a failed publish, if it is still ours.
    async fn release(&self, pending: &Pending, lease: &str) -> anyhow::Result<()> {
        self.dynamodb
            .update_item()
            .table_name(&self.table)
            .set_key(Some(crate::dynamo::key(&pending.pk, &pending.sk)))
            .update_expression("REMOVE #by, #until")
            .condition_expression("#by = :by")
            .expression_attribute_names("#by", LEASE_BY)
            .expression_attribute_names("#until", LEASE_UNTIL)
            .expression_attribute_values(":by", AttributeValue::S(lease.to_owned()))
            .send()
            .await
            .with_context(|| format!("releasing {} in {}", pending.pk, self.table))?;
        Ok(())
    }

    /// Marks a published item: it leaves the index, for good. Retried briefly, since a
    /// mark that is lost means a second publication later.
    async fn mark_published(&self, pending: &Pending) -> anyhow::Result<()> {
        use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
        let mark = || async {
            let result = self
                .dynamodb
                .update_item()
                .table_name(&self.table)
                .set_key(Some(crate::dynamo::key(&pending.pk, &pending.sk)))
                .update_expression("REMOVE #pending, #since, #by, #until, #error SET #published = :now")
                .condition_expression("attribute_exists(pk)")
                .expression_attribute_names("#pending", PENDING_ATTRIBUTE)
                .expression_attribute_names("#since", SINCE_ATTRIBUTE)
                .expression_attribute_names("#by", LEASE_BY)
                .expression_attribute_names("#until", LEASE_UNTIL)
                .expression_attribute_names("#error", ERROR_ATTRIBUTE)
                .expression_attribute_names("#published", PUBLISHED_AT_ATTRIBUTE)
                .expression_attribute_values(":now", AttributeValue::S(crate::outbox::timestamp(Utc::now())))
                .send()
                .await;
            match result {
                // Gone (TTL): nothing is left to mark.
                Err(err)
                    if matches!(err.as_service_error(), Some(UpdateItemError::ConditionalCheckFailedException(_))) =>
                {
                    Ok(())
                }
                other => other.map(|_| ()),
            }
        };
        mark.retry(backoff())
            .sleep(tokio::time::sleep)
            .await
            .with_context(|| format!("marking {} published in {}", pending.pk, self.table))
    }

    /// Moves an item that is not an event out of the sweep's way, saying why.
    async fn set_aside(&self, pending: &Pending, reason: &str) -> anyhow::Result<()> {
        self.dynamodb
            .update_item()
            .table_name(&self.table)
            .set_key(Some(crate::dynamo::key(&pending.pk, &pending.sk)))
            .update_expression("SET #pending = :aside, #error = :reason")
            .condition_expression("attribute_exists(pk) AND attribute_not_exists(#published)")
            .expression_attribute_names("#pending", PENDING_ATTRIBUTE)
            .expression_attribute_names("#error", ERROR_ATTRIBUTE)
            .expression_attribute_names("#published", PUBLISHED_AT_ATTRIBUTE)
            .expression_attribute_values(":aside", AttributeValue::S(UNPUBLISHABLE.to_owned()))
            .expression_attribute_values(":reason", AttributeValue::S(reason.to_owned()))
            .send()
            .await
            .with_context(|| format!("setting {} aside in {}", pending.pk, self.table))?;
        Ok(())
    }

    /// Publishes, retrying with backoff for at most [`PUBLISH_BUDGET`].
    async fn publish_with_retries(
        &self,
        envelope: &EventEnvelope,
        publication: Option<&Publication>,
    ) -> anyhow::Result<()> {
        let attempts = (|| self.publish(envelope, publication))
            .retry(backoff())
            .sleep(tokio::time::sleep)
            .notify(|err, after| tracing::warn!(error = format!("{err:#}"), ?after, "publish failed; retrying"));
        match tokio::time::timeout(PUBLISH_BUDGET, attempts).await {
            Ok(result) => result,
            Err(_) => Err(anyhow::anyhow!("publishing took longer than {PUBLISH_BUDGET:?}")),
        }
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
        match trace_header(envelope) {
            // SNS Publish takes the trace from the request's X-Amzn-Trace-Id header (it has no
            // system attributes) and hands it to each SQS subscription as `AWSTraceHeader`.
            // Set here, it replaces the relay's own invocation trace, which the SDK would send.
            Some(header) => request
                .customize()
                .mutate_request(move |http| {
                    http.headers_mut().insert(crate::trace::TRACE_HTTP_HEADER, header.clone());
                })
                .send()
                .await
                .context("SNS Publish")?,
            None => request.send().await.context("SNS Publish")?,
        };
        Ok(())
    }
}

/// The trace header an event is published with: the one its envelope carries (the trace of
/// the invocation that wrote it), when well formed.
fn trace_header(envelope: &EventEnvelope) -> Option<String> {
    envelope.trace_header.clone().filter(|header| crate::trace::root(header).is_some())
}

/// The retry schedule of one publish or mark: 100 ms doubling to 1 s, jittered, 5 retries.
fn backoff() -> ExponentialBuilder {
    ExponentialBuilder::default()
        .with_min_delay(Duration::from_millis(100))
        .with_max_delay(Duration::from_secs(1))
        .with_max_times(5)
        .with_jitter()
}

/// Counts one finished sweep task; true when it failed to publish (the sweep stops).
fn tally(report: &mut SweepReport, done: Option<Result<anyhow::Result<Delivery>, tokio::task::JoinError>>) -> bool {
    match done {
        None => false,
        Some(Ok(Ok(Delivery::Published))) => {
            report.published += 1;
            false
        }
        Some(Ok(Ok(Delivery::Skipped))) => {
            report.skipped += 1;
            false
        }
        Some(Ok(Ok(Delivery::SetAside))) => {
            report.set_aside += 1;
            false
        }
        Some(Ok(Err(err))) => {
            tracing::error!(error = format!("{err:#}"), "sweep could not publish an item; it stays pending");
            report.failed += 1;
            true
        }
        Some(Err(err)) => {
            tracing::error!(error = %err, "sweep task failed; the item stays pending");
            report.failed += 1;
            true
        }
    }
}

fn string(item: &HashMap<String, AttributeValue>, name: &str) -> Option<String> {
    match item.get(name) {
        Some(AttributeValue::S(text)) => Some(text.clone()),
        _ => None,
    }
}

/// The outbox item of an outbox insert; `None` for any other record.
fn pending_from_record(record: &EventRecord) -> Option<Pending> {
    use serde_dynamo::AttributeValue;
    if record.event_name != "INSERT" {
        return None;
    }
    let image = &record.change.new_image;
    match image.get("kind") {
        Some(AttributeValue::S(kind)) if kind == OUTBOX_KIND => {}
        _ => return None,
    }
    let key = |name: &str| match image.get(name).or_else(|| record.change.keys.get(name)) {
        Some(AttributeValue::S(text)) => Some(text.clone()),
        _ => None,
    };
    Some(pending_from_image(key("pk")?, key("sk")?, image))
}

/// The event and publication an outbox item carries.
fn pending_from_image(pk: String, sk: String, image: &serde_dynamo::Item) -> Pending {
    use serde_dynamo::AttributeValue;
    let event = match image.get("event") {
        Some(AttributeValue::S(json)) => {
            serde_json::from_str(json).map_err(|err| format!("`event` is not an envelope: {err}"))
        }
        _ => Err("the outbox item has no `event` string".to_owned()),
    };
    let written_at = match image.get(SINCE_ATTRIBUTE) {
        Some(AttributeValue::S(since)) => since
            .split_once('#')
            .and_then(|(at, _)| DateTime::parse_from_rfc3339(at).ok())
            .map(|at| at.with_timezone(&Utc)),
        _ => None,
    };
    Pending { pk, sk, event, publication: publication(image), written_at }
}

/// The publication an outbox item asks for instead of its envelope, if any.
fn publication(image: &serde_dynamo::Item) -> Option<Publication> {
    use serde_dynamo::AttributeValue;
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

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use axum::http::HeaderMap;

    use super::*;

    const HEADER: &str = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";

    /// A stand-in SNS endpoint that keeps the trace header of every request it gets.
    async fn fake_sns() -> (String, Arc<Mutex<Vec<Option<String>>>>) {
        let seen: Arc<Mutex<Vec<Option<String>>>> = Arc::default();
        let kept = Arc::clone(&seen);
        let app = axum::Router::new().fallback(move |headers: HeaderMap| {
            let kept = Arc::clone(&kept);
            async move {
                let header = headers.get("x-amzn-trace-id").and_then(|v| v.to_str().ok()).map(str::to_owned);
                kept.lock().unwrap().push(header);
                (
                    [("content-type", "text/xml")],
                    "<PublishResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><PublishResult>\
                     <MessageId>m-1</MessageId></PublishResult><ResponseMetadata><RequestId>r-1</RequestId>\
                     </ResponseMetadata></PublishResponse>",
                )
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (url, seen)
    }

    fn relay(url: &str) -> Relay {
        let config = aws_config::SdkConfig::builder()
            .behavior_version(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new("us-east-1"))
            .credentials_provider(aws_sdk_sns::config::SharedCredentialsProvider::new(
                aws_sdk_sns::config::Credentials::new("local", "local", None, None, "tests"),
            ))
            .endpoint_url(url)
            .build();
        Relay::new(&aws_sdk_sns::Client::new(&config), aws_sdk_dynamodb::Client::new(&config), "arn:t", "table")
    }

    #[test]
    fn only_records_fresh_enough_that_no_sweep_can_take_them_are_published_without_a_claim() {
        let now = Utc::now();
        let grace = Duration::from_secs(60);
        let ago = |seconds| Some(now - chrono::Duration::seconds(seconds));
        assert!(!claim_needed(ago(0), now, grace), "just written");
        assert!(!claim_needed(ago(29), now, grace));
        assert!(claim_needed(ago(30), now, grace), "a sweep could take it before this invocation ends");
        assert!(claim_needed(ago(3600), now, grace), "a late retry");
        assert!(claim_needed(None, now, grace), "written before outboxSince existed");
        assert!(claim_needed(ago(0), now, Duration::from_secs(3)), "a grace shorter than the lease");
        assert!(!claim_needed(ago(3000), now, Duration::from_secs(3600)), "a long grace (a backlog drill)");
    }

    #[derive(serde::Serialize)]
    struct Happened {}
    impl crate::envelope::DomainEvent for Happened {
        const TYPE: &'static str = "Happened";
    }

    #[tokio::test]
    async fn the_relay_publishes_an_event_with_the_trace_header_its_envelope_carries() {
        let (url, seen) = fake_sns().await;
        let relay = relay(&url);
        let mut traced = EventEnvelope::new("things", "c-1", None, &Happened {}).unwrap();
        traced.trace_header = Some(HEADER.to_owned());
        relay.publish(&traced, None).await.unwrap();
        let publication = Publication { subject: "s".into(), message: "m".into(), attributes: BTreeMap::new() };
        relay.publish(&traced, Some(&publication)).await.unwrap();
        let mut untraced = traced.clone();
        untraced.trace_header = None;
        relay.publish(&untraced, None).await.unwrap();
        let mut malformed = traced.clone();
        malformed.trace_header = Some("Root=oops".into());
        relay.publish(&malformed, None).await.unwrap();
        let seen = seen.lock().unwrap().clone();
        assert_eq!(seen.len(), 4, "{seen:?}");
        assert_eq!(seen[0].as_deref(), Some(HEADER), "an event is published in its own trace");
        assert_eq!(seen[1].as_deref(), Some(HEADER), "so is a message for people");
        // Outside Lambda the SDK adds no header of its own: none for an event without a trace.
        assert_eq!(seen[2], None);
        assert_eq!(seen[3], None, "a malformed header is not sent");
    }
}
