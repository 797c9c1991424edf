//! The DynamoDB adapter of alarm (table `ALARM_TABLE`): one transaction per event, the
//! consumer's inbox item, the message's item and an outbox item carrying the `MessageSent`
//! envelope and the [`Publication`] the relay sends to `NotificationsTopic` instead (subject,
//! text, attributes `customerId` and `eventType`).
//!
//! Items (`pk`, `sk`, `kind`, then attributes):
//! - a message: `MESSAGE#<messageId>`, `MESSAGE`, `Message`; `messageId`, `customerNo`,
//!   `planNo`, `kind` is `Message` and the event type is `messageKind`, `text`, `sentAt`;
//!   `gsi1pk` `MSGS#<customerNo>`, `gsi1sk` `<sentAt>#<messageId>` (index `ByCustomer`);
//! - who a customer is: `CUSTOMER#<customerNo>`, `CUSTOMER`, `Customer`; `subject`;
//! - outbox and inbox items.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use contracts::alarm as wire;
use platform::EventEnvelope;
use platform::dynamo::{Condition, Index, Table, WriteError, to_item};
use platform::inbox::{Applied, Inbox};
use platform::outbox::{Outbox, Publication};
use platform::page::{Page, PageError, PageRequest};
use serde::{Deserialize, Serialize};

use crate::SOURCE;
use crate::domain::{Message, MessageId};
use crate::ports::Messages;

const CONSUMER: &str = "alarm-on-events";
const BY_CUSTOMER: Index<'static> = Index { name: "ByCustomer", partition: "gsi1pk", sort: "gsi1sk" };

/// Messages in DynamoDB, with the outbox and the consumer's inbox.
#[derive(Debug, Clone)]
pub struct DynamoMessages {
    table: Table,
    inbox: Inbox,
    outbox: Outbox,
}

impl DynamoMessages {
    /// The adapter for `table`; outbox and inbox items expire after `retention`.
    pub fn new(client: aws_sdk_dynamodb::Client, table: impl Into<String>, retention: Duration) -> Self {
        let table = Table::new(client, table);
        Self {
            inbox: Inbox::new(table.client().clone(), table.name(), CONSUMER, retention),
            outbox: Outbox::new(table.name(), retention),
            table,
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct MessageItem {
    pk: String,
    sk: String,
    kind: String,
    gsi1pk: String,
    gsi1sk: String,
    message_id: MessageId,
    customer_no: String,
    plan_no: String,
    message_kind: String,
    text: String,
    sent_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CustomerItem {
    pk: String,
    sk: String,
    kind: String,
    customer_no: String,
    subject: String,
}

fn outgoing(cause: &EventEnvelope, m: &Message) -> (EventEnvelope, Publication) {
    let recorded = wire::AlarmEvent::MessageSent(wire::MessageSent {
        message_id: m.message_id.to_string(),
        customer_no: m.customer_no.clone(),
        plan_no: m.plan_no.clone(),
        kind: m.kind.to_owned(),
        text: m.text.clone(),
    });
    let envelope = EventEnvelope::wrap(SOURCE, &cause.correlation_id, Some(&cause.id), &recorded);
    let publication = Publication {
        subject: "ezInsurance 알림톡".to_owned(),
        message: m.text.clone(),
        attributes: BTreeMap::from([
            ("customerId".to_owned(), m.customer_no.clone()),
            ("eventType".to_owned(), m.kind.to_owned()),
        ]),
    };
    (envelope, publication)
}

/// The event types alarm sends messages for, as stored back into [`Message::kind`].
const KINDS: [&str; 5] =
    ["ProductDescriptionIssued", "ProposalSubmitted", "ContractConcluded", "ProposalWithdrawn", "PayCancelled"];

impl Messages for DynamoMessages {
    async fn send_once(&self, cause: &EventEnvelope, m: &Message) -> Result<Applied, WriteError> {
        let sent = m.sent_at.to_rfc3339_opts(SecondsFormat::Millis, true);
        let item = MessageItem {
            pk: format!("MESSAGE#{}", m.message_id),
            sk: "MESSAGE".to_owned(),
            kind: "Message".to_owned(),
            gsi1pk: format!("MSGS#{}", m.customer_no),
            gsi1sk: format!("{sent}#{}", m.message_id),
            message_id: m.message_id.clone(),
            customer_no: m.customer_no.clone(),
            plan_no: m.plan_no.clone(),
            message_kind: m.kind.to_owned(),
            text: m.text.clone(),
            sent_at: m.sent_at,
        };
        let (envelope, publication) = outgoing(cause, m);
        let items =
            vec![self.table.put(to_item(&item)?, Condition::New), self.outbox.put_publication(&envelope, &publication)];
        // Boxed: the SDK's nested futures would otherwise exceed the compiler's layout depth.
        Ok(Box::pin(self.inbox.apply_once(cause, items)).await?)
    }

    async fn of_customer(&self, customer_no: &str, page: &PageRequest) -> Result<Page<Message>, PageError> {
        let items: Page<MessageItem> =
            self.table.query_page(&BY_CUSTOMER, format!("MSGS#{customer_no}"), false, page).await?;
        let messages = items
            .items
            .into_iter()
            .map(|i| {
                let kind = KINDS.iter().find(|k| **k == i.message_kind).copied().unwrap_or("Unknown");
                Message {
                    message_id: i.message_id,
                    customer_no: i.customer_no,
                    plan_no: i.plan_no,
                    kind,
                    text: i.text,
                    sent_at: i.sent_at,
                }
            })
            .collect();
        Ok(Page::new(messages, items.next))
    }

    async fn subject_of(&self, customer_no: &str) -> anyhow::Result<Option<String>> {
        Ok(self.table.get::<CustomerItem>(format!("CUSTOMER#{customer_no}"), "CUSTOMER").await?.map(|i| i.subject))
    }

    async fn save_subject_once(
        &self,
        cause: &EventEnvelope,
        customer_no: &str,
        subject: &str,
    ) -> Result<Applied, WriteError> {
        let item = CustomerItem {
            pk: format!("CUSTOMER#{customer_no}"),
            sk: "CUSTOMER".to_owned(),
            kind: "Customer".to_owned(),
            customer_no: customer_no.to_owned(),
            subject: subject.to_owned(),
        };
        Ok(Box::pin(self.inbox.apply_once(cause, vec![self.table.put(to_item(&item)?, Condition::New)])).await?)
    }
}
