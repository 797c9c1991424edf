//! The DynamoDB adapter of the product context (table `PRODUCT_TABLE`), implementing
//! [`crate::ports`].
//!
//! Items, typed and mapped by `serde_dynamo`: the product `pk = PRODUCT#<id>, sk = PRODUCT`,
//! `kind = Product`, indexed in `ByStatus` by `gsi1pk = STATUS#<status>`,
//! `gsi1sk = <lower-case name>#<id>` (the menu, sorted by name); outbox items
//! ([`platform::outbox`]).

use std::time::Duration;

use anyhow::Context;
use aws_sdk_dynamodb::types::KeysAndAttributes;
use chrono::{DateTime, Utc};
use contracts::product as wire;
use platform::dynamo::{Condition, Index, Item, Table, WriteError, from_item, key, to_item};
use platform::outbox::Outbox;
use platform::page::{Page, PageError, PageRequest};
use platform::{EventEnvelope, Won};
use serde::{Deserialize, Serialize};

use crate::SOURCE;
use crate::domain::{Category, Price, Product, ProductEvent, ProductId, ProductName, ProductStatus};
use crate::ports::{Menu, ProductBatch, ProductChanges, ProductLookup, ProductRegistry};

/// Name of the menu index.
pub const MENU_INDEX: &str = "ByStatus";

const SK: &str = "PRODUCT";

fn pk(id: &ProductId) -> String {
    format!("PRODUCT#{id}")
}

