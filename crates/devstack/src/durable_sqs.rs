//! SQS queues that survive a restart, a Ctrl-C and a `kill -9`.
//!
//! The SQS emulator (`rustack-sqs`) keeps its queues in memory. [`DurableSqs`] wraps it
//! with a write-ahead journal in SQLite (`sqs-journal.sqlite` in the state folder, WAL
//! mode, `synchronous = FULL`, so a write is on disk when the call returns):
//!
//! - every message sent into a queue (`SendMessage`, `SendMessageBatch`, SNS fan-out,
//!   on-failure records) is journaled with its queue, body, attributes and FIFO ids,
//!   after the emulator accepted it and before the caller hears it was sent;
//! - every `DeleteMessage`/`DeleteMessageBatch` removes the message's row (the message id
//!   is read from the receipt handle), or leaves a tombstone when the row is not there yet;
//! - `PurgeQueue` and `DeleteQueue` drop the queue's rows;
//! - dead-letter moves are followed: a message received for the last time its queue's
//!   `maxReceiveCount` allows has its row moved to the dead-letter queue (if it is not
//!   deleted, the emulator moves it there when it is due again), and a message received
//!   from another queue than the journaled one has its row moved to that queue.
//!
//! At start, [`DurableSqs::replay`] sends every journaled, undeleted message again, into
//! the queue it was last seen in, and rewrites the journal with the new message ids in the
//! same transaction (the compaction: deleted rows and tombstones are gone afterwards).
//! What a restart changes, and why this is still what SQS promises (at-least-once):
//! message ids are new, receive counts restart at 0, in-flight messages are visible at
//! once, delays are not re-applied. A message that used up its receives is replayed into
//! its dead-letter queue, where the emulator would have moved it.
//!
//! Without a journal file (tests, `devstack invoke`) everything stays in memory and the
//! wrapper only forwards.

use std::collections::HashMap;
use std::future::Future;
use std::ops::Deref;
use std::path::Path;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use anyhow::Context;
use base64::Engine;
use bytes::Bytes;
use rusqlite::{Connection, params};
use rustack_sqs_core::handler::RustackSqsHandler;
use rustack_sqs_core::provider::RustackSqs;
use rustack_sqs_http::body::SqsResponseBody;
use rustack_sqs_http::dispatch::SqsHandler;
use rustack_sqs_model::error::SqsError;
use rustack_sqs_model::input::{
    DeleteMessageBatchInput, DeleteMessageInput, DeleteQueueInput, PurgeQueueInput, ReceiveMessageInput,
    SendMessageBatchInput, SendMessageInput,
};
use rustack_sqs_model::operations::SqsOperation;
use rustack_sqs_model::output::{
    DeleteMessageBatchOutput, DeleteMessageOutput, DeleteQueueOutput, PurgeQueueOutput, ReceiveMessageOutput,
    SendMessageBatchOutput, SendMessageOutput,
};

/// Queues whose name starts with this are the local stack's own observers (the SNS taps):
/// their messages are not journaled.
pub const UNJOURNALED_PREFIX: &str = "devstack-tap-";

/// The SQS emulator with its journal. Dereferences to [`RustackSqs`] for every operation
/// that does not change which messages a queue holds.
pub struct DurableSqs {
    inner: Arc<RustackSqs>,
    journal: Option<Mutex<Connection>>,
    /// Per queue name: woken by every send, so a queue's pollers receive at once.
    arrivals: std::sync::Mutex<std::collections::HashMap<String, crate::esm::Wake>>,
}

impl std::fmt::Debug for DurableSqs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DurableSqs").field("journaled", &self.journal.is_some()).finish_non_exhaustive()
    }
}

impl Deref for DurableSqs {
    type Target = RustackSqs;

    fn deref(&self) -> &RustackSqs {
        &self.inner
    }
}

/// What a journal row holds: the send request without its queue URL (queue URLs carry the
/// port, which changes between runs) and without its delay.
type JournaledSend = SendMessageInput;

/// The system attribute that counts a message's receives.
const RECEIVE_COUNT: &str = "ApproximateReceiveCount";

fn journal_error(err: impl std::fmt::Display) -> SqsError {
    SqsError::internal_error(format!("the SQS journal cannot be written: {err}"))
}

