//! The DynamoDB adapter of the order context (table `ORDER_TABLE`): implements
//! [`Orders`].
//!
//! Items:
//! - the order: `pk = ORDER#<orderId>`, `sk = ORDER`, `kind = Order`, its fields in
//!   camelCase (`lines` a list of maps; money in won; times RFC 3339 UTC with
//!   milliseconds), indexed in `ByCustomer` by `gsi1pk = CUSTOMER#<customerId>`,
//!   `gsi1sk = <placedAt>#<orderId>` (newest first when read backwards);
//! - the first answer of a `POST /orders`: [`platform::idempotency`]'s record, scoped by
//!   the customer id, kept 24 hours;
//! - outbox items ([`platform::outbox`]), each domain event as a
//!   `contracts::order::OrderEvent` envelope with source [`crate::SOURCE`];
//! - the inbox items of the delivery-events consumer ([`platform::inbox`]).

use std::time::Duration;

use anyhow::Context;
use chrono::{DateTime, SecondsFormat, Utc};
use contracts::order as wire;
use platform::dynamo::{Condition, Index, Table, WriteError, to_item};
use platform::idempotency::{IdempotencyKey, IdempotencyRecord};
use platform::inbox::{Applied, Inbox};
use platform::outbox::Outbox;
use platform::page::{Page, PageError, PageRequest};
use platform::{EventEnvelope, Won};
use serde::{Deserialize, Serialize};

use crate::SOURCE;
use crate::domain::{CustomerId, DeliveryId, Order, OrderEvent, OrderId, OrderLine, OrderStatus, ProductId, Quantity};
use crate::ports::Orders;

/// Name of the by-customer index.
pub const CUSTOMER_INDEX: &str = "ByCustomer";
/// The by-customer index with its key attributes.
const BY_CUSTOMER: Index<'static> = Index { name: CUSTOMER_INDEX, partition: "gsi1pk", sort: "gsi1sk" };
/// The `kind` of order items.
const ORDER_KIND: &str = "Order";
/// The sort key of order items.
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

    /// An adapter for the consumer named `consumer` (its inbox items are keyed by that
    /// name): writes like [`DynamoOrders::writer`], plus [`Orders::save_once`].
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

    /// The outbox items of `events`, caused by the event `causation` if any.
    fn outbox_items(
        &self,
        events: &[OrderEvent],
        causation: Option<&str>,
    ) -> anyhow::Result<Vec<aws_sdk_dynamodb::types::TransactWriteItem>> {
        let outbox = self.outbox.as_ref().context("a read-only DynamoOrders cannot write")?;
        Ok(events
            .iter()
            .map(|event| {
                let (order_id, wire_event) = to_wire(event);
                outbox.put(&EventEnvelope::wrap(SOURCE, order_id.as_str(), causation, &wire_event))
            })
            .collect())
    }

    /// The transaction items that store `order` at `condition` with its `events`.
    fn order_items(
        &self,
        order: &Order,
        condition: Condition,
        events: &[OrderEvent],
        causation: Option<&str>,
    ) -> anyhow::Result<Vec<aws_sdk_dynamodb::types::TransactWriteItem>> {
        let mut items = vec![self.table.put(to_item(&OrderItem::from(order))?, condition)];
        items.extend(self.outbox_items(events, causation)?);
        Ok(items)
    }
}

impl Orders for DynamoOrders {
    #[tracing::instrument(skip_all, fields(order_id = %id))]
    async fn find(&self, id: &OrderId) -> anyhow::Result<Option<Order>> {
        let item: Option<OrderItem> = self.table.get(order_pk(id), ORDER_SK).await?;
        item.map(Order::try_from).transpose()
    }

    #[tracing::instrument(skip_all, fields(customer_id = %customer_id))]
    async fn list_for_customer(&self, customer_id: &CustomerId, page: &PageRequest) -> Result<Page<Order>, PageError> {
        let items: Page<OrderItem> = self.table.query_page(&BY_CUSTOMER, customer_pk(customer_id), false, page).await?;
        Ok(items.try_map(Order::try_from)?)
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
        Ok(inbox.apply_once(cause, effect).await?)
    }
}

fn order_pk(id: &OrderId) -> String {
    format!("ORDER#{id}")
}

fn customer_pk(customer_id: &CustomerId) -> String {
    format!("CUSTOMER#{customer_id}")
}

