//! The DynamoDB adapter of product (table `PRODUCT_TABLE`): implements [`Products`].
//!
//! Items (`pk`, `sk`, `kind`, then attributes):
//! - a product: `PRODUCT#<code>`, `PRODUCT`, `Product`; `productCode`, `productName`,
//!   `minEntryAge`, `maxEntryAge`, `maxSumInsured` (won), `premiumPerMillion` (won), `status`,
//!   `version`; `gsi1pk` `PRODUCTS#<status>`, `gsi1sk` the code (index `ByList`);
//! - a description: `DESCRIPTION#<planNo>#<planVersion>`, `DESCRIPTION`, `ProductDescription`;
//!   `documentId`, `planNo`, `planVersion`, `customerNo`, `productCode`, `productName`,
//!   `issuedAt`. Written only if new: one per plan version;
//! - outbox items (relayed to `ProductEventsTopic`) and the consumer's inbox items.

use std::time::Duration;

use anyhow::Context;
use chrono::{DateTime, SecondsFormat, Utc};
use contracts::product as wire;
use platform::EventEnvelope;
use platform::Won;
use platform::dynamo::{Condition, Index, Table, WriteError, to_item};
use platform::inbox::{Applied, Inbox};
use platform::outbox::Outbox;
use platform::page::{Page, PageError, PageRequest};
use serde::{Deserialize, Serialize};

use crate::SOURCE;
use crate::domain::{Conditions, DocumentId, Product, ProductCode, ProductDescription, ProductEvent, ProductStatus};
use crate::ports::Products;

const PRODUCT_SK: &str = "PRODUCT";
const LIST: Index<'static> = Index { name: "ByList", partition: "gsi1pk", sort: "gsi1sk" };

/// Products in DynamoDB; with an outbox and an inbox for the description consumer.
#[derive(Debug, Clone)]
pub struct DynamoProducts {
    table: Table,
    outbox: Option<Outbox>,
    inbox: Option<Inbox>,
}

impl DynamoProducts {
    /// The adapter for `table`, without outbox or inbox.
    pub fn new(client: aws_sdk_dynamodb::Client, table: impl Into<String>) -> Self {
        Self { table: Table::new(client, table), outbox: None, inbox: None }
    }

