//! The DynamoDB adapter of the delivery context (table `DELIVERY_TABLE`): every port of
//! [`crate::ports`], with typed items mapped by `serde_dynamo`.
//!
//! Items (`pk`, `sk`, `kind`, then attributes):
//! - a delivery: `DELIVERY#<deliveryId>`, `DELIVERY`, `Delivery`; `deliveryId`, `orderId`,
//!   `customerId`, `waitingNumber`, `businessDay` (`YYYY-MM-DD`), `status`, `createdAt`,
//!   `updatedAt` (RFC 3339 UTC, milliseconds), `version`; indexed in `ByStatus` by
//!   `gsi1pk = STATUS#<status>`, `gsi1sk = <createdAt>#<deliveryId>` (the queue, oldest
//!   first);
//! - the order at the counter: `ORDER#<orderId>`, `DELIVERY`, `OrderAtCounter`; `orderId`
//!   and either `deliveryId` (issued) or `cancelledBeforeIssue = true`. Written only if new,
//!   so one order gets one delivery, and an order cancelled first gets none;
//! - the day's waiting-number sequence: `SEQUENCE#<YYYY-MM-DD>`, `WAITING_NUMBERS`,
//!   `WaitingNumbers`; `lastNumber`, the last number handed out that day (atomic `ADD`);
//! - the claim of a number: `WAITING_NUMBER#<YYYY-MM-DD>#<n>`, `CLAIM`, `WaitingNumberClaim`;
//!   `deliveryId`, `orderId`. Written only if new, in the issuing transaction, so no number
//!   is issued twice a day even if the sequence were reset;
//! - outbox items ([`platform::outbox`], relayed to `DeliveryEventsTopic`) and the order-event
//!   consumer's inbox items ([`platform::inbox`]).
//!
//! Domain events leave as [`contracts::delivery::DeliveryEvent`], correlated by the order id
//! and caused by the consumed event, if any; both kinds of cancellation leave as
//! `DeliveryCancelled`.

use std::time::Duration;

use anyhow::Context;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue, TransactWriteItem};
use chrono::{DateTime, Utc};
use contracts::delivery::{self as wire, DeliveryCancelled, DeliveryCompleted, DeliveryStarted, OrderWaited};
use platform::EventEnvelope;
use platform::dynamo::{Condition, Index, Table, WriteError, from_item, key, to_item};
use platform::inbox::{Applied, Inbox};
use platform::outbox::Outbox;
use platform::page::{Page, PageError, PageRequest};
use serde::{Deserialize, Serialize};

use crate::SOURCE;
use crate::domain::{
    BusinessDay, CustomerId, Delivery, DeliveryEvent, DeliveryId, DeliveryRecord, DeliveryStatus, OrderAtCounter,
    OrderId, WaitingNumber,
};
use crate::ports::{ConsumedEvents, Deliveries, DeliveryQueue, OrdersAtCounter, WaitingNumbers};

/// Name of the queue index.
pub const STATUS_INDEX: &str = "ByStatus";

/// The stored `kind` of a delivery (see the module docs for why it is not `Delivery`).
const DELIVERY_KIND: &str = "Delivery";
const DELIVERY_SK: &str = "DELIVERY";
const ORDER_KIND: &str = "OrderAtCounter";
const ORDER_SK: &str = "DELIVERY";
const SEQUENCE_KIND: &str = "WaitingNumbers";
const SEQUENCE_SK: &str = "WAITING_NUMBERS";
const CLAIM_KIND: &str = "WaitingNumberClaim";
const CLAIM_SK: &str = "CLAIM";

fn delivery_pk(id: &DeliveryId) -> String {
    format!("DELIVERY#{id}")
}

fn order_pk(order: &OrderId) -> String {
    format!("ORDER#{order}")
}

fn sequence_pk(day: BusinessDay) -> String {
    format!("SEQUENCE#{day}")
}

