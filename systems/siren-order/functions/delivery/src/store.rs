//! The DynamoDB adapter of the delivery context (table `DELIVERY_TABLE`).
//!
//! Items: the ticket `pk = DELIVERY#<id>, sk = DELIVERY`, indexed in `ByStatus` by
//! `gsi1pk = STATUS#<status>`, `gsi1sk = <createdAt>#<id>` (the queue, oldest first); the
//! per-order guard `pk = ORDER#<orderId>, sk = TICKET` (the ticket's id, or `cancelled`)
//! that makes one order one ticket; the day's counter `pk = COUNTER#<day>, sk = COUNTER`;
//! a claim per issued number `pk = NUMBER#<day>#<n>, sk = NUMBER`; outbox items.

use std::collections::HashMap;

use anyhow::Context;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue, TransactWriteItem};
use chrono::{DateTime, Utc};
use platform::EventEnvelope;
use platform::dynamo::Condition;
use platform::outbox::{Outbox, TransactError, transact};

use crate::domain::{DeliveryStatus, Ticket};

type Item = HashMap<String, AttributeValue>;

/// Name of the queue index.
pub const STATUS_INDEX: &str = "ByStatus";

/// What the counter knows about an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Guard {
    /// A ticket was issued.
    Ticket(String),
    /// The order was cancelled before any ticket was issued; none ever will be.
    CancelledBeforeIssue,
}

/// Why a write was not stored.
#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    /// A concurrent write won; nothing was written.
    #[error("a concurrent write won")]
    Conflict,
    /// Storage failed; nothing was written.
    #[error(transparent)]
    Storage(#[from] anyhow::Error),
}

/// Tickets in DynamoDB.
#[derive(Debug, Clone)]
pub struct DynamoTickets {
    client: aws_sdk_dynamodb::Client,
    table: String,
    outbox: Outbox,
}

fn s(value: &str) -> AttributeValue {
    AttributeValue::S(value.to_owned())
}

fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

fn key(pk: String, sk: &str) -> Item {
    HashMap::from([("pk".to_owned(), s(&pk)), ("sk".to_owned(), s(sk))])
}

fn ticket_key(id: &str) -> Item {
    key(format!("DELIVERY#{id}"), "DELIVERY")
}

fn guard_key(order_id: &str) -> Item {
    key(format!("ORDER#{order_id}"), "TICKET")
}

impl From<&Ticket> for Item {
    fn from(ticket: &Ticket) -> Self {
        let created = ticket.created_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let mut item = ticket_key(&ticket.id);
        item.insert("kind".to_owned(), s("Ticket"));
        item.insert("deliveryId".to_owned(), s(&ticket.id));
        item.insert("orderId".to_owned(), s(&ticket.order_id));
        item.insert("customerId".to_owned(), s(&ticket.customer_id));
        item.insert("waitingNumber".to_owned(), n(ticket.waiting_number));
        item.insert("businessDay".to_owned(), s(&ticket.business_day));
        item.insert("status".to_owned(), s(ticket.status.as_str()));
        item.insert("createdAt".to_owned(), s(&created));
        item.insert("updatedAt".to_owned(), s(&ticket.updated_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)));
        item.insert("version".to_owned(), n(ticket.version));
        item.insert("gsi1pk".to_owned(), s(&format!("STATUS#{}", ticket.status.as_str())));
        item.insert("gsi1sk".to_owned(), s(&format!("{created}#{}", ticket.id)));
        item
    }
}

fn text<'a>(item: &'a Item, key: &str) -> anyhow::Result<&'a str> {
    item.get(key).and_then(|v| v.as_s().ok()).map(String::as_str).with_context(|| format!("ticket item lacks {key}"))
}

fn number<T: std::str::FromStr>(item: &Item, key: &str) -> anyhow::Result<T> {
    item.get(key)
        .and_then(|v| v.as_n().ok())
        .and_then(|n| n.parse().ok())
        .with_context(|| format!("ticket item lacks {key}"))
}

fn ticket_from_item(item: &Item) -> anyhow::Result<Ticket> {
    Ok(Ticket {
        id: text(item, "deliveryId")?.to_owned(),
        order_id: text(item, "orderId")?.to_owned(),
        customer_id: text(item, "customerId")?.to_owned(),
        waiting_number: number(item, "waitingNumber")?,
        business_day: text(item, "businessDay")?.to_owned(),
        status: DeliveryStatus::parse(text(item, "status")?)?,
        created_at: text(item, "createdAt")?.parse::<DateTime<Utc>>()?,
        updated_at: text(item, "updatedAt")?.parse::<DateTime<Utc>>()?,
        version: number(item, "version")?,
    })
}

impl DynamoTickets {
    /// The adapter for `table`, whose outbox items expire after `retention`.
    pub fn new(client: aws_sdk_dynamodb::Client, table: impl Into<String>, retention: std::time::Duration) -> Self {
        let table = table.into();
        Self { client, outbox: Outbox::new(table.clone(), retention), table }
    }

