//! The DynamoDB adapter of proposal (table `PROPOSAL_TABLE`): implements [`PlanCopies`] and
//! [`Proposals`], with typed items mapped by `serde_dynamo`.
//!
//! Items (`pk`, `sk`, `kind`, then attributes):
//! - a plan copy: `COPY#<planNo>`, `COPY`, `PlanCopy`; `planNo`, `latest` (the newest terms,
//!   with their version), `issuedVersion`, `revision`;
//! - a proposal: `PROPOSAL#<no>`, `PROPOSAL`, `Proposal`; `proposalNo`, `planNo`, `terms` (the
//!   snapshot), `firstPremium` (won), `status`, `paymentId`, `submittedAt`, `contractedAt`,
//!   `withdrawnAt`, `version`;
//! - a plan's live-proposal lock: `LIVE#<planNo>`, `LIVE`, `LiveProposal`; `proposalNo`.
//!   Written with the proposal only if new (one live proposal per plan), deleted with its
//!   withdrawal;
//! - the first answer of a `POST /proposals` with an `Idempotency-Key`, outbox items (relayed to
//!   `ProposalEventsTopic`), the consumer's inbox items, and the shared breaker's item for
//!   payment.

use std::time::Duration;

use anyhow::Context;
use aws_sdk_dynamodb::types::{AttributeValue, Delete, TransactWriteItem};
use chrono::{DateTime, Utc};
use contracts::proposal as wire;
use platform::EventEnvelope;
use platform::Won;
use platform::dynamo::{Condition, Table, WriteError, to_item};
use platform::idempotency::{IdempotencyKey, IdempotencyRecord};
use platform::inbox::{Applied, Inbox};
use platform::outbox::Outbox;
use serde::{Deserialize, Serialize};

use crate::SOURCE;
use crate::domain::{PaymentId, PlanCopy, PlanTerms, Proposal, ProposalEvent, ProposalNo, ProposalStatus};
use crate::ports::{PlanCopies, Proposals};

/// Proposal's items in DynamoDB; with an outbox for functions that publish, and an inbox for
/// the event consumer.
#[derive(Debug, Clone)]
pub struct DynamoProposals {
    table: Table,
    outbox: Option<Outbox>,
    inbox: Option<Inbox>,
}

impl DynamoProposals {
    /// The adapter for `table`, without outbox or inbox: it reads.
    pub fn new(client: aws_sdk_dynamodb::Client, table: impl Into<String>) -> Self {
        Self { table: Table::new(client, table), outbox: None, inbox: None }
    }

    /// The adapter that also publishes events, whose outbox items expire after `retention`.
    #[must_use]
    pub fn with_outbox(self, retention: Duration) -> Self {
        let outbox = Outbox::new(self.table.name(), retention);
        Self { outbox: Some(outbox), ..self }
    }

    /// The adapter that also applies consumed events once, through the inbox of `consumer`.
    #[must_use]
    pub fn with_inbox(self, consumer: &str, retention: Duration) -> Self {
        let inbox = Inbox::new(self.table.client().clone(), self.table.name(), consumer, retention);
        Self { inbox: Some(inbox), ..self }
    }

    fn outbox_items(
        &self,
        events: &[ProposalEvent],
        causation: Option<&str>,
    ) -> Result<Vec<TransactWriteItem>, WriteError> {
        let mut items = Vec::new();
        for event in events {
            let outbox = self.outbox.as_ref().context("this function has no outbox, yet a change has events")?;
            let (no, wire_event) = published(event);
            items.push(outbox.put(&EventEnvelope::wrap(SOURCE, no.as_str(), causation, &wire_event)));
        }
        Ok(items)
    }

    fn unlock(&self, plan_no: &str) -> anyhow::Result<TransactWriteItem> {
        let delete = Delete::builder()
            .table_name(self.table.name())
            .set_key(Some(platform::dynamo::key(live_pk(plan_no), LIVE_SK)))
            .build()?;
        Ok(TransactWriteItem::builder().delete(delete).build())
    }

    async fn apply_once(&self, cause: &EventEnvelope, items: Vec<TransactWriteItem>) -> Result<Applied, WriteError> {
        let inbox = self.inbox.as_ref().context("only the consumer has an inbox")?;
        // Boxed: the SDK's nested futures would otherwise exceed the compiler's layout depth.
        Ok(Box::pin(inbox.apply_once(cause, items)).await?)
    }
}

