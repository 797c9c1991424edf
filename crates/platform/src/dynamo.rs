//! Typed DynamoDB access for every context's adapter:
//! - items are plain `#[derive(Serialize, Deserialize)]` structs mapped by `serde_dynamo`
//!   ([`to_item`], [`from_item`]); no hand-written attribute code;
//! - [`Table`] reads (consistent `GetItem`, index queries, one page of an index with
//!   [`Table::query_page`]) and writes transactions;
//! - [`put`] with a [`Condition`] is the one way an item is written that must be new, or
//!   must still be at the version it read;
//! - [`WriteError`] tells a lost optimistic-concurrency race ([`WriteError::Conflict`],
//!   retried by [`crate::retry::on_conflict`]) from a storage failure.

use std::collections::HashMap;

use anyhow::Context;
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::outbox::{TransactError, transact};
use crate::page::{Cursor, Page, PageError, PageRequest};

/// A DynamoDB item.
pub type Item = HashMap<String, AttributeValue>;

/// Maps a typed item to DynamoDB attributes (`serde_dynamo`).
///
/// # Errors
/// When `value` does not serialize to a map (it is not a struct).
pub fn to_item<T: Serialize>(value: &T) -> anyhow::Result<Item> {
    serde_dynamo::to_item(value).context("mapping a typed item to DynamoDB")
}

/// Maps DynamoDB attributes to a typed item (`serde_dynamo`).
///
/// # Errors
/// When an attribute is missing or has the wrong type, naming it.
pub fn from_item<T: DeserializeOwned>(item: Item) -> anyhow::Result<T> {
    serde_dynamo::from_item(item).context("reading a stored item")
}

/// The key `{pk, sk}` of an item.
pub fn key(pk: impl Into<String>, sk: impl Into<String>) -> Item {
    HashMap::from([("pk".to_owned(), AttributeValue::S(pk.into())), ("sk".to_owned(), AttributeValue::S(sk.into()))])
}

/// Why a write was not stored; nothing was written either way.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// A condition failed: another writer changed the item first (or it already exists).
    #[error("a concurrent write won")]
    Conflict,
    /// Storage failed; retrying later may succeed.
    #[error(transparent)]
    Storage(#[from] anyhow::Error),
}

impl From<TransactError> for WriteError {
    fn from(err: TransactError) -> Self {
        match err {
            TransactError::ConditionFailed { .. } => Self::Conflict,
            TransactError::Other(err) => Self::Storage(err),
        }
    }
}

impl From<crate::inbox::InboxError> for WriteError {
    fn from(err: crate::inbox::InboxError) -> Self {
        match err {
            crate::inbox::InboxError::EffectRefused { .. } => Self::Conflict,
            other => Self::Storage(other.into()),
        }
    }
}

impl crate::retry::Conflict for WriteError {
    fn is_conflict(&self) -> bool {
        matches!(self, Self::Conflict)
    }
}

/// One table: its client and name.
#[derive(Debug, Clone)]
pub struct Table {
    client: aws_sdk_dynamodb::Client,
    name: String,
}

impl Table {
    /// The table `name` through `client`.
    pub fn new(client: aws_sdk_dynamodb::Client, name: impl Into<String>) -> Self {
        Self { client, name: name.into() }
    }

    /// The table's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The client, for an inbox or an outbox on the same table.
    pub fn client(&self) -> &aws_sdk_dynamodb::Client {
        &self.client
    }

    /// The raw item at `(pk, sk)`, read consistently.
    ///
    /// # Errors
    /// When the read fails.
    pub async fn get_raw(&self, pk: impl Into<String>, sk: impl Into<String>) -> anyhow::Result<Option<Item>> {
        let output = self
            .client
            .get_item()
            .table_name(&self.name)
            .set_key(Some(key(pk, sk)))
            .consistent_read(true)
            .send()
            .await
            .with_context(|| format!("GetItem in {}", self.name))?;
        Ok(output.item)
    }

    /// The typed item at `(pk, sk)`, read consistently.
    ///
    /// # Errors
    /// When the read fails or the item does not map to `T`.
    pub async fn get<T: DeserializeOwned>(
        &self,
        pk: impl Into<String>,
        sk: impl Into<String>,
    ) -> anyhow::Result<Option<T>> {
        self.get_raw(pk, sk).await?.map(from_item).transpose()
    }

    /// Items of index `index` whose `partition_attribute` is `partition`, in sort-key
    /// order (`forward`) or reversed, at most `limit`.
    ///
    /// # Errors
    /// When the query fails or an item does not map to `T`.
    pub async fn query_index<T: DeserializeOwned>(
        &self,
        index: &str,
        partition_attribute: &str,
        partition: impl Into<String>,
        forward: bool,
        limit: i32,
    ) -> anyhow::Result<Vec<T>> {
        let output = self
            .client
            .query()
            .table_name(&self.name)
            .index_name(index)
            .key_condition_expression("#p = :p")
            .expression_attribute_names("#p", partition_attribute)
            .expression_attribute_values(":p", AttributeValue::S(partition.into()))
            .scan_index_forward(forward)
            .limit(limit)
            .send()
            .await
            .with_context(|| format!("Query {index} of {}", self.name))?;
        output.items.unwrap_or_default().into_iter().map(from_item).collect()
    }

