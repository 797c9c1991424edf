//! Lambda: `GET /deliveries?status=`. Environment: `DELIVERY_TABLE`.

use delivery::store::DynamoTickets;
use lambda_http::{Request, service_fn};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    platform::logging::init();
    let table = platform::config::required("DELIVERY_TABLE")?;
    let sdk = platform::aws::sdk_config().await;
    // Reads never write the outbox; its retention is irrelevant here.
    let tickets = DynamoTickets::new(platform::aws::dynamodb(&sdk), table, std::time::Duration::ZERO);
    let tickets = &tickets;
    lambda_http::run(service_fn(move |request: Request| async move {
        Ok::<_, lambda_http::Error>(platform::http::respond(delivery::http::list_deliveries(tickets, &request).await))
    }))
    .await
}
