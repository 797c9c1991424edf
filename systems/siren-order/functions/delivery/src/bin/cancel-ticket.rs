//! Lambda: the synchronous ticket cancel the order context invokes (no HTTP route).
//! Environment: `DELIVERY_TABLE`. Payload: see [`contracts::ticket_cancel`].

use contracts::ticket_cancel::CancelTicketRequest;
use delivery::store::DynamoTickets;
use lambda_runtime::{LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    platform::logging::init();
    let table = platform::config::required("DELIVERY_TABLE")?;
    let sdk = platform::aws::sdk_config().await;
    // Cancelling writes no outbox item; its retention is irrelevant here.
    let tickets = DynamoTickets::new(platform::aws::dynamodb(&sdk), table, std::time::Duration::ZERO);
    let tickets = &tickets;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<CancelTicketRequest>| async move {
        delivery::counter::cancel_ticket(tickets, event.payload)
            .await
            .map_err(|err| lambda_runtime::Error::from(format!("{err:#}")))
    }))
    .await
}