    /// One page of the items of `index` whose partition attribute is `partition`, in
    /// sort-key order (`forward`) or reversed ([`crate::page`] tells the convention).
    ///
    /// Reads `page.limit() + 1` items to tell whether more follow: the page holds at most
    /// `page.limit()` items, and its cursor is the key of its last item when one more
    /// exists (`None` otherwise). When DynamoDB stops early at its 1 MB page size, the page
    /// is shorter and its cursor is DynamoDB's `LastEvaluatedKey`. The page's cursor, the
    /// client's `nextToken`, must be a key of exactly this index's and the table's key
    /// attributes, in the partition read.
    ///
    /// # Errors
    /// [`PageError::InvalidCursor`] when `page`'s cursor does not fit (nothing is queried);
    /// [`PageError::Storage`] when the query fails, a returned item lacks a key attribute
    /// or an item does not map to `T`.
    pub async fn query_page<T: DeserializeOwned>(
        &self,
        index: &Index<'_>,
        partition: impl Into<String>,
        forward: bool,
        page: &PageRequest,
    ) -> Result<Page<T>, PageError> {
        let partition = partition.into();
        let attributes = index.key_attributes();
        let start = page
            .cursor()
            .map(|cursor| cursor.start_key(&attributes, &[TABLE_SORT_KEY, index.sort], (index.partition, &partition)))
            .transpose()?;
        let limit = usize::try_from(page.limit()).context("a page limit")?;
        let output = self
            .client
            .query()
            .table_name(&self.name)
            .index_name(index.name)
            .key_condition_expression("#p = :p")
            .expression_attribute_names("#p", index.partition)
            .expression_attribute_values(":p", AttributeValue::S(partition))
            .scan_index_forward(forward)
            .limit(i32::try_from(limit + 1).context("a page limit")?)
            .set_exclusive_start_key(start)
            .send()
            .await
            .with_context(|| format!("Query {} of {}", index.name, self.name))?;
        let mut items = output.items.unwrap_or_default();
        let next = if items.len() > limit {
            items.truncate(limit);
            let last = items.last().context("a page of at least one item")?;
            let key = attributes
                .iter()
                .map(|name| {
                    let value = last.get(*name).with_context(|| format!("an item of {} without {name}", index.name));
                    value.map(|value| ((*name).to_owned(), value.clone()))
                })
                .collect::<anyhow::Result<Item>>()?;
            Some(Cursor::of_key(key)?)
        } else {
            output.last_evaluated_key.map(Cursor::of_key).transpose()?
        };
        let items = items.into_iter().map(from_item).collect::<anyhow::Result<Vec<T>>>()?;
        Ok(Page::new(items, next))
    }

    /// The transaction item that puts `item` if `condition` holds.
    pub fn put(&self, item: Item, condition: Condition) -> TransactWriteItem {
        put(&self.name, item, condition)
    }

    /// Writes `items` in one all-or-nothing transaction.
    ///
    /// # Errors
    /// [`WriteError::Conflict`] when a condition failed, [`WriteError::Storage`] otherwise.
    pub async fn write(&self, items: Vec<TransactWriteItem>) -> Result<(), WriteError> {
        transact(&self.client, items).await.map_err(WriteError::from)
    }
}

/// The partition key attribute of every table item (see [`key`]).
pub const TABLE_PARTITION_KEY: &str = "pk";
/// The sort key attribute of every table item (see [`key`]).
pub const TABLE_SORT_KEY: &str = "sk";

/// A global secondary index with a string partition and sort key, over a table keyed by
/// `pk` and `sk` (all projected), as [`Table::query_page`] reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Index<'a> {
    /// The index's name, e.g. `ByOwner`.
    pub name: &'a str,
    /// Its partition key attribute, e.g. `gsi1pk`.
    pub partition: &'a str,
    /// Its sort key attribute, e.g. `gsi1sk`.
    pub sort: &'a str,
}

impl Index<'_> {
    /// Every key attribute of an item read through it: the table's and the index's.
    fn key_attributes(&self) -> [&str; 4] {
        [TABLE_PARTITION_KEY, TABLE_SORT_KEY, self.partition, self.sort]
    }
}

/// The condition expression of [`Condition::New`]: no item with the key exists yet.
pub const NEW_ITEM_CONDITION: &str = "attribute_not_exists(pk)";

/// What must hold for a put to be written.
#[derive(Debug, Clone)]
pub enum Condition {
    /// No item with this key exists yet (`attribute_not_exists(pk)`).
    New,
    /// The stored item is at this version (`version = :expected`): optimistic concurrency.
    Version(u64),
    /// Any condition expression with its values, e.g. `("reversed = :no", [(":no", false)])`.
    Expression(String, Vec<(String, AttributeValue)>),
}

/// The transaction item that puts `item` into `table` if `condition` holds.
pub fn put(table: &str, item: Item, condition: Condition) -> TransactWriteItem {
    let builder = Put::builder().table_name(table).set_item(Some(item));
    let builder = match condition {
        Condition::New => builder.condition_expression(NEW_ITEM_CONDITION),
        Condition::Version(version) => builder
            .condition_expression("version = :expected")
            .expression_attribute_values(":expected", AttributeValue::N(version.to_string())),
        Condition::Expression(expression, values) => {
            values.into_iter().fold(builder.condition_expression(expression), |b, (name, value)| {
                b.expression_attribute_values(name, value)
            })
        }
    };
    TransactWriteItem::builder().put(builder.build().expect("table name and item are set")).build()
}
