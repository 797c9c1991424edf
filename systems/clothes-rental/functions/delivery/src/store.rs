//! The DynamoDB adapter of the delivery context (table `DELIVERY_TABLE`): every port of
//! [`crate::ports`], with typed items mapped by `serde_dynamo`.
//!
//! Items (`pk`, `sk`, `kind`, then attributes):
//! - a ticket: `DELIVERY#<deliveryId>`, `DELIVERY`, `Ticket`; `deliveryId`, `orderId`,
//!   `customerId`, `ticketKind` (`Delivery`/`Return`), `productId`, `qty`, `status`,
//!   `createdAt`, `updatedAt` (RFC 3339 UTC, milliseconds), `version`; indexed in `ByStatus` by
//!   `gsi1pk = QUEUE#<ticketKind>#<status>`, `gsi1sk = <createdAt>#<deliveryId>` (the work
//!   queue, oldest first);
//! - the order at the desk: `ORDER#<orderId>`, `DELIVERY` or `RETURN`, `OrderAtDesk`;
//!   `orderId`, `customerId` and either `deliveryId` or `tombstone = true`. Written only if
//!   new, so one order gets one ticket of each kind, and an order cancelled first gets none;
//! - outbox items ([`platform::outbox`], relayed to `DeliveryEventsTopic`) and the order-event
//!   consumer's inbox items ([`platform::inbox`]).

use std::time::Duration;

use anyhow::Context;
use aws_sdk_dynamodb::types::TransactWriteItem;
use chrono::{DateTime, Utc};
use contracts::delivery as wire;
use platform::EventEnvelope;
use platform::dynamo::{Condition, Index, Table, WriteError, to_item};
use platform::inbox::{Applied, Inbox};
use platform::outbox::Outbox;
use platform::page::{Page, PageError, PageRequest};
use serde::{Deserialize, Serialize};

use crate::SOURCE;
use crate::domain::{
    CustomerId, Delivery, DeliveryEvent, DeliveryId, DeliveryRecord, DeliveryStatus, Kind, OrderAtDesk, OrderId,
    ProductId, Quantity,
};
use crate::ports::{ConsumedEvents, Deliveries, DeliveryQueue, OrdersAtDesk};

/// Name of the work-queue index.
pub const STATUS_INDEX: &str = "ByStatus";

const TICKET_KIND: &str = "Ticket";
const TICKET_SK: &str = "DELIVERY";
const ORDER_KIND: &str = "OrderAtDesk";

fn delivery_pk(id: &DeliveryId) -> String {
    format!("DELIVERY#{id}")
}

fn order_pk(order: &OrderId) -> String {
    format!("ORDER#{order}")
}

fn order_sk(kind: Kind) -> &'static str {
    match kind {
        Kind::Delivery => "DELIVERY",
        Kind::Return => "RETURN",
    }
}

fn queue_key(kind: Kind, status: DeliveryStatus) -> String {
    format!("QUEUE#{kind}#{status}")
}

/// Tickets and the desk's records in DynamoDB; with an outbox for functions that publish
/// events, and an inbox for the consumer of order events.
#[derive(Debug, Clone)]
pub struct DynamoDeliveries {
    table: Table,
    outbox: Option<Outbox>,
    inbox: Option<Inbox>,
}

impl DynamoDeliveries {
    /// The adapter for `table`, without outbox or inbox: it reads.
    pub fn new(client: aws_sdk_dynamodb::Client, table: impl Into<String>) -> Self {
        Self { table: Table::new(client, table), outbox: None, inbox: None }
    }

    /// The adapter that also publishes events, whose outbox items expire after `retention`.
    pub fn with_outbox(self, retention: Duration) -> Self {
        let outbox = Outbox::new(self.table.name(), retention);
        Self { outbox: Some(outbox), ..self }
    }

    /// The adapter that also applies consumed events once, through the inbox of `consumer`
    /// (a stable name), whose items expire after `retention`.
    pub fn with_inbox(self, consumer: &str, retention: Duration) -> Self {
        let inbox = Inbox::new(self.table.client().clone(), self.table.name(), consumer, retention);
        Self { inbox: Some(inbox), ..self }
    }