/// The queue name at the end of a queue URL.
fn queue_name(queue_url: &str) -> &str {
    queue_url.trim_end_matches('/').rsplit('/').next().unwrap_or(queue_url)
}

/// The message id inside a receipt handle (`base64("<message id>:<nanos>:<nonce>")`).
fn message_id_of(receipt_handle: &str) -> Option<String> {
    let raw = base64::engine::general_purpose::STANDARD.decode(receipt_handle).ok()?;
    let raw = String::from_utf8(raw).ok()?;
    raw.split(':').next().filter(|id| !id.is_empty()).map(str::to_owned)
}

impl DurableSqs {
    /// Wraps `inner`; with `journal_file`, opens (or creates) the journal there.
    ///
    /// # Errors
    /// When the journal file cannot be opened or is not a journal.
    pub fn open(inner: Arc<RustackSqs>, journal_file: Option<&Path>) -> anyhow::Result<Self> {
        let journal = match journal_file {
            None => None,
            Some(path) => {
                let connection =
                    Connection::open(path).with_context(|| format!("opening the SQS journal {}", path.display()))?;
                connection
                    .execute_batch(
                        "PRAGMA journal_mode = WAL;
                         PRAGMA synchronous = FULL;
                         CREATE TABLE IF NOT EXISTS messages (
                             seq INTEGER PRIMARY KEY AUTOINCREMENT,
                             message_id TEXT NOT NULL UNIQUE,
                             queue TEXT NOT NULL,
                             request TEXT NOT NULL);
                         CREATE TABLE IF NOT EXISTS deleted (message_id TEXT PRIMARY KEY);",
                    )
                    .with_context(|| {
                        format!(
                            "{} is not a readable SQS journal (move it away to start with empty queues)",
                            path.display()
                        )
                    })?;
                Some(Mutex::new(connection))
            }
        };
        Ok(Self { inner, journal, arrivals: std::sync::Mutex::default() })
    }

    /// What wakes the pollers of the queue at `queue_url` when a message is sent to it.
    pub fn arrivals(&self, queue_url: &str) -> crate::esm::Wake {
        let mut arrivals = self.arrivals.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        arrivals.entry(queue_name(queue_url).to_owned()).or_default().clone()
    }

    fn announce(&self, queue_url: &str) {
        let arrivals = self.arrivals.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(wake) = arrivals.get(queue_name(queue_url)) {
            wake.notify();
        }
    }

    /// The emulator itself.
    pub fn emulator(&self) -> &Arc<RustackSqs> {
        &self.inner
    }

