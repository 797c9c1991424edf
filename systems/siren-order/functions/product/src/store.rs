//! The DynamoDB adapter of the product context (table `PRODUCT_TABLE`).
//!
//! Items: the product `pk = PRODUCT#<id>, sk = PRODUCT`, indexed in `ByStatus` by
//! `gsi1pk = STATUS#<status>`, `gsi1sk = <lower-case name>#<id>` (the menu, sorted by
//! name); outbox items ([`platform::outbox`]).

use std::collections::HashMap;
use std::future::Future;

use anyhow::Context;
use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes};
use chrono::{DateTime, Utc};
use platform::EventEnvelope;
use platform::dynamo::{Condition, put};
use platform::outbox::{Outbox, TransactError, transact};

use crate::domain::{Category, Price, Product, ProductId, ProductName, ProductStatus};

type Item = HashMap<String, AttributeValue>;

/// Name of the menu index.
pub const MENU_INDEX: &str = "ByStatus";

/// Why a change was not stored.
#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    /// The product changed (or vanished) since it was read; nothing was written.
    #[error("the product was changed concurrently")]
    Conflict,
    /// Storage failed; nothing was written.
    #[error(transparent)]
    Storage(#[from] anyhow::Error),
}

/// Port: store products and their events, all or nothing.
pub trait ProductWriter {
    /// Stores a new product and the outbox items of `events`.
    ///
    /// # Errors
    /// [`SaveError::Conflict`] if the id exists; [`SaveError::Storage`] otherwise.
    fn add(&self, product: &Product, events: &[EventEnvelope]) -> impl Future<Output = Result<(), SaveError>> + Send;

    /// Replaces the product with its changed state if it is still at `expected_version`.
    ///
    /// # Errors
    /// [`SaveError::Conflict`] when the stored version differs; [`SaveError::Storage`] otherwise.
    fn save_change(
        &self,
        product: &Product,
        expected_version: u64,
        events: &[EventEnvelope],
    ) -> impl Future<Output = Result<(), SaveError>> + Send;
}

/// Port: read products.
pub trait ProductReader {
    /// One product, whatever its status.
    ///
    /// # Errors
    /// When storage fails or an item is corrupt.
    fn find(&self, id: &ProductId) -> impl Future<Output = anyhow::Result<Option<Product>>> + Send;

    /// The products that exist among `ids` (unknown ids are left out), in no order.
    ///
    /// # Errors
    /// When storage fails or an item is corrupt.
    fn find_many(&self, ids: &[ProductId]) -> impl Future<Output = anyhow::Result<Vec<Product>>> + Send;

    /// The products on sale, sorted by name.
    ///
    /// # Errors
    /// When storage fails or an item is corrupt.
    fn menu(&self) -> impl Future<Output = anyhow::Result<Vec<Product>>> + Send;
}

/// Products in DynamoDB.
#[derive(Debug, Clone)]
pub struct DynamoProducts {
    client: aws_sdk_dynamodb::Client,
    table: String,
    outbox: Outbox,
}

impl DynamoProducts {
    /// The adapter for `table`, whose outbox items expire after `retention`.
    pub fn new(client: aws_sdk_dynamodb::Client, table: impl Into<String>, retention: std::time::Duration) -> Self {
        let table = table.into();
        Self { client, outbox: Outbox::new(table.clone(), retention), table }
    }

    async fn write(&self, product: &Product, condition: Condition, events: &[EventEnvelope]) -> Result<(), SaveError> {
        let mut items = vec![put(&self.table, Item::from(product), condition)];
        items.extend(events.iter().map(|event| self.outbox.put(event)));
        match transact(&self.client, items).await {
            Ok(()) => Ok(()),
            Err(TransactError::ConditionFailed { failed }) if failed.contains(&0) => Err(SaveError::Conflict),
            Err(err) => Err(SaveError::Storage(err.into())),
        }
    }
}

fn s(value: &str) -> AttributeValue {
    AttributeValue::S(value.to_owned())
}

fn key(id: &ProductId) -> Item {
    HashMap::from([("pk".to_owned(), s(&format!("PRODUCT#{}", id.as_str()))), ("sk".to_owned(), s("PRODUCT"))])
}

impl From<&Product> for Item {
    fn from(product: &Product) -> Self {
        let mut item = key(&product.id);
        item.insert("kind".to_owned(), s("Product"));
        item.insert("productId".to_owned(), s(product.id.as_str()));
        item.insert("name".to_owned(), s(product.name.as_str()));
        item.insert("price".to_owned(), AttributeValue::N(product.price.as_won().to_string()));
        if let Some(category) = &product.category {
            item.insert("category".to_owned(), s(category.as_str()));
        }
        item.insert("status".to_owned(), s(product.status.as_str()));
        item.insert("version".to_owned(), AttributeValue::N(product.version.to_string()));
        item.insert("registeredAt".to_owned(), s(&product.registered_at.to_rfc3339()));
        item.insert("updatedAt".to_owned(), s(&product.updated_at.to_rfc3339()));
        item.insert("gsi1pk".to_owned(), s(&format!("STATUS#{}", product.status.as_str())));
        item.insert(
            "gsi1sk".to_owned(),
            s(&format!("{}#{}", product.name.as_str().to_lowercase(), product.id.as_str())),
        );
        item
    }
}

