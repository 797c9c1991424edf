//! Lambda: `POST /orders`. Environment: `ORDER_TABLE`, `OUTBOX_RETENTION_DAYS`,
//! `PRODUCT_CHECK_FUNCTION`, `SYNC_CALL_TIMEOUT_MS`.

use std::time::Duration;

use lambda_http::{Request, service_fn};
use order::ports::ProductCheck;
use order::store::DynamoOrders;
use platform::config;
use platform::invoke::SyncInvoker;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    platform::logging::init();
    let table = config::required("ORDER_TABLE")?;
    let retention_days: u64 = config::required_parsed("OUTBOX_RETENTION_DAYS")?;
    let check_function = config::required("PRODUCT_CHECK_FUNCTION")?;
    let timeout_ms: u64 = config::required_parsed("SYNC_CALL_TIMEOUT_MS")?;
    let sdk = platform::aws::sdk_config().await;
    let orders = DynamoOrders::new(platform::aws::dynamodb(&sdk), table, Duration::from_secs(retention_days * 86_400));
    let pricing = ProductCheck(SyncInvoker::new(
        platform::invoke::lambda(&sdk),
        check_function,
        Duration::from_millis(timeout_ms),
    ));
    let (orders, pricing) = (&orders, &pricing);
    lambda_http::run(service_fn(move |request: Request| async move {
        Ok::<_, lambda_http::Error>(platform::http::respond(order::http::place_order(orders, pricing, &request).await))
    }))
    .await
}
