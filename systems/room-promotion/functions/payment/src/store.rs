//! The DynamoDB adapter of pay (table `PAYMENT_TABLE`): implements [`Payments`].
//!
//! Items (`pk`, `sk`, `kind`, then attributes):
//! - a reservation's entry: `PAYMENT#<reservationId>`, `PAYMENT`, and either `Payment` (`paymentId`,
//!   `reservationId`, `customerId`, `amount` (won), `status`, `approvedAt`, `cancelledAt`,
//!   `version`) or `Tombstone` (`reservationId`, `customerId`). Written only if new, so a reservation has
//!   one payment, and a reservation cancelled first has none;
//! - outbox items ([`platform::outbox`], relayed to `PaymentEventsTopic`) and the reservation-event
//!   consumer's inbox items ([`platform::inbox`]).

use std::time::Duration;

use anyhow::Context;
use aws_sdk_dynamodb::types::TransactWriteItem;
use chrono::{DateTime, SecondsFormat, Utc};
use contracts::payment as wire;
use platform::EventEnvelope;
use platform::Won;
use platform::dynamo::{Condition, Table, WriteError, to_item};
use platform::inbox::{Applied, Inbox};
use platform::outbox::Outbox;
use serde::{Deserialize, Serialize};

use crate::SOURCE;
use crate::domain::{CustomerId, Ledger, Payment, PaymentEvent, PaymentFacts, PaymentId, PaymentStatus, ReservationId};
use crate::ports::Payments;

const SK: &str = "PAYMENT";

fn pk(reservation: &ReservationId) -> String {
    format!("PAYMENT#{reservation}")
}

/// Payments in DynamoDB; with an outbox, and an inbox for the reservation-event consumer.
#[derive(Debug, Clone)]
pub struct DynamoPayments {
    table: Table,
    outbox: Outbox,
    inbox: Option<Inbox>,
}

impl DynamoPayments {
    /// The adapter for `table`, whose outbox items expire after `retention`.
    pub fn new(client: aws_sdk_dynamodb::Client, table: impl Into<String>, retention: Duration) -> Self {
        let table = Table::new(client, table);
        Self { outbox: Outbox::new(table.name(), retention), table, inbox: None }
    }

    /// The adapter that also applies consumed events once, through the inbox of `consumer`.
    #[must_use]
    pub fn with_inbox(self, consumer: &str, retention: Duration) -> Self {
        let inbox = Inbox::new(self.table.client().clone(), self.table.name(), consumer, retention);
        Self { inbox: Some(inbox), ..self }
    }

    fn outbox_items(&self, events: &[PaymentEvent], causation: Option<&str>) -> Vec<TransactWriteItem> {
        events
            .iter()
            .map(|event| {
                let (reservation, wire_event) = published(event);
                self.outbox.put(&EventEnvelope::wrap(SOURCE, reservation.as_str(), causation, &wire_event))
            })
            .collect()
    }

    async fn write_once(&self, items: Vec<TransactWriteItem>, once: &EventEnvelope) -> Result<Applied, WriteError> {
        let inbox = self.inbox.as_ref().context("this function has no inbox, yet it consumes events")?;
        // Boxed: the SDK's nested futures would otherwise exceed the compiler's layout depth.
        Ok(Box::pin(inbox.apply_once(once, items)).await?)
    }
}

fn published(event: &PaymentEvent) -> (&ReservationId, wire::PaymentEvent) {
    let wire_facts =
        |f: &PaymentFacts| (f.payment_id.to_string(), f.reservation_id.to_string(), f.customer_id.to_string());
    match event {
        PaymentEvent::Approved(f) => {
            let (payment_id, reservation_id, customer_id) = wire_facts(f);
            let data = wire::PaymentApproved {
                payment_id,
                reservation_id,
                customer_id,
                customer_name: f.customer_name.clone(),
                amount: f.amount,
                approved_at: stamp(&f.approved_at),
            };
            (&f.reservation_id, wire::PaymentEvent::PaymentApproved(data))
        }
        PaymentEvent::Cancelled(f) => {
            let (payment_id, reservation_id, customer_id) = wire_facts(f);
            let data = wire::PaymentCancelled { payment_id, reservation_id, customer_id, amount: f.amount };
            (&f.reservation_id, wire::PaymentEvent::PaymentCancelled(data))
        }
    }
}

