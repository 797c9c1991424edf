//! The DynamoDB adapter of the customer context (table `CUSTOMER_TABLE`), implementing
//! [`crate::ports`].
//!
//! Items, all typed and mapped by `serde_dynamo`:
//! - the customer: `pk = CUSTOMER#<id>, sk = PROFILE`, `kind = Customer`;
//! - an email claim `pk = EMAIL#<email>, sk = EMAIL` that keeps addresses unique;
//! - an order's ledger entry `pk = CUSTOMER#<id>, sk = EARNED#<orderId>`: the points it
//!   earned and whether they were taken back (written for registered customers and for
//!   identities that have not registered alike);
//! - the points held for an identity that has not registered,
//!   `pk = CUSTOMER#<id>, sk = HELD_POINTS`, `kind = HeldPoints`: `points`, `version`.
//!   Written by the points policy only while no profile exists (a condition check in the
//!   same transaction), deleted by the registration that adds them to the balance (a
//!   version condition in the same transaction): one item, so registration stays one
//!   bounded transaction however many orders came before it;
//! - outbox items ([`platform::outbox`]) and the points policy's inbox items
//!   ([`platform::inbox`]).

use std::time::Duration;

use anyhow::Context;
use aws_sdk_dynamodb::types::{AttributeValue, ConditionCheck, Delete, TransactWriteItem};
use chrono::{DateTime, Utc};
use contracts::customer as wire;
use platform::EventEnvelope;
use platform::dynamo::{Condition, Table, WriteError, key, to_item};
use platform::inbox::{Applied, Inbox};
use platform::outbox::{Outbox, TransactError, transact};
use serde::{Deserialize, Serialize};

use crate::SOURCE;
use crate::domain::{
    Customer, CustomerEvent, CustomerId, CustomerName, Earning, Email, HeldOrderPoints, HeldPoints, OrderId,
    OrderPoints, Phone, PointsAccount,
};
use crate::ports::{CustomerLookup, CustomerRegistry, PointsLedger, RegisterError};

/// The inbox name of the points policy: part of its inbox items' keys, so it never changes.
pub const POINTS_INBOX: &str = "customer-on-order-events";

const PROFILE: &str = "PROFILE";
const HELD: &str = "HELD_POINTS";

