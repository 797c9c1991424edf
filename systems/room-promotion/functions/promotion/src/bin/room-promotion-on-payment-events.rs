//! Lambda: promotion's grants and revocations on payment events (SQS `PromotionInboxQueue`,
//! partial batch failures). Configuration: [`promotion::wiring::PromotionOnPaymentEvents`].
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), platform::lambda::Error> {
    let deps = platform::lambda::start(promotion::wiring::PromotionOnPaymentEvents::from_env()).await?;
    platform::lambda::serve_events(|event| promotion::policies::grant_or_revoke(&deps.promotions, event)).await
}
