//! Lambda: `POST /deliveries/{deliveryId}/collect`. Configuration: [`delivery::wiring::ChangeDelivery`].
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), platform::lambda::Error> {
    let deps = platform::lambda::start(delivery::wiring::ChangeDelivery::from_env()).await?;
    platform::lambda::serve_http(|request| delivery::http::collect_return(&deps.deliveries, request)).await
}
