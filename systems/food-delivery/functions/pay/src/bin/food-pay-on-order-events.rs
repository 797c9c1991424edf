//! Lambda: pay's refunds and voids on order events (SQS `PaymentInboxQueue`, partial batch
//! failures). Configuration: [`pay::wiring::PayFunction`].
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), platform::lambda::Error> {
    let deps = platform::lambda::start(pay::wiring::PayFunction::from_env()).await?;
    platform::lambda::serve_events(|event| pay::policies::give_back(&deps.payments, event)).await
}
