//! The DynamoDB adapter of the report context (table `REPORT_TABLE`).
//!
//! Items (typed, mapped with `serde_dynamo`):
//! - an order view `pk = ORDER#<id>, sk = VIEW` (`OrderViewItem`); each fact is written
//!   by one `UpdateItem` that `SET`s only that fact's attributes (so repeats and
//!   reordering are harmless), and the placement also sets the `ByDay` index keys
//!   `gsi1pk = DAY#<shop day>`, `gsi1sk = <placedAt, RFC 3339 milliseconds>#<id>`;
//! - product views `pk = PRODUCTS, sk = PRODUCT#<id>` (`ProductViewItem`), written only
//!   by a higher `version`.
//!
//! `UpdateItem` rather than `PutItem`, because a put would replace the facts other events
//! set; the functions' IAM policies allow exactly `UpdateItem` and `Query`.

use std::collections::{BTreeMap, HashMap};

use anyhow::Context;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use platform::Won;
use platform::dynamo::{Index, Item, Table, from_item, key, to_item};
use platform::page::{Page, PageError, PageRequest};
use serde::{Deserialize, Serialize};

use crate::domain::{
    CustomerId, Line, OrderFact, OrderFacts, OrderId, Placement, ProductFacts, ProductId, ProductStatus,
};
use crate::ports::{Kept, ReportFacts, ReportViews};

/// Name of the by-day index of order views.
pub const DAY_INDEX: &str = "ByDay";

/// The partition of product views.
const PRODUCTS: &str = "PRODUCTS";

/// The report's views in DynamoDB: [`ReportFacts`] and [`ReportViews`].
#[derive(Debug, Clone)]
pub struct DynamoReport {
    table: Table,
}

/// An order view; every attribute but `orderId` is one event's fact, absent until it is
/// known. Written one fact at a time (absent attributes are not written).
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct OrderViewItem {
    order_id: OrderId,
    #[serde(skip_serializing_if = "Option::is_none")]
    customer_id: Option<CustomerId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    amount: Option<Won>,
    #[serde(skip_serializing_if = "Option::is_none")]
    lines: Option<Vec<LineItem>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    placed_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    business_day: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    gsi1pk: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    gsi1sk: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    waiting_number: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    completed_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cancelled_at: Option<DateTime<Utc>>,
}

/// One order line, a map in the view's `lines` list.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct LineItem {
    product_id: ProductId,
    name: String,
    unit_price: Won,
    quantity: u32,
    amount: Won,
}

/// A product view.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ProductViewItem {
    product_id: ProductId,
    name: String,
    price: Won,
    status: ProductStatus,
    version: u64,
}

impl OrderViewItem {
    /// The attributes `fact` sets on the view of `order_id`.
    fn of_fact(order_id: &OrderId, fact: &OrderFact) -> Self {
        let mut item = Self {
            order_id: order_id.clone(),
            customer_id: None,
            amount: None,
            lines: None,
            placed_at: None,
            business_day: None,
            gsi1pk: None,
            gsi1sk: None,
            waiting_number: None,
            completed_at: None,
            cancelled_at: None,
        };
        match fact {
            OrderFact::Placed(placement) => {
                // Fixed milliseconds, so the sort key orders by time as text.
                let placed_at = placement.placed_at.to_rfc3339_opts(SecondsFormat::Millis, true);
                item.customer_id = Some(placement.customer_id.clone());
                item.amount = Some(placement.amount);
                item.lines = Some(placement.lines.iter().map(LineItem::from).collect());
                item.placed_at = Some(placement.placed_at);
                item.business_day = Some(placement.day);
                item.gsi1pk = Some(day_partition(placement.day));
                item.gsi1sk = Some(format!("{placed_at}#{order_id}"));
            }
            OrderFact::Waited { waiting_number } => item.waiting_number = Some(*waiting_number),
            OrderFact::Completed { at } => item.completed_at = Some(*at),
            OrderFact::Cancelled { at } => item.cancelled_at = Some(*at),
        }
        item
    }
}

impl TryFrom<OrderViewItem> for OrderFacts {
    type Error = anyhow::Error;

    fn try_from(item: OrderViewItem) -> anyhow::Result<Self> {
        // One UpdateItem writes the whole placement, so it is all there or not at all.
        let placement = match (item.customer_id, item.amount, item.placed_at, item.business_day) {
            (Some(customer_id), Some(amount), Some(placed_at), Some(day)) => Some(Placement {
                customer_id,
                lines: item.lines.unwrap_or_default().into_iter().map(Line::from).collect(),
                amount,
                placed_at,
                day,
            }),
            (None, None, None, None) => None,
            _ => anyhow::bail!("the view of order {} holds part of a placement", item.order_id),
        };
        Ok(Self {
            order_id: item.order_id,
            placement,
            waiting_number: item.waiting_number,
            completed_at: item.completed_at,
            cancelled_at: item.cancelled_at,
        })
    }
}

impl From<&Line> for LineItem {
    fn from(line: &Line) -> Self {
        Self {
            product_id: line.product_id.clone(),
            name: line.name.clone(),
            unit_price: line.unit_price,
            quantity: line.quantity,
            amount: line.amount,
        }
    }
}

