//! Lambda: the outbox relay of one context (DynamoDB stream -> SNS topic). Environment:
//! `TOPIC_ARN`, the context's events topic ([`platform::relay::Relay::from_env`]). Event
//! source: the context table's stream, filtered on outbox inserts, with
//! `ReportBatchItemFailures`.

#[tokio::main]
async fn main() -> Result<(), platform::lambda::Error> {
    let relay = platform::lambda::start(platform::relay::Relay::from_env()).await?;
    platform::lambda::serve_stream(|batch| relay.handle(batch)).await
}
