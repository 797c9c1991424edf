//! The DynamoDB adapter of the order context (table `ORDER_TABLE`).
//!
//! Items: the order `pk = ORDER#<id>, sk = ORDER`, indexed in `ByCustomer` by
//! `gsi1pk = CUSTOMER#<customerId>`, `gsi1sk = <placedAt>#<id>` (newest first when read
//! backwards); the idempotency record of a `POST /orders`
//! `pk = IDEMPOTENCY#<customerId>#<key>, sk = IDEMPOTENCY` (kept 24 hours); outbox items.

use std::collections::HashMap;
use std::future::Future;

use anyhow::Context;
use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem};
use chrono::{DateTime, Utc};
use platform::EventEnvelope;
use platform::dynamo::Condition;
use platform::outbox::{Outbox, TransactError, transact};

use crate::domain::{Order, OrderId, OrderStatus};

type Item = HashMap<String, AttributeValue>;

/// Name of the by-customer index.
pub const CUSTOMER_INDEX: &str = "ByCustomer";
/// How long an idempotency key is remembered, in seconds.
pub const IDEMPOTENCY_SECONDS: i64 = 24 * 3600;

/// The first answer to a `POST /orders`, kept under its idempotency key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyRecord {
    /// SHA-256 of the request body, hex.
    pub request_hash: String,
    /// The order it created.
    pub order_id: String,
    /// The response body it answered (JSON).
    pub response: String,
}

/// Why a write was not stored.
#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    /// Someone else wrote first (a concurrent change, or a concurrent request with the
    /// same idempotency key); nothing was written.
    #[error("a concurrent write won")]
    Conflict,
    /// Storage failed; nothing was written.
    #[error(transparent)]
    Storage(#[from] anyhow::Error),
}

/// Port: what the order handlers and consumers need from storage.
pub trait OrderRepository {
    /// One order.
    fn find(&self, id: &OrderId) -> impl Future<Output = anyhow::Result<Option<Order>>> + Send;
    /// A customer's orders, newest first, at most `limit`.
    fn list_for_customer(
        &self,
        customer_id: &str,
        limit: i32,
    ) -> impl Future<Output = anyhow::Result<Vec<Order>>> + Send;
    /// The record kept for `(customer_id, key)`, if any.
    fn find_idempotency(
        &self,
        customer_id: &str,
        key: &str,
    ) -> impl Future<Output = anyhow::Result<Option<IdempotencyRecord>>> + Send;
    /// Stores a new order with its idempotency record and events, all or nothing.
    ///
    /// # Errors
    /// [`SaveError::Conflict`] when the key was taken meanwhile.
    fn place(
        &self,
        order: &Order,
        key: &str,
        record: &IdempotencyRecord,
        events: &[EventEnvelope],
    ) -> impl Future<Output = Result<(), SaveError>> + Send;
    /// Stores a changed order if it is still at `expected_version`, with its events.
    ///
    /// # Errors
    /// [`SaveError::Conflict`] when the stored version differs.
    fn save(
        &self,
        order: &Order,
        expected_version: u64,
        events: &[EventEnvelope],
    ) -> impl Future<Output = Result<(), SaveError>> + Send;
    /// The transaction items of [`OrderRepository::save`], for a consumer's inbox transaction.
    fn save_items(
        &self,
        order: &Order,
        expected_version: u64,
        events: &[EventEnvelope],
    ) -> anyhow::Result<Vec<TransactWriteItem>>;
}

/// Orders in DynamoDB.
#[derive(Debug, Clone)]
pub struct DynamoOrders {
    client: aws_sdk_dynamodb::Client,
    table: String,
    outbox: Outbox,
}

impl DynamoOrders {
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
}

fn s(value: &str) -> AttributeValue {
    AttributeValue::S(value.to_owned())
}

fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

fn order_key(id: &str) -> Item {
    HashMap::from([("pk".to_owned(), s(&format!("ORDER#{id}"))), ("sk".to_owned(), s("ORDER"))])
}

fn idempotency_key(customer_id: &str, key: &str) -> Item {
    HashMap::from([
        ("pk".to_owned(), s(&format!("IDEMPOTENCY#{customer_id}#{key}"))),
        ("sk".to_owned(), s("IDEMPOTENCY")),
    ])
}

impl From<&Order> for Item {
    fn from(order: &Order) -> Self {
        let mut item = order_key(order.id.as_str());
        let placed_at = order.placed_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        item.insert("kind".to_owned(), s("Order"));
        item.insert("orderId".to_owned(), s(order.id.as_str()));
        item.insert("customerId".to_owned(), s(&order.customer_id));
        item.insert("lines".to_owned(), s(&serde_json::to_string(&order.lines).unwrap_or_default()));
        item.insert("amount".to_owned(), n(order.amount));
        item.insert("status".to_owned(), s(order.status.as_str()));
        if let Some(number) = order.waiting_number {
            item.insert("waitingNumber".to_owned(), n(number));
        }
        if let Some(delivery_id) = &order.delivery_id {
            item.insert("deliveryId".to_owned(), s(delivery_id));
        }
        item.insert("cancellable".to_owned(), AttributeValue::Bool(order.cancellable));
        item.insert("placedAt".to_owned(), s(&placed_at));
        item.insert("updatedAt".to_owned(), s(&order.updated_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)));
        item.insert("version".to_owned(), n(order.version));
        item.insert("gsi1pk".to_owned(), s(&format!("CUSTOMER#{}", order.customer_id)));
        item.insert("gsi1sk".to_owned(), s(&format!("{placed_at}#{}", order.id.as_str())));
        item
    }
}