fn customer_pk(id: &CustomerId) -> String {
    format!("CUSTOMER#{id}")
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CustomerItem {
    pk: String,
    sk: String,
    kind: String,
    customer_id: CustomerId,
    name: String,
    email: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    phone: Option<String>,
    points: u64,
    registered_at: DateTime<Utc>,
    version: u64,
}

impl From<&Customer> for CustomerItem {
    fn from(customer: &Customer) -> Self {
        Self {
            pk: customer_pk(&customer.id),
            sk: PROFILE.to_owned(),
            kind: "Customer".to_owned(),
            customer_id: customer.id.clone(),
            name: customer.name.as_str().to_owned(),
            email: customer.email.as_str().to_owned(),
            phone: customer.phone.as_ref().map(|phone| phone.as_str().to_owned()),
            points: customer.points,
            registered_at: customer.registered_at,
            version: customer.version,
        }
    }
}

/// Stored values were valid when written; a refusal here means a corrupt item.
impl TryFrom<CustomerItem> for Customer {
    type Error = anyhow::Error;
    fn try_from(item: CustomerItem) -> anyhow::Result<Self> {
        Ok(Self {
            name: CustomerName::parse(&item.name).context("stored name")?,
            email: Email::parse(&item.email).context("stored email")?,
            phone: item.phone.as_deref().map(Phone::parse).transpose().context("stored phone")?,
            id: item.customer_id,
            points: item.points,
            registered_at: item.registered_at,
            version: item.version,
        })
    }
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct EmailClaimItem {
    pk: String,
    sk: String,
    customer_id: CustomerId,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct EarningItem {
    pk: String,
    sk: String,
    points: u64,
    #[serde(default)]
    reversed: bool,
}

fn earning_sk(order: &OrderId) -> String {
    format!("EARNED#{order}")
}

impl EarningItem {
    fn new(customer: &CustomerId, order: &OrderId, earning: Earning) -> Self {
        let (points, reversed) = match earning {
            Earning::Earned(points) => (points, false),
            Earning::TakenBack(points) => (points, true),
        };
        Self { pk: customer_pk(customer), sk: earning_sk(order), points, reversed }
    }
}

impl From<EarningItem> for Earning {
    fn from(item: EarningItem) -> Self {
        if item.reversed { Self::TakenBack(item.points) } else { Self::Earned(item.points) }
    }
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct HeldItem {
    pk: String,
    sk: String,
    kind: String,
    customer_id: CustomerId,
    points: u64,
    version: u64,
}

impl HeldItem {
    fn new(customer: &CustomerId, held: HeldPoints) -> Self {
        Self {
            pk: customer_pk(customer),
            sk: HELD.to_owned(),
            kind: "HeldPoints".to_owned(),
            customer_id: customer.clone(),
            points: held.points,
            version: held.version,
        }
    }
}

impl From<HeldItem> for HeldPoints {
    fn from(item: HeldItem) -> Self {
        Self { points: item.points, version: item.version }
    }
}

/// The transaction item that holds only if the item at (`pk`, `sk`) does not exist.
fn absent(table: &Table, pk: String, sk: &str) -> Result<TransactWriteItem, WriteError> {
    let check = ConditionCheck::builder()
        .table_name(table.name())
        .set_key(Some(key(pk, sk)))
        .condition_expression("attribute_not_exists(pk)")
        .build()
        .context("ConditionCheck")?;
    Ok(TransactWriteItem::builder().condition_check(check).build())
}

/// The condition that an entry is new, or earned and not yet taken back: an entry moves
/// only from earned to taken back, once.
fn entry_condition(current: Option<Earning>) -> Condition {
    match current {
        None => Condition::New,
        Some(_) => {
            Condition::Expression("reversed = :no".to_owned(), vec![(":no".to_owned(), AttributeValue::Bool(false))])
        }
    }
}

/// The envelope of a domain event on `CustomerEventsTopic`, correlated by the customer id.
fn envelope(event: &CustomerEvent, causation_id: Option<&str>) -> EventEnvelope {
    let (customer_id, event) = match event {
        CustomerEvent::Registered { customer_id, name, email, welcome_points } => (
            customer_id,
            wire::CustomerEvent::CustomerRegistered(wire::CustomerRegistered {
                customer_id: customer_id.to_string(),
                name: name.as_str().to_owned(),
                email: email.as_str().to_owned(),
                welcome_points: *welcome_points,
            }),
        ),
        CustomerEvent::PointsChanged { customer_id, order_id, delta, balance, reason } => (
            customer_id,
            wire::CustomerEvent::PointsChanged(wire::PointsChanged {
                customer_id: customer_id.to_string(),
                delta: *delta,
                balance: *balance,
                reason: reason.to_string(),
                order_id: Some(order_id.to_string()),
            }),
        ),
    };
    EventEnvelope::wrap(SOURCE, customer_id.as_str(), causation_id, &event)
}

/// Reads customers.
#[derive(Debug, Clone)]
pub struct DynamoCustomers {
    table: Table,
}

impl DynamoCustomers {
    /// Customers in `table`.
    pub fn new(table: Table) -> Self {
        Self { table }
    }
}

impl CustomerLookup for DynamoCustomers {
    #[tracing::instrument(skip_all, fields(customer_id = %id))]
    async fn find(&self, id: &CustomerId) -> anyhow::Result<Option<Customer>> {
        self.table.get::<CustomerItem>(customer_pk(id), PROFILE).await?.map(Customer::try_from).transpose()
    }
}

/// Stores new customers with their email claims and events.
#[derive(Debug, Clone)]
pub struct DynamoRegistry {
    table: Table,
    outbox: Outbox,
}

impl DynamoRegistry {
    /// Registrations in `table`, whose outbox items expire after `retention`.
    pub fn new(table: Table, retention: Duration) -> Self {
        Self { outbox: Outbox::new(table.name(), retention), table }
    }
}

impl CustomerRegistry for DynamoRegistry {
    #[tracing::instrument(skip_all, fields(customer_id = %id))]
    async fn held(&self, id: &CustomerId) -> anyhow::Result<HeldPoints> {
        Ok(self.table.get::<HeldItem>(customer_pk(id), HELD).await?.map(HeldPoints::from).unwrap_or_default())
    }

    #[tracing::instrument(skip_all, fields(customer_id = %customer.id, held = held.points))]
    async fn register(
        &self,
        customer: &Customer,
        held: &HeldPoints,
        events: &[CustomerEvent],
    ) -> Result<(), RegisterError> {
        let claim = EmailClaimItem {
            pk: format!("EMAIL#{}", customer.email.as_str()),
            sk: "EMAIL".to_owned(),
            customer_id: customer.id.clone(),
        };
        // The held points are consumed as read: none stored still none, or deleted at the
        // version read.
        let held_item = if held.version == 0 {
            absent(&self.table, customer_pk(&customer.id), HELD).map_err(|err| match err {
                WriteError::Storage(err) => RegisterError::Storage(err),
                WriteError::Conflict => RegisterError::HeldPointsChanged,
            })?
        } else {
            let delete = Delete::builder()
                .table_name(self.table.name())
                .set_key(Some(key(customer_pk(&customer.id), HELD)))
                .condition_expression("version = :expected")
                .expression_attribute_values(":expected", AttributeValue::N(held.version.to_string()))
                .build()
                .context("Delete")?;
            TransactWriteItem::builder().delete(delete).build()
        };
        // The profile first, the claim second, the held points third: the indexes below
        // tell the refusals apart.
        let mut items = vec![
            self.table.put(to_item(&CustomerItem::from(customer))?, Condition::New),
            self.table.put(to_item(&claim)?, Condition::New),
            held_item,
        ];
        items.extend(events.iter().map(|event| self.outbox.put(&envelope(event, None))));
        match transact(self.table.client(), items).await {
            Ok(()) => Ok(()),
            Err(TransactError::ConditionFailed { failed }) if failed.contains(&0) => {
                Err(RegisterError::AlreadyRegistered)
            }
            Err(TransactError::ConditionFailed { failed }) if failed.contains(&1) => Err(RegisterError::EmailTaken),
            Err(TransactError::ConditionFailed { failed }) if failed.contains(&2) => {
                Err(RegisterError::HeldPointsChanged)
            }
            Err(err) => Err(RegisterError::Storage(err.into())),
        }
    }
}

/// The points ledger: customers' balances and each order's entry, written with the
/// policy's inbox and outbox.
#[derive(Debug, Clone)]
pub struct DynamoLedger {
    table: Table,
    outbox: Outbox,
    inbox: Inbox,
}

impl DynamoLedger {
    /// The ledger in `table`, whose outbox and inbox items expire after `retention`.
    pub fn new(table: Table, retention: Duration) -> Self {
        Self {
            outbox: Outbox::new(table.name(), retention),
            inbox: Inbox::new(table.client().clone(), table.name(), POINTS_INBOX, retention),
            table,
        }
    }
}

impl PointsLedger for DynamoLedger {
    #[tracing::instrument(skip_all, fields(customer_id = %customer, order_id = %order))]
    async fn find(&self, customer: &CustomerId, order: &OrderId) -> anyhow::Result<PointsAccount> {
        let (found, earning, held) = tokio::try_join!(
            self.table.get::<CustomerItem>(customer_pk(customer), PROFILE),
            self.table.get::<EarningItem>(customer_pk(customer), earning_sk(order)),
            self.table.get::<HeldItem>(customer_pk(customer), HELD),
        )?;
        let earning = earning.map(Earning::from);
        Ok(match found {
            Some(found) => {
                PointsAccount::Registered(OrderPoints { customer: found.try_into()?, order_id: order.clone(), earning })
            }
            None => PointsAccount::Unregistered(HeldOrderPoints {
                customer_id: customer.clone(),
                held: held.map(HeldPoints::from).unwrap_or_default(),
                order_id: order.clone(),
                earning,
            }),
        })
    }

    #[tracing::instrument(skip_all, fields(customer_id = %next.customer.id, order_id = %next.order_id))]
    async fn save_once(
        &self,
        cause: &EventEnvelope,
        current: &OrderPoints,
        next: &OrderPoints,
        events: &[CustomerEvent],
    ) -> Result<Applied, WriteError> {
        let mut items = Vec::new();
        if next.customer != current.customer {
            let item = to_item(&CustomerItem::from(&next.customer))?;
            items.push(self.table.put(item, Condition::Version(current.customer.version)));
        }
        if let Some(earning) = next.earning.filter(|_| next.earning != current.earning) {
            let item = to_item(&EarningItem::new(&next.customer.id, &next.order_id, earning))?;
            items.push(self.table.put(item, entry_condition(current.earning)));
        }
        items.extend(events.iter().map(|event| self.outbox.put(&envelope(event, Some(&cause.id)))));
        Ok(self.inbox.apply_once(cause, items).await?)
    }

    #[tracing::instrument(skip_all, fields(customer_id = %next.customer_id, order_id = %next.order_id))]
    async fn hold_once(
        &self,
        cause: &EventEnvelope,
        current: &HeldOrderPoints,
        next: &HeldOrderPoints,
    ) -> Result<Applied, WriteError> {
        // Only while the identity has not registered: a registration in between fails this
        // (a conflict), and the event is decided again against the customer.
        let mut items = vec![absent(&self.table, customer_pk(&next.customer_id), PROFILE)?];
        if next.held != current.held {
            let held = to_item(&HeldItem::new(&next.customer_id, next.held))?;
            let condition = match current.held.version {
                0 => Condition::New,
                version => Condition::Version(version),
            };
            items.push(self.table.put(held, condition));
        }
        if let Some(earning) = next.earning.filter(|_| next.earning != current.earning) {
            let item = to_item(&EarningItem::new(&next.customer_id, &next.order_id, earning))?;
            items.push(self.table.put(item, entry_condition(current.earning)));
        }
        Ok(self.inbox.apply_once(cause, items).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use platform::dynamo::{Item, from_item};

    fn s(text: &str) -> AttributeValue {
        AttributeValue::S(text.to_owned())
    }

    #[test]
    fn an_item_written_before_typed_items_still_reads() {
        // As the hand-written mapping stored it: `to_rfc3339()` offsets, no phone attribute.
        let item: Item = [
            ("pk", s("CUSTOMER#auth0|kim")),
            ("sk", s("PROFILE")),
            ("kind", s("Customer")),
            ("customerId", s("auth0|kim")),
            ("name", s("Kim")),
            ("email", s("kim@example.com")),
            ("points", AttributeValue::N("1900".to_owned())),
            ("registeredAt", s("2026-11-21T05:30:00.123456+00:00")),
            ("version", AttributeValue::N("2".to_owned())),
        ]
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value))
        .collect();
        let customer = Customer::try_from(from_item::<CustomerItem>(item).unwrap()).unwrap();
        assert_eq!((customer.id.as_str(), customer.points, customer.version), ("auth0|kim", 1900, 2));
        assert_eq!(customer.phone, None);
        assert_eq!(customer.registered_at.to_rfc3339(), "2026-11-21T05:30:00.123456+00:00");

        let written = to_item(&CustomerItem::from(&customer)).unwrap();
        assert!(!written.contains_key("phone"), "an absent phone is no attribute, not a null");
        assert_eq!(written["pk"], s("CUSTOMER#auth0|kim"));
        assert_eq!(written["points"], AttributeValue::N("1900".to_owned()));
    }
}
