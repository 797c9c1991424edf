//! Payment's reaction to proposal events, named by its effect (queue `PaymentInboxQueue`,
//! subscribed to `ProposalEventsTopic` for `ProposalWithdrawn`): [`give_back`] cancels a
//! cancelled proposal's payment, or refuses a later one ahead with a tombstone. Applied once.

use anyhow::Context;
use contracts::proposal::ProposalEvent;
use platform::EventEnvelope;

use crate::application::{self, GivenBack};
use crate::domain::{CustomerNo, ProposalNo};
use crate::ports::Payments;

/// The inbox name of the proposal-event consumer (part of its inbox items' keys: keep it).
pub const PROPOSAL_EVENTS_INBOX: &str = "payment-on-proposal-events";

/// Cancels the payment of a withdrawn proposal (FR 11), or keeps a tombstone, once.
///
/// # Errors
/// When the event is malformed (dead-lettered in the end), or storage keeps failing (retried).
pub async fn give_back(payments: &impl Payments, event: EventEnvelope) -> anyhow::Result<()> {
    let (proposal, customer) = match event.decode::<ProposalEvent>().context("not a proposal event")? {
        ProposalEvent::ProposalWithdrawn(e) => (e.proposal_no, e.customer_no),
        ProposalEvent::ProposalSubmitted(_) | ProposalEvent::ContractConcluded(_) => {
            tracing::info!("not for payment; acknowledged");
            return Ok(());
        }
    };
    let proposal = ProposalNo::parse(&proposal).context("proposalNo")?;
    let customer = CustomerNo::parse(&customer).context("customerNo")?;
    match Box::pin(application::give_back(payments, &proposal, &customer, &event)).await? {
        GivenBack::Cancelled => tracing::info!(event_type = %event.event_type, "payment cancelled"),
        GivenBack::Tombstoned => tracing::info!("no payment yet: tombstone kept, a late one is refused"),
        GivenBack::Nothing => tracing::info!(event_type = %event.event_type, "nothing to give back"),
    }
    Ok(())
}