/// The wire form of `event`, with its correlation id (the proposal number).
fn published(event: &ProposalEvent) -> (&ProposalNo, wire::ProposalEvent) {
    match event {
        ProposalEvent::Submitted(p) => (
            &p.proposal_no,
            wire::ProposalEvent::ProposalSubmitted(wire::ProposalSubmitted {
                proposal_no: p.proposal_no.to_string(),
                plan_no: p.plan_no.clone(),
                customer_no: p.terms.customer_no.clone(),
                product_name: p.terms.product_name.clone(),
                first_premium: p.first_premium,
            }),
        ),
        ProposalEvent::Concluded(p) => (
            &p.proposal_no,
            wire::ProposalEvent::ContractConcluded(wire::ContractConcluded {
                proposal_no: p.proposal_no.to_string(),
                plan_no: p.plan_no.clone(),
                customer_no: p.terms.customer_no.clone(),
                payment_id: p.payment_id.as_ref().map(ToString::to_string).unwrap_or_default(),
                amount: p.first_premium,
            }),
        ),
        ProposalEvent::Withdrawn(p) => (
            &p.proposal_no,
            wire::ProposalEvent::ProposalWithdrawn(wire::ProposalWithdrawn {
                proposal_no: p.proposal_no.to_string(),
                plan_no: p.plan_no.clone(),
                customer_no: p.terms.customer_no.clone(),
                payment_id: p.payment_id.as_ref().map(ToString::to_string),
            }),
        ),
    }
}

const COPY_SK: &str = "COPY";
const PROPOSAL_SK: &str = "PROPOSAL";
const LIVE_SK: &str = "LIVE";

fn copy_pk(plan_no: &str) -> String {
    format!("COPY#{plan_no}")
}

fn proposal_pk(no: &ProposalNo) -> String {
    format!("PROPOSAL#{no}")
}

