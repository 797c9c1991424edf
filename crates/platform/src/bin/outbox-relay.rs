//! Lambda: the outbox relay of one context (DynamoDB stream -> SNS topic).
//!
//! Environment: `TOPIC_ARN`, the context's events topic. Event source: the context
//! table's stream, filtered on outbox inserts, with `ReportBatchItemFailures`.

use lambda_runtime::{LambdaEvent, service_fn};
use platform::relay::Relay;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    platform::logging::init();
    let topic_arn = platform::config::required("TOPIC_ARN")?;
    let config = platform::aws::sdk_config().await;
    let relay = Relay::new(platform::aws::sns(&config), topic_arn);
    let relay = &relay;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<aws_lambda_events::event::dynamodb::Event>| async move {
        Ok::<_, lambda_runtime::Error>(relay.handle(event.payload).await)
    }))
    .await
}
