//! Lambda: the report's consumer (SQS `ReportInboxQueue`).
//! Configuration: [`report::wiring::ReportOnEvents`].
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), platform::lambda::Error> {
    let deps = platform::lambda::start(report::wiring::ReportOnEvents::from_env()).await?;
    platform::lambda::serve_events(|event| report::policies::record_sales_facts(&deps.facts, &deps.zone, event)).await
}