fn claim_pk(day: BusinessDay, number: WaitingNumber) -> String {
    format!("WAITING_NUMBER#{day}#{number}")
}

fn status_key(status: DeliveryStatus) -> String {
    format!("STATUS#{status}")
}

/// Deliveries and the counter's records in DynamoDB. Built with an outbox for functions
/// that publish events, and with an inbox for the consumer of order events.
#[derive(Debug, Clone)]
pub struct DynamoDeliveries {
    table: Table,
    outbox: Option<Outbox>,
    inbox: Option<Inbox>,
}

impl DynamoDeliveries {
    /// The adapter for `table`, without outbox or inbox: it reads, and writes changes that
    /// publish nothing.
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

    /// The outbox items of the published form of `events`, caused by `cause` if given.
    fn outbox_items(
        &self,
        events: &[DeliveryEvent],
        cause: Option<&EventEnvelope>,
    ) -> Result<Vec<TransactWriteItem>, WriteError> {
        let mut items = Vec::new();
        for (order, event) in events.iter().map(published) {
            let outbox = self.outbox.as_ref().context("this function has no outbox, yet a change has events")?;
            let envelope = EventEnvelope::wrap(SOURCE, order.as_str(), cause.map(|e| e.id.as_str()), &event);
            items.push(outbox.put(&envelope));
        }
        Ok(items)
    }

    /// Writes `items` in one transaction; with `once`, together with its inbox item.
    async fn write(&self, items: Vec<TransactWriteItem>, once: Option<&EventEnvelope>) -> Result<Applied, WriteError> {
        match once {
            None => self.table.write(items).await.map(|()| Applied::Now),
            Some(event) => {
                let inbox = self.inbox.as_ref().context("this function has no inbox, yet it consumes events")?;
                Ok(inbox.apply_once(event, items).await?)
            }
        }
    }
}

/// The event as published, with the order it correlates to.
fn published(event: &DeliveryEvent) -> (&OrderId, wire::DeliveryEvent) {
    match event {
        DeliveryEvent::Issued { delivery_id, order_id, customer_id, waiting_number } => (
            order_id,
            wire::DeliveryEvent::OrderWaited(OrderWaited {
                delivery_id: delivery_id.to_string(),
                order_id: order_id.to_string(),
                customer_id: customer_id.to_string(),
                waiting_number: waiting_number.get(),
            }),
        ),
        DeliveryEvent::Started { delivery_id, order_id, customer_id } => (
            order_id,
            wire::DeliveryEvent::DeliveryStarted(DeliveryStarted {
                delivery_id: delivery_id.to_string(),
                order_id: order_id.to_string(),
                customer_id: customer_id.to_string(),
            }),
        ),
        DeliveryEvent::Completed { delivery_id, order_id, customer_id, waiting_number } => (
            order_id,
            wire::DeliveryEvent::DeliveryCompleted(DeliveryCompleted {
                delivery_id: delivery_id.to_string(),
                order_id: order_id.to_string(),
                customer_id: customer_id.to_string(),
                waiting_number: waiting_number.get(),
            }),
        ),
        DeliveryEvent::Cancelled { delivery_id, order_id, customer_id } => (
            order_id,
            wire::DeliveryEvent::DeliveryCancelled(DeliveryCancelled {
                delivery_id: Some(delivery_id.to_string()),
                order_id: order_id.to_string(),
                customer_id: customer_id.to_string(),
                cancelled_before_issue: false,
            }),
        ),
        DeliveryEvent::CancelledBeforeIssue { order_id, customer_id } => (
            order_id,
            wire::DeliveryEvent::DeliveryCancelled(DeliveryCancelled {
                delivery_id: None,
                order_id: order_id.to_string(),
                customer_id: customer_id.to_string(),
                cancelled_before_issue: true,
            }),
        ),
    }
}

