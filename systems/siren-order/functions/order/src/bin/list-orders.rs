//! Lambda: `GET /orders?customerId=`. Environment: `ORDER_TABLE`.

use lambda_http::{Request, service_fn};
use order::store::DynamoOrders;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    platform::logging::init();
    let table = platform::config::required("ORDER_TABLE")?;
    let sdk = platform::aws::sdk_config().await;
    // Reads never write the outbox; its retention is irrelevant here.
    let orders = DynamoOrders::new(platform::aws::dynamodb(&sdk), table, std::time::Duration::ZERO);
    let orders = &orders;
    lambda_http::run(service_fn(move |request: Request| async move {
        Ok::<_, lambda_http::Error>(platform::http::respond(order::http::list_orders(orders, &request).await))
    }))
    .await
}