    fn outbox_items(&self, events: &[DeliveryEvent]) -> Result<Vec<TransactWriteItem>, WriteError> {
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

/// The event as published, with the order it correlates to.
fn published(event: &DeliveryEvent) -> (&OrderId, wire::DeliveryEvent) {
    match event {
        DeliveryEvent::Shipped { delivery_id, order_id, customer_id } => (
            order_id,
            wire::DeliveryEvent::Shipped(wire::Shipped {
                delivery_id: delivery_id.to_string(),
                order_id: order_id.to_string(),
                customer_id: customer_id.to_string(),
            }),
        ),
        DeliveryEvent::Cancelled { delivery_id, order_id, customer_id } => (
            order_id,
            wire::DeliveryEvent::DeliveryCancelled(wire::DeliveryCancelled {
                delivery_id: delivery_id.as_ref().map(ToString::to_string),
                order_id: order_id.to_string(),
                customer_id: customer_id.to_string(),
            }),
        ),
        DeliveryEvent::Collected { delivery_id, order_id, customer_id } => (
            order_id,
            wire::DeliveryEvent::ReturnCollected(wire::ReturnCollected {
                delivery_id: delivery_id.to_string(),
                order_id: order_id.to_string(),
                customer_id: customer_id.to_string(),
            }),
        ),
    }
}

/// RFC 3339 UTC with exactly three fractional digits: fixed width, so `gsi1sk` sorts in time.
mod millis {
    use chrono::{DateTime, SecondsFormat, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn text(at: &DateTime<Utc>) -> String {
        at.to_rfc3339_opts(SecondsFormat::Millis, true)
    }

    pub fn serialize<S: Serializer>(at: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&text(at))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<DateTime<Utc>, D::Error> {
        let text = String::deserialize(deserializer)?;
        DateTime::parse_from_rfc3339(&text).map(|at| at.with_timezone(&Utc)).map_err(serde::de::Error::custom)
    }
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TicketItem {
    pk: String,
    sk: String,
    kind: String,
    delivery_id: DeliveryId,
    order_id: OrderId,
    customer_id: CustomerId,
    ticket_kind: Kind,
    product_id: ProductId,
    qty: Quantity,
    status: DeliveryStatus,
    #[serde(with = "millis")]
    created_at: DateTime<Utc>,
    #[serde(with = "millis")]
    updated_at: DateTime<Utc>,
    version: u64,
    gsi1pk: String,
    gsi1sk: String,
}

impl From<&Delivery> for TicketItem {
    fn from(delivery: &Delivery) -> Self {
        let r = delivery.record().clone();
        Self {
            pk: delivery_pk(&r.id),
            sk: TICKET_SK.to_owned(),
            kind: TICKET_KIND.to_owned(),
            gsi1pk: queue_key(r.kind, r.status),
            gsi1sk: format!("{}#{}", millis::text(&r.created_at), r.id),
            delivery_id: r.id,
            order_id: r.order_id,
            customer_id: r.customer_id,
            ticket_kind: r.kind,
            product_id: r.product_id,
            qty: r.qty,
            status: r.status,
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: r.version,
        }
    }
}

impl From<TicketItem> for Delivery {
    fn from(item: TicketItem) -> Self {
        Delivery::restore(DeliveryRecord {
            id: item.delivery_id,
            order_id: item.order_id,
            customer_id: item.customer_id,
            kind: item.ticket_kind,
            product_id: item.product_id,
            qty: item.qty,
            status: item.status,
            created_at: item.created_at,
            updated_at: item.updated_at,
            version: item.version,
        })
    }
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct OrderItem {
    pk: String,
    sk: String,
    kind: String,
    order_id: OrderId,
    customer_id: CustomerId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    delivery_id: Option<DeliveryId>,
    #[serde(default)]
    tombstone: bool,
}

impl OrderItem {
    fn new(order: &OrderId, customer: &CustomerId, kind: Kind, delivery_id: Option<DeliveryId>) -> Self {
        Self {
            pk: order_pk(order),
            sk: order_sk(kind).to_owned(),
            kind: ORDER_KIND.to_owned(),
            order_id: order.clone(),
            customer_id: customer.clone(),
            tombstone: delivery_id.is_none(),
            delivery_id,
        }
    }
}

impl TryFrom<OrderItem> for OrderAtDesk {
    type Error = anyhow::Error;
    fn try_from(item: OrderItem) -> anyhow::Result<Self> {
        match (item.delivery_id, item.tombstone) {
            (Some(id), false) => Ok(Self::Ticketed(id)),
            (None, true) => Ok(Self::Tombstone),
            _ => anyhow::bail!("the desk's record of order {} is neither a ticket nor a tombstone", item.order_id),
        }
    }
}

impl DeliveryQueue for DynamoDeliveries {
    #[tracing::instrument(skip_all, fields(%kind, %status))]
    async fn in_queue(
        &self,
        kind: Kind,
        status: DeliveryStatus,
        page: &PageRequest,
    ) -> Result<Page<Delivery>, PageError> {
        let index = Index { name: STATUS_INDEX, partition: "gsi1pk", sort: "gsi1sk" };
        let items: Page<TicketItem> = self.table.query_page(&index, queue_key(kind, status), true, page).await?;
        Ok(Page::new(items.items.into_iter().map(Delivery::from).collect(), items.next))
    }
}

impl Deliveries for DynamoDeliveries {
    #[tracing::instrument(skip_all, fields(delivery_id = %id))]
    async fn find(&self, id: &DeliveryId) -> anyhow::Result<Option<Delivery>> {
        Ok(self.table.get::<TicketItem>(delivery_pk(id), TICKET_SK).await?.map(Delivery::from))
    }

    #[tracing::instrument(skip_all, fields(delivery_id = %delivery.id(), status = %delivery.status()))]
    async fn save(
        &self,
        delivery: &Delivery,
        expected_version: u64,
        events: &[DeliveryEvent],
    ) -> Result<(), WriteError> {
        let mut items =
            vec![self.table.put(to_item(&TicketItem::from(delivery))?, Condition::Version(expected_version))];
        items.extend(self.outbox_items(events)?);
        self.table.write(items).await
    }
}

impl OrdersAtDesk for DynamoDeliveries {
    #[tracing::instrument(skip_all, fields(order_id = %order, %kind))]
    async fn find_order(&self, order: &OrderId, kind: Kind) -> anyhow::Result<Option<OrderAtDesk>> {
        self.table.get::<OrderItem>(order_pk(order), order_sk(kind)).await?.map(OrderAtDesk::try_from).transpose()
    }

    #[tracing::instrument(skip_all, fields(delivery_id = %delivery.id()))]
    async fn open(&self, delivery: &Delivery, once: &EventEnvelope) -> Result<Applied, WriteError> {
        let r = delivery.record();
        let record = OrderItem::new(&r.order_id, &r.customer_id, r.kind, Some(r.id.clone()));
        let items = vec![
            self.table.put(to_item(&TicketItem::from(delivery))?, Condition::New),
            self.table.put(to_item(&record)?, Condition::New),
        ];
        self.write_once(items, once).await
    }

    #[tracing::instrument(skip_all, fields(order_id = %order))]
    async fn tombstone(
        &self,
        order: &OrderId,
        customer: &CustomerId,
        events: &[DeliveryEvent],
    ) -> Result<(), WriteError> {
        let record = OrderItem::new(order, customer, Kind::Delivery, None);
        let mut items = vec![self.table.put(to_item(&record)?, Condition::New)];
        items.extend(self.outbox_items(events)?);
        self.table.write(items).await
    }
}

impl ConsumedEvents for DynamoDeliveries {
    async fn acknowledge(&self, event: &EventEnvelope) -> Result<Applied, WriteError> {
        self.write_once(Vec::new(), event).await
    }
}
