//! Lambda: `GET /products` (the menu). Environment: `PRODUCT_TABLE`.

use lambda_http::{Request, service_fn};
use product::store::DynamoProducts;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    platform::logging::init();
    let table = platform::config::required("PRODUCT_TABLE")?;
    let sdk = platform::aws::sdk_config().await;
    // Reads never write the outbox; its retention is irrelevant here.
    let products = DynamoProducts::new(platform::aws::dynamodb(&sdk), table, std::time::Duration::ZERO);
    let products = &products;
    lambda_http::run(service_fn(move |_request: Request| async move {
        Ok::<_, lambda_http::Error>(platform::http::respond(product::http::list_products(products).await))
    }))
    .await
}
