//! The DynamoDB adapter of the app context (table `ORDER_TABLE`): implements [`Menu`] and
//! [`Orders`], with typed items mapped by `serde_dynamo`.
//!
//! Items (`pk`, `sk`, `kind`, then attributes):
//! - a menu item: `MENU#<item>`, `MENU`, `MenuItem`; `item`, `price` (won), `status`,
//!   `version`; indexed in `ByList` by `gsi1pk = MENU#<status>`, `gsi1sk = <item>` (the menu
//!   on sale, by name);
//! - an order: `ORDER#<orderId>`, `ORDER`, `Order`; `orderId`, `customerId`, `item`,
//!   `quantity`, `unitPrice`, `amount` (won), `status`, `paymentId`, `createdAt`, `updatedAt`
//!   (RFC 3339 UTC with milliseconds), `version`; indexed in `ByList` by
//!   `gsi1pk = CUSTOMER#<customerId>`, `gsi1sk = <createdAt>#<orderId>` (a customer's
//!   orders, newest first);
//! - the first answer of a `POST /orders` with an `Idempotency-Key`: [`platform::idempotency`]'s
//!   record, scoped by the customer id;
//! - outbox items ([`platform::outbox`]), each domain event as a
//!   [`contracts::order::OrderEvent`] envelope with source [`crate::SOURCE`], correlated by
//!   the order id; the consumer's inbox items ([`platform::inbox`]);
//! - the shared circuit breakers' items for pay and the store cancel ([`platform::breaker`]).

use std::time::Duration;

use anyhow::Context;
use aws_sdk_dynamodb::types::TransactWriteItem;
use chrono::{DateTime, SecondsFormat, Utc};
use contracts::order as wire;
use platform::EventEnvelope;
use platform::Won;
use platform::dynamo::{Condition, Index, Table, WriteError, to_item};
use platform::idempotency::{IdempotencyKey, IdempotencyRecord};
use platform::inbox::{Applied, Inbox};
use platform::outbox::Outbox;
use platform::page::{Page, PageError, PageRequest};
use serde::{Deserialize, Serialize};

use crate::SOURCE;
use crate::domain::{
    CustomerId, ItemName, MenuItem, MenuStatus, Order, OrderEvent, OrderId, OrderRecord, OrderStatus, PaymentId,
    Quantity,
};
use crate::ports::{Menu, Orders};

/// Name of the index of the menu and of each customer's orders.
pub const LIST_INDEX: &str = "ByList";
const LIST: Index<'static> = Index { name: LIST_INDEX, partition: "gsi1pk", sort: "gsi1sk" };

/// The app's items in DynamoDB; with an outbox for functions that publish events, and an
/// inbox for the event consumer.
#[derive(Debug, Clone)]
pub struct DynamoApp {
    table: Table,
    outbox: Option<Outbox>,
    inbox: Option<Inbox>,
}

impl DynamoApp {
    /// The adapter for `table`, without outbox or inbox: it reads, and writes the menu.
    pub fn new(client: aws_sdk_dynamodb::Client, table: impl Into<String>) -> Self {
        Self { table: Table::new(client, table), outbox: None, inbox: None }
    }

    /// The adapter that also publishes events, whose outbox items expire after `retention`.
    #[must_use]
    pub fn with_outbox(self, retention: Duration) -> Self {
        let outbox = Outbox::new(self.table.name(), retention);
        Self { outbox: Some(outbox), ..self }
    }

    /// The adapter that also applies consumed events once, through the inbox of `consumer`
    /// (a stable name), whose items expire after `retention`.
    #[must_use]
    pub fn with_inbox(self, consumer: &str, retention: Duration) -> Self {
        let inbox = Inbox::new(self.table.client().clone(), self.table.name(), consumer, retention);
        Self { inbox: Some(inbox), ..self }
    }

    fn order_items(
        &self,
        order: &Order,
        condition: Condition,
        events: &[OrderEvent],
        causation: Option<&str>,
    ) -> Result<Vec<TransactWriteItem>, WriteError> {
        let mut items = vec![self.table.put(to_item(&OrderItem::from(order))?, condition)];
        for event in events {
            let outbox = self.outbox.as_ref().context("this function has no outbox, yet a change has events")?;
            let (order_id, wire_event) = to_wire(event);
            items.push(outbox.put(&EventEnvelope::wrap(SOURCE, order_id.as_str(), causation, &wire_event)));
        }
        Ok(items)
    }
}

impl Menu for DynamoApp {
    #[tracing::instrument(skip_all, fields(item = %name))]
    async fn find_item(&self, name: &ItemName) -> anyhow::Result<Option<MenuItem>> {
        Ok(self.table.get::<MenuItemItem>(menu_pk(name), MENU_SK).await?.map(MenuItem::from))
    }

