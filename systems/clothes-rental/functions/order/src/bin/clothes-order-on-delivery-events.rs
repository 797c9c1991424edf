//! Lambda: SQS `OrderInboxQueue` (delivery events). Configuration: [`order::wiring::FollowDelivery`].
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), platform::lambda::Error> {
    let deps = platform::lambda::start(order::wiring::FollowDelivery::from_env()).await?;
    platform::lambda::serve_events(|event| order::policies::follow_delivery(&deps, event)).await
}
