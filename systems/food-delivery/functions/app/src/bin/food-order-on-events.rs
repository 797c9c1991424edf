//! Lambda: the app's consumer of store and payment events (SQS `OrderInboxQueue`, partial
//! batch failures): [`app::policies::follow_events`]. Configuration: [`app::wiring::OrderOnEvents`].
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), platform::lambda::Error> {
    let deps = platform::lambda::start(app::wiring::OrderOnEvents::from_env()).await?;
    platform::lambda::serve_events(|event| app::policies::follow_events(&deps, event)).await
}