    fn with_journal<T>(&self, write: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<Option<T>, SqsError> {
        let Some(journal) = &self.journal else {
            return Ok(None);
        };
        let connection = journal.lock().map_err(|_| journal_error("a writer panicked"))?;
        write(&connection).map(Some).map_err(journal_error)
    }

    fn record_send(&self, queue_url: &str, message_id: &str, request: &SendMessageInput) -> Result<(), SqsError> {
        let queue = queue_name(queue_url);
        if queue.starts_with(UNJOURNALED_PREFIX) {
            return Ok(());
        }
        let stored = JournaledSend { queue_url: String::new(), delay_seconds: None, ..request.clone() };
        let text = serde_json::to_string(&stored).map_err(journal_error)?;
        self.with_journal(|c| {
            c.execute(
                "INSERT OR REPLACE INTO messages (message_id, queue, request) VALUES (?1, ?2, ?3)",
                params![message_id, queue, text],
            )
        })?;
        Ok(())
    }

    fn record_delete(&self, queue_url: &str, receipt_handle: &str) -> Result<(), SqsError> {
        if queue_name(queue_url).starts_with(UNJOURNALED_PREFIX) {
            return Ok(());
        }
        let Some(message_id) = message_id_of(receipt_handle) else {
            return Ok(());
        };
        self.with_journal(|c| {
            if c.execute("DELETE FROM messages WHERE message_id = ?1", params![message_id])? == 0 {
                c.execute("INSERT OR IGNORE INTO deleted (message_id) VALUES (?1)", params![message_id])?;
            }
            Ok(())
        })?;
        Ok(())
    }

    fn record_drop_queue(&self, queue_url: &str) -> Result<(), SqsError> {
        let queue = queue_name(queue_url);
        self.with_journal(|c| c.execute("DELETE FROM messages WHERE queue = ?1", params![queue]))?;
        Ok(())
    }

    /// `SendMessage`, journaled.
    ///
    /// # Errors
    /// The emulator's error, or an internal error when the journal cannot be written.
    pub async fn send_message(&self, input: SendMessageInput) -> Result<SendMessageOutput, SqsError> {
        let request = input.clone();
        let output = self.inner.send_message(input).await?;
        if let Some(message_id) = &output.message_id {
            self.record_send(&request.queue_url, message_id, &request)?;
        }
        self.announce(&request.queue_url);
        Ok(output)
    }

    /// `SendMessageBatch`, every accepted entry journaled.
    ///
    /// # Errors
    /// The emulator's error, or an internal error when the journal cannot be written.
    pub async fn send_message_batch(&self, input: SendMessageBatchInput) -> Result<SendMessageBatchOutput, SqsError> {
        let request = input.clone();
        let output = self.inner.send_message_batch(input).await?;
        for sent in &output.successful {
            let Some(entry) = request.entries.iter().find(|e| e.id == sent.id) else {
                continue;
            };
            let single = SendMessageInput {
                queue_url: request.queue_url.clone(),
                message_body: entry.message_body.clone(),
                delay_seconds: None,
                message_deduplication_id: entry.message_deduplication_id.clone(),
                message_group_id: entry.message_group_id.clone(),
                message_attributes: entry.message_attributes.clone(),
                message_system_attributes: entry.message_system_attributes.clone(),
            };
            self.record_send(&request.queue_url, &sent.message_id, &single)?;
        }
        if !output.successful.is_empty() {
            self.announce(&request.queue_url);
        }
        Ok(output)
    }

    /// `ReceiveMessage`, with the journal following dead-letter moves: a message received
    /// for the last time its queue's `maxReceiveCount` allows is journaled in the
    /// dead-letter queue (unless deleted, it moves there when due again), and a message
    /// found in another queue than its journaled one has its row moved to that queue.
    ///
    /// # Errors
    /// The emulator's error, or an internal error when the journal cannot be written.
    pub async fn receive_message(&self, mut input: ReceiveMessageInput) -> Result<ReceiveMessageOutput, SqsError> {
        let queue = queue_name(&input.queue_url).to_owned();
        if self.journal.is_none() || queue.starts_with(UNJOURNALED_PREFIX) {
            return self.inner.receive_message(input).await;
        }
        let redrive = self.redrive_of(&input.queue_url).await;
        // The receive count is needed to follow dead-letter moves; it is asked for when
        // the caller did not, and taken out of the answer again.
        let asked = |names: &[String]| names.iter().any(|n| n == "All" || n == RECEIVE_COUNT);
        let added =
            redrive.is_some() && !asked(&input.attribute_names) && !asked(&input.message_system_attribute_names);
        if added {
            input.message_system_attribute_names.push(RECEIVE_COUNT.to_owned());
        }
        let mut output = self.inner.receive_message(input).await?;
        let mut moves = Vec::new();
        for message in &mut output.messages {
            let Some(id) = message.message_id.clone() else { continue };
            let count: u32 = message.attributes.get(RECEIVE_COUNT).and_then(|c| c.parse().ok()).unwrap_or(0);
            if added {
                message.attributes.remove(RECEIVE_COUNT);
            }
            let target = match &redrive {
                Some((dead_letter_queue, max_receive_count)) if count >= *max_receive_count => dead_letter_queue,
                _ => &queue,
            };
            moves.push((id, target.clone()));
        }
        self.with_journal(|c| {
            for (id, target) in &moves {
                c.execute("UPDATE messages SET queue = ?1 WHERE message_id = ?2 AND queue <> ?1", params![target, id])?;
            }
            Ok(())
        })?;
        Ok(output)
    }

    /// The dead-letter queue name and `maxReceiveCount` of the queue at `queue_url`, if
    /// it has a redrive policy.
    async fn redrive_of(&self, queue_url: &str) -> Option<(String, u32)> {
        let attributes = self
            .inner
            .get_queue_attributes(rustack_sqs_model::input::GetQueueAttributesInput {
                queue_url: queue_url.to_owned(),
                attribute_names: vec!["RedrivePolicy".to_owned()],
            })
            .await
            .ok()?;
        let policy: serde_json::Value = serde_json::from_str(attributes.attributes.get("RedrivePolicy")?).ok()?;
        let target = policy["deadLetterTargetArn"].as_str()?.rsplit(':').next()?.to_owned();
        let max = match &policy["maxReceiveCount"] {
            serde_json::Value::String(text) => text.parse().ok()?,
            other => u32::try_from(other.as_u64()?).ok()?,
        };
        Some((target, max))
    }

    /// `DeleteMessage`, journaled.
    ///
    /// # Errors
    /// The emulator's error, or an internal error when the journal cannot be written.
    pub async fn delete_message(&self, input: DeleteMessageInput) -> Result<DeleteMessageOutput, SqsError> {
        let (queue_url, receipt_handle) = (input.queue_url.clone(), input.receipt_handle.clone());
        let output = self.inner.delete_message(input).await?;
        self.record_delete(&queue_url, &receipt_handle)?;
        Ok(output)
    }

    /// `DeleteMessageBatch`, every deleted entry journaled.
    ///
    /// # Errors
    /// The emulator's error, or an internal error when the journal cannot be written.
    pub async fn delete_message_batch(
        &self,
        input: DeleteMessageBatchInput,
    ) -> Result<DeleteMessageBatchOutput, SqsError> {
        let request = input.clone();
        let output = self.inner.delete_message_batch(input).await?;
        for deleted in &output.successful {
            if let Some(entry) = request.entries.iter().find(|e| e.id == deleted.id) {
                self.record_delete(&request.queue_url, &entry.receipt_handle)?;
            }
        }
        Ok(output)
    }

    /// `PurgeQueue`, journaled.
    ///
    /// # Errors
    /// The emulator's error, or an internal error when the journal cannot be written.
    pub async fn purge_queue(&self, input: PurgeQueueInput) -> Result<PurgeQueueOutput, SqsError> {
        let queue_url = input.queue_url.clone();
        let output = self.inner.purge_queue(input).await?;
        self.record_drop_queue(&queue_url)?;
        Ok(output)
    }

    /// `DeleteQueue`, journaled.
    ///
    /// # Errors
    /// The emulator's error, or an internal error when the journal cannot be written.
    pub async fn delete_queue(&self, input: DeleteQueueInput) -> Result<DeleteQueueOutput, SqsError> {
        let queue_url = input.queue_url.clone();
        let output = self.inner.delete_queue(input).await?;
        self.record_drop_queue(&queue_url)?;
        Ok(output)
    }

    /// Sends every journaled, undeleted message again (oldest first) into its queue, which
    /// must exist by now, and compacts the journal: in one transaction each old row is
    /// replaced by the row of its new message id, and the tombstones are dropped. A crash
    /// during the replay rolls the transaction back, so the old rows are still there next
    /// time. Messages of a queue that no longer exists stay journaled (and are reported).
    ///
    /// Returns how many messages were replayed.
    ///
    /// # Errors
    /// When the journal cannot be read or written, or the emulator refuses a message.
    pub async fn replay(&self) -> anyhow::Result<usize> {
        let Some(journal) = &self.journal else {
            return Ok(0);
        };
        let rows: Vec<(i64, String, String, String)> = {
            let connection = journal.lock().map_err(|_| anyhow::anyhow!("the SQS journal lock is poisoned"))?;
            let mut statement = connection.prepare(
                "SELECT seq, message_id, queue, request FROM messages
                 WHERE message_id NOT IN (SELECT message_id FROM deleted) ORDER BY seq",
            )?;
            statement
                .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)))?
                .collect::<rusqlite::Result<_>>()?
        };
        let mut urls: HashMap<String, Option<String>> = HashMap::new();
        let mut replaced: Vec<(String, String, String, String)> = Vec::new();
        let mut kept = Vec::new();
        for (_, old_id, queue, request) in rows {
            if !urls.contains_key(&queue) {
                let url = self
                    .inner
                    .get_queue_url(rustack_sqs_model::input::GetQueueUrlInput {
                        queue_name: queue.clone(),
                        queue_owner_aws_account_id: None,
                    })
                    .await
                    .ok()
                    .and_then(|o| o.queue_url);
                urls.insert(queue.clone(), url);
            }
            let Some(Some(url)) = urls.get(&queue) else {
                kept.push(queue);
                continue;
            };
            let mut input: SendMessageInput = serde_json::from_str(&request)
                .with_context(|| format!("journaled message {old_id} of queue {queue} is not readable"))?;
            input.queue_url = url.clone();
            let output = self
                .inner
                .send_message(input)
                .await
                .map_err(|err| anyhow::anyhow!("replaying message {old_id} into {queue}: {err}"))?;
            let new_id = output.message_id.unwrap_or_default();
            replaced.push((old_id, new_id, queue, request));
        }
        if !kept.is_empty() {
            kept.sort();
            kept.dedup();
            tracing::warn!(queues = ?kept, "journaled messages of queues that no longer exist are kept, not replayed");
        }
        let mut connection = journal.lock().map_err(|_| anyhow::anyhow!("the SQS journal lock is poisoned"))?;
        let transaction = connection.transaction()?;
        for (old_id, new_id, queue, request) in &replaced {
            transaction.execute("DELETE FROM messages WHERE message_id = ?1", params![old_id])?;
            transaction.execute(
                "INSERT OR REPLACE INTO messages (message_id, queue, request) VALUES (?1, ?2, ?3)",
                params![new_id, queue, request],
            )?;
        }
        transaction.execute("DELETE FROM messages WHERE message_id IN (SELECT message_id FROM deleted)", [])?;
        transaction.execute("DELETE FROM deleted", [])?;
        transaction.commit()?;
        Ok(replaced.len())
    }
}

