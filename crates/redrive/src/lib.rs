//! `redrive`: operators' tool for the dead-letter queues of a SAM application, on AWS or on
//! the local stack. It knows SAM templates and AWS, no business.
//!
//! - [`list`]: every dead-letter queue of the template ([`template::dead_letter_queues`])
//!   with its depth, the age of its oldest message and its source.
//! - [`show`]: a queue's messages, left in place ([`message::DeadLetter`]).
//! - [`move_messages`]: a dead-letter queue's messages back to their source queue
//!   (`StartMessageMoveTask`, or one message at a time where that is not supported).
//! - [`republish`]: makes an outbox relay function sweep its table and publish every item
//!   still unpublished (the way back for the relay's own failures, which are stream
//!   positions, not messages).
//! - [`purge_stream_failures`]: empties a queue that holds only stream on-failure records,
//!   once they have been dealt with (never a queue that holds events).
//!
//! Every command takes a [`Target`] and returns data; `main.rs` prints it.

pub mod message;
pub mod target;
pub mod template;

use std::collections::HashSet;

use aws_sdk_sqs::error::ProvideErrorMetadata;
use aws_sdk_sqs::types::{
    ChangeMessageVisibilityBatchRequestEntry, Message, MessageSystemAttributeName, QueueAttributeName,
};
use chrono::{DateTime, Utc};
use serde::Serialize;

pub use message::DeadLetter;
pub use target::{Target, local_endpoints};
pub use template::DeadLetterQueue;

use crate::target::sdk_error;

/// Seconds a peeked message stays hidden before `show` makes it visible again (and after
/// which it reappears by itself if `redrive` dies in between).
pub const PEEK_VISIBILITY_SECONDS: i32 = 30;

/// Seconds a message being moved one at a time stays hidden in the dead-letter queue: if
/// `redrive` dies after sending it to the source and before deleting it, it reappears after
/// this and is moved again (one duplicate, which the consumer's inbox absorbs).
pub const MOVE_VISIBILITY_SECONDS: i32 = 60;

/// Messages `list` samples per queue to find the oldest one.
pub const AGE_SAMPLE: usize = 10;

/// What can go wrong.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The template cannot be read.
    #[error("template: {0}")]
    Template(String),
    /// The template has no such resource of that kind.
    #[error("the template has no {kind} {logical_id}")]
    UnknownResource {
        /// The logical id asked for.
        logical_id: String,
        /// `queue` or `function`.
        kind: &'static str,
    },
    /// The physical id of a resource is not known (not deployed, or not in the stack).
    #[error("no physical id for {logical_id}: is it deployed? (or pass --resource {logical_id}=<url or name>)")]
    NoPhysicalId {
        /// The logical id.
        logical_id: String,
    },
    /// The queue is not a dead-letter queue of the template.
    #[error("{0} is not a dead-letter queue of the template (see `redrive list`)")]
    NotADeadLetterQueue(String),
    /// The dead-letter queue has no source queue to move messages to.
    #[error(
        "{queue} holds stream failures of {functions}, not messages of a queue: nothing to move them to; \
         make the function republish instead (`redrive republish --function <it>`)"
    )]
    StreamFailures {
        /// The dead-letter queue.
        queue: String,
        /// The functions whose failures it holds.
        functions: String,
    },
    /// The dead-letter queue has several source queues: say which.
    #[error("{queue} is the dead-letter queue of {sources}: choose one with --to")]
    AmbiguousSource {
        /// The dead-letter queue.
        queue: String,
        /// Its source queues.
        sources: String,
    },
    /// The queue holds events of source queues: it is not purged.
    #[error("{queue} holds messages of {sources}: move them (`redrive move {queue}`), it is not purged")]
    HoldsEvents {
        /// The dead-letter queue.
        queue: String,
        /// Its source queues.
        sources: String,
    },
    /// The local stack's control API does not answer.
    #[error("no local stack at {url} ({reason}); start one with `cargo run -p devstack`")]
    LocalStack {
        /// The URL asked.
        url: String,
        /// Why.
        reason: String,
    },
    /// An AWS call failed.
    #[error("{0}")]
    Aws(String),
    /// The function answered with an error.
    #[error("{function} failed: {error}: {payload}")]
    FunctionError {
        /// The function's name.
        function: String,
        /// `X-Amz-Function-Error`, e.g. `Unhandled`.
        error: String,
        /// The error document it returned.
        payload: String,
    },
}