fn status_key(status: ProductStatus) -> String {
    format!("STATUS#{status}")
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ProductItem {
    pk: String,
    sk: String,
    kind: String,
    product_id: ProductId,
    name: String,
    price: Won,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    category: Option<String>,
    status: ProductStatus,
    version: u64,
    registered_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    gsi1pk: String,
    gsi1sk: String,
}

impl From<&Product> for ProductItem {
    fn from(product: &Product) -> Self {
        Self {
            pk: pk(&product.id),
            sk: SK.to_owned(),
            kind: "Product".to_owned(),
            product_id: product.id.clone(),
            name: product.name.as_str().to_owned(),
            price: product.price.amount(),
            category: product.category.as_ref().map(|category| category.as_str().to_owned()),
            status: product.status,
            version: product.version,
            registered_at: product.registered_at,
            updated_at: product.updated_at,
            gsi1pk: status_key(product.status),
            gsi1sk: format!("{}#{}", product.name.as_str().to_lowercase(), product.id),
        }
    }
}

/// Stored values were valid when written; a refusal here means a corrupt item.
impl TryFrom<ProductItem> for Product {
    type Error = anyhow::Error;
    fn try_from(item: ProductItem) -> anyhow::Result<Self> {
        Ok(Self {
            name: ProductName::parse(&item.name).context("stored name")?,
            price: Price::new(item.price).context("stored price")?,
            category: item.category.as_deref().map(Category::parse).transpose().context("stored category")?,
            id: item.product_id,
            status: item.status,
            version: item.version,
            registered_at: item.registered_at,
            updated_at: item.updated_at,
        })
    }
}

fn product_of(item: Item) -> anyhow::Result<Product> {
    from_item::<ProductItem>(item)?.try_into()
}

/// The envelope of a domain event on `ProductEventsTopic`, correlated by the product id.
fn envelope(event: &ProductEvent) -> EventEnvelope {
    let (product_id, event) = match event {
        ProductEvent::Registered { product_id, name, price, category, status } => (
            product_id,
            wire::ProductEvent::ProductRegistered(wire::ProductRegistered {
                product_id: product_id.to_string(),
                name: name.as_str().to_owned(),
                price: price.amount(),
                category: category.as_ref().map(|category| category.as_str().to_owned()),
                status: status.to_string(),
            }),
        ),
        ProductEvent::Changed { product_id, name, price, status, version } => (
            product_id,
            wire::ProductEvent::ProductChanged(wire::ProductChanged {
                product_id: product_id.to_string(),
                name: name.as_str().to_owned(),
                price: price.amount(),
                status: status.to_string(),
                version: *version,
            }),
        ),
    };
    EventEnvelope::wrap(SOURCE, product_id.as_str(), None, &event)
}

/// Reads products.
#[derive(Debug, Clone)]
pub struct DynamoProducts {
    table: Table,
}

impl DynamoProducts {
    /// Products in `table`.
    pub fn new(table: Table) -> Self {
        Self { table }
    }
}

impl ProductLookup for DynamoProducts {
    #[tracing::instrument(skip_all, fields(product_id = %id))]
    async fn find(&self, id: &ProductId) -> anyhow::Result<Option<Product>> {
        self.table.get::<ProductItem>(pk(id), SK).await?.map(Product::try_from).transpose()
    }
}

impl ProductBatch for DynamoProducts {
    #[tracing::instrument(skip_all, fields(count = ids.len()))]
    async fn find_many(&self, ids: &[ProductId]) -> anyhow::Result<Vec<Product>> {
        let mut unique: Vec<&ProductId> = ids.iter().collect();
        unique.sort();
        unique.dedup();
        let mut products = Vec::new();
        // BatchGetItem takes at most 100 keys.
        for chunk in unique.chunks(100) {
            let keys = chunk.iter().map(|id| key(pk(id), SK)).collect();
            let mut request = Some(KeysAndAttributes::builder().set_keys(Some(keys)).consistent_read(true).build()?);
            let mut attempt = 0_u32;
            while let Some(keys) = request.take() {
                let call = self.table.client().batch_get_item().request_items(self.table.name(), keys).send();
                // Boxed: the SDK's future is too deeply nested for a `main`'s layout otherwise.
                let output = Box::pin(call).await.context("BatchGetItem products")?;
                for item in output.responses.unwrap_or_default().remove(self.table.name()).unwrap_or_default() {
                    products.push(product_of(item)?);
                }
                // DynamoDB may leave keys unprocessed under load; ask again with a short backoff.
                request = output
                    .unprocessed_keys
                    .unwrap_or_default()
                    .remove(self.table.name())
                    .filter(|keys| !keys.keys().is_empty());
                if request.is_some() {
                    attempt += 1;
                    anyhow::ensure!(attempt <= 5, "BatchGetItem left keys unprocessed after 5 attempts");
                    tokio::time::sleep(Duration::from_millis(20 * u64::from(attempt))).await;
                }
            }
        }
        Ok(products)
    }
}

impl Menu for DynamoProducts {
    #[tracing::instrument(skip_all)]
    async fn on_sale(&self, page: &PageRequest) -> Result<Page<Product>, PageError> {
        let index = Index { name: MENU_INDEX, partition: "gsi1pk", sort: "gsi1sk" };
        let items: Page<ProductItem> =
            self.table.query_page(&index, status_key(ProductStatus::OnSale), true, page).await?;
        Ok(items.try_map(Product::try_from)?)
    }
}

/// Adds and changes products, with their events in the outbox.
#[derive(Debug, Clone)]
pub struct DynamoProductWriter {
    products: DynamoProducts,
    outbox: Outbox,
}

impl DynamoProductWriter {
    /// Products in `table`, whose outbox items expire after `retention`.
    pub fn new(table: Table, retention: Duration) -> Self {
        Self { outbox: Outbox::new(table.name(), retention), products: DynamoProducts::new(table) }
    }

    async fn write(&self, product: &Product, condition: Condition, events: &[ProductEvent]) -> Result<(), WriteError> {
        let table = &self.products.table;
        let mut items = vec![table.put(to_item(&ProductItem::from(product))?, condition)];
        items.extend(events.iter().map(|event| self.outbox.put(&envelope(event))));
        table.write(items).await
    }
}

impl ProductRegistry for DynamoProductWriter {
    #[tracing::instrument(skip_all, fields(product_id = %product.id))]
    async fn add(&self, product: &Product, events: &[ProductEvent]) -> Result<(), WriteError> {
        self.write(product, Condition::New, events).await
    }
}

impl ProductLookup for DynamoProductWriter {
    async fn find(&self, id: &ProductId) -> anyhow::Result<Option<Product>> {
        self.products.find(id).await
    }
}

impl ProductChanges for DynamoProductWriter {
    #[tracing::instrument(skip_all, fields(product_id = %product.id, expected_version))]
    async fn save(&self, product: &Product, expected_version: u64, events: &[ProductEvent]) -> Result<(), WriteError> {
        self.write(product, Condition::Version(expected_version), events).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_dynamodb::types::AttributeValue;

    fn s(text: &str) -> AttributeValue {
        AttributeValue::S(text.to_owned())
    }

    #[test]
    fn an_item_written_before_typed_items_still_reads_and_keeps_its_keys() {
        let id = "0193a3c2-8a00-7aa0-8b11-2c3d4e5f6a7b";
        // As the hand-written mapping stored it: `to_rfc3339()` offsets, no category.
        let item: Item = [
            ("pk", s(&format!("PRODUCT#{id}"))),
            ("sk", s("PRODUCT")),
            ("kind", s("Product")),
            ("productId", s(id)),
            ("name", s("Americano")),
            ("price", AttributeValue::N("4500".to_owned())),
            ("status", s("SoldOut")),
            ("version", AttributeValue::N("3".to_owned())),
            ("registeredAt", s("2026-11-21T05:30:00+00:00")),
            ("updatedAt", s("2026-11-21T06:00:00.5+00:00")),
            ("gsi1pk", s("STATUS#SoldOut")),
            ("gsi1sk", s(&format!("americano#{id}"))),
        ]
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value))
        .collect();
        let product = product_of(item.clone()).unwrap();
        assert_eq!(
            (product.status, product.version, product.price.amount()),
            (ProductStatus::SoldOut, 3, Won::new(4500))
        );
        assert_eq!(product.category, None);

        let written = to_item(&ProductItem::from(&product)).unwrap();
        for name in ["pk", "sk", "kind", "productId", "name", "price", "status", "version", "gsi1pk", "gsi1sk"] {
            assert_eq!(written[name], item[name], "{name}");
        }
        assert!(!written.contains_key("category"));
    }
}