fn live_pk(plan_no: &str) -> String {
    format!("LIVE#{plan_no}")
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CopyItem {
    pk: String,
    sk: String,
    kind: String,
    plan_no: String,
    latest: Option<PlanTerms>,
    issued_version: Option<u64>,
    revision: u64,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ProposalItem {
    pk: String,
    sk: String,
    kind: String,
    proposal_no: ProposalNo,
    plan_no: String,
    terms: PlanTerms,
    first_premium: Won,
    status: ProposalStatus,
    payment_id: Option<PaymentId>,
    submitted_at: DateTime<Utc>,
    contracted_at: Option<DateTime<Utc>>,
    withdrawn_at: Option<DateTime<Utc>>,
    version: u64,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct LiveItem {
    pk: String,
    sk: String,
    kind: String,
    proposal_no: ProposalNo,
}

impl From<&Proposal> for ProposalItem {
    fn from(p: &Proposal) -> Self {
        Self {
            pk: proposal_pk(&p.proposal_no),
            sk: PROPOSAL_SK.to_owned(),
            kind: "Proposal".to_owned(),
            proposal_no: p.proposal_no.clone(),
            plan_no: p.plan_no.clone(),
            terms: p.terms.clone(),
            first_premium: p.first_premium,
            status: p.status,
            payment_id: p.payment_id.clone(),
            submitted_at: p.submitted_at,
            contracted_at: p.contracted_at,
            withdrawn_at: p.withdrawn_at,
            version: p.version,
        }
    }
}

impl From<ProposalItem> for Proposal {
    fn from(i: ProposalItem) -> Self {
        Self {
            proposal_no: i.proposal_no,
            plan_no: i.plan_no,
            terms: i.terms,
            first_premium: i.first_premium,
            status: i.status,
            payment_id: i.payment_id,
            submitted_at: i.submitted_at,
            contracted_at: i.contracted_at,
            withdrawn_at: i.withdrawn_at,
            version: i.version,
        }
    }
}

impl PlanCopies for DynamoProposals {
    async fn find_copy(&self, plan_no: &str) -> anyhow::Result<Option<PlanCopy>> {
        Ok(self.table.get::<CopyItem>(copy_pk(plan_no), COPY_SK).await?.map(|i| PlanCopy {
            plan_no: i.plan_no,
            latest: i.latest,
            issued_version: i.issued_version,
            revision: i.revision,
        }))
    }

    async fn save_copy_once(
        &self,
        cause: &EventEnvelope,
        copy: &PlanCopy,
        expected: u64,
    ) -> Result<Applied, WriteError> {
        let item = CopyItem {
            pk: copy_pk(&copy.plan_no),
            sk: COPY_SK.to_owned(),
            kind: "PlanCopy".to_owned(),
            plan_no: copy.plan_no.clone(),
            latest: copy.latest.clone(),
            issued_version: copy.issued_version,
            revision: copy.revision,
        };
        let condition = if expected == 0 {
            Condition::New
        } else {
            Condition::Expression(
                "revision = :expected".to_owned(),
                vec![(":expected".to_owned(), AttributeValue::N(expected.to_string()))],
            )
        };
        self.apply_once(cause, vec![self.table.put(to_item(&item)?, condition)]).await
    }
}

impl Proposals for DynamoProposals {
    async fn find(&self, no: &ProposalNo) -> anyhow::Result<Option<Proposal>> {
        Ok(self.table.get::<ProposalItem>(proposal_pk(no), PROPOSAL_SK).await?.map(Proposal::from))
    }

    async fn find_idempotency(&self, subject: &str, key: &IdempotencyKey) -> anyhow::Result<Option<IdempotencyRecord>> {
        platform::idempotency::find(&self.table, subject, key).await
    }

    async fn submit(
        &self,
        proposal: &Proposal,
        events: &[ProposalEvent],
        answer: Option<(&IdempotencyKey, &IdempotencyRecord)>,
    ) -> Result<(), WriteError> {
        let live = LiveItem {
            pk: live_pk(&proposal.plan_no),
            sk: LIVE_SK.to_owned(),
            kind: "LiveProposal".to_owned(),
            proposal_no: proposal.proposal_no.clone(),
        };
        let mut items = vec![
            self.table.put(to_item(&ProposalItem::from(proposal))?, Condition::New),
            self.table.put(to_item(&live)?, Condition::New),
        ];
        items.extend(self.outbox_items(events, None)?);
        if let Some((key, record)) = answer {
            items.push(
                self.table
                    .put(platform::idempotency::item(&proposal.terms.customer_subject, key, record)?, Condition::New),
            );
        }
        self.table.write(items).await
    }

    async fn save(
        &self,
        proposal: &Proposal,
        expected_version: u64,
        events: &[ProposalEvent],
    ) -> Result<(), WriteError> {
        let mut items =
            vec![self.table.put(to_item(&ProposalItem::from(proposal))?, Condition::Version(expected_version))];
        if proposal.status == ProposalStatus::Withdrawn {
            items.push(self.unlock(&proposal.plan_no)?);
        }
        items.extend(self.outbox_items(events, None)?);
        self.table.write(items).await
    }

    async fn save_once(
        &self,
        cause: &EventEnvelope,
        proposal: &Proposal,
        expected_version: u64,
        events: &[ProposalEvent],
    ) -> Result<Applied, WriteError> {
        let mut items =
            vec![self.table.put(to_item(&ProposalItem::from(proposal))?, Condition::Version(expected_version))];
        items.extend(self.outbox_items(events, Some(&cause.id))?);
        self.apply_once(cause, items).await
    }

    async fn skip_once(&self, cause: &EventEnvelope) -> Result<Applied, WriteError> {
        self.apply_once(cause, Vec::new()).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use platform::dynamo::from_item;

    #[test]
    fn a_proposal_round_trips_through_its_item_and_its_events_name_the_plan() {
        let terms = PlanTerms {
            version: 1,
            customer_no: "000000002".into(),
            customer_subject: "auth0|y".into(),
            customer_name: "양건우".into(),
            product_code: "P00000005".into(),
            product_name: "(무)재해사망보장".into(),
            insurance_period_years: 20,
            payment_period_years: 20,
            payment_cycle: "Monthly".into(),
            sum_insured: Won::new(50_000_000),
            monthly_premium: Won::new(80_000),
        };
        let copy =
            PlanCopy { plan_no: "20261122000000".into(), latest: Some(terms), issued_version: Some(1), revision: 2 };
        let now = chrono::SubsecRound::trunc_subsecs(Utc::now(), 3);
        let (submitted, events) = Proposal::submit(ProposalNo::random(), &copy, now).unwrap();
        let (contracted, _) = submitted.paid(PaymentId::parse("p-1").unwrap(), now).unwrap().unwrap();
        let item = to_item(&ProposalItem::from(&contracted)).unwrap();
        assert_eq!(item["status"].as_s().unwrap(), "Contracted");
        assert_eq!(Proposal::from(from_item::<ProposalItem>(item).unwrap()), contracted);
        let json = serde_json::to_value(published(&events[0]).1).unwrap();
        assert_eq!(
            (json["type"].as_str(), json["data"]["firstPremium"].as_u64()),
            (Some("ProposalSubmitted"), Some(80_000))
        );
        assert_eq!(json["data"]["planNo"], "20261122000000");
    }
}
