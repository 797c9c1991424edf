//! Lambda: the report's consumer (SQS `ReportInboxQueue`, `ReportBatchItemFailures`).
//! Environment: `REPORT_TABLE`, `SHOP_TIME_ZONE`.

use aws_lambda_events::event::sqs::SqsEvent;
use lambda_runtime::{LambdaEvent, service_fn};
use platform::config;
use platform::inbox::for_each_event;
use report::consumer::Reporter;
use report::store::DynamoReport;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    platform::logging::init();
    let table = config::required("REPORT_TABLE")?;
    let zone: chrono_tz::Tz = config::required_parsed("SHOP_TIME_ZONE")?;
    let sdk = platform::aws::sdk_config().await;
    let reporter = Reporter { report: DynamoReport::new(platform::aws::dynamodb(&sdk), table), zone };
    let reporter = &reporter;
    lambda_runtime::run(service_fn(move |batch: LambdaEvent<SqsEvent>| async move {
        Ok::<_, lambda_runtime::Error>(
            for_each_event(batch.payload, |event| report::consumer::on_event(reporter, event)).await,
        )
    }))
    .await
}
