//! The DynamoDB adapter of the customer context (table `CUSTOMER_TABLE`).
//!
//! Items: the customer `pk = CUSTOMER#<id>, sk = PROFILE`; an email claim
//! `pk = EMAIL#<email>, sk = EMAIL` that keeps addresses unique; outbox items
//! ([`platform::outbox`]).

use std::collections::HashMap;
use std::future::Future;

use anyhow::Context;
use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem};
use chrono::{DateTime, Utc};
use platform::EventEnvelope;
use platform::dynamo::{Condition, put};
use platform::outbox::{Outbox, TransactError, transact};

use crate::domain::{Customer, CustomerId, CustomerName, Email, Phone};

type Item = HashMap<String, AttributeValue>;

/// Why a registration was not stored.
#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    /// This identity already has a customer profile; nothing was written.
    #[error("the customer is already registered")]
    AlreadyRegistered,
    /// Another customer already uses the email address; nothing was written.
    #[error("the email address is already registered")]
    EmailTaken,
    /// Storage failed; nothing was written.
    #[error(transparent)]
    Storage(#[from] anyhow::Error),
}

/// Port: store a new customer and its events, all or nothing.
pub trait CustomerRegistry {
    /// Stores `customer` and the outbox items of `events` in one transaction.
    ///
    /// # Errors
    /// [`RegisterError::EmailTaken`] when the email is in use; [`RegisterError::Storage`] otherwise.
    fn register(
        &self,
        customer: &Customer,
        events: &[EventEnvelope],
    ) -> impl Future<Output = Result<(), RegisterError>> + Send;
}

/// Port: read one customer.
pub trait CustomerLookup {
    /// The customer with `id`, or `None`.
    ///
    /// # Errors
    /// When storage fails or the stored item is corrupt.
    fn find(&self, id: &CustomerId) -> impl Future<Output = anyhow::Result<Option<Customer>>> + Send;
}

/// Customers in DynamoDB.
#[derive(Debug, Clone)]
pub struct DynamoCustomers {
    client: aws_sdk_dynamodb::Client,
    table: String,
    outbox: Outbox,
}

impl DynamoCustomers {
    /// The adapter for `table`, whose outbox items expire after `retention`.
    pub fn new(client: aws_sdk_dynamodb::Client, table: impl Into<String>, retention: std::time::Duration) -> Self {
        let table = table.into();
        Self { client, outbox: Outbox::new(table.clone(), retention), table }
    }
}

fn s(value: &str) -> AttributeValue {
    AttributeValue::S(value.to_owned())
}

fn customer_key(id: &CustomerId) -> Item {
    HashMap::from([("pk".to_owned(), s(&format!("CUSTOMER#{}", id.as_str()))), ("sk".to_owned(), s("PROFILE"))])
}

impl From<&Customer> for Item {
    fn from(customer: &Customer) -> Self {
        let mut item = customer_key(&customer.id);
        item.insert("kind".to_owned(), s("Customer"));
        item.insert("customerId".to_owned(), s(customer.id.as_str()));
        item.insert("name".to_owned(), s(customer.name.as_str()));
        item.insert("email".to_owned(), s(customer.email.as_str()));
        if let Some(phone) = &customer.phone {
            item.insert("phone".to_owned(), s(phone.as_str()));
        }
        item.insert("points".to_owned(), AttributeValue::N(customer.points.to_string()));
        item.insert("registeredAt".to_owned(), s(&customer.registered_at.to_rfc3339()));
        item.insert("version".to_owned(), AttributeValue::N(customer.version.to_string()));
        item
    }
}

fn text<'a>(item: &'a Item, key: &str) -> anyhow::Result<&'a str> {
    item.get(key).and_then(|v| v.as_s().ok()).map(String::as_str).with_context(|| format!("customer item lacks {key}"))
}

fn number(item: &Item, key: &str) -> anyhow::Result<u64> {
    item.get(key)
        .and_then(|v| v.as_n().ok())
        .with_context(|| format!("customer item lacks {key}"))?
        .parse()
        .with_context(|| format!("customer item {key} is not a whole number"))
}

/// Reads a stored customer back; stored values were valid when written.
fn customer_from_item(item: &Item) -> anyhow::Result<Customer> {
    Ok(Customer {
        id: CustomerId::parse(text(item, "customerId")?)?,
        name: CustomerName::parse(text(item, "name")?)?,
        email: Email::parse(text(item, "email")?)?,
        phone: item.get("phone").and_then(|v| v.as_s().ok()).map(|p| Phone::parse(p)).transpose()?,
        points: number(item, "points")?,
        registered_at: text(item, "registeredAt")?.parse::<DateTime<Utc>>()?,
        version: number(item, "version")?,
    })
}

