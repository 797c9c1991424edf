//! Lambda: `POST /orders/{orderId}/cancel`. Environment: `ORDER_TABLE`,
//! `OUTBOX_RETENTION_DAYS`, `TICKET_CANCEL_FUNCTION`, `SYNC_CALL_TIMEOUT_MS`.

use std::time::Duration;

use lambda_http::{Request, service_fn};
use order::ports::CounterDesk;
use order::store::DynamoOrders;
use platform::config;
use platform::invoke::SyncInvoker;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    platform::logging::init();
    let table = config::required("ORDER_TABLE")?;
    let retention_days: u64 = config::required_parsed("OUTBOX_RETENTION_DAYS")?;
    let cancel_function = config::required("TICKET_CANCEL_FUNCTION")?;
    let timeout_ms: u64 = config::required_parsed("SYNC_CALL_TIMEOUT_MS")?;
    let sdk = platform::aws::sdk_config().await;
    let orders = DynamoOrders::new(platform::aws::dynamodb(&sdk), table, Duration::from_secs(retention_days * 86_400));
    let desk = CounterDesk(SyncInvoker::new(
        platform::invoke::lambda(&sdk),
        cancel_function,
        Duration::from_millis(timeout_ms),
    ));
    let (orders, desk) = (&orders, &desk);
    lambda_http::run(service_fn(move |request: Request| async move {
        Ok::<_, lambda_http::Error>(platform::http::respond(order::http::cancel_order(orders, desk, &request).await))
    }))
    .await
}
