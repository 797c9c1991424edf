//! Lambda: product issues descriptions on `ProductDescriptionRequested` (SQS `ProductInboxQueue`,
//! partial batch failures). Configuration: [`product::wiring::ProductFunction`].
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), platform::lambda::Error> {
    let deps = platform::lambda::start(product::wiring::ProductFunction::consumer_from_env()).await?;
    platform::lambda::serve_events(|event| product::policies::issue_description(&deps.products, event)).await
}
