//! The DynamoDB adapter of pay (table `PAYMENT_TABLE`): implements [`Payments`].
//!
//! Items (`pk`, `sk`, `kind`, then attributes):
//! - a proposal's entry: `PAYMENT#<proposalNo>`, `PAYMENT`, and either `Payment` (`paymentId`,
//!   `proposalNo`, `planNo`, `customerNo`, `customerName`, `account`, `amount` (won), `status`,
//!   `paidAt`, `cancelledAt`, `version`) or `Tombstone` (`proposalNo`, `customerNo`). Written only if new, so a proposal has
//!   one payment, and a proposal cancelled first has none;
//! - outbox items ([`platform::outbox`], relayed to `PaymentEventsTopic`) and the proposal-event
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
use crate::domain::{
    Account, CustomerNo, Ledger, PayOrder, Payment, PaymentEvent, PaymentId, PaymentStatus, PlanNo, ProposalNo,
};
use crate::ports::Payments;

const SK: &str = "PAYMENT";

fn pk(proposal: &ProposalNo) -> String {
    format!("PAYMENT#{proposal}")
}

/// Payments in DynamoDB; with an outbox, and an inbox for the proposal-event consumer.
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
                let (proposal, wire_event) = published(event);
                self.outbox.put(&EventEnvelope::wrap(SOURCE, proposal.as_str(), causation, &wire_event))
            })
            .collect()
    }

    async fn write_once(&self, items: Vec<TransactWriteItem>, once: &EventEnvelope) -> Result<Applied, WriteError> {
        let inbox = self.inbox.as_ref().context("this function has no inbox, yet it consumes events")?;
        // Boxed: the SDK's nested futures would otherwise exceed the compiler's layout depth.
        Ok(Box::pin(inbox.apply_once(once, items)).await?)
    }
}

fn published(event: &PaymentEvent) -> (&ProposalNo, wire::PaymentEvent) {
    match event {
        PaymentEvent::Approved(f) => {
            let data = wire::PayApproved {
                payment_id: f.payment_id.to_string(),
                proposal_no: f.proposal_no.to_string(),
                plan_no: f.plan_no.to_string(),
                customer_no: f.customer_no.to_string(),
                amount: f.amount,
                paid_at: stamp(&f.paid_at),
            };
            (&f.proposal_no, wire::PaymentEvent::PayApproved(data))
        }
        PaymentEvent::Cancelled(f) => {
            let data = wire::PayCancelled {
                payment_id: f.payment_id.to_string(),
                proposal_no: f.proposal_no.to_string(),
                plan_no: f.plan_no.to_string(),
                customer_no: f.customer_no.to_string(),
                amount: f.amount,
            };
            (&f.proposal_no, wire::PaymentEvent::PayCancelled(data))
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
    proposal_no: ProposalNo,
    customer_no: CustomerNo,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    plan_no: Option<PlanNo>,
    #[serde(default)]
    customer_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    account: Option<Account>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    payment_id: Option<PaymentId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    amount: Option<Won>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status: Option<PaymentStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    paid_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cancelled_at: Option<String>,
    #[serde(default)]
    version: u64,
}

impl From<&Payment> for EntryItem {
    fn from(p: &Payment) -> Self {
        Self {
            pk: pk(&p.order.proposal_no),
            sk: SK.to_owned(),
            kind: "Payment".to_owned(),
            proposal_no: p.order.proposal_no.clone(),
            customer_no: p.order.customer_no.clone(),
            plan_no: Some(p.order.plan_no.clone()),
            customer_name: p.order.customer_name.clone(),
            account: Some(p.order.account.clone()),
            payment_id: Some(p.id.clone()),
            amount: Some(p.order.amount),
            status: Some(p.status),
            paid_at: Some(stamp(&p.paid_at)),
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
        let missing = |field: &str| anyhow::anyhow!("payment of proposal {} without {field}", item.proposal_no);
        Ok(Self::Paid(Box::new(Payment {
            id: item.payment_id.clone().ok_or_else(|| missing("paymentId"))?,
            status: item.status.ok_or_else(|| missing("status"))?,
            paid_at: parse_time(item.paid_at.as_deref().ok_or_else(|| missing("paidAt"))?)?,
            cancelled_at: item.cancelled_at.as_deref().map(parse_time).transpose()?,
            version: item.version,
            order: PayOrder {
                plan_no: item.plan_no.clone().ok_or_else(|| missing("planNo"))?,
                amount: item.amount.ok_or_else(|| missing("amount"))?,
                account: item.account.clone().ok_or_else(|| missing("account"))?,
                proposal_no: item.proposal_no,
                customer_no: item.customer_no,
                customer_name: item.customer_name,
            },
        })))
    }
}

impl Payments for DynamoPayments {
    #[tracing::instrument(skip_all, fields(proposal_no = %proposal))]
    async fn find(&self, proposal: &ProposalNo) -> anyhow::Result<Option<Ledger>> {
        self.table.get::<EntryItem>(pk(proposal), SK).await?.map(Ledger::try_from).transpose()
    }

    #[tracing::instrument(skip_all, fields(proposal_no = %payment.order.proposal_no))]
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
        proposal: &ProposalNo,
        customer: &CustomerNo,
    ) -> Result<Applied, WriteError> {
        let item = EntryItem {
            pk: pk(proposal),
            sk: SK.to_owned(),
            kind: "Tombstone".to_owned(),
            proposal_no: proposal.clone(),
            customer_no: customer.clone(),
            plan_no: None,
            customer_name: String::new(),
            account: None,
            payment_id: None,
            amount: None,
            status: None,
            paid_at: None,
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
        let order = PayOrder {
            proposal_no: ProposalNo::parse("20261122000001").unwrap(),
            plan_no: PlanNo::parse("20261122000000").unwrap(),
            customer_no: CustomerNo::parse("000000002").unwrap(),
            customer_name: "양건우".to_owned(),
            amount: Won::new(80_000),
            account: Account {
                bank_code: "088".into(),
                bank_name: Some("신한".into()),
                account_no: "110123456789".into(),
                account_holder: "양건우".into(),
            },
        };
        let (payment, events) = Payment::approve(PaymentId::generate(), order, now).unwrap();
        let item = to_item(&EntryItem::from(&payment)).unwrap();
        assert_eq!(item["pk"].as_s().unwrap(), "PAYMENT#20261122000001");
        assert_eq!(item["status"].as_s().unwrap(), "Approved");
        assert_eq!(Ledger::try_from(from_item::<EntryItem>(item).unwrap()).unwrap(), Ledger::Paid(Box::new(payment)));
        let json = serde_json::to_value(published(&events[0]).1).unwrap();
        assert_eq!((json["type"].as_str(), json["data"]["amount"].as_u64()), (Some("PayApproved"), Some(80_000)));
    }
}