fn stamp(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn parse_time(text: &str) -> anyhow::Result<DateTime<Utc>> {
    Ok(DateTime::parse_from_rfc3339(text)?.with_timezone(&Utc))
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct EntryItem {
    pk: String,
    sk: String,
    kind: String,
    reservation_id: ReservationId,
    customer_id: CustomerId,
    #[serde(default)]
    customer_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    payment_id: Option<PaymentId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    amount: Option<Won>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status: Option<PaymentStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    approved_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cancelled_at: Option<String>,
    #[serde(default)]
    version: u64,
}

impl From<&Payment> for EntryItem {
    fn from(p: &Payment) -> Self {
        Self {
            pk: pk(&p.reservation_id),
            sk: SK.to_owned(),
            kind: "Payment".to_owned(),
            reservation_id: p.reservation_id.clone(),
            customer_id: p.customer_id.clone(),
            customer_name: p.customer_name.clone(),
            payment_id: Some(p.id.clone()),
            amount: Some(p.amount),
            status: Some(p.status),
            approved_at: Some(stamp(&p.approved_at)),
            cancelled_at: p.cancelled_at.as_ref().map(stamp),
            version: p.version,
        }
    }
}

impl TryFrom<EntryItem> for Ledger {
    type Error = anyhow::Error;
    fn try_from(item: EntryItem) -> anyhow::Result<Self> {
        if item.kind == "Tombstone" {
            return Ok(Self::Tombstone);
        }
        let missing = |field: &str| anyhow::anyhow!("payment of reservation {} without {field}", item.reservation_id);
        Ok(Self::Paid(Payment {
            id: item.payment_id.clone().ok_or_else(|| missing("paymentId"))?,
            amount: item.amount.ok_or_else(|| missing("amount"))?,
            status: item.status.ok_or_else(|| missing("status"))?,
            approved_at: parse_time(item.approved_at.as_deref().ok_or_else(|| missing("approvedAt"))?)?,
            cancelled_at: item.cancelled_at.as_deref().map(parse_time).transpose()?,
            version: item.version,
            reservation_id: item.reservation_id,
            customer_id: item.customer_id,
            customer_name: item.customer_name,
        }))
    }
}

impl Payments for DynamoPayments {
    #[tracing::instrument(skip_all, fields(reservation_id = %reservation))]
    async fn find(&self, reservation: &ReservationId) -> anyhow::Result<Option<Ledger>> {
        self.table.get::<EntryItem>(pk(reservation), SK).await?.map(Ledger::try_from).transpose()
    }

    #[tracing::instrument(skip_all, fields(reservation_id = %payment.reservation_id))]
    async fn approve(&self, payment: &Payment, events: &[PaymentEvent]) -> Result<(), WriteError> {
        let mut items = vec![self.table.put(to_item(&EntryItem::from(payment))?, Condition::New)];
        items.extend(self.outbox_items(events, None));
        self.table.write(items).await
    }

    async fn save_once(
        &self,
        cause: &EventEnvelope,
        payment: &Payment,
        expected_version: u64,
        events: &[PaymentEvent],
    ) -> Result<Applied, WriteError> {
        let mut items = vec![self.table.put(to_item(&EntryItem::from(payment))?, Condition::Version(expected_version))];
        items.extend(self.outbox_items(events, Some(&cause.id)));
        self.write_once(items, cause).await
    }

    async fn tombstone(
        &self,
        cause: &EventEnvelope,
        reservation: &ReservationId,
        customer: &CustomerId,
    ) -> Result<Applied, WriteError> {
        let item = EntryItem {
            pk: pk(reservation),
            sk: SK.to_owned(),
            kind: "Tombstone".to_owned(),
            reservation_id: reservation.clone(),
            customer_id: customer.clone(),
            customer_name: String::new(),
            payment_id: None,
            amount: None,
            status: None,
            approved_at: None,
            cancelled_at: None,
            version: 1,
        };
        self.write_once(vec![self.table.put(to_item(&item)?, Condition::New)], cause).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use platform::dynamo::from_item;

    #[test]
    fn a_payment_round_trips_through_its_item() {
        let now = chrono::SubsecRound::trunc_subsecs(Utc::now(), 3);
        let (payment, events) = Payment::approve(
            PaymentId::generate(),
            ReservationId::parse("019a9a3c-7c1e-7d4a-9b2f-3e5d6c7b8a90").unwrap(),
            CustomerId::parse("auth0|kim").unwrap(),
            "Kim".to_owned(),
            Won::new(36000),
            now,
        )
        .unwrap();
        let item = to_item(&EntryItem::from(&payment)).unwrap();
        assert_eq!(item["pk"].as_s().unwrap(), "PAYMENT#019a9a3c-7c1e-7d4a-9b2f-3e5d6c7b8a90");
        assert_eq!(item["status"].as_s().unwrap(), "Approved");
        assert_eq!(Ledger::try_from(from_item::<EntryItem>(item).unwrap()).unwrap(), Ledger::Paid(payment));
        let json = serde_json::to_value(published(&events[0]).1).unwrap();
        assert_eq!((json["type"].as_str(), json["data"]["amount"].as_u64()), (Some("PaymentApproved"), Some(36000)));
    }
}
