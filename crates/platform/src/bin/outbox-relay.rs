//! Lambda: the outbox relay of one context (DynamoDB stream and a schedule -> SNS topic).
//! Environment: `TOPIC_ARN`, `OUTBOX_TABLE`, optionally `OUTBOX_SWEEP_GRACE_SECONDS`
//! ([`platform::relay::Relay::from_env`]). Event sources: the table's stream, filtered on
//! outbox inserts, with `ReportBatchItemFailures`; a `Schedule` that runs the sweep.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), platform::lambda::Error> {
    let relay = platform::lambda::start(platform::relay::Relay::from_env()).await?;
    platform::lambda::serve_stream_and_schedule(|batch| relay.handle(batch), |tick| relay.sweep(tick.time)).await
}
