//! Lambda: the order context's consumer of delivery events (SQS `OrderInboxQueue`,
//! `ReportBatchItemFailures`). Environment: `ORDER_TABLE`, `OUTBOX_RETENTION_DAYS`.

use std::time::Duration;

use aws_lambda_events::event::sqs::SqsEvent;
use lambda_runtime::{LambdaEvent, service_fn};
use order::store::DynamoOrders;
use platform::config;
use platform::inbox::{Inbox, for_each_event};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    platform::logging::init();
    let table = config::required("ORDER_TABLE")?;
    let retention = Duration::from_secs(config::required_parsed::<u64>("OUTBOX_RETENTION_DAYS")? * 86_400);
    let sdk = platform::aws::sdk_config().await;
    let orders = DynamoOrders::new(platform::aws::dynamodb(&sdk), &table, retention);
    let inbox = Inbox::new(orders.client().clone(), table, "order-on-delivery-events", retention);
    let (orders, inbox) = (&orders, &inbox);
    lambda_runtime::run(service_fn(move |batch: LambdaEvent<SqsEvent>| async move {
        Ok::<_, lambda_runtime::Error>(
            for_each_event(batch.payload, |event| order::consumer::on_delivery_event(orders, inbox, event)).await,
        )
    }))
    .await
}