    /// The adapter that also publishes (outbox items expire after `retention`) and applies
    /// consumed events once through the inbox of `consumer`.
    #[must_use]
    pub fn with_inbox(self, consumer: &str, retention: Duration) -> Self {
        let inbox = Inbox::new(self.table.client().clone(), self.table.name(), consumer, retention);
        Self { outbox: Some(Outbox::new(self.table.name(), retention)), inbox: Some(inbox), ..self }
    }
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ProductItem {
    pk: String,
    sk: String,
    kind: String,
    product_code: ProductCode,
    product_name: String,
    min_entry_age: u32,
    max_entry_age: u32,
    max_sum_insured: Won,
    premium_per_million: Won,
    status: ProductStatus,
    version: u64,
    gsi1pk: String,
    gsi1sk: String,
}

impl From<&Product> for ProductItem {
    fn from(p: &Product) -> Self {
        Self {
            pk: format!("PRODUCT#{}", p.code),
            sk: PRODUCT_SK.to_owned(),
            kind: "Product".to_owned(),
            product_code: p.code.clone(),
            product_name: p.name.clone(),
            min_entry_age: p.conditions.min_entry_age,
            max_entry_age: p.conditions.max_entry_age,
            max_sum_insured: p.conditions.max_sum_insured,
            premium_per_million: p.conditions.premium_per_million,
            status: p.status,
            version: p.version,
            gsi1pk: list_key(p.status),
            gsi1sk: p.code.to_string(),
        }
    }
}

impl From<ProductItem> for Product {
    fn from(i: ProductItem) -> Self {
        Self {
            code: i.product_code,
            name: i.product_name,
            conditions: Conditions {
                min_entry_age: i.min_entry_age,
                max_entry_age: i.max_entry_age,
                max_sum_insured: i.max_sum_insured,
                premium_per_million: i.premium_per_million,
            },
            status: i.status,
            version: i.version,
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct DescriptionItem {
    pk: String,
    sk: String,
    kind: String,
    document_id: DocumentId,
    plan_no: String,
    plan_version: u64,
    customer_no: String,
    product_code: ProductCode,
    product_name: String,
    issued_at: String,
}

fn list_key(status: ProductStatus) -> String {
    format!("PRODUCTS#{status}")
}

fn stamp(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The wire form of `event`, with its correlation id (the plan number).
fn published(event: &ProductEvent) -> (&str, wire::ProductEvent) {
    match event {
        ProductEvent::DescriptionIssued(d) => (
            &d.plan_no,
            wire::ProductEvent::ProductDescriptionIssued(wire::ProductDescriptionIssued {
                document_id: d.document_id.to_string(),
                plan_no: d.plan_no.clone(),
                plan_version: d.plan_version,
                customer_no: d.customer_no.clone(),
                product_code: d.product_code.to_string(),
                product_name: d.product_name.clone(),
                issued_at: stamp(&d.issued_at),
            }),
        ),
    }
}

impl Products for DynamoProducts {
    async fn find(&self, code: &ProductCode) -> anyhow::Result<Option<Product>> {
        Ok(self.table.get::<ProductItem>(format!("PRODUCT#{code}"), PRODUCT_SK).await?.map(Product::from))
    }

    async fn on_sale(&self, page: &PageRequest) -> Result<Page<Product>, PageError> {
        let items: Page<ProductItem> =
            self.table.query_page(&LIST, list_key(ProductStatus::OnSale), true, page).await?;
        Ok(Page::new(items.items.into_iter().map(Product::from).collect(), items.next))
    }

    async fn register(&self, product: &Product) -> Result<(), WriteError> {
        self.table.write(vec![self.table.put(to_item(&ProductItem::from(product))?, Condition::New)]).await
    }

    async fn save(&self, product: &Product, expected_version: u64) -> Result<(), WriteError> {
        let item = to_item(&ProductItem::from(product))?;
        self.table.write(vec![self.table.put(item, Condition::Version(expected_version))]).await
    }

    async fn issue_once(
        &self,
        cause: &EventEnvelope,
        d: &ProductDescription,
        events: &[ProductEvent],
    ) -> Result<Applied, WriteError> {
        let (inbox, outbox) = (
            self.inbox.as_ref().context("only the consumer has an inbox")?,
            self.outbox.as_ref().context("only the consumer has an outbox")?,
        );
        let item = DescriptionItem {
            pk: format!("DESCRIPTION#{}#{}", d.plan_no, d.plan_version),
            sk: "DESCRIPTION".to_owned(),
            kind: "ProductDescription".to_owned(),
            document_id: d.document_id.clone(),
            plan_no: d.plan_no.clone(),
            plan_version: d.plan_version,
            customer_no: d.customer_no.clone(),
            product_code: d.product_code.clone(),
            product_name: d.product_name.clone(),
            issued_at: stamp(&d.issued_at),
        };
        let mut items = vec![self.table.put(to_item(&item)?, Condition::New)];
        for event in events {
            let (plan, wire_event) = published(event);
            items.push(outbox.put(&EventEnvelope::wrap(SOURCE, plan, Some(&cause.id), &wire_event)));
        }
        // Boxed: the SDK's nested futures would otherwise exceed the compiler's layout depth.
        Ok(Box::pin(inbox.apply_once(cause, items)).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use platform::dynamo::from_item;

    #[test]
    fn a_product_round_trips_through_its_item_and_is_listed_by_status() {
        let conditions = Conditions {
            min_entry_age: 15,
            max_entry_age: 60,
            max_sum_insured: Won::new(100_000_000),
            premium_per_million: Won::new(1_600),
        };
        let product =
            Product::register(ProductCode::parse("P00000005").unwrap(), "(무)재해사망보장".into(), conditions).unwrap();
        let item = to_item(&ProductItem::from(&product)).unwrap();
        assert_eq!(item["gsi1pk"].as_s().unwrap(), "PRODUCTS#OnSale");
        assert_eq!(Product::from(from_item::<ProductItem>(item).unwrap()), product);
        let (_, events) =
            ProductDescription::issue(&product, ("20261122000000".into(), 1, "000000002".into()), Utc::now());
        let json = serde_json::to_value(published(&events[0]).1).unwrap();
        assert_eq!(
            (json["type"].as_str(), json["data"]["planVersion"].as_u64()),
            (Some("ProductDescriptionIssued"), Some(1))
        );
    }
}
