//! The consumer of `AlarmInboxQueue`, named by its effect: [`notify_customer`]. The queue is
//! subscribed to `CustomerRegistered` (who may read a customer's messages),
//! `ProductDescriptionIssued`, `ProposalSubmitted`, `ContractConcluded`, `ProposalWithdrawn` and
//! `PayCancelled`.

use contracts::customer::CustomerEvent;
use contracts::payment::PaymentEvent;
use contracts::product::ProductEvent;
use contracts::proposal::ProposalEvent;
use platform::EventEnvelope;

use crate::application;
use crate::domain::Occasion;
use crate::ports::Messages;

/// Sends the customer the message an event calls for, once.
///
/// # Errors
/// When the event is malformed (dead-lettered in the end), or storage keeps failing (retried).
pub async fn notify_customer(messages: &impl Messages, event: EventEnvelope) -> anyhow::Result<()> {
    let (occasion, customer, plan) = match event.event_type.as_str() {
        "CustomerRegistered" => {
            let CustomerEvent::CustomerRegistered(c) = event.decode()?;
            let applied = Box::pin(application::keep_customer(messages, &c.customer_no, &c.subject, &event)).await?;
            tracing::info!(?applied, "customer known");
            return Ok(());
        }
        "ProductDescriptionIssued" => {
            let ProductEvent::ProductDescriptionIssued(d) = event.decode()?;
            (Occasion::ProductDescriptionIssued { product_name: d.product_name }, d.customer_no, d.plan_no)
        }
        "ProposalSubmitted" | "ContractConcluded" | "ProposalWithdrawn" => match event.decode()? {
            ProposalEvent::ProposalSubmitted(e) => (
                Occasion::ProposalSubmitted { proposal_no: e.proposal_no, first_premium: e.first_premium },
                e.customer_no,
                e.plan_no,
            ),
            ProposalEvent::ContractConcluded(e) => {
                (Occasion::ContractConcluded { proposal_no: e.proposal_no, amount: e.amount }, e.customer_no, e.plan_no)
            }
            ProposalEvent::ProposalWithdrawn(e) => {
                (Occasion::ProposalWithdrawn { proposal_no: e.proposal_no }, e.customer_no, e.plan_no)
            }
        },
        "PayCancelled" => match event.decode()? {
            PaymentEvent::PayCancelled(e) => (Occasion::PayCancelled { amount: e.amount }, e.customer_no, e.plan_no),
            PaymentEvent::PayApproved(_) => return Ok(()),
        },
        other => {
            tracing::info!(event_type = other, "not a message occasion; acknowledged");
            return Ok(());
        }
    };
    let applied = Box::pin(application::notify(messages, &occasion, (&customer, &plan), &event)).await?;
    tracing::info!(event_type = %event.event_type, ?applied, "customer notified");
    Ok(())
}
