//! The DynamoDB adapter of notification (table `NOTIFICATION_TABLE`): one transaction per
//! event, the consumer's inbox item and, per notice, an outbox item carrying the
//! `CustomerNotified` envelope and the [`Publication`] the relay sends to `NotificationsTopic`
//! instead (subject, text, attributes `customerId` and `eventType`).

use std::collections::BTreeMap;
use std::time::Duration;

use contracts::notification as wire;
use platform::EventEnvelope;
use platform::inbox::{Applied, Inbox};
use platform::outbox::{Outbox, Publication};

use crate::SOURCE;
use crate::domain::Notice;
use crate::ports::Notices;

/// The consumer name in the inbox keys; stable, or repeats would be sent again.
const CONSUMER: &str = "notification-on-events";

/// [`Notices`] in the notification table.
#[derive(Debug, Clone)]
pub struct DynamoNotices {
    inbox: Inbox,
    outbox: Outbox,
}

impl DynamoNotices {
    /// The adapter for `table`; inbox and outbox items expire `retention` after writing.
    pub fn new(client: aws_sdk_dynamodb::Client, table: impl Into<String>, retention: Duration) -> Self {
        let table = table.into();
        Self { inbox: Inbox::new(client, &table, CONSUMER, retention), outbox: Outbox::new(table, retention) }
    }
}

impl Notices for DynamoNotices {
    async fn send_once(&self, cause: &EventEnvelope, notices: &[Notice]) -> anyhow::Result<Applied> {
        let items = notices
            .iter()
            .map(|notice| {
                let (envelope, publication) = outgoing(cause, notice);
                self.outbox.put_publication(&envelope, &publication)
            })
            .collect();
        // Boxed: the SDK's nested futures would otherwise exceed the compiler's layout depth.
        Ok(Box::pin(self.inbox.apply_once(cause, items)).await?)
    }
}

/// The envelope recorded for `notice` and the message published for it.
fn outgoing(cause: &EventEnvelope, notice: &Notice) -> (EventEnvelope, Publication) {
    let recorded = wire::NotificationEvent::CustomerNotified(wire::CustomerNotified {
        customer_id: notice.customer_id.clone(),
        reservation_id: notice.reservation_id.clone(),
        event_type: notice.event_type.to_owned(),
        subject: notice.subject.clone(),
        text: notice.text.clone(),
    });
    let envelope = EventEnvelope::wrap(SOURCE, &cause.correlation_id, Some(&cause.id), &recorded);
    let publication = Publication {
        subject: notice.subject.clone(),
        message: notice.text.clone(),
        attributes: BTreeMap::from([
            ("customerId".to_owned(), notice.customer_id.clone()),
            ("eventType".to_owned(), notice.event_type.to_owned()),
        ]),
    };
    (envelope, publication)
}
