//! Lambda: the `earn_points` policy on `CustomerInboxQueue` (`OrderPlaced`, `OrderCancelled`).
//! Configuration: [`customer::wiring::EarnPoints`].
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), platform::lambda::Error> {
    let deps = platform::lambda::start(customer::wiring::EarnPoints::from_env()).await?;
    platform::lambda::serve_events(|event| customer::policies::earn_points(&deps.ledger, deps.rate, event)).await
}
