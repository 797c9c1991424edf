//! What the local stack shows: every SNS message published (through a tap queue
//! subscribed to each topic) and every message that reaches a dead-letter queue.

use std::time::Duration;

use serde::Serialize;
use serde_json::{Value, json};

use crate::emulators::Emulators;

/// One message published to a topic, as a subscriber received it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PublishedMessage {
    /// Logical id of the topic in the template.
    pub topic: String,
    /// SNS message id.
    pub message_id: String,
    /// `Subject`, when the publisher set one.
    pub subject: Option<String>,
    /// The message body as published.
    pub message: String,
    /// Message attributes: name -> string value.
    pub attributes: serde_json::Map<String, Value>,
    /// SNS timestamp.
    pub timestamp: String,
    /// The X-Ray trace header it was published with (the `Publish` request's
    /// `X-Amzn-Trace-Id`), if any ([`crate::trace`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trace_header: Option<String>,
}

/// The newest messages seen (at most [`crate::log::DEFAULT_CAPACITY`] unless the stack
/// sets another capacity), shared with the control API.
pub type MessageLog = crate::log::BoundedLog<PublishedMessage>;

/// Subscribes a tap queue to `topic_arn` and records (and prints) each message published.
///
/// # Errors
/// When the tap queue or subscription cannot be created.
pub async fn tap_topic(
    emulators: &Emulators,
    topic_logical_id: &str,
    topic_arn: &str,
    log: MessageLog,
    print: bool,
) -> anyhow::Result<impl std::future::Future<Output = ()> + use<>> {
    let queue_name = format!(
        "{}{}",
        crate::durable_sqs::UNJOURNALED_PREFIX,
        topic_arn.rsplit(':').next().unwrap_or(topic_logical_id)
    );
    let created = emulators
        .sqs
        .create_queue(rustack_sqs_model::input::CreateQueueInput {
            queue_name: queue_name.clone(),
            ..Default::default()
        })
        .await
        .map_err(|err| anyhow::anyhow!("{err}"))?;
    let queue_url = created.queue_url.unwrap_or_default();
    let queue_arn = format!("arn:aws:sqs:{}:{}:{queue_name}", crate::emulators::REGION, crate::template::ACCOUNT_ID);
    crate::resources::subscribe(emulators, topic_arn, &json!({ "Protocol": "sqs", "Endpoint": queue_arn }))?;
    let emulators = emulators.clone();
    let topic = topic_logical_id.to_owned();
    Ok(async move {
        loop {
            let received = emulators
                .sqs
                .receive_message(rustack_sqs_model::input::ReceiveMessageInput {
                    queue_url: queue_url.clone(),
                    max_number_of_messages: Some(10),
                    wait_time_seconds: Some(1),
                    message_attribute_names: vec![crate::trace::TRACE_MESSAGE_ATTRIBUTE.to_owned()],
                    ..Default::default()
                })
                .await;
            let Ok(received) = received else {
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            };
            if received.messages.is_empty() {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            for message in received.messages {
                let envelope: Value =
                    message.body.as_deref().and_then(|b| serde_json::from_str(b).ok()).unwrap_or_default();
                let attributes = envelope["MessageAttributes"]
                    .as_object()
                    .map(|attrs| attrs.iter().map(|(k, v)| (k.clone(), v["Value"].clone())).collect())
                    .unwrap_or_default();
                let published = PublishedMessage {
                    topic: topic.clone(),
                    message_id: envelope["MessageId"].as_str().unwrap_or_default().to_owned(),
                    subject: envelope["Subject"].as_str().map(str::to_owned),
                    message: envelope["Message"].as_str().unwrap_or_default().to_owned(),
                    attributes,
                    timestamp: envelope["Timestamp"].as_str().unwrap_or_default().to_owned(),
                    trace_header: crate::trace::trace_of(&message),
                };
                if print {
                    let subject = published.subject.as_deref().map(|s| format!(" [{s}]")).unwrap_or_default();
                    println!("SNS  {}{subject} {}", published.topic, published.message);
                }
                log.push(published);
                if let Some(receipt_handle) = message.receipt_handle {
                    let _ = emulators
                        .sqs
                        .delete_message(rustack_sqs_model::input::DeleteMessageInput {
                            queue_url: queue_url.clone(),
                            receipt_handle,
                        })
                        .await;
                }
            }
        }
    })
}

/// Warns whenever the number of messages waiting in a dead-letter queue grows.
pub async fn watch_dead_letters(emulators: Emulators, queues: Vec<(String, String)>, print: bool) {
    let mut counts = vec![0_u64; queues.len()];
    loop {
        for (index, (logical_id, queue_arn)) in queues.iter().enumerate() {
            let Ok(queue_url) = emulators.sqs.queue_url_for_arn(queue_arn) else {
                continue;
            };
            let attributes = emulators
                .sqs
                .get_queue_attributes(rustack_sqs_model::input::GetQueueAttributesInput {
                    queue_url,
                    attribute_names: vec!["ApproximateNumberOfMessages".to_owned()],
                })
                .await;
            let Ok(attributes) = attributes else { continue };
            let count: u64 =
                attributes.attributes.get("ApproximateNumberOfMessages").and_then(|v| v.parse().ok()).unwrap_or(0);
            if count > counts[index] {
                tracing::warn!(queue = %logical_id, waiting = count, "message(s) arrived in a dead-letter queue");
                if print {
                    eprintln!("WARN dead-letter queue {logical_id} now holds {count} message(s)");
                }
            }
            counts[index] = count;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}
