//! Lambda: the counter's consumer of order events (SQS `DeliveryInboxQueue`,
//! `ReportBatchItemFailures`). Environment: `DELIVERY_TABLE`, `OUTBOX_RETENTION_DAYS`,
//! `SHOP_TIME_ZONE` (IANA name, e.g. `Asia/Seoul`).

use std::time::Duration;

use aws_lambda_events::event::sqs::SqsEvent;
use delivery::consumer::Counter;
use delivery::store::DynamoTickets;
use lambda_runtime::{LambdaEvent, service_fn};
use platform::config;
use platform::inbox::{Inbox, for_each_event};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    platform::logging::init();
    let table = config::required("DELIVERY_TABLE")?;
    let retention = Duration::from_secs(config::required_parsed::<u64>("OUTBOX_RETENTION_DAYS")? * 86_400);
    let zone: chrono_tz::Tz = config::required_parsed("SHOP_TIME_ZONE")?;
    let sdk = platform::aws::sdk_config().await;
    let tickets = DynamoTickets::new(platform::aws::dynamodb(&sdk), &table, retention);
    let inbox = Inbox::new(tickets.client().clone(), table, "delivery-on-order-events", retention);
    let counter = Counter { tickets, inbox, zone };
    let counter = &counter;
    lambda_runtime::run(service_fn(move |batch: LambdaEvent<SqsEvent>| async move {
        Ok::<_, lambda_runtime::Error>(
            for_each_event(batch.payload, |event| delivery::consumer::on_order_event(counter, event)).await,
        )
    }))
    .await
}