    async fn on_sale(&self, page: &PageRequest) -> Result<Page<MenuItem>, PageError> {
        let items: Page<MenuItemItem> = self.table.query_page(&LIST, menu_list(MenuStatus::OnSale), true, page).await?;
        Ok(Page::new(items.items.into_iter().map(MenuItem::from).collect(), items.next))
    }

    async fn add(&self, item: &MenuItem) -> Result<(), WriteError> {
        self.table.write(vec![self.table.put(to_item(&MenuItemItem::from(item))?, Condition::New)]).await
    }

    async fn save_item(&self, item: &MenuItem, expected_version: u64) -> Result<(), WriteError> {
        let put = self.table.put(to_item(&MenuItemItem::from(item))?, Condition::Version(expected_version));
        self.table.write(vec![put]).await
    }
}

impl Orders for DynamoApp {
    #[tracing::instrument(skip_all, fields(order_id = %id))]
    async fn find(&self, id: &OrderId) -> anyhow::Result<Option<Order>> {
        Ok(self.table.get::<OrderItem>(order_pk(id), ORDER_SK).await?.map(Order::from))
    }

    async fn of_customer(&self, customer_id: &CustomerId, page: &PageRequest) -> Result<Page<Order>, PageError> {
        let items: Page<OrderItem> = self.table.query_page(&LIST, customer_list(customer_id), false, page).await?;
        Ok(Page::new(items.items.into_iter().map(Order::from).collect(), items.next))
    }

    async fn find_idempotency(
        &self,
        customer_id: &CustomerId,
        key: &IdempotencyKey,
    ) -> anyhow::Result<Option<IdempotencyRecord>> {
        platform::idempotency::find(&self.table, customer_id.as_str(), key).await
    }

    async fn remember(
        &self,
        customer_id: &CustomerId,
        key: &IdempotencyKey,
        record: &IdempotencyRecord,
    ) -> Result<(), WriteError> {
        let item = platform::idempotency::item(customer_id.as_str(), key, record)?;
        self.table.write(vec![self.table.put(item, Condition::New)]).await
    }

    #[tracing::instrument(skip_all, fields(order_id = %order.id()))]
    async fn begin(&self, order: &Order) -> Result<(), WriteError> {
        self.table.write(self.order_items(order, Condition::New, &[], None)?).await
    }

    #[tracing::instrument(skip_all, fields(order_id = %order.id(), expected_version))]
    async fn save(
        &self,
        order: &Order,
        expected_version: u64,
        events: &[OrderEvent],
        answer: Option<(&IdempotencyKey, &IdempotencyRecord)>,
    ) -> Result<(), WriteError> {
        let mut items = self.order_items(order, Condition::Version(expected_version), events, None)?;
        if let Some((key, record)) = answer {
            let first = platform::idempotency::item(order.customer_id().as_str(), key, record)?;
            items.push(self.table.put(first, Condition::New));
        }
        self.table.write(items).await
    }

    #[tracing::instrument(skip_all, fields(order_id = %order.id(), event_id = %cause.id, expected_version))]
    async fn save_once(
        &self,
        cause: &EventEnvelope,
        order: &Order,
        expected_version: u64,
        events: &[OrderEvent],
    ) -> Result<Applied, WriteError> {
        let inbox = self.inbox.as_ref().context("only the consumer has an inbox")?;
        let effect = self.order_items(order, Condition::Version(expected_version), events, Some(&cause.id))?;
        // Boxed: the SDK's nested futures would otherwise exceed the compiler's layout depth.
        Ok(Box::pin(inbox.apply_once(cause, effect)).await?)
    }
}

const MENU_SK: &str = "MENU";
const ORDER_SK: &str = "ORDER";

fn menu_pk(name: &ItemName) -> String {
    format!("MENU#{name}")
}

fn menu_list(status: MenuStatus) -> String {
    format!("MENU#{status}")
}

fn order_pk(id: &OrderId) -> String {
    format!("ORDER#{id}")
}

fn customer_list(customer: &CustomerId) -> String {
    format!("CUSTOMER#{customer}")
}

