//! Lambda: `POST /products`. Environment: `PRODUCT_TABLE`, `OUTBOX_RETENTION_DAYS`.

use lambda_http::{Request, service_fn};
use product::store::DynamoProducts;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    platform::logging::init();
    let table = platform::config::required("PRODUCT_TABLE")?;
    let retention_days: u64 = platform::config::required_parsed("OUTBOX_RETENTION_DAYS")?;
    let sdk = platform::aws::sdk_config().await;
    let products = DynamoProducts::new(
        platform::aws::dynamodb(&sdk),
        table,
        std::time::Duration::from_secs(retention_days * 86_400),
    );
    let products = &products;
    lambda_http::run(service_fn(move |request: Request| async move {
        Ok::<_, lambda_http::Error>(platform::http::respond(product::http::register_product(products, &request).await))
    }))
    .await
}
