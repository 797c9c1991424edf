//! The DynamoDB adapter of the store context (table `STORE_TABLE`): every port of
//! [`crate::ports`], with typed items mapped by `serde_dynamo`.
//!
//! Items (`pk`, `sk`, `kind`, then attributes):
//! - an order's entry: `STOREORDER#<orderId>`, `STOREORDER`, and either `StoreOrder`
//!   (`orderId`, `customerId`, `item`, `quantity`, `status`, `receivedAt`, `updatedAt`
//!   (RFC 3339 UTC, milliseconds), `version`; indexed in `ByStatus` by
//!   `gsi1pk = QUEUE#<status>`, `gsi1sk = <receivedAt>#<orderId>`: the kitchen queue, oldest
//!   first) or `Tombstone` (`orderId`, `customerId`). Written only if new, so one order is one
//!   store order, and an order cancelled first gets none;
//! - outbox items ([`platform::outbox`], relayed to `StoreEventsTopic`) and the order-event
//!   consumer's inbox items ([`platform::inbox`]).

use std::time::Duration;

use anyhow::Context;
use aws_sdk_dynamodb::types::TransactWriteItem;
use chrono::{DateTime, SecondsFormat, Utc};
use contracts::store as wire;
use platform::EventEnvelope;
use platform::dynamo::{Condition, Index, Table, WriteError, to_item};
use platform::inbox::{Applied, Inbox};
use platform::outbox::Outbox;
use platform::page::{Page, PageError, PageRequest};
use serde::{Deserialize, Serialize};

use crate::SOURCE;
use crate::domain::{CustomerId, Desk, OrderId, StoreEvent, StoreOrder, StoreStatus};
use crate::ports::{KitchenQueue, StoreOrders};

/// Name of the kitchen-queue index.
pub const STATUS_INDEX: &str = "ByStatus";
const SK: &str = "STOREORDER";

fn pk(order: &OrderId) -> String {
    format!("STOREORDER#{order}")
}

fn queue_key(status: StoreStatus) -> String {
    format!("QUEUE#{status}")
}

/// Store orders in DynamoDB; with an outbox for functions that publish events, and an inbox
/// for the consumer of order events.
#[derive(Debug, Clone)]
pub struct DynamoStore {
    table: Table,
    outbox: Option<Outbox>,
    inbox: Option<Inbox>,
}

impl DynamoStore {
    /// The adapter for `table`, without outbox or inbox: it reads.
    pub fn new(client: aws_sdk_dynamodb::Client, table: impl Into<String>) -> Self {
        Self { table: Table::new(client, table), outbox: None, inbox: None }
    }

    /// The adapter that also publishes events, whose outbox items expire after `retention`.
    #[must_use]
    pub fn with_outbox(self, retention: Duration) -> Self {
        let outbox = Outbox::new(self.table.name(), retention);
        Self { outbox: Some(outbox), ..self }
    }

    /// The adapter that also applies consumed events once, through the inbox of `consumer`.
    #[must_use]
    pub fn with_inbox(self, consumer: &str, retention: Duration) -> Self {
        let inbox = Inbox::new(self.table.client().clone(), self.table.name(), consumer, retention);
        Self { inbox: Some(inbox), ..self }
    }

    fn outbox_items(&self, events: &[StoreEvent]) -> Result<Vec<TransactWriteItem>, WriteError> {
        let mut items = Vec::new();
        for (order, event) in events.iter().map(published) {
            let outbox = self.outbox.as_ref().context("this function has no outbox, yet a change has events")?;
            items.push(outbox.put(&EventEnvelope::wrap(SOURCE, order.as_str(), None, &event)));
        }
        Ok(items)
    }

    async fn write_once(&self, items: Vec<TransactWriteItem>, once: &EventEnvelope) -> Result<Applied, WriteError> {
        let inbox = self.inbox.as_ref().context("this function has no inbox, yet it consumes events")?;
        // Boxed: the SDK's nested futures would otherwise exceed the compiler's layout depth.
        Ok(Box::pin(inbox.apply_once(once, items)).await?)
    }
}

fn published(event: &StoreEvent) -> (&OrderId, wire::StoreEvent) {
    match event {
        StoreEvent::CookingStarted { order_id, customer_id } => (
            order_id,
            wire::StoreEvent::CookingStarted(wire::CookingStarted {
                order_id: order_id.to_string(),
                customer_id: customer_id.to_string(),
            }),
        ),
        StoreEvent::DeliveryDispatched { order_id, customer_id } => (
            order_id,
            wire::StoreEvent::DeliveryDispatched(wire::DeliveryDispatched {
                order_id: order_id.to_string(),
                customer_id: customer_id.to_string(),
            }),
        ),
        StoreEvent::Cancelled { order_id, customer_id } => (
            order_id,
            wire::StoreEvent::StoreOrderCancelled(wire::StoreOrderCancelled {
                order_id: order_id.to_string(),
                customer_id: customer_id.to_string(),
            }),
        ),
    }
}

