//! Lambda: `GET /reports/sales?date=`. Environment: `REPORT_TABLE`.

use lambda_http::{Request, service_fn};
use report::store::DynamoReport;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    platform::logging::init();
    let table = platform::config::required("REPORT_TABLE")?;
    let sdk = platform::aws::sdk_config().await;
    let report = DynamoReport::new(platform::aws::dynamodb(&sdk), table);
    let report = &report;
    lambda_http::run(service_fn(move |request: Request| async move {
        Ok::<_, lambda_http::Error>(platform::http::respond(report::http::sales(report, &request).await))
    }))
    .await
}