/// Times as stored: RFC 3339 UTC with milliseconds, so `gsi1sk` sorts by time.
fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Times as stored and published: RFC 3339 UTC with milliseconds (`stamp`).
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
    lines: StoredLines,
    amount: Won,
    status: OrderStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    waiting_number: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    delivery_id: Option<DeliveryId>,
    cancellable: bool,
    #[serde(with = "millis")]
    placed_at: DateTime<Utc>,
    #[serde(with = "millis")]
    updated_at: DateTime<Utc>,
    version: u64,
    gsi1pk: String,
    gsi1sk: String,
}

/// The lines: a list of maps; items written before that held them as one JSON string,
/// which is still read.
#[derive(Debug, Serialize, Deserialize)]
#[serde(untagged)]
enum StoredLines {
    List(Vec<LineItem>),
    Json(String),
}

/// One stored line.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct LineItem {
    product_id: ProductId,
    name: String,
    unit_price: Won,
    quantity: Quantity,
    amount: Won,
}

impl From<&OrderLine> for LineItem {
    fn from(line: &OrderLine) -> Self {
        Self {
            product_id: line.product_id.clone(),
            name: line.name.clone(),
            unit_price: line.unit_price,
            quantity: line.quantity,
            amount: line.amount,
        }
    }
}

impl From<LineItem> for OrderLine {
    fn from(line: LineItem) -> Self {
        Self {
            product_id: line.product_id,
            name: line.name,
            unit_price: line.unit_price,
            quantity: line.quantity,
            amount: line.amount,
        }
    }
}

impl From<&Order> for OrderItem {
    fn from(order: &Order) -> Self {
        Self {
            pk: order_pk(&order.id),
            sk: ORDER_SK.to_owned(),
            kind: ORDER_KIND.to_owned(),
            order_id: order.id.clone(),
            customer_id: order.customer_id.clone(),
            lines: StoredLines::List(order.lines.iter().map(LineItem::from).collect()),
            amount: order.amount,
            status: order.status,
            waiting_number: order.waiting_number,
            delivery_id: order.delivery_id.clone(),
            cancellable: order.cancellable,
            placed_at: order.placed_at,
            updated_at: order.updated_at,
            version: order.version,
            gsi1pk: customer_pk(&order.customer_id),
            gsi1sk: format!("{}#{}", stamp(order.placed_at), order.id),
        }
    }
}

impl TryFrom<OrderItem> for Order {
    type Error = anyhow::Error;

    fn try_from(item: OrderItem) -> anyhow::Result<Self> {
        let lines = match item.lines {
            StoredLines::List(lines) => lines,
            StoredLines::Json(text) => serde_json::from_str(&text).context("order item lines")?,
        };
        Ok(Self {
            id: item.order_id,
            customer_id: item.customer_id,
            lines: lines.into_iter().map(OrderLine::from).collect(),
            amount: item.amount,
            status: item.status,
            waiting_number: item.waiting_number,
            delivery_id: item.delivery_id,
            cancellable: item.cancellable,
            placed_at: item.placed_at,
            updated_at: item.updated_at,
            version: item.version,
        })
    }
}