/// RFC 3339 UTC with exactly three fractional digits: fixed width, so `gsi1sk` sorts in
/// time order.
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
struct DeliveryItem {
    pk: String,
    sk: String,
    kind: String,
    delivery_id: DeliveryId,
    order_id: OrderId,
    customer_id: CustomerId,
    waiting_number: WaitingNumber,
    business_day: BusinessDay,
    status: DeliveryStatus,
    #[serde(with = "millis")]
    created_at: DateTime<Utc>,
    #[serde(with = "millis")]
    updated_at: DateTime<Utc>,
    version: u64,
    gsi1pk: String,
    gsi1sk: String,
}

impl From<&Delivery> for DeliveryItem {
    fn from(delivery: &Delivery) -> Self {
        Self {
            pk: delivery_pk(delivery.id()),
            sk: DELIVERY_SK.to_owned(),
            kind: DELIVERY_KIND.to_owned(),
            delivery_id: delivery.id().clone(),
            order_id: delivery.order_id().clone(),
            customer_id: delivery.customer_id().clone(),
            waiting_number: delivery.waiting_number(),
            business_day: delivery.business_day(),
            status: delivery.status(),
            created_at: delivery.created_at(),
            updated_at: delivery.updated_at(),
            version: delivery.version(),
            gsi1pk: status_key(delivery.status()),
            gsi1sk: format!("{}#{}", millis::text(&delivery.created_at()), delivery.id()),
        }
    }
}