/// The SQS HTTP endpoint's handler: the operations that change which messages a queue
/// holds go through [`DurableSqs`] (and so into the journal); the others go straight to
/// the emulator's own handler.
pub struct JournaledHandler {
    sqs: Arc<DurableSqs>,
    plain: RustackSqsHandler,
}

impl JournaledHandler {
    /// The handler for `sqs`.
    pub fn new(sqs: Arc<DurableSqs>) -> Self {
        let plain = RustackSqsHandler::new(Arc::clone(sqs.emulator()));
        Self { sqs, plain }
    }
}

fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, SqsError> {
    serde_json::from_slice(body).map_err(|e| {
        let message = e.to_string();
        if message.contains("missing field") {
            SqsError::missing_parameter(format!("1 validation error detected: {message}"))
        } else {
            SqsError::invalid_parameter_value(format!("Failed to deserialize request body: {e}"))
        }
    })
}

fn reply<T: serde::Serialize>(output: &T) -> Result<http::Response<SqsResponseBody>, SqsError> {
    let json = serde_json::to_vec(output)
        .map_err(|e| SqsError::internal_error(format!("Failed to serialize response: {e}")))?;
    Ok(rustack_sqs_http::response::json_response(json, &uuid::Uuid::new_v4().to_string()))
}

type HandlerFuture = Pin<Box<dyn Future<Output = Result<http::Response<SqsResponseBody>, SqsError>> + Send>>;

impl SqsHandler for JournaledHandler {
    fn handle_operation(&self, op: SqsOperation, body: Bytes) -> HandlerFuture {
        let sqs = Arc::clone(&self.sqs);
        match op {
            SqsOperation::SendMessage => Box::pin(async move { reply(&sqs.send_message(parse(&body)?).await?) }),
            SqsOperation::SendMessageBatch => {
                Box::pin(async move { reply(&sqs.send_message_batch(parse(&body)?).await?) })
            }
            SqsOperation::ReceiveMessage => Box::pin(async move { reply(&sqs.receive_message(parse(&body)?).await?) }),
            SqsOperation::DeleteMessage => Box::pin(async move { reply(&sqs.delete_message(parse(&body)?).await?) }),
            SqsOperation::DeleteMessageBatch => {
                Box::pin(async move { reply(&sqs.delete_message_batch(parse(&body)?).await?) })
            }
            SqsOperation::PurgeQueue => Box::pin(async move { reply(&sqs.purge_queue(parse(&body)?).await?) }),
            SqsOperation::DeleteQueue => Box::pin(async move { reply(&sqs.delete_queue(parse(&body)?).await?) }),
            other => self.plain.handle_operation(other, body),
        }
    }
}