fn aws(what: impl std::fmt::Display, err: &(impl std::error::Error + 'static)) -> Error {
    Error::Aws(format!("{what}: {}", sdk_error(err)))
}

/// A dead-letter queue's state, as `redrive list` reports it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QueueStatus {
    /// The queue and where its messages come from.
    #[serde(flatten)]
    pub queue: DeadLetterQueue,
    /// Its URL.
    pub queue_url: String,
    /// Messages waiting (`ApproximateNumberOfMessages`).
    pub depth: u64,
    /// Messages received and not yet deleted or visible again
    /// (`ApproximateNumberOfMessagesNotVisible`).
    pub in_flight: u64,
    /// Age in whole seconds of the oldest message among up to [`AGE_SAMPLE`] sampled
    /// (`SentTimestamp`); `None` when none could be sampled, or the queue has a redrive
    /// policy of its own (receiving would count toward it).
    pub oldest_age_seconds: Option<i64>,
}

/// Every dead-letter queue of the target's template with its depth and oldest message.
///
/// The age is sampled by peeking at up to [`AGE_SAMPLE`] messages as [`show`] does (it
/// counts as one more receive in their `ApproximateReceiveCount`).
///
/// # Errors
/// When a queue's URL is unknown or SQS fails.
pub async fn list(target: &Target) -> Result<Vec<QueueStatus>, Error> {
    let mut statuses = Vec::new();
    for queue in template::dead_letter_queues(target.template()) {
        let queue_url = target.queue_url(&queue.logical_id)?.to_owned();
        let attributes = target
            .sqs
            .get_queue_attributes()
            .queue_url(&queue_url)
            .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
            .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesNotVisible)
            .send()
            .await
            .map_err(|err| aws(format!("reading the attributes of {}", queue.logical_id), &err))?;
        let count = |name: QueueAttributeName| {
            attributes.attributes().and_then(|a| a.get(&name)).and_then(|v| v.parse().ok()).unwrap_or(0)
        };
        let depth = count(QueueAttributeName::ApproximateNumberOfMessages);
        let in_flight = count(QueueAttributeName::ApproximateNumberOfMessagesNotVisible);
        // A peek is a receive: never sample a queue whose receives count toward its own
        // redrive (a dead-letter queue that has a dead-letter queue).
        let redrives = target
            .template()
            .resources
            .get(&queue.logical_id)
            .is_some_and(|resource| resource["Properties"].get("RedrivePolicy").is_some());
        let oldest_age_seconds = if depth == 0 || redrives {
            None
        } else {
            let sample = peek(target, &queue.logical_id, &queue_url, AGE_SAMPLE).await?;
            sample.iter().filter_map(sent_at).min().map(|oldest| (Utc::now() - oldest).num_seconds().max(0))
        };
        statuses.push(QueueStatus { queue, queue_url, depth, in_flight, oldest_age_seconds });
    }
    Ok(statuses)
}

/// Up to `max` messages of queue `logical_id`, left in the queue: they are received with a
/// visibility timeout of [`PEEK_VISIBILITY_SECONDS`] (so each is seen once) and then made
/// visible again at once.
///
/// # Errors
/// When the queue's URL is unknown or SQS fails (the messages reappear by themselves
/// after the visibility timeout).
pub async fn show(target: &Target, logical_id: &str, max: usize) -> Result<Vec<DeadLetter>, Error> {
    let queue_url = target.queue_url(logical_id)?;
    let mut letters: Vec<DeadLetter> =
        peek(target, logical_id, queue_url, max).await?.iter().map(dead_letter).collect();
    for letter in &mut letters {
        if let Some(failure) = &mut letter.summary.stream_failure {
            failure.function = target.function_of_arn(&failure.function_arn).map(str::to_owned);
        }
    }
    Ok(letters)
}

