//! Lambda: proposal's consumer of plan, product and payment events (SQS `ProposalInboxQueue`,
//! partial batch failures): [`proposal::policies::follow_events`]. Configuration:
//! [`proposal::wiring::ProposalOnEvents`].
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), platform::lambda::Error> {
    let deps = platform::lambda::start(proposal::wiring::ProposalOnEvents::from_env()).await?;
    platform::lambda::serve_events(|event| proposal::policies::follow_events(&deps.store, event)).await
}