/// The event as published on `OrderEventsTopic`, with the order it is about.
fn to_wire(event: &OrderEvent) -> (&OrderId, wire::OrderEvent) {
    match event {
        OrderEvent::Placed { order_id, customer_id, lines, amount, placed_at } => (
            order_id,
            wire::OrderEvent::OrderPlaced(wire::OrderPlaced {
                order_id: order_id.to_string(),
                customer_id: customer_id.to_string(),
                lines: lines
                    .iter()
                    .map(|line| wire::OrderLine {
                        product_id: line.product_id.to_string(),
                        name: line.name.clone(),
                        unit_price: line.unit_price,
                        quantity: line.quantity.get(),
                        amount: line.amount,
                    })
                    .collect(),
                amount: *amount,
                placed_at: stamp(*placed_at),
            }),
        ),
        OrderEvent::Cancelled { order_id, customer_id, amount, reason } => (
            order_id,
            wire::OrderEvent::OrderCancelled(wire::OrderCancelled {
                order_id: order_id.to_string(),
                customer_id: customer_id.to_string(),
                amount: *amount,
                reason: reason.to_string(),
            }),
        ),
        OrderEvent::Completed { order_id, customer_id, amount } => (
            order_id,
            wire::OrderEvent::OrderCompleted(wire::OrderCompleted {
                order_id: order_id.to_string(),
                customer_id: customer_id.to_string(),
                amount: *amount,
            }),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{PricedProduct, Pricing, RequestedLine};
    use platform::dynamo::from_item;

    fn order() -> Order {
        let product = ProductId::parse("p1").unwrap();
        let pricing = Pricing {
            products: vec![PricedProduct {
                product_id: product.clone(),
                name: "Americano".into(),
                unit_price: Won::new(4500),
                orderable: true,
            }],
            unknown: vec![],
        };
        let lines = [RequestedLine { product_id: product, quantity: Quantity::parse(2).unwrap() }];
        let customer = CustomerId::parse("auth0|minji").unwrap();
        // Stored times keep milliseconds.
        let now = chrono::SubsecRound::trunc_subsecs(Utc::now(), 3);
        Order::place(OrderId::generate(), customer, &lines, &pricing, now).unwrap().0
    }

    #[test]
    fn an_order_round_trips_through_its_item_with_the_key_layout_and_lines_as_a_list() {
        let order = order();
        let item = to_item(&OrderItem::from(&order)).unwrap();
        assert_eq!(item["pk"].as_s().unwrap(), &format!("ORDER#{}", order.id()));
        assert_eq!(item["sk"].as_s().unwrap(), "ORDER");
        assert_eq!(item["kind"].as_s().unwrap(), "Order");
        assert_eq!(item["gsi1pk"].as_s().unwrap(), "CUSTOMER#auth0|minji");
        assert!(item["gsi1sk"].as_s().unwrap().ends_with(&format!("Z#{}", order.id())));
        assert_eq!(item["status"].as_s().unwrap(), "Placed");
        assert_eq!(item["amount"].as_n().unwrap(), "9000");
        let line = item["lines"].as_l().unwrap()[0].as_m().unwrap();
        assert_eq!(line["unitPrice"].as_n().unwrap(), "4500");
        assert_eq!(line["quantity"].as_n().unwrap(), "2");
        assert!(!item.contains_key("waitingNumber"), "absent until known");
        let back = Order::try_from(from_item::<OrderItem>(item).unwrap()).unwrap();
        assert_eq!(back, order);
    }

    #[test]
    fn an_item_written_with_lines_as_json_text_is_still_read() {
        let order = order();
        let mut item = to_item(&OrderItem::from(&order)).unwrap();
        let text = r#"[{"productId":"p1","name":"Americano","unitPrice":4500,"quantity":2,"amount":9000}]"#;
        item.insert("lines".into(), aws_sdk_dynamodb::types::AttributeValue::S(text.into()));
        let back = Order::try_from(from_item::<OrderItem>(item).unwrap()).unwrap();
        assert_eq!(back, order);
    }

    #[test]
    fn domain_events_travel_as_the_order_contract() {
        let order = order();
        let (cancelled, events) = order.cancel(Utc::now()).unwrap();
        let (id, wire_event) = to_wire(&events[0]);
        assert_eq!(id, cancelled.id());
        let envelope = EventEnvelope::wrap(SOURCE, id.as_str(), None, &wire_event);
        assert_eq!(envelope.event_type, "OrderCancelled");
        assert_eq!(envelope.data["reason"], "CustomerRequest");
        assert_eq!(envelope.data["amount"], 9000);
        let (_, placed) = Order::place(
            order.id().clone(),
            order.customer_id().clone(),
            &[RequestedLine { product_id: ProductId::parse("p1").unwrap(), quantity: Quantity::parse(2).unwrap() }],
            &Pricing {
                products: vec![PricedProduct {
                    product_id: ProductId::parse("p1").unwrap(),
                    name: "Americano".into(),
                    unit_price: Won::new(4500),
                    orderable: true,
                }],
                unknown: vec![],
            },
            order.placed_at(),
        )
        .unwrap();
        let wire::OrderEvent::OrderPlaced(placed) = to_wire(&placed[0]).1 else { panic!("not OrderPlaced") };
        assert_eq!(placed.lines[0].unit_price, Won::new(4500));
        assert_eq!(placed.customer_id, "auth0|minji");
        assert!(placed.placed_at.ends_with('Z'));
    }
}
