//! Proposal's reactions to events, named by their effect (queue `ProposalInboxQueue`,
//! subscribed to `PlanSaved`, `ProductDescriptionIssued` and `PayApproved`): [`follow_events`]
//! keeps the plan copies and reconciles a late payment. Each is applied once.

use anyhow::Context;
use contracts::payment::PaymentEvent;
use contracts::plan::PlanEvent;
use contracts::product::ProductEvent;
use platform::EventEnvelope;

use crate::application;
use crate::domain::{PaymentId, PlanTerms, ProposalNo};
use crate::ports::{PlanCopies, Proposals};

/// The inbox name of the consumer (part of its inbox items' keys: keep it).
pub const FOLLOW_INBOX: &str = "proposal-on-events";

/// Applies a plan, product or payment event to proposal, once; others are acknowledged.
///
/// # Errors
/// When the event is malformed (dead-lettered in the end), or storage keeps failing (retried).
pub async fn follow_events<S: PlanCopies + Proposals>(store: &S, event: EventEnvelope) -> anyhow::Result<()> {
    let followed = match event.event_type.as_str() {
        "PlanSaved" => {
            let PlanEvent::PlanSaved(p) = event.decode()? else { anyhow::bail!("not PlanSaved") };
            let terms = PlanTerms {
                version: p.version,
                customer_no: p.customer_no,
                customer_subject: p.customer_subject,
                customer_name: p.customer_name,
                product_code: p.product_code,
                product_name: p.product_name,
                insurance_period_years: p.terms.insurance_period_years,
                payment_period_years: p.terms.payment_period_years,
                payment_cycle: p.terms.payment_cycle,
                sum_insured: p.sum_insured,
                monthly_premium: p.monthly_premium,
            };
            Box::pin(application::keep_plan(store, &p.plan_no, &terms, &event)).await?
        }
        "ProductDescriptionIssued" => {
            let ProductEvent::ProductDescriptionIssued(d) = event.decode()?;
            Box::pin(application::description_issued(store, &d.plan_no, d.plan_version, &event)).await?
        }
        "PayApproved" => {
            let PaymentEvent::PayApproved(e) = event.decode()? else { anyhow::bail!("not PayApproved") };
            let no = ProposalNo::parse(&e.proposal_no).context("proposalNo")?;
            let payment = PaymentId::parse(&e.payment_id).context("paymentId")?;
            Box::pin(application::reconcile_paid(store, &no, &payment, &event)).await?
        }
        other => {
            tracing::info!(event_type = other, "not for proposal; acknowledged");
            return Ok(());
        }
    };
    tracing::info!(event_type = %event.event_type, ?followed, "event followed");
    Ok(())
}
