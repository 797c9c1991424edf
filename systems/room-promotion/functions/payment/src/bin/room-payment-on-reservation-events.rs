//! Lambda: payment's refunds and tombstones on reservation events (SQS `PaymentInboxQueue`,
//! partial batch failures). Configuration: [`payment::wiring::PayFunction`].
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), platform::lambda::Error> {
    let deps = platform::lambda::start(payment::wiring::PayFunction::from_env()).await?;
    platform::lambda::serve_events(|event| payment::policies::give_back(&deps.payments, event)).await
}
