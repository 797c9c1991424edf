//! Lambda: `POST /customers`. Environment: `CUSTOMER_TABLE`, `WELCOME_POINTS`,
//! `OUTBOX_RETENTION_DAYS`.

use std::time::Duration;

use customer::store::DynamoCustomers;
use lambda_http::{Request, service_fn};
use platform::config;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    platform::logging::init();
    let table = config::required("CUSTOMER_TABLE")?;
    let welcome_points: u64 = config::required_parsed("WELCOME_POINTS")?;
    let retention_days: u64 = config::required_parsed("OUTBOX_RETENTION_DAYS")?;
    let sdk = platform::aws::sdk_config().await;
    let customers =
        DynamoCustomers::new(platform::aws::dynamodb(&sdk), table, Duration::from_secs(retention_days * 86_400));
    let customers = &customers;
    lambda_http::run(service_fn(move |request: Request| async move {
        Ok::<_, lambda_http::Error>(platform::http::respond(
            customer::http::register_customer(customers, welcome_points, &request).await,
        ))
    }))
    .await
}
