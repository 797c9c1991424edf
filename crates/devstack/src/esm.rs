//! Event source mappings, run as Lambda runs them.
//!
//! - DynamoDB stream: polls the table's stream, drops records that match no filter,
//!   invokes with batches of up to `BatchSize` records in order, honours
//!   `batchItemFailures` (retrying from the first failed record), retries a failing batch
//!   up to `MaximumRetryAttempts` and then sends a failure record to the on-failure SQS
//!   destination and moves on. With `BisectBatchOnFunctionError`, a batch whose
//!   invocation fails is split in halves that are retried on their own (down to a single
//!   record), before retries count, as Lambda does. The position is checkpointed to a
//!   file (written atomically: a temporary file renamed over it), so a restart, a Ctrl-C
//!   or a `kill -9` neither loses nor replays records; a positions file that is missing
//!   while table data exists, or unreadable, stops the stack at start (see
//!   [`Checkpoints::load`]) instead of replaying every stream silently.
//! - SQS: `MaximumConcurrency` pollers receive up to `BatchSize` messages, invoke, and
//!   delete what succeeded: everything on success, everything but `batchItemFailures`
//!   with `ReportBatchItemFailures`, nothing when the function fails. Failed messages come
//!   back after the visibility timeout and move to the dead-letter queue after the
//!   queue's `maxReceiveCount`, as SQS does.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::anyhow;
use axum::body::Bytes;
use serde_json::{Value, json};

use crate::emulators::{Emulators, REGION};
use crate::lambda::{Function, Outcome};
use crate::model::{SqsMapping, StreamMapping};

/// How often a mapping polls when nothing woke it: the fallback for writes and sends that
/// do not wake it (a message visible again after its visibility timeout, a write from
/// outside the stack's functions).
const IDLE_POLL: Duration = Duration::from_millis(500);

/// How long a disabled SQS mapping sleeps between looks at its switch.
const DISABLED_POLL: Duration = Duration::from_millis(100);

/// Tells the mappings that something may have arrived: every [`Wake::notify`] ends the
/// [`Woken::wait`] of every subscriber (notifications coalesce; none is lost between a
/// subscriber's [`Woken::mark_seen`] and its next wait).
#[derive(Debug, Clone)]
pub struct Wake(Arc<tokio::sync::watch::Sender<()>>);

impl Default for Wake {
    fn default() -> Self {
        Self(Arc::new(tokio::sync::watch::Sender::new(())))
    }
}

impl Wake {
    /// Wakes every subscriber.
    pub fn notify(&self) {
        self.0.send_replace(());
    }

    /// A subscriber that has seen nothing yet.
    pub fn subscribe(&self) -> Woken {
        Woken(self.0.subscribe())
    }
}

/// One subscriber of a [`Wake`].
#[derive(Debug)]
pub struct Woken(tokio::sync::watch::Receiver<()>);

impl Woken {
    /// Marks every notification so far as seen: call before looking for work.
    pub fn mark_seen(&mut self) {
        self.0.mark_unchanged();
    }

    /// Waits for a notification not yet seen, or `at_most`.
    pub async fn wait(&mut self, at_most: Duration) {
        let started = tokio::time::Instant::now();
        if let Ok(Err(_)) = tokio::time::timeout(at_most, self.0.changed()).await {
            // The sender is gone (a stack shutting down): nothing will wake it any more.
            tokio::time::sleep_until(started + at_most).await;
        }
    }
}

/// A checkpoint that means "from the start of the shard" (a LATEST mapping that began on
/// an empty shard).
const FROM_START: &str = "TRIM_HORIZON";

/// Persisted stream positions: mapping id -> shard id -> last processed sequence number.
#[derive(Clone, Default)]
pub struct Checkpoints {
    file: Option<PathBuf>,
    positions: Arc<std::sync::Mutex<BTreeMap<String, BTreeMap<String, String>>>>,
    /// Set by [`Checkpoints::close`]: a stopped stack records no more positions.
    closed: Arc<AtomicBool>,
}

/// Why the saved stream positions cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum CheckpointError {
    /// The file cannot be read or does not hold positions (torn, edited, not JSON).
    #[error(
        "the stream positions file {file} is unreadable ({reason}); starting without it would \
         replay every stream. Restore the file, or restart with --reset-stream-positions to \
         start every stream mapping again from its StartingPosition"
    )]
    Unreadable {
        /// The positions file.
        file: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// Table data exists but its positions file does not: the positions were lost.
    #[error(
        "the stream positions file {file} is missing but table data from an earlier run exists; \
         starting without it would replay every stream. Restore the file, or restart with \
         --reset-stream-positions (or --fresh for empty tables)"
    )]
    Missing {
        /// The positions file.
        file: PathBuf,
    },
}