    /// The DynamoDB client (for the consumer's inbox).
    pub fn client(&self) -> &aws_sdk_dynamodb::Client {
        &self.client
    }

    /// The table name (for the consumer's inbox).
    pub fn table(&self) -> &str {
        &self.table
    }

    fn put(&self, item: Item, condition: Condition) -> TransactWriteItem {
        platform::dynamo::put(&self.table, item, condition)
    }

    /// What the counter knows about `order_id`.
    ///
    /// # Errors
    /// When storage fails.
    pub async fn find_guard(&self, order_id: &str) -> anyhow::Result<Option<Guard>> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(guard_key(order_id)))
            .consistent_read(true)
            .send()
            .await
            .context("GetItem guard")?;
        Ok(output.item.map(|item| match item.get("deliveryId").and_then(|v| v.as_s().ok()) {
            Some(id) => Guard::Ticket(id.clone()),
            None => Guard::CancelledBeforeIssue,
        }))
    }

    /// The next waiting number of `day` (1 for the first), atomically. A number is never
    /// handed out twice; one whose ticket is then not stored is skipped.
    ///
    /// # Errors
    /// When storage fails.
    pub async fn next_number(&self, day: &str) -> anyhow::Result<u32> {
        let output = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(format!("COUNTER#{day}"), "COUNTER")))
            .update_expression("ADD n :one")
            .expression_attribute_values(":one", n(1))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await
            .context("UpdateItem counter")?;
        output
            .attributes
            .as_ref()
            .and_then(|a| a.get("n"))
            .and_then(|v| v.as_n().ok())
            .and_then(|v| v.parse().ok())
            .context("the counter has no number")
    }

    /// The transaction items that issue `ticket`: the ticket, the order's guard, the
    /// number's claim (each only if new) and the events. Guard index: 1.
    ///
    /// # Errors
    /// When an item cannot be built.
    pub fn issue_items(&self, ticket: &Ticket, events: &[EventEnvelope]) -> anyhow::Result<Vec<TransactWriteItem>> {
        let mut guard = guard_key(&ticket.order_id);
        guard.insert("deliveryId".to_owned(), s(&ticket.id));
        let claim = key(format!("NUMBER#{}#{}", ticket.business_day, ticket.waiting_number), "NUMBER");
        let mut items = vec![
            self.put(Item::from(ticket), Condition::New),
            self.put(guard, Condition::New),
            self.put(claim, Condition::New),
        ];
        items.extend(events.iter().map(|e| self.outbox.put(e)));
        Ok(items)
    }

    /// The transaction item recording that `order_id` was cancelled before any ticket.
    ///
    /// # Errors
    /// When the item cannot be built.
    pub fn cancel_before_issue_items(&self, order_id: &str) -> anyhow::Result<Vec<TransactWriteItem>> {
        let mut guard = guard_key(order_id);
        guard.insert("cancelled".to_owned(), AttributeValue::Bool(true));
        Ok(vec![self.put(guard, Condition::New)])
    }

    /// One ticket.
    ///
    /// # Errors
    /// When storage fails or the item is corrupt.
    pub async fn find(&self, id: &str) -> anyhow::Result<Option<Ticket>> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(ticket_key(id)))
            .consistent_read(true)
            .send()
            .await
            .context("GetItem ticket")?;
        output.item.as_ref().map(ticket_from_item).transpose()
    }

    /// The transaction items that store a changed ticket if still at `expected_version`.
    ///
    /// # Errors
    /// When an item cannot be built.
    pub fn save_items(
        &self,
        ticket: &Ticket,
        expected_version: u64,
        events: &[EventEnvelope],
    ) -> anyhow::Result<Vec<TransactWriteItem>> {
        let mut items = vec![self.put(Item::from(ticket), Condition::Version(expected_version))];
        items.extend(events.iter().map(|e| self.outbox.put(e)));
        Ok(items)
    }

    /// Executes transaction items built by this adapter.
    ///
    /// # Errors
    /// [`SaveError::Conflict`] when a condition failed.
    pub async fn write(&self, items: Vec<TransactWriteItem>) -> Result<(), SaveError> {
        match transact(&self.client, items).await {
            Ok(()) => Ok(()),
            Err(TransactError::ConditionFailed { .. }) => Err(SaveError::Conflict),
            Err(err) => Err(SaveError::Storage(err.into())),
        }
    }

    /// The tickets in `status`, oldest first, at most `limit`.
    ///
    /// # Errors
    /// When storage fails or an item is corrupt.
    pub async fn list(&self, status: DeliveryStatus, limit: i32) -> anyhow::Result<Vec<Ticket>> {
        let output = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(STATUS_INDEX)
            .key_condition_expression("gsi1pk = :status")
            .expression_attribute_values(":status", s(&format!("STATUS#{}", status.as_str())))
            .limit(limit)
            .send()
            .await
            .context("Query tickets by status")?;
        output.items().iter().map(ticket_from_item).collect()
    }
}