impl From<LineItem> for Line {
    fn from(item: LineItem) -> Self {
        Self {
            product_id: item.product_id,
            name: item.name,
            unit_price: item.unit_price,
            quantity: item.quantity,
            amount: item.amount,
        }
    }
}

impl From<&ProductFacts> for ProductViewItem {
    fn from(product: &ProductFacts) -> Self {
        Self {
            product_id: product.product_id.clone(),
            name: product.name.clone(),
            price: product.price,
            status: product.status,
            version: product.version,
        }
    }
}

fn day_partition(day: NaiveDate) -> String {
    format!("DAY#{day}")
}

impl DynamoReport {
    /// The adapter for `table`.
    pub fn new(client: aws_sdk_dynamodb::Client, table: impl Into<String>) -> Self {
        Self { table: Table::new(client, table) }
    }

    /// `SET`s every attribute of `attributes` on the item at `key` (creating the item if
    /// needed) and changes no other attribute. `condition`, if any, may name an attribute
    /// as `#<name>` and its new value as `:<name>`.
    async fn set(&self, key: Item, attributes: Item, condition: Option<&str>) -> Result<(), SdkError<UpdateItemError>> {
        let mut assignments = Vec::with_capacity(attributes.len());
        let mut names = HashMap::with_capacity(attributes.len());
        let mut values = HashMap::with_capacity(attributes.len());
        for (name, value) in attributes {
            assignments.push(format!("#{name} = :{name}"));
            values.insert(format!(":{name}"), value);
            names.insert(format!("#{name}"), name);
        }
        let request = self
            .table
            .client()
            .update_item()
            .table_name(self.table.name())
            .set_key(Some(key))
            .update_expression(format!("SET {}", assignments.join(", ")))
            .set_condition_expression(condition.map(str::to_owned))
            .set_expression_attribute_names(Some(names))
            .set_expression_attribute_values(Some(values));
        // Boxed: the SDK's nested futures would otherwise exceed the compiler's layout
        // depth in the binary that serves this (the whole Lambda loop is one future).
        Box::pin(request.send()).await.map(|_| ())
    }

    /// Every item whose `attribute` is `value`, in `index` (or the table), page by page.
    async fn query_all(&self, index: Option<&str>, attribute: &str, value: String) -> anyhow::Result<Vec<Item>> {
        let pages = self
            .table
            .client()
            .query()
            .table_name(self.table.name())
            .set_index_name(index.map(str::to_owned))
            .key_condition_expression("#key = :value")
            .expression_attribute_names("#key", attribute)
            .expression_attribute_values(":value", AttributeValue::S(value))
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<Item>, _>>();
        Box::pin(pages).await.with_context(|| format!("Query {attribute} in {}", self.table.name()))
    }
}

impl ReportFacts for DynamoReport {
    async fn set_order_fact(&self, order_id: &OrderId, fact: &OrderFact) -> anyhow::Result<()> {
        let attributes = to_item(&OrderViewItem::of_fact(order_id, fact))?;
        self.set(key(format!("ORDER#{order_id}"), "VIEW"), attributes, None).await.context("UpdateItem order view")
    }

    async fn keep_product(&self, product: &ProductFacts) -> anyhow::Result<Kept> {
        let attributes = to_item(&ProductViewItem::from(product))?;
        let key = key(PRODUCTS, format!("PRODUCT#{}", product.product_id));
        // The domain's rule ([`ProductFacts::supersedes`]), checked where the view is.
        let newer = "attribute_not_exists(#version) OR #version < :version";
        match self.set(key, attributes, Some(newer)).await {
            Ok(()) => Ok(Kept::Now),
            Err(err) => match err.into_service_error() {
                UpdateItemError::ConditionalCheckFailedException(_) => Ok(Kept::Stale),
                other => Err(anyhow::Error::new(other).context("UpdateItem product view")),
            },
        }
    }
}

impl ReportViews for DynamoReport {
    async fn orders_of_day(&self, day: NaiveDate) -> anyhow::Result<Vec<OrderFacts>> {
        let items = self.query_all(Some(DAY_INDEX), "gsi1pk", day_partition(day)).await?;
        items.into_iter().map(|item| from_item::<OrderViewItem>(item)?.try_into()).collect()
    }

    async fn orders_of_day_page(&self, day: NaiveDate, page: &PageRequest) -> Result<Page<OrderFacts>, PageError> {
        let index = Index { name: DAY_INDEX, partition: "gsi1pk", sort: "gsi1sk" };
        let items: Page<OrderViewItem> =
            Box::pin(self.table.query_page(&index, day_partition(day), true, page)).await?;
        Ok(items.try_map(OrderFacts::try_from)?)
    }

    async fn product_names(&self) -> anyhow::Result<BTreeMap<ProductId, String>> {
        let items = self.query_all(None, "pk", PRODUCTS.to_owned()).await?;
        items
            .into_iter()
            .map(|item| from_item::<ProductViewItem>(item).map(|product| (product.product_id, product.name)))
            .collect()
    }
}