impl Checkpoints {
    /// Checkpoints kept in `file` (loaded now), or only in memory with `None`.
    ///
    /// `data_exists`: table data from an earlier run is on disk, so a missing file means
    /// lost positions, not a fresh start. `reset`: ignore (and replace) whatever is there.
    ///
    /// # Errors
    /// [`CheckpointError::Unreadable`] for a file that cannot be read or parsed,
    /// [`CheckpointError::Missing`] for a missing file while `data_exists`; never without
    /// `file` or with `reset`.
    pub fn load(file: Option<PathBuf>, data_exists: bool, reset: bool) -> Result<Self, CheckpointError> {
        let positions = match &file {
            Some(_) if reset => BTreeMap::new(),
            None => BTreeMap::new(),
            Some(path) => match std::fs::read_to_string(path) {
                Ok(text) => serde_json::from_str(&text)
                    .map_err(|err| CheckpointError::Unreadable { file: path.clone(), reason: err.to_string() })?,
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                    if data_exists {
                        return Err(CheckpointError::Missing { file: path.clone() });
                    }
                    BTreeMap::new()
                }
                Err(err) => {
                    return Err(CheckpointError::Unreadable { file: path.clone(), reason: err.to_string() });
                }
            },
        };
        let checkpoints = Self {
            file,
            positions: Arc::new(std::sync::Mutex::new(positions)),
            closed: Arc::new(AtomicBool::new(false)),
        };
        // Written at once, so a stack stopped before its first checkpoint still leaves a
        // positions file next to its table data.
        checkpoints.save(&checkpoints.positions.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
        Ok(checkpoints)
    }

    /// Writes `positions` to the file atomically: a temporary file, flushed to disk, then
    /// renamed over the old one, so a crash leaves either the old or the new positions.
    fn save(&self, positions: &BTreeMap<String, BTreeMap<String, String>>) {
        let Some(file) = &self.file else { return };
        let written = serde_json::to_string_pretty(positions).map_err(std::io::Error::other).and_then(|text| {
            use std::io::Write;
            let temporary = file.with_extension("json.tmp");
            let mut out = std::fs::File::create(&temporary)?;
            out.write_all(text.as_bytes())?;
            out.sync_all()?;
            std::fs::rename(&temporary, file)?;
            if let Some(dir) = file.parent()
                && let Ok(dir) = std::fs::File::open(dir)
            {
                let _ = dir.sync_all();
            }
            Ok(())
        });
        if let Err(err) = written {
            tracing::error!(file = %file.display(), error = %err, "cannot save stream positions");
        }
    }

    /// Stops writing the file: waits for a save in progress, then writes no more, so the
    /// file a stopped stack leaves is final (its pollers may still be winding down; they
    /// keep their positions in memory only).
    pub fn close(&self) {
        let _positions = self.positions.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        self.closed.store(true, Ordering::SeqCst);
    }

    fn get(&self, mapping: &str, shard: &str) -> Option<String> {
        self.positions.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get(mapping)?.get(shard).cloned()
    }

    fn set(&self, mapping: &str, shard: &str, sequence_number: &str) {
        let mut positions = self.positions.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        positions.entry(mapping.to_owned()).or_default().insert(shard.to_owned(), sequence_number.to_owned());
        if !self.closed.load(Ordering::SeqCst) {
            self.save(&positions);
        }
    }
}

/// A running mapping that can be disabled and enabled (like `UpdateEventSourceMapping`).
#[derive(Clone)]
pub struct MappingSwitch {
    /// Mapping id, `<function logical id>.<event name>`.
    pub id: String,
    /// Logical id of the function it invokes.
    pub function: String,
    enabled: Arc<AtomicBool>,
}

impl MappingSwitch {
    /// A switch for mapping `id` of `function`.
    pub fn new(id: &str, function: &str, enabled: bool) -> Self {
        Self { id: id.to_owned(), function: function.to_owned(), enabled: Arc::new(AtomicBool::new(enabled)) }
    }

    /// Starts or stops polling.
    pub fn set_enabled(&self, enabled: bool) {
        self.enabled.store(enabled, Ordering::SeqCst);
    }