/// Times as stored: RFC 3339 UTC with exactly three fractional digits (fixed width, so
/// `gsi1sk` sorts in time).
fn stamp(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

mod millis {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(at: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&super::stamp(at))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<DateTime<Utc>, D::Error> {
        let text = String::deserialize(deserializer)?;
        DateTime::parse_from_rfc3339(&text).map(|at| at.with_timezone(&Utc)).map_err(serde::de::Error::custom)
    }
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct MenuItemItem {
    pk: String,
    sk: String,
    kind: String,
    item: ItemName,
    price: Won,
    status: MenuStatus,
    version: u64,
    gsi1pk: String,
    gsi1sk: String,
}

impl From<&MenuItem> for MenuItemItem {
    fn from(item: &MenuItem) -> Self {
        Self {
            pk: menu_pk(&item.name),
            sk: MENU_SK.to_owned(),
            kind: "MenuItem".to_owned(),
            item: item.name.clone(),
            price: item.price,
            status: item.status,
            version: item.version,
            gsi1pk: menu_list(item.status),
            gsi1sk: item.name.to_string(),
        }
    }
}

impl From<MenuItemItem> for MenuItem {
    fn from(item: MenuItemItem) -> Self {
        Self { name: item.item, price: item.price, status: item.status, version: item.version }
    }
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct OrderItem {
    pk: String,
    sk: String,
    kind: String,
    order_id: OrderId,
    customer_id: CustomerId,
    item: ItemName,
    quantity: Quantity,
    unit_price: Won,
    amount: Won,
    status: OrderStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    payment_id: Option<PaymentId>,
    #[serde(with = "millis")]
    created_at: DateTime<Utc>,
    #[serde(with = "millis")]
    updated_at: DateTime<Utc>,
    version: u64,
    gsi1pk: String,
    gsi1sk: String,
}

impl From<&Order> for OrderItem {
    fn from(order: &Order) -> Self {
        let r = order.record().clone();
        Self {
            pk: order_pk(&r.id),
            sk: ORDER_SK.to_owned(),
            kind: "Order".to_owned(),
            gsi1pk: customer_list(&r.customer_id),
            gsi1sk: format!("{}#{}", stamp(&r.created_at), r.id),
            order_id: r.id,
            customer_id: r.customer_id,
            item: r.item,
            quantity: r.quantity,
            unit_price: r.unit_price,
            amount: r.amount,
            status: r.status,
            payment_id: r.payment_id,
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: r.version,
        }
    }
}

impl From<OrderItem> for Order {
    fn from(item: OrderItem) -> Self {
        Order::restore(OrderRecord {
            id: item.order_id,
            customer_id: item.customer_id,
            item: item.item,
            quantity: item.quantity,
            unit_price: item.unit_price,
            amount: item.amount,
            status: item.status,
            payment_id: item.payment_id,
            created_at: item.created_at,
            updated_at: item.updated_at,
            version: item.version,
        })
    }
}

/// The event as published on `OrderEventsTopic`, with the order it is about.
fn to_wire(event: &OrderEvent) -> (&OrderId, wire::OrderEvent) {
    match event {
        OrderEvent::Placed { order_id, customer_id, item, quantity, amount, payment_id } => (
            order_id,
            wire::OrderEvent::OrderPlaced(wire::OrderPlaced {
                order_id: order_id.to_string(),
                customer_id: customer_id.to_string(),
                item: item.to_string(),
                quantity: quantity.get(),
                amount: *amount,
                payment_id: payment_id.to_string(),
            }),
        ),
        OrderEvent::Cancelled { order_id, customer_id, payment_id, amount } => (
            order_id,
            wire::OrderEvent::OrderCancelled(wire::OrderCancelled {
                order_id: order_id.to_string(),
                customer_id: customer_id.to_string(),
                payment_id: payment_id.to_string(),
                amount: *amount,
            }),
        ),
        OrderEvent::PaymentAbandoned { order_id, customer_id, amount } => (
            order_id,
            wire::OrderEvent::PaymentAbandoned(wire::PaymentAbandoned {
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
    use platform::dynamo::from_item;

    #[test]
    fn an_order_and_a_menu_item_round_trip_through_their_items_with_the_key_layout() {
        let chicken = MenuItem::add(ItemName::parse("chicken").unwrap(), Won::new(18000));
        let item = to_item(&MenuItemItem::from(&chicken)).unwrap();
        assert_eq!(item["pk"].as_s().unwrap(), "MENU#chicken");
        assert_eq!(item["gsi1pk"].as_s().unwrap(), "MENU#OnSale");
        assert_eq!(item["price"].as_n().unwrap(), "18000");
        assert_eq!(MenuItem::from(from_item::<MenuItemItem>(item).unwrap()), chicken);

        let now = chrono::SubsecRound::trunc_subsecs(Utc::now(), 3);
        let customer = CustomerId::parse("auth0|kim").unwrap();
        let order = Order::begin(OrderId::generate(), customer, &chicken, Quantity::parse(2).unwrap(), now).unwrap();
        let (paid, events) = order.paid(PaymentId::parse("p-1").unwrap(), now).unwrap();
        let item = to_item(&OrderItem::from(&paid)).unwrap();
        assert_eq!(item["pk"].as_s().unwrap(), &format!("ORDER#{}", paid.id()));
        assert_eq!(item["gsi1pk"].as_s().unwrap(), "CUSTOMER#auth0|kim");
        assert_eq!(item["amount"].as_n().unwrap(), "36000");
        assert_eq!(item["status"].as_s().unwrap(), "Paid");
        assert_eq!(Order::from(from_item::<OrderItem>(item).unwrap()), paid);
        let (_, wire) = to_wire(&events[0]);
        let json = serde_json::to_value(&wire).unwrap();
        assert_eq!(json["type"], "OrderPlaced");
        assert_eq!(json["data"]["amount"], 36000);
        assert_eq!(json["data"]["paymentId"], "p-1");
    }
}