impl From<DeliveryItem> for Delivery {
    fn from(item: DeliveryItem) -> Self {
        Delivery::restore(DeliveryRecord {
            id: item.delivery_id,
            order_id: item.order_id,
            customer_id: item.customer_id,
            waiting_number: item.waiting_number,
            business_day: item.business_day,
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    delivery_id: Option<DeliveryId>,
    #[serde(default)]
    cancelled_before_issue: bool,
}

impl OrderItem {
    fn new(order: &OrderId, delivery_id: Option<DeliveryId>) -> Self {
        Self {
            pk: order_pk(order),
            sk: ORDER_SK.to_owned(),
            kind: ORDER_KIND.to_owned(),
            order_id: order.clone(),
            cancelled_before_issue: delivery_id.is_none(),
            delivery_id,
        }
    }
}

impl TryFrom<OrderItem> for OrderAtCounter {
    type Error = anyhow::Error;
    fn try_from(item: OrderItem) -> anyhow::Result<Self> {
        match (item.delivery_id, item.cancelled_before_issue) {
            (Some(id), false) => Ok(Self::Issued(id)),
            (None, true) => Ok(Self::CancelledBeforeIssue),
            _ => anyhow::bail!("the counter's record of order {} is neither issued nor cancelled", item.order_id),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ClaimItem {
    pk: String,
    sk: String,
    kind: String,
    delivery_id: DeliveryId,
    order_id: OrderId,
}

/// What the sequence's update returns.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SequenceItem {
    last_number: u64,
}

impl DeliveryQueue for DynamoDeliveries {
    #[tracing::instrument(skip_all, fields(%status))]
    async fn in_status(&self, status: DeliveryStatus, page: &PageRequest) -> Result<Page<Delivery>, PageError> {
        let index = Index { name: STATUS_INDEX, partition: "gsi1pk", sort: "gsi1sk" };
        let items: Page<DeliveryItem> = self.table.query_page(&index, status_key(status), true, page).await?;
        Ok(Page::new(items.items.into_iter().map(Delivery::from).collect(), items.next))
    }
}

impl Deliveries for DynamoDeliveries {
    #[tracing::instrument(skip_all, fields(delivery_id = %id))]
    async fn find(&self, id: &DeliveryId) -> anyhow::Result<Option<Delivery>> {
        Ok(self.table.get::<DeliveryItem>(delivery_pk(id), DELIVERY_SK).await?.map(Delivery::from))
    }

    #[tracing::instrument(skip_all, fields(delivery_id = %delivery.id(), status = %delivery.status()))]
    async fn save(
        &self,
        delivery: &Delivery,
        expected_version: u64,
        events: &[DeliveryEvent],
        once: Option<&EventEnvelope>,
    ) -> Result<Applied, WriteError> {
        let mut items =
            vec![self.table.put(to_item(&DeliveryItem::from(delivery))?, Condition::Version(expected_version))];
        items.extend(self.outbox_items(events, once)?);
        self.write(items, once).await
    }
}

impl OrdersAtCounter for DynamoDeliveries {
    #[tracing::instrument(skip_all, fields(order_id = %order))]
    async fn find_order(&self, order: &OrderId) -> anyhow::Result<Option<OrderAtCounter>> {
        self.table.get::<OrderItem>(order_pk(order), ORDER_SK).await?.map(OrderAtCounter::try_from).transpose()
    }

    #[tracing::instrument(skip_all, fields(delivery_id = %delivery.id(), waiting_number = %delivery.waiting_number()))]
    async fn issue(
        &self,
        delivery: &Delivery,
        events: &[DeliveryEvent],
        once: &EventEnvelope,
    ) -> Result<Applied, WriteError> {
        let claim = ClaimItem {
            pk: claim_pk(delivery.business_day(), delivery.waiting_number()),
            sk: CLAIM_SK.to_owned(),
            kind: CLAIM_KIND.to_owned(),
            delivery_id: delivery.id().clone(),
            order_id: delivery.order_id().clone(),
        };
        let mut items = vec![
            self.table.put(to_item(&DeliveryItem::from(delivery))?, Condition::New),
            self.table.put(to_item(&OrderItem::new(delivery.order_id(), Some(delivery.id().clone())))?, Condition::New),
            self.table.put(to_item(&claim)?, Condition::New),
        ];
        items.extend(self.outbox_items(events, Some(once))?);
        self.write(items, Some(once)).await
    }

    #[tracing::instrument(skip_all, fields(order_id = %order))]
    async fn cancel_before_issue(
        &self,
        order: &OrderId,
        events: &[DeliveryEvent],
        once: Option<&EventEnvelope>,
    ) -> Result<Applied, WriteError> {
        let mut items = vec![self.table.put(to_item(&OrderItem::new(order, None))?, Condition::New)];
        items.extend(self.outbox_items(events, once)?);
        self.write(items, once).await
    }
}

impl WaitingNumbers for DynamoDeliveries {
    #[tracing::instrument(skip_all, fields(%day))]
    async fn next_number(&self, day: BusinessDay) -> anyhow::Result<WaitingNumber> {
        // Outside the issuing transaction on purpose: concurrent issues never contend on the
        // day's one sequence item, and the number's claim (in the transaction) still refuses
        // a repeat.
        let kind: AttributeValue = serde_dynamo::to_attribute_value(SEQUENCE_KIND)?;
        let one: AttributeValue = serde_dynamo::to_attribute_value(1_u32)?;
        let output = self
            .table
            .client()
            .update_item()
            .table_name(self.table.name())
            .set_key(Some(key(sequence_pk(day), SEQUENCE_SK)))
            .update_expression("SET #kind = :kind ADD #last :one")
            .expression_attribute_names("#kind", "kind")
            .expression_attribute_names("#last", "lastNumber")
            .expression_attribute_values(":kind", kind)
            .expression_attribute_values(":one", one)
            .return_values(ReturnValue::AllNew)
            .send()
            .await
            .context("UpdateItem waiting-number sequence")?;
        let sequence: SequenceItem = from_item(output.attributes.unwrap_or_default())?;
        Ok(WaitingNumber::nth(sequence.last_number)?)
    }
}

impl ConsumedEvents for DynamoDeliveries {
    async fn acknowledge(&self, event: &EventEnvelope) -> Result<Applied, WriteError> {
        self.write(Vec::new(), Some(event)).await
    }
}