    /// Whether the mapping polls.
    pub fn is_enabled(&self) -> bool {
        self.enabled.load(Ordering::SeqCst)
    }
}

fn sequence_key(sequence_number: &str) -> (usize, String) {
    (sequence_number.len(), sequence_number.to_owned())
}

/// Runs a DynamoDB stream mapping until the task is dropped.
///
/// It polls when `wake` says something may have written (an invocation ended) and, as a
/// fallback for writes from outside the stack's functions, every [`IDLE_POLL`].
pub async fn run_stream(
    emulators: Emulators,
    mapping: StreamMapping,
    function: Arc<Function>,
    checkpoints: Checkpoints,
    switch: MappingSwitch,
    wake: Wake,
) {
    let mut woken = wake.subscribe();
    let mut stream: Option<(StreamShards, tokio::time::Instant)> = None;
    loop {
        woken.mark_seen();
        if switch.is_enabled() {
            if stream.as_ref().is_none_or(|(_, at)| at.elapsed() >= SHARDS_KEPT_FOR) {
                stream = match describe_stream(&emulators, &mapping) {
                    Ok(found) => found.map(|shards| (shards, tokio::time::Instant::now())),
                    Err(err) => {
                        tracing::warn!(mapping = %mapping.id, error = format!("{err:#}"), "describing the stream failed");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        None
                    }
                };
            }
            if let Some((shards, _)) = &stream
                && let Err(err) = poll_stream_once(&emulators, &mapping, &function, &checkpoints, shards).await
            {
                // Described again next time: the stream or its shards may have changed.
                stream = None;
                tracing::warn!(mapping = %mapping.id, error = format!("{err:#}"), "stream poll failed");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
        woken.wait(IDLE_POLL).await;
    }
}

/// A table's stream and its shards.
#[derive(Debug, Clone)]
struct StreamShards {
    stream_arn: String,
    shard_ids: Vec<String>,
}

/// How long a mapping trusts the shards it was told before it describes the stream again.
const SHARDS_KEPT_FOR: Duration = Duration::from_secs(10);

/// The stream of the mapping's table and its shards; `None` while the table has no stream.
fn describe_stream(emulators: &Emulators, mapping: &StreamMapping) -> anyhow::Result<Option<StreamShards>> {
    let streams = emulators.ddb(dynoxide::Database::list_streams, json!({ "TableName": mapping.table_name }))?;
    let Some(stream_arn) = streams["Streams"][0]["StreamArn"].as_str().map(str::to_owned) else {
        return Ok(None);
    };
    let description = emulators.ddb(dynoxide::Database::describe_stream, json!({ "StreamArn": stream_arn }))?;
    let shard_ids = description["StreamDescription"]["Shards"]
        .as_array()
        .map(|shards| shards.iter().filter_map(|s| s["ShardId"].as_str().map(str::to_owned)).collect())
        .unwrap_or_default();
    Ok(Some(StreamShards { stream_arn, shard_ids }))
}

async fn poll_stream_once(
    emulators: &Emulators,
    mapping: &StreamMapping,
    function: &Function,
    checkpoints: &Checkpoints,
    stream: &StreamShards,
) -> anyhow::Result<()> {
    for shard_id in &stream.shard_ids {
        poll_shard(emulators, mapping, function, checkpoints, &stream.stream_arn, shard_id).await?;
    }
    Ok(())
}

async fn poll_shard(
    emulators: &Emulators,
    mapping: &StreamMapping,
    function: &Function,
    checkpoints: &Checkpoints,
    stream_arn: &str,
    shard_id: &str,
) -> anyhow::Result<()> {
    let mut attempts: i64 = 0;
    // BisectBatchOnFunctionError: the batch size in force while a failed batch is being
    // split, and the last record of the first batch that was split (past it, batches are
    // whole again).
    let mut limit = mapping.batch_size.max(1);
    let mut split_until: Option<String> = None;
    loop {
        let position = checkpoints.get(&mapping.id, shard_id);
        let request = match position.as_deref() {
            Some(FROM_START) | None => {
                json!({ "StreamArn": stream_arn, "ShardId": shard_id, "ShardIteratorType": "TRIM_HORIZON" })
            }
            Some(sequence_number) => json!({
                "StreamArn": stream_arn, "ShardId": shard_id,
                "ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": sequence_number,
            }),
        };
        let iterator = emulators.ddb(dynoxide::Database::get_shard_iterator, request)?;
        let Some(iterator) = iterator["ShardIterator"].as_str() else {
            return Ok(());
        };
        let page =
            emulators.ddb(dynoxide::Database::get_records, json!({ "ShardIterator": iterator, "Limit": 1000 }))?;
        let records = page["Records"].as_array().cloned().unwrap_or_default();
        // LATEST: the first poll skips what is already there and remembers where it stopped.
        if position.is_none() && mapping.starting_position == "LATEST" {
            let last = records.last().and_then(|r| r["dynamodb"]["SequenceNumber"].as_str()).unwrap_or(FROM_START);
            checkpoints.set(&mapping.id, shard_id, last);
            return Ok(());
        }
        if records.is_empty() {
            return Ok(());
        }
        // Records that match no filter are dropped before batching, as Lambda filters: a
        // batch gathers the matching records of the whole page (up to the batch size), and
        // the position advances past the dropped ones too. `through` is the last record
        // looked at: everything up to it is in the batch or dropped.
        let mut batch = Vec::new();
        let mut through = None;
        for mut record in records {
            if batch.len() >= limit {
                break;
            }
            record["eventSourceARN"] = json!(stream_arn);
            through = record["dynamodb"]["SequenceNumber"].as_str().map(str::to_owned);
            if mapping.filters.is_empty() || mapping.filters.iter().any(|p| crate::filter::matches(p, &record)) {
                batch.push(record);
            }
        }
        if batch.is_empty() {
            if let Some(dropped) = through {
                checkpoints.set(&mapping.id, shard_id, &dropped);
                continue;
            }
            return Ok(());
        }
        let first = batch[0]["dynamodb"]["SequenceNumber"].as_str().unwrap_or_default().to_owned();
        let last = batch[batch.len() - 1]["dynamodb"]["SequenceNumber"].as_str().unwrap_or_default().to_owned();
        let context = crate::trace::InvocationContext::stream(&mapping.table_name, &batch);
        let event = json!({ "Records": batch });
        let invocation = function.invoke_traced(Bytes::from(event.to_string()), context).await;
        // The sequence number of the first record to retry, if any.
        let retry_from = match &invocation.outcome {
            Outcome::Error(_) if mapping.bisect_batch_on_function_error && batch.len() > 1 => {
                // Split in halves and retry the first; splitting does not count as a retry.
                limit = batch.len() / 2;
                split_until.get_or_insert_with(|| last.clone());
                tracing::info!(mapping = %mapping.id, records = batch.len(), "function error; bisecting the batch");
                continue;
            }
            Outcome::Error(_) => Some(first.clone()),
            Outcome::Response(payload) if mapping.report_batch_item_failures => {
                first_failure(payload, &batch).map_err(|err| anyhow!("{err}"))?
            }
            Outcome::Response(_) => None,
        };
        match retry_from {
            None => {
                checkpoints.set(&mapping.id, shard_id, through.as_deref().unwrap_or(&last));
                attempts = 0;
                if split_until.as_ref().is_some_and(|end| sequence_key(end) <= sequence_key(&last)) {
                    split_until = None;
                    limit = mapping.batch_size.max(1);
                }
            }
            Some(failed) => {
                // Everything before the failed record is done.
                if let Some(done) = batch
                    .iter()
                    .filter_map(|r| r["dynamodb"]["SequenceNumber"].as_str())
                    .filter(|s| sequence_key(s) < sequence_key(&failed))
                    .max_by_key(|s| sequence_key(s))
                {
                    checkpoints.set(&mapping.id, shard_id, done);
                    attempts = 0;
                }
                attempts += 1;
                if mapping.maximum_retry_attempts >= 0 && attempts > mapping.maximum_retry_attempts {
                    tracing::warn!(mapping = %mapping.id, first = %failed, last = %last, "retries exhausted; batch sent to the on-failure destination");
                    send_stream_failure(
                        emulators,
                        mapping,
                        function,
                        stream_arn,
                        shard_id,
                        &failed,
                        &last,
                        attempts,
                        batch.len(),
                    )
                    .await;
                    checkpoints.set(&mapping.id, shard_id, &last);
                    attempts = 0;
                    if split_until.as_ref().is_some_and(|end| sequence_key(end) <= sequence_key(&last)) {
                        split_until = None;
                        limit = mapping.batch_size.max(1);
                    }
                } else {
                    let backoff = Duration::from_millis(200 * u64::try_from(attempts.min(10)).unwrap_or(10));
                    tokio::time::sleep(backoff).await;
                }
            }
        }
    }
}

/// The sequence number of the first failed record named in a `batchItemFailures` response.
fn first_failure(payload: &[u8], batch: &[Value]) -> Result<Option<String>, String> {
    let response: Value = serde_json::from_slice(payload).unwrap_or(Value::Null);
    let failures = response["batchItemFailures"].as_array().cloned().unwrap_or_default();
    let mut first: Option<String> = None;
    for failure in failures {
        let Some(id) = failure["itemIdentifier"].as_str() else {
            // An empty or null identifier fails the whole batch, as in Lambda.
            return Ok(batch.first().and_then(|r| r["dynamodb"]["SequenceNumber"].as_str()).map(str::to_owned));
        };
        if !batch.iter().any(|r| r["dynamodb"]["SequenceNumber"] == json!(id)) {
            return Ok(batch.first().and_then(|r| r["dynamodb"]["SequenceNumber"].as_str()).map(str::to_owned));
        }
        if first.as_ref().is_none_or(|f| sequence_key(id) < sequence_key(f)) {
            first = Some(id.to_owned());
        }
    }
    Ok(first)
}

#[allow(clippy::too_many_arguments)]
async fn send_stream_failure(
    emulators: &Emulators,
    mapping: &StreamMapping,
    function: &Function,
    stream_arn: &str,
    shard_id: &str,
    first: &str,
    last: &str,
    attempts: i64,
    batch_size: usize,
) {
    let Some(queue_arn) = &mapping.on_failure_queue_arn else {
        return;
    };
    let record = json!({
        "requestContext": {
            "requestId": uuid::Uuid::new_v4().to_string(),
            "functionArn": function.spec().arn,
            "condition": "RetryAttemptsExhausted",
            "approximateInvokeCount": attempts,
        },
        "responseContext": { "statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled" },
        "version": "1.0",
        "timestamp": chrono::Utc::now().to_rfc3339(),
        "DDBStreamBatchInfo": {
            "shardId": shard_id,
            "startSequenceNumber": first,
            "endSequenceNumber": last,
            "batchSize": batch_size,
            "streamArn": stream_arn,
        },
    });
    let sent = match emulators.sqs.queue_url_for_arn(queue_arn) {
        Ok(queue_url) => emulators
            .sqs
            .send_message(rustack_sqs_model::input::SendMessageInput {
                queue_url,
                message_body: record.to_string(),
                ..Default::default()
            })
            .await
            .map(|_| ())
            .map_err(|err| err.to_string()),
        Err(err) => Err(err.to_string()),
    };
    if let Err(err) = sent {
        tracing::error!(mapping = %mapping.id, error = %err, "cannot send to the on-failure destination");
    }
}

/// Runs an SQS mapping until the task is dropped.
pub async fn run_sqs(emulators: Emulators, mapping: SqsMapping, function: Arc<Function>, switch: MappingSwitch) {
    let queue_url = loop {
        match emulators.sqs.queue_url_for_arn(&mapping.queue_arn) {
            Ok(url) => break url,
            Err(err) => {
                tracing::warn!(mapping = %mapping.id, error = %err, "queue not found; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    };
    let arrivals = emulators.sqs.arrivals(&queue_url);
    let mut pollers = tokio::task::JoinSet::new();
    for _ in 0..mapping.maximum_concurrency.max(1) {
        let emulators = emulators.clone();
        let mapping = mapping.clone();
        let function = Arc::clone(&function);
        let switch = switch.clone();
        let queue_url = queue_url.clone();
        let mut woken = arrivals.subscribe();
        pollers.spawn(async move {
            loop {
                if !switch.is_enabled() {
                    tokio::time::sleep(DISABLED_POLL).await;
                    continue;
                }
                woken.mark_seen();
                match poll_queue_once(&emulators, &mapping, &function, &queue_url, &switch).await {
                    // Nothing there: wait for a send (or, for messages visible again after
                    // their visibility timeout, the idle poll).
                    Ok(0) => woken.wait(IDLE_POLL).await,
                    Ok(_) => {}
                    Err(err) => {
                        tracing::warn!(mapping = %mapping.id, error = format!("{err:#}"), "queue poll failed");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                }
            }
        });
    }
    while pollers.join_next().await.is_some() {}
}

/// Receives one batch and invokes the function with it; the number of messages received.
async fn poll_queue_once(
    emulators: &Emulators,
    mapping: &SqsMapping,
    function: &Function,
    queue_url: &str,
    switch: &MappingSwitch,
) -> anyhow::Result<usize> {
    let received = emulators
        .sqs
        .receive_message(rustack_sqs_model::input::ReceiveMessageInput {
            queue_url: queue_url.to_owned(),
            max_number_of_messages: Some(i32::try_from(mapping.batch_size.clamp(1, 10)).unwrap_or(10)),
            // No long polling: a mapping that is disabled must stop receiving at once,
            // or the receives would count toward the messages' maxReceiveCount.
            wait_time_seconds: Some(0),
            attribute_names: vec!["All".to_owned()],
            message_system_attribute_names: vec!["All".to_owned()],
            message_attribute_names: vec!["All".to_owned()],
            ..Default::default()
        })
        .await
        .map_err(|err| anyhow!("{err}"))?;
    emulators.usage.sqs_receive(received.messages.len());
    if received.messages.is_empty() {
        return Ok(0);
    }
    if !switch.is_enabled() {
        // Disabled while this receive was waiting: hand the messages back untouched.
        for message in &received.messages {
            if let Some(receipt_handle) = &message.receipt_handle {
                emulators
                    .sqs
                    .change_message_visibility(rustack_sqs_model::input::ChangeMessageVisibilityInput {
                        queue_url: queue_url.to_owned(),
                        receipt_handle: receipt_handle.clone(),
                        visibility_timeout: 0,
                    })
                    .await
                    .map_err(|err| anyhow!("{err}"))?;
            }
        }
        return Ok(received.messages.len());
    }
    let records: Vec<Value> = received
        .messages
        .iter()
        .map(|message| {
            let attributes: HashMap<String, Value> = message
                .message_attributes
                .iter()
                .filter(|(name, _)| name.as_str() != crate::trace::TRACE_MESSAGE_ATTRIBUTE)
                .map(|(name, value)| {
                    (
                        name.clone(),
                        json!({
                            "stringValue": value.string_value,
                            "dataType": value.data_type,
                            "stringListValues": [],
                            "binaryListValues": [],
                        }),
                    )
                })
                .collect();
            // The trace SNS gave the message (the embedded SQS keeps no system attributes).
            let mut system = message.attributes.clone();
            if let Some(trace) = crate::trace::trace_of(message) {
                system.insert(crate::trace::SQS_TRACE_ATTRIBUTE.to_owned(), trace);
            }
            json!({
                "messageId": message.message_id,
                "receiptHandle": message.receipt_handle,
                "body": message.body,
                "attributes": system,
                "messageAttributes": attributes,
                "md5OfBody": message.md5_of_body,
                "eventSource": "aws:sqs",
                "eventSourceARN": mapping.queue_arn,
                "awsRegion": REGION,
            })
        })
        .collect();
    let queue = mapping.queue_arn.rsplit(':').next().unwrap_or_default();
    let context = crate::trace::InvocationContext::sqs(queue, &records);
    let event = json!({ "Records": records });
    let invocation = function.invoke_traced(Bytes::from(event.to_string()), context).await;
    let failed: Vec<String> = match &invocation.outcome {
        Outcome::Error(_) => return Ok(received.messages.len()),
        Outcome::Response(payload) if mapping.report_batch_item_failures => {
            let response: Value = serde_json::from_slice(payload).unwrap_or(Value::Null);
            let ids: Vec<String> = response["batchItemFailures"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|f| f["itemIdentifier"].as_str().unwrap_or_default().to_owned())
                .collect();
            let known = |id: &String| received.messages.iter().any(|m| m.message_id.as_ref() == Some(id));
            if ids.iter().any(|id| !known(id)) {
                // An unknown or empty identifier fails the whole batch, as in Lambda.
                return Ok(received.messages.len());
            }
            ids
        }
        Outcome::Response(_) => Vec::new(),
    };
    // An AWS event source mapping deletes a batch with one DeleteMessageBatch.
    if received.messages.len() > failed.len() {
        emulators.usage.sqs_delete_batch();
    }
    for message in &received.messages {
        let (Some(id), Some(receipt_handle)) = (&message.message_id, &message.receipt_handle) else {
            continue;
        };
        if failed.contains(id) {
            continue;
        }
        emulators
            .sqs
            .delete_message(rustack_sqs_model::input::DeleteMessageInput {
                queue_url: queue_url.to_owned(),
                receipt_handle: receipt_handle.clone(),
            })
            .await
            .map_err(|err| anyhow!("{err}"))?;
    }
    Ok(received.messages.len())
}
