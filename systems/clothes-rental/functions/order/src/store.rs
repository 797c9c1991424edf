//! The DynamoDB adapter of the order context (table `ORDER_TABLE`): implements [`Orders`].
//!
//! Items:
//! - the order: `pk = ORDER#<orderId>`, `sk = ORDER`, `kind = Order`; `orderId`,
//!   `customerId`, `productId`, `qty`, `status`, `orderedAt`, `updatedAt` (RFC 3339 UTC with
//!   milliseconds), `version`;
//! - the first answer of a `POST /orders`: [`platform::idempotency`]'s record, scoped by the
//!   customer id;
//! - outbox items ([`platform::outbox`]), each domain event as a
//!   [`contracts::order::OrderEvent`] envelope with source [`crate::SOURCE`], correlated by
//!   the order id;
//! - the inbox items of the delivery-events consumer ([`platform::inbox`]);
//! - the shared circuit breaker's item for the delivery cancel ([`platform::breaker`]).

use std::time::Duration;

use anyhow::Context;
use aws_sdk_dynamodb::types::TransactWriteItem;
use chrono::{DateTime, SecondsFormat, Utc};
use contracts::order as wire;
use platform::EventEnvelope;
use platform::dynamo::{Condition, Table, WriteError, to_item};
use platform::idempotency::{IdempotencyKey, IdempotencyRecord};
use platform::inbox::{Applied, Inbox};
use platform::outbox::Outbox;
use serde::{Deserialize, Serialize};

use crate::SOURCE;
use crate::domain::{CustomerId, Order, OrderEvent, OrderId, OrderRecord, OrderStatus, ProductId, Quantity};
use crate::ports::Orders;

const ORDER_KIND: &str = "Order";
const ORDER_SK: &str = "ORDER";

/// Orders in DynamoDB.
#[derive(Debug, Clone)]
pub struct DynamoOrders {
    table: Table,
    outbox: Option<Outbox>,
    inbox: Option<Inbox>,
}

impl DynamoOrders {
    /// A read-only adapter for `table` (its writes fail: it has no outbox).
    pub fn reader(client: aws_sdk_dynamodb::Client, table: impl Into<String>) -> Self {
        Self { table: Table::new(client, table), outbox: None, inbox: None }
    }

    /// An adapter for `table` that writes, with outbox items expiring after `retention`.
    pub fn writer(client: aws_sdk_dynamodb::Client, table: impl Into<String>, retention: Duration) -> Self {
        let table = Table::new(client, table);
        Self { outbox: Some(Outbox::new(table.name(), retention)), table, inbox: None }
    }

    /// An adapter for the consumer named `consumer` (its inbox items are keyed by that name):
    /// writes like [`DynamoOrders::writer`], plus [`Orders::save_once`].
    pub fn consumer(
        client: aws_sdk_dynamodb::Client,
        table: impl Into<String>,
        retention: Duration,
        consumer: &str,
    ) -> Self {
        let writer = Self::writer(client, table, retention);
        let inbox = Inbox::new(writer.table.client().clone(), writer.table.name(), consumer, retention);
        Self { inbox: Some(inbox), ..writer }
    }

    fn order_items(
        &self,
        order: &Order,
        condition: Condition,
        events: &[OrderEvent],
        causation: Option<&str>,
    ) -> anyhow::Result<Vec<TransactWriteItem>> {
        let outbox = self.outbox.as_ref().context("a read-only DynamoOrders cannot write")?;
        let mut items = vec![self.table.put(to_item(&OrderItem::from(order))?, condition)];
        items.extend(events.iter().map(|event| {
            let (order_id, wire_event) = to_wire(event);
            outbox.put(&EventEnvelope::wrap(SOURCE, order_id.as_str(), causation, &wire_event))
        }));
        Ok(items)
    }
}

impl Orders for DynamoOrders {
    #[tracing::instrument(skip_all, fields(order_id = %id))]
    async fn find(&self, id: &OrderId) -> anyhow::Result<Option<Order>> {
        let item: Option<OrderItem> = self.table.get(order_pk(id), ORDER_SK).await?;
        Ok(item.map(Order::from))
    }

    #[tracing::instrument(skip_all, fields(customer_id = %customer_id))]
    async fn find_idempotency(
        &self,
        customer_id: &CustomerId,
        key: &IdempotencyKey,
    ) -> anyhow::Result<Option<IdempotencyRecord>> {
        platform::idempotency::find(&self.table, customer_id.as_str(), key).await
    }

    #[tracing::instrument(skip_all, fields(order_id = %order.id()))]
    async fn place(
        &self,
        order: &Order,
        key: &IdempotencyKey,
        record: &IdempotencyRecord,
        events: &[OrderEvent],
    ) -> Result<(), WriteError> {
        let first_answer = platform::idempotency::item(order.customer_id().as_str(), key, record)?;
        let mut items = vec![self.table.put(first_answer, Condition::New)];
        items.extend(self.order_items(order, Condition::New, events, None)?);
        self.table.write(items).await
    }

