//! Lambda: `PATCH /deliveries/{deliveryId}`. Environment: `DELIVERY_TABLE`,
//! `OUTBOX_RETENTION_DAYS`.

use delivery::store::DynamoTickets;
use lambda_http::{Request, service_fn};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    platform::logging::init();
    let table = platform::config::required("DELIVERY_TABLE")?;
    let retention_days: u64 = platform::config::required_parsed("OUTBOX_RETENTION_DAYS")?;
    let sdk = platform::aws::sdk_config().await;
    let tickets = DynamoTickets::new(
        platform::aws::dynamodb(&sdk),
        table,
        std::time::Duration::from_secs(retention_days * 86_400),
    );
    let tickets = &tickets;
    lambda_http::run(service_fn(move |request: Request| async move {
        Ok::<_, lambda_http::Error>(platform::http::respond(delivery::http::change_delivery(tickets, &request).await))
    }))
    .await
}