/// Receives up to `max` messages with a visibility timeout of [`PEEK_VISIBILITY_SECONDS`],
/// then makes them all visible again (visibility timeout 0).
async fn peek(target: &Target, logical_id: &str, queue_url: &str, max: usize) -> Result<Vec<Message>, Error> {
    let mut received: Vec<Message> = Vec::new();
    let mut seen = HashSet::new();
    let mut failure = None;
    while received.len() < max {
        let wanted = i32::try_from((max - received.len()).min(10)).unwrap_or(10);
        let batch = target
            .sqs
            .receive_message()
            .queue_url(queue_url)
            .max_number_of_messages(wanted)
            .visibility_timeout(PEEK_VISIBILITY_SECONDS)
            .wait_time_seconds(0)
            .message_system_attribute_names(MessageSystemAttributeName::All)
            .message_attribute_names("All")
            .send()
            .await;
        let batch = match batch {
            Ok(batch) => batch,
            Err(err) => {
                failure = Some(aws(format!("receiving from {logical_id}"), &err));
                break;
            }
        };
        let fresh: Vec<Message> = batch
            .messages()
            .iter()
            .filter(|m| seen.insert(m.message_id().unwrap_or_default().to_owned()))
            .cloned()
            .collect();
        if fresh.is_empty() {
            break;
        }
        received.extend(fresh);
    }
    let restored = make_visible(target, queue_url, &received).await;
    if let Some(err) = failure {
        return Err(err);
    }
    restored.map_err(|err| aws(format!("making the messages of {logical_id} visible again"), &err))?;
    Ok(received)
}

async fn make_visible(
    target: &Target,
    queue_url: &str,
    messages: &[Message],
) -> Result<
    (),
    aws_sdk_sqs::error::SdkError<
        aws_sdk_sqs::operation::change_message_visibility_batch::ChangeMessageVisibilityBatchError,
    >,
> {
    for chunk in messages.chunks(10) {
        let entries = chunk
            .iter()
            .enumerate()
            .filter_map(|(index, message)| {
                ChangeMessageVisibilityBatchRequestEntry::builder()
                    .id(index.to_string())
                    .receipt_handle(message.receipt_handle().unwrap_or_default())
                    .visibility_timeout(0)
                    .build()
                    .ok()
            })
            .collect();
        target.sqs.change_message_visibility_batch().queue_url(queue_url).set_entries(Some(entries)).send().await?;
    }
    Ok(())
}

fn sent_at(message: &Message) -> Option<DateTime<Utc>> {
    let millis = message.attributes()?.get(&MessageSystemAttributeName::SentTimestamp)?.parse().ok()?;
    DateTime::from_timestamp_millis(millis)
}

fn dead_letter(message: &Message) -> DeadLetter {
    let body = message.body().unwrap_or_default().to_owned();
    let attributes: Vec<(String, String)> = message
        .message_attributes()
        .into_iter()
        .flatten()
        .filter_map(|(name, value)| Some((name.clone(), value.string_value()?.to_owned())))
        .collect();
    DeadLetter {
        message_id: message.message_id().unwrap_or_default().to_owned(),
        sent_at: sent_at(message),
        receive_count: message
            .attributes()
            .and_then(|a| a.get(&MessageSystemAttributeName::ApproximateReceiveCount))
            .and_then(|count| count.parse().ok()),
        summary: message::summarize(&body, &attributes),
        body,
    }
}

/// How `move` moves messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MoveMethod {
    /// SQS `StartMessageMoveTask`, falling back to [`MoveMethod::Portable`] where the
    /// endpoint does not support it (the local stack's SQS).
    #[default]
    Auto,
    /// One message at a time: receive, send to the source, delete.
    Portable,
}

/// What `move` did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MoveReport {
    /// The dead-letter queue (logical id).
    pub from: String,
    /// The queue the messages went to (logical id).
    pub to: String,
    /// Messages waiting in the dead-letter queue before the move.
    pub depth_before: u64,
    /// How they moved.
    #[serde(flatten)]
    pub outcome: MoveOutcome,
}

/// How messages moved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "method")]
pub enum MoveOutcome {
    /// SQS runs a message move task; it moves every message, in the background.
    Task {
        /// The task handle (for `aws sqs list-message-move-tasks` / `cancel-message-move-task`).
        task_handle: String,
    },
    /// Moved one at a time, done when this returns.
    Portable {
        /// Messages moved.
        moved: u64,
    },
}

