//! The DynamoDB adapter of plan (table `PLAN_TABLE`): implements [`Customers`] and [`Plans`].
//!
//! Items (`pk`, `sk`, `kind`, then attributes):
//! - a customer copy: `CUSTOMER#<customerNo>`, `CUSTOMER`, `CustomerCopy`; `customerNo`,
//!   `name`, `birthDate`, `subject`. Written only if new;
//! - a plan: `PLAN#<planNo>`, `PLAN`, `Plan`; `planNo`, `planDate`, `customer` (the copy),
//!   `design` (`productCode`, `sumInsured`, periods, `paymentCycle`, planner and sales fields),
//!   `productName`, `monthlyPremium`, `status`, `descriptionIssuedOn`, `version` (the
//!   business version), `revision` (the write counter every write conditions on), `updatedAt`;
//! - the first answer of a `POST /plans` with an `Idempotency-Key`, outbox items (relayed to
//!   `PlanEventsTopic`), the consumer's inbox items, and the shared breaker's item for product.

use std::time::Duration;

use anyhow::Context;
use aws_sdk_dynamodb::types::TransactWriteItem;
use chrono::{DateTime, NaiveDate, Utc};
use contracts::plan as wire;
use platform::EventEnvelope;
use platform::Won;
use platform::dynamo::{Condition, Table, WriteError, to_item};
use platform::idempotency::{IdempotencyKey, IdempotencyRecord};
use platform::inbox::{Applied, Inbox};
use platform::outbox::Outbox;
use serde::{Deserialize, Serialize};

use crate::SOURCE;
use crate::domain::{CustomerCopy, Design, Plan, PlanEvent, PlanNo, PlanStatus};
use crate::ports::{Customers, Plans};

/// Plan's items in DynamoDB; with an outbox for functions that publish, and an inbox for the
/// event consumer.
#[derive(Debug, Clone)]
pub struct DynamoPlans {
    table: Table,
    outbox: Option<Outbox>,
    inbox: Option<Inbox>,
}

impl DynamoPlans {
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

    fn outbox_items(&self, events: &[PlanEvent]) -> Result<Vec<TransactWriteItem>, WriteError> {
        let mut items = Vec::new();
        for event in events {
            let outbox = self.outbox.as_ref().context("this function has no outbox, yet a change has events")?;
            let (no, wire_event) = published(event);
            items.push(outbox.put(&EventEnvelope::wrap(SOURCE, no.as_str(), None, &wire_event)));
        }
        Ok(items)
    }

    async fn apply_once(&self, cause: &EventEnvelope, items: Vec<TransactWriteItem>) -> Result<Applied, WriteError> {
        let inbox = self.inbox.as_ref().context("only the consumer has an inbox")?;
        // Boxed: the SDK's nested futures would otherwise exceed the compiler's layout depth.
        Ok(Box::pin(inbox.apply_once(cause, items)).await?)
    }
}

fn terms(design: &Design) -> contracts::Terms {
    contracts::Terms {
        insurance_period_years: design.insurance_period_years,
        payment_period_years: design.payment_period_years,
        payment_cycle: design.payment_cycle.to_string(),
    }
}