fn stamp(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn parse_time(text: &str) -> anyhow::Result<DateTime<Utc>> {
    Ok(DateTime::parse_from_rfc3339(text)?.with_timezone(&Utc))
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct EntryItem {
    pk: String,
    sk: String,
    kind: String,
    order_id: OrderId,
    customer_id: CustomerId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    item: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    quantity: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status: Option<StoreStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    received_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    updated_at: Option<String>,
    #[serde(default)]
    version: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    gsi1pk: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    gsi1sk: Option<String>,
}

impl From<&StoreOrder> for EntryItem {
    fn from(o: &StoreOrder) -> Self {
        Self {
            pk: pk(&o.order_id),
            sk: SK.to_owned(),
            kind: "StoreOrder".to_owned(),
            order_id: o.order_id.clone(),
            customer_id: o.customer_id.clone(),
            item: Some(o.item.clone()),
            quantity: Some(o.quantity),
            status: Some(o.status),
            received_at: Some(stamp(&o.received_at)),
            updated_at: Some(stamp(&o.updated_at)),
            version: o.version,
            gsi1pk: Some(queue_key(o.status)),
            gsi1sk: Some(format!("{}#{}", stamp(&o.received_at), o.order_id)),
        }
    }
}

impl TryFrom<EntryItem> for StoreOrder {
    type Error = anyhow::Error;
    fn try_from(item: EntryItem) -> anyhow::Result<Self> {
        let missing = |field: &str| anyhow::anyhow!("store order {} without {field}", item.order_id);
        Ok(Self {
            item: item.item.clone().ok_or_else(|| missing("item"))?,
            quantity: item.quantity.ok_or_else(|| missing("quantity"))?,
            status: item.status.ok_or_else(|| missing("status"))?,
            received_at: parse_time(item.received_at.as_deref().ok_or_else(|| missing("receivedAt"))?)?,
            updated_at: parse_time(item.updated_at.as_deref().ok_or_else(|| missing("updatedAt"))?)?,
            version: item.version,
            order_id: item.order_id,
            customer_id: item.customer_id,
        })
    }
}

impl TryFrom<EntryItem> for Desk {
    type Error = anyhow::Error;
    fn try_from(item: EntryItem) -> anyhow::Result<Self> {
        if item.kind == "Tombstone" { Ok(Self::Tombstone) } else { Ok(Self::Order(StoreOrder::try_from(item)?)) }
    }
}

impl KitchenQueue for DynamoStore {
    #[tracing::instrument(skip_all, fields(%status))]
    async fn in_status(&self, status: StoreStatus, page: &PageRequest) -> Result<Page<StoreOrder>, PageError> {
        let index = Index { name: STATUS_INDEX, partition: "gsi1pk", sort: "gsi1sk" };
        let items: Page<EntryItem> = self.table.query_page(&index, queue_key(status), true, page).await?;
        let orders = items.items.into_iter().map(StoreOrder::try_from).collect::<anyhow::Result<Vec<_>>>()?;
        Ok(Page::new(orders, items.next))
    }
}

impl StoreOrders for DynamoStore {
    #[tracing::instrument(skip_all, fields(order_id = %order))]
    async fn find(&self, order: &OrderId) -> anyhow::Result<Option<Desk>> {
        self.table.get::<EntryItem>(pk(order), SK).await?.map(Desk::try_from).transpose()
    }

    async fn save(&self, order: &StoreOrder, expected_version: u64, events: &[StoreEvent]) -> Result<(), WriteError> {
        let mut items = vec![self.table.put(to_item(&EntryItem::from(order))?, Condition::Version(expected_version))];
        items.extend(self.outbox_items(events)?);
        self.table.write(items).await
    }

    async fn receive(&self, order: &StoreOrder, once: &EventEnvelope) -> Result<Applied, WriteError> {
        let items = vec![self.table.put(to_item(&EntryItem::from(order))?, Condition::New)];
        self.write_once(items, once).await
    }

    async fn tombstone(&self, order: &OrderId, customer: &CustomerId, events: &[StoreEvent]) -> Result<(), WriteError> {
        let item = EntryItem {
            pk: pk(order),
            sk: SK.to_owned(),
            kind: "Tombstone".to_owned(),
            order_id: order.clone(),
            customer_id: customer.clone(),
            item: None,
            quantity: None,
            status: None,
            received_at: None,
            updated_at: None,
            version: 1,
            gsi1pk: None,
            gsi1sk: None,
        };
        let mut items = vec![self.table.put(to_item(&item)?, Condition::New)];
        items.extend(self.outbox_items(events)?);
        self.table.write(items).await
    }

    async fn acknowledge(&self, event: &EventEnvelope) -> Result<Applied, WriteError> {
        self.write_once(Vec::new(), event).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use platform::dynamo::from_item;

    #[test]
    fn a_store_order_round_trips_through_its_item_with_the_queue_keys() {
        let now = chrono::SubsecRound::trunc_subsecs(Utc::now(), 3);
        let order = StoreOrder::receive(
            OrderId::parse("019a9a3c-7c1e-7d4a-9b2f-3e5d6c7b8a90").unwrap(),
            CustomerId::parse("auth0|kim").unwrap(),
            "chicken".into(),
            2,
            now,
        );
        let item = to_item(&EntryItem::from(&order)).unwrap();
        assert_eq!(item["gsi1pk"].as_s().unwrap(), "QUEUE#Received");
        assert_eq!(Desk::try_from(from_item::<EntryItem>(item).unwrap()).unwrap(), Desk::Order(order));
    }
}