/// Moves the messages of dead-letter queue `dlq` back to its source queue (`to`, needed
/// when it has several), at most `max` of them (`max` implies the portable method: a move
/// task moves everything).
///
/// The portable method sends each message to the source with its body and message
/// attributes, then deletes it from the dead-letter queue, one at a time: a crash between
/// the two duplicates at most that one message (same body, so same event id), which the
/// consumer's inbox absorbs.
///
/// # Errors
/// When `dlq` is not a dead-letter queue of the template, holds stream failures (nothing to
/// move them to: see [`republish`]), has several sources and `to` is not given, or SQS fails.
pub async fn move_messages(
    target: &Target,
    dlq: &str,
    to: Option<&str>,
    max: Option<u64>,
    method: MoveMethod,
) -> Result<MoveReport, Error> {
    let queue = template::dead_letter_queues(target.template())
        .into_iter()
        .find(|q| q.logical_id == dlq)
        .ok_or_else(|| Error::NotADeadLetterQueue(dlq.to_owned()))?;
    let destination = match (to, queue.source_queues.as_slice()) {
        (Some(to), _) => to.to_owned(),
        (None, [only]) => only.clone(),
        (None, []) => {
            return Err(Error::StreamFailures { queue: dlq.to_owned(), functions: queue.stream_functions.join(", ") });
        }
        (None, many) => return Err(Error::AmbiguousSource { queue: dlq.to_owned(), sources: many.join(", ") }),
    };
    let dlq_url = target.queue_url(dlq)?;
    let destination_url = target.queue_url(&destination)?;
    let depth_before = depth(target, dlq, dlq_url).await?;
    let report = |outcome| MoveReport { from: dlq.to_owned(), to: destination.clone(), depth_before, outcome };

    if method == MoveMethod::Auto && max.is_none() {
        let source_arn = queue_arn(target, dlq, dlq_url).await?;
        let destination_arn = queue_arn(target, &destination, destination_url).await?;
        let started =
            target.sqs.start_message_move_task().source_arn(source_arn).destination_arn(destination_arn).send().await;
        match started {
            Ok(task) => {
                return Ok(report(MoveOutcome::Task {
                    task_handle: task.task_handle().unwrap_or_default().to_owned(),
                }));
            }
            Err(err) if is_unsupported(err.code()) => {}
            Err(err) => return Err(aws(format!("starting a message move task from {dlq}"), &err)),
        }
    }
    let moved = move_one_at_a_time(target, dlq_url, destination_url, max.unwrap_or(u64::MAX)).await?;
    Ok(report(MoveOutcome::Portable { moved }))
}

/// Error codes of an SQS endpoint that has no message move tasks.
fn is_unsupported(code: Option<&str>) -> bool {
    matches!(
        code,
        Some(
            "UnsupportedOperation"
                | "AWS.SimpleQueueService.UnsupportedOperation"
                | "InvalidAction"
                | "UnknownOperationException"
                | "NotImplemented"
        )
    )
}

async fn depth(target: &Target, logical_id: &str, queue_url: &str) -> Result<u64, Error> {
    let attributes = target
        .sqs
        .get_queue_attributes()
        .queue_url(queue_url)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
        .send()
        .await
        .map_err(|err| aws(format!("reading the depth of {logical_id}"), &err))?;
    Ok(attributes
        .attributes()
        .and_then(|a| a.get(&QueueAttributeName::ApproximateNumberOfMessages))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0))
}