fn text<'a>(item: &'a Item, key: &str) -> anyhow::Result<&'a str> {
    item.get(key).and_then(|v| v.as_s().ok()).map(String::as_str).with_context(|| format!("product item lacks {key}"))
}

fn number(item: &Item, key: &str) -> anyhow::Result<i64> {
    item.get(key)
        .and_then(|v| v.as_n().ok())
        .with_context(|| format!("product item lacks {key}"))?
        .parse()
        .with_context(|| format!("product item {key} is not a whole number"))
}

/// Reads a stored product back; stored values were valid when written.
fn product_from_item(item: &Item) -> anyhow::Result<Product> {
    Ok(Product {
        id: ProductId::parse(text(item, "productId")?)?,
        name: ProductName::parse(text(item, "name")?)?,
        price: Price::won(number(item, "price")?)?,
        category: item.get("category").and_then(|v| v.as_s().ok()).map(|c| Category::parse(c)).transpose()?,
        status: ProductStatus::parse(text(item, "status")?)?,
        version: u64::try_from(number(item, "version")?)?,
        registered_at: text(item, "registeredAt")?.parse::<DateTime<Utc>>()?,
        updated_at: text(item, "updatedAt")?.parse::<DateTime<Utc>>()?,
    })
}

impl ProductWriter for DynamoProducts {
    #[tracing::instrument(skip_all, fields(product_id = %product.id.as_str()))]
    async fn add(&self, product: &Product, events: &[EventEnvelope]) -> Result<(), SaveError> {
        self.write(product, Condition::New, events).await
    }

    #[tracing::instrument(skip_all, fields(product_id = %product.id.as_str(), expected_version))]
    async fn save_change(
        &self,
        product: &Product,
        expected_version: u64,
        events: &[EventEnvelope],
    ) -> Result<(), SaveError> {
        self.write(product, Condition::Version(expected_version), events).await
    }
}

impl ProductReader for DynamoProducts {
    #[tracing::instrument(skip_all, fields(product_id = %id.as_str()))]
    async fn find(&self, id: &ProductId) -> anyhow::Result<Option<Product>> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key(id)))
            .send()
            .await
            .context("GetItem product")?;
        output.item.as_ref().map(product_from_item).transpose()
    }

    #[tracing::instrument(skip_all, fields(count = ids.len()))]
    async fn find_many(&self, ids: &[ProductId]) -> anyhow::Result<Vec<Product>> {
        let mut unique: Vec<&ProductId> = ids.iter().collect();
        unique.sort();
        unique.dedup();
        let mut products = Vec::new();
        for chunk in unique.chunks(100) {
            let mut request = Some(
                KeysAndAttributes::builder()
                    .set_keys(Some(chunk.iter().map(|id| key(id)).collect()))
                    .consistent_read(true)
                    .build()?,
            );
            let mut attempt = 0_u32;
            while let Some(keys) = request.take() {
                let output = self
                    .client
                    .batch_get_item()
                    .request_items(&self.table, keys)
                    .send()
                    .await
                    .context("BatchGetItem products")?;
                for item in output.responses.unwrap_or_default().remove(&self.table).unwrap_or_default() {
                    products.push(product_from_item(&item)?);
                }
                // DynamoDB may leave keys unprocessed under load; ask again with a short backoff.
                request =
                    output.unprocessed_keys.unwrap_or_default().remove(&self.table).filter(|k| !k.keys().is_empty());
                if request.is_some() {
                    attempt += 1;
                    anyhow::ensure!(attempt <= 5, "BatchGetItem left keys unprocessed after 5 attempts");
                    tokio::time::sleep(std::time::Duration::from_millis(20 * u64::from(attempt))).await;
                }
            }
        }
        Ok(products)
    }

    #[tracing::instrument(skip_all)]
    async fn menu(&self) -> anyhow::Result<Vec<Product>> {
        let items: Vec<Item> = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(MENU_INDEX)
            .key_condition_expression("gsi1pk = :status")
            .expression_attribute_values(":status", s("STATUS#OnSale"))
            .into_paginator()
            .items()
            .send()
            .collect::<Result<_, _>>()
            .await
            .context("Query menu")?;
        items.iter().map(product_from_item).collect()
    }
}
