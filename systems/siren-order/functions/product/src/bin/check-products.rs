//! Lambda: the synchronous product check the order context invokes (no HTTP route).
//! Environment: `PRODUCT_TABLE`. Payload: see [`product::check`].

use lambda_runtime::{LambdaEvent, service_fn};
use product::check::{CheckRequest, check_products};
use product::store::DynamoProducts;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    platform::logging::init();
    let table = platform::config::required("PRODUCT_TABLE")?;
    let sdk = platform::aws::sdk_config().await;
    // Reads never write the outbox; its retention is irrelevant here.
    let products = DynamoProducts::new(platform::aws::dynamodb(&sdk), table, std::time::Duration::ZERO);
    let products = &products;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<CheckRequest>| async move {
        check_products(products, event.payload).await.map_err(lambda_runtime::Error::from)
    }))
    .await
}