async fn queue_arn(target: &Target, logical_id: &str, queue_url: &str) -> Result<String, Error> {
    let attributes = target
        .sqs
        .get_queue_attributes()
        .queue_url(queue_url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .map_err(|err| aws(format!("reading the ARN of {logical_id}"), &err))?;
    attributes
        .attributes()
        .and_then(|a| a.get(&QueueAttributeName::QueueArn))
        .cloned()
        .ok_or_else(|| Error::Aws(format!("{logical_id} has no QueueArn attribute")))
}

async fn move_one_at_a_time(target: &Target, from: &str, to: &str, max: u64) -> Result<u64, Error> {
    let mut moved = 0;
    while moved < max {
        let received = target
            .sqs
            .receive_message()
            .queue_url(from)
            .max_number_of_messages(1)
            .visibility_timeout(MOVE_VISIBILITY_SECONDS)
            .wait_time_seconds(0)
            .message_system_attribute_names(MessageSystemAttributeName::All)
            .message_attribute_names("All")
            .send()
            .await
            .map_err(|err| aws("receiving from the dead-letter queue", &err))?;
        let Some(message) = received.messages().first() else {
            break;
        };
        let system = |name: MessageSystemAttributeName| message.attributes().and_then(|a| a.get(&name)).cloned();
        target
            .sqs
            .send_message()
            .queue_url(to)
            .message_body(message.body().unwrap_or_default())
            .set_message_attributes(message.message_attributes().cloned())
            .set_message_group_id(system(MessageSystemAttributeName::MessageGroupId))
            .set_message_deduplication_id(system(MessageSystemAttributeName::MessageDeduplicationId))
            .send()
            .await
            .map_err(|err| aws("sending to the source queue", &err))?;
        target
            .sqs
            .delete_message()
            .queue_url(from)
            .receipt_handle(message.receipt_handle().unwrap_or_default())
            .send()
            .await
            .map_err(|err| aws("deleting from the dead-letter queue", &err))?;
        moved += 1;
    }
    Ok(moved)
}

/// Deletes every message of `queue`, which must hold only stream on-failure records (no
/// source queue redrives into it): records of where a function gave up in a stream, whose
/// events, for an outbox relay, stay in the table until a sweep publishes them. Returns how
/// many messages were waiting before.
///
/// # Errors
/// When `queue` is not a dead-letter queue of the template, or is one of a source queue
/// (its messages are events: move them), or SQS fails.
pub async fn purge_stream_failures(target: &Target, queue: &str) -> Result<u64, Error> {
    let dead_letters = template::dead_letter_queues(target.template())
        .into_iter()
        .find(|q| q.logical_id == queue)
        .ok_or_else(|| Error::NotADeadLetterQueue(queue.to_owned()))?;
    if !dead_letters.source_queues.is_empty() {
        return Err(Error::HoldsEvents { queue: queue.to_owned(), sources: dead_letters.source_queues.join(", ") });
    }
    let queue_url = target.queue_url(queue)?;
    let waiting = depth(target, queue, queue_url).await?;
    target.sqs.purge_queue().queue_url(queue_url).send().await.map_err(|err| aws(format!("purging {queue}"), &err))?;
    Ok(waiting)
}

/// What `republish` got back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RepublishReport {
    /// The function invoked (physical name).
    pub function: String,
    /// What it answered (its JSON response).
    pub response: String,
}

/// Invokes relay function `function` (logical id) synchronously with an EventBridge
/// scheduled event (`detail-type: Scheduled Event`, `source: aws.events`), the event on
/// which an outbox relay sweeps its table and publishes every item still unpublished.
///
/// # Errors
/// When the function is unknown, cannot be invoked, or answers with a function error.
pub async fn republish(target: &Target, function: &str) -> Result<RepublishReport, Error> {
    let name = target.function_name(function)?.to_owned();
    let payload = serde_json::to_vec(&scheduled_event(target)).map_err(|err| Error::Aws(err.to_string()))?;
    let output = target
        .lambda
        .invoke()
        .function_name(&name)
        .payload(aws_sdk_lambda::primitives::Blob::new(payload))
        .send()
        .await
        .map_err(|err| aws(format!("invoking {name}"), &err))?;
    let response = output.payload().map(|p| String::from_utf8_lossy(p.as_ref()).into_owned()).unwrap_or_default();
    if let Some(error) = output.function_error() {
        return Err(Error::FunctionError { function: name, error: error.to_owned(), payload: response });
    }
    Ok(RepublishReport { function: name, response })
}

/// The EventBridge scheduled event `republish` sends.
pub fn scheduled_event(target: &Target) -> aws_lambda_events::event::cloudwatch_events::CloudWatchEvent {
    let mut event = aws_lambda_events::event::cloudwatch_events::CloudWatchEvent::default();
    event.version = Some("0".to_owned());
    event.id = Some(uuid::Uuid::new_v4().to_string());
    event.detail_type = Some("Scheduled Event".to_owned());
    event.source = Some("aws.events".to_owned());
    event.account_id = target.account_id.clone();
    event.region = target.region.clone();
    event.time = Utc::now();
    event.detail = Some(serde_json::json!({}));
    event
}
