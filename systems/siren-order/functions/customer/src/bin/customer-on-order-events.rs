//! Lambda: the customer context's consumer of order events (SQS `CustomerInboxQueue`,
//! `ReportBatchItemFailures`): points earned and taken back. Environment:
//! `CUSTOMER_TABLE`, `POINTS_RATE_PERCENT`, `OUTBOX_RETENTION_DAYS`.

use std::time::Duration;

use aws_lambda_events::event::sqs::SqsEvent;
use customer::consumer::Points;
use customer::store::DynamoCustomers;
use lambda_runtime::{LambdaEvent, service_fn};
use platform::config;
use platform::inbox::{Inbox, for_each_event};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    platform::logging::init();
    let table = config::required("CUSTOMER_TABLE")?;
    let rate_percent: u64 = config::required_parsed("POINTS_RATE_PERCENT")?;
    let retention = Duration::from_secs(config::required_parsed::<u64>("OUTBOX_RETENTION_DAYS")? * 86_400);
    let sdk = platform::aws::sdk_config().await;
    let customers = DynamoCustomers::new(platform::aws::dynamodb(&sdk), &table, retention);
    let inbox = Inbox::new(customers.client().clone(), table, "customer-on-order-events", retention);
    let points = Points { customers, inbox, rate_percent };
    let points = &points;
    lambda_runtime::run(service_fn(move |batch: LambdaEvent<SqsEvent>| async move {
        Ok::<_, lambda_runtime::Error>(
            for_each_event(batch.payload, |event| customer::consumer::on_order_event(points, event)).await,
        )
    }))
    .await
}
