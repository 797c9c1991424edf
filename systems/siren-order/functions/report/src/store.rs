//! The DynamoDB adapter of the report context (table `REPORT_TABLE`).
//!
//! Items: an order view `pk = ORDER#<id>, sk = VIEW` whose facts are set by `UpdateItem`
//! (`SET` only the event's own attributes, so repeats and reordering are harmless), indexed
//! in `ByDay` by `gsi1pk = DAY#<shop's day>`, `gsi1sk = <placedAt>#<id>` once it is placed;
//! product views `pk = PRODUCTS, sk = PRODUCT#<id>`, changed only by a higher `version`.

use std::collections::{BTreeMap, HashMap};

use anyhow::Context;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, SecondsFormat, Utc};
use contracts::order::OrderPlaced;

use crate::model::OrderFacts;

type Item = HashMap<String, AttributeValue>;

/// Name of the by-day index.
pub const DAY_INDEX: &str = "ByDay";

/// The report's views in DynamoDB.
#[derive(Debug, Clone)]
pub struct DynamoReport {
    client: aws_sdk_dynamodb::Client,
    table: String,
}

fn s(value: &str) -> AttributeValue {
    AttributeValue::S(value.to_owned())
}

fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

fn at(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn order_key(order_id: &str) -> Item {
    HashMap::from([("pk".to_owned(), s(&format!("ORDER#{order_id}"))), ("sk".to_owned(), s("VIEW"))])
}

impl DynamoReport {
    /// The adapter for `table`.
    pub fn new(client: aws_sdk_dynamodb::Client, table: impl Into<String>) -> Self {
        Self { client, table: table.into() }
    }

    async fn set_facts(&self, order_id: &str, facts: &[(&str, AttributeValue)]) -> anyhow::Result<()> {
        let mut expression = Vec::new();
        let mut names = HashMap::new();
        let mut values = HashMap::new();
        for (index, (name, value)) in facts.iter().enumerate() {
            expression.push(format!("#f{index} = :v{index}"));
            names.insert(format!("#f{index}"), (*name).to_owned());
            values.insert(format!(":v{index}"), value.clone());
        }
        names.insert("#orderId".to_owned(), "orderId".to_owned());
        values.insert(":orderId".to_owned(), s(order_id));
        expression.push("#orderId = :orderId".to_owned());
        self.client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(order_key(order_id)))
            .update_expression(format!("SET {}", expression.join(", ")))
            .set_expression_attribute_names(Some(names))
            .set_expression_attribute_values(Some(values))
            .send()
            .await
            .context("UpdateItem order view")?;
        Ok(())
    }

    /// Records OrderPlaced: customer, amount, lines, time, and the shop's day.
    ///
    /// # Errors
    /// When storage fails.
    pub async fn record_placed(&self, placed: &OrderPlaced, placed_at: DateTime<Utc>, day: &str) -> anyhow::Result<()> {
        let placed_at = at(placed_at);
        let lines = serde_json::to_string(&placed.lines)?;
        self.set_facts(
            &placed.order_id,
            &[
                ("customerId", s(&placed.customer_id)),
                ("amount", n(placed.amount)),
                ("lines", s(&lines)),
                ("placedAt", s(&placed_at)),
                ("businessDay", s(day)),
                ("gsi1pk", s(&format!("DAY#{day}"))),
                ("gsi1sk", s(&format!("{placed_at}#{}", placed.order_id))),
            ],
        )
        .await
    }

    /// Records OrderWaited: the waiting number.
    ///
    /// # Errors
    /// When storage fails.
    pub async fn record_waited(&self, order_id: &str, waiting_number: u32) -> anyhow::Result<()> {
        self.set_facts(order_id, &[("waitingNumber", n(waiting_number))]).await
    }

    /// Records OrderCompleted at `time`.
    ///
    /// # Errors
    /// When storage fails.
    pub async fn record_completed(&self, order_id: &str, time: DateTime<Utc>) -> anyhow::Result<()> {
        self.set_facts(order_id, &[("completedAt", s(&at(time)))]).await
    }

    /// Records OrderCancelled at `time`.
    ///
    /// # Errors
    /// When storage fails.
    pub async fn record_cancelled(&self, order_id: &str, time: DateTime<Utc>) -> anyhow::Result<()> {
        self.set_facts(order_id, &[("cancelledAt", s(&at(time)))]).await
    }

    /// Records a product's state at `version`; an older or equal version changes nothing.
    ///
    /// # Errors
    /// When storage fails.
    pub async fn record_product(
        &self,
        product_id: &str,
        name: &str,
        price: u64,
        status: &str,
        version: u64,
    ) -> anyhow::Result<()> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", s("PRODUCTS"))
            .key("sk", s(&format!("PRODUCT#{product_id}")))
            .update_expression(
                "SET productId = :id, #name = :name, price = :price, #status = :status, version = :version",
            )
            .condition_expression("attribute_not_exists(version) OR version < :version")
            .expression_attribute_names("#name", "name")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":id", s(product_id))
            .expression_attribute_values(":name", s(name))
            .expression_attribute_values(":price", n(price))
            .expression_attribute_values(":status", s(status))
            .expression_attribute_values(":version", n(version))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(err) => match err.into_service_error() {
                UpdateItemError::ConditionalCheckFailedException(_) => {
                    tracing::info!(product_id, version, "an older product version arrived late; ignored");
                    Ok(())
                }
                other => Err(anyhow::Error::new(other).context("UpdateItem product view")),
            },
        }
    }

    /// The views of the orders placed on `day`, by time.
    ///
    /// # Errors
    /// When storage fails or a view is corrupt.
    pub async fn orders_of_day(&self, day: &str) -> anyhow::Result<Vec<OrderFacts>> {
        let items: Vec<Item> = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(DAY_INDEX)
            .key_condition_expression("gsi1pk = :day")
            .expression_attribute_values(":day", s(&format!("DAY#{day}")))
            .into_paginator()
            .items()
            .send()
            .collect::<Result<_, _>>()
            .await
            .context("Query order views of a day")?;
        items.iter().map(facts_from_item).collect()
    }

    /// The current name of every product seen, by id.
    ///
    /// # Errors
    /// When storage fails.
    pub async fn product_names(&self) -> anyhow::Result<BTreeMap<String, String>> {
        let items: Vec<Item> = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :products")
            .expression_attribute_values(":products", s("PRODUCTS"))
            .into_paginator()
            .items()
            .send()
            .collect::<Result<_, _>>()
            .await
            .context("Query product views")?;
        Ok(items
            .iter()
            .filter_map(|item| {
                Some((item.get("productId")?.as_s().ok()?.clone(), item.get("name")?.as_s().ok()?.clone()))
            })
            .collect())
    }
}

fn facts_from_item(item: &Item) -> anyhow::Result<OrderFacts> {
    let text = |key: &str| item.get(key).and_then(|v| v.as_s().ok()).cloned();
    let number = |key: &str| item.get(key).and_then(|v| v.as_n().ok()).and_then(|v| v.parse::<u64>().ok());
    let time = |key: &str| -> anyhow::Result<Option<DateTime<Utc>>> {
        text(key).map(|t| t.parse::<DateTime<Utc>>().with_context(|| format!("order view {key}"))).transpose()
    };
    Ok(OrderFacts {
        order_id: text("orderId").context("order view lacks orderId")?,
        customer_id: text("customerId"),
        amount: number("amount"),
        lines: text("lines").map(|l| serde_json::from_str(&l)).transpose()?.unwrap_or_default(),
        placed_at: time("placedAt")?,
        waiting_number: number("waitingNumber").and_then(|n| u32::try_from(n).ok()),
        completed_at: time("completedAt")?,
        cancelled_at: time("cancelledAt")?,
    })
}