fn text<'a>(item: &'a Item, key: &str) -> anyhow::Result<&'a str> {
    item.get(key).and_then(|v| v.as_s().ok()).map(String::as_str).with_context(|| format!("order item lacks {key}"))
}

fn number<T: std::str::FromStr>(item: &Item, key: &str) -> anyhow::Result<Option<T>> {
    item.get(key)
        .map(|v| {
            v.as_n().ok().and_then(|n| n.parse().ok()).with_context(|| format!("order item {key} is not a number"))
        })
        .transpose()
}

fn order_from_item(item: &Item) -> anyhow::Result<Order> {
    Ok(Order {
        id: OrderId::parse(text(item, "orderId")?)?,
        customer_id: text(item, "customerId")?.to_owned(),
        lines: serde_json::from_str(text(item, "lines")?).context("order lines")?,
        amount: number(item, "amount")?.context("order item lacks amount")?,
        status: OrderStatus::parse(text(item, "status")?)?,
        waiting_number: number(item, "waitingNumber")?,
        delivery_id: item.get("deliveryId").and_then(|v| v.as_s().ok()).cloned(),
        cancellable: item.get("cancellable").and_then(|v| v.as_bool().ok()).copied().unwrap_or(false),
        placed_at: text(item, "placedAt")?.parse::<DateTime<Utc>>()?,
        updated_at: text(item, "updatedAt")?.parse::<DateTime<Utc>>()?,
        version: number(item, "version")?.context("order item lacks version")?,
    })
}

impl OrderRepository for DynamoOrders {
    #[tracing::instrument(skip_all, fields(order_id = %id.as_str()))]
    async fn find(&self, id: &OrderId) -> anyhow::Result<Option<Order>> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(order_key(id.as_str())))
            .consistent_read(true)
            .send()
            .await
            .context("GetItem order")?;
        output.item.as_ref().map(order_from_item).transpose()
    }

    #[tracing::instrument(skip_all, fields(customer_id))]
    async fn list_for_customer(&self, customer_id: &str, limit: i32) -> anyhow::Result<Vec<Order>> {
        let output = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(CUSTOMER_INDEX)
            .key_condition_expression("gsi1pk = :customer")
            .expression_attribute_values(":customer", s(&format!("CUSTOMER#{customer_id}")))
            .scan_index_forward(false)
            .limit(limit)
            .send()
            .await
            .context("Query orders by customer")?;
        output.items().iter().map(order_from_item).collect()
    }

    async fn find_idempotency(&self, customer_id: &str, key: &str) -> anyhow::Result<Option<IdempotencyRecord>> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(idempotency_key(customer_id, key)))
            .consistent_read(true)
            .send()
            .await
            .context("GetItem idempotency record")?;
        let Some(item) = output.item else { return Ok(None) };
        // An expired record that TTL has not removed yet is no longer valid.
        if number::<i64>(&item, "expiresAt")?.is_some_and(|at| at < Utc::now().timestamp()) {
            return Ok(None);
        }
        Ok(Some(IdempotencyRecord {
            request_hash: text(&item, "requestHash")?.to_owned(),
            order_id: text(&item, "orderId")?.to_owned(),
            response: text(&item, "response")?.to_owned(),
        }))
    }

    #[tracing::instrument(skip_all, fields(order_id = %order.id.as_str()))]
    async fn place(
        &self,
        order: &Order,
        key: &str,
        record: &IdempotencyRecord,
        events: &[EventEnvelope],
    ) -> Result<(), SaveError> {
        let mut idempotency = idempotency_key(&order.customer_id, key);
        idempotency.insert("requestHash".to_owned(), s(&record.request_hash));
        idempotency.insert("orderId".to_owned(), s(&record.order_id));
        idempotency.insert("response".to_owned(), s(&record.response));
        idempotency.insert("expiresAt".to_owned(), n(Utc::now().timestamp() + IDEMPOTENCY_SECONDS));
        let mut items = vec![self.put(Item::from(order), Condition::New), self.put(idempotency, Condition::New)];
        items.extend(events.iter().map(|e| self.outbox.put(e)));
        match transact(&self.client, items).await {
            Ok(()) => Ok(()),
            Err(TransactError::ConditionFailed { .. }) => Err(SaveError::Conflict),
            Err(err) => Err(SaveError::Storage(err.into())),
        }
    }

    #[tracing::instrument(skip_all, fields(order_id = %order.id.as_str(), expected_version))]
    async fn save(&self, order: &Order, expected_version: u64, events: &[EventEnvelope]) -> Result<(), SaveError> {
        match transact(&self.client, self.save_items(order, expected_version, events)?).await {
            Ok(()) => Ok(()),
            Err(TransactError::ConditionFailed { .. }) => Err(SaveError::Conflict),
            Err(err) => Err(SaveError::Storage(err.into())),
        }
    }

    fn save_items(
        &self,
        order: &Order,
        expected_version: u64,
        events: &[EventEnvelope],
    ) -> anyhow::Result<Vec<TransactWriteItem>> {
        let mut items = vec![self.put(Item::from(order), Condition::Version(expected_version))];
        items.extend(events.iter().map(|e| self.outbox.put(e)));
        Ok(items)
    }
}
