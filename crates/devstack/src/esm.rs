//! Event source mappings, run as Lambda runs them.
//!
//! - DynamoDB stream: polls the table's stream, drops records that match no filter,
//!   invokes with batches of up to `BatchSize` records in order, honours
//!   `batchItemFailures` (retrying from the first failed record), retries a failing batch
//!   up to `MaximumRetryAttempts` and then sends a failure record to the on-failure SQS
//!   destination and moves on. The position is checkpointed to a file, so a restart
//!   neither loses nor replays records.
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

const POLL_INTERVAL: Duration = Duration::from_millis(100);

/// A checkpoint that means "from the start of the shard" (a LATEST mapping that began on
/// an empty shard).
const FROM_START: &str = "TRIM_HORIZON";

/// Persisted stream positions: mapping id -> shard id -> last processed sequence number.
#[derive(Clone, Default)]
pub struct Checkpoints {
    file: Option<PathBuf>,
    positions: Arc<std::sync::Mutex<BTreeMap<String, BTreeMap<String, String>>>>,
}

impl Checkpoints {
    /// Checkpoints kept in `file` (loaded now), or only in memory with `None`.
    pub fn load(file: Option<PathBuf>) -> Self {
        let positions = file
            .as_ref()
            .and_then(|f| std::fs::read_to_string(f).ok())
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default();
        Self { file, positions: Arc::new(std::sync::Mutex::new(positions)) }
    }

    fn get(&self, mapping: &str, shard: &str) -> Option<String> {
        self.positions.lock().expect("checkpoint lock").get(mapping)?.get(shard).cloned()
    }

    fn set(&self, mapping: &str, shard: &str, sequence_number: &str) {
        let mut positions = self.positions.lock().expect("checkpoint lock");
        positions.entry(mapping.to_owned()).or_default().insert(shard.to_owned(), sequence_number.to_owned());
        if let Some(file) = &self.file
            && let Ok(text) = serde_json::to_string_pretty(&*positions)
            && let Err(err) = std::fs::write(file, text)
        {
            tracing::warn!(error = %err, "cannot save stream checkpoints");
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
pub async fn run_stream(
    emulators: Emulators,
    mapping: StreamMapping,
    function: Arc<Function>,
    checkpoints: Checkpoints,
    switch: MappingSwitch,
) {
    loop {
        if switch.is_enabled()
            && let Err(err) = poll_stream_once(&emulators, &mapping, &function, &checkpoints).await
        {
            tracing::warn!(mapping = %mapping.id, error = format!("{err:#}"), "stream poll failed");
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        tokio::time::sleep(POLL_INTERVAL).await;
    }
}

async fn poll_stream_once(
    emulators: &Emulators,
    mapping: &StreamMapping,
    function: &Function,
    checkpoints: &Checkpoints,
) -> anyhow::Result<()> {
    let streams = emulators.ddb(dynoxide::Database::list_streams, json!({ "TableName": mapping.table_name }))?;
    let Some(stream_arn) = streams["Streams"][0]["StreamArn"].as_str().map(str::to_owned) else {
        return Ok(());
    };
    let description = emulators.ddb(dynoxide::Database::describe_stream, json!({ "StreamArn": stream_arn }))?;
    let shards = description["StreamDescription"]["Shards"].as_array().cloned().unwrap_or_default();
    for shard in shards {
        let Some(shard_id) = shard["ShardId"].as_str() else {
            continue;
        };
        poll_shard(emulators, mapping, function, checkpoints, &stream_arn, shard_id).await?;
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
        // Records that match no filter are dropped: their position still advances.
        let mut batch = Vec::new();
        let mut last_skipped = None;
        for mut record in records {
            record["eventSourceARN"] = json!(stream_arn);
            let sequence_number = record["dynamodb"]["SequenceNumber"].as_str().unwrap_or_default().to_owned();
            let passes =
                mapping.filters.is_empty() || mapping.filters.iter().any(|p| crate::filter::matches(p, &record));
            if passes {
                batch.push(record);
                if batch.len() == mapping.batch_size {
                    break;
                }
            } else if batch.is_empty() {
                last_skipped = Some(sequence_number);
            } else {
                break;
            }
        }
        if batch.is_empty() {
            if let Some(skipped) = last_skipped {
                checkpoints.set(&mapping.id, shard_id, &skipped);
                continue;
            }
            return Ok(());
        }
        let first = batch[0]["dynamodb"]["SequenceNumber"].as_str().unwrap_or_default().to_owned();
        let last = batch[batch.len() - 1]["dynamodb"]["SequenceNumber"].as_str().unwrap_or_default().to_owned();
        let event = json!({ "Records": batch });
        let invocation = function.invoke(Bytes::from(event.to_string())).await;
        // The sequence number of the first record to retry, if any.
        let retry_from = match &invocation.outcome {
            Outcome::Error(_) => Some(first.clone()),
            Outcome::Response(payload) if mapping.report_batch_item_failures => {
                first_failure(payload, &batch).map_err(|err| anyhow!("{err}"))?
            }
            Outcome::Response(_) => None,
        };
        match retry_from {
            None => {
                checkpoints.set(&mapping.id, shard_id, &last);
                attempts = 0;
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
    let mut pollers = tokio::task::JoinSet::new();
    for _ in 0..mapping.maximum_concurrency.max(1) {
        let emulators = emulators.clone();
        let mapping = mapping.clone();
        let function = Arc::clone(&function);
        let switch = switch.clone();
        let queue_url = queue_url.clone();
        pollers.spawn(async move {
            loop {
                if !switch.is_enabled() {
                    tokio::time::sleep(POLL_INTERVAL).await;
                    continue;
                }
                if let Err(err) = poll_queue_once(&emulators, &mapping, &function, &queue_url, &switch).await {
                    tracing::warn!(mapping = %mapping.id, error = format!("{err:#}"), "queue poll failed");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        });
    }
    while pollers.join_next().await.is_some() {}
}

async fn poll_queue_once(
    emulators: &Emulators,
    mapping: &SqsMapping,
    function: &Function,
    queue_url: &str,
    switch: &MappingSwitch,
) -> anyhow::Result<()> {
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
    if received.messages.is_empty() {
        tokio::time::sleep(POLL_INTERVAL).await;
        return Ok(());
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
        return Ok(());
    }
    let records: Vec<Value> = received
        .messages
        .iter()
        .map(|message| {
            let attributes: HashMap<String, Value> = message
                .message_attributes
                .iter()
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
            json!({
                "messageId": message.message_id,
                "receiptHandle": message.receipt_handle,
                "body": message.body,
                "attributes": message.attributes,
                "messageAttributes": attributes,
                "md5OfBody": message.md5_of_body,
                "eventSource": "aws:sqs",
                "eventSourceARN": mapping.queue_arn,
                "awsRegion": REGION,
            })
        })
        .collect();
    let event = json!({ "Records": records });
    let invocation = function.invoke(Bytes::from(event.to_string())).await;
    let failed: Vec<String> = match &invocation.outcome {
        Outcome::Error(_) => return Ok(()),
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
                return Ok(());
            }
            ids
        }
        Outcome::Response(_) => Vec::new(),
    };
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
    Ok(())
}
