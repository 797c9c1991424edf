//! Lambda: `POST /orders/{orderId}/return`. Configuration: [`order::wiring::ReturnOrder`].
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), platform::lambda::Error> {
    let deps = platform::lambda::start(order::wiring::ReturnOrder::from_env()).await?;
    platform::lambda::serve_http(|request| order::http::return_order(&deps, request)).await
}
