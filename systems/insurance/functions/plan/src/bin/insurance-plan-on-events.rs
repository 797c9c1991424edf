//! Lambda: plan's consumer of customer and product events (SQS `PlanInboxQueue`, partial batch
//! failures): [`plan::policies::follow_events`]. Configuration: [`plan::wiring::PlanOnEvents`].
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), platform::lambda::Error> {
    let deps = platform::lambda::start(plan::wiring::PlanOnEvents::from_env()).await?;
    platform::lambda::serve_events(|event| plan::policies::follow_events(&deps.store, event)).await
}
