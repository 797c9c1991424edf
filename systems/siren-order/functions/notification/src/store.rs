//! The DynamoDB adapter of the notification context (table `NOTIFICATION_TABLE`).
//!
//! A notification is written as one transaction: the consumer's inbox record
//! (`pk = INBOX#notification-on-events#<event id>`) and, per message, an outbox item
//! carrying the `CustomerNotified` envelope and the [`Publication`] the relay sends to
//! `NotificationsTopic` instead of the envelope (subject, text, attributes `customerId`
//! and `eventType`); the first message's outbox item is the inbox record itself (one item
//! fewer). Both item shapes belong to the platform ([`platform::inbox`],
//! [`platform::outbox`]).

use std::collections::BTreeMap;
use std::time::Duration;

use contracts::notification as wire;
use platform::EventEnvelope;
use platform::inbox::{Applied, Inbox};
use platform::outbox::{Outbox, Publication};

use crate::SOURCE;
use crate::domain::NotificationEvent;
use crate::ports::CustomerMessages;

/// The consumer name in the inbox keys; stable, or repeats would be sent again.
const CONSUMER: &str = "notification-on-events";

/// [`CustomerMessages`] in the notification table.
#[derive(Debug, Clone)]
pub struct DynamoMessages {
    inbox: Inbox,
    outbox: Outbox,
}

impl DynamoMessages {
    /// The adapter for `table`; inbox and outbox items expire `retention` after writing.
    pub fn new(client: aws_sdk_dynamodb::Client, table: impl Into<String>, retention: Duration) -> Self {
        let table = table.into();
        Self { inbox: Inbox::new(client, &table, CONSUMER, retention), outbox: Outbox::new(table, retention) }
    }
}

impl CustomerMessages for DynamoMessages {
    async fn send_once(&self, cause: &EventEnvelope, events: &[NotificationEvent]) -> anyhow::Result<Applied> {
        let items = events
            .iter()
            .map(|event| {
                let (envelope, publication) = outgoing(cause, event);
                self.outbox.put_publication(&envelope, &publication)
            })
            .collect();
        // Boxed: the SDK's nested futures would otherwise exceed the compiler's layout depth
        // in the binary that serves this (the whole Lambda loop is one future).
        Ok(Box::pin(self.inbox.apply_once(cause, items)).await?)
    }
}

/// The envelope recorded for `event` and the message published for it.
fn outgoing(cause: &EventEnvelope, event: &NotificationEvent) -> (EventEnvelope, Publication) {
    match event {
        NotificationEvent::CustomerNotified(told) => {
            let recorded = wire::NotificationEvent::CustomerNotified(wire::CustomerNotified {
                customer_id: told.customer_id.to_string(),
                event_type: told.occasion.to_owned(),
                subject: told.subject.clone(),
                text: told.text.clone(),
            });
            let envelope = EventEnvelope::wrap(SOURCE, &cause.correlation_id, Some(&cause.id), &recorded);
            let publication = Publication {
                subject: told.subject.clone(),
                message: told.text.clone(),
                attributes: BTreeMap::from([
                    ("customerId".to_owned(), told.customer_id.to_string()),
                    ("eventType".to_owned(), told.occasion.to_owned()),
                ]),
            };
            (envelope, publication)
        }
    }
}