/// The wire form of `event`, with its correlation id (the plan number).
fn published(event: &PlanEvent) -> (&PlanNo, wire::PlanEvent) {
    match event {
        PlanEvent::Saved(p) => (
            &p.plan_no,
            wire::PlanEvent::PlanSaved(wire::PlanSaved {
                plan_no: p.plan_no.to_string(),
                version: p.version,
                customer_no: p.customer.customer_no.clone(),
                customer_subject: p.customer.subject.clone(),
                customer_name: p.customer.name.clone(),
                product_code: p.design.product_code.clone(),
                product_name: p.product_name.clone(),
                terms: terms(&p.design),
                sum_insured: p.design.sum_insured,
                monthly_premium: p.monthly_premium,
                plan_date: p.plan_date.to_string(),
            }),
        ),
        PlanEvent::DescriptionRequested(p) => (
            &p.plan_no,
            wire::PlanEvent::ProductDescriptionRequested(wire::ProductDescriptionRequested {
                plan_no: p.plan_no.to_string(),
                version: p.version,
                customer_no: p.customer.customer_no.clone(),
                product_code: p.design.product_code.clone(),
                terms: terms(&p.design),
                sum_insured: p.design.sum_insured,
                monthly_premium: p.monthly_premium,
            }),
        ),
    }
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CustomerItem {
    pk: String,
    sk: String,
    kind: String,
    #[serde(flatten)]
    copy: CustomerCopy,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PlanItem {
    pk: String,
    sk: String,
    kind: String,
    plan_no: PlanNo,
    plan_date: NaiveDate,
    customer: CustomerCopy,
    design: Design,
    product_name: String,
    monthly_premium: Won,
    status: PlanStatus,
    description_issued_on: Option<NaiveDate>,
    version: u64,
    revision: u64,
    updated_at: DateTime<Utc>,
}

const PLAN_SK: &str = "PLAN";

fn plan_pk(no: &PlanNo) -> String {
    format!("PLAN#{no}")
}

impl From<&Plan> for PlanItem {
    fn from(p: &Plan) -> Self {
        Self {
            pk: plan_pk(&p.plan_no),
            sk: PLAN_SK.to_owned(),
            kind: "Plan".to_owned(),
            plan_no: p.plan_no.clone(),
            plan_date: p.plan_date,
            customer: p.customer.clone(),
            design: p.design.clone(),
            product_name: p.product_name.clone(),
            monthly_premium: p.monthly_premium,
            status: p.status,
            description_issued_on: p.description_issued_on,
            version: p.version,
            revision: p.revision,
            updated_at: p.updated_at,
        }
    }
}

impl From<PlanItem> for Plan {
    fn from(i: PlanItem) -> Self {
        Self {
            plan_no: i.plan_no,
            plan_date: i.plan_date,
            customer: i.customer,
            design: i.design,
            product_name: i.product_name,
            monthly_premium: i.monthly_premium,
            status: i.status,
            description_issued_on: i.description_issued_on,
            version: i.version,
            revision: i.revision,
            updated_at: i.updated_at,
        }
    }
}

fn at_revision(expected: u64) -> Condition {
    Condition::Expression(
        "revision = :expected".to_owned(),
        vec![(":expected".to_owned(), aws_sdk_dynamodb::types::AttributeValue::N(expected.to_string()))],
    )
}

impl Customers for DynamoPlans {
    async fn find_customer(&self, no: &str) -> anyhow::Result<Option<CustomerCopy>> {
        Ok(self.table.get::<CustomerItem>(format!("CUSTOMER#{no}"), "CUSTOMER").await?.map(|i| i.copy))
    }

    async fn save_customer_once(&self, cause: &EventEnvelope, copy: &CustomerCopy) -> Result<Applied, WriteError> {
        let item = CustomerItem {
            pk: format!("CUSTOMER#{}", copy.customer_no),
            sk: "CUSTOMER".to_owned(),
            kind: "CustomerCopy".to_owned(),
            copy: copy.clone(),
        };
        self.apply_once(cause, vec![self.table.put(to_item(&item)?, Condition::New)]).await
    }
}

impl Plans for DynamoPlans {
    async fn find(&self, no: &PlanNo) -> anyhow::Result<Option<Plan>> {
        Ok(self.table.get::<PlanItem>(plan_pk(no), PLAN_SK).await?.map(Plan::from))
    }

    async fn find_idempotency(&self, subject: &str, key: &IdempotencyKey) -> anyhow::Result<Option<IdempotencyRecord>> {
        platform::idempotency::find(&self.table, subject, key).await
    }

    async fn create(
        &self,
        plan: &Plan,
        events: &[PlanEvent],
        answer: Option<(&IdempotencyKey, &IdempotencyRecord)>,
    ) -> Result<(), WriteError> {
        let mut items = vec![self.table.put(to_item(&PlanItem::from(plan))?, Condition::New)];
        items.extend(self.outbox_items(events)?);
        if let Some((key, record)) = answer {
            items.push(
                self.table.put(platform::idempotency::item(&plan.customer.subject, key, record)?, Condition::New),
            );
        }
        self.table.write(items).await
    }

    async fn save(&self, plan: &Plan, expected: u64, events: &[PlanEvent]) -> Result<(), WriteError> {
        let mut items = vec![self.table.put(to_item(&PlanItem::from(plan))?, at_revision(expected))];
        items.extend(self.outbox_items(events)?);
        self.table.write(items).await
    }

    async fn save_once(&self, cause: &EventEnvelope, plan: &Plan, expected: u64) -> Result<Applied, WriteError> {
        self.apply_once(cause, vec![self.table.put(to_item(&PlanItem::from(plan))?, at_revision(expected))]).await
    }

    async fn skip_once(&self, cause: &EventEnvelope) -> Result<Applied, WriteError> {
        self.apply_once(cause, Vec::new()).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{PaymentCycle, Quoted};
    use platform::dynamo::from_item;

    #[test]
    fn a_plan_round_trips_through_its_item_and_plan_saved_carries_its_terms() {
        let customer = CustomerCopy {
            customer_no: "000000002".into(),
            name: "양건우".into(),
            birth_date: NaiveDate::from_ymd_opt(1985, 3, 15).unwrap(),
            subject: "auth0|y".into(),
        };
        let design = Design {
            product_code: "P00000005".into(),
            sum_insured: Won::new(50_000_000),
            insurance_period_years: 20,
            payment_period_years: 20,
            payment_cycle: PaymentCycle::Monthly,
            planner_no: Some("E0001".into()),
            planner_name: None,
            sales_org_no: None,
            sales_org_name: None,
        };
        let quoted = Quoted { product_name: "(무)재해사망보장".into(), monthly_premium: Won::new(80_000) };
        let now = chrono::SubsecRound::trunc_subsecs(Utc::now(), 3);
        let (plan, events) = Plan::design(PlanNo::random(), customer, design, quoted, now);
        let item = to_item(&PlanItem::from(&plan)).unwrap();
        assert_eq!(item["status"].as_s().unwrap(), "Designed");
        assert_eq!(Plan::from(from_item::<PlanItem>(item).unwrap()), plan);
        let json = serde_json::to_value(published(&events[0]).1).unwrap();
        assert_eq!(json["type"], "PlanSaved");
        assert_eq!(
            (json["data"]["monthlyPremium"].as_u64(), json["data"]["terms"]["paymentCycle"].as_str()),
            (Some(80_000), Some("Monthly"))
        );
    }
}
