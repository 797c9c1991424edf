//! The my page's consumer, named by its effect (queue `MyPageInboxQueue`, subscribed to
//! `CustomerRegistered`, `PlanSaved`, `ProductDescriptionIssued`, `ProposalSubmitted`,
//! `ContractConcluded`, `ProposalWithdrawn`, `PayApproved` and `PayCancelled`):
//! [`record_progress`]. Each event is applied once.

use anyhow::Context;
use chrono::{DateTime, Utc};
use contracts::customer::CustomerEvent;
use contracts::payment::PaymentEvent;
use contracts::plan::PlanEvent;
use contracts::product::ProductEvent;
use contracts::proposal::ProposalEvent;
use platform::EventEnvelope;

use crate::application;
use crate::domain::Change;
use crate::ports::MyPages;

/// The inbox name of the consumer (part of its inbox items' keys: keep it).
pub const MYPAGE_INBOX: &str = "mypage-on-events";

fn seoul_day(at: &str) -> anyhow::Result<chrono::NaiveDate> {
    let at: DateTime<Utc> = at.parse().context("issuedAt")?;
    Ok(contracts::seoul_date(at))
}

/// Records the progress an event tells in its customer's row, once.
///
/// # Errors
/// When the event is malformed (dead-lettered in the end), or storage keeps failing (retried).
pub async fn record_progress(pages: &impl MyPages, event: EventEnvelope) -> anyhow::Result<()> {
    let (customer, plan, change) = match event.event_type.as_str() {
        "CustomerRegistered" => {
            let CustomerEvent::CustomerRegistered(c) = event.decode()?;
            let applied = Box::pin(application::keep_customer(pages, &c.customer_no, &c.subject, &event)).await?;
            tracing::info!(?applied, "customer known");
            return Ok(());
        }
        "PlanSaved" => {
            let PlanEvent::PlanSaved(p) = event.decode()? else { anyhow::bail!("not PlanSaved") };
            let change = Change::PlanSaved {
                version: p.version,
                product_name: p.product_name,
                sum_insured: p.sum_insured,
                monthly_premium: p.monthly_premium,
            };
            (p.customer_no, p.plan_no, change)
        }
        "ProductDescriptionIssued" => {
            let ProductEvent::ProductDescriptionIssued(d) = event.decode()?;
            let change = Change::DescriptionIssued {
                plan_version: d.plan_version,
                product_name: d.product_name,
                issued_on: seoul_day(&d.issued_at)?,
            };
            (d.customer_no, d.plan_no, change)
        }
        "ProposalSubmitted" | "ContractConcluded" | "ProposalWithdrawn" => match event.decode()? {
            ProposalEvent::ProposalSubmitted(e) => (
                e.customer_no,
                e.plan_no,
                Change::ProposalSubmitted { proposal_no: e.proposal_no, product_name: e.product_name },
            ),
            ProposalEvent::ContractConcluded(e) => {
                (e.customer_no, e.plan_no, Change::ContractConcluded { proposal_no: e.proposal_no, amount: e.amount })
            }
            ProposalEvent::ProposalWithdrawn(e) => {
                (e.customer_no, e.plan_no, Change::ProposalWithdrawn { proposal_no: e.proposal_no })
            }
        },
        "PayApproved" | "PayCancelled" => match event.decode()? {
            PaymentEvent::PayApproved(e) => {
                (e.customer_no, e.plan_no, Change::PayApproved { proposal_no: e.proposal_no, amount: e.amount })
            }
            PaymentEvent::PayCancelled(e) => {
                (e.customer_no, e.plan_no, Change::PayCancelled { proposal_no: e.proposal_no })
            }
        },
        other => {
            tracing::info!(event_type = other, "not for the my page; acknowledged");
            return Ok(());
        }
    };
    let applied = Box::pin(application::follow(pages, (&customer, &plan), &change, event.occurred_at, &event)).await?;
    tracing::info!(event_type = %event.event_type, ?applied, "my page");
    Ok(())
}
