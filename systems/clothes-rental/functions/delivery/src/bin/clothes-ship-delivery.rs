//! Lambda: `POST /deliveries/{deliveryId}/ship`. Configuration: [`delivery::wiring::ChangeDelivery`].
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), platform::lambda::Error> {
    let deps = platform::lambda::start(delivery::wiring::ChangeDelivery::from_env()).await?;
    platform::lambda::serve_http(|request| delivery::http::ship_delivery(&deps.deliveries, request)).await
}
