//! Lambda: `GET /customers/{customerId}`. Environment: `CUSTOMER_TABLE`.

use customer::store::DynamoCustomers;
use lambda_http::{Request, service_fn};
use platform::config;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    platform::logging::init();
    let table = config::required("CUSTOMER_TABLE")?;
    let sdk = platform::aws::sdk_config().await;
    // Reads never write the outbox; its retention is irrelevant here.
    let customers = DynamoCustomers::new(platform::aws::dynamodb(&sdk), table, std::time::Duration::ZERO);
    let customers = &customers;
    lambda_http::run(service_fn(move |request: Request| async move {
        Ok::<_, lambda_http::Error>(platform::http::respond(customer::http::get_customer(customers, &request).await))
    }))
    .await
}