impl CustomerRegistry for DynamoCustomers {
    #[tracing::instrument(skip_all, fields(customer_id = %customer.id.as_str()))]
    async fn register(&self, customer: &Customer, events: &[EventEnvelope]) -> Result<(), RegisterError> {
        let put = |item: Item| put(&self.table, item, Condition::New);
        let email_claim = HashMap::from([
            ("pk".to_owned(), s(&format!("EMAIL#{}", customer.email.as_str()))),
            ("sk".to_owned(), s("EMAIL")),
            ("customerId".to_owned(), s(customer.id.as_str())),
        ]);
        let mut items = vec![put(Item::from(customer)), put(email_claim)];
        items.extend(events.iter().map(|event| self.outbox.put(event)));
        match transact(&self.client, items).await {
            Ok(()) => Ok(()),
            Err(TransactError::ConditionFailed { failed }) if failed.contains(&0) => {
                Err(RegisterError::AlreadyRegistered)
            }
            Err(TransactError::ConditionFailed { failed }) if failed.contains(&1) => Err(RegisterError::EmailTaken),
            Err(err) => Err(RegisterError::Storage(err.into())),
        }
    }
}

impl CustomerLookup for DynamoCustomers {
    #[tracing::instrument(skip_all, fields(customer_id = %id.as_str()))]
    async fn find(&self, id: &CustomerId) -> anyhow::Result<Option<Customer>> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(customer_key(id)))
            .send()
            .await
            .context("GetItem customer")?;
        output.item.as_ref().map(customer_from_item).transpose()
    }
}

/// The points an order earned, kept so that its cancellation takes back exactly those
/// points, once: `pk = CUSTOMER#<id>, sk = EARNED#<orderId>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Earning {
    /// Points earned (0 when the cancellation came first).
    pub points: u64,
    /// Whether they were taken back (or the order was cancelled before it earned).
    pub reversed: bool,
}

fn earning_key(customer_id: &CustomerId, order_id: &str) -> Item {
    HashMap::from([
        ("pk".to_owned(), s(&format!("CUSTOMER#{}", customer_id.as_str()))),
        ("sk".to_owned(), s(&format!("EARNED#{order_id}"))),
    ])
}

impl DynamoCustomers {
    /// The DynamoDB client (for the consumer's inbox).
    pub fn client(&self) -> &aws_sdk_dynamodb::Client {
        &self.client
    }

    /// The table name (for the consumer's inbox).
    pub fn table(&self) -> &str {
        &self.table
    }

    /// What order `order_id` earned for `customer_id`, if anything was recorded.
    ///
    /// # Errors
    /// When storage fails.
    pub async fn find_earning(&self, customer_id: &CustomerId, order_id: &str) -> anyhow::Result<Option<Earning>> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(earning_key(customer_id, order_id)))
            .consistent_read(true)
            .send()
            .await
            .context("GetItem earning")?;
        output
            .item
            .map(|item| {
                Ok(Earning {
                    points: number(&item, "points")?,
                    reversed: item.get("reversed").and_then(|v| v.as_bool().ok()).copied().unwrap_or(false),
                })
            })
            .transpose()
    }

    /// The transaction items that store a points change: the customer (if still at
    /// `expected_version`), the order's earning record (new, or reversed once), and events.
    ///
    /// # Errors
    /// When an item cannot be built.
    pub fn points_items(
        &self,
        customer: Option<(&Customer, u64)>,
        customer_id: &CustomerId,
        order_id: &str,
        earning: Earning,
        events: &[EventEnvelope],
    ) -> anyhow::Result<Vec<TransactWriteItem>> {
        let mut items = Vec::new();
        if let Some((customer, expected_version)) = customer {
            items.push(put(&self.table, Item::from(customer), Condition::Version(expected_version)));
        }
        let mut record = earning_key(customer_id, order_id);
        record.insert("points".to_owned(), AttributeValue::N(earning.points.to_string()));
        record.insert("reversed".to_owned(), AttributeValue::Bool(earning.reversed));
        // A new record, or the one-time reversal of an earning that was not reversed yet.
        let condition = if earning.reversed && earning.points > 0 {
            Condition::Expression("reversed = :no".to_owned(), vec![(":no".to_owned(), AttributeValue::Bool(false))])
        } else {
            Condition::New
        };
        items.push(put(&self.table, record, condition));
        items.extend(events.iter().map(|event| self.outbox.put(event)));
        Ok(items)
    }
}
