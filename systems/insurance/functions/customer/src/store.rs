//! The DynamoDB adapter of customer (table `CUSTOMER_TABLE`): implements [`Customers`].
//!
//! Items (`pk`, `sk`, `kind`, then attributes):
//! - a customer: `CUSTOMER#<customerNo>`, `CUSTOMER`, `Customer`; `customerNo`, `name`,
//!   `birthDate`, `phone`, `subject`, `registeredAt`. Written only if new;
//! - who a subject is: `SUBJECT#<sub>`, `SUBJECT`, `Subject`; `customerNo`. Written only if
//!   new, with the customer, so a token registers once;
//! - outbox items ([`platform::outbox`], relayed to `CustomerEventsTopic`).

use std::time::Duration;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use contracts::customer as wire;
use platform::EventEnvelope;
use platform::dynamo::{Condition, Table, WriteError, to_item};
use platform::outbox::Outbox;
use serde::{Deserialize, Serialize};

use crate::SOURCE;
use crate::domain::{Customer, CustomerEvent, CustomerNo};
use crate::ports::Customers;

/// Customers in DynamoDB, with an outbox.
#[derive(Debug, Clone)]
pub struct DynamoCustomers {
    table: Table,
    outbox: Outbox,
}

impl DynamoCustomers {
    /// The adapter for `table`, whose outbox items expire after `retention`.
    pub fn new(client: aws_sdk_dynamodb::Client, table: impl Into<String>, retention: Duration) -> Self {
        let table = Table::new(client, table);
        Self { outbox: Outbox::new(table.name(), retention), table }
    }
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CustomerItem {
    pk: String,
    sk: String,
    kind: String,
    customer_no: CustomerNo,
    name: String,
    birth_date: NaiveDate,
    phone: String,
    subject: String,
    registered_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SubjectItem {
    pk: String,
    sk: String,
    kind: String,
    customer_no: CustomerNo,
}

fn customer_pk(no: &CustomerNo) -> String {
    format!("CUSTOMER#{no}")
}

fn subject_pk(subject: &str) -> String {
    format!("SUBJECT#{subject}")
}

/// The wire form of `event`, with its correlation id (the customer number).
fn published(event: &CustomerEvent) -> (&CustomerNo, wire::CustomerEvent) {
    match event {
        CustomerEvent::Registered(c) => (
            &c.customer_no,
            wire::CustomerEvent::CustomerRegistered(wire::CustomerRegistered {
                customer_no: c.customer_no.to_string(),
                name: c.name.clone(),
                birth_date: c.birth_date.to_string(),
                subject: c.subject.clone(),
            }),
        ),
    }
}

impl Customers for DynamoCustomers {
    async fn find(&self, no: &CustomerNo) -> anyhow::Result<Option<Customer>> {
        Ok(self.table.get::<CustomerItem>(customer_pk(no), "CUSTOMER").await?.map(|i| Customer {
            customer_no: i.customer_no,
            name: i.name,
            birth_date: i.birth_date,
            phone: i.phone,
            subject: i.subject,
            registered_at: i.registered_at,
        }))
    }

    async fn number_of(&self, subject: &str) -> anyhow::Result<Option<CustomerNo>> {
        Ok(self.table.get::<SubjectItem>(subject_pk(subject), "SUBJECT").await?.map(|i| i.customer_no))
    }

    async fn register(&self, customer: &Customer, events: &[CustomerEvent]) -> Result<(), WriteError> {
        let item = CustomerItem {
            pk: customer_pk(&customer.customer_no),
            sk: "CUSTOMER".to_owned(),
            kind: "Customer".to_owned(),
            customer_no: customer.customer_no.clone(),
            name: customer.name.clone(),
            birth_date: customer.birth_date,
            phone: customer.phone.clone(),
            subject: customer.subject.clone(),
            registered_at: customer.registered_at,
        };
        let subject = SubjectItem {
            pk: subject_pk(&customer.subject),
            sk: "SUBJECT".to_owned(),
            kind: "Subject".to_owned(),
            customer_no: customer.customer_no.clone(),
        };
        let mut items =
            vec![self.table.put(to_item(&item)?, Condition::New), self.table.put(to_item(&subject)?, Condition::New)];
        for event in events {
            let (no, wire_event) = published(event);
            items.push(self.outbox.put(&EventEnvelope::wrap(SOURCE, no.as_str(), None, &wire_event)));
        }
        self.table.write(items).await
    }
}

/// `at` as the API and events write it: RFC 3339 UTC, milliseconds.
pub fn stamp(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn customer_registered_carries_the_number_the_name_the_birth_date_and_the_subject() {
        let now: DateTime<Utc> = "2026-11-22T01:00:00Z".parse().unwrap();
        let born = NaiveDate::from_ymd_opt(1985, 3, 15).unwrap();
        let no = CustomerNo::parse("000000002").unwrap();
        let (_, events) = Customer::register(no, "auth0|y".into(), ("양건우".into(), born, "010".into()), now).unwrap();
        let json = serde_json::to_value(published(&events[0]).1).unwrap();
        assert_eq!(json["type"], "CustomerRegistered");
        assert_eq!(
            json["data"],
            serde_json::json!({"customerNo": "000000002", "name": "양건우", "birthDate": "1985-03-15", "subject": "auth0|y"})
        );
    }
}
