//! The DynamoDB adapter of the customercenter context (table `MYPAGE_TABLE`): implements
//! [`MyPages`] with typed items mapped by `serde_dynamo`.
//!
//! Items: a row `pk = MYPAGE#<orderId>`, `sk = MYPAGE`, `kind = MyPage`; `orderId`,
//! `customerId`, `productId`, `qty`, `orderStatus`, `deliveryStatus`, `returnStatus`,
//! `orderedAt`, `updatedAt` (RFC 3339 UTC, milliseconds), `version`; once its `OrderPlaced`
//! arrived, indexed in `ByCustomer` by `gsi1pk = CUSTOMER#<customerId>`,
//! `gsi1sk = <orderedAt>#<orderId>` (sparse: a row before its `OrderPlaced` is not listed).
//! And the consumer's inbox items ([`platform::inbox`]).

use std::time::Duration;

use anyhow::Context;
use chrono::{DateTime, SecondsFormat, Utc};
use platform::EventEnvelope;
use platform::dynamo::{Condition, Index, Table, WriteError, to_item};
use platform::inbox::{Applied, Inbox};
use platform::page::{Page, PageError, PageRequest};
use serde::{Deserialize, Serialize};

use crate::domain::{CustomerId, DeliveryStatus, MyPage, OrderId, OrderStatus, ReturnStatus};
use crate::ports::MyPages;

/// Name of the by-customer index.
pub const CUSTOMER_INDEX: &str = "ByCustomer";
const ROW_SK: &str = "MYPAGE";
const ROW_KIND: &str = "MyPage";

fn row_pk(order: &OrderId) -> String {
    format!("MYPAGE#{order}")
}

fn customer_pk(customer: &CustomerId) -> String {
    format!("CUSTOMER#{customer}")
}

fn stamp(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The my page in DynamoDB; with the consumer's inbox when it records events.
#[derive(Debug, Clone)]
pub struct DynamoMyPages {
    table: Table,
    inbox: Option<Inbox>,
}

impl DynamoMyPages {
    /// A read-only adapter for `table`.
    pub fn reader(client: aws_sdk_dynamodb::Client, table: impl Into<String>) -> Self {
        Self { table: Table::new(client, table), inbox: None }
    }

    /// The adapter of the consumer `consumer` (a stable name), inbox items expiring after
    /// `retention`.
    pub fn consumer(
        client: aws_sdk_dynamodb::Client,
        table: impl Into<String>,
        consumer: &str,
        retention: Duration,
    ) -> Self {
        let table = Table::new(client, table);
        let inbox = Inbox::new(table.client().clone(), table.name(), consumer, retention);
        Self { table, inbox: Some(inbox) }
    }
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RowItem {
    pk: String,
    sk: String,
    kind: String,
    order_id: OrderId,
    customer_id: CustomerId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    product_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    qty: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    order_status: Option<OrderStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    delivery_status: Option<DeliveryStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    return_status: Option<ReturnStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ordered_at: Option<DateTime<Utc>>,
    updated_at: DateTime<Utc>,
    version: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    gsi1pk: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    gsi1sk: Option<String>,
}

impl From<&MyPage> for RowItem {
    fn from(row: &MyPage) -> Self {
        Self {
            pk: row_pk(&row.order_id),
            sk: ROW_SK.to_owned(),
            kind: ROW_KIND.to_owned(),
            order_id: row.order_id.clone(),
            customer_id: row.customer_id.clone(),
            product_id: row.product_id.clone(),
            qty: row.qty,
            order_status: row.order_status,
            delivery_status: row.delivery_status,
            return_status: row.return_status,
            ordered_at: row.ordered_at,
            updated_at: row.updated_at,
            version: row.version,
            gsi1pk: row.ordered_at.map(|_| customer_pk(&row.customer_id)),
            gsi1sk: row.ordered_at.map(|at| format!("{}#{}", stamp(&at), row.order_id)),
        }
    }
}

impl From<RowItem> for MyPage {
    fn from(item: RowItem) -> Self {
        Self {
            order_id: item.order_id,
            customer_id: item.customer_id,
            product_id: item.product_id,
            qty: item.qty,
            order_status: item.order_status,
            delivery_status: item.delivery_status,
            return_status: item.return_status,
            ordered_at: item.ordered_at,
            updated_at: item.updated_at,
            version: item.version,
        }
    }
}

impl MyPages for DynamoMyPages {
    #[tracing::instrument(skip_all, fields(order_id = %order))]
    async fn find(&self, order: &OrderId) -> anyhow::Result<Option<MyPage>> {
        Ok(self.table.get::<RowItem>(row_pk(order), ROW_SK).await?.map(MyPage::from))
    }

    #[tracing::instrument(skip_all, fields(order_id = %row.order_id, expected_version))]
    async fn save_once(
        &self,
        row: &MyPage,
        expected_version: u64,
        cause: &EventEnvelope,
    ) -> Result<Applied, WriteError> {
        let inbox = self.inbox.as_ref().context("a read-only DynamoMyPages cannot record events")?;
        let condition = if expected_version == 0 { Condition::New } else { Condition::Version(expected_version) };
        let items = vec![self.table.put(to_item(&RowItem::from(row))?, condition)];
        // Boxed: the SDK's nested futures would otherwise exceed the compiler's layout depth.
        Ok(Box::pin(inbox.apply_once(cause, items)).await?)
    }

    #[tracing::instrument(skip_all, fields(customer_id = %customer))]
    async fn of_customer(&self, customer: &CustomerId, page: &PageRequest) -> Result<Page<MyPage>, PageError> {
        let index = Index { name: CUSTOMER_INDEX, partition: "gsi1pk", sort: "gsi1sk" };
        let items: Page<RowItem> = self.table.query_page(&index, customer_pk(customer), false, page).await?;
        Ok(Page::new(items.items.into_iter().map(MyPage::from).collect(), items.next))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Fact;
    use platform::dynamo::from_item;

    #[test]
    fn a_row_is_indexed_for_its_customer_only_once_its_order_placed_arrived() {
        let now: DateTime<Utc> = "2026-11-22T01:00:00.123Z".parse().unwrap();
        let blank = MyPage::blank(OrderId::parse("o-1").unwrap(), CustomerId::parse("auth0|kim").unwrap(), now);
        let shipped = blank.apply(&Fact::Shipped, now).unwrap();
        let item = to_item(&RowItem::from(&shipped)).unwrap();
        assert!(!item.contains_key("gsi1pk"), "not listed before OrderPlaced");
        let placed = shipped.apply(&Fact::Placed { product_id: "1001".into(), qty: 5, ordered_at: now }, now).unwrap();
        let item = to_item(&RowItem::from(&placed)).unwrap();
        assert_eq!(item["gsi1pk"].as_s().unwrap(), "CUSTOMER#auth0|kim");
        assert_eq!(item["gsi1sk"].as_s().unwrap(), "2026-11-22T01:00:00.123Z#o-1");
        assert_eq!(item["orderStatus"].as_s().unwrap(), "Shipped");
        assert_eq!(MyPage::from(from_item::<RowItem>(item).unwrap()), placed);
    }
}