    #[tracing::instrument(skip_all, fields(order_id = %order.id(), expected_version))]
    async fn save(&self, order: &Order, expected_version: u64, events: &[OrderEvent]) -> Result<(), WriteError> {
        self.table.write(self.order_items(order, Condition::Version(expected_version), events, None)?).await
    }

    #[tracing::instrument(skip_all, fields(order_id = %order.id(), event_id = %cause.id, expected_version))]
    async fn save_once(
        &self,
        cause: &EventEnvelope,
        order: &Order,
        expected_version: u64,
        events: &[OrderEvent],
    ) -> Result<Applied, WriteError> {
        let inbox = self.inbox.as_ref().context("only a consumer's DynamoOrders has an inbox")?;
        let effect = self.order_items(order, Condition::Version(expected_version), events, Some(&cause.id))?;
        // Boxed: the SDK's nested futures would otherwise exceed the compiler's layout depth.
        Ok(Box::pin(inbox.apply_once(cause, effect)).await?)
    }
}

fn order_pk(id: &OrderId) -> String {
    format!("ORDER#{id}")
}

/// Times as stored and published: RFC 3339 UTC with milliseconds.
pub(crate) fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

mod millis {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(at: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&super::stamp(*at))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<DateTime<Utc>, D::Error> {
        let text = String::deserialize(deserializer)?;
        DateTime::parse_from_rfc3339(&text).map(|at| at.with_timezone(&Utc)).map_err(serde::de::Error::custom)
    }
}

/// The stored order.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct OrderItem {
    pk: String,
    sk: String,
    kind: String,
    order_id: OrderId,
    customer_id: CustomerId,
    product_id: ProductId,
    qty: Quantity,
    status: OrderStatus,
    #[serde(with = "millis")]
    ordered_at: DateTime<Utc>,
    #[serde(with = "millis")]
    updated_at: DateTime<Utc>,
    version: u64,
}

impl From<&Order> for OrderItem {
    fn from(order: &Order) -> Self {
        let record = order.record().clone();
        Self {
            pk: order_pk(&record.id),
            sk: ORDER_SK.to_owned(),
            kind: ORDER_KIND.to_owned(),
            order_id: record.id,
            customer_id: record.customer_id,
            product_id: record.product_id,
            qty: record.qty,
            status: record.status,
            ordered_at: record.ordered_at,
            updated_at: record.updated_at,
            version: record.version,
        }
    }
}

impl From<OrderItem> for Order {
    fn from(item: OrderItem) -> Self {
        Order::restore(OrderRecord {
            id: item.order_id,
            customer_id: item.customer_id,
            product_id: item.product_id,
            qty: item.qty,
            status: item.status,
            ordered_at: item.ordered_at,
            updated_at: item.updated_at,
            version: item.version,
        })
    }
}

/// The event as published on `OrderEventsTopic`, with the order it is about.
fn to_wire(event: &OrderEvent) -> (&OrderId, wire::OrderEvent) {
    match event {
        OrderEvent::Placed { order_id, customer_id, product_id, qty, ordered_at } => (
            order_id,
            wire::OrderEvent::OrderPlaced(wire::OrderPlaced {
                order_id: order_id.to_string(),
                customer_id: customer_id.to_string(),
                product_id: product_id.to_string(),
                qty: qty.get(),
                ordered_at: stamp(*ordered_at),
            }),
        ),
        OrderEvent::Cancelled { order_id, customer_id } => (
            order_id,
            wire::OrderEvent::OrderCancelled(wire::OrderCancelled {
                order_id: order_id.to_string(),
                customer_id: customer_id.to_string(),
            }),
        ),
        OrderEvent::ReturnRequested { order_id, customer_id, product_id, qty } => (
            order_id,
            wire::OrderEvent::ReturnRequested(wire::ReturnRequested {
                order_id: order_id.to_string(),
                customer_id: customer_id.to_string(),
                product_id: product_id.to_string(),
                qty: qty.get(),
            }),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use platform::dynamo::from_item;

    #[test]
    fn an_order_round_trips_through_its_item_with_the_key_layout() {
        let now = chrono::SubsecRound::trunc_subsecs(Utc::now(), 3);
        let (order, events) = Order::place(
            OrderId::generate(),
            CustomerId::parse("auth0|kim").unwrap(),
            ProductId::parse("1001").unwrap(),
            Quantity::parse(5).unwrap(),
            now,
        );
        let item = to_item(&OrderItem::from(&order)).unwrap();
        assert_eq!(item["pk"].as_s().unwrap(), &format!("ORDER#{}", order.id()));
        assert_eq!(item["status"].as_s().unwrap(), "Ordered");
        assert_eq!(item["qty"].as_n().unwrap(), "5");
        assert_eq!(Order::from(from_item::<OrderItem>(item).unwrap()), order);
        let (_, wire) = to_wire(&events[0]);
        let json = serde_json::to_value(&wire).unwrap();
        assert_eq!(json["type"], "OrderPlaced");
        assert_eq!(json["data"]["productId"], "1001");
        assert_eq!(json["data"]["qty"], 5);
        assert_eq!(json["data"]["orderedAt"], stamp(now));
    }
}
