//! Lambda: `GET /deliveries`. Configuration: [`delivery::wiring::ListDeliveries`].
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), platform::lambda::Error> {
    let deps = platform::lambda::start(delivery::wiring::ListDeliveries::from_env()).await?;
    platform::lambda::serve_http(|request| delivery::http::list_deliveries(&deps.deliveries, request)).await
}
