//! Lambda: the notification consumer (SQS `NotificationInboxQueue`,
//! `ReportBatchItemFailures`). Environment: `NOTIFICATION_TABLE`, `OUTBOX_RETENTION_DAYS`.

use std::time::Duration;

use aws_lambda_events::event::sqs::SqsEvent;
use lambda_runtime::{LambdaEvent, service_fn};
use notification::consumer::Notifier;
use platform::config;
use platform::inbox::{Inbox, for_each_event};
use platform::outbox::Outbox;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    platform::logging::init();
    let table = config::required("NOTIFICATION_TABLE")?;
    let retention = Duration::from_secs(config::required_parsed::<u64>("OUTBOX_RETENTION_DAYS")? * 86_400);
    let sdk = platform::aws::sdk_config().await;
    let inbox = Inbox::new(platform::aws::dynamodb(&sdk), &table, "notification-on-events", retention);
    let notifier = Notifier { outbox: Outbox::new(table, retention), inbox };
    let notifier = &notifier;
    lambda_runtime::run(service_fn(move |batch: LambdaEvent<SqsEvent>| async move {
        Ok::<_, lambda_runtime::Error>(
            for_each_event(batch.payload, |event| notification::consumer::on_event(notifier, event)).await,
        )
    }))
    .await
}
